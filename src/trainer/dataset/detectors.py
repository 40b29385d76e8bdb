"""Find e-mail addresses, secrets in URLs and after keywords, IP addresses and one-time codes.

Each finder yields (start, end, key) spans of the text to replace. The key is the
normalized value, so one value gets one placeholder however it is written.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Iterator

Span = tuple[int, int, str]

_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]*\w@(?:[^\W_](?:[\w\-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w\-])"
)
_URL = re.compile(r"(?:https?|ftp|ssh|git)://[^\s<>\"'`]+|(?<![\w.@])www\.[^\s<>\"'`]+", re.I)
_URL_TRAILING = ".,;:!?'\")]}>"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_HEX = re.compile(r"[0-9a-f]{32,}", re.I)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-]{16,}")

# Query parameters whose value is a credential whatever it looks like.
SECRET_QUERY_KEYS = {
    "access_token", "api_key", "apikey", "auth", "authorization", "client_secret", "code",
    "credential", "hash", "id_token", "key", "otp", "pass", "passwd", "password", "pwd",
    "refresh_token", "secret", "session", "sessionid", "sid", "sig", "signature", "ticket",
    "token", "x-amz-credential", "x-amz-security-token", "x-amz-signature",
}  # fmt: skip
SECRET_QUERY_SUFFIXES = ("token", "_key", "secret", "password", "signature")
# A path segment right after one of these is a one-time link's secret ("/reset/<token>").
SECRET_PATH_KEYWORDS = {
    "activate", "activation", "auth", "confirm", "invite", "joinchat", "key", "login",
    "magic", "password", "reset", "secret", "token", "unsubscribe", "verify", "verification",
}  # fmt: skip


def find_emails(text: str) -> Iterator[Span]:
    for match in _EMAIL.finditer(text):
        yield match.start(), match.end(), match.group().casefold()


def looks_random(value: str) -> bool:
    """Tell whether a URL piece looks like a generated token rather than a word or name.

    UUIDs and long hex strings count. So do strings of 16 or more letters, digits, `-`
    and `_` that contain both letters and digits and switch between upper case, lower case
    and digits at least once every three characters. Words, CamelCase page names and file
    names rarely switch that often.
    """
    if _UUID.fullmatch(value) or _HEX.fullmatch(value):
        return True
    if not _TOKEN_CHARS.fullmatch(value):
        return False
    if not (any(char.isdigit() for char in value) and any(char.isalpha() for char in value)):
        return False
    classes = [_character_class(char) for char in value if char.isalnum()]
    switches = sum(1 for left, right in itertools.pairwise(classes) if left != right)
    return switches * 3 >= len(value)


def _character_class(char: str) -> str:
    if char.isupper():
        return "upper"
    if char.islower():
        return "lower"
    return "digit"


def _query_secrets(url: str, offset: int, query_start: int, query_end: int) -> Iterator[Span]:
    position = query_start
    for pair in url[query_start:query_end].split("&"):
        name, equals, value = pair.partition("=")
        value_start = position + len(name) + len(equals)
        position += len(pair) + 1
        if not equals or not value:
            continue
        name = name.casefold()
        named_secret = name in SECRET_QUERY_KEYS or name.endswith(SECRET_QUERY_SUFFIXES)
        if named_secret or looks_random(value):
            yield offset + value_start, offset + value_start + len(value), value


def _path_secrets(url: str, offset: int, path_start: int, path_end: int) -> Iterator[Span]:
    position = path_start
    previous = ""
    for segment in url[path_start:path_end].split("/"):
        start = position
        position += len(segment) + 1
        after_keyword = previous.casefold() in SECRET_PATH_KEYWORDS and len(segment) >= 8
        invite = segment.startswith("+") and len(segment) >= 10
        if segment and (after_keyword or invite or looks_random(segment)):
            yield offset + start, offset + start + len(segment), segment
        previous = segment


def find_url_secrets(text: str) -> Iterator[Span]:
    """Yield credentials inside URLs: `user:password@`, secret query values, token paths.

    Only the secret part is replaced, so the rest of the link stays readable.
    """
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        offset = match.start()
        scheme_end = url.find("://")
        host_start = scheme_end + 3 if scheme_end >= 0 else 0
        path_start = _first_of(url, "/?#", host_start)
        authority = url[host_start:path_start]
        if "@" in authority:
            userinfo = authority.rsplit("@", 1)[0]
            if ":" in userinfo:
                yield offset + host_start, offset + host_start + len(userinfo), userinfo
        query_start = _first_of(url, "?#", path_start)
        fragment_start = _first_of(url, "#", path_start)
        yield from _path_secrets(url, offset, path_start + 1, query_start)
        if query_start < fragment_start:
            yield from _query_secrets(url, offset, query_start + 1, fragment_start)
        if fragment_start < len(url) and "=" in url[fragment_start:]:
            yield from _query_secrets(url, offset, fragment_start + 1, len(url))


def _first_of(text: str, characters: str, start: int) -> int:
    positions = [text.find(char, start) for char in characters]
    found = [position for position in positions if position >= 0]
    return min(found) if found else len(text)


_PASSWORD = re.compile(
    r"\b(?:password|passwd|pwd|passphrase|пароль|passwort|contraseña|mot de passe)"
    r"(?:\s*[:=]\s*|\s+[\-—]\s+|\s+(?:is|это)\s+(?=\S*[\d\W])|\s+(?=\S*\d))"
    r"(?P<value>[^\s,;]+)",
    re.IGNORECASE,
)
_API_KEY = re.compile(
    r"\b(?:token|api[ _\-]?key|secret|access key|ключ|токен)(?:\s*[:=]\s*|\s+[\-—]\s+|\s+is\s+)"
    r"(?P<value>[A-Za-z0-9_\-./+=]{12,})",
    re.IGNORECASE,
)


_SECRET_KEYWORD_STEMS = (
    "pass", "pwd", "парол", "contraseña", "mot de passe", "token", "key", "secret", "ключ",
    "токен",
)  # fmt: skip


def find_keyword_secrets(text: str) -> Iterator[Span]:
    """Yield a password or API key written right after its keyword ("password: hunter2")."""
    folded = text.casefold()
    if not any(stem in folded for stem in _SECRET_KEYWORD_STEMS):
        return
    for pattern in (_PASSWORD, _API_KEY):
        for match in pattern.finditer(text):
            value = match.group("value").rstrip(".)")
            if pattern is _API_KEY and not any(char.isdigit() for char in value):
                continue
            if value:
                start = match.start("value")
                yield start, start + len(value), value


_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?![\w]|\.\d)"
)
# A dotted quad after one of these whole words, or glued to a file name
# ("adblock_plus-1.0.2.1"), is a version number. The words must stand alone, so "server",
# "driver" and "over" do not count as "ver".
_VERSION_BEFORE = re.compile(
    r"(?:\b(?:v|ver|version|kernel|linux|release)\.?[\s\-:]*|[A-Za-z][\-_])$", re.I
)
# Characters before an address that _VERSION_BEFORE looks at.
_VERSION_WINDOW = 16
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?"
    r"(?:%\w+)?(?![\w:])"
)


def find_ip_addresses(text: str) -> Iterator[Span]:
    """Yield IPv4 and IPv6 addresses other than loopback and the unspecified address.

    A dotted quad right after the word "version", "ver", "kernel", "linux", "release" or
    "v", or glued to a name by `-` or `_`, is a version number, not an address. Loopback
    (127.0.0.0/8, ::1) and unspecified (0.0.0.0, ::) addresses do not identify anyone and
    stay.
    """
    for match in _IPV4.finditer(text):
        # Searching with bounds keeps the text before the window, so a word cut by the
        # window start ("...ver") is not mistaken for a whole word.
        window_start = max(0, match.start() - _VERSION_WINDOW)
        if _VERSION_BEFORE.search(text, window_start, match.start()):
            continue
        address = ipaddress.IPv4Address(match.group())
        if not (address.is_loopback or address.is_unspecified):
            yield match.start(), match.end(), str(address)
    for match in _IPV6.finditer(text):
        candidate = match.group().split("%", 1)[0]
        try:
            address = ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        if not (address.is_loopback or address.is_unspecified):
            yield match.start(), match.end(), str(address)


_CODE_BEFORE = re.compile(
    r"(?P<prefix>\b(?:zip|postal|post|area|error|exit|status|source|return|response|http|"
    r"country|dial|promo|qr|unicode|ascii|key)\s+)?"
    r"\b(?:one-time code|code|pin|otp|passcode|код|пин-код|пин|kod|código|codigo|codice)\b"
    r"(?:\s+(?:is|for|to|of|from sms|from the sms|your|login|sign-in|verification|"
    r"confirmation|security|подтверждения|для|входа|из|смс|sms)){0,3}"
    r"\s*[:=\-—–]?\s*(?P<code>\d{3}[ \-]\d{3}|\d{4,8})(?![\d.,:/\-]?\d)",
    re.IGNORECASE,
)
_CODE_AFTER = re.compile(
    r"(?<![\d.,:/\-])(?P<code>\d{3}[ \-]\d{3}|\d{4,8})\s*(?:is your|[—–\-:]?\s*(?:your|ваш|это))"
    r"(?:\s+\w+){0,2}?\s+(?:code|код|pin|otp|passcode)\b",
    re.IGNORECASE,
)


_CODE_DIGITS = re.compile(r"\d{3}")


def find_codes(text: str) -> Iterator[Span]:
    """Yield one-time codes of 4 to 8 digits that follow or precede a word like "code"."""
    if not _CODE_DIGITS.search(text):
        return
    for match in _CODE_BEFORE.finditer(text):
        if match.group("prefix"):
            continue
        yield match.start("code"), match.end("code"), re.sub(r"\D", "", match.group("code"))
    for match in _CODE_AFTER.finditer(text):
        yield match.start("code"), match.end("code"), re.sub(r"\D", "", match.group("code"))
