"""Chat ids of exports without their own chat id: distinct per chat, stable per export."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from trainer.ingest import iter_messages

CHAT_A = "[01/02/2023, 10:00:00] Ana Test: hello from chat A\n[01/02/2023, 10:01:00] Ben: reply\n"
CHAT_B = "[05/03/2023, 10:00:00] Cy Sample: other chat B\n[05/03/2023, 10:01:00] Dee: reply\n"
DISCORD_HEADER = "AuthorID,Author,Date,Content,Attachments,Reactions\n"


def _chat_ids(*paths: Path) -> list[str]:
    ids: list[str] = []
    for message in iter_messages(list(paths)):
        if message.chat_id not in ids:
            ids.append(message.chat_id)
    return ids


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _zip(path: Path, member: str, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, text)
    return path


def test_whatsapp_same_file_name_two_chats(tmp_path: Path) -> None:
    first = _write(tmp_path / "a" / "_chat.txt", CHAT_A)
    second = _write(tmp_path / "b" / "_chat.txt", CHAT_B)
    assert len(set(_chat_ids(first, second))) == 2


def test_whatsapp_copy_suffix_two_chats(tmp_path: Path) -> None:
    first = _zip(tmp_path / "WhatsApp Chat - Ana.zip", "_chat.txt", CHAT_A)
    second = _zip(tmp_path / "WhatsApp Chat - Ana (1).zip", "_chat.txt", CHAT_B)
    ids = _chat_ids(first, second)
    assert len(set(ids)) == 2
    assert all(chat_id.startswith("whatsapp:ana-") for chat_id in ids)


def test_whatsapp_zip_and_folder_same_id(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "WhatsApp Chat - Ana.zip", "_chat.txt", CHAT_A)
    unpacked = _write(tmp_path / "WhatsApp Chat - Ana" / "_chat.txt", CHAT_A)
    assert _chat_ids(archive) == _chat_ids(unpacked)


def test_whatsapp_id_stable_across_runs(tmp_path: Path) -> None:
    path = _write(tmp_path / "WhatsApp Chat with Ana.txt", CHAT_A)
    assert _chat_ids(path) == _chat_ids(path)


def test_whatsapp_id_ignores_message_text(tmp_path: Path) -> None:
    with_media = _write(tmp_path / "one" / "WhatsApp Chat with Ana.txt", CHAT_A)
    without_media = _write(
        tmp_path / "two" / "WhatsApp Chat with Ana.txt", CHAT_A.replace("hello", "<Media omitted>")
    )
    assert _chat_ids(with_media) == _chat_ids(without_media)


def test_unpacked_ios_chat_named_by_folder(tmp_path: Path) -> None:
    path = _write(tmp_path / "WhatsApp Chat - Ana Test" / "_chat.txt", CHAT_A)
    (message, *_) = iter_messages([path])
    assert message.chat_name == "Ana Test"


def test_discord_csv_without_channel_id(tmp_path: Path) -> None:
    row = "{id},{name},2020-01-01T10:00:00.000+00:00,{text},,\n"
    first = _write(
        tmp_path / "a" / "export.csv",
        DISCORD_HEADER + row.format(id="111111111111111111", name="ana", text="hi A"),
    )
    second = _write(
        tmp_path / "b" / "export.csv",
        DISCORD_HEADER + row.format(id="222222222222222222", name="ben", text="hi B"),
    )
    assert len(set(_chat_ids(first, second))) == 2


def test_discord_csv_channel_id_kept(tmp_path: Path) -> None:
    row = "111111111111111111,ana,2020-01-01T10:00:00.000+00:00,hi,,\n"
    path = _write(tmp_path / "Guild - general [444444444444444444].csv", DISCORD_HEADER + row)
    assert _chat_ids(path) == ["discord:444444444444444444"]


def _meta_thread(sender: str, milliseconds: int) -> str:
    data = {
        "participants": [{"name": sender}, {"name": "Me Person"}],
        "title": "Ana",
        "messages": [{"sender_name": sender, "timestamp_ms": milliseconds, "content": "hi"}],
    }
    return json.dumps(data)


def test_meta_loose_files_same_title(tmp_path: Path) -> None:
    first = _write(tmp_path / "a" / "thread.json", _meta_thread("Ana", 1600000000000))
    second = _write(tmp_path / "b" / "thread.json", _meta_thread("Ana", 1700000000000))
    assert len(set(_chat_ids(first, second))) == 2


def test_meta_thread_folders_same_title(tmp_path: Path) -> None:
    first = _write(tmp_path / "inbox" / "ana_111" / "message_1.json", _meta_thread("Ana", 1))
    second = _write(tmp_path / "inbox" / "ana_222" / "message_1.json", _meta_thread("Ana", 2))
    assert _chat_ids(first, second) == ["messenger:ana_111", "messenger:ana_222"]
