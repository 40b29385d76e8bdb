"""Turn one Telegram Desktop JSON message record into a normalized `Message`.

Choices that the export format leaves open:
- `text` is the message text or, for media, the caption. `text_entities` is preferred over
  `text` when it is a non-empty list, and the pieces' `text` are joined verbatim.
- A sticker is `kind: media` with `attachment` set and an empty text, so it never becomes a
  text turn; its emoji is kept in `extra["sticker_emoji"]`.
- A poll's question becomes the text (the author wrote it), its answers go to `extra`.
  Contacts and locations keep no phone numbers or coordinates, only the attachment type.
- `is_bot` is True only for the bot's own messages in a `bot_chat`, False for the user's
  messages there, and None elsewhere: the export does not say who is a bot. A message sent
  via an inline bot is the user's own (`extra["via_bot"]` names the bot).
- An author whose account was deleted has no name but keeps `from_id`; they become
  "Deleted Account" with the id as identity.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from trainer.ingest.records import Message, iso_timestamp, normalize_author_id

DELETED_ACCOUNT = "Deleted Account"
UNKNOWN_AUTHOR = "Unknown"
UNKNOWN_AUTHOR_ID = "unknown"
_YEAR_10000 = 253_402_300_800  # first second of the year 10000, past what ISO years can show

# Keys that mark a message with an attachment, and the attachment type each one stands for.
_MEDIA_KEYS = (
    ("photo", "photo"),
    ("file", "file"),
    ("contact_information", "contact"),
    ("location_information", "location"),
    ("poll", "poll"),
    ("game_title", "game"),
    ("invoice_information", "invoice"),
)
# Service record fields copied into `extra`, which describe what happened without any text.
_SERVICE_DETAILS = (
    "title",
    "members",
    "duration_seconds",
    "discard_reason",
    "message_id",
    "inviter",
    "boosts",
)


@dataclass(slots=True)
class ChatInfo:
    """The chat a record belongs to: its export fields and how reports name it."""

    chat_id: str
    name: str
    type: str
    raw_id: str
    label: str


class RecordError(ValueError):
    """A record that cannot become a message; the text is the reason shown in the report."""


def chat_info(fields: dict[str, Any], fallback_id: str, label_prefix: str) -> ChatInfo:
    """Build a ChatInfo from a chat object's scalar fields (`name`, `type`, `id`)."""
    chat_type = fields.get("type") if isinstance(fields.get("type"), str) else ""
    raw_id = _scalar_text(fields.get("id")) or fallback_id
    name = fields.get("name")
    if not isinstance(name, str) or not name:
        name = _fallback_chat_name(chat_type, raw_id)
    return ChatInfo(f"telegram:{raw_id}", name, chat_type, raw_id, label_prefix)


def _fallback_chat_name(chat_type: str, raw_id: str) -> str:
    if chat_type == "saved_messages":
        return "Saved Messages"
    if chat_type in ("personal_chat", "bot_chat"):
        return DELETED_ACCOUNT
    return f"{chat_type or 'chat'} {raw_id}"


def record_location(chat: ChatInfo, record: Any, position: int) -> str:
    """Name a record for the report: `message 12`, or `item 3` when it has no id."""
    record_id = _scalar_text(record.get("id")) if isinstance(record, dict) else ""
    place = f"message {record_id}" if record_id else f"item {position}"
    return f"{chat.label}{place}"


def to_message(record: dict[str, Any], chat: ChatInfo, position: int) -> Message:
    """Normalize one record; raise RecordError when it cannot be a message.

    `position` is the record's 1-based place in its chat, used as the id when it has none.
    """
    record_type = record.get("type", "message")
    if record_type not in ("message", "service"):
        raise RecordError(f"unknown record type {record_type!r}")
    ts = _timestamp(record)
    service = record_type == "service"
    author, author_id = _author(record, service)
    message = Message(
        source="telegram",
        chat_id=chat.chat_id,
        chat_name=chat.name,
        id=_scalar_text(record.get("id")) or str(position),
        ts=ts,
        author=author,
        author_id=author_id,
        text=message_text(record),
        edited="edited" in record or "edited_unixtime" in record,
        forwarded="forwarded_from" in record,
    )
    reply_to = _scalar_text(record.get("reply_to_message_id"))
    if reply_to:
        message.reply_to = reply_to
    if service:
        message.kind = "system"
        _add_service_details(record, message.extra)
    else:
        _add_media(record, message)
        _add_flags(record, chat, message)
        if message.kind == "text" and not message.text and author_id == UNKNOWN_AUTHOR_ID:
            raise RecordError("message without author, text or media")
    return message


def has_unix_time(record: dict[str, Any]) -> bool:
    return record.get("date_unixtime") not in (None, "")


def _timestamp(record: dict[str, Any]) -> str:
    unix_time = record.get("date_unixtime")
    if unix_time not in (None, ""):
        try:
            seconds = int(unix_time)
            if 0 <= seconds < _YEAR_10000:
                # time.strftime is about twice as fast as datetime and gives the same text here.
                return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds))
            return iso_timestamp(datetime.fromtimestamp(seconds, tz=UTC))
        except (TypeError, ValueError, OverflowError, OSError) as error:
            raise RecordError(f"invalid date_unixtime {unix_time!r}") from error
    date = record.get("date")
    if not isinstance(date, str) or not date:
        raise RecordError("no date or date_unixtime")
    try:
        moment = datetime.fromisoformat(date)
    except ValueError as error:
        raise RecordError(f"invalid date {date!r}") from error
    return iso_timestamp(moment)


def _author(record: dict[str, Any], service: bool) -> tuple[str, str]:
    name = record.get("actor" if service else "from")
    raw_id = record.get("actor_id" if service else "from_id")
    author_id = telegram_user_id(raw_id)
    if not isinstance(name, str):
        name = "" if name is None else str(name)
    if author_id is not None:
        return name or DELETED_ACCOUNT, author_id
    if name:
        return name, normalize_author_id(name)
    return UNKNOWN_AUTHOR, UNKNOWN_AUTHOR_ID


def telegram_user_id(value: Any) -> str | None:
    """Normalize a `from_id`: `user123`, `channel123`, `chat123` stay, a number gets `user`."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return f"user{value}"
    if isinstance(value, float) and value.is_integer():
        return f"user{int(value)}"
    if isinstance(value, str):
        value = value.strip()
        if value.isdigit():
            return f"user{value}"
        return value or None
    return None


def message_text(record: dict[str, Any]) -> str:
    """Join the text pieces of a record: `text_entities` if it has any, else `text`."""
    entities = record.get("text_entities")
    if isinstance(entities, list) and entities:
        return _join_pieces(entities)
    text = record.get("text")
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return _join_pieces(text)
    return ""


def _join_pieces(pieces: list[Any]) -> str:
    parts = []
    for piece in pieces:
        if isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict) and isinstance(piece.get("text"), str):
            parts.append(piece["text"])
    return "".join(parts)


def _add_media(record: dict[str, Any], message: Message) -> None:
    media_type = record.get("media_type")
    attachment = None
    for key, kind in _MEDIA_KEYS:
        if key in record:
            attachment = kind
            break
    if attachment is None and isinstance(media_type, str):
        attachment = media_type
    if attachment is None:
        return
    message.kind = "media"
    if isinstance(media_type, str):
        message.extra["media_type"] = media_type
    file_name = _file_name(record)
    message.attachment = file_name or (media_type if isinstance(media_type, str) else attachment)
    if attachment == "poll":
        _add_poll(record.get("poll"), message)
    elif attachment == "game":
        for key in ("game_title", "game_description"):
            if isinstance(record.get(key), str):
                message.extra[key] = record[key]
    elif attachment == "location" and isinstance(record.get("place_name"), str):
        message.extra["place_name"] = record["place_name"]
    sticker_emoji = record.get("sticker_emoji")
    if isinstance(sticker_emoji, str):
        message.extra["sticker_emoji"] = sticker_emoji


def _file_name(record: dict[str, Any]) -> str | None:
    """Return the attached file's name, or None when the export did not include the file."""
    original = record.get("file_name")
    if isinstance(original, str) and original:
        return original
    for key in ("file", "photo"):
        path = record.get(key)
        if isinstance(path, str) and path and not _is_placeholder(path):
            return PurePosixPath(path).name
    return None


def _is_placeholder(path: str) -> bool:
    """True for `(File not included. ...)` and `(File unavailable, ...)` in place of a path."""
    return path.startswith("(") and path.endswith(")")


def _add_poll(poll: Any, message: Message) -> None:
    if not isinstance(poll, dict):
        return
    question = poll.get("question")
    if isinstance(question, str) and not message.text:
        message.text = question
    answers = poll.get("answers")
    if isinstance(answers, list):
        message.extra["poll_answers"] = [
            answer["text"]
            for answer in answers
            if isinstance(answer, dict) and isinstance(answer.get("text"), str)
        ]


def _add_flags(record: dict[str, Any], chat: ChatInfo, message: Message) -> None:
    via_bot = record.get("via_bot")
    if isinstance(via_bot, str):
        message.extra["via_bot"] = via_bot
    forwarded_from = record.get("forwarded_from")
    if isinstance(forwarded_from, str):
        message.extra["forwarded_from"] = forwarded_from
    if chat.type == "bot_chat":
        message.is_bot = message.author_id == f"user{chat.raw_id}"


def _add_service_details(record: dict[str, Any], extra: dict[str, Any]) -> None:
    action = record.get("action")
    if isinstance(action, str):
        extra["action"] = action
    for key in _SERVICE_DETAILS:
        value = record.get(key)
        if _is_plain_detail(value):
            extra[key] = value


def _is_plain_detail(value: Any) -> bool:
    """True for a string, a number, or a list of strings."""
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _scalar_text(value: Any) -> str:
    """Return an id-like scalar as text, and "" for anything else."""
    if type(value) is int:
        return str(value)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return ""
