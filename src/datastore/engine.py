"""Engines and session factories for the database named by DATABASE_URL."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

# A SQLite file relative to the working directory, for one machine. Production sets
# DATABASE_URL=postgresql+psycopg://USER:PASSWORD@HOST/DBNAME instead.
DEFAULT_DATABASE_URL = "sqlite:///var/twinchat.db"


def database_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """Return DATABASE_URL from the environment, or the SQLite default under `var/`."""
    environ = os.environ if environ is None else environ
    return environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def create_database_engine(url: str, **engine_options: object) -> Engine:
    """Create an engine for `url`; for a SQLite file, create its folder and enforce foreign keys.

    Raises ValueError with the accepted forms when `url` is not a database URL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ValueError(
            f"invalid database URL {url!r}: use sqlite:///path/to/file.db or "
            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DBNAME"
        ) from error
    if parsed.get_backend_name() == "sqlite":
        _create_sqlite_folder(parsed.database)
    engine = create_engine(parsed, **engine_options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _configure_sqlite_connection)
    logger.debug("database engine created for %s", parsed.render_as_string(hide_password=True))
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _create_sqlite_folder(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection, connection_record) -> None:
    # SQLite ignores foreign keys unless each connection turns them on, and waits for a
    # writer in another process for busy_timeout milliseconds before failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
