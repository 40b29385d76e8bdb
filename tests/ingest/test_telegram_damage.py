"""Damaged Telegram exports lose only the damaged part, and the report names where."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from tests.ingest.telegram_helpers import (
    chat,
    full_export,
    ingest,
    ingest_export,
    message,
    render,
    write_export,
)
from trainer.ingest import IngestError, IngestReport, telegram
from trainer.ingest.json_repair import RepairingReader
from trainer.ingest.sources import Source


def _read_all(reader: RepairingReader, size: int = 7) -> bytes:
    parts = []
    while chunk := reader.read(size):
        parts.append(chunk)
    return b"".join(parts)


def test_repair_quotes_bare_value() -> None:
    raw = b'{"a": 1, "document_id": stickers/sticker.webm}'
    reader = RepairingReader(io.BytesIO(raw))
    assert _read_all(reader) == b'{"a": 1, "document_id": "stickers/sticker.webm"}'
    assert reader.repairs == 1
    assert reader.first_repair_offset == raw.index(b"stickers")


@pytest.mark.parametrize("size", [1, 2, 3, 5, 11, 64 * 1024])
def test_repair_across_chunk_boundaries(size: int) -> None:
    raw = b'{"x": [{"document_id": video_files/a b.webm\n}, {"document_id": (File x, y)}]}'
    repaired = _read_all(RepairingReader(io.BytesIO(raw)), size)
    assert json.loads(repaired) == {
        "x": [{"document_id": "video_files/a b.webm"}, {"document_id": "(File x, y)"}]
    }


def test_repair_leaves_valid_json_alone() -> None:
    record = {
        "t": True,
        "f": False,
        "n": None,
        "num": -1.5,
        "s": 'he said "key": value, {x}',
        "list": [1, "a:b", {"k": "v"}],
        "nested": {"truly": "x"},
    }
    raw = json.dumps(record, indent=1).encode()
    reader = RepairingReader(io.BytesIO(raw))
    assert _read_all(reader, 3) == raw
    assert reader.repairs == 0


def test_repair_strips_byte_order_mark() -> None:
    reader = RepairingReader(io.BytesIO(b'\xef\xbb\xbf{"a": 1}'))
    assert _read_all(reader) == b'{"a": 1}'


def test_truncated_file_keeps_earlier_messages(tmp_path: Path) -> None:
    text = render(chat([message(1, "one"), message(2, "two"), message(3, "three")]))
    cut = text.index('"three"') + 3
    path = write_export(tmp_path, text[:cut])
    messages, report = ingest(path)
    assert [m.text for m in messages] == ["one", "two"]
    assert len(report.skipped) == 1
    entry = report.skipped[0]
    assert entry.file == str(path)
    assert entry.location == f"byte {path.stat().st_size}"
    assert "ends in the middle" in entry.reason
    assert "after message 2" in entry.reason


def test_truncated_file_logs_no_warning(tmp_path: Path, caplog) -> None:
    text = render(chat([message(1, "one"), message(2, "two")]))
    path = write_export(tmp_path, text[: text.index('"two"')])
    with caplog.at_level(logging.WARNING):
        ingest(path)
    assert [record.message for record in caplog.records] == []


def test_slow_ijson_backend_is_report_warning(tmp_path: Path, monkeypatch, caplog) -> None:
    monkeypatch.setattr(telegram.ijson, "backend", "python")
    path = write_export(tmp_path, render(chat([message(1, "one")])))
    with caplog.at_level(logging.WARNING):
        _, report = ingest(path)
    assert any("python backend" in warning for warning in report.warnings)
    assert [record.message for record in caplog.records] == []


def test_truncated_full_export_keeps_earlier_chats(tmp_path: Path) -> None:
    export = full_export([chat([message(1, "first")], chat_id=1), chat([message(2)], chat_id=2)])
    text = render(export)
    path = write_export(tmp_path, text[: text.index('"id": 2')])
    messages, report = ingest(path)
    assert [m.text for m in messages] == ["first"]
    assert report.skipped[0].location == f"byte {path.stat().st_size}"


def test_invalid_json_reports_exact_offset(tmp_path: Path) -> None:
    text = render(chat([message(1, "one"), message(2, "two")]))
    broken = text.replace('"id": 2,', '"id": 2, @')
    path = write_export(tmp_path, broken)
    messages, report = ingest(path)
    assert [m.text for m in messages] == ["one"]
    offset = len(broken[: broken.index("@")].encode())
    assert report.skipped[0].location == f"byte {offset}"
    assert "invalid JSON" in report.skipped[0].reason


def test_damage_before_any_chat_is_error(tmp_path: Path) -> None:
    path = write_export(tmp_path, '{"name": "Ana Test", "type": "personal_chat", "id": 1, "me')
    with pytest.raises(IngestError, match="before any chat"):
        ingest(path)


def test_stray_items_skipped_with_location(tmp_path: Path) -> None:
    export = chat([message(1, "one"), 42, "stray", [1, 2], None, message(6, "six")])
    messages, report = ingest_export(tmp_path, export)
    assert [m.text for m in messages] == ["one", "six"]
    assert [(s.location, s.reason) for s in report.skipped] == [
        ("item 2", "not a message object but a number"),
        ("item 3", "not a message object but a string"),
        ("item 4", "not a message object but an array"),
        ("item 5", "not a message object but null"),
    ]


def test_stray_item_location_names_chat(tmp_path: Path) -> None:
    export = full_export([chat([message(1), True], chat_id=77)])
    _, report = ingest_export(tmp_path, export)
    assert [(s.location, s.reason) for s in report.skipped] == [
        ("chat 77 item 2", "not a message object but a boolean")
    ]


def test_invalid_field_skips_one_record(tmp_path: Path) -> None:
    export = chat([message(1, date_unixtime="soon"), message(2, "ok")])
    messages, report = ingest_export(tmp_path, export)
    assert [m.text for m in messages] == ["ok"]
    assert [(s.location, s.reason) for s in report.skipped] == [
        ("message 1", "invalid date_unixtime 'soon'")
    ]


def _streaming_source(count: int) -> tuple[Source, list[int]]:
    """A large export produced lazily, and a list that records how many bytes were read."""
    body = ",\n".join(json.dumps(message(number, f"text {number}")) for number in range(count))
    data = '{"name": "Big", "type": "public_supergroup", "id": 9, "messages": [\n' + body
    data = (data + "\n]}\n").encode()
    read_so_far = [0]
    source = Source("big/result.json", len(data), lambda: io.BytesIO(data))
    source.on_read = lambda size: read_so_far.__setitem__(0, read_so_far[0] + size)
    return source, read_so_far


def test_parse_streams_the_file() -> None:
    source, read_so_far = _streaming_source(20_000)
    messages = telegram.parse([source], IngestReport())
    first = next(messages)
    assert first.id == "0"
    assert read_so_far[0] < source.size / 4
    assert sum(1 for _ in messages) == 19_999
    assert read_so_far[0] == source.size


def test_invalid_utf8_keeps_earlier_messages(tmp_path: Path) -> None:
    text = render(chat([message(1, "one"), message(2, "two")]))
    raw = text.encode("utf-8")
    cut = raw.index(b'"two"') + 1
    path = tmp_path / "result.json"
    path.write_bytes(raw[:cut] + b"\xc0\x80" + raw[cut:])
    messages, report = ingest(path)
    assert [m.text for m in messages] == ["one"]
    assert len(report.skipped) == 1
