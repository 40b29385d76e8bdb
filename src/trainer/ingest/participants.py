"""Everyone who wrote in an export: the list a user picks the persona from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trainer.ingest.records import Message


@dataclass
class Participant:
    """One `author_id` with the display names it used and how much it wrote."""

    author_id: str
    names: dict[str, int] = field(default_factory=dict)
    messages: int = 0
    text_messages: int = 0
    system_messages: int = 0
    first_ts: str | None = None
    last_ts: str | None = None
    is_bot: bool = False
    sources: set[str] = field(default_factory=set)

    @property
    def is_system(self) -> bool:
        """True for authors that only appear on service records (a group, the app itself)."""
        return self.system_messages == self.messages

    @property
    def name(self) -> str:
        """The display name used most often."""
        return max(self.names.items(), key=lambda item: item[1])[0] if self.names else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "author_id": self.author_id,
            "name": self.name,
            "names": sorted(self.names, key=lambda name: -self.names[name]),
            "messages": self.messages,
            "text_messages": self.text_messages,
            "first": self.first_ts,
            "last": self.last_ts,
            "is_bot": self.is_bot,
            "is_system": self.is_system,
            "sources": sorted(self.sources),
        }


def collect_participants(messages: Iterable[Message]) -> list[Participant]:
    """Aggregate messages per `author_id`, most active first."""
    participants: dict[str, Participant] = {}
    for message in messages:
        participant = participants.get(message.author_id)
        if participant is None:
            participant = participants[message.author_id] = Participant(message.author_id)
        participant.names[message.author] = participant.names.get(message.author, 0) + 1
        participant.messages += 1
        participant.sources.add(message.source)
        if message.kind == "text":
            participant.text_messages += 1
        if message.kind == "system":
            participant.system_messages += 1
        if message.is_bot:
            participant.is_bot = True
        # NOTE: ISO strings compare in time order only when they share one UTC offset, so
        # first and last are approximate for an author seen in exports with mixed offsets.
        if participant.first_ts is None or message.ts < participant.first_ts:
            participant.first_ts = message.ts
        if participant.last_ts is None or message.ts > participant.last_ts:
            participant.last_ts = message.ts
    return sorted(participants.values(), key=lambda item: (-item.messages, item.author_id))
