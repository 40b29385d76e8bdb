"""Throwaway databases for tests: a SQLite file, or a fresh schema on the PostgreSQL server.

The PostgreSQL server is named by TWINCHAT_TEST_POSTGRES_URL (set by .ci/run); without it
the PostgreSQL cases are skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from datastore.engine import create_database_engine

POSTGRES_URL_VARIABLE = "TWINCHAT_TEST_POSTGRES_URL"

DATABASE_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@contextmanager
def temporary_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database; a PostgreSQL schema is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'twinchat.db'}"
        return
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set, so there is no PostgreSQL server")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_database_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # Every connection of the test's engines starts with the new schema on its search path.
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
