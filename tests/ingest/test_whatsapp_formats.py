"""Locale layouts, date order, file names and errors of the WhatsApp parser."""

from __future__ import annotations

import re
import zipfile

import pytest

from tests.ingest.whatsapp_helpers import NBSP, NNBSP, RLM, parse_export, rows
from trainer.ingest import IngestError, IngestReport, iter_messages, whatsapp
from trainer.ingest.whatsapp import chat_id_for, chat_name_from, clean_author, looks_like
from trainer.ingest.whatsapp_header import iso_time, scan_date_order


@pytest.mark.parametrize(
    ("meridiem", "expected"),
    [
        ("AM", "09:05"),
        ("PM", "21:05"),
        ("am", "09:05"),
        ("pm", "21:05"),
        ("a.m.", "09:05"),
        ("p.m.", "21:05"),
        ("a. m.", "09:05"),
        (f"p.{NBSP}m.", "21:05"),
        (f"p.{NNBSP}m.", "21:05"),
        ("午前", "09:05"),
        ("午後", "21:05"),
        ("上午", "09:05"),
        ("下午", "21:05"),
        ("오전", "09:05"),
        ("오후", "21:05"),
        ("ص", "09:05"),
        ("م", "21:05"),
        ("π.μ.", "09:05"),
        ("μ.μ.", "21:05"),
    ],
)
@pytest.mark.parametrize("space", [" ", NNBSP, NBSP])
def test_meridiem_after_time(tmp_path, meridiem, expected, space):
    messages, _ = parse_export(tmp_path, f"25/12/2023, 9:05{space}{meridiem} - Ana Test: hi\n")
    assert messages[0].ts == f"2023-12-25T{expected}:00"
    assert messages[0].author == "Ana Test"


@pytest.mark.parametrize(("meridiem", "hour"), [("上午", "09"), ("下午", "21"), ("오후", "21")])
def test_meridiem_before_time(tmp_path, meridiem, hour):
    messages, _ = parse_export(tmp_path, f"2023/12/25 {meridiem}9:05 - 王小明: 你好\n")
    assert rows(messages) == [(f"2023-12-25T{hour}:05:00", "王小明", "你好", "text")]


def test_korean_spaced_date(tmp_path):
    messages, _ = parse_export(tmp_path, "2024. 1. 5. 오후 3:04 - 김철수: 안녕\n")
    assert rows(messages) == [("2024-01-05T15:04:00", "김철수", "안녕", "text")]


@pytest.mark.parametrize(
    ("hour", "meridiem", "expected"),
    [("12", "AM", "00"), ("12", "PM", "12"), ("00", "AM", "00"), ("23", "PM", "23")],
)
def test_twelve_hour_edges(hour, meridiem, expected):
    assert iso_time(hour, "30", None, meridiem) == f"{expected}:30:00"


def test_arabic_digits_and_marks(tmp_path):
    text = f"٢٨{RLM}/٠٢{RLM}/٢٠٢٢، ٩:٥٢ م - أحمد: مرحبا ٣\n"
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [("2022-02-28T21:52:00", "أحمد", "مرحبا ٣", "text")]


def test_persian_digits(tmp_path):
    messages, _ = parse_export(tmp_path, "۲۸/۰۲/۲۰۲۲، ۱۴:۰۵ - سارا: سلام\n")
    assert rows(messages) == [("2022-02-28T14:05:00", "سارا", "سلام", "text")]


def test_devanagari_digits(tmp_path):
    messages, _ = parse_export(tmp_path, "२८/०२/२०२२, १०:३० am - राहुल: नमस्ते\n")
    assert rows(messages) == [("2022-02-28T10:30:00", "राहुल", "नमस्ते", "text")]


def test_month_first_default_for_us_dates(tmp_path):
    messages, report = parse_export(tmp_path, "1/2/23, 9:05 PM - Ana Test: hi\n")
    assert messages[0].ts == "2023-01-02T21:05:00"
    assert len(report.warnings) == 1
    assert "month/day/year" in report.warnings[0]


def test_day_first_default_for_padded_dates(tmp_path):
    messages, report = parse_export(tmp_path, "01/02/2023, 21:05 - Ana Test: hi\n")
    assert messages[0].ts == "2023-02-01T21:05:00"
    assert "day/month/year" in report.warnings[0]


def test_order_decided_by_late_date(tmp_path):
    text = "".join(f"{day}/1/23, 10:00 - Ana Test: day {day}\n" for day in range(1, 14))
    messages, report = parse_export(tmp_path, text)
    assert [message.ts[:10] for message in messages[:2]] == ["2023-01-01", "2023-01-02"]
    assert messages[-1].ts[:10] == "2023-01-13"
    assert report.warnings == []


def test_mixed_orders_warned(tmp_path):
    text = "13/01/23, 10:00 - Ana Test: one\n01/14/23, 10:00 - Ana Test: two\n"
    messages, report = parse_export(tmp_path, text)
    assert [message.ts[:10] for message in messages] == ["2023-01-13", "2023-01-14"]
    assert any("line 2" in warning for warning in report.warnings)


def test_year_first_needs_no_warning(tmp_path):
    _, report = parse_export(tmp_path, "2023/01/02, 10:00 - Ana Test: hi\n")
    assert report.warnings == []


def test_scan_date_order_without_headers():
    assert scan_date_order(["just text\n", "more text\n"]) is None


@pytest.mark.parametrize(
    "line",
    [
        "31/02/23, 10:00 - Ana Test: no such day",
        "25/12/23, 24:00 - Ana Test: no such hour",
        "25/12/23, 10:60 - Ana Test: no such minute",
        "25/12/23, 10:00 Ana Test: no separator",
        "25/12/123, 10:00 - Ana Test: three-digit year",
    ],
)
def test_invalid_header_is_continuation(tmp_path, line):
    messages, _ = parse_export(tmp_path, f"25/12/23, 09:00 - Ben Demo: first\n{line}\n")
    assert len(messages) == 1
    assert messages[0].text == f"first\n{line}"


def test_crlf_line_endings(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_bytes(b"25/12/23, 09:00 - Ben Demo: first\r\nsecond\r\n25/12/23, 09:01 - Ana: x\r\n")
    messages = list(iter_messages([path]))
    assert [message.text for message in messages] == ["first\nsecond", "x"]


def test_quoted_colon_in_event(tmp_path):
    text = "25/12/23, 09:00 - Ana Test changed the subject to “Plan: Friday”\n"
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        ("2023-12-25T09:00:00", "", "Ana Test changed the subject to “Plan: Friday”", "system"),
    ]


def test_system_line_with_continuation(tmp_path):
    text = "25/12/23, 09:00 - Ana Test changed the group description\nnew rules\n"
    messages, _ = parse_export(tmp_path, text)
    assert (messages[0].kind, messages[0].text) == (
        "system",
        "Ana Test changed the group description\nnew rules",
    )


def test_everyday_sentence_stays_text(tmp_path):
    messages, _ = parse_export(tmp_path, "25/12/23, 09:00 - Ana Test: I think he left the group\n")
    assert messages[0].kind == "text"


def test_text_before_first_header_skipped(tmp_path):
    text = "exported by a tool\nversion 2\n\n25/12/23, 09:00 - Ana Test: hi\n"
    messages, report = parse_export(tmp_path, text)
    assert len(messages) == 1
    assert messages[0].id == "4"
    assert [(entry.location, entry.reason) for entry in report.skipped] == [
        ("lines 1-3", "text before the first message"),
    ]


def test_no_header_raises(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Shopping list\nmilk\n", encoding="utf-8")
    with pytest.raises(IngestError) as raised:
        list(iter_messages([path], fmt="whatsapp"))
    message = str(raised.value)
    assert message.startswith(f"{path}: line 1: no WhatsApp message line found")
    assert "\n" not in message


def test_invalid_dates_only_raise(tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text("31/31/23, 10:00 - Ana Test: hi\n", encoding="utf-8")
    with pytest.raises(IngestError):
        list(iter_messages([path], fmt="whatsapp"))


def test_zip_export_chat_name(tmp_path):
    archive = tmp_path / "WhatsApp Chat - Ana Test.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("_chat.txt", "[25/12/23, 09:00:00] Ana Test: hi\n")
        bundle.writestr("00000001-PHOTO-2023-12-25-09-00-00.jpg", b"\xff\xd8")
    report = IngestReport()
    messages = list(iter_messages([archive], report=report))
    assert [message.chat_name for message in messages] == ["Ana Test"]
    assert re.fullmatch(r"whatsapp:ana-test-[0-9a-f]{8}", messages[0].chat_id)


@pytest.mark.parametrize(
    ("source_name", "chat_name"),
    [
        ("exports/WhatsApp Chat with Ana Test.txt", "Ana Test"),
        ("exports/WhatsApp Chat with Ana Test (1).txt", "Ana Test"),
        ("exports/WhatsApp-Chat mit Ana Test.txt", "Ana Test"),
        ("exports/WhatsApp Chat - Ben.zip!_chat.txt", "Ben"),
        ("exports/backup.zip!WhatsApp Chat with Cara.txt", "Cara"),
        ("exports/family.txt", "family"),
        ("exports/WhatsApp Chat - Dana/_chat.txt", "Dana"),
    ],
)
def test_chat_name_from_file_name(source_name, chat_name):
    assert chat_name_from(source_name) == chat_name


def test_chat_id_ignores_case_and_spaces():
    assert chat_id_for("Ana  Test", ["line"]) == chat_id_for("ana test", ["line"])


def test_chat_id_differs_by_first_messages():
    assert chat_id_for("Ana", ["[1/2/23, 10:00:00] Ana"]) != chat_id_for(
        "Ana", ["[1/2/23, 10:00:00] Ben"]
    )


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        (f"~{NBSP}Kim Example", "Kim Example"),
        (f"~{NNBSP}Kim Example", "Kim Example"),
        ("\u200e+1 (555) 010\u20110000", "+1 (555) 010-0000"),
        ("Ana\u00a0Test", "Ana Test"),
        ("~Tilde", "~Tilde"),
    ],
)
def test_clean_author(raw, name):
    assert clean_author(raw) == name


@pytest.mark.parametrize(
    "head",
    [
        "1/29/18, 12:24 - Mallory: Hey!\n",
        "[29.01.18, 12:24:03] Mallory: Hey!\n",
        "\u200e[29/01/2018, 23:46:03] Ana Test: \u200eimage omitted\n",
        "\n\n12/9/20, 23:55 - Messages and calls are end-to-end encrypted.\n",
    ],
)
def test_looks_like_exports(head):
    assert looks_like(head) is True


@pytest.mark.parametrize(
    "head",
    [
        '{\n "name": "Chat",\n "type": "personal_chat"\n}\n',
        "AuthorID,Author,Date,Content\n1,ana,10/6/2023 12:37 AM,hi\n",
        "Dear diary,\ntoday was 12/12/23, a good day.\n",
        "[2019-12-24, 12:23] Jane Doe: Hello John!\n",
        "",
    ],
)
def test_looks_like_other_files(head):
    assert looks_like(head) is False


def test_overlong_message_truncated(tmp_path, monkeypatch):
    monkeypatch.setattr(whatsapp, "MAX_BODY_LINES", 3)
    text = "25/12/23, 09:00 - Ana Test: one\ntwo\nthree\nfour\nfive\n25/12/23, 09:01 - Ben: ok\n"
    messages, report = parse_export(tmp_path, text)
    assert [message.text for message in messages] == ["one\ntwo\nthree\nfour", "ok"]
    assert [entry.location for entry in report.skipped] == ["line 5"]


def test_signal_layout_forced(tmp_path):
    path = tmp_path / "signal.txt"
    path.write_text("[2019-12-24, 12:23] Jane Doe: Hello John!\n", encoding="utf-8")
    messages = list(iter_messages([path], fmt="whatsapp"))
    assert [(message.ts, message.author) for message in messages] == [
        ("2019-12-24T12:23:00", "Jane Doe")
    ]
