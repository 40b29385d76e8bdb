"""Every export file that other parsers test against goes through `iter_messages`.

Discord, Messenger and Instagram files are checked message by message. Telegram and WhatsApp
files only have to parse into at least one message here, because their own tests check the
values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from trainer.ingest import IngestError, IngestReport, iter_messages

pytestmark = pytest.mark.shared

# Collection needs the file list before any fixture runs, so it is read from the same
# `../shared` folder that the shared_dir fixture hands to the test.
FIXTURES_AT_COLLECTION = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
NOT_EXPORTS = {"target.json", "README.md"}
UNSUPPORTED = {"chat-miner/signal/test_export.txt"}


@dataclass(frozen=True)
class Expected:
    """What one fixture must parse into."""

    kinds: list[str]
    authors: dict[str, str]
    skipped: list[str] = field(default_factory=list)


EXPECTED = {
    "chat-analytics/discord/DM_2A_2M.json": Expected(
        kinds=["text", "text", "system"],
        authors={"111111111111111111": "mlomb", "444444444444444444": "Someones nickname"},
    ),
    "chat-analytics/discord/GC_3A_5M.json": Expected(
        kinds=["system", "text", "system", "text", "text", "system"],
        authors={
            "111111111111111111": "mlomb",
            "222222222222222222": "lombi",
            "333333333333333333": "theplant",
        },
    ),
    "chat-analytics/discord/SV_5A_5M.json": Expected(
        kinds=["text", "text", "media", "text"],
        authors={"111111111111111111": "mlomb", "555555555555555555": "Deleted User"},
        skipped=["duplicate message id 459136077417021488"],
    ),
    "chat-analytics/messenger/2A_7M.json": Expected(
        kinds=["media", "media", "media", "media", "text", "text", "text"],
        authors={"name:alice": "Alice", "name:bob": "Bob"},
    ),
    "chat-miner/instagram/test_export.json": Expected(
        kinds=["text", "text"],
        authors={"name:jane doe": "Jane Doe", "name:john doe": "John Doe"},
    ),
}


def fixture_files() -> list[str]:
    if not FIXTURES_AT_COLLECTION.is_dir():
        return []
    return sorted(
        path.relative_to(FIXTURES_AT_COLLECTION).as_posix()
        for path in FIXTURES_AT_COLLECTION.rglob("*")
        if path.is_file() and path.name not in NOT_EXPORTS
    )


@pytest.mark.parametrize("relative", fixture_files())
def test_fixture_parses(shared_dir: Path, relative: str) -> None:
    path = shared_dir / "fixtures" / relative
    if relative in UNSUPPORTED:
        with pytest.raises(IngestError, match="not a recognised chat export"):
            list(iter_messages([path]))
        return
    report = IngestReport()
    messages = list(iter_messages([path], report=report))
    assert len(messages) > 0
    expected = EXPECTED.get(relative)
    if expected is None:
        return
    assert [message.kind for message in messages] == expected.kinds
    authors = {message.author_id: message.author for message in messages}
    assert authors == expected.authors
    assert [entry.reason for entry in report.skipped] == expected.skipped


def test_fixture_list_complete(shared_dir: Path) -> None:
    found = set(fixture_files())
    assert set(EXPECTED) | UNSUPPORTED <= found


def test_discord_fixture_details(shared_dir: Path) -> None:
    folder = shared_dir / "fixtures" / "chat-analytics" / "discord"
    direct = list(iter_messages([folder / "DM_2A_2M.json"]))
    assert direct[0].chat_id == "discord:530805775262679064"
    assert direct[0].chat_name == "Direct Messages / Someones name"
    assert direct[0].ts == "2019-01-04T17:52:39+00:00"
    assert direct[1].is_bot is True
    group = list(iter_messages([folder / "GC_3A_5M.json"]))
    assert group[4].reply_to == "1064990824305274930"
    server = list(iter_messages([folder / "SV_5A_5M.json"]))
    assert server[0].edited is True
    assert server[2].attachment == "unknown.png"
    assert server[2].text == "This message has attachments and stickers."


def test_messenger_fixture_order(shared_dir: Path) -> None:
    path = shared_dir / "fixtures" / "chat-analytics" / "messenger" / "2A_7M.json"
    messages = list(iter_messages([path]))
    timestamps = [message.ts for message in messages]
    assert timestamps == sorted(timestamps)
    assert timestamps[0] == "2014-11-05T00:27:20.411+00:00"
    assert messages[-1].text == "Hello"
    assert messages[0].attachment == "123123123123123.jpg"
    assert {message.chat_id for message in messages} == {"messenger:inbox/alice_aaaaaaaaaa"}


def test_instagram_fixture_matches_target(shared_dir: Path) -> None:
    folder = shared_dir / "fixtures" / "chat-miner" / "instagram"
    messages = list(iter_messages([folder / "test_export.json"]))
    # That project's expected rows are newest first, in UTC without an offset.
    target = json.loads((folder / "target.json").read_text(encoding="utf-8"))
    rows = [(row["timestamp"], row["author"], row["message"]) for row in reversed(target)]
    parsed = [
        (message.ts.removesuffix("+00:00"), message.author, message.text) for message in messages
    ]
    assert parsed == rows
    assert {message.source for message in messages} == {"instagram"}
