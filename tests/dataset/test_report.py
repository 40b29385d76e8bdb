"""The `--report` text: filtered examples, speaker labels and redaction counts."""

import re
from pathlib import Path

from tests.dataset.helpers import conversation, message, write_messages
from trainer.dataset.build import prepare_dataset
from trainer.dataset.config import PrepareConfig, RedactConfig
from trainer.dataset.redaction import Redactor
from trainer.dataset.report import format_report

DIALOGUE = [
    ("user2", "hi, anyone know how to fix grub?"),
    ("user1", "reinstall it from a live cd"),
    ("user2", "thanks!"),
    ("user1", "np"),
]


def report_for(tmp_path: Path, extra: list) -> str:
    path = write_messages(tmp_path / "m.jsonl", conversation(DIALOGUE) + extra)
    config = PrepareConfig.from_mapping({"persona_ids": ["user1"]})
    return format_report(prepare_dataset([path], config))


def count_line(report: str, rule: str) -> str:
    return re.search(rf"^  {rule}: .*$", report, re.MULTILINE).group()


def test_report_counts_filtered_examples(tmp_path: Path) -> None:
    forwarded = message(
        10, "user3", "pay with 4111 1111 1111 1111, password: hunter22", 5, forwarded=True
    )
    report = report_for(tmp_path, [forwarded])
    assert "[CARD_1]" in report
    assert "[SECRET_1]" in report
    assert count_line(report, "card") == "  card: 1, 1"
    assert count_line(report, "secret") == "  secret: 1, 1"


def test_report_counts_only_shown_text(tmp_path: Path) -> None:
    paste = " ".join(f"mail me{number}@example.com" for number in range(200))
    report = report_for(tmp_path, [message(10, "user3", paste, 5)])
    shown = len(re.findall(r"\[EMAIL_\d+\]", report))
    assert count_line(report, "email") == f"  email: {shown}, {shown}"


def test_report_system_speaker(tmp_path: Path) -> None:
    record = message(
        10, "group", "", 5, kind="system", author="Family", extra={"action": "create_group"}
    )
    report = report_for(tmp_path, [record])
    assert "    system: (service record: create_group)" in report
    assert "[NAME_2]" not in report


def test_report_deleted_message(tmp_path: Path) -> None:
    report = report_for(tmp_path, [message(10, "user2", "", 5, kind="deleted")])
    assert "    [NAME_1]: (deleted message)" in report


def test_redact_max_chars_cuts() -> None:
    redactor = Redactor(RedactConfig(name=False))
    text = "x" * 30 + " a@example.com " + "y" * 60 + " b@example.com"
    redacted = redactor.redact(text, 50)
    assert redacted == "x" * 30 + " [EMAIL_1] " + "y" * 8 + "…"
    assert redactor.counts()["email"]["replacements"] == 1
    assert redactor.counts()["email"]["distinct_values"] == 1


def test_redact_max_chars_short_text() -> None:
    redactor = Redactor(RedactConfig(name=False))
    assert redactor.redact("mail a@example.com", 50) == "mail [EMAIL_1]"


def test_redact_max_chars_hides_raw_value() -> None:
    redactor = Redactor(RedactConfig(name=False))
    text = "x" * 48 + " a@example.com"
    assert redactor.redact(text, 50) == "x" * 48 + " …"
    assert redactor.counts()["email"]["distinct_values"] == 0
