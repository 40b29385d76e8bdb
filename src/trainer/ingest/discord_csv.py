"""DiscordChatExporter CSV exports.

Current exports have the header `AuthorID,Author,Date,Content,Attachments,Reactions` and quote
every field. Early exports used `Author;Date;Content;Attachments;` instead. Fields may contain
line breaks, so rows are read with the csv module, never by splitting lines. The CSV has no
message or channel ids and no message types. So ids are line numbers, the channel comes from
the file name, and system events are recognised by the text DiscordChatExporter writes for
them.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from trainer.ingest.chat_ids import hashed_chat_id, head_lines
from trainer.ingest.discord_dates import DateOrder, numeric_date, parse_iso, parse_localized
from trainer.ingest.records import Message, iso_timestamp, normalize_author_id
from trainer.ingest.report import IngestError, IngestReport
from trainer.ingest.sources import HEAD_BYTES, Source

logger = logging.getLogger(__name__)

COLUMNS = {"authorid", "author", "date", "content", "attachments", "reactions"}
REQUIRED_COLUMNS = {"author", "date", "content"}
EMPTY_REASON = "empty message (embed-only or bot)"

# Texts that DiscordChatExporter writes in place of the content of a system notification
# (a call, a pin, a join), because the CSV has no message type column.
# NOTE: the wording comes from one version of DiscordChatExporter's Message.Parse, and other
# versions may word some events differently, which leaves those rows as text messages.
SYSTEM_TEXT = re.compile(
    r"Added a recipient\.|Removed a recipient\.|Started a call that lasted \d+ minutes?\."
    r"|Changed the channel name\.|Changed the channel icon\.|Pinned a message\."
    r"|Started a thread\.|Joined the server\."
)
_CHANNEL_ID = re.compile(r"\[(\d{5,})\]")


@dataclass(frozen=True, slots=True)
class Header:
    """The delimiter and the lower-cased column names of a CSV export."""

    delimiter: str
    columns: list[str]


@dataclass(frozen=True, slots=True)
class Chat:
    """The chat id and name that every row of one CSV file gets."""

    chat_id: str
    chat_name: str


def read_header(head: str) -> Header | None:
    """Sniff the delimiter from the first line, or return None if it is no DCE CSV header."""
    first_line = head.split("\n", 1)[0].rstrip("\r")
    for delimiter in (",", ";"):
        try:
            fields = next(csv.reader([first_line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        columns = [field.strip().lower() for field in fields]
        named = {column for column in columns if column}
        if REQUIRED_COLUMNS.issubset(named) and named.issubset(COLUMNS):
            return Header(delimiter, columns)
    return None


def looks_like(head: str) -> bool:
    return read_header(head) is not None


def parse_csv(source: Source, report: IngestReport) -> Iterator[Message]:
    """Yield the messages of one DiscordChatExporter CSV file."""
    header = read_header(source.head())
    if header is None:
        raise IngestError(
            f"{source.name}: the first line is not a DiscordChatExporter CSV header "
            "(AuthorID,Author,Date,Content,Attachments,Reactions); export the channel again "
            "as JSON or CSV, or drop --format so the format is detected"
        )
    chat = _chat_for(source)
    order = _date_order(source, header, report)
    count = 0
    line = 2
    try:
        for line, fields in _rows(source, header):
            message = _row_message(fields, line, chat, order)
            if isinstance(message, str):
                report.skip(source.name, f"line {line}", message)
                continue
            count += 1
            yield message
    except csv.Error as error:
        report.skip(source.name, f"line {line}", f"invalid CSV ({error}); rest of file not read")
        report.warn(
            f"{source.name}: stopped near line {line} because the CSV is damaged; export the "
            "channel again"
        )
    logger.debug("read %d messages from %s", count, source.name)


def _rows(
    source: Source, header: Header, counted: bool = True
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield each data row as (line where the row starts, fields by column name).

    With `counted` false the reads bypass the progress count, for a pass before parsing.
    """
    stream = source.open() if counted else source.opener()
    with io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="") as text:
        reader = csv.reader(text, delimiter=header.delimiter)
        next(reader, None)
        line = reader.line_num + 1
        for row in reader:
            yield line, dict(zip(header.columns, row, strict=False))
            line = reader.line_num + 1


def _chat_for(source: Source) -> Chat:
    stem = source.path.stem
    match = _CHANNEL_ID.search(stem)
    name = _CHANNEL_ID.sub("", stem).strip() or stem
    if match:
        return Chat(f"discord:{match[1]}", name)
    # Without the channel id that DiscordChatExporter puts in the file name, the first rows
    # tell two channels with the same file name apart.
    first_rows = head_lines(source.head(), complete=source.size <= HEAD_BYTES, limit=6)
    return Chat(hashed_chat_id("discord", name, first_rows), name)


def _date_order(source: Source, header: Header, report: IngestReport) -> DateOrder:
    """Decide the day/month order from every localized date in the file, warning when unsure.

    Reads the file once before parsing, so that a `13/1/2023` late in the file also fixes
    the order of a `1/2/2023` near the top.
    """
    localized = numeric = False
    hints: set[DateOrder] = set()
    try:
        for _, fields in _rows(source, header, counted=False):
            value = fields.get("date", "")
            if parse_iso(value) is not None:
                continue
            localized = True
            date = numeric_date(value)
            if date is None:
                continue
            numeric = True
            if date.order_hint is not None:
                hints.add(date.order_hint)
    except csv.Error:
        pass  # parse_csv reports where the file is damaged
    if localized:
        report.warn(
            f"{source.name}: dates are localized, to the minute and without a time zone, so "
            "times are kept as written; export as JSON for exact times"
        )
    if hints == {"day_first"}:
        return "day_first"
    if numeric and not hints:
        report.warn(
            f"{source.name}: the day/month order of the dates is ambiguous (no number above "
            "12), so month/day is assumed; export as JSON for exact dates"
        )
    if len(hints) > 1:
        report.warn(
            f"{source.name}: dates mix day/month and month/day order, so month/day is "
            "assumed where both fit"
        )
    return "month_first"


def _row_message(fields: dict[str, str], line: int, chat: Chat, order: DateOrder) -> Message | str:
    """Build the message of one row, or return why the row is skipped."""
    author = fields.get("author", "").strip()
    if not author:
        return "missing author"

    date = fields.get("date", "")
    moment = parse_iso(date) or parse_localized(date, order)
    if moment is None:
        return "missing or invalid date"
    content = fields.get("content", "")
    attachments = [url for url in fields.get("attachments", "").split(",") if url.strip()]
    if not content.strip() and not attachments:
        return EMPTY_REASON

    message = Message(
        source="discord",
        chat_id=chat.chat_id,
        chat_name=chat.chat_name,
        id=str(line),
        ts=iso_timestamp(moment),
        author=author,
        author_id=fields.get("authorid", "").strip() or normalize_author_id(author),
        text=content,
    )
    if attachments:
        names = [_file_name(url) for url in attachments]
        message.kind = "media"
        message.attachment = names[0]
        if len(names) > 1:
            message.extra["attachments"] = names
    elif SYSTEM_TEXT.fullmatch(content.strip()):
        message.kind = "system"
    return message


def _file_name(url: str) -> str:
    path = urlsplit(url.strip()).path or url.strip()
    return unquote(PurePosixPath(path).name) or url.strip()
