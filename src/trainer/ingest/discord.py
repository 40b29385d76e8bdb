"""DiscordChatExporter exports: JSON, streamed message by message, and CSV.

A JSON export contains one channel: `guild`, `channel`, then `messages`, each with `id`, `type`,
`timestamp` (ISO 8601 with an offset), `content`, `author` and lists of attachments,
embeds and stickers. The file can be gigabytes, so it is read with ijson and only one
message is in memory at a time.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ijson

from trainer.ingest import discord_csv
from trainer.ingest.chat_ids import hashed_chat_id
from trainer.ingest.discord_dates import parse_iso
from trainer.ingest.records import Message, iso_timestamp, normalize_author_id
from trainer.ingest.report import IngestReport
from trainer.ingest.sources import Source

logger = logging.getLogger(__name__)

# Message types whose content a person or bot wrote. DiscordChatExporter writes the type
# name, or the number for types it has no name for. Types 1 to 18 are system notifications
# (joins, calls, pins, renames), and 0, 19 and up (replies, slash-command responses) are not.
AUTHORED_TYPES = {"Default", "Reply", "ChatInputCommand", "ContextMenuCommand"}
DUPLICATE_WINDOW = 4096
CHAT_KEY_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Chat:
    """The channel that every message of one export file belongs to."""

    chat_id: str
    chat_name: str


def looks_like(head: str) -> bool:
    """True for a DiscordChatExporter JSON or CSV export."""
    return looks_like_json(head) or discord_csv.looks_like(head)


def looks_like_json(head: str) -> bool:
    return head.lstrip().startswith("{") and all(
        f'"{key}"' in head for key in ("guild", "channel", "messages")
    )


def parse(unit: list[Source], report: IngestReport) -> Iterator[Message]:
    """Yield the messages of DiscordChatExporter exports, each file on its own."""
    for source in unit:
        # Dispatch on the first character, not on looks_like_json, so that a damaged JSON
        # export still reaches the JSON reader and gets a report entry.
        if source.head(1024).lstrip().startswith("{"):
            yield from parse_json(source, report)
        else:
            yield from discord_csv.parse_csv(source, report)


def parse_json(source: Source, report: IngestReport) -> Iterator[Message]:
    """Yield the messages of one JSON export in file order, which is time order."""
    chat = _read_chat(source, report)
    if chat is None:
        return
    recent_ids: OrderedDict[str, None] = OrderedDict()
    number = 0
    try:
        with source.open() as stream:
            for number, raw in enumerate(ijson.items(stream, "messages.item"), start=1):
                location = f"message {number}"
                message = _message(raw, chat, location)
                if isinstance(message, str):
                    report.skip(source.name, location, message)
                    continue
                if message.id in recent_ids:
                    report.skip(source.name, location, f"duplicate message id {message.id}")
                    continue
                _remember(recent_ids, message.id)
                yield message
    except (ijson.JSONError, UnicodeDecodeError) as error:
        _report_damage(source, report, f"after message {number}", error)
    logger.debug("read %d records from %s", number, source.name)


def _read_chat(source: Source, report: IngestReport) -> Chat | None:
    """Read `guild` and `channel`, which DiscordChatExporter writes before the messages.

    The stream comes from `source.opener`, not `source.open`, so that this first look is
    left out of the progress count.
    """
    values: dict[str, str] = {}
    fields = {"guild.id", "guild.name", "channel.id", "channel.name"}
    has_messages = False
    try:
        with source.opener() as stream:
            for prefix, event, value in ijson.parse(stream):
                if prefix in fields and event in ("string", "number"):
                    values[prefix] = str(value)
                if prefix == "messages" and event == "start_array":
                    has_messages = True
                    if "channel.id" in values:
                        break
    except (ijson.JSONError, UnicodeDecodeError) as error:
        if not has_messages:
            _report_damage(source, report, "file", error)
            return None
    if not has_messages:
        report.skip(source.name, "file", "no 'messages' list; not a DiscordChatExporter export")
        return None
    channel_id = values.get("channel.id")
    channel_name = values.get("channel.name") or channel_id or source.path.stem
    guild_name = values.get("guild.name")
    chat_name = f"{guild_name} / {channel_name}" if guild_name else channel_name
    if channel_id:
        return Chat(f"discord:{channel_id}", chat_name)
    # Without a channel id, the start of the file tells two channels with one name apart.
    start = source.head(CHAT_KEY_BYTES)
    return Chat(hashed_chat_id("discord", chat_name, [start]), chat_name)


def _report_damage(source: Source, report: IngestReport, location: str, error: Exception) -> None:
    summary = _error_summary(error)
    report.skip(source.name, location, f"invalid JSON ({summary}); rest of file not read")
    report.warn(
        f"{source.name}: the JSON is cut off or damaged, so only the messages before the "
        "damage were read; export the channel again"
    )


def _error_summary(error: Exception) -> str:
    """Return the first line of a parser error, without the excerpt of the file after it.

    yajl quotes the text around the damage on the following lines, which can be a user's
    message, and the report is printed and saved.
    """
    text = str(error)
    if text.startswith(("b'", 'b"')):
        text = text[2:]
    first_line = text.split("\n", 1)[0].split("\\n", 1)[0].strip()
    return first_line or type(error).__name__


def _remember(recent_ids: OrderedDict[str, None], message_id: str) -> None:
    # The duplicates seen in exports sit next to each other, so a bounded window of recent
    # ids finds them without keeping every id of a large channel in memory.
    recent_ids[message_id] = None
    if len(recent_ids) > DUPLICATE_WINDOW:
        recent_ids.popitem(last=False)


def _message(raw: Any, chat: Chat, location: str) -> Message | str:
    """Build one message, or return why the record is skipped."""
    if not isinstance(raw, dict):
        return "not a message object"

    moment = parse_iso(str(raw.get("timestamp") or ""))
    if moment is None:
        return "missing or invalid timestamp"
    author = raw.get("author") if isinstance(raw.get("author"), dict) else {}
    name = str(author.get("nickname") or author.get("name") or "").strip()
    if not name and not author.get("id"):
        return "missing author"

    forwarded = raw.get("forwardedMessage") if isinstance(raw.get("forwardedMessage"), dict) else {}
    content = str(raw.get("content") or forwarded.get("content") or "")
    attachments = _names(raw.get("attachments")) + _names(forwarded.get("attachments"))
    stickers = _names(raw.get("stickers")) + _names(forwarded.get("stickers"))
    embeds = _list(raw.get("embeds")) + _list(forwarded.get("embeds"))
    message_type = str(raw.get("type") or "Default")
    kind = _kind(message_type, content, attachments, stickers)
    if kind is None:
        return "empty message (embed-only or bot)" if embeds else "empty message"

    message = Message(
        source="discord",
        chat_id=chat.chat_id,
        chat_name=chat.chat_name,
        id=str(raw.get("id") or location),
        ts=iso_timestamp(moment),
        author=name or str(author.get("id")),
        author_id=str(author.get("id") or "") or normalize_author_id(name),
        text=content,
        kind=kind,
        edited=bool(raw.get("timestampEdited")),
        forwarded=bool(forwarded) or _reference_type(raw) == "Forward",
        is_bot=author["isBot"] if isinstance(author.get("isBot"), bool) else None,
    )
    _add_details(message, raw, message_type, attachments, stickers)
    return message


def _kind(message_type: str, content: str, attachments: list, stickers: list) -> str | None:
    if _is_system(message_type):
        return "system"
    if attachments or stickers:
        return "media"
    if content.strip():
        return "text"
    return None


def _is_system(message_type: str) -> bool:
    if message_type.isdigit():
        return 1 <= int(message_type) <= 18
    return message_type not in AUTHORED_TYPES


def _add_details(
    message: Message, raw: dict, message_type: str, attachments: list[str], stickers: list[str]
) -> None:
    if message.kind == "system":
        message.extra["type"] = message_type
    else:
        reference = raw.get("reference")
        replied = isinstance(reference, dict) and reference.get("messageId")
        if replied and _reference_type(raw) != "Forward":
            message.reply_to = str(reference["messageId"])
    if attachments:
        message.attachment = attachments[0]
        if len(attachments) > 1:
            message.extra["attachments"] = attachments
    elif stickers:
        message.attachment = "sticker"
    if stickers:
        message.extra["stickers"] = stickers


def _reference_type(raw: dict) -> str | None:
    reference = raw.get("reference")
    return str(reference.get("type")) if isinstance(reference, dict) else None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _names(items: Any) -> list[str]:
    """Return the file names of attachments, or the names of stickers."""
    names = []
    for item in _list(items):
        if isinstance(item, dict):
            names.append(str(item.get("fileName") or item.get("name") or item.get("url") or ""))
    return [name for name in names if name]
