"""Chat ids for exports that do not contain an id for the chat.

WhatsApp text files, Discord CSV files without a channel id in their name, and Meta message
files outside a thread folder name a chat only by a file name or display name, which two
different chats can share (the `_chat.txt` of every iOS export, `Ana.zip` and `Ana (1).zip`).
Their ids add a short hash of what the export contains near its start. The same export
then gets the same id on every run, and from a .txt file or the .zip that contains it, while
different chats with the same name get different ids.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable

from trainer.ingest.whatsapp_header import INVISIBLE_TABLE

HASH_CHARS = 8


def slug(name: str) -> str:
    """Return `name` casefolded, without invisible marks, with each run of spaces as one `-`."""
    key = unicodedata.normalize("NFKC", name.translate(INVISIBLE_TABLE)).casefold()
    return "-".join(key.split())


def content_hash(parts: Iterable[str]) -> str:
    """Return the first `HASH_CHARS` hex digits of the SHA-256 of `parts`, one per line."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", errors="replace"))
        digest.update(b"\n")
    return digest.hexdigest()[:HASH_CHARS]


def hashed_chat_id(source: str, name: str, parts: Iterable[str]) -> str:
    """Return `<source>:<slug of name>-<hash of parts>`, for example `whatsapp:ana-1f3a9c0e`."""
    return f"{source}:{slug(name) or 'chat'}-{content_hash(parts)}"


def head_lines(text: str, complete: bool, limit: int | None = None) -> list[str]:
    """Return the non-empty lines of a file's head, up to `limit`, without a cut last line.

    `complete` is true when `text` is the whole file, so its last line is whole too.
    """
    lines = text.split("\n")
    if not complete:
        lines = lines[:-1]
    stripped = (line.strip() for line in lines)
    return [line for line in stripped if line][:limit]
