"""Other parsers' WhatsApp test exports, read in place from the shared fixtures folder."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from trainer.ingest import IngestReport, Message, iter_messages

pytestmark = pytest.mark.shared

WHATSR_AUTHORS = {"Alice", "Bob", "Carol", "Dave", "Mallory"}
CHAT_MINER_AUTHORS = {"John Doe", "Jahn Doe", "John-John Doe", "John Doe 🤓", "🤓"}
GROUP_AUTHORS = {"Alice", "Bob", "Eve", "Mallory", "Trent"}

# file: (messages, {kind: count}, skipped lines, authors of non-system messages)
EXPECTED = {
    **{
        f"whatsr/{name}.txt": (49, {"text": 38, "media": 3, "system": 8}, 1, WHATSR_AUTHORS)
        for name in (
            "englishandroid24h",
            "englishandroidampm",
            "englishios24h",
            "englishiosampm",
            "germanandroid24h",
            "germanandroidampm",
            "germanios24h",
            "germaniosampm",
        )
    },
    **{
        f"chat-miner/whatsapp/test_{name}.txt": (8, {"text": 6, "system": 2}, 1, CHAT_MINER_AUTHORS)
        for name in (
            "[mmddyy]_24hrs",
            "ddmmyy_24hrs",
            "mmddyy_24hrs",
            "mmddyyyy_12hrs",
            "yyyymmdd_24hrs",
        )
    },
    "chat-analytics/whatsapp/2A_5M.txt": (5, {"text": 4, "media": 1}, 0, {"A", "B"}),
    "chat-analytics/whatsapp/4A_11M.txt": (14, {"text": 11, "system": 3}, 0, GROUP_AUTHORS),
    "chat-analytics/whatsapp/4A_11M.zip": (14, {"text": 11, "system": 3}, 0, GROUP_AUTHORS),
    "whats-reader/asian-ampm-format-test.txt": (
        5,
        {"text": 3, "media": 1, "system": 1},
        0,
        {"Alice", "Bob"},
    ),
    "whats-reader/asian-format-test.txt": (5, {"text": 3, "media": 2}, 0, {"山田太郎", "佐藤花子"}),
    "whats-reader/bracketed-year-first-test.txt": (3, {"text": 3}, 0, {"Ana", "Bruno"}),
    "whats-reader/dash-format-test.txt": (5, {"text": 3, "media": 2}, 0, {"Alice", "Bob"}),
    "whats-reader/dot-time-klo-format-test.txt": (3, {"text": 3}, 0, {"Mika", "Laura"}),
    "whats-reader/european-ampm-format-test.txt": (4, {"text": 4}, 0, {"Loris", "Luke"}),
    "whats-reader/french-format-test.txt": (
        6,
        {"text": 3, "media": 2, "system": 1},
        0,
        {"Pierre Martin", "Sophie Dubois"},
    ),
    "whats-reader/german-format-test.txt": (
        6,
        {"text": 3, "media": 2, "system": 1},
        0,
        {"John Doe", "Jane Smith"},
    ),
    "whats-reader/ios-format-test.txt": (4, {"text": 3, "system": 1}, 1, {"Amazon EG"}),
    "whats-reader/spanish-format-test.txt": (
        6,
        {"text": 3, "media": 2, "system": 1},
        0,
        {"Juan Pérez", "María García"},
    ),
}


def parse_fixture(path: Path) -> tuple[list[Message], IngestReport]:
    report = IngestReport()
    return list(iter_messages([path], report=report)), report


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_fixture_counts(shared_dir, relative):
    messages, report = parse_fixture(shared_dir / "fixtures" / relative)
    count, kinds, skipped, authors = EXPECTED[relative]
    assert len(messages) == count
    assert dict(Counter(message.kind for message in messages)) == kinds
    assert len(report.skipped) == skipped
    assert {message.author for message in messages if message.kind != "system"} == authors


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_fixture_system_ids(shared_dir, relative):
    messages, _ = parse_fixture(shared_dir / "fixtures" / relative)
    system_ids = {message.author_id for message in messages if message.kind == "system"}
    assert system_ids <= {"system"}


def test_fixture_folder_all_whatsapp(shared_dir):
    report = IngestReport()
    messages = list(iter_messages([shared_dir / "fixtures" / "whatsr"], report=report))
    assert len(messages) == 8 * 49
    assert {entry["format"] for entry in report.files} == {"whatsapp"}


@pytest.mark.parametrize("name", ["englishandroid24h", "englishiosampm", "germaniosampm"])
def test_fixture_media_and_dates(shared_dir, name):
    messages, report = parse_fixture(shared_dir / "fixtures" / "whatsr" / f"{name}.txt")
    attachments = [message.attachment for message in messages if message.kind == "media"]
    assert attachments[0] == "PTT-20180129-WA0025.opus"
    assert {message.ts[:10] for message in messages} == {"2018-01-29", "2018-01-30"}
    assert report.skipped[0].location == "line 36"


def test_fixture_zero_hour_am(shared_dir):
    messages, _ = parse_fixture(shared_dir / "fixtures" / "whatsr" / "englishiosampm.txt")
    late = [message for message in messages if message.id == "39"]
    assert late[0].ts == "2018-01-30T00:04:03"


def test_fixture_expected_rows(shared_dir):
    folder = shared_dir / "fixtures" / "chat-miner" / "whatsapp"
    target = json.loads((folder / "target.json").read_text(encoding="utf-8"))
    expected = sorted((row["timestamp"], row["author"], row["message"]) for row in target)
    for path in sorted(folder.glob("*.txt")):
        messages, _ = parse_fixture(path)
        # chat-miner joins continuation lines with spaces, but this parser keeps the line break.
        got = sorted(
            (message.ts, message.author, message.text.replace("\n", " "))
            for message in messages
            if message.kind == "text"
        )
        assert got == expected, path.name


def test_fixture_file_order_kept(shared_dir):
    path = shared_dir / "fixtures" / "chat-analytics" / "whatsapp" / "2A_5M.txt"
    messages, _ = parse_fixture(path)
    assert [message.ts[11:16] for message in messages] == [
        "12:00",
        "12:01",
        "12:02",
        "12:03",
        "12:02",
    ]


def test_fixture_zip_chat_name(shared_dir):
    path = shared_dir / "fixtures" / "chat-analytics" / "whatsapp" / "4A_11M.zip"
    messages, _ = parse_fixture(path)
    assert {message.chat_name for message in messages} == {"4A_11M"}
    assert re.fullmatch(r"whatsapp:4a_11m-[0-9a-f]{8}", messages[0].chat_id)
    assert messages[11].text == "👩🏻\u200d⚖️"


def test_fixture_multiline_arabic(shared_dir):
    path = shared_dir / "fixtures" / "whats-reader" / "ios-format-test.txt"
    messages, _ = parse_fixture(path)
    assert [message.text.count("\n") for message in messages[1:]] == [5, 5, 5]
    assert messages[1].ts == "2025-11-13T09:09:43"
