"""What an ingest run saw: counts, skipped records with their locations, and user errors."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


class IngestError(Exception):
    """An input problem that the user can fix; its message names the file, the place and the fix."""


@dataclass(slots=True)
class Skipped:
    """A record or line that produced no message, and why."""

    file: str
    location: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "location": self.location, "reason": self.reason}


@dataclass
class IngestReport:
    """Counts per kind and per chat, warnings, and every skipped record with its reason."""

    files: list[dict[str, str]] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    chats: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add_file(self, name: str, fmt: str) -> None:
        self.files.append({"file": name, "format": fmt})

    def count(self, source: str, chat_id: str, chat_name: str, kind: str) -> None:
        self.kinds[kind] += 1
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = {"source": source, "name": chat_name, "messages": 0, "kinds": Counter()}
            self.chats[chat_id] = chat
        chat["messages"] += 1
        chat["kinds"][kind] += 1

    def skip(self, file: str, location: str, reason: str) -> None:
        self.skipped.append(Skipped(file, location, reason))

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def to_dict(self) -> dict[str, Any]:
        skipped_reasons: defaultdict[str, int] = defaultdict(int)
        for entry in self.skipped:
            skipped_reasons[entry.reason] += 1
        return {
            "files": self.files,
            "messages": self.total,
            "kinds": {
                kind: self.kinds.get(kind, 0) for kind in ("text", "media", "system", "deleted")
            },
            "chats": {
                chat_id: {**chat, "kinds": dict(chat["kinds"])}
                for chat_id, chat in self.chats.items()
            },
            "skipped_count": len(self.skipped),
            "skipped_reasons": dict(skipped_reasons),
            "skipped": [entry.to_dict() for entry in self.skipped],
            "warnings": self.warnings,
        }
