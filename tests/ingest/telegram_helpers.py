"""Builders for synthetic Telegram Desktop exports and a helper that ingests them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trainer.ingest import IngestReport, iter_messages
from trainer.ingest.records import Message

CHAT_ID = 7000001


def message(number: int, text: Any = "hi", **fields: Any) -> dict[str, Any]:
    """A plain message record as Telegram Desktop writes it, with fields overridden."""
    record: dict[str, Any] = {
        "id": number,
        "type": "message",
        "date": "2019-06-04T00:01:59",
        "date_unixtime": "1559595719",
        "from": "Ana Test",
        "from_id": "user100",
        "text": text,
    }
    record.update(fields)
    return {key: value for key, value in record.items() if value is not None}


def service(number: int, action: str, **fields: Any) -> dict[str, Any]:
    """A service record: someone did something in the chat."""
    record: dict[str, Any] = {
        "id": number,
        "type": "service",
        "date": "2022-11-02T10:00:00",
        "date_unixtime": "1667383200",
        "actor": "Ben Demo",
        "actor_id": "user200",
        "action": action,
        "text": "",
        "text_entities": [],
    }
    record.update(fields)
    return record


def chat(
    messages: list[Any],
    name: str | None = "Ana Test",
    chat_type: str = "personal_chat",
    chat_id: int = CHAT_ID,
) -> dict[str, Any]:
    """A chat object, which is also a whole single-chat export."""
    result: dict[str, Any] = {"type": chat_type, "id": chat_id, "messages": messages}
    if name is not None:
        result = {"name": name, **result}
    return result


def full_export(chats: list[dict[str, Any]], left_chats: list[dict[str, Any]] = ()) -> dict:
    """A full-account export: personal data first, then the chat lists."""
    return {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 100, "first_name": "Ana", "last_name": "Test"},
        "contacts": {"about": "contacts", "list": []},
        "chats": {"about": "chats", "list": list(chats)},
        "left_chats": {"about": "left chats", "list": list(left_chats)},
    }


def render(export: dict[str, Any]) -> str:
    """Serialize like Telegram Desktop: one-space indentation, UTF-8 without escapes."""
    return json.dumps(export, ensure_ascii=False, indent=1)


def write_export(folder: Path, export: dict[str, Any] | str, name: str = "result.json") -> Path:
    path = folder / name
    path.write_text(export if isinstance(export, str) else render(export), encoding="utf-8")
    return path


def ingest(path: Path, fmt: str = "auto") -> tuple[list[Message], IngestReport]:
    """Run the real pipeline over `path` and return the messages and the report."""
    report = IngestReport()
    return list(iter_messages([path], fmt, report)), report


def ingest_export(folder: Path, export: dict[str, Any] | str) -> tuple[list[Message], IngestReport]:
    return ingest(write_export(folder, export))
