"""WhatsApp export shapes that broke other parsers, each with the records it must give.

Every input is synthetic: invented names and numbers in the layout real exports use,
including their invisible characters.
"""

from __future__ import annotations

import pytest

from tests.ingest.whatsapp_helpers import BOM, LRM, NBH, NBSP, NNBSP, parse_export, rows


def test_narrow_space_before_pm(tmp_path):
    text = f"2/4/23, 10:35{NNBSP}PM - Ana Test: ok, 5 or 6?\n2/4/23, 10:36{NNBSP}PM - Ben Demo: 6\n"
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        ("2023-02-04T22:35:00", "Ana Test", "ok, 5 or 6?", "text"),
        ("2023-02-04T22:36:00", "Ben Demo", "6", "text"),
    ]


def test_lowercase_am_then_pm(tmp_path):
    text = (
        f"09/10/2023, 11:11{NNBSP}am - +00 0000 000000: <Media omitted>\n"
        f"09/10/2023, 12:57{NNBSP}pm - +00 0000 000000: see you\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        ("2023-10-09T11:11:00", "+00 0000 000000", "", "media"),
        ("2023-10-09T12:57:00", "+00 0000 000000", "see you", "text"),
    ]


def test_meridiem_not_in_author(tmp_path):
    messages, _ = parse_export(tmp_path, "9/18/18, 2:45 PM - Ana Test: sorry, was in a meeting\n")
    assert rows(messages) == [
        ("2018-09-18T14:45:00", "Ana Test", "sorry, was in a meeting", "text"),
    ]


def test_dotted_meridiem_and_year_first(tmp_path):
    text = (
        "[31/12/2019, 2:14:40 a.m.] Ana Test: hi\n"
        "2023-12-20, 5:46 p.m. - Ben Demo: 👋\n"
        "2023/12/20, 5:46 pm - Ben Demo: 👋\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert [message.ts for message in messages] == [
        "2019-12-31T02:14:40",
        "2023-12-20T17:46:00",
        "2023-12-20T17:46:00",
    ]


def test_dotted_dates_default_day_first(tmp_path):
    text = "7.9.2020, 11:23 - Ana Test: one\n7.9.2020, 11:24 - Ben Demo: two\n"
    messages, report = parse_export(tmp_path, text)
    assert [message.ts for message in messages] == ["2020-09-07T11:23:00", "2020-09-07T11:24:00"]
    assert len(report.warnings) == 1
    assert "day/month/year" in report.warnings[0]


def test_dash_dates_and_dash_in_body(tmp_path):
    messages, _ = parse_export(tmp_path, "26-04-2022 12:11 - Ana Test: hi - how are you\n")
    assert rows(messages) == [("2022-04-26T12:11:00", "Ana Test", "hi - how are you", "text")]


def test_trailing_dot_after_time(tmp_path):
    messages, _ = parse_export(tmp_path, "2022/12/14, 13:34. - Ana Test: hi\n")
    assert rows(messages) == [("2022-12-14T13:34:00", "Ana Test", "hi", "text")]


def test_dotted_time_without_comma(tmp_path):
    messages, _ = parse_export(tmp_path, "30/08/25 18.00 - Budi Contoh: halo\n")
    assert rows(messages) == [("2025-08-30T18:00:00", "Budi Contoh", "halo", "text")]


def test_whatsapp_viewer_layout(tmp_path):
    messages, _ = parse_export(tmp_path, "01.04.2015 - 16:00:27; ME: Läuft die Heizung?\n")
    assert rows(messages) == [("2015-04-01T16:00:27", "ME", "Läuft die Heizung?", "text")]


def test_ios_without_comma_and_events(tmp_path):
    text = (
        "[31/12/2022 11:40:26] Ana Test: Hi!\n"
        "[31/12/2022 19:29:20] +00 000 00 00 00 left\n"
        "[31/12/2022 19:29:20] +00 000 00 00 00 changed the subject to “Test Group”\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        ("2022-12-31T11:40:26", "Ana Test", "Hi!", "text"),
        ("2022-12-31T19:29:20", "", "+00 000 00 00 00 left", "system"),
        (
            "2022-12-31T19:29:20",
            "",
            "+00 000 00 00 00 changed the subject to “Test Group”",
            "system",
        ),
    ]
    assert [message.author_id for message in messages[1:]] == ["system", "system"]


def test_month_first_dashed_ios(tmp_path):
    text = "[01-29-2018, 23:33:00] Ana Test: Hello?\n[01-29-2018, 23:45:01] Ben Demo: Hello\n"
    messages, report = parse_export(tmp_path, text)
    assert [message.ts for message in messages] == ["2018-01-29T23:33:00", "2018-01-29T23:45:01"]
    assert report.warnings == []


def test_group_authored_events(tmp_path):
    text = (
        "[28/02/2022, 9:52:58 PM] مجموعة تجربة: Messages and calls are end-to-end encrypted. "
        "No one outside of this chat, not even WhatsApp, can read or listen to them.\n"
        "[17/01/2023, 10:14:01 AM] مجموعة تجربة: You joined using this group's invite link\n"
        f"[17/01/2023, 10:14:09 AM] ~{NBSP}Omar Test: ok\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert [message.kind for message in messages] == ["system", "system", "text"]
    assert [message.author_id for message in messages[:2]] == ["system", "system"]
    assert messages[0].author == "مجموعة تجربة"
    assert (messages[2].ts, messages[2].author, messages[2].text) == (
        "2023-01-17T10:14:09",
        "Omar Test",
        "ok",
    )


def test_ios_authors_normalized(tmp_path):
    text = (
        f"[7/18/21, 18:34:07] ~{NBSP}Kim Example: Sounds good.\n"
        "[7/18/21, 20:36:20] Lea - Work: Which one?\n"
        f"[7/20/21, 11:21:27] +1 (555) 010{NBH}0000: +1 (555) 010{NBH}0000 joined using this "
        "group's invite link\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert [message.author for message in messages] == [
        "Kim Example",
        "Lea - Work",
        "+1 (555) 010-0000",
    ]
    assert messages[0].author_id == "name:kim example"
    assert messages[1].ts == "2021-07-18T20:36:20"
    assert messages[2].kind == "system"
    assert messages[2].author_id == "system"


def test_hyphenated_author_month_first_dots(tmp_path):
    text = "10.24.21, 15:21:43 - Ana-Maria Test: Testing dash - in message body\n"
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        ("2021-10-24T15:21:43", "Ana-Maria Test", "Testing dash - in message body", "text"),
    ]


def test_date_like_continuation_lines(tmp_path):
    text = (
        "10.01.23, 17:54 - Ana Test: Plan for Monday:\n"
        "19.30.20.30 h Training Montag\n"
        "18.19 h Pause\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        (
            "2023-01-10T17:54:00",
            "Ana Test",
            "Plan for Monday:\n19.30.20.30 h Training Montag\n18.19 h Pause",
            "text",
        ),
    ]


def test_multiline_body_joined(tmp_path):
    text = (
        "[2023-03-07, 16:11:41] Ben Demo: Hi\n"
        "Just got back\n"
        "\n"
        "And you?\n"
        "\n"
        "[2023-03-07, 16:12:00] Ana Test: fine\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        ("2023-03-07T16:11:41", "Ben Demo", "Hi\nJust got back\n\nAnd you?", "text"),
        ("2023-03-07T16:12:00", "Ana Test", "fine", "text"),
    ]


def test_mark_before_ios_media_line(tmp_path):
    text = (
        f"{LRM}[29/01/2018, 23:46:03] Ana Test: {LRM}<attached: "
        "00000012-PHOTO-2018-01-29-23-46-03.jpg>\n"
        f"[29/01/2018, 23:47:03] Ben Demo: {LRM}image omitted\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        ("2018-01-29T23:46:03", "Ana Test", "", "media"),
        ("2018-01-29T23:47:03", "Ben Demo", "", "media"),
    ]
    assert [message.attachment for message in messages] == [
        "00000012-PHOTO-2018-01-29-23-46-03.jpg",
        "image",
    ]


@pytest.mark.parametrize(
    "body",
    [
        "video omitted",
        "audio omitted",
        "sticker omitted",
        "GIF omitted",
        "document omitted",
        "Contact card omitted",
    ],
)
def test_ios_omitted_media(tmp_path, body):
    messages, _ = parse_export(tmp_path, f"[29/01/2018, 23:47:03] Ben Demo: {LRM}{body}\n")
    assert messages[0].kind == "media"
    assert messages[0].attachment == body.removesuffix(" omitted").split()[0].lower()


@pytest.mark.parametrize(
    "body",
    [
        f"{LRM}This message was deleted.",
        f"{LRM}You deleted this message.",
        "This message was deleted",
    ],
)
def test_deleted_messages(tmp_path, body):
    messages, _ = parse_export(tmp_path, f"[29/01/2018, 23:47:03] Ben Demo: {body}\n")
    assert (messages[0].kind, messages[0].text, messages[0].author) == ("deleted", "", "Ben Demo")


def test_localized_attachment_markers(tmp_path):
    text = (
        "01/03/2024, 15:37 - Ana Test: IMG-20240301-WA0007.jpg (file attached)\n"
        "02.03.24 22:49 - Ana Test: IMG-20240302-WA0003.jpg (soubor byl přiložen)\n"
        "[3/3/24 10:13:49] Ana Test: <adjunto: 00000005-PHOTO-2024-03-03-10-13-49.jpg>\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert [message.kind for message in messages] == ["media", "media", "media"]
    assert [message.attachment for message in messages] == [
        "IMG-20240301-WA0007.jpg",
        "IMG-20240302-WA0003.jpg",
        "00000005-PHOTO-2024-03-03-10-13-49.jpg",
    ]
    assert [message.ts[:10] for message in messages] == ["2024-03-01", "2024-03-02", "2024-03-03"]


@pytest.mark.parametrize(
    ("body", "attachment"),
    [
        ("<Media omitted>", "media"),
        ("<Medien ausgelassen>", "media"),
        ("<Médias omis>", "media"),
        ("Foto.jpg (Datei angehängt)", "Foto.jpg"),
        ("Foto.jpg (fichier joint)", "Foto.jpg"),
        ("Foto.jpg (archivo adjunto)", "Foto.jpg"),
        ("<Anhang: Foto.jpg>", "Foto.jpg"),
        ("<allegato: Foto.jpg>", "Foto.jpg"),
    ],
)
def test_media_markers_by_language(tmp_path, body, attachment):
    messages, _ = parse_export(tmp_path, f"13/02/2024, 15:37 - Ana Test: {body}\n")
    assert (messages[0].kind, messages[0].attachment) == ("media", attachment)


def test_media_caption_kept(tmp_path):
    text = "13/02/2024, 15:37 - Ana Test: IMG-20240213-WA0001.jpg (file attached)\nthe view\n"
    messages, _ = parse_export(tmp_path, text)
    assert (messages[0].kind, messages[0].text) == ("media", "the view")


def test_edited_marker_removed(tmp_path):
    messages, _ = parse_export(
        tmp_path, "03/06/2023, 6:12 am - Ana Test: see you at 7 <This message was edited>\n"
    )
    assert rows(messages) == [("2023-06-03T06:12:00", "Ana Test", "see you at 7", "text")]
    assert messages[0].edited is True


@pytest.mark.parametrize(
    "marker",
    [
        f"{LRM}<This message was edited>",
        "<Diese Nachricht wurde bearbeitet>",
        "<Se editó este mensaje.>",
    ],
)
def test_edited_marker_by_language(tmp_path, marker):
    messages, _ = parse_export(tmp_path, f"[13/02/2024, 15:37:00] Ana Test: bis später {marker}\n")
    assert (messages[0].text, messages[0].edited) == ("bis später", True)


def test_unedited_message_flag(tmp_path):
    messages, _ = parse_export(tmp_path, "13/02/2024, 15:37 - Ana Test: <b>bold</b>\n")
    assert (messages[0].text, messages[0].edited) == ("<b>bold</b>", False)


def test_android_dotted_layout(tmp_path):
    messages, _ = parse_export(tmp_path, "09.04.18, 10:19 - Ana Test: MESSAGE\n")
    assert rows(messages) == [("2018-04-09T10:19:00", "Ana Test", "MESSAGE", "text")]


def test_one_line_rename_event(tmp_path):
    text = "[11/04/2013, 21:56:03] Ana Test: Ana Test changed the group name to “test family”\n"
    messages, report = parse_export(tmp_path, text)
    assert rows(messages) == [
        (
            "2013-04-11T21:56:03",
            "Ana Test",
            "Ana Test changed the group name to “test family”",
            "system",
        ),
    ]
    assert messages[0].author_id == "system"
    assert report.skipped == []


def test_zero_hour_with_am(tmp_path):
    text = "[1/30/18, 00:04:03 AM] Bob: late\n06/20/2020, 00:08 a. m. - Ana Test: later\n"
    messages, _ = parse_export(tmp_path, text)
    assert [message.ts for message in messages] == ["2018-01-30T00:04:03", "2020-06-20T00:08:00"]


def test_out_of_order_kept(tmp_path):
    text = (
        "1/1/21, 12:00 - A: Hi\n"
        "1/1/21, 12:03 - B: <media omitted>\n"
        "1/1/21, 12:02 - A: This message should be reordered\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert [message.id for message in messages] == ["1", "2", "3"]
    assert [message.ts[11:16] for message in messages] == ["12:00", "12:03", "12:02"]


def test_empty_bodies_skipped(tmp_path):
    text = (
        "[1/29/18, 11:58:03 PM] Bob: post one\n"
        "[1/29/18, 11:59:03 PM] Carol:\n"
        "[1/29/18, 11:59:04 PM] John Doe:.\n"
        "[1/29/18, 11:59:05 PM] Dave: \n"
    )
    messages, report = parse_export(tmp_path, text)
    assert [message.author for message in messages] == ["Bob"]
    assert [entry.location for entry in report.skipped] == ["line 2", "line 3", "line 4"]
    assert all("empty message body" in entry.reason for entry in report.skipped)


def test_emoji_authors_and_chat_name(tmp_path):
    family = "👨\u200d👩\u200d👧\u200d👦"
    text = f"12/20/21, 12:10 - 🤓: Lorem ipsum 🤓\n12/20/21, 12:11 - {family} Fam: hi {family}\n"
    messages, _ = parse_export(tmp_path, text, name=f"WhatsApp Chat with {family} Fam.txt")
    assert [message.author for message in messages] == ["🤓", f"{family} Fam"]
    assert messages[1].text == f"hi {family}"
    assert messages[0].chat_name == f"{family} Fam"
    assert messages[0].chat_id.startswith(f"whatsapp:{family}-fam-")


def test_finnish_klo_and_colon_separator(tmp_path):
    text = (
        "13.6.2018 klo 21.25.15 - Mika: tämä on testi\n"
        "13.06.18 21.25.15: Laura: tämä on toinen testi\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        ("2018-06-13T21:25:15", "Mika", "tämä on testi", "text"),
        ("2018-06-13T21:25:15", "Laura", "tämä on toinen testi", "text"),
    ]


def test_business_prelude(tmp_path):
    text = (
        f"[13/11/2025, 12:25:55{NNBSP}PM] Shop: {LRM}This business uses a secure service from "
        "Meta to manage this chat. Tap to learn more.\n"
        f"[13/11/2025, 12:25:55{NNBSP}PM] Shop:\n"
        f"[13/11/2025, 9:09:43{NNBSP}AM] Shop: Your cart misses you\nOrder now\n"
    )
    messages, report = parse_export(tmp_path, text)
    assert [(message.kind, message.author_id) for message in messages] == [
        ("system", "system"),
        ("text", "name:shop"),
    ]
    assert messages[1].text == "Your cart misses you\nOrder now"
    assert [entry.location for entry in report.skipped] == ["line 2"]


def test_stray_byte_order_marks(tmp_path):
    text = (
        f"{BOM}[{BOM}29.01.18, 12:26:03] Dave: Test{BOM} test\n"
        f"{BOM}{BOM}[29.01.18, 23:33:03] Alice: ok\n"
    )
    messages, _ = parse_export(tmp_path, text)
    assert rows(messages) == [
        ("2018-01-29T12:26:03", "Dave", "Test test", "text"),
        ("2018-01-29T23:33:03", "Alice", "ok", "text"),
    ]
