"""The normalized message record that every export parser produces."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Kind = Literal["text", "media", "system", "deleted"]
KINDS: tuple[Kind, ...] = ("text", "media", "system", "deleted")
SOURCES = ("telegram", "whatsapp", "discord", "messenger", "instagram")


@dataclass(slots=True)
class Message:
    """One message of one chat, the same shape for every messenger.

    `ts` is ISO 8601. It carries a UTC offset only when the export states the time zone
    (Telegram `date_unixtime`, Discord, Meta `timestamp_ms`); otherwise it is the wall-clock
    time written in the export.
    """

    source: str
    chat_id: str
    chat_name: str
    id: str
    ts: str
    author: str
    author_id: str
    text: str
    kind: Kind = "text"
    edited: bool = False
    reply_to: str | None = None
    forwarded: bool = False
    is_bot: bool | None = None
    attachment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # A shallow copy: dataclasses.asdict deep-copies every field and dominated ingest time.
        record = {name: getattr(self, name) for name in self.__dataclass_fields__}
        if not record["extra"]:
            del record["extra"]
        return record

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Message:
        known = {name: record[name] for name in cls.__dataclass_fields__ if name in record}
        return cls(**known)


def iso_timestamp(moment: datetime) -> str:
    """Format a datetime as ISO 8601 with seconds, keeping its UTC offset if it has one."""
    return moment.isoformat(timespec="seconds")


_INVISIBLE = dict.fromkeys(
    map(ord, "\u200e\u200f\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009]+")


def normalize_author_id(name: str) -> str:
    """Derive a stable id from a display name for formats that carry no user ids.

    Case, invisible marks, Unicode spaces and the iOS `~` marker of non-contacts are
    ignored, and a non-breaking hyphen counts as a hyphen, so `~ Ana  Test` and
    `Ana Test` get the same id.
    """
    cleaned = unicodedata.normalize("NFKC", name.translate(_INVISIBLE)).replace("\u2011", "-")
    cleaned = _SPACES.sub(" ", cleaned).strip().lstrip("~").strip()
    return "name:" + cleaned.casefold()
