"""Access tokens: creation, verification, listing and revocation on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from datastore.models import AccessToken, RegisteredModel
from datastore.tokens import (
    LAST_USED_RESOLUTION,
    TOKEN_PREFIX,
    TokenNotFoundError,
    TokenStatus,
    create_token,
    list_tokens,
    parse_duration,
    revoke_token,
    token_state,
    verify_token,
)

MODEL = "twinchat-mira"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_create_token_prefix(session):
    token, _ = create_token(session, MODEL)
    assert token.startswith(TOKEN_PREFIX)
    assert len(token) > 40


def test_create_token_stores_only_hash(session):
    token, _ = create_token(session, MODEL, name="laptop")
    session.commit()
    stored = session.scalar(select(AccessToken))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in vars(stored).values()}


def test_create_token_adds_model_row(session):
    create_token(session, MODEL)
    create_token(session, MODEL)
    session.commit()
    assert session.scalars(select(RegisteredModel.name)).all() == [MODEL]


def test_tokens_are_unique(session):
    first, _ = create_token(session, MODEL)
    second, _ = create_token(session, MODEL)
    assert first != second


def test_verify_valid(session):
    token, row = create_token(session, MODEL)
    session.commit()
    check = verify_token(session, token, MODEL)
    assert check.status is TokenStatus.VALID
    assert check.token_id == row.id


def test_verify_missing(session):
    assert verify_token(session, None, MODEL).status is TokenStatus.MISSING


def test_verify_unknown(session):
    create_token(session, MODEL)
    fake = TOKEN_PREFIX + "A" * 43
    assert verify_token(session, fake, MODEL).status is TokenStatus.UNKNOWN


def test_verify_malformed(session):
    assert verify_token(session, "Bearer nonsense", MODEL).status is TokenStatus.UNKNOWN


def test_verify_expired(session):
    token, _ = create_token(session, MODEL, expires_in=timedelta(days=1), now=NOW)
    session.commit()
    later = NOW + timedelta(days=1, seconds=1)
    assert verify_token(session, token, MODEL, now=later).status is TokenStatus.EXPIRED


def test_verify_before_expiry(session):
    token, _ = create_token(session, MODEL, expires_in=timedelta(days=1), now=NOW)
    session.commit()
    earlier = NOW + timedelta(hours=23)
    assert verify_token(session, token, MODEL, now=earlier).status is TokenStatus.VALID


def test_verify_revoked(session):
    token, row = create_token(session, MODEL)
    revoke_token(session, row.id)
    session.commit()
    assert verify_token(session, token, MODEL).status is TokenStatus.REVOKED


def test_verify_other_model(session):
    token, _ = create_token(session, "twinchat-ben")
    session.commit()
    check = verify_token(session, token, MODEL)
    assert check.status is TokenStatus.WRONG_MODEL
    assert check.model_name == "twinchat-ben"


def test_verify_records_last_use(session):
    token, row = create_token(session, MODEL, now=NOW)
    session.commit()
    verify_token(session, token, MODEL, now=NOW + timedelta(seconds=5))
    session.commit()
    session.expire_all()
    assert session.get(AccessToken, row.id).last_used_at == NOW + timedelta(seconds=5)


def test_verify_throttles_last_use(session):
    token, row = create_token(session, MODEL, now=NOW)
    verify_token(session, token, MODEL, now=NOW)
    verify_token(session, token, MODEL, now=NOW + LAST_USED_RESOLUTION / 2)
    session.commit()
    session.expire_all()
    assert session.get(AccessToken, row.id).last_used_at == NOW


def test_list_tokens_filters_model(session):
    create_token(session, MODEL, name="a")
    create_token(session, "twinchat-ben", name="b")
    session.commit()
    assert [row.name for row in list_tokens(session, model_name=MODEL)] == ["a"]


def test_list_tokens_newest_first(session):
    create_token(session, MODEL, name="old", now=NOW)
    create_token(session, MODEL, name="new", now=NOW + timedelta(minutes=1))
    session.commit()
    assert [row.name for row in list_tokens(session)] == ["new", "old"]


def test_revoke_keeps_first_time(session):
    _, row = create_token(session, MODEL)
    revoke_token(session, row.id, now=NOW)
    revoke_token(session, row.id, now=NOW + timedelta(hours=1))
    assert row.revoked_at == NOW


def test_revoke_unknown_id(session):
    with pytest.raises(TokenNotFoundError, match="no access token has id 999"):
        revoke_token(session, 999)


def test_token_state_values(session):
    _, active = create_token(session, MODEL, now=NOW)
    _, expired = create_token(session, MODEL, expires_in=timedelta(hours=1), now=NOW)
    _, revoked = create_token(session, MODEL, now=NOW)
    revoke_token(session, revoked.id)
    later = NOW + timedelta(hours=2)
    assert token_state(active, later) == "active"
    assert token_state(expired, later) == "expired"
    assert token_state(revoked, later) == "revoked"


def test_create_token_rejects_empty_model(session):
    with pytest.raises(ValueError, match="model name is empty"):
        create_token(session, "  ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("45m", timedelta(minutes=45)),
        ("90s", timedelta(seconds=90)),
        ("2w", timedelta(weeks=2)),
        (" 7D ", timedelta(days=7)),
        ("never", None),
    ],
)
def test_parse_duration_valid(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "30", "d", "0d", "-1d", "1y", "1.5h", "thirty days"])
def test_parse_duration_invalid(text):
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)
