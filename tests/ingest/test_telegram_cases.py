"""Telegram Desktop export shapes that broke other parsers, each with the records expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.telegram_helpers import (
    CHAT_ID,
    chat,
    full_export,
    ingest,
    ingest_export,
    message,
    service,
    write_export,
)
from trainer.ingest import IngestError


def test_single_chat_export(tmp_path: Path) -> None:
    export = chat([message(1, "one"), message(2, "two", **{"from": "Ben Demo"})])
    messages, report = ingest_export(tmp_path, export)
    assert [m.text for m in messages] == ["one", "two"]
    assert [m.id for m in messages] == ["1", "2"]
    assert {m.chat_id for m in messages} == {f"telegram:{CHAT_ID}"}
    assert {m.chat_name for m in messages} == {"Ana Test"}
    assert report.skipped == []


def test_full_export_reads_every_chat_list(tmp_path: Path) -> None:
    export = full_export(
        [
            chat([message(1, "personal")], name="Ben Demo", chat_id=11),
            chat([message(2, "group")], name="Demo Group", chat_type="private_group", chat_id=12),
        ],
        left_chats=[
            chat([message(3, "left")], name="Old Group", chat_type="private_supergroup", chat_id=13)
        ],
    )
    messages, report = ingest_export(tmp_path, export)
    assert [(m.chat_id, m.chat_name, m.text) for m in messages] == [
        ("telegram:11", "Ben Demo", "personal"),
        ("telegram:12", "Demo Group", "group"),
        ("telegram:13", "Old Group", "left"),
    ]
    assert set(report.chats) == {"telegram:11", "telegram:12", "telegram:13"}


@pytest.mark.parametrize(
    "chat_type",
    [
        "personal_chat",
        "private_group",
        "private_supergroup",
        "public_supergroup",
        "private_channel",
        "public_channel",
        "bot_chat",
        "saved_messages",
    ],
)
def test_every_chat_type_parses(tmp_path: Path, chat_type: str) -> None:
    export = full_export([chat([message(1, "hello")], name="Some Chat", chat_type=chat_type)])
    messages, _ = ingest_export(tmp_path, export)
    assert [m.text for m in messages] == ["hello"]


def test_chat_without_name(tmp_path: Path) -> None:
    export = full_export(
        [
            chat([message(1, "note to self")], name=None, chat_type="saved_messages", chat_id=1),
            chat([message(2, "bye")], name=None, chat_type="personal_chat", chat_id=2),
        ]
    )
    messages, _ = ingest_export(tmp_path, export)
    assert [m.chat_name for m in messages] == ["Saved Messages", "Deleted Account"]


def test_full_export_with_empty_chat(tmp_path: Path) -> None:
    export = full_export([chat([], name="Quiet", chat_id=5), chat([message(1)], chat_id=6)])
    messages, report = ingest_export(tmp_path, export)
    assert [m.chat_id for m in messages] == ["telegram:6"]
    assert report.skipped == []


def test_full_export_with_long_contact_list(tmp_path: Path) -> None:
    contacts = [
        {"first_name": f"Contact {number}", "phone_number": "+10000000000", "date": "2020-01-01"}
        for number in range(2_000)
    ]
    export = full_export([chat([message(1, "after contacts")])])
    del export["personal_information"]
    export["contacts"]["list"] = contacts
    messages, _ = ingest_export(tmp_path, export)
    assert [m.text for m in messages] == ["after contacts"]


def test_export_without_chats_is_error(tmp_path: Path) -> None:
    path = write_export(tmp_path, full_export([]))
    with pytest.raises(IngestError, match="contains no chat"):
        ingest(path)


def test_text_pieces_join_verbatim(tmp_path: Path) -> None:
    pieces = [{"type": "bold", "text": "Link:"}, " ", {"type": "link", "text": "https://x.org/"}]
    messages, _ = ingest_export(tmp_path, chat([message(2, pieces)]))
    assert messages[0].text == "Link: https://x.org/"


def test_text_entities_preferred(tmp_path: Path) -> None:
    record = message(
        2,
        ["stale ", {"type": "bold", "text": "text"}],
        text_entities=[{"type": "plain", "text": "from "}, {"type": "bold", "text": "entities"}],
    )
    messages, _ = ingest_export(tmp_path, chat([record]))
    assert messages[0].text == "from entities"


def test_empty_entities_fall_back_to_text(tmp_path: Path) -> None:
    messages, _ = ingest_export(tmp_path, chat([message(2, "plain", text_entities=[])]))
    assert messages[0].text == "plain"


def test_message_without_from_or_text(tmp_path: Path) -> None:
    record = {"id": 4, "type": "message", "date_unixtime": "1544006964"}
    messages, report = ingest_export(tmp_path, chat([record]))
    assert messages == []
    assert [entry.location for entry in report.skipped] == ["message 4"]
    assert report.skipped[0].reason == "message without author, text or media"


def test_message_without_from_keeps_text(tmp_path: Path) -> None:
    record = {"id": 4, "type": "message", "date_unixtime": "1544006964", "text": "hi"}
    messages, _ = ingest_export(tmp_path, chat([record]))
    assert (messages[0].author_id, messages[0].text) == ("unknown", "hi")


def test_service_record_is_system(tmp_path: Path) -> None:
    record = service(5, "invite_members", members=["Cy Sample"])
    messages, _ = ingest_export(tmp_path, chat([record], chat_type="public_supergroup"))
    result = messages[0]
    assert result.kind == "system"
    assert result.author == "Ben Demo"
    assert result.author_id == "user200"
    assert result.extra == {"action": "invite_members", "members": ["Cy Sample"]}


@pytest.mark.parametrize(
    ("action", "details", "expected"),
    [
        ("joined_telegram", {}, {}),
        (
            "phone_call",
            {"duration_seconds": 56, "discard_reason": "hangup"},
            {"duration_seconds": 56, "discard_reason": "hangup"},
        ),
        ("pin_message", {"message_id": 3}, {"message_id": 3}),
        ("create_group", {"title": "Demo Group", "members": ["Ana"]}, None),
        ("migrate_from_group", {"title": "Demo Group"}, {"title": "Demo Group"}),
    ],
)
def test_service_actions(tmp_path: Path, action: str, details: dict, expected) -> None:
    messages, _ = ingest_export(tmp_path, chat([service(5, action, **details)]))
    assert messages[0].kind == "system"
    assert messages[0].extra["action"] == action
    for key, value in (expected if expected is not None else details).items():
        assert messages[0].extra[key] == value


def test_unix_time_is_utc(tmp_path: Path) -> None:
    record = message(13, edited="2019-06-04T00:03:14", edited_unixtime="1559595794")
    messages, report = ingest_export(tmp_path, chat([record]))
    assert messages[0].ts == "2019-06-03T21:01:59+00:00"
    assert messages[0].edited is True
    assert report.warnings == []


def test_naive_date_fallback_warns(tmp_path: Path) -> None:
    record = message(14, "old export", date="2019-06-04T00:05:00", date_unixtime=None)
    messages, report = ingest_export(tmp_path, chat([record]))
    assert messages[0].ts == "2019-06-04T00:05:00"
    assert any("local wall-clock" in warning for warning in report.warnings)


def test_mixed_time_bases_warn(tmp_path: Path) -> None:
    naive = message(14, date="2019-06-04T00:05:00", date_unixtime=None)
    messages, report = ingest_export(tmp_path, chat([message(13), naive]))
    assert [m.ts for m in messages] == ["2019-06-03T21:01:59+00:00", "2019-06-04T00:05:00"]
    assert any("mixes UTC times" in warning for warning in report.warnings)


def test_record_without_date_skipped(tmp_path: Path) -> None:
    record = message(15, date=None, date_unixtime=None)
    messages, report = ingest_export(tmp_path, chat([record, message(16)]))
    assert [m.id for m in messages] == ["16"]
    assert [(s.location, s.reason) for s in report.skipped] == [
        ("message 15", "no date or date_unixtime")
    ]


CUSTOM_EMOJI_EXPORT = """{
 "name": "Ana Test",
 "type": "personal_chat",
 "id": 7000001,
 "messages": [
  {
   "id": 1,
   "type": "message",
   "date": "2023-01-05T10:00:00",
   "date_unixtime": "1672912800",
   "from": "Ana Test",
   "from_id": "user100",
   "text": [{"type":"custom_emoji","text":"😁","document_id": stickers/sticker.webm}],
   "text_entities": [
    {
     "type": "custom_emoji",
     "text": "😁",
     "document_id": (File not included. Change data exporting settings to download.)
    }
   ]
  },
  {
   "id": 2,
   "type": "message",
   "date": "2023-01-05T10:01:00",
   "date_unixtime": "1672912860",
   "from": "Ben Demo",
   "from_id": "user200",
   "text": "after"
  }
 ]
}
"""


def test_unquoted_document_id_repaired(tmp_path: Path) -> None:
    messages, report = ingest_export(tmp_path, CUSTOM_EMOJI_EXPORT)
    assert [m.text for m in messages] == ["😁", "after"]
    assert report.skipped == []
    assert any("quoted 2 bare JSON values" in warning for warning in report.warnings)


HTML_PAGE = """<!DOCTYPE html>
<html>
 <head>
  <meta charset="utf-8"/>
  <title>Exported Data</title>
 </head>
 <body>
  <div class="page_wrap">
   <div class="message default clearfix" id="message123">
    <div class="body"><div class="from_name">Ana Test</div><div class="text">hi</div></div>
   </div>
  </div>
 </body>
</html>
"""


def test_html_page_is_explained(tmp_path: Path) -> None:
    path = write_export(tmp_path, HTML_PAGE, name="messages.html")
    with pytest.raises(IngestError, match="Machine-readable JSON"):
        ingest(path)


def test_html_export_folder_is_explained(tmp_path: Path) -> None:
    folder = tmp_path / "ChatExport_2025-01-01"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "style.css").write_text("body {}")
    write_export(folder, HTML_PAGE, name="messages.html")
    with pytest.raises(IngestError, match="Telegram HTML export"):
        ingest(folder)


def test_html_and_json_folder_reads_json(tmp_path: Path) -> None:
    write_export(tmp_path, HTML_PAGE, name="messages.html")
    write_export(tmp_path, chat([message(1, "from json")]))
    messages, report = ingest(tmp_path)
    assert [m.text for m in messages] == ["from json"]
    assert [s.reason for s in report.skipped] == ["Telegram HTML export page, not read"]


def test_html_forced_as_telegram_is_explained(tmp_path: Path) -> None:
    path = write_export(tmp_path, HTML_PAGE, name="messages.html")
    with pytest.raises(IngestError, match="Machine-readable JSON"):
        ingest(path, fmt="telegram")


def test_photo_placeholder_is_media(tmp_path: Path) -> None:
    record = message(
        3672,
        "",
        photo="(File not included. Change data exporting settings to download.)",
        width=960,
        height=1280,
        text_entities=[],
    )
    messages, _ = ingest_export(tmp_path, chat([record]))
    assert messages[0].kind == "media"
    assert messages[0].attachment == "photo"
    assert messages[0].text == ""


@pytest.mark.parametrize(
    ("fields", "attachment"),
    [
        ({"file": "(File unavailable, please try again later)"}, "file"),
        ({"file": "files/report.pdf", "mime_type": "application/pdf"}, "report.pdf"),
        ({"file": "files/x.pdf", "file_name": "Quarterly report.pdf"}, "Quarterly report.pdf"),
        (
            {"file": "voice_messages/audio_1.ogg", "media_type": "voice_message"},
            "audio_1.ogg",
        ),
        (
            {"file": "(File not included. Change data exporting settings to download.)"}
            | {"media_type": "video_message"},
            "video_message",
        ),
        ({"file": "video_files/a.mp4", "media_type": "animation"}, "a.mp4"),
        ({"file": "video_files/b.mp4", "media_type": "video_file"}, "b.mp4"),
        ({"file": "files/c.mp3", "media_type": "audio_file"}, "c.mp3"),
        ({"photo": "photos/photo_1@05-06-2021_10-00-00.jpg"}, "photo_1@05-06-2021_10-00-00.jpg"),
    ],
)
def test_media_attachment(tmp_path: Path, fields: dict, attachment: str) -> None:
    messages, _ = ingest_export(tmp_path, chat([message(3, "", **fields)]))
    assert messages[0].kind == "media"
    assert messages[0].attachment == attachment


def test_media_caption_is_text(tmp_path: Path) -> None:
    record = message(3, "look at this", photo="photos/photo_2.jpg")
    messages, _ = ingest_export(tmp_path, chat([record]))
    assert messages[0].kind == "media"
    assert messages[0].text == "look at this"


def test_sticker_keeps_emoji_in_extra(tmp_path: Path) -> None:
    record = message(
        4,
        "",
        file="(File not included. Change data exporting settings to download.)",
        media_type="sticker",
        sticker_emoji="😂",
    )
    messages, _ = ingest_export(tmp_path, chat([record]))
    result = messages[0]
    assert result.kind == "media"
    assert result.attachment == "sticker"
    assert result.text == ""
    assert result.extra["sticker_emoji"] == "😂"


def test_edit_reply_forward(tmp_path: Path) -> None:
    record = message(
        7,
        "fwd",
        edited="2019-06-04T00:03:14",
        reply_to_message_id=5,
        forwarded_from="Cy Sample",
    )
    result = ingest_export(tmp_path, chat([record]))[0][0]
    assert result.edited is True
    assert result.reply_to == "5"
    assert result.forwarded is True
    assert result.extra["forwarded_from"] == "Cy Sample"


def test_plain_message_flags_default(tmp_path: Path) -> None:
    result = ingest_export(tmp_path, chat([message(7)]))[0][0]
    assert result.edited is False
    assert result.reply_to is None
    assert result.forwarded is False
    assert result.is_bot is None
    assert result.extra == {}


def test_via_bot_is_users_message(tmp_path: Path) -> None:
    record = message(8, "a gif", via_bot="@gif")
    result = ingest_export(tmp_path, chat([record], chat_type="private_group"))[0][0]
    assert result.author_id == "user100"
    assert result.is_bot is None
    assert result.extra["via_bot"] == "@gif"


def test_bot_chat_marks_bot(tmp_path: Path) -> None:
    export = chat(
        [
            message(1, "/start", **{"from": "Ana Test", "from_id": "user100"}),
            message(2, "Welcome", **{"from": "Demo Bot", "from_id": "user555"}),
        ],
        name="Demo Bot",
        chat_type="bot_chat",
        chat_id=555,
    )
    messages, _ = ingest_export(tmp_path, export)
    assert [m.is_bot for m in messages] == [False, True]


def test_poll_question_is_text(tmp_path: Path) -> None:
    poll = {
        "question": "Lunch?",
        "closed": False,
        "total_voters": 2,
        "answers": [{"text": "Yes", "voters": 2, "chosen": True}, {"text": "No", "voters": 0}],
    }
    result = ingest_export(tmp_path, chat([message(9, "", poll=poll)]))[0][0]
    assert result.kind == "media"
    assert result.attachment == "poll"
    assert result.text == "Lunch?"
    assert result.extra["poll_answers"] == ["Yes", "No"]


def test_contact_keeps_no_phone(tmp_path: Path) -> None:
    contact = {"first_name": "Cy", "last_name": "Sample", "phone_number": "+10000000000"}
    result = ingest_export(tmp_path, chat([message(10, "", contact_information=contact)]))[0][0]
    assert result.kind == "media"
    assert result.attachment == "contact"
    assert "+10000000000" not in result.to_json()


def test_location_keeps_no_coordinates(tmp_path: Path) -> None:
    location = {"latitude": 52.123456, "longitude": 13.654321}
    record = message(11, "", location_information=location, place_name="Demo Cafe")
    result = ingest_export(tmp_path, chat([record]))[0][0]
    assert result.kind == "media"
    assert result.attachment == "location"
    assert result.extra == {"place_name": "Demo Cafe"}
    assert "52.123456" not in result.to_json()


def test_game_is_media_with_description(tmp_path: Path) -> None:
    record = message(
        12, "", game_title="Demo Run", game_description="Run fast", game_link="https://x.org"
    )
    result = ingest_export(tmp_path, chat([record]))[0][0]
    assert result.kind == "media"
    assert result.attachment == "game"
    assert result.extra["game_title"] == "Demo Run"
    assert result.extra["game_description"] == "Run fast"


@pytest.mark.parametrize("name", [None, ""])
def test_deleted_account_keeps_id(tmp_path: Path, name) -> None:
    record = message(13, "gone", **{"from": name, "from_id": "user300"})
    if name is None:
        record["from"] = None
    result = ingest_export(tmp_path, chat([record]))[0][0]
    assert result.author == "Deleted Account"
    assert result.author_id == "user300"


@pytest.mark.parametrize(
    ("from_id", "expected"),
    [
        ("user123", "user123"),
        ("channel123", "channel123"),
        ("chat123", "chat123"),
        (123, "user123"),
        ("123", "user123"),
    ],
)
def test_from_id_normalized(tmp_path: Path, from_id, expected: str) -> None:
    result = ingest_export(tmp_path, chat([message(1, from_id=from_id)]))[0][0]
    assert result.author_id == expected


def test_author_without_id_gets_name_id(tmp_path: Path) -> None:
    result = ingest_export(tmp_path, chat([message(1, from_id=None)]))[0][0]
    assert result.author_id == "name:ana test"


def test_unknown_record_type_skipped(tmp_path: Path) -> None:
    messages, report = ingest_export(tmp_path, chat([message(1, type="unsupported")]))
    assert messages == []
    assert [(s.location, s.reason) for s in report.skipped] == [
        ("message 1", "unknown record type 'unsupported'")
    ]
