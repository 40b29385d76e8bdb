"""The shared data-access package: SQLAlchemy models, sessions and Alembic migrations.

The website, the Telegram bot, the training worker and serving all read and write the same
database through this package, so a schema change lands here together with its migration.
"""

from datastore.engine import (
    DEFAULT_DATABASE_URL,
    create_database_engine,
    database_url_from_env,
    make_session_factory,
)
from datastore.migrate import migrate
from datastore.models import (
    AccessToken,
    Base,
    ChatLog,
    Job,
    JobStatus,
    RegisteredModel,
    User,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "AccessToken",
    "Base",
    "ChatLog",
    "Job",
    "JobStatus",
    "RegisteredModel",
    "User",
    "create_database_engine",
    "database_url_from_env",
    "make_session_factory",
    "migrate",
]
