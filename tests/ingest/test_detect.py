"""Format detection reads a file's content, so a renamed export is still recognised."""

from __future__ import annotations

import json
import shutil
from functools import partial
from pathlib import Path

import pytest

from trainer.ingest import IngestError, IngestReport, discord, iter_messages, meta
from trainer.ingest.detect import detect_format
from trainer.ingest.records import Message
from trainer.ingest.sources import Source

NEUTRAL_NAME = "renamed.dat"

DISCORD_JSON = json.dumps(
    {
        "guild": {"id": "1", "name": "Demo Guild"},
        "channel": {"id": "2", "type": "GuildTextChat", "name": "general"},
        "messages": [
            {
                "id": "3",
                "type": "Default",
                "timestamp": "2023-09-23T13:15:48+00:00",
                "content": "hi",
                "author": {"id": "4", "name": "ana", "isBot": False},
            }
        ],
    }
)
DISCORD_CSV = (
    "AuthorID,Author,Date,Content,Attachments,Reactions\n"
    '"4","ana","2023-09-23T13:15:48.379+03:00","hi","",""\n'
)
DISCORD_OLD_CSV = "Author;Date;Content;Attachments;\nana#0001;05-Oct-18 12:08 PM;hi;;\n"
MESSENGER_JSON = json.dumps(
    {
        "participants": [{"name": "Ana Test"}, {"name": "Ben Demo"}],
        "messages": [
            {
                "sender_name": "Ana Test",
                "timestamp_ms": 1600000000000,
                "photos": [{"uri": "your_facebook_activity/messages/inbox/ben_1/photos/1.jpg"}],
            }
        ],
        "title": "Ben Demo",
        "thread_path": "inbox/ben_1",
    }
)
INSTAGRAM_JSON = MESSENGER_JSON.replace("your_facebook_activity", "your_instagram_activity")
TELEGRAM_JSON = json.dumps(
    {
        "name": "Ben Demo",
        "type": "personal_chat",
        "id": 7000001,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": "2023-09-23T13:15:48",
                "date_unixtime": "1695474948",
                "from": "Ben Demo",
                "from_id": "user200",
                "text": "hi",
            }
        ],
    }
)
WHATSAPP_TXT = "23/09/2023, 13:15 - Ana Test: hi\n23/09/2023, 13:16 - Ben Demo: hello\n"
JSONL = Message("discord", "discord:2", "general", "3", "2023-09-23T13:15:48", "ana", "4", "hi")

SAMPLES = {
    "discord-json": (DISCORD_JSON, "discord"),
    "discord-csv": (DISCORD_CSV, "discord"),
    "discord-old-csv": (DISCORD_OLD_CSV, "discord"),
    "messenger": (MESSENGER_JSON, "messenger"),
    "instagram": (INSTAGRAM_JSON, "instagram"),
    "telegram": (TELEGRAM_JSON, "telegram"),
    "whatsapp": (WHATSAPP_TXT, "whatsapp"),
    "jsonl": (JSONL.to_json() + "\n", "jsonl"),
}


def renamed(tmp_path: Path, content: str | bytes, name: str = NEUTRAL_NAME) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def detect(path: Path) -> str | None:
    source = Source(str(path), path.stat().st_size, partial(path.open, "rb"))
    return detect_format([source])


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_detect_renamed_sample(tmp_path: Path, sample: str) -> None:
    content, expected = SAMPLES[sample]
    assert detect(renamed(tmp_path, content)) == expected


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_renamed_sample_parses(tmp_path: Path, sample: str) -> None:
    content, expected = SAMPLES[sample]
    report = IngestReport()
    messages = list(iter_messages([renamed(tmp_path, content)], report=report))
    assert len(messages) >= 1
    assert report.files[0]["format"] == expected


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_detectors_reject_other_formats(sample: str) -> None:
    content, expected = SAMPLES[sample]
    assert discord.looks_like(content) == (expected == "discord")
    platform = meta.looks_like(content, NEUTRAL_NAME)
    assert platform == (expected if expected in ("messenger", "instagram") else None)


def test_detect_with_byte_order_mark(tmp_path: Path) -> None:
    path = renamed(tmp_path, "\ufeff" + DISCORD_CSV)
    assert detect(path) == "discord"


def test_meta_name_breaks_tie(tmp_path: Path) -> None:
    record = {"sender_name": "Ana Test", "timestamp_ms": 1600000000000, "content": "hi"}
    content = json.dumps({"messages": [record]})
    folder = tmp_path / "instagram-ana-2024" / "inbox" / "ben_1"
    folder.mkdir(parents=True)
    assert detect(renamed(folder, content, "message_1.json")) == "instagram"
    assert detect(renamed(tmp_path, content)) == "messenger"


@pytest.mark.parametrize(
    "content",
    [
        "hello, this is a shopping list\nmilk\nbread\n",
        '{"name": "settings", "values": [1, 2, 3]}',
        "id,name,price\n1,tea,3\n",
        "",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
    ids=["text", "json", "csv", "empty", "binary"],
)
def test_unknown_content_clear_error(tmp_path: Path, content: str | bytes) -> None:
    path = renamed(tmp_path, content)
    assert detect(path) is None
    with pytest.raises(IngestError, match="not a recognised chat export") as error:
        list(iter_messages([path]))
    assert str(path) in str(error.value)
    assert "--format" in str(error.value)


def test_unknown_file_in_folder_skipped(tmp_path: Path) -> None:
    renamed(tmp_path, DISCORD_CSV, "channel.csv")
    renamed(tmp_path, "nothing to see here\n", "notes.txt")
    report = IngestReport()
    messages = list(iter_messages([tmp_path], report=report))
    assert len(messages) == 1
    assert [entry.reason for entry in report.skipped] == ["not a recognised chat export"]


def test_telegram_html_explained(tmp_path: Path) -> None:
    page = (
        "<!DOCTYPE html>\n<html>\n<head><title>Exported Data</title></head>\n<body>\n"
        '<div class="message default clearfix" id="message123"></div>\n</body>\n</html>\n'
    )
    with pytest.raises(IngestError, match="Machine-readable JSON"):
        list(iter_messages([renamed(tmp_path, page)]))


@pytest.mark.shared
@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("chat-analytics/discord/SV_5A_5M.json", "discord"),
        ("chat-analytics/messenger/2A_7M.json", "messenger"),
        ("chat-analytics/telegram/DM_2A_7M.json", "telegram"),
        ("chat-miner/telegram/test_batch_export.json", "telegram"),
        ("whatsr/englishios24h.txt", "whatsapp"),
        ("whats-reader/dash-format-test.txt", "whatsapp"),
    ],
)
def test_detect_renamed_fixture(
    shared_dir: Path, tmp_path: Path, relative: str, expected: str
) -> None:
    path = tmp_path / NEUTRAL_NAME
    shutil.copyfile(shared_dir / "fixtures" / relative, path)
    assert detect(path) == expected


@pytest.mark.shared
def test_detect_renamed_zip(shared_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / NEUTRAL_NAME
    shutil.copyfile(shared_dir / "fixtures" / "chat-analytics" / "whatsapp" / "4A_11M.zip", path)
    report = IngestReport()
    messages = list(iter_messages([path], report=report))
    assert len(messages) > 0
    assert {entry["format"] for entry in report.files} == {"whatsapp"}
