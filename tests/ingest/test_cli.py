"""`twinchat ingest` and `twinchat participants` end to end, through click's test runner."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.ingest.telegram_helpers import chat, message, service, write_export
from trainer.ingest import write_jsonl
from trainer.ingest.records import Message
from twinchat.cli import cli

HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Exported Data</title></head><body>\n"
    '<div class="message default clearfix" id="message1"><div class="text">hi</div></div>\n'
    "</body></html>\n"
)


def _export(folder: Path) -> Path:
    records = [
        message(1, "hello", **{"from": "Ana Test", "from_id": "user100"}),
        message(2, "hi Ana", **{"from": "Ben Demo", "from_id": "user200"}),
        message(3, "how are you", **{"from": "Ana T.", "from_id": "user100"}),
        service(4, "pin_message", message_id=1),
        42,
    ]
    return write_export(folder, chat(records, name="Ana and Ben", chat_type="private_group"))


def _run(*arguments: str):
    return CliRunner().invoke(cli, list(arguments))


def test_ingest_writes_messages(tmp_path: Path) -> None:
    out = tmp_path / "out" / "messages.jsonl"
    result = _run("ingest", str(_export(tmp_path)), "--out", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [record["text"] for record in records] == ["hello", "hi Ana", "how are you", ""]
    assert [record["kind"] for record in records] == ["text", "text", "text", "system"]
    assert records[0]["chat_id"] == "telegram:7000001"


def test_ingest_lines_match_message_json(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    _run("ingest", str(_export(tmp_path)), "--out", str(out), "--no-progress")
    for line in out.read_text(encoding="utf-8").splitlines():
        assert line == Message.from_dict(json.loads(line)).to_json()


def _sample_message(**fields) -> Message:
    values = {
        "source": "telegram",
        "chat_id": "telegram:1",
        "chat_name": 'Ana "quoted" \\ chat',
        "id": "7",
        "ts": "2024-01-01T00:00:00+00:00",
        "author": "Ана Тест 😀",
        "author_id": "user1",
        "text": "line one\nline two\ttab \u2028 \x01",
    }
    values.update(fields)
    return Message(**values)


@pytest.mark.parametrize(
    "message",
    [
        _sample_message(),
        _sample_message(kind="media", attachment="a.jpg", reply_to="3", is_bot=False),
        _sample_message(edited=True, forwarded=True, is_bot=True),
        _sample_message(extra={"poll_answers": ["Да", "No"], "duration_seconds": 5.5}),
        _sample_message(id=7),
        _sample_message(edited=1),
        _sample_message(is_bot=0),
    ],
)
def test_written_line_matches_to_json(tmp_path: Path, message: Message) -> None:
    out = tmp_path / "messages.jsonl"
    write_jsonl(iter([message]), out)
    assert out.read_text(encoding="utf-8") == message.to_json() + "\n"


def test_ingest_reads_zipped_export(tmp_path: Path) -> None:
    archive = tmp_path / "Telegram Export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(_export(tmp_path), "ChatExport_2025-01-01/result.json")
        bundle.writestr("ChatExport_2025-01-01/photos/photo_1.jpg", b"\xff\xd8")
    out = tmp_path / "messages.jsonl"
    result = _run("ingest", str(archive), "--out", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 4


def test_ingest_prints_summary(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    result = _run("ingest", str(_export(tmp_path)), "--out", str(out), "--no-progress")
    assert "4 messages (3 text, 0 media, 1 system, 0 deleted) in 1 chat\n" in result.stderr
    assert "1 skipped:" in result.stderr
    assert f"wrote 4 messages to {out}" in result.stderr


def test_ingest_writes_default_report(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    _run("ingest", str(_export(tmp_path)), "--out", str(out), "--no-progress")
    report = json.loads((tmp_path / "messages.report.json").read_text(encoding="utf-8"))
    assert report["messages"] == 4
    assert report["kinds"] == {"text": 3, "media": 0, "system": 1, "deleted": 0}
    assert report["skipped"] == [
        {
            "file": str(tmp_path / "result.json"),
            "location": "item 5",
            "reason": "not a message object but a number",
        }
    ]


def test_ingest_report_option(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    report_path = tmp_path / "reports" / "ingest.json"
    report_path.parent.mkdir()
    arguments = ["--out", str(out), "--report", str(report_path), "--no-progress"]
    result = _run("ingest", str(_export(tmp_path)), *arguments)
    assert result.exit_code == 0, result.output
    assert json.loads(report_path.read_text())["messages"] == 4
    assert not (tmp_path / "messages.report.json").exists()


def test_ingest_with_progress_bar(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    result = _run("ingest", str(_export(tmp_path)), "--out", str(out), "--progress")
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 4


def test_service_action_survives_jsonl(tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    second = tmp_path / "second.jsonl"
    _run("ingest", str(_export(tmp_path)), "--out", str(first), "--no-progress")
    _run("ingest", str(first), "--out", str(second), "--no-progress")
    records = [json.loads(line) for line in second.read_text(encoding="utf-8").splitlines()]
    assert records[3]["extra"]["action"] == "pin_message"
    assert records[3]["extra"]["message_id"] == 1


def test_participants_json(tmp_path: Path) -> None:
    result = _run("participants", str(_export(tmp_path)), "--json")
    assert result.exit_code == 0, result.output
    people = json.loads(result.stdout)
    assert [person["author_id"] for person in people] == ["user100", "user200"]
    ana = people[0]
    assert ana["messages"] == 2
    assert sorted(ana["names"]) == ["Ana T.", "Ana Test"]
    assert ana["text_messages"] == 2
    assert ana["first"] == "2019-06-03T21:01:59+00:00"


def test_participants_counts_service_records(tmp_path: Path) -> None:
    people = json.loads(_run("participants", str(_export(tmp_path)), "--json").stdout)
    ben = people[1]
    assert ben["messages"] == 2
    assert ben["text_messages"] == 1
    assert ben["is_system"] is False


def test_participants_table(tmp_path: Path) -> None:
    result = _run("participants", str(_export(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "user100" in result.stdout
    assert "Ben Demo" in result.stdout


def _error_line(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.exit_code == 2
    return lines[0]


def test_missing_input_is_one_line_error(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    result = _run("ingest", str(tmp_path / "absent.json"), "--out", str(out))
    assert _error_line(result).startswith("error: ")
    assert "no such file or folder" in result.stderr


def test_unrecognised_file_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text('{"shopping": ["milk", "bread"]}')
    result = _run("ingest", str(path), "--out", str(tmp_path / "messages.jsonl"))
    assert "not a recognised chat export" in _error_line(result)


def test_html_export_is_one_line_error(tmp_path: Path) -> None:
    path = write_export(tmp_path, HTML_PAGE, name="messages.html")
    result = _run("ingest", str(path), "--out", str(tmp_path / "messages.jsonl"))
    assert "Machine-readable JSON" in _error_line(result)


def test_damaged_export_is_one_line_error(tmp_path: Path) -> None:
    path = write_export(tmp_path, '{"name": "Ana", "type": "personal_chat", "id": 1, "mess')
    result = _run("ingest", str(path), "--out", str(tmp_path / "messages.jsonl"))
    assert "invalid JSON at byte" in _error_line(result)


def test_participants_error_is_one_line(tmp_path: Path) -> None:
    result = _run("participants", str(tmp_path / "absent"))
    assert "no such file or folder" in _error_line(result)


@pytest.mark.parametrize("bad_input", ["absent", "damaged"])
def test_failed_ingest_keeps_existing_out(tmp_path: Path, bad_input: str) -> None:
    out = tmp_path / "messages.jsonl"
    out.write_text("previous run\n")
    good = _export(tmp_path)
    folder = tmp_path / "second"
    folder.mkdir()
    bad = folder / "absent.json"
    if bad_input == "damaged":
        bad = write_export(folder, '{"chats": {"list": [{"name": "x", "mess')
    result = _run("ingest", str(good), str(bad), "--out", str(out), "--no-progress")
    assert result.exit_code == 2
    assert out.read_text() == "previous run\n"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".messages")] == []
