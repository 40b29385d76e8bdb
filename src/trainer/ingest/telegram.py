"""Telegram Desktop JSON exports (`result.json`): single chats and full-account exports.

The file is streamed, so a multi-gigabyte export parses in bounded memory. Damage stays
local. Bare values written by a Telegram Desktop bug are quoted on the fly (`json_repair`),
and a record that is not a message is skipped with its location. A file that ends early or
turns into invalid JSON keeps the messages before that point, and the report names the byte.
How one record is normalized is described in `telegram_message`.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import ijson

from trainer.ingest.json_repair import RepairingReader
from trainer.ingest.records import Message
from trainer.ingest.report import IngestError, IngestReport
from trainer.ingest.sources import Source
from trainer.ingest.telegram_message import (
    ChatInfo,
    RecordError,
    chat_info,
    record_location,
    to_message,
)
from trainer.ingest.telegram_stream import (
    ChatRecord,
    iter_chat_records,
    iter_single_chat,
    single_chat_fields,
)

logger = logging.getLogger(__name__)

CHAT_TYPES = (
    "personal_chat",
    "bot_chat",
    "saved_messages",
    "private_group",
    "private_supergroup",
    "public_supergroup",
    "private_channel",
    "public_channel",
)
_JSON_MARKERS = re.compile(
    r'"(?:date_unixtime|from_id|actor_id|personal_information|left_chats)"\s*:'
    r'|"type"\s*:\s*"(?:' + "|".join(CHAT_TYPES) + r')"'
    r'|"(?:chats|contacts|frequent_contacts)"\s*:\s*\{\s*"(?:about|list)"'
)
_RECORD_MARKER = re.compile(r'"type"\s*:\s*"(?:message|service)"')
_HTML_MARKERS = re.compile(
    r'class="message (?:default|service)|<title>Exported Data</title>', re.IGNORECASE
)
_PREMATURE_EOF = "premature EOF"


def looks_like(head: str) -> bool:
    """True when the head of a file is a Telegram Desktop JSON export."""
    if not head.lstrip().startswith("{"):
        return False
    if _JSON_MARKERS.search(head):
        return True
    return bool(_RECORD_MARKER.search(head)) and '"date' in head


def looks_like_html(head: str) -> bool:
    """True for a page of a Telegram Desktop HTML export, such as `messages.html`."""
    start = head.lstrip()[:200].lower()
    if not (start.startswith("<!doctype html") or start.startswith("<html")):
        return False
    return bool(_HTML_MARKERS.search(head))


@dataclass
class _FileState:
    """Chats, counts and the last message seen while parsing one file, for its report."""

    chats: list[ChatInfo] = field(default_factory=list)
    messages: int = 0
    last: tuple[ChatInfo, dict, int] | None = None
    local_times: Counter = field(default_factory=Counter)
    utc_times: Counter = field(default_factory=Counter)


def parse(unit: list[Source], report: IngestReport) -> Iterator[Message]:
    """Yield the messages of every chat in each Telegram JSON export file of `unit`."""
    if ijson.backend != "yajl2_c":
        report.warn(
            f"ijson runs on its {ijson.backend} backend, which parses about 20 times slower "
            "than yajl2_c; reinstall ijson from a wheel for your platform"
        )
    for source in unit:
        yield from _parse_file(source, report)


def _parse_file(source: Source, report: IngestReport) -> Iterator[Message]:
    state = _FileState()
    fallback_id = _fallback_chat_id(source)
    fields = single_chat_fields(source.head().encode("utf-8"))
    with source.open() as raw:
        reader = RepairingReader(raw)
        if fields is not None:
            chat = chat_info(fields, fallback_id, "")
            records = iter_single_chat(reader, chat, state.chats)
        else:
            records = iter_chat_records(reader, fallback_id, state.chats)
        try:
            yield from _convert_records(records, source, state, report)
        except (ijson.JSONError, UnicodeDecodeError) as error:
            # yajl raises UnicodeDecodeError for bytes that are not UTF-8 inside a string.
            _handle_invalid_json(source, reader, error, state, report)
        finally:
            _report_repairs(source, reader, report)
    if not state.chats:
        raise IngestError(
            f"{source.name}: contains no chat with a 'messages' list; pass the result.json of "
            "a Telegram Desktop export that includes chats"
        )
    _report_local_times(source, state, report)
    logger.info("%s: %d messages in %d chats", source.name, state.messages, len(state.chats))


def _convert_records(
    records: Iterator[ChatRecord], source: Source, state: _FileState, report: IngestReport
) -> Iterator[Message]:
    for chat, position, record in records:
        if not isinstance(record, dict):
            location = record_location(chat, record, position)
            report.skip(source.name, location, f"not a message object but {_json_type(record)}")
            continue
        try:
            message = to_message(record, chat, position)
        except RecordError as error:
            report.skip(source.name, record_location(chat, record, position), str(error))
            continue
        if "date_unixtime" in record:
            state.utc_times[chat.chat_id] += 1
        else:
            state.local_times[chat.chat_id] += 1
        state.messages += 1
        state.last = (chat, record, position)
        yield message


def _handle_invalid_json(
    source: Source,
    reader: RepairingReader,
    error: ijson.JSONError | UnicodeDecodeError,
    state: _FileState,
    report: IngestReport,
) -> None:
    """Report where the JSON broke off; raise IngestError when nothing could be read."""
    detail = str(error).strip().split("\n", 1)[0]
    offset = reader.error_offset(str(error))
    where = f"byte {offset}" if offset is not None else f"near byte {reader.bytes_read}"
    if not state.chats:
        if looks_like_html(source.head()):
            from trainer.ingest.detect import TELEGRAM_HTML_HELP

            raise IngestError(f"{source.name}: {TELEGRAM_HTML_HELP}") from error
        raise IngestError(
            f"{source.name}: invalid JSON at {where} ({detail}) before any chat; the file is "
            "damaged or not a Telegram export, so export it again"
        ) from error
    after = f" after {record_location(*state.last)}" if state.last else ""
    if _PREMATURE_EOF in detail:
        reason = (
            f"the file ends in the middle of the JSON{after}, so it is cut short (an interrupted "
            "export, copy or download); the messages before this point were kept"
        )
    else:
        reason = (
            f"invalid JSON ({detail}){after}; the rest of the file was not read, the messages "
            "before this point were kept"
        )
    logger.info("%s: %s at %s", source.name, detail, where)
    report.skip(source.name, where, reason)


def _report_repairs(source: Source, reader: RepairingReader, report: IngestReport) -> None:
    if reader.repairs:
        report.warn(
            f"{source.name}: quoted {reader.repairs} bare JSON values (first at byte "
            f"{reader.first_repair_offset}), which Telegram Desktop 4.1 writes for custom emoji; "
            "the messages are kept"
        )


def _report_local_times(source: Source, state: _FileState, report: IngestReport) -> None:
    names = {chat.chat_id: chat.name for chat in state.chats}
    for chat_id, count in state.local_times.items():
        name = names.get(chat_id, chat_id)
        if state.utc_times[chat_id]:
            report.warn(
                f"{source.name}: chat {name!r} mixes UTC times with {count} local times that "
                "have no date_unixtime, so its times are not comparable; keep file order"
            )
        else:
            report.warn(
                f"{source.name}: chat {name!r} has no date_unixtime, so its {count} times are "
                "local wall-clock times without a UTC offset; Telegram Desktop 3.7.6 and newer "
                "export UTC times"
            )


def _fallback_chat_id(source: Source) -> str:
    """Derive an id for a chat without `id` from the file's folder and name in its export."""
    path = source.path
    return f"{path.parent.name}/{path.stem}" if path.parent.name else path.stem


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
