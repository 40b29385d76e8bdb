"""Choosing the persona, and the warning when several authors become one persona."""

from pathlib import Path

from click.testing import CliRunner

from tests.dataset.helpers import conversation, write_messages
from twinchat.cli import cli

DIALOGUE = [
    ("user2", "hi, anyone know how to fix grub?"),
    ("user1", "reinstall it from a live cd"),
    ("user3", "or boot repair"),
    ("user1", "that works too"),
    ("user2", "thanks!"),
]


def run(tmp_path: Path, *arguments: str):
    path = write_messages(tmp_path / "m.jsonl", conversation(DIALOGUE))
    return CliRunner().invoke(cli, ["prepare", str(path), *arguments, "--report"])


def test_persona_id_and_name_warns(tmp_path: Path) -> None:
    result = run(tmp_path, "--persona", "user1", "--persona-name", "Finn Ellery")
    assert result.exit_code == 0, result.output
    assert (
        "warning: 2 authors are treated as one persona 'Arlo Finch': user1 ('Arlo Finch'), "
        "user3 ('Finn Ellery')"
    ) in result.output


def test_persona_single_author_no_warning(tmp_path: Path) -> None:
    result = run(tmp_path, "--persona", "user1", "--persona-name", "Arlo Finch")
    assert result.exit_code == 0, result.output
    assert "treated as one persona" not in result.output


def test_persona_merge_named_in_error(tmp_path: Path) -> None:
    result = run(tmp_path, "--persona", "user1", "--persona", "user2", "--persona", "user3")
    assert result.exit_code == 2
    assert "has no training examples" in result.output
    assert "Note: 3 authors are treated as one persona" in result.output
