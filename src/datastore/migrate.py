"""Run the packaged Alembic migrations from code, so no alembic.ini path is needed."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
ALEMBIC_INI = PACKAGE_DIR / "alembic.ini"


def alembic_config(url: str) -> Config:
    """Build the Alembic configuration for the packaged migrations and the database at `url`.

    The URL travels in `config.attributes` rather than in the ini options, because
    configparser would read a `%` in an encoded password as interpolation.
    """
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    config.attributes["database_url"] = url
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision`, creating the tables on first use."""
    from sqlalchemy.engine import make_url

    logger.info(
        "migrating database %s to %s", make_url(url).render_as_string(hide_password=True), revision
    )
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """Return the revision the database at `url` is at, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    from datastore.engine import create_database_engine

    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
