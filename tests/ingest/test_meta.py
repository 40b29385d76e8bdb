"""Messenger and Instagram JSON exports, on synthetic threads written here."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.ingest import meta
from trainer.ingest.mojibake import repair_text, repair_value
from trainer.ingest.pipeline import iter_messages
from trainer.ingest.records import KINDS, Message
from trainer.ingest.report import IngestError, IngestReport
from trainer.ingest.sources import Source


def mangle(text: str) -> str:
    """Encode `text` the way Meta exports do: each UTF-8 byte as one latin-1 character."""
    return text.encode("utf-8").decode("latin-1")


def thread(messages: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    data = {
        "participants": [{"name": "Ana Test"}, {"name": "Ben Demo"}],
        "messages": messages,
        "title": "Ben Demo",
        "is_still_participant": True,
        "thread_path": "inbox/bendemo_1234567890",
        "magic_words": [],
    }
    data.update(fields)
    return data


def write_part(folder: Path, number: int, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"message_{number}.json"
    # ensure_ascii=True writes \u00XX escapes, as Meta's exporter does.
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def parse(path: Path, fmt: str = "auto") -> tuple[list[Message], IngestReport]:
    report = IngestReport()
    return list(iter_messages([path], fmt=fmt, report=report)), report


def one(tmp_path: Path, record: dict[str, Any], fmt: str = "messenger") -> Message:
    path = write_part(tmp_path / "inbox" / "bendemo_1234567890", 1, thread([record]))
    (message,), _ = parse(path, fmt)
    return message


# Mojibake


def test_mojibake_repairs_escaped_utf8() -> None:
    assert repair_text("Jos\u00c3\u00a9 Test") == "José Test"
    assert repair_text("\u00e2\u009d\u00a4") == "❤"
    assert repair_text("\u00f0\u009f\u0098\u00a0") == "😠"


@pytest.mark.parametrize("text", ["é", "Müller", "café ü", "naïve 😀", "plain", "Ã", ""])
def test_mojibake_keeps_genuine_text(text: str) -> None:
    assert repair_text(text) == text


def test_mojibake_walks_nested_values() -> None:
    value = {"a": [mangle("é"), {"b": mangle("ß")}], "n": 3}
    assert repair_value(value) == {"a": ["é", {"b": "ß"}], "n": 3}


def test_mojibake_in_every_field(tmp_path: Path) -> None:
    record = {
        "sender_name": "Jos\u00c3\u00a9 Test",
        "timestamp_ms": 1579294140000,
        "content": "\u00c3\u0087a va tr\u00c3\u00a8s bien \u00f0\u009f\u0098\u00a0",
        "reactions": [{"reaction": "\u00e2\u009d\u00a4", "actor": "Jos\u00c3\u00a9 Test"}],
    }
    data = thread([record], title=mangle("Café crew"), thread_path="inbox/cafe_1")
    path = write_part(tmp_path / "inbox" / "cafe_1", 1, data)
    (message,), _ = parse(path)
    assert message.ts == "2020-01-17T20:49:00+00:00"
    assert message.author == "José Test"
    assert message.author_id == "name:josé test"
    assert message.text == "Ça va très bien 😠"
    assert message.kind == "text"
    assert message.extra["reactions"] == [{"reaction": "❤", "actor": "José Test"}]
    assert message.chat_name == "Café crew"


# Thread structure


def test_thread_milliseconds_newest_first(tmp_path: Path) -> None:
    data = {
        "participants": [{"name": "Ana Test"}, {"name": "Ben Demo"}],
        "messages": [
            {"sender_name": "Ben Demo", "timestamp_ms": 1415147732056, "content": "Hello"},
            {"sender_name": "Ana Test", "timestamp_ms": 1415147681489, "content": "Hi"},
        ],
    }
    path = write_part(tmp_path / "inbox" / "bendemo_1", 1, data)
    messages, _ = parse(path)
    assert [message.text for message in messages] == ["Hi", "Hello"]
    assert messages[1].ts == "2014-11-05T00:35:32.056+00:00"
    assert messages[1].id == "1415147732056"
    assert messages[1].author == "Ben Demo"


def test_chat_name_not_first_participant(tmp_path: Path) -> None:
    data = {
        "participants": [{"name": "Ana Test"}, {"name": "Ben Demo"}],
        "messages": [{"sender_name": "Ben Demo", "timestamp_ms": 1415147732056, "content": "Hi"}],
    }
    path = write_part(tmp_path / "inbox" / "bendemo_1", 1, data)
    (message,), _ = parse(path)
    assert message.chat_name == "Ana Test, Ben Demo"
    assert message.chat_id == "messenger:bendemo_1"


def test_group_thread_parsed(tmp_path: Path) -> None:
    names = ["Ana Test", "Ben Demo", "Cy Sample", "Di Example"]
    records = [
        {"sender_name": name, "timestamp_ms": 1600000000000 - number * 1000, "content": name}
        for number, name in enumerate(names)
    ]
    data = thread(
        records,
        participants=[{"name": name} for name in names],
        title="Climbing",
        thread_type="RegularGroup",
        thread_path="inbox/climbing_99",
    )
    messages, _ = parse(write_part(tmp_path / "inbox" / "climbing_99", 1, data))
    assert len(messages) == 4
    assert {message.author for message in messages} == set(names)
    assert {message.chat_id for message in messages} == {"messenger:inbox/climbing_99"}


def test_parts_merged_sorted_deduplicated(tmp_path: Path) -> None:
    folder = tmp_path / "your_instagram_activity" / "messages" / "inbox" / "anatest_123"
    newest = [
        {"sender_name": "Ana Test", "timestamp_ms": 1600000004000, "content": "four"},
        {"sender_name": "Ben Demo", "timestamp_ms": 1600000003000, "content": "three"},
    ]
    oldest = [
        {"sender_name": "Ben Demo", "timestamp_ms": 1600000003000, "content": "three"},
        {
            "sender_name": "Ana Test",
            "timestamp_ms": 1600000002000,
            "content": "two",
            "story_comment": "nice",
        },
        {"sender_name": "Ben Demo", "timestamp_ms": 1600000001000, "content": "one"},
    ]
    fields = {"thread_path": "inbox/anatest_123", "title": "Ana Test"}
    write_part(folder, 1, thread(newest, **fields))
    write_part(folder, 2, thread(oldest, **fields))
    messages, report = parse(tmp_path)
    assert [message.text for message in messages] == ["one", "two", "three", "four"]
    assert {message.source for message in messages} == {"instagram"}
    assert [entry.reason for entry in report.skipped] == ["duplicate of an earlier message"]


def test_same_millisecond_ids(tmp_path: Path) -> None:
    records = [
        {"sender_name": "Ana Test", "timestamp_ms": 1600000000000, "content": "second"},
        {"sender_name": "Ana Test", "timestamp_ms": 1600000000000, "content": "first"},
    ]
    messages, _ = parse(write_part(tmp_path / "t", 1, thread(records)))
    assert [message.text for message in messages] == ["first", "second"]
    assert [message.id for message in messages] == ["1600000000000", "1600000000000.1"]


def test_damaged_part_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "inbox" / "bendemo_1"
    record = {"sender_name": "Ana Test", "timestamp_ms": 1600000000000, "content": "kept"}
    write_part(folder, 1, thread([record]))
    (folder / "message_2.json").write_text('{"participants": [], "messages": [{"sender_na')
    messages, report = parse(tmp_path)
    assert [message.text for message in messages] == ["kept"]
    assert report.skipped[0].file.endswith("message_2.json")
    assert "invalid JSON" in report.skipped[0].reason


def test_record_without_sender_skipped(tmp_path: Path) -> None:
    records = [{"timestamp_ms": 1600000000000, "content": "who?"}]
    messages, report = parse(write_part(tmp_path / "t", 1, thread(records)), "messenger")
    assert messages == []
    assert report.skipped[0].reason == "missing sender_name"
    assert report.skipped[0].location == "messages[0]"


def test_odd_field_types_tolerated(tmp_path: Path) -> None:
    records = [
        {"sender_name": "Ana Test", "timestamp_ms": 1600000000000, "content": ["not", "text"]},
        {"sender_name": "Ana Test", "timestamp_ms": "soon", "content": "hi"},
        {"sender_name": "Ana Test", "timestamp_ms": 1600000001000, "photos": [{"uri": [1]}]},
    ]
    messages, report = parse(write_part(tmp_path / "t", 1, thread(records)), "messenger")
    assert [message.kind for message in messages] == ["media"]
    assert [entry.reason for entry in report.skipped] == [
        "empty message",
        "missing or invalid timestamp_ms",
    ]


# Message kinds


def test_unsent_is_deleted(tmp_path: Path) -> None:
    record = {"sender_name": "Ana Test", "timestamp_ms": 1600000000000, "is_unsent": True}
    message = one(tmp_path, record)
    assert message.kind == "deleted"
    assert message.text == ""


def test_unsent_text_is_deleted(tmp_path: Path) -> None:
    record = {
        "sender_name": "Ana Test",
        "timestamp_ms": 1600000000000,
        "content": "Ana Test unsent a message.",
    }
    assert one(tmp_path, record).kind == "deleted"


def test_call_is_system(tmp_path: Path) -> None:
    record = {
        "sender_name": "Ana Test",
        "timestamp_ms": 1600000000000,
        "content": "The video call ended.",
        "call_duration": 61,
    }
    message = one(tmp_path, record)
    assert message.kind == "system"
    assert message.extra["call_duration"] == 61


@pytest.mark.parametrize(
    ("key", "value", "attachment"),
    [
        ("photos", [{"uri": "messages/inbox/t/photos/p1.jpg"}], "p1.jpg"),
        ("videos", [{"uri": "messages/inbox/t/videos/v1.mp4"}], "v1.mp4"),
        ("audio_files", [{"uri": "messages/inbox/t/audio/a1.mp4"}], "a1.mp4"),
        ("files", [{"uri": "messages/inbox/t/files/notes.pdf"}], "notes.pdf"),
        ("gifs", [{"uri": "messages/inbox/t/gifs/g1.gif"}], "g1.gif"),
        ("sticker", {"uri": "messages/stickers_used/s1.png"}, "s1.png"),
    ],
)
def test_media_keys(tmp_path: Path, key: str, value: Any, attachment: str) -> None:
    record = {"sender_name": "Ana Test", "timestamp_ms": 1600000000000, key: value}
    message = one(tmp_path, record)
    assert message.kind == "media"
    assert message.attachment == attachment
    assert message.text == ""


def test_photo_caption_kept(tmp_path: Path) -> None:
    record = {
        "sender_name": "Ana Test",
        "timestamp_ms": 1600000000000,
        "content": "our view",
        "photos": [{"uri": "a/p1.jpg"}, {"uri": "a/p2.jpg"}],
    }
    message = one(tmp_path, record)
    assert message.text == "our view"
    assert message.extra["attachments"] == ["p1.jpg", "p2.jpg"]


def test_attachment_share_is_media(tmp_path: Path) -> None:
    record = {
        "sender_name": "Ana Test",
        "timestamp_ms": 1569367800000,
        "content": "Ana Test sent an attachment.",
        "share": {"link": "https://example.org/p/x", "share_text": ""},
    }
    message = one(tmp_path, record, "instagram")
    assert message.kind == "media"
    assert message.attachment == "https://example.org/p/x"
    assert message.text == ""


def test_share_with_own_words(tmp_path: Path) -> None:
    record = {
        "sender_name": "Ana Test",
        "timestamp_ms": 1569367800000,
        "content": "read this https://example.org/a",
        "share": {"link": "https://example.org/a", "share_text": "An article"},
    }
    message = one(tmp_path, record)
    assert message.kind == "media"
    assert message.text == "read this https://example.org/a"
    assert message.extra["share_text"] == "An article"


@pytest.mark.parametrize(
    ("sender", "content", "kind"),
    [
        ("Ben Demo", "Ben Demo's poll has multiple updates.", "system"),
        ("Ana Test", "Liked a message", "system"),
        ("Ana Test", "Reacted ❤ to your message", "system"),
        ("Ana Test", "You are now connected on Messenger", "system"),
        ("Cy Sample", "Cy Sample joined the group.", "system"),
        ("Cy Sample", "Cy Sample left the group.", "system"),
        ("Ana Test", "Ana Test named the group Climbing.", "system"),
        ("Ana Test", "You named the group Climbing.", "system"),
        ("Ana Test", "Ana Test added Cy Sample to the group.", "system"),
        ("Ana Test", "Ana Test sent an attachment.", "media"),
        ("Ana Test", "Ana Test sent a photo.", "media"),
        ("Ben Demo", "Cy Sample left the group.", "text"),
        ("Ben Demo", "I liked a message of yours", "text"),
    ],
)
def test_generated_texts(tmp_path: Path, sender: str, content: str, kind: str) -> None:
    record = {"sender_name": sender, "timestamp_ms": 1635088903000, "content": content}
    message = one(tmp_path, record)
    assert message.kind == kind


def test_empty_record_skipped(tmp_path: Path) -> None:
    records = [{"sender_name": "Ana Test", "timestamp_ms": 1600000000000, "reactions": []}]
    messages, report = parse(write_part(tmp_path / "t", 1, thread(records)), "messenger")
    assert messages == []
    assert report.skipped[0].reason == "empty message"


# Detection


def test_looks_like_instagram_by_content() -> None:
    head = json.dumps(
        thread(
            [
                {
                    "sender_name": "Ana Test",
                    "timestamp_ms": 1,
                    "photos": [{"uri": "your_instagram_activity/messages/inbox/a_1/photos/1.jpg"}],
                }
            ]
        )
    )
    assert meta.looks_like(head, "export/facebook/message_1.json") == "instagram"


def test_looks_like_messenger_by_content() -> None:
    record = {"sender_name": "Ana Test", "timestamp_ms": 1, "content": "hi"}
    uri = "your_facebook_activity/messages/inbox/a_1/photos/1.jpg"
    head = json.dumps(thread([record, {**record, "photos": [{"uri": uri}]}]))
    assert meta.looks_like(head, "instagram/message_1.json") == "messenger"


def test_looks_like_tie_uses_name() -> None:
    head = json.dumps(thread([{"sender_name": "Ana Test", "timestamp_ms": 1, "content": "hi"}]))
    assert meta.looks_like(head, "instagram-export/inbox/a_1/message_1.json") == "instagram"
    assert meta.looks_like(head, "downloads/inbox/a_1/message_1.json") == "messenger"


def test_whole_seconds_without_fraction(tmp_path: Path) -> None:
    record = {"sender_name": "Ana Test", "timestamp_ms": 1415147732000, "content": "hi"}
    assert one(tmp_path, record).ts == "2014-11-05T00:35:32+00:00"


def test_looks_like_instagram_by_export_folder() -> None:
    # "You are now connected on Messenger" is a Messenger clue, but the path is Instagram's.
    records = [
        {
            "sender_name": "Ana Test",
            "timestamp_ms": 2,
            "content": "You are now connected on Messenger",
        },
        {"sender_name": "Ana Test", "timestamp_ms": 1, "content": "Liked a message"},
    ]
    head = json.dumps(thread(records))
    name = "export/your_instagram_activity/messages/inbox/bendemo_42/message_1.json"
    assert meta.looks_like(head, name) == "instagram"


def test_instagram_folder_detected_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "your_instagram_activity" / "messages" / "inbox" / "bendemo_42"
    record = {
        "sender_name": "Ana Test",
        "timestamp_ms": 1,
        "content": "You are now connected on Messenger",
    }
    messages, _ = parse(write_part(folder, 1, thread([record])))
    assert messages[0].source == "instagram"


def test_looks_like_other_json() -> None:
    assert meta.looks_like('{"name": "x", "messages": []}', "result.json") is None
    assert meta.looks_like("sender_name timestamp_ms", "notes.txt") is None


# Damaged files: only IngestError or a partial parse with report entries.

FUZZ_THREAD = json.dumps(
    thread(
        [
            {"sender_name": "Ana Test", "timestamp_ms": 1600000003000, "content": mangle("Ça")},
            {"sender_name": "Ben Demo", "timestamp_ms": 1600000002000, "photos": [{"uri": "a"}]},
            {"sender_name": "Ana Test", "timestamp_ms": 1600000001000, "call_duration": 5},
        ]
    ),
    indent=2,
).encode()


def parse_damaged(data: bytes) -> tuple[list[Message], IngestReport]:
    report = IngestReport()
    source = Source("inbox/t/message_1.json", len(data), lambda: io.BytesIO(data))
    try:
        messages = list(meta.parse_messenger([source], report))
    except IngestError:
        return [], report
    for message in messages:
        assert message.kind in KINDS
        assert message.author_id.startswith("name:")
    return messages, report


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cut=st.integers(0, len(FUZZ_THREAD) - 1))
def test_fuzz_truncated_thread(cut: int) -> None:
    messages, report = parse_damaged(FUZZ_THREAD[:cut])
    assert messages == []
    assert report.skipped[0].location == "file"


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8)
)
def test_fuzz_corrupted_thread(edits: list[tuple[int, int]]) -> None:
    damaged = bytearray(FUZZ_THREAD)
    for position, value in edits:
        damaged[position % len(damaged)] = value
    messages, report = parse_damaged(bytes(damaged))
    assert messages or report.skipped


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
RECORD_KEYS = st.sampled_from(
    [
        "sender_name",
        "timestamp_ms",
        "content",
        "photos",
        "sticker",
        "share",
        "is_unsent",
        "call_duration",
        "type",
        "reactions",
        "users",
    ]
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(records=st.lists(st.dictionaries(RECORD_KEYS, JSON_VALUES, max_size=6), max_size=4))
def test_fuzz_odd_records(records: list[dict[str, Any]]) -> None:
    data = json.dumps(thread(records)).encode()
    messages, report = parse_damaged(data)
    assert len(messages) + len(report.skipped) == len(records)
