"""WhatsApp "Export chat" text files, from Android and iOS in any locale, as normalized messages.

A message starts with a header line (see `whatsapp_header`) and runs until the next one, so
lines without a header are continuation lines of the message before. The file is read line
by line and messages are yielded in file order, which is not always time order.

Record ids are the 1-based line number of the header line, and `ts` is the wall-clock time
the export shows, without a UTC offset.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import PurePath

from trainer.ingest.chat_ids import hashed_chat_id, head_lines
from trainer.ingest.records import Message, normalize_author_id
from trainer.ingest.report import IngestError, IngestReport
from trainer.ingest.sources import HEAD_BYTES, Source
from trainer.ingest.whatsapp_body import QUOTE, classify_body, strip_leading_marks
from trainer.ingest.whatsapp_header import (
    HAS_INVISIBLE,
    HEADER,
    MAY_BE_HEADER,
    TimestampReader,
    clean_line,
    iso_date,
    iso_time,
    match_header,
    original_offset,
    scan_date_order,
)

logger = logging.getLogger(__name__)

SYSTEM_AUTHOR_ID = "system"
EMPTY_BODY_REASON = "empty message body (a view-once photo or a message without text)"
READ_BUFFER_BYTES = 1 << 20
# A longer run of lines without a header is no real message (a wrong --format, say), and
# keeping all of it would only use memory.
MAX_BODY_LINES = 10_000
TOO_LONG_REASON = f"message longer than {MAX_BODY_LINES} lines, so its remaining lines were dropped"
LOOKS_LIKE_MAX_LINES = 5
# The dates, times and authors of this many first messages identify an export in its chat_id.
CHAT_KEY_MESSAGES = 5
NO_HEADER_HELP = (
    "no WhatsApp message line found. Each message must start like "
    "'31/12/23, 14:05 - Name: text' (Android) or '[31/12/23, 14:05:09] Name: text' (iOS). "
    "Export the chat again with WhatsApp's Export chat, or pass the right --format"
)

# Start of the export's file name, before the chat name, in several languages.
CHAT_FILE_PREFIXES = (
    "WhatsApp Chat with ",
    "WhatsApp Chat - ",
    "WhatsApp Chat mit ",
    "WhatsApp-Chat mit ",
    "Chat de WhatsApp con ",
    "Chat WhatsApp con ",
    "Conversa do WhatsApp com ",
    "Discussion WhatsApp avec ",
    "WhatsApp-chat met ",
    "Чат WhatsApp с ",
)
# Names of the text file inside an iOS export archive, which do not name the chat.
GENERIC_STEMS = frozenset({"_chat", "chat"})
COPY_SUFFIX = re.compile(r"\s*\(\d+\)$")
SPACES = re.compile(r"\s+")


def looks_like(head: str) -> bool:
    """True when one of the first non-empty lines is a WhatsApp message header."""
    seen = 0
    for line in head.split("\n"):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if _is_valid_header(line):
            return True
        seen += 1
        if seen >= LOOKS_LIKE_MAX_LINES:
            return False
    return False


def _is_valid_header(line: str) -> bool:
    match, _ = match_header(line)
    if match is None or _is_signal_header(match):
        return False
    date, _ = iso_date(*match.group("d1", "d2", "d3"), day_first=True)
    time = iso_time(*match.group("h", "mi", "s"), match.group("mer") or match.group("pre"))
    return date is not None and time is not None


def _is_signal_header(match: re.Match[str]) -> bool:
    """True for `[2019-12-24, 12:23] Name: text`, the layout of sigtop's Signal text exports.

    iOS WhatsApp writes seconds inside brackets, so a bracketed ISO date without seconds is
    left to other parsers. `--format whatsapp` still reads such a file.
    """
    year_first_dashes = match.group("ds") == "-" and len(match.group("d1")) == 4
    return bool(match.group("open")) and year_first_dashes and match.group("s") is None


def parse(unit: list[Source], report: IngestReport) -> Iterator[Message]:
    """Yield the messages of each WhatsApp text file in `unit`, in file order.

    Raises IngestError for a file without a single message header.
    """
    for source in unit:
        yield from _parse_file(source, report)


def _parse_file(source: Source, report: IngestReport) -> Iterator[Message]:
    with _text_lines(source.opener()) as lines:
        order = scan_date_order(lines)
    if order is None:
        raise IngestError(f"{source.name}: line 1: {NO_HEADER_HELP}")
    if order.warning:
        report.warn(f"{source.name}: {order.warning}")
    chat_name = chat_name_from(source.name)
    chat_id = chat_id_for(chat_name, chat_key_lines(source))
    builder = _MessageBuilder(source.name, chat_name, chat_id, report)
    timestamps = TimestampReader(order.day_first)
    count = 0
    with _text_lines(source.open()) as lines:
        for number, ts, rest, extra in _split_messages(lines, timestamps, source.name, report):
            count += 1
            message = builder.build(number, ts, rest, extra)
            if message is not None:
                yield message
    if count == 0:
        raise IngestError(f"{source.name}: line 1: {NO_HEADER_HELP}")
    if timestamps.mixed_order_line is not None:
        swapped_order = "month" if timestamps.day_first else "day"
        report.warn(
            f"{source.name}: line {timestamps.mixed_order_line}: the date is valid only with "
            f"day and month swapped, so the file mixes date orders. Such dates were read "
            f"{swapped_order} first"
        )
    logger.info("read %d WhatsApp messages from %s", count, source.name)


@contextmanager
def _text_lines(stream: io.IOBase) -> Iterator[io.TextIOWrapper]:
    if not isinstance(stream, io.BufferedIOBase):
        stream = io.BufferedReader(stream, READ_BUFFER_BYTES)
    # utf-8-sig drops a byte order mark at the start, and newline=None turns \r\n into \n.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=None)
    try:
        yield text
    finally:
        text.close()


def _split_messages(
    lines: Iterable[str], timestamps: TimestampReader, file_name: str, report: IngestReport
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Group lines into messages: (header line number, ts, rest of header line, more lines)."""
    header = HEADER.match
    may_be_header = MAY_BE_HEADER.match
    has_invisible = HAS_INVISIBLE.search
    number = 0
    pending: tuple[int, str, str, list[str]] | None = None
    leading_lines = 0
    truncated = False
    for number, line in enumerate(lines, start=1):
        match = header(line)
        rest = None
        if match is not None:
            ts = timestamps.timestamp(match, number)
            if ts is not None:
                rest = match.group("rest")
        elif may_be_header(line) and has_invisible(line):
            match = header(clean_line(line))
            if match is not None:
                ts = timestamps.timestamp(match, number)
                if ts is not None:
                    start = original_offset(line, match.start("rest"))
                    rest = line[start:].rstrip("\n")
        if rest is not None:
            if pending is not None:
                yield pending
            elif leading_lines:
                report.skip(file_name, f"lines 1-{number - 1}", "text before the first message")
            pending = (number, ts, rest, [])
            truncated = False
        elif pending is not None:
            body_lines = pending[3]
            if len(body_lines) < MAX_BODY_LINES:
                body_lines.append(line.rstrip("\n"))
            elif not truncated:
                truncated = True
                report.skip(file_name, f"line {number}", TOO_LONG_REASON)
        elif line.strip():
            leading_lines += 1
    if pending is not None:
        yield pending
    elif leading_lines:
        report.skip(file_name, f"lines 1-{number}", "text without a WhatsApp message header")


class _MessageBuilder:
    """Turn one header line and its continuation lines into a Message of one chat."""

    def __init__(self, file_name: str, chat_name: str, chat_id: str, report: IngestReport) -> None:
        self.file_name = file_name
        self.chat_name = chat_name
        self.chat_id = chat_id
        self.report = report
        self._authors: dict[str, tuple[str, str]] = {}

    def build(self, number: int, ts: str, rest: str, extra: list[str]) -> Message | None:
        rest = strip_leading_marks(rest)
        author_part, separator, first = rest.partition(": ")
        if separator:
            author = self._author(author_part)
            if author is not None:
                return self._authored(number, ts, author, _body_text(first, extra))
        stripped = rest.rstrip()
        if stripped.endswith(":") or stripped.endswith(":."):
            # `Name:` alone, or `Name:.`, is a message with an empty body.
            author = self._author(stripped.rsplit(":", 1)[0])
            if author is not None:
                return self._authored(number, ts, author, _body_text("", extra))
        return self._system(number, ts, "", _body_text(rest, extra))

    def _authored(self, number: int, ts: str, author: tuple[str, str], text: str) -> Message | None:
        name, author_id = author
        if not name:
            return self._system(number, ts, "", text)
        if not text:
            self.report.skip(self.file_name, f"line {number}", EMPTY_BODY_REASON)
            return None
        body = classify_body(text)
        return Message(
            source="whatsapp",
            chat_id=self.chat_id,
            chat_name=self.chat_name,
            id=str(number),
            ts=ts,
            author=name,
            author_id=SYSTEM_AUTHOR_ID if body.kind == "system" else author_id,
            text=body.text,
            kind=body.kind,
            edited=body.edited,
            attachment=body.attachment,
        )

    def _system(self, number: int, ts: str, author: str, text: str) -> Message | None:
        if not text:
            self.report.skip(self.file_name, f"line {number}", "header line without author or text")
            return None
        return Message(
            source="whatsapp",
            chat_id=self.chat_id,
            chat_name=self.chat_name,
            id=str(number),
            ts=ts,
            author=author,
            author_id=SYSTEM_AUTHOR_ID,
            text=text,
            kind="system",
        )

    def _author(self, raw: str) -> tuple[str, str] | None:
        """Return the display name and author_id, or None when `raw` is not a name."""
        known = self._authors.get(raw, _UNKNOWN)
        if known is _UNKNOWN:
            known = None
            if not _is_sentence(raw):
                name = clean_author(raw)
                known = (name, normalize_author_id(name))
            if len(self._authors) < 100_000:
                self._authors[raw] = known
        return known


_UNKNOWN = object()


def _body_text(first: str, extra: list[str]) -> str:
    """Join a message's lines, dropping marks at its start and blank lines at its end.

    Byte order marks (U+FEFF) are removed anywhere because some exports scatter them inside
    words; direction marks inside the text are kept for right-to-left scripts.
    """
    text = "\n".join([first, *extra]) if extra else first
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    return strip_leading_marks(text).strip()


def _is_sentence(author_part: str) -> bool:
    """True when the text before `: ` is a system notice with a quoted colon, not a name.

    `Ana changed the subject to “Plan: Friday”` has a colon inside the quotes. Names that
    contain quotation marks are rare enough to read such lines as system events.
    """
    return any(mark in author_part for mark in QUOTE if mark != "'")


def clean_author(raw: str) -> str:
    """Return a display name without direction marks and without iOS's `~ ` for non-contacts.

    Unicode spaces become plain spaces and the non-breaking hyphen U+2011 of phone numbers
    becomes `-`.
    """
    name = raw
    if not name.isascii():
        name = clean_line(name).replace("\u2011", "-")
        name = SPACES.sub(" ", name)
    name = name.strip()
    if name.startswith("~ "):
        name = name[2:].lstrip()
    return name


def chat_name_from(source_name: str) -> str:
    """Derive the chat's name from the export's file name (`WhatsApp Chat with Ana.txt`: `Ana`).

    For a file inside a zip archive the member's name is used. The generic `_chat.txt` of iOS
    exports names no chat, so the archive's name is used for it, or the name of the folder
    that contains an unpacked `_chat.txt`.
    """
    archive, _, member = source_name.partition("!")
    stem = PurePath(member or archive).stem
    if stem.casefold() in GENERIC_STEMS:
        if member:
            stem = PurePath(archive).stem
        else:
            stem = PurePath(os.path.abspath(archive)).parent.name or stem
    name = stem
    for prefix in CHAT_FILE_PREFIXES:
        if name.casefold().startswith(prefix.casefold()):
            name = name[len(prefix) :]
            break
    name = COPY_SUFFIX.sub("", name).strip()
    return name or stem


def chat_key_lines(source: Source) -> list[str]:
    """Return the date, time and author of the first messages, which identify one export.

    Message texts are left out, so an export with media and one without give the same key.
    """
    lines = head_lines(source.head(), complete=source.size <= HEAD_BYTES)
    keys = []
    for line in lines:
        match, matched_line = match_header(line)
        if match is None:
            continue
        rest = match.group("rest")
        author, separator, _ = rest.partition(": ")
        key = matched_line[: match.start("rest")] + (author if separator else rest)
        keys.append(clean_line(key).strip())
        if len(keys) == CHAT_KEY_MESSAGES:
            break
    return keys


def chat_id_for(chat_name: str, key_lines: list[str]) -> str:
    """Return `whatsapp:`, the chat name as a slug, and a hash of the export's first messages."""
    return hashed_chat_id("whatsapp", chat_name, key_lines)
