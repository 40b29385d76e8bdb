"""Stream the chats and raw message records out of a Telegram Desktop JSON export.

Two layouts exist: a single-chat export is one chat object (`name`, `type`, `id`,
`messages`), and a full-account export contains chat objects in `chats.list`, `left_chats.list`
and possibly other lists. Any object with a `messages` array counts as a chat, so unknown
sections work too.

Memory stays bounded by the largest single record, never by the file: records are built one
at a time from ijson events. A single-chat export whose head shows `messages` as a top-level
key takes a fast path, ijson's C `items` builder, which is about twice as fast as building
records from events in Python.

NOTE: a chat's `name`, `type` and `id` are read from the keys before its `messages` array,
which is where Telegram Desktop writes them; keys after the array are not seen.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import ijson

from trainer.ingest.telegram_message import ChatInfo, chat_info

ChatRecord = tuple[ChatInfo, int, Any]

_SCALARS = frozenset(("string", "number", "boolean", "null"))


@dataclass(slots=True)
class _Frame:
    """One open object or array outside a `messages` array."""

    is_map: bool
    path: str
    key: str | None = None
    children: int = 0
    fields: dict[str, Any] = field(default_factory=dict)


def single_chat_fields(head: bytes) -> dict[str, Any] | None:
    """Return the top-level scalar fields if `head` starts a single-chat export, else None.

    An export is single-chat when `messages` is a top-level key. A head that ends before that
    key, or is invalid JSON before it, gives None, so the caller uses the general walker.
    """
    fields: dict[str, Any] = {}
    events = ijson.parse(io.BytesIO(head), use_float=True)
    try:
        for prefix, event, value in events:
            if prefix == "messages" and event == "start_array":
                return fields
            if "." not in prefix and prefix and event in _SCALARS:
                fields[prefix] = value
            if prefix == "" and event != "start_map" and event != "map_key":
                return None
    except ijson.JSONError:
        return None
    return None


def iter_single_chat(
    stream: BinaryIO, chat: ChatInfo, chats: list[ChatInfo]
) -> Iterator[ChatRecord]:
    """Yield each item of the top-level `messages` array with its 1-based position.

    `chat` is appended to `chats` when the parse starts, so an empty chat is still counted.
    """
    chats.append(chat)
    items = ijson.items(stream, "messages.item", use_float=True)
    for position, item in enumerate(items, start=1):
        yield chat, position, item


def iter_chat_records(
    stream: BinaryIO, fallback_id: str, chats: list[ChatInfo]
) -> Iterator[ChatRecord]:
    """Yield every item of every `messages` array in the export, with its chat and position.

    Each chat is appended to `chats` when its `messages` array opens, so empty chats count
    too. `fallback_id` names chats that have no `id`; nested chats add their path to it.
    """
    events = ijson.basic_parse(stream, use_float=True)
    frames: list[_Frame] = []
    key: str | None = None
    for event, value in events:
        if event == "map_key":
            key = value
            continue
        if event == "end_map" or event == "end_array":
            frames.pop()
            key = None
            continue
        parent = frames[-1] if frames else None
        if parent is not None and not parent.is_map:
            parent.children += 1
        if event == "start_array" and key == "messages" and parent is not None:
            chat = _chat_of(parent, fallback_id)
            chats.append(chat)
            yield from _iter_array(events, chat)
        elif event == "start_map" or event == "start_array":
            frames.append(_Frame(event == "start_map", _child_path(parent, key)))
        elif parent is not None and parent.is_map and key is not None:
            parent.fields[key] = value
        key = None


def _child_path(parent: _Frame | None, key: str | None) -> str:
    if parent is None:
        return ""
    step = key if parent.is_map else str(parent.children - 1)
    return f"{parent.path}.{step}" if parent.path else str(step)


def _chat_of(frame: _Frame, fallback_id: str) -> ChatInfo:
    if frame.path == "":
        return chat_info(frame.fields, fallback_id, "")
    fallback = f"{fallback_id}:{frame.path}"
    chat = chat_info(frame.fields, fallback, "")
    chat.label = f"chat {chat.raw_id} "
    return chat


def _iter_array(events: Iterator[tuple[str, Any]], chat: ChatInfo) -> Iterator[ChatRecord]:
    """Build each item of the open array from `events` and yield it; stop at its end."""
    for position, (event, value) in enumerate(events, start=1):
        if event == "end_array":
            return
        if event == "start_map":
            yield chat, position, _build(events, {})
        elif event == "start_array":
            yield chat, position, _build(events, [])
        else:
            yield chat, position, value


def _build(events: Iterator[tuple[str, Any]], root: dict | list) -> dict | list:
    """Fill `root`, whose start event was just read, from events up to its end event."""
    stack: list[Any] = [root]
    current: Any = root
    key = None
    for event, value in events:
        if event == "map_key":
            key = value
        elif event in _SCALARS:
            if type(current) is dict:
                current[key] = value
            else:
                current.append(value)
        elif event == "start_map" or event == "start_array":
            child: Any = {} if event == "start_map" else []
            if type(current) is dict:
                current[key] = child
            else:
                current.append(child)
            stack.append(child)
            current = child
        else:
            stack.pop()
            if not stack:
                return root
            current = stack[-1]
    return root
