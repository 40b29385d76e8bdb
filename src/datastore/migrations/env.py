"""Alembic environment for the twinchat database.

The database URL comes from `config.attributes["database_url"]` (set by datastore.migrate),
else from `-x url=...` on the alembic command line, else from DATABASE_URL or the default.
"""

from __future__ import annotations

from alembic import context

from datastore.engine import create_database_engine, database_url_from_env
from datastore.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    url = config.attributes.get("database_url") or context.get_x_argument(as_dictionary=True).get(
        "url"
    )
    return url or database_url_from_env()


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with_connection(connection)
        return
    engine = create_database_engine(database_url())
    try:
        with engine.connect() as connection:
            _run_with_connection(connection)
    finally:
        engine.dispose()


def _run_with_connection(connection) -> None:
    # Batch mode rebuilds tables for ALTER statements that SQLite cannot run in place.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
