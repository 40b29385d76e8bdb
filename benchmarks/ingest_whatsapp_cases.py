"""Short WhatsApp export shapes with their expected messages, for `ingest_whatsapp.py accuracy`.

Each case is synthetic text in a layout that real exports use. The expected rows are the
authored messages only (system events and empty bodies give none), as (ts, author, text).
Texts are compared with runs of whitespace collapsed and direction marks removed, so the
way a library joins lines does not count as a difference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

Row = tuple[str, str, str]
Runner = Callable[[Path], list[Row]]

NNBSP, NBSP, LRM, BOM = "\u202f", "\u00a0", "\u200e", "\ufeff"

CASES: list[tuple[str, str, list[Row]]] = [
    (
        "narrow no-break space before PM",
        f"2/4/23, 10:35{NNBSP}PM - Ana Test: ok, 5 or 6?\n2/14/23, 10:36{NNBSP}PM - Ben Demo: 6\n",
        [
            ("2023-02-04T22:35:00", "Ana Test", "ok, 5 or 6?"),
            ("2023-02-14T22:36:00", "Ben Demo", "6"),
        ],
    ),
    (
        "lowercase am, then pm",
        f"09/10/2023, 11:11{NNBSP}am - Ana Test: morning\n"
        f"13/10/2023, 12:57{NNBSP}pm - Ana Test: see you\n",
        [
            ("2023-10-09T11:11:00", "Ana Test", "morning"),
            ("2023-10-13T12:57:00", "Ana Test", "see you"),
        ],
    ),
    (
        "p. m. with no-break spaces",
        f"25/12/2023, 9:05{NBSP}p.{NBSP}m. - Ana Test: hola\n",
        [("2023-12-25T21:05:00", "Ana Test", "hola")],
    ),
    (
        "12 h clock, month first",
        "9/18/18, 2:45 PM - Ana Test: sorry, was in a meeting\n",
        [("2018-09-18T14:45:00", "Ana Test", "sorry, was in a meeting")],
    ),
    (
        "00 with AM",
        "[1/30/18, 00:04:03 AM] Bob: late\n[1/31/18, 12:04:03 AM] Bob: later\n",
        [("2018-01-30T00:04:03", "Bob", "late"), ("2018-01-31T00:04:03", "Bob", "later")],
    ),
    (
        "dotted dates, no day above 12",
        "7.9.2020, 11:23 - Ana Test: one\n7.9.2020, 11:24 - Ben Demo: two\n",
        [("2020-09-07T11:23:00", "Ana Test", "one"), ("2020-09-07T11:24:00", "Ben Demo", "two")],
    ),
    (
        "dashed date, dash in body",
        "26-04-2022 12:11 - Ana Test: hi - how are you\n",
        [("2022-04-26T12:11:00", "Ana Test", "hi - how are you")],
    ),
    (
        "dot after the time",
        "2022/12/14, 13:34. - Ana Test: hi\n",
        [("2022-12-14T13:34:00", "Ana Test", "hi")],
    ),
    (
        "dotted time, no comma",
        "30/08/25 18.00 - Budi Contoh: halo\n",
        [("2025-08-30T18:00:00", "Budi Contoh", "halo")],
    ),
    (
        "Finnish klo",
        "13.6.2018 klo 21.25.15 - Mika: moi\n",
        [("2018-06-13T21:25:15", "Mika", "moi")],
    ),
    (
        "Korean date, meridiem before time",
        "2024. 1. 5. 오후 3:04 - 김철수: 안녕\n",
        [("2024-01-05T15:04:00", "김철수", "안녕")],
    ),
    (
        "Arabic-Indic digits",
        "٢٨/٠٢/٢٠٢٢، ٩:٥٢ م - أحمد: مرحبا\n",
        [("2022-02-28T21:52:00", "أحمد", "مرحبا")],
    ),
    (
        "iOS without comma, system lines",
        "[31/12/2022 11:40:26] Ana Test: Hi!\n"
        "[31/12/2022 19:29:20] +00 000 00 00 00 left\n"
        "[31/12/2022 19:29:20] +00 000 00 00 00 changed the subject to “Test Group”\n",
        [("2022-12-31T11:40:26", "Ana Test", "Hi!")],
    ),
    (
        "mark before the line",
        f"{LRM}[29/01/2018, 23:46:03] Ana Test: {LRM}hi\n[29/01/2018, 23:47:03] Ben Demo: yo\n",
        [("2018-01-29T23:46:03", "Ana Test", "hi"), ("2018-01-29T23:47:03", "Ben Demo", "yo")],
    ),
    (
        "byte order mark inside the bracket",
        f"[{BOM}29.01.18, 12:26:03] Dave: Test\n{BOM}[29.01.18, 23:33:03] Alice: ok\n",
        [("2018-01-29T12:26:03", "Dave", "Test"), ("2018-01-29T23:33:03", "Alice", "ok")],
    ),
    (
        "date-like continuation line",
        "10.01.23, 17:54 - Ana Test: Plan for Monday:\n19.30.20.30 h Training\n18.19 h Pause\n",
        [
            (
                "2023-01-10T17:54:00",
                "Ana Test",
                "Plan for Monday: 19.30.20.30 h Training 18.19 h Pause",
            )
        ],
    ),
    (
        "multi-line body with a blank line",
        "[2023-03-07, 16:11:41] Ben Demo: Hi\nJust got back\n\nAnd you?\n",
        [("2023-03-07T16:11:41", "Ben Demo", "Hi Just got back And you?")],
    ),
    (
        "non-contact and dashed authors",
        f"[7/18/21, 18:34:07] ~{NBSP}Kim Example: Sounds good.\n"
        "[7/19/21, 18:34:07] Lea - Work: Which one?\n",
        [
            ("2021-07-18T18:34:07", "Kim Example", "Sounds good."),
            ("2021-07-19T18:34:07", "Lea - Work", "Which one?"),
        ],
    ),
    (
        "event written by the group",
        "[17/01/2023, 10:14:01 AM] Trip: You joined using this group's invite link\n"
        "[17/01/2023, 10:14:09 AM] Omar Test: ok\n",
        [("2023-01-17T10:14:09", "Omar Test", "ok")],
    ),
    (
        "empty body",
        "[1/29/18, 11:59:03 PM] Carol:\n[1/29/18, 11:59:04 PM] Bob: ok\n",
        [("2018-01-29T23:59:04", "Bob", "ok")],
    ),
    (
        "edited marker",
        "03/06/2023, 6:12 am - Ana Test: see you at 7 <This message was edited>\n"
        "13/06/2023, 6:13 am - Ana Test: ok\n",
        [
            ("2023-06-03T06:12:00", "Ana Test", "see you at 7"),
            ("2023-06-13T06:13:00", "Ana Test", "ok"),
        ],
    ),
]

WHATSR = {"Alice", "Bob", "Carol", "Dave", "Mallory"}
CHAT_MINER = {"John Doe", "Jahn Doe", "John-John Doe", "John Doe 🤓", "🤓"}
GROUP = {"Alice", "Bob", "Eve", "Mallory", "Trent"}
# Other projects' test exports in the shared fixtures folder: authored messages (system
# events and empty bodies excluded) and their authors, counted by reading each file.
FIXTURES: dict[str, tuple[int, set[str]]] = {
    **{
        f"whatsr/{os_name}{clock}.txt": (41, WHATSR)
        for os_name in ("englishandroid", "englishios", "germanandroid", "germanios")
        for clock in ("24h", "ampm")
    },
    **{
        f"chat-miner/whatsapp/test_{name}.txt": (6, CHAT_MINER)
        for name in ("[mmddyy]_24hrs", "ddmmyy_24hrs", "mmddyy_24hrs", "mmddyyyy_12hrs")
    },
    "chat-miner/whatsapp/test_yyyymmdd_24hrs.txt": (6, CHAT_MINER),
    "chat-analytics/whatsapp/2A_5M.txt": (5, {"A", "B"}),
    "chat-analytics/whatsapp/4A_11M.txt": (11, GROUP),
    "chat-analytics/whatsapp/4A_11M.zip": (11, GROUP),
    "whats-reader/asian-format-test.txt": (5, {"山田太郎", "佐藤花子"}),
    "whats-reader/bracketed-year-first-test.txt": (3, {"Ana", "Bruno"}),
    "whats-reader/dash-format-test.txt": (5, {"Alice", "Bob"}),
    "whats-reader/dot-time-klo-format-test.txt": (3, {"Mika", "Laura"}),
    "whats-reader/european-ampm-format-test.txt": (4, {"Loris", "Luke"}),
}

_MARKS = re.compile("[\u200e\u200f\ufeff\u202a-\u202e\u2066-\u2069]")


def _normalize(rows: list[Row]) -> list[Row]:
    return sorted(
        (ts, _MARKS.sub("", author).strip(), " ".join(_MARKS.sub("", text).split()))
        for ts, author, text in rows
    )


def judge(runner: Runner, path: Path, expected: list[Row]) -> str:
    """Return `ok`, or what differs from the expected rows, or the error a library raised."""
    try:
        got = _normalize(runner(path))
    # The libraries under test raise anything from ValueError to KeyError on odd input, and
    # each failure is a result to report, not a reason to stop.
    except Exception as error:
        return f"error: {type(error).__name__}"
    want = _normalize(expected)
    if got == want:
        return "ok"
    if len(got) != len(want):
        return f"wrong: {len(got)} messages, expected {len(want)}"
    for got_row, want_row in zip(got, want, strict=True):
        for field, got_value, want_value in zip(
            ("ts", "author", "text"), got_row, want_row, strict=True
        ):
            if got_value != want_value:
                return f"wrong {field}: {got_value!r}"
    return "wrong order"


def judge_fixture(runner: Runner, path: Path, count: int, authors: set[str]) -> str:
    """Return `ok` when a library finds `count` authored messages by `authors`."""
    try:
        rows = _normalize(runner(path))
    except Exception as error:
        return f"error: {type(error).__name__}"
    got_authors = {author for _, author, _ in rows}
    if len(rows) != count:
        return f"wrong: {len(rows)} messages"
    if got_authors != authors:
        return f"wrong authors: {', '.join(sorted(got_authors - authors))}"
    return "ok"


def fixture_accuracy(runners: dict[str, Runner], fixtures: Path) -> None:
    """Print a table: one row per shared fixture file, one column per library."""
    names = list(runners)
    print("| fixture | messages | " + " | ".join(names) + " |")
    print("|---|---:|" + "---|" * len(names))
    for relative, (count, authors) in FIXTURES.items():
        verdicts = [
            judge_fixture(runners[name], fixtures / relative, count, authors) for name in names
        ]
        print(f"| {relative} | {count} | " + " | ".join(verdicts) + " |")


def accuracy(runners: dict[str, Runner], work: Path, quiet: Callable[[], None]) -> None:
    """Print a table: one row per case, one column per library."""
    quiet()
    work.mkdir(parents=True, exist_ok=True)
    names = list(runners)
    print("| case | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    totals = dict.fromkeys(names, 0)
    for index, (case, text, expected) in enumerate(CASES, start=1):
        path = work / f"case-{index:02d}.txt"
        path.write_text(text, encoding="utf-8")
        verdicts = []
        for name in names:
            verdict = judge(runners[name], path, expected)
            totals[name] += verdict == "ok"
            verdicts.append(verdict)
        print(f"| {case} | " + " | ".join(verdicts) + " |")
    print(
        "| **correct** | " + " | ".join(f"**{totals[name]}/{len(CASES)}**" for name in names) + " |"
    )
