"""The error for a persona without training examples: counts and hints that match the cause."""

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.dataset.helpers import message, write_messages
from trainer.dataset.hints import FALLBACK_HINT, no_examples_message
from twinchat.cli import cli


def test_hints_invalid_timestamp_only() -> None:
    text = no_examples_message(("a",), 1, 0, Counter(invalid_timestamp=1), Counter())
    assert "1 message," in text
    assert "1 messages" not in text
    assert "ISO 8601" in text
    assert "require_reply" not in text


def test_hints_not_a_reply() -> None:
    text = no_examples_message(("a",), 2, 2, Counter(), Counter(not_a_reply=2))
    assert "2 messages," in text
    assert "set require_reply to false" in text


def test_hints_several_filters() -> None:
    text = no_examples_message(("a",), 2, 0, Counter(forwarded=1, long_paste=1), Counter())
    assert "drop_forwarded" in text
    assert "max_message_chars" in text
    assert "require_reply" not in text


def test_hints_bursts_when_messages_kept() -> None:
    text = no_examples_message(
        ("a",), 3, 1, Counter(forwarded=2), Counter(target_too_long=1, not_a_reply=1)
    )
    assert "target_max_tokens" in text
    assert "require_reply" in text
    assert "drop_forwarded" not in text


def test_hints_note_appended() -> None:
    text = no_examples_message(("a", "b"), 1, 1, Counter(), Counter(not_a_reply=1), "merged")
    assert text.endswith(". Note: merged")


def test_hints_fallback() -> None:
    text = no_examples_message(("a",), 1, 0, Counter(deleted=1), Counter())
    assert text.endswith(FALLBACK_HINT)


@pytest.mark.parametrize("timestamp", ["yesterday", "03/01/2024 9am"])
def test_cli_invalid_timestamp_hint(tmp_path: Path, timestamp: str) -> None:
    messages = [message(1, "user2", "hi"), message(2, "user1", "hey", 1)]
    messages[1].ts = timestamp
    path = write_messages(tmp_path / "m.jsonl", messages)
    result = CliRunner().invoke(cli, ["prepare", str(path), "--persona", "user1", "--report"])
    assert result.exit_code == 2
    assert "1 message, 0 left after filters (1 invalid_timestamp)" in result.output
    assert "ISO 8601" in result.output
    assert "require_reply" not in result.output
