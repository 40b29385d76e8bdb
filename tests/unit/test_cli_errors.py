"""The `twinchat` entry point: usage errors as one `error:` line, help and version intact."""

from pathlib import Path

import pytest

from twinchat import __version__
from twinchat.cli import main


def _main(capsys, *arguments: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(arguments))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@pytest.mark.parametrize(
    "arguments",
    [
        ["ingest", "chat.txt", "--out", "{folder}"],
        ["ingest", "chat.txt", "--out", "o.jsonl", "--format", "xml"],
        ["ingest", "--no-such-option"],
        ["ingest"],
        ["no-such-command"],
    ],
)
def test_usage_error_one_line(capsys, tmp_path: Path, arguments: list[str]) -> None:
    code, out, err = _main(capsys, *(part.format(folder=tmp_path) for part in arguments))
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ")


def test_usage_error_names_help(capsys) -> None:
    _, _, err = _main(capsys, "ingest", "--no-such-option")
    assert "Run 'twinchat ingest --help' for usage." in err


def test_help_exits_zero(capsys) -> None:
    code, out, _ = _main(capsys, "--help")
    assert code == 0
    assert "Commands" in out


def test_subcommand_help_exits_zero(capsys) -> None:
    code, out, _ = _main(capsys, "ingest", "--help")
    assert code == 0
    assert "--out" in out


def test_version_exits_zero(capsys) -> None:
    code, out, _ = _main(capsys, "--version")
    assert code == 0
    assert __version__ in out


def test_no_arguments_prints_help(capsys) -> None:
    code, _, err = _main(capsys)
    assert code == 2
    assert "Usage: twinchat" in err


def test_ingest_error_exit_code(capsys, tmp_path: Path) -> None:
    code, _, err = _main(capsys, "ingest", str(tmp_path / "absent.txt"), "--out", "o.jsonl")
    assert code == 2
    assert "no such file or folder" in err


def test_success_exits_zero(capsys, tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Ana.txt"
    path.write_text("[25/12/23, 09:00:00] Ana Test: hi\n", encoding="utf-8")
    arguments = ["ingest", str(path), "--out", str(tmp_path / "o.jsonl"), "--no-progress"]
    code, _, _ = _main(capsys, *arguments)
    assert code == 0
