"""`twinchat participants` output: author_id is never shortened, in a terminal or a pipe."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from trainer.ingest.participants import Participant
from trainer.ingest.participants_table import COLUMNS, fit_columns, participant_row, print_table
from twinchat.cli import cli

LONG_ID = "name:+49 151 23456789 ana test from the climbing group"


def _person(author_id: str, names: dict[str, int]) -> Participant:
    return Participant(
        author_id,
        names=names,
        messages=sum(names.values()),
        first_ts="2021-01-01T10:00:00",
        last_ts="2023-06-30T10:00:00",
    )


PEOPLE = [
    _person(LONG_ID, {"Ana Test": 40, "Ana T.": 3, "A. Test (work phone)": 2, "Ana": 1}),
    _person("name:ben demo", {"Ben Demo": 12}),
]


def _render(width: int) -> str:
    buffer = io.StringIO()
    print_table(PEOPLE, Console(file=buffer, width=width))
    return buffer.getvalue()


def test_table_80_columns_keeps_author_id() -> None:
    assert LONG_ID in _render(80)


def test_table_fits_80_columns() -> None:
    assert max(len(line) for line in _render(80).splitlines()) <= 80


def test_wide_terminal_keeps_all_columns() -> None:
    rows = [participant_row(person, 3) for person in PEOPLE]
    assert fit_columns(rows, 200) == list(COLUMNS)


def test_narrow_terminal_drops_other_names_first() -> None:
    rows = [participant_row(person, 3) for person in PEOPLE]
    assert "other names" not in fit_columns(rows, 120)
    assert "name" in fit_columns(rows, 120)


def test_piped_output_is_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Ana.txt"
    path.write_text(f"[25/12/23, 09:00:00] {'x' * 70}: hi\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["participants", str(path)])
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split("\t") == list(COLUMNS)
    assert row.split("\t")[0] == "name:" + "x" * 70
