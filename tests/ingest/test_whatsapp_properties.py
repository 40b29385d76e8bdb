"""Property tests: generated chats in many locale layouts round-trip, and junk never crashes."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainer.ingest import IngestError, IngestReport, Message, whatsapp
from trainer.ingest.sources import Source

NNBSP = "\u202f"
NBSP = "\u00a0"
LRM = "\u200e"
RLM = "\u200f"
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")

Renderer = Callable[[datetime], str]


def _hour12(moment: datetime) -> int:
    return moment.hour % 12 or 12


def _english_meridiem(moment: datetime) -> str:
    return "PM" if moment.hour >= 12 else "AM"


# Each layout is a function that renders the header up to the author, including the
# separator, and a flag that is True when the header shows seconds.
LAYOUTS: dict[str, tuple[Renderer, bool]] = {
    "android en-US": (
        lambda m: f"{m.month}/{m.day}/{m:%y}, {_hour12(m)}:{m:%M}{NNBSP}{_english_meridiem(m)} - ",
        False,
    ),
    "android en-GB": (lambda m: f"{m:%d/%m/%Y, %H:%M} - ", False),
    "android de": (lambda m: f"{m:%d.%m.%y, %H:%M} - ", False),
    "android es": (
        lambda m: (
            f"{m.day}/{m.month}/{m.year}, {_hour12(m)}:{m:%M}{NBSP}"
            f"{'p.' if m.hour >= 12 else 'a.'}{NBSP}m. - "
        ),
        False,
    ),
    "android year-first": (lambda m: f"{m:%Y-%m-%d, %H:%M} - ", False),
    "android id": (lambda m: f"{m:%d/%m/%y %H.%M} - ", False),
    "android fi": (lambda m: f"{m.day}.{m.month}.{m.year} klo {m:%H.%M.%S} - ", True),
    "android ar": (
        lambda m: (
            f"{m.day}{RLM}/{m.month}{RLM}/{m.year}، {_hour12(m)}:{m:%M} "
            f"{'م' if m.hour >= 12 else 'ص'} - ".translate(ARABIC_DIGITS)
        ),
        False,
    ),
    "android hi": (
        lambda m: f"{m:%d/%m/%Y}, {_hour12(m)}:{m:%M} {_english_meridiem(m).lower()} - ".translate(
            DEVANAGARI_DIGITS
        ),
        False,
    ),
    "android ko": (
        lambda m: (
            f"{m.year}. {m.month}. {m.day}. {'오후' if m.hour >= 12 else '오전'} "
            f"{_hour12(m)}:{m:%M} - "
        ),
        False,
    ),
    "ios en-GB": (lambda m: f"[{m:%d/%m/%Y, %H:%M:%S}] ", True),
    "ios en-US": (
        lambda m: (
            f"{LRM}[{m.month}/{m.day}/{m:%y}, {_hour12(m)}:{m:%M:%S}{NNBSP}{_english_meridiem(m)}] "
        ),
        True,
    ),
    "ios de": (lambda m: f"\ufeff[{m:%d.%m.%y %H:%M:%S}] ", True),
}

NAME_WORDS = [
    "Ana",
    "Ben",
    "Zoë",
    "Jean-Luc",
    "Иван",
    "李雷",
    "Ömer",
    "👍",
    "🤓",
    "👨\u200d👩\u200d👧",
    "+49 151 234\u20115678",
]
TEXT_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "Zs", "So"),
    include_characters=",.!?-:;/",
    exclude_characters="\u2028\u2029\x85",
)

# Names as the export writes them, with iOS's `~` marker for non-contacts now and then.
authors = st.builds(
    lambda marker, words, joiner: marker + joiner.join(words),
    st.sampled_from(["", "", f"~{NBSP}", f"~{NNBSP}"]),
    st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3),
    st.sampled_from([" ", " - "]),
)


def display_name(written: str) -> str:
    """Return the name the parser must report for a name as the export writes it."""
    name = written.replace("\u2011", "-")
    for marker in (f"~{NBSP}", f"~{NNBSP}"):
        name = name.removeprefix(marker)
    return name


def _line(first_letter: str, rest: str) -> str:
    return (first_letter + rest).strip()


lines = st.builds(_line, st.sampled_from("abcxyzÄЖ漢"), st.text(TEXT_ALPHABET, max_size=40))
bodies = st.builds(
    lambda first, more, gap: "\n".join([first, *([""] if gap and more else []), *more]),
    lines,
    st.lists(lines, max_size=3),
    st.booleans(),
)
moments = st.datetimes(min_value=datetime(2009, 1, 1), max_value=datetime(2037, 12, 31))
chats = st.lists(st.tuples(moments, authors, bodies), min_size=1, max_size=8)

# Every generated chat starts with this message so that day/month order is settled.
ANCHOR = (datetime(2020, 1, 25, 10, 0, 0), "Anchor", "start")


def parse_bytes(data: bytes, report: IngestReport | None = None) -> list[Message]:
    source = Source("WhatsApp Chat with Test.txt", len(data), lambda: io.BytesIO(data))
    return list(whatsapp.parse([source], report if report is not None else IngestReport()))


def render(layout: str, chat: list[tuple[datetime, str, str]]) -> str:
    renderer, _ = LAYOUTS[layout]
    return "".join(f"{renderer(moment)}{author}: {body}\n" for moment, author, body in chat)


def expected_ts(layout: str, moment: datetime) -> str:
    _, with_seconds = LAYOUTS[layout]
    return moment.replace(microsecond=0, second=moment.second if with_seconds else 0).isoformat()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=st.sampled_from(sorted(LAYOUTS)), chat=chats)
def test_generated_chat_round_trips(layout, chat):
    chat = [ANCHOR, *chat]
    messages = parse_bytes(render(layout, chat).encode("utf-8"))
    got = [(message.ts, message.author, message.text, message.kind) for message in messages]
    expected = [
        (expected_ts(layout, moment), display_name(author), body, "text")
        for moment, author, body in chat
    ]
    assert got == expected


@settings(max_examples=60, deadline=None)
@given(layout=st.sampled_from(sorted(LAYOUTS)), chat=chats)
def test_generated_ids_are_header_lines(layout, chat):
    chat = [ANCHOR, *chat]
    text = render(layout, chat)
    messages = parse_bytes(text.encode("utf-8"))
    header_lines = []
    number = 1
    for _, _, body in chat:
        header_lines.append(str(number))
        number += body.count("\n") + 1
    assert [message.id for message in messages] == header_lines


SAMPLE = (
    "\ufeff12/01/2023, 09:15 - Messages and calls are end-to-end encrypted.\n"
    "13/01/2023, 09:16 - Ana Test: hello there\n"
    "second line\n"
    "\n"
    "[13/01/2023, 09:17:05] Ben Demo: \u200e<attached: 00000001-PHOTO-2023-01-13-09-17-05.jpg>\n"
    "13/01/2023, 10:02\u202fpm - ~\u00a0Kim: see you <This message was edited>\n"
    "13/01/2023, 10:03 pm - Ben Demo: This message was deleted\n"
    "13/01/2023, 10:04 pm - Ana Test:\n"
).encode()


def _parse_or_reject(data: bytes) -> None:
    try:
        parse_bytes(data)
    except IngestError as error:
        assert "\n" not in str(error)


@settings(max_examples=200, deadline=None)
@given(
    cut=st.integers(min_value=0, max_value=len(SAMPLE)),
    flips=st.lists(
        st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(0, 255)), min_size=1, max_size=12
    ),
)
def test_corrupted_export_never_crashes(cut, flips):
    data = bytearray(SAMPLE)
    for position, value in flips:
        data[position] = value
    _parse_or_reject(bytes(data[:cut]))


@settings(max_examples=200, deadline=None)
@given(junk=st.binary(max_size=2000), position=st.integers(0, len(SAMPLE)))
def test_binary_junk_never_crashes(junk, position):
    _parse_or_reject(SAMPLE[:position] + junk + SAMPLE[position:])


def test_truncated_export_keeps_messages_before_cut():
    cut = SAMPLE.index(b"second line")
    messages = parse_bytes(SAMPLE[:cut])
    assert [message.text for message in messages] == [
        "Messages and calls are end-to-end encrypted.",
        "hello there",
    ]
