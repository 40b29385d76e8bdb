"""DiscordChatExporter JSON and CSV exports, on synthetic files written here."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.ingest import discord
from trainer.ingest.discord_dates import parse_localized
from trainer.ingest.pipeline import iter_messages
from trainer.ingest.records import KINDS, Message
from trainer.ingest.report import IngestError, IngestReport
from trainer.ingest.sources import Source

USER_ID = "111111111111111111"
BOT_ID = "222222222222222222"
EMPTY_REASON = "empty message (embed-only or bot)"


def dce_message(number: int = 1, **overrides: Any) -> dict[str, Any]:
    message = {
        "id": str(900000000000000000 + number),
        "type": "Default",
        "timestamp": "2023-09-23T13:15:48.379+03:00",
        "timestampEdited": None,
        "callEndedTimestamp": None,
        "isPinned": False,
        "content": f"message {number}",
        "author": {
            "id": USER_ID,
            "name": "ana.test",
            "discriminator": "0000",
            "nickname": "Ana",
            "isBot": False,
        },
        "attachments": [],
        "embeds": [],
        "stickers": [],
        "reactions": [],
        "mentions": [],
    }
    message.update(overrides)
    return message


def dce_export(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "guild": {"id": "333333333333333333", "name": "Demo Guild", "iconUrl": ""},
        "channel": {
            "id": "444444444444444444",
            "type": "GuildTextChat",
            "categoryId": "555555555555555555",
            "category": "Text",
            "name": "general",
            "topic": None,
        },
        "dateRange": {"after": None, "before": None},
        "exportedAt": "2023-10-01T00:00:00+00:00",
        "messages": messages,
        "messageCount": len(messages),
    }


def memory_source(data: bytes, name: str = "export.json") -> Source:
    return Source(name, len(data), lambda: io.BytesIO(data))


def parse_json(messages: list[dict[str, Any]]) -> tuple[list[Message], IngestReport]:
    report = IngestReport()
    data = json.dumps(dce_export(messages)).encode()
    return list(discord.parse([memory_source(data)], report)), report


def parse_csv(tmp_path: Path, text: str, name: str = "export.csv") -> tuple[list, IngestReport]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = IngestReport()
    return list(iter_messages([path], report=report)), report


# JSON


def test_json_default_message() -> None:
    messages, report = parse_json([dce_message()])
    (message,) = messages
    assert message.source == "discord"
    assert message.chat_id == "discord:444444444444444444"
    assert message.chat_name == "Demo Guild / general"
    assert message.id == "900000000000000001"
    assert message.ts == "2023-09-23T13:15:48+03:00"
    assert message.author == "Ana"
    assert message.author_id == USER_ID
    assert message.text == "message 1"
    assert message.kind == "text"
    assert message.is_bot is False
    assert report.skipped == []


def test_json_name_without_nickname() -> None:
    author = {"id": USER_ID, "name": "ana.test", "isBot": False}
    (message,), _ = parse_json([dce_message(author=author)])
    assert message.author == "ana.test"


def test_json_bot_author() -> None:
    author = {"id": BOT_ID, "name": "helper", "nickname": "Helper", "isBot": True}
    (message,), _ = parse_json([dce_message(author=author)])
    assert message.is_bot is True
    assert message.author_id == BOT_ID


def test_json_reply_sets_reply_to() -> None:
    reply = dce_message(2, type="Reply", reference={"messageId": "900000000000000001"})
    messages, _ = parse_json([dce_message(1), reply])
    assert messages[1].kind == "text"
    assert messages[1].reply_to == "900000000000000001"


def test_json_edited_flag() -> None:
    (message,), _ = parse_json([dce_message(timestampEdited="2023-09-23T13:20:00+03:00")])
    assert message.edited is True


@pytest.mark.parametrize(
    "message_type",
    [
        "RecipientAdd",
        "RecipientRemove",
        "Call",
        "ChannelNameChange",
        "ChannelPinnedMessage",
        "GuildMemberJoin",
        "ThreadCreated",
        "7",
    ],
)
def test_json_system_types(message_type: str) -> None:
    pinned = dce_message(type=message_type, content="Pinned a message.")
    (message,), _ = parse_json([pinned])
    assert message.kind == "system"
    assert message.extra["type"] == message_type


@pytest.mark.parametrize("message_type", ["ChatInputCommand", "20", "0"])
def test_json_command_answer_is_text(message_type: str) -> None:
    (message,), _ = parse_json([dce_message(type=message_type)])
    assert message.kind == "text"


def test_json_attachment_only_is_media() -> None:
    attachment = {"id": "1", "url": "https://cdn.example/a/cat.png", "fileName": "cat.png"}
    (message,), _ = parse_json([dce_message(content="", attachments=[attachment])])
    assert message.kind == "media"
    assert message.attachment == "cat.png"
    assert message.text == ""


def test_json_attachment_caption_kept() -> None:
    files = [
        {"id": "1", "url": "https://cdn.example/a/cat.png", "fileName": "cat.png"},
        {"id": "2", "url": "https://cdn.example/a/dog.png", "fileName": "dog.png"},
    ]
    (message,), _ = parse_json([dce_message(content="look", attachments=files)])
    assert message.kind == "media"
    assert message.text == "look"
    assert message.extra["attachments"] == ["cat.png", "dog.png"]


def test_json_sticker_only_is_media() -> None:
    sticker = {"id": "9", "name": "Wave", "format": "Png", "sourceUrl": ""}
    (message,), _ = parse_json([dce_message(content="", stickers=[sticker])])
    assert message.kind == "media"
    assert message.attachment == "sticker"
    assert message.extra["stickers"] == ["Wave"]


def test_json_embed_only_is_skipped() -> None:
    embed = {"title": "Weather", "description": "Sunny", "fields": []}
    messages, report = parse_json([dce_message(content="", embeds=[embed])])
    assert messages == []
    assert [entry.reason for entry in report.skipped] == [EMPTY_REASON]


def test_json_empty_message_is_skipped() -> None:
    messages, report = parse_json([dce_message(content="")])
    assert messages == []
    assert [entry.reason for entry in report.skipped] == ["empty message"]


def test_json_forwarded_message() -> None:
    forwarded = {
        "timestamp": "2023-09-20T10:00:00+00:00",
        "content": "passed on",
        "attachments": [],
    }
    record = dce_message(
        content="", forwardedMessage=forwarded, reference={"type": "Forward", "messageId": "5"}
    )
    (message,), _ = parse_json([record])
    assert message.forwarded is True
    assert message.text == "passed on"
    assert message.reply_to is None


def test_json_duplicate_id_skipped() -> None:
    messages, report = parse_json([dce_message(1), dce_message(1)])
    assert len(messages) == 1
    assert report.skipped[0].reason == "duplicate message id 900000000000000001"


def test_json_invalid_timestamp_skipped() -> None:
    messages, report = parse_json([dce_message(timestamp="yesterday")])
    assert messages == []
    assert report.skipped[0].reason == "missing or invalid timestamp"


def test_json_truncated_keeps_earlier_messages() -> None:
    data = json.dumps(dce_export([dce_message(n) for n in range(1, 6)])).encode()
    cut = data.index(b"message 4")
    report = IngestReport()
    messages = list(discord.parse([memory_source(data[:cut])], report))
    assert [message.text for message in messages] == ["message 1", "message 2", "message 3"]
    assert "invalid JSON" in report.skipped[-1].reason
    assert report.warnings


def test_json_damage_hides_message_text() -> None:
    data = json.dumps(dce_export([dce_message(content="private words")])).encode()
    damaged = data.replace(b'"private words"', b'"private words" xx')
    report = IngestReport()
    assert list(discord.parse([memory_source(damaged)], report)) == []
    assert report.skipped[0].reason.startswith("invalid JSON (lexical error")
    assert "private" not in report.skipped[0].reason


def test_json_truncated_header_reports() -> None:
    data = json.dumps(dce_export([dce_message()])).encode()
    report = IngestReport()
    messages = list(discord.parse([memory_source(data[:40])], report))
    assert messages == []
    assert report.skipped[0].location == "file"


def test_json_without_messages_reports(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"name": "settings", "values": [1, 2]}')
    report = IngestReport()
    messages = list(iter_messages([path], fmt="discord", report=report))
    assert messages == []
    assert "no 'messages' list" in report.skipped[0].reason


def test_json_streams_messages() -> None:
    data = json.dumps(dce_export([dce_message(n) for n in range(1, 5001)])).encode()
    read = 0

    class CountingStream(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            nonlocal read
            chunk = super().read(size)
            read += len(chunk)
            return chunk

    source = Source("big.json", len(data), lambda: CountingStream(data))
    first = next(discord.parse([source], IngestReport()))
    assert first.text == "message 1"
    assert len(data) > 1_000_000
    assert read < len(data) // 4


# CSV


def test_csv_old_semicolon_header(tmp_path: Path) -> None:
    text = (
        "Author;Date;Content;Attachments;\n"
        'demo#0001;05-Oct-18 12:08 PM;"1: line one, 2: line two";;\n'
    )
    messages, report = parse_csv(tmp_path, text)
    (message,) = messages
    assert message.author == "demo#0001"
    assert message.author_id == "name:demo#0001"
    assert message.ts == "2018-10-05T12:08:00"
    assert message.text == "1: line one, 2: line two"
    assert message.kind == "text"
    assert any("localized" in warning for warning in report.warnings)


def test_csv_quoted_line_breaks(tmp_path: Path) -> None:
    text = (
        "AuthorID,Author,Date,Content,Attachments,Reactions\n"
        f'"{USER_ID}","demo","2023-09-23T13:15:48.379+03:00","first line\nsecond, line","",""\n'
        f'"{USER_ID}","demo","2023-09-23T13:16:00.000+03:00","next","",""\n'
    )
    messages, report = parse_csv(tmp_path, text)
    assert [message.text for message in messages] == ["first line\nsecond, line", "next"]
    assert [message.id for message in messages] == ["2", "4"]
    assert messages[0].author_id == USER_ID
    assert report.warnings == []


def test_csv_localized_and_iso_dates(tmp_path: Path) -> None:
    text = (
        "AuthorID,Author,Date,Content,Attachments,Reactions\n"
        f'"{USER_ID}","demo","10/6/2023 12:37 AM","hi","",""\n'
        f'"{USER_ID}","demo","2023-09-23T13:15:48.379+03:00","hi","",""\n'
    )
    messages, report = parse_csv(tmp_path, text)
    assert [message.ts for message in messages] == [
        "2023-10-06T00:37:00",
        "2023-09-23T13:15:48+03:00",
    ]
    assert any("localized" in warning for warning in report.warnings)
    assert any("ambiguous" in warning for warning in report.warnings)


def test_csv_day_first_from_later_row(tmp_path: Path) -> None:
    text = (
        "AuthorID,Author,Date,Content,Attachments,Reactions\n"
        f'"{USER_ID}","demo","10/6/2023 12:37","hi","",""\n'
        f'"{USER_ID}","demo","13/6/2023 18:05","hi","",""\n'
    )
    messages, report = parse_csv(tmp_path, text)
    assert [message.ts for message in messages] == ["2023-06-10T12:37:00", "2023-06-13T18:05:00"]
    assert not any("ambiguous" in warning for warning in report.warnings)


def test_csv_comma_and_semicolon_headers() -> None:
    assert discord.looks_like("AuthorID,Author,Date,Content,Attachments,Reactions\n")
    assert discord.looks_like('"AuthorID";"Author";"Date";"Content";"Attachments";"Reactions"\n')
    assert discord.looks_like("Author;Date;Content;Attachments;\n")
    assert not discord.looks_like("name,date,text\n")


def test_csv_semicolon_quoted_fields(tmp_path: Path) -> None:
    text = (
        '"AuthorID";"Author";"Date";"Content";"Attachments";"Reactions"\n'
        f'"{USER_ID}";"demo";"2023-09-23T13:15:48+00:00";"a; b, c";"";""\n'
    )
    (message,), _ = parse_csv(tmp_path, text)
    assert message.text == "a; b, c"


def test_csv_empty_content_skipped(tmp_path: Path) -> None:
    text = (
        "AuthorID,Author,Date,Content,Attachments,Reactions\n"
        '"222222222222222222","bot#0000","17-May-20 02:21 AM","","",""\n'
    )
    messages, report = parse_csv(tmp_path, text)
    assert messages == []
    assert [entry.reason for entry in report.skipped] == [EMPTY_REASON]
    assert report.skipped[0].location == "line 2"


def test_csv_attachments_are_media(tmp_path: Path) -> None:
    urls = "https://cdn.example/a/1/cat%20pic.png?ex=1,https://cdn.example/a/2/dog.png"
    text = (
        "AuthorID,Author,Date,Content,Attachments,Reactions\n"
        f'"{USER_ID}","demo","2023-09-23T13:15:48+00:00","","{urls}","👍 (2)"\n'
    )
    (message,), _ = parse_csv(tmp_path, text)
    assert message.kind == "media"
    assert message.attachment == "cat pic.png"
    assert message.extra["attachments"] == ["cat pic.png", "dog.png"]


def test_csv_system_text(tmp_path: Path) -> None:
    text = (
        "AuthorID,Author,Date,Content,Attachments,Reactions\n"
        f'"{USER_ID}","demo","2023-09-23T13:15:48+00:00","Pinned a message.","",""\n'
    )
    (message,), _ = parse_csv(tmp_path, text)
    assert message.kind == "system"


def test_csv_channel_from_file_name(tmp_path: Path) -> None:
    text = (
        "AuthorID,Author,Date,Content,Attachments,Reactions\n"
        f'"{USER_ID}","demo","2023-09-23T13:15:48+00:00","hi","",""\n'
    )
    name = "Demo Guild - general [444444444444444444].csv"
    (message,), _ = parse_csv(tmp_path, text, name)
    assert message.chat_id == "discord:444444444444444444"
    assert message.chat_name == "Demo Guild - general"


def test_csv_invalid_date_skipped(tmp_path: Path) -> None:
    text = (
        "AuthorID,Author,Date,Content,Attachments,Reactions\n"
        f'"{USER_ID}","demo","31/31/2023 10:00","hi","",""\n'
    )
    messages, report = parse_csv(tmp_path, text)
    assert messages == []
    assert report.skipped[0].reason == "missing or invalid date"


def test_csv_forced_on_other_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n")
    with pytest.raises(IngestError, match="not a DiscordChatExporter CSV header"):
        list(iter_messages([path], fmt="discord"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05-Oct-18 12:08 PM", "2018-10-05T12:08:00"),
        ("10/6/2023 12:37 AM", "2023-10-06T00:37:00"),
        ("10/6/2023 12:37\u202fPM", "2023-10-06T12:37:00"),
        ("06.10.2023 00:37", "2023-10-06T00:37:00"),
        ("2023/10/06 0:37", "2023-10-06T00:37:00"),
        ("10/6/23 9:05 pm", "2023-10-06T21:05:00"),
    ],
)
def test_localized_date_forms(value: str, expected: str) -> None:
    moment = parse_localized(value, "month_first")
    assert moment is not None
    assert moment.isoformat() == expected


@pytest.mark.parametrize("value", ["13:00 PM 1/1/2023", "1/1/2023 13:00 PM", "5-Foo-18 12:08"])
def test_localized_date_invalid(value: str) -> None:
    assert parse_localized(value, "month_first") is None


# Damaged files: only IngestError or a partial parse with report entries.

FUZZ_JSON = json.dumps(
    dce_export(
        [
            dce_message(1),
            dce_message(2, type="Reply", reference={"messageId": "900000000000000001"}),
            dce_message(3, content="", attachments=[{"fileName": "a.png", "url": "u"}]),
            dce_message(4, type="Call", content="Started a call that lasted 2 minutes."),
        ]
    ),
    indent=2,
).encode()
FUZZ_CSV = (
    "AuthorID,Author,Date,Content,Attachments,Reactions\n"
    f'"{USER_ID}","demo","10/6/2023 12:37 AM","hi, there","",""\n'
    f'"{USER_ID}","demo","2023-09-23T13:15:48.379+03:00","two\nlines","https://x/a.png",""\n'
    f'"{BOT_ID}","bot","05-Oct-18 12:08 PM","","",""\n'
).encode()


def parse_damaged(data: bytes, name: str) -> tuple[list[Message], IngestReport]:
    report = IngestReport()
    try:
        messages = list(discord.parse([memory_source(data, name)], report))
    except IngestError:
        return [], report
    for message in messages:
        assert message.kind in KINDS
        assert message.author_id
    return messages, report


def corrupt(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    damaged = bytearray(data)
    for position, value in edits:
        damaged[position % len(damaged)] = value
    return bytes(damaged)


EDITS = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cut=st.integers(1, len(FUZZ_JSON) - 1))
def test_fuzz_json_truncated(cut: int) -> None:
    _, report = parse_damaged(FUZZ_JSON[:cut], "export.json")
    assert "invalid JSON" in report.skipped[-1].reason


@settings(max_examples=100, deadline=None, derandomize=True)
@given(edits=EDITS)
def test_fuzz_json_corrupted(edits: list[tuple[int, int]]) -> None:
    parse_damaged(corrupt(FUZZ_JSON, edits), "export.json")


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cut=st.integers(0, len(FUZZ_CSV) - 1))
def test_fuzz_csv_truncated(cut: int) -> None:
    messages, _ = parse_damaged(FUZZ_CSV[:cut], "export.csv")
    assert len(messages) <= 2


@settings(max_examples=100, deadline=None, derandomize=True)
@given(edits=EDITS)
def test_fuzz_csv_corrupted(edits: list[tuple[int, int]]) -> None:
    parse_damaged(corrupt(FUZZ_CSV, edits), "export.csv")


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
MESSAGE_KEYS = st.sampled_from(
    [
        "id",
        "type",
        "timestamp",
        "timestampEdited",
        "content",
        "author",
        "attachments",
        "embeds",
        "stickers",
        "reference",
        "forwardedMessage",
    ]
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(overrides=st.lists(st.dictionaries(MESSAGE_KEYS, JSON_VALUES, max_size=5), max_size=4))
def test_fuzz_odd_fields(overrides: list[dict[str, Any]]) -> None:
    records = [dce_message(number, **fields) for number, fields in enumerate(overrides, 1)]
    messages, report = parse_damaged(json.dumps(dce_export(records)).encode(), "export.json")
    assert len(messages) + len(report.skipped) == len(records)
