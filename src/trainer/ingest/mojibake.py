"""Repair the latin-1 mojibake in Facebook Messenger and Instagram JSON exports.

Meta writes each UTF-8 byte of a non-ASCII character as its own `\\u00XX` escape, so "é"
(bytes C3 A9) arrives as the two characters "Ã©". Encoding such a string as latin-1 gives
back the original bytes, and decoding those as UTF-8 gives the original text.
"""

from __future__ import annotations

from typing import Any


def repair_text(text: str) -> str:
    """Undo the latin-1 mojibake in `text`, or return it unchanged where none applies.

    The repair applies only when every character is in U+0000..U+00FF, at least one is
    in U+0080..U+00FF, and those bytes decode as UTF-8. A correctly encoded "é" or "ü" on
    its own is not valid UTF-8 as one byte, so genuine accented text stays as it is.
    """
    if text.isascii():
        return text
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return text


def repair_value(value: Any) -> Any:
    """Apply `repair_text` to every string in a parsed JSON value, keys included."""
    if isinstance(value, str):
        return repair_text(value)
    if isinstance(value, list):
        return [repair_value(item) for item in value]
    if isinstance(value, dict):
        return {repair_text(key): repair_value(item) for key, item in value.items()}
    return value
