"""Find credentials pasted into chat: auth headers, bearer tokens, JWTs and API keys.

Each finder yields (start, end, key) spans, like the other detectors. Only the credential
is replaced, so "Authorization: Bearer [SECRET_1]" still shows what was shared.

Hex strings and hashes in prose without a key word before them stay. A commit id ("fixed
in commit 3f2a9c1"), a checksum or a file hash names code or a file, not a person, and
redacting every long hex string would also eat ids that make a help chat readable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from trainer.dataset.detectors import looks_random

Span = tuple[int, int, str]

_VALUE = r"[A-Za-z0-9_\-./+~]+=*"
# An HTTP Authorization header: the value after the scheme, or the whole value without one.
_AUTH_HEADER = re.compile(
    rf"\b(?:proxy-)?authorization\s*[:=]\s*[\"']?(?:(?:bearer|basic|token|digest)\s+)?"
    rf"(?P<value>{_VALUE})",
    re.IGNORECASE,
)
_BEARER = re.compile(rf"\bbearer\s+(?P<value>{_VALUE})", re.IGNORECASE)
# A JSON Web Token: base64url header and payload, both JSON objects, so both start "eyJ".
_JWT = re.compile(r"(?<![\w\-])eyJ[\w\-]{6,}\.eyJ[\w\-]{6,}\.[\w\-]*")
# Keys whose prefix names the issuer: AWS access key ids, GitHub, Slack, Stripe and Google
# API keys. The formats are those the issuers document.
_PREFIXED_KEY = re.compile(
    r"(?<![\w\-])(?:(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}"
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"
    r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"
    r"|AIza[A-Za-z0-9_\-]{35})(?![\w\-])"
)
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.DOTALL
)
# A key-like value after a word such as "key", "token" or "secret", also inside names like
# aws_secret_access_key or X-Api-Key. The separator may be only a space ("token 9f86d0...").
_KEYED_VALUE = re.compile(
    r"(?i:(?<![A-Za-z])(?:[a-z]+[_\-])*(?:key|token|secret)s?)[\"']?"
    r"(?:\s*(?:[:=]|=>)\s*|\s+(?:is\s+)?)[\"']?"
    rf"(?P<value>{_VALUE})"
)
_MIN_BEARER_CHARS = 16
_MIN_KEY_CHARS = 20
_HEX = re.compile(r"[0-9a-fA-F]+")


def looks_like_key(value: str) -> bool:
    """Tell a generated key from a word, a name or a number.

    A key has at least 20 characters with both letters and digits, and is hex, or mixes
    upper and lower case, or switches character classes often (see `looks_random`). A
    value that starts like a file path (`/`, `~`, `.`) is not a key.
    """
    core = value.rstrip("=")
    if len(core) < _MIN_KEY_CHARS or core.startswith(("/", "~", ".")):
        return False
    letters = [char for char in core if char.isalpha()]
    if not letters or not any(char.isdigit() for char in core):
        return False
    mixed_case = any(char.isupper() for char in letters) and any(char.islower() for char in letters)
    return bool(_HEX.fullmatch(core)) or mixed_case or looks_random(core)


def _token_like(value: str) -> bool:
    """Tell a bearer token from the word after "bearer" in prose ("the bearer of")."""
    return len(value) >= _MIN_BEARER_CHARS and not value.isalpha()


def find_credentials(text: str) -> Iterator[Span]:
    """Yield credentials: auth header values, bearer tokens, JWTs, prefixed and keyed keys."""
    folded = text.casefold()
    if "private key-----" in folded:
        for match in _PRIVATE_KEY.finditer(text):
            yield match.start(), match.end(), match.group()
    if "authorization" in folded:
        yield from _values(_AUTH_HEADER, text, lambda value: len(value) >= 8)
    if "bearer" in folded:
        yield from _values(_BEARER, text, _token_like)
    if "eyj" in folded:
        for match in _JWT.finditer(text):
            yield match.start(), match.end(), match.group()
    for match in _PREFIXED_KEY.finditer(text):
        yield match.start(), match.end(), match.group()
    if "key" in folded or "token" in folded or "secret" in folded:
        yield from _values(_KEYED_VALUE, text, looks_like_key)


def _values(pattern: re.Pattern[str], text: str, accept: Callable[[str], bool]) -> Iterator[Span]:
    """Yield the `value` group of each match that `accept` takes, without a closing dot."""
    for match in pattern.finditer(text):
        value = match.group("value").rstrip(".")
        if accept(value):
            start = match.start("value")
            yield start, start + len(value), value
