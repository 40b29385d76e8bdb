"""`twinchat ingest` output files: checked before parsing, replaced whole, never an input."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from trainer.ingest import write_jsonl
from trainer.ingest.records import Message
from twinchat.cli import cli

CHAT = "[25/12/23, 09:00:00] Ana Test: hi\n[25/12/23, 09:01:00] Ben Demo: hello\n"
SYSTEM_ONLY = "[11/04/13, 21:56:03] Ana Test: Ana Test changed the group name to “family”\n"


def _run(*arguments: str):
    return CliRunner().invoke(cli, ["ingest", *arguments, "--no-progress"])


def _export(folder: Path, text: str = CHAT, name: str = "WhatsApp Chat with Ana.txt") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _error_line(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.exit_code == 2
    assert lines[0].startswith("error: ")
    return lines[0]


def _previous_out(tmp_path: Path) -> Path:
    out = tmp_path / "messages.jsonl"
    out.write_text("previous run\n")
    return out


def test_out_parent_is_file(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x")
    result = _run(str(_export(tmp_path)), "--out", str(tmp_path / "notes" / "out.jsonl"))
    assert "is a file, not a folder" in _error_line(result)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_out_in_unwritable_folder(tmp_path: Path) -> None:
    result = _run(str(_export(tmp_path)), "--out", "/proc/nope.jsonl")
    assert "cannot write there" in _error_line(result)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_unwritable_report_keeps_out(tmp_path: Path) -> None:
    out = _previous_out(tmp_path)
    result = _run(str(_export(tmp_path)), "--out", str(out), "--report", "/proc/report.json")
    assert "--report /proc/report.json" in _error_line(result)
    assert out.read_text() == "previous run\n"


def test_unwritable_out_parses_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x")
    result = _run(str(tmp_path / "absent.txt"), "--out", str(tmp_path / "notes" / "o.jsonl"))
    assert "--out" in _error_line(result)


def test_out_folder_created(tmp_path: Path) -> None:
    out = tmp_path / "new" / "deeper" / "messages.jsonl"
    result = _run(str(_export(tmp_path)), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 2


def test_failed_run_removes_created_folder(tmp_path: Path) -> None:
    out = tmp_path / "new" / "messages.jsonl"
    result = _run(str(tmp_path / "absent.txt"), "--out", str(out))
    assert result.exit_code == 2
    assert not (tmp_path / "new").exists()


def test_out_is_input_rejected(tmp_path: Path) -> None:
    path = _export(tmp_path)
    result = _run(str(path), "--out", str(path))
    assert "is also an input file" in _error_line(result)
    assert path.read_text(encoding="utf-8") == CHAT


def test_report_is_input_rejected(tmp_path: Path) -> None:
    path = _export(tmp_path)
    result = _run(str(path), "--out", str(tmp_path / "o.jsonl"), "--report", str(path))
    assert "--report" in _error_line(result)
    assert path.read_text(encoding="utf-8") == CHAT


def test_rerun_skips_own_output(tmp_path: Path) -> None:
    _export(tmp_path)
    out = tmp_path / "messages.jsonl"
    for _ in range(3):
        result = _run(str(tmp_path), "--out", str(out))
        assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 2


def test_zip_without_export_is_error(tmp_path: Path) -> None:
    archive = tmp_path / "nochat.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("readme.txt", "hello\n")
    out = _previous_out(tmp_path)
    result = _run(str(archive), "--out", str(out))
    line = _error_line(result)
    assert "no messages found in" in line
    assert str(archive) in line
    assert "not a recognised chat export: 1" in line
    assert out.read_text() == "previous run\n"


def test_empty_folder_error_mentions_zip(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    result = _run(str(folder), "--out", str(tmp_path / "o.jsonl"))
    assert ".zip" in _error_line(result)


def test_only_system_records_warns(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    result = _run(str(_export(tmp_path, SYSTEM_ONLY)), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "warning: no dialogue found: only system records" in result.stderr
    report = json.loads((tmp_path / "messages.report.json").read_text(encoding="utf-8"))
    assert any(warning.startswith("no dialogue found") for warning in report["warnings"])


def test_summary_singular(tmp_path: Path) -> None:
    text = "[25/12/23, 09:00:00] Ana Test: hi\n"
    result = _run(str(_export(tmp_path, text)), "--out", str(tmp_path / "o.jsonl"))
    assert "1 message (1 text, 0 media, 0 system, 0 deleted) in 1 chat\n" in result.stderr
    assert "wrote 1 message to" in result.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _sample() -> Message:
    return Message("telegram", "telegram:1", "Ana", "1", "2024-01-01T00:00:00", "Ana", "u1", "hi")


def test_new_out_mode_follows_umask(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    previous = os.umask(0o027)
    try:
        write_jsonl(iter([_sample()]), out)
    finally:
        os.umask(previous)
    assert _mode(out) == 0o640


def test_replaced_out_keeps_mode(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    out.write_text("previous run\n")
    out.chmod(0o604)
    write_jsonl(iter([_sample()]), out)
    assert _mode(out) == 0o604


def test_report_mode_matches_out(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    _run(str(_export(tmp_path)), "--out", str(out))
    assert _mode(tmp_path / "messages.report.json") == _mode(out)


def test_rerun_skips_default_report(tmp_path: Path) -> None:
    _export(tmp_path)
    _run(str(tmp_path), "--out", str(tmp_path / "messages.jsonl"))
    report_path = tmp_path / "elsewhere.json"
    result = _run(
        str(tmp_path), "--out", str(tmp_path / "messages.jsonl"), "--report", str(report_path)
    )
    assert result.exit_code == 0, result.output
    assert json.loads(report_path.read_text(encoding="utf-8"))["skipped"] == []


def test_write_failure_is_one_line(tmp_path: Path, monkeypatch) -> None:
    def full_disk(messages, stream) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("trainer.ingest.cli.write_messages", full_disk)
    out = _previous_out(tmp_path)
    result = _run(str(_export(tmp_path)), "--out", str(out))
    assert "No space left on device" in _error_line(result)
    assert out.read_text() == "previous run\n"
