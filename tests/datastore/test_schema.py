"""Migrations, the engine factory and column types on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select
from sqlalchemy.exc import StatementError

from datastore import (
    DEFAULT_DATABASE_URL,
    Base,
    Job,
    JobStatus,
    User,
    create_database_engine,
    database_url_from_env,
    migrate,
)
from datastore.migrate import alembic_config, current_revision

TABLES = {"users", "models", "access_tokens", "jobs", "chat_logs"}


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_migrate_creates_tables(database_url):
    migrate(database_url)
    engine = create_database_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert tables >= TABLES


def test_migrate_records_head(database_url):
    migrate(database_url)
    assert current_revision(database_url) == head_revision()


def test_migrate_twice_is_noop(database_url):
    migrate(database_url)
    migrate(database_url)
    assert current_revision(database_url) == head_revision()


def test_models_match_migrations(database_url):
    migrate(database_url)
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_datetime_round_trip_is_utc(session):
    created = datetime(2026, 3, 1, 15, 30, tzinfo=timezone(timedelta(hours=3)))
    session.add(User(email="ana@example.com", display_name="Ana", created_at=created))
    session.commit()
    session.expire_all()
    stored = session.scalar(select(User.created_at))
    assert stored == created
    assert stored.tzinfo == UTC


def test_naive_datetime_rejected(session):
    session.add(User(email="ana@example.com", created_at=datetime(2026, 3, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


def test_job_status_stored_as_value(session):
    user = User(email="ana@example.com")
    session.add(Job(user=user, persona="Ana", params={"lora": {"r": 8}}))
    session.commit()
    session.expire_all()
    job = session.scalar(select(Job))
    assert job.status is JobStatus.QUEUED
    assert job.params == {"lora": {"r": 8}}


def test_database_url_default():
    assert database_url_from_env({}) == DEFAULT_DATABASE_URL


def test_database_url_from_env():
    url = "postgresql+psycopg://app@db/twinchat"
    assert database_url_from_env({"DATABASE_URL": url}) == url


def test_sqlite_folder_created(tmp_path):
    url = f"sqlite:///{tmp_path / 'var' / 'nested' / 'twinchat.db'}"
    migrate(url)
    assert (tmp_path / "var" / "nested" / "twinchat.db").is_file()


def test_invalid_url_message():
    with pytest.raises(ValueError, match="postgresql\\+psycopg://"):
        create_database_engine("not a url")
