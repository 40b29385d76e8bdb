"""Access tokens: each grants use of one registered model, and only its hash is stored.

A token is `tc_` followed by 43 URL-safe characters (32 random bytes). The database keeps
its SHA-256, so a leaked database cannot be replayed as tokens. A plain hash without a salt
is safe here because the token is random, not a password a person chose.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from datastore.models import AccessToken, RegisteredModel
from datastore.types import utcnow

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "tc_"
TOKEN_BYTES = 32
# How many characters of the token a listing shows; 6 after the prefix leave 222 random bits.
DISPLAY_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
# last_used_at is written at most this often per token, so busy tokens cost no write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_TOKEN_PATTERN = re.compile(r"^tc_[A-Za-z0-9_-]{20,100}$")
_DURATION_PATTERN = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class TokenStatus(enum.StrEnum):
    """The outcome of checking a token for a model."""

    VALID = "valid"
    MISSING = "missing"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    WRONG_MODEL = "wrong_model"


@dataclass(frozen=True)
class TokenCheck:
    """The status of a presented token, with the token's id and model when it exists."""

    status: TokenStatus
    token_id: int | None = None
    model_name: str | None = None

    @property
    def valid(self) -> bool:
        return self.status is TokenStatus.VALID


class TokenNotFoundError(LookupError):
    """No access token has the given id."""


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token, the form the database stores."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def parse_duration(text: str) -> timedelta | None:
    """Parse `30d`, `12h`, `45m`, `90s` or `2w`; `never` returns None (no expiry).

    Raises ValueError naming the accepted forms for anything else, including zero.
    """
    if text.strip().lower() == "never":
        return None
    match = _DURATION_PATTERN.match(text.lower())
    if match is None or int(match[1]) == 0:
        raise ValueError(
            f"invalid duration {text!r}: use a positive number with a unit s, m, h, d or w "
            "(e.g. 30d, 12h), or 'never'"
        )
    return timedelta(**{_DURATION_UNITS[match[2]]: int(match[1])})


def get_or_create_model(session: Session, name: str) -> RegisteredModel:
    """Return the `models` row for a registered model name, inserting it on first use."""
    model = session.scalar(select(RegisteredModel).where(RegisteredModel.name == name))
    if model is None:
        model = RegisteredModel(name=name)
        session.add(model)
        session.flush()
    return model


def create_token(
    session: Session,
    model_name: str,
    name: str = "",
    expires_in: timedelta | None = None,
    user_id: int | None = None,
    now: datetime | None = None,
) -> tuple[str, AccessToken]:
    """Create a token for `model_name` and return it with its row; the token is not stored.

    The caller commits the session and shows the token once; it cannot be recovered later.
    """
    if not model_name.strip():
        raise ValueError("model name is empty; pass the registered model's name")
    if expires_in is not None and expires_in <= timedelta(0):
        raise ValueError(f"expiry {expires_in} is not positive; pass a positive duration")
    created_at = now or utcnow()
    token = generate_token()
    row = AccessToken(
        token_hash=hash_token(token),
        display_prefix=token[:DISPLAY_PREFIX_LENGTH],
        name=name,
        model=get_or_create_model(session, model_name),
        user_id=user_id,
        created_at=created_at,
        expires_at=created_at + expires_in if expires_in is not None else None,
    )
    session.add(row)
    session.flush()
    logger.info("created access token %d for model %s", row.id, model_name)
    return token, row


def verify_token(
    session: Session, token: str | None, model_name: str, now: datetime | None = None
) -> TokenCheck:
    """Check that `token` grants use of `model_name` now, and record its use when it does.

    Returns a TokenCheck whose status gives the reason a token is rejected. The order of checks
    makes a revoked or expired token report that before a model mismatch.
    """
    if not token:
        return TokenCheck(TokenStatus.MISSING)
    if _TOKEN_PATTERN.match(token) is None:
        return TokenCheck(TokenStatus.UNKNOWN)
    row = session.scalar(
        select(AccessToken)
        .options(joinedload(AccessToken.model))
        .where(AccessToken.token_hash == hash_token(token))
    )
    if row is None:
        return TokenCheck(TokenStatus.UNKNOWN)
    now = now or utcnow()
    if row.revoked:
        return TokenCheck(TokenStatus.REVOKED, row.id, row.model.name)
    if row.expires_at is not None and row.expires_at <= now:
        return TokenCheck(TokenStatus.EXPIRED, row.id, row.model.name)
    if row.model.name != model_name:
        return TokenCheck(TokenStatus.WRONG_MODEL, row.id, row.model.name)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.flush()
    return TokenCheck(TokenStatus.VALID, row.id, row.model.name)


def list_tokens(
    session: Session, model_name: str | None = None, user_id: int | None = None
) -> list[AccessToken]:
    """Return tokens, newest first, optionally only those of one model or one user."""
    query = select(AccessToken).join(AccessToken.model).options(joinedload(AccessToken.model))
    if model_name is not None:
        query = query.where(RegisteredModel.name == model_name)
    if user_id is not None:
        query = query.where(AccessToken.user_id == user_id)
    query = query.order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
    return list(session.scalars(query))


def revoke_token(session: Session, token_id: int, now: datetime | None = None) -> AccessToken:
    """Mark a token revoked; revoking it again keeps the first revocation time.

    Raises TokenNotFoundError when no token has `token_id`.
    """
    row = session.get(AccessToken, token_id, options=[joinedload(AccessToken.model)])
    if row is None:
        raise TokenNotFoundError(f"no access token has id {token_id}; see `twinchat token list`")
    if not row.revoked:
        row.revoked = True
        row.revoked_at = now or utcnow()
        session.flush()
        logger.info("revoked access token %d for model %s", row.id, row.model.name)
    return row


def token_state(row: AccessToken, now: datetime | None = None) -> str:
    """Describe a token row as `active`, `expired` or `revoked`."""
    if row.revoked:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= (now or utcnow()):
        return "expired"
    return "active"
