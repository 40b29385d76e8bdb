"""Facebook Messenger and Instagram JSON exports, which share one layout.

A thread is a folder of `message_1.json`, `message_2.json`, ... Each part contains
`participants`, `title`, usually `thread_path`, and `messages` stored newest first, each
with `sender_name`, `timestamp_ms` and `content` or media keys. The parser merges the parts,
drops duplicates and yields the thread oldest first. Every string goes through the latin-1
mojibake repair. `participants` includes the person who made the export, so nothing here
treats its first entry as the other person.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from trainer.ingest.chat_ids import hashed_chat_id
from trainer.ingest.meta_texts import generated_kind
from trainer.ingest.mojibake import repair_value
from trainer.ingest.records import Message, iso_timestamp, normalize_author_id
from trainer.ingest.report import IngestReport
from trainer.ingest.sources import META_PART, Source

logger = logging.getLogger(__name__)

MEDIA_KEYS = ("photos", "videos", "audio_files", "files", "gifs")
# The senders and times of this many messages identify a thread file outside a thread folder.
THREAD_KEY_MESSAGES = 5

# Content clues that tell the two platforms apart. Each clue found in a file's first bytes
# adds its weight. The export folders (`your_instagram_activity/`, `your_facebook_activity/`)
# that newer exports write into media paths weigh most.
INSTAGRAM_CLUES = {
    "your_instagram_activity/": 3,
    "instagram.com/": 1,
    '"Liked a message"': 1,
    " to your message": 1,
}
MESSENGER_CLUES = {
    "your_facebook_activity/": 3,
    "your_activity_across_facebook/": 3,
    "You are now connected on Messenger": 2,
    "facebook.com/": 1,
    "messenger.com/": 1,
    "messages/stickers_used/": 1,
}
# The same top folders in the file's own path, where the export was unpacked unchanged.
INSTAGRAM_FOLDERS = {"your_instagram_activity/": 3}
MESSENGER_FOLDERS = {"your_facebook_activity/": 3, "your_activity_across_facebook/": 3}


@dataclass
class Thread:
    """One thread's id and name, and its messages collected from every part."""

    platform: str
    chat_id: str = ""
    chat_name: str = ""
    entries: list[tuple[int, int, Message]] = field(default_factory=list)
    seen: set[tuple] = field(default_factory=set)


def looks_like(head: str, name: str) -> str | None:
    """Return "messenger" or "instagram" for a Meta JSON export, else None.

    The clues in the content and the export's top folder in `name`, the file's path, decide.
    Other words in the path only break a tie. With no hint there either, the result is
    "messenger".
    """
    if not head.lstrip().startswith("{") or not _is_meta_shape(head):
        return None
    lowered = name.replace("\\", "/").casefold()
    instagram = _score(INSTAGRAM_CLUES, head) + _score(INSTAGRAM_FOLDERS, lowered)
    messenger = _score(MESSENGER_CLUES, head) + _score(MESSENGER_FOLDERS, lowered)
    if instagram != messenger:
        return "instagram" if instagram > messenger else "messenger"
    if "instagram" in lowered and "messenger" not in lowered and "facebook" not in lowered:
        return "instagram"
    return "messenger"


def _score(clues: dict[str, int], text: str) -> int:
    return sum(weight for clue, weight in clues.items() if clue in text)


def _is_meta_shape(head: str) -> bool:
    has_message = '"sender_name"' in head and '"timestamp_ms"' in head
    return has_message or ('"participants"' in head and '"thread_path"' in head)


def parse_messenger(unit: list[Source], report: IngestReport) -> Iterator[Message]:
    """Yield one Messenger thread, oldest message first."""
    yield from _parse(unit, report, "messenger")


def parse_instagram(unit: list[Source], report: IngestReport) -> Iterator[Message]:
    """Yield one Instagram thread, oldest message first."""
    yield from _parse(unit, report, "instagram")


def _parse(unit: list[Source], report: IngestReport, platform: str) -> Iterator[Message]:
    thread = Thread(platform)
    order = 0
    for source in unit:
        data = _load(source, report)
        if data is None:
            continue
        if not thread.chat_id:
            _name_thread(thread, data, source)
        for index, raw in enumerate(data["messages"]):
            location = f"messages[{index}]"
            result = _message(raw, thread, location)
            if isinstance(result, str):
                report.skip(source.name, location, result)
                continue
            key = _identity(raw)
            if key in thread.seen:
                report.skip(source.name, location, "duplicate of an earlier message")
                continue
            thread.seen.add(key)
            order += 1
            milliseconds, message = result
            thread.entries.append((milliseconds, -order, message))
    yield from _in_time_order(thread)


def _load(source: Source, report: IngestReport) -> dict[str, Any] | None:
    """Read one part with its strings repaired, or report why it cannot be used."""
    try:
        with source.open() as stream:
            data = json.loads(stream.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        report.skip(source.name, "file", f"invalid JSON ({error})")
        report.warn(
            f"{source.name}: this part of the thread is cut off or damaged and was not read; "
            "download the export again"
        )
        return None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        report.skip(source.name, "file", "no 'messages' list")
        return None
    return repair_value(data)


def _name_thread(thread: Thread, data: dict[str, Any], source: Source) -> None:
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    path = data.get("thread_path") if isinstance(data.get("thread_path"), str) else ""
    # The thread folder names the thread, unless the file is no `message_N.json` part.
    in_folder = META_PART.match(source.path.name) and source.path.parent.name
    folder = source.path.parent.name if in_folder else source.path.stem
    thread.chat_name = title or _participant_names(data) or folder
    if path or in_folder:
        # Both name the thread's folder, whose name ends in a number unique to the thread.
        thread.chat_id = f"{thread.platform}:{path or folder}"
    else:
        thread.chat_id = hashed_chat_id(thread.platform, title or folder, _thread_key(data))


def _thread_key(data: dict[str, Any]) -> list[str]:
    """Return the participants and the first messages' senders and times of a loose file."""
    key = [_participant_names(data)]
    for raw in data["messages"][:THREAD_KEY_MESSAGES]:
        if isinstance(raw, dict):
            key.append(f"{raw.get('timestamp_ms')} {raw.get('sender_name')}")
    return key


def _participant_names(data: dict[str, Any]) -> str:
    participants = data.get("participants")
    if not isinstance(participants, list):
        return ""
    names = [str(item.get("name")) for item in participants if isinstance(item, dict)]
    return ", ".join(name for name in names if name)


def _identity(raw: dict[str, Any]) -> tuple:
    """Return what makes a message the same one when two parts overlap."""
    uris = tuple(str(item.get("uri", "")) for item in _media_items(raw))
    share = raw.get("share") if isinstance(raw.get("share"), dict) else {}
    # str() keeps the key hashable when a damaged record has a list or object in a field.
    return (
        str(raw.get("timestamp_ms")),
        str(raw.get("sender_name")),
        str(raw.get("content")),
        uris,
        str(share.get("link")),
    )


def _in_time_order(thread: Thread) -> Iterator[Message]:
    """Yield the thread oldest first, with ids from `timestamp_ms` made unique."""
    # Parts and the messages in them are newest first, so the reversed file order is the
    # time order for messages that share a timestamp.
    thread.entries.sort(key=lambda entry: entry[:2])
    previous_ms, repeat = None, 0
    for milliseconds, _, message in thread.entries:
        repeat = repeat + 1 if milliseconds == previous_ms else 0
        previous_ms = milliseconds
        message.id = str(milliseconds) if repeat == 0 else f"{milliseconds}.{repeat}"
        yield message


def _message(raw: Any, thread: Thread, location: str) -> tuple[int, Message] | str:
    """Build one message with its time in milliseconds, or return why it is skipped."""
    if not isinstance(raw, dict):
        return "not a message object"
    milliseconds = _milliseconds(raw)
    if milliseconds is None:
        return "missing or invalid timestamp_ms"
    sender = raw.get("sender_name")
    if not isinstance(sender, str) or not sender.strip():
        return "missing sender_name"
    content = raw.get("content") if isinstance(raw.get("content"), str) else ""
    message = Message(
        source=thread.platform,
        chat_id=thread.chat_id,
        chat_name=thread.chat_name,
        id=location,
        ts=_iso_milliseconds(milliseconds),
        author=sender,
        author_id=normalize_author_id(sender),
        text=content,
    )
    reason = _classify(message, raw, content, sender)
    if reason is not None:
        return reason
    reactions = _reactions(raw)
    if reactions:
        message.extra["reactions"] = reactions
    return milliseconds, message


def _iso_milliseconds(milliseconds: int) -> str:
    """Format a Unix time in milliseconds as UTC ISO 8601, with milliseconds when not zero."""
    seconds, fraction = divmod(milliseconds, 1000)
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    if not fraction:
        return iso_timestamp(moment)
    return moment.replace(microsecond=fraction * 1000).isoformat(timespec="milliseconds")


def _milliseconds(raw: dict[str, Any]) -> int | None:
    value = raw.get("timestamp_ms")
    if value is None and isinstance(raw.get("timestamp"), int | float):
        value = raw["timestamp"] * 1000
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    # Only years 1970 to 2100 are accepted, because anything else is a damaged record.
    if not 0 <= value < 4_102_444_800_000:
        return None
    return int(value)


def _classify(message: Message, raw: dict[str, Any], content: str, sender: str) -> str | None:
    """Set kind, text and attachment from the record, or return why it is skipped."""
    generated = generated_kind(content, sender) if content else None
    media = _media_items(raw)
    share = raw.get("share") if isinstance(raw.get("share"), dict) else None
    message_type = raw.get("type")
    if raw.get("is_unsent") is True or generated == "deleted":
        message.kind, message.text = "deleted", ""
    elif "call_duration" in raw or message_type == "Call":
        message.kind = "system"
        message.extra["call_duration"] = raw.get("call_duration")
    elif message_type in ("Subscribe", "Unsubscribe"):
        message.kind = "system"
    elif media or share is not None:
        message.kind = "media"
        if generated is not None:
            message.text = ""
        _attach(message, media, share)
    elif generated is not None:
        message.kind = generated
    elif not content.strip():
        return "empty message"
    return None


def _media_items(raw: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for key in MEDIA_KEYS:
        value = raw.get(key)
        if isinstance(value, list):
            items.extend(item for item in value if isinstance(item, dict))
    sticker = raw.get("sticker")
    if isinstance(sticker, dict):
        items.append(sticker)
    return items


def _attach(message: Message, media: list[dict[str, Any]], share: dict[str, Any] | None) -> None:
    names = [PurePosixPath(str(item.get("uri", ""))).name for item in media]
    names = [name for name in names if name]
    if names:
        message.attachment = names[0]
        if len(names) > 1:
            message.extra["attachments"] = names
    if share is not None:
        link = share.get("link")
        if isinstance(link, str) and link:
            if message.attachment is None:
                message.attachment = link
            else:
                message.extra["link"] = link
        share_text = share.get("share_text")
        if isinstance(share_text, str) and share_text:
            message.extra["share_text"] = share_text


def _reactions(raw: dict[str, Any]) -> list[dict[str, str]]:
    reactions = raw.get("reactions")
    if not isinstance(reactions, list):
        return []
    return [
        {"reaction": str(item.get("reaction", "")), "actor": str(item.get("actor", ""))}
        for item in reactions
        if isinstance(item, dict)
    ]
