"""Fixtures for the database tests, which run against SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from datastore import create_database_engine, make_session_factory, migrate
from tests.datastore.databases import DATABASE_BACKENDS, temporary_database_url


@pytest.fixture(params=DATABASE_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on each backend."""
    with temporary_database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session on a freshly migrated database."""
    migrate(database_url)
    engine = create_database_engine(database_url)
    factory = make_session_factory(engine)
    with factory() as session:
        yield session
    engine.dispose()
