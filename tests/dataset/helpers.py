"""Build small normalized message files for the prepare tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from trainer.dataset.sessions import DialogueMessage
from trainer.ingest.records import Message

START = datetime(2024, 3, 1, 9, 0, 0)
PERSONA = "user1"
NAMES = {"user1": "Arlo Finch", "user2": "Greta Lowell", "user3": "Finn Ellery"}


def message(
    number: int,
    author_id: str,
    text: str,
    minutes: float = 0,
    chat_id: str = "telegram:1",
    **fields,
) -> Message:
    """Return a text message `minutes` after START, with the id `number`."""
    return Message(
        source="telegram",
        chat_id=chat_id,
        chat_name="Test chat",
        id=str(number),
        ts=(START + timedelta(minutes=minutes)).isoformat(),
        author=fields.pop("author", NAMES.get(author_id, author_id)),
        author_id=author_id,
        text=text,
        **fields,
    )


def write_messages(path: Path, messages: list[Message]) -> Path:
    path.write_text("".join(item.to_json() + "\n" for item in messages), encoding="utf-8")
    return path


def dialogue(number: int, author_id: str, text: str, minutes: float = 0, **fields):
    """Return a DialogueMessage in the form the builder receives after filtering and redaction."""
    return DialogueMessage(
        chat_id=fields.pop("chat_id", "telegram:1"),
        id=str(number),
        ts=START + timedelta(minutes=minutes),
        ts_text=(START + timedelta(minutes=minutes)).isoformat(),
        author_id=author_id,
        speaker=NAMES.get(author_id, author_id),
        is_persona=author_id == PERSONA,
        text=text,
        order=number,
        **fields,
    )


def conversation(turns: list[tuple[str, str]], step_minutes: float = 1) -> list[Message]:
    """Return messages from (author_id, text) pairs, one every `step_minutes`."""
    return [
        message(number, author_id, text, minutes=number * step_minutes)
        for number, (author_id, text) in enumerate(turns, start=1)
    ]
