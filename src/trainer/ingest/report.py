"""The ingest report: counts, skipped records with their locations, and user errors."""

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

    def warn_if_no_dialogue(self) -> None:
        """Warn when every message is a system record, which gives nothing to train on."""
        if self.total and self.kinds["system"] == self.total:
            self.warn(
                f"no dialogue found: only system records ({self.total}), such as group "
                "events, so there is nothing to learn from; check that these are the chats "
                "you meant to pass"
            )

    def empty_error(self, inputs: list[str]) -> IngestError:
        """Describe a run that found no message, naming the inputs and what was skipped."""
        names = ", ".join(inputs)
        found = plural(len(self.files), "export file")
        skipped = Counter(entry.reason for entry in self.skipped)
        details = "; ".join(f"{reason}: {count}" for reason, count in skipped.most_common(3))
        skipped_count = plural(len(self.skipped), "file or record", "files or records")
        seen = f"{found} read, {skipped_count} skipped"
        if details:
            seen += f" ({details})"
        return IngestError(
            f"no messages found in {names}: {seen}; pass a Telegram result.json, a WhatsApp "
            ".txt or .zip, a Discord .json or .csv, or Messenger/Instagram message_N.json files"
        )

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


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """Return `1 chat`, `2 chats`; `plural_noun` replaces the `s` form for other nouns."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural_noun or noun + 's'}"
