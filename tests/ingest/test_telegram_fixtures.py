"""Telegram exports that other parsers test against parse into the messages they hold."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.ingest.telegram_helpers import ingest

pytestmark = pytest.mark.shared


def test_chat_analytics_direct_messages(shared_dir: Path) -> None:
    path = shared_dir / "fixtures" / "chat-analytics" / "telegram" / "DM_2A_7M.json"
    messages, report = ingest(path)
    assert len(messages) == 8
    assert Counter(m.author_id for m in messages) == {"user300000000": 5, "user700000000": 3}
    assert {m.author for m in messages} == {"Alice", "Bob"}
    assert [m.kind for m in messages] == [
        "system",
        "text",
        "text",
        "text",
        "text",
        "media",
        "media",
        "system",
    ]
    assert messages[1].text == "https://google.com 👀"
    assert messages[5].attachment == "photo"
    assert messages[7].extra["action"] == "phone_call"
    assert report.skipped == []


def test_chat_analytics_time_bases(shared_dir: Path) -> None:
    path = shared_dir / "fixtures" / "chat-analytics" / "telegram" / "DM_2A_7M.json"
    messages, report = ingest(path)
    assert messages[0].ts == "2019-07-05T16:55:32"
    assert messages[3].ts == "2022-05-09T22:23:53+00:00"
    assert any("mixes UTC times" in warning for warning in report.warnings)


@pytest.mark.parametrize("name", ["test_single_export.json", "test_batch_export.json"])
def test_chat_miner_exports(shared_dir: Path, name: str) -> None:
    folder = shared_dir / "fixtures" / "chat-miner" / "telegram"
    target = json.loads((folder / "target.json").read_text(encoding="utf-8"))
    messages, report = ingest(folder / name)
    assert len(messages) == len(target)
    assert [m.author for m in messages] == [row["author"] for row in target]
    assert [m.author_id for m in messages] == ["name:author 1", "name:author 2"]
    assert [m.ts for m in messages] == [row["timestamp"] + "+00:00" for row in target]
    # chat-miner puts a space between text pieces; the export's pieces have none.
    assert [m.text for m in messages] == ["Minimal Message", "Link:https://telegram.org/"]
    assert report.skipped == []


def test_chat_miner_batch_chat_name(shared_dir: Path) -> None:
    path = shared_dir / "fixtures" / "chat-miner" / "telegram" / "test_batch_export.json"
    messages, _ = ingest(path)
    assert {m.chat_name for m in messages} == {"Chatname"}
