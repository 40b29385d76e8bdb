"""Generated Telegram exports parse into the records they were built from, and damaged ones
fail only with IngestError or a partial parse that the report explains."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest.telegram_helpers import chat, full_export
from trainer.ingest import IngestError, IngestReport, telegram
from trainer.ingest.sources import Source

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

plain_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)
pieces = st.lists(
    st.one_of(
        plain_text,
        st.builds(
            lambda kind, text: {"type": kind, "text": text},
            st.sampled_from(["bold", "link", "italic", "mention", "custom_emoji"]),
            plain_text,
        ),
    ),
    max_size=5,
)
names = st.text(alphabet="ABCDEFGHIJ abcdefghij", min_size=1, max_size=12)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """One message or service record with everything the parser reads drawn at random."""
    kind = draw(st.sampled_from(["text", "media", "service"]))
    record: dict[str, Any] = {
        "id": 0,
        "type": "service" if kind == "service" else "message",
        "date_unixtime": str(draw(st.integers(1_300_000_000, 1_900_000_000))),
    }
    author = draw(names)
    author_number = draw(st.integers(1, 10**10))
    if kind == "service":
        record |= {"actor": author, "actor_id": f"user{author_number}"}
        record["action"] = draw(st.sampled_from(["pin_message", "invite_members", "phone_call"]))
    else:
        record |= {"from": author, "from_id": f"user{author_number}"}
    record["text"] = draw(st.one_of(plain_text, pieces))
    if kind == "media":
        record["file"] = draw(
            st.sampled_from(["files/a.pdf", "(File not included. Change settings.)"])
        )
        record["media_type"] = draw(st.sampled_from(["voice_message", "sticker", "video_file"]))
    if draw(st.booleans()):
        record["edited"] = "2020-01-01T00:00:00"
    if draw(st.booleans()):
        record["reply_to_message_id"] = draw(st.integers(1, 10**6))
    if kind == "text" and draw(st.booleans()):
        record["forwarded_from"] = draw(names)
    return record


def _expected_text(text: str | list) -> str:
    if isinstance(text, str):
        return text
    return "".join(piece if isinstance(piece, str) else piece["text"] for piece in text)


def _parse_bytes(data: bytes) -> tuple[list, IngestReport]:
    report = IngestReport()
    source = Source("export/result.json", len(data), lambda: io.BytesIO(data))
    return list(telegram.parse([source], report)), report


def _render(export: dict, indent: int | None) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=indent).encode("utf-8")


@SETTINGS
@given(
    generated=st.lists(records(), max_size=12),
    full=st.booleans(),
    indent=st.sampled_from([None, 1]),
)
def test_generated_export_round_trips(generated: list[dict], full: bool, indent) -> None:
    for number, record in enumerate(generated, start=1):
        record["id"] = number
    single = chat(generated, name="Generated", chat_type="private_group", chat_id=42)
    export = full_export([single]) if full else single
    messages, report = _parse_bytes(_render(export, indent))

    assert len(messages) == len(generated)
    assert report.skipped == []
    for message, record in zip(messages, generated, strict=True):
        seconds = int(record["date_unixtime"])
        assert message.id == str(record["id"])
        assert message.chat_id == "telegram:42"
        assert message.ts == datetime.fromtimestamp(seconds, UTC).isoformat()
        assert message.text == _expected_text(record["text"])
        expected_kind = {"service": "system"}.get(record["type"], "text")
        if "file" in record:
            expected_kind = "media"
        assert message.kind == expected_kind
        assert message.author == record.get("from", record.get("actor"))
        assert message.author_id == record.get("from_id", record.get("actor_id"))
        assert message.edited == ("edited" in record)
        reply_to = record.get("reply_to_message_id")
        assert message.reply_to == (str(reply_to) if reply_to is not None else None)
        assert message.forwarded == ("forwarded_from" in record)


FUZZ_EXPORT = chat(
    [
        {
            "id": number,
            "type": "message",
            "date_unixtime": str(1_600_000_000 + number),
            "from": "Ana Test",
            "from_id": "user100",
            "text": ["hi ", {"type": "bold", "text": f"number {number}"}],
        }
        for number in range(1, 9)
    ]
    + [
        {
            "id": 9,
            "type": "service",
            "date_unixtime": "1600000009",
            "actor": "Ben Demo",
            "actor_id": "user200",
            "action": "pin_message",
            "message_id": 3,
        }
    ],
    name="Fuzz",
)
FUZZ_BYTES = _render(FUZZ_EXPORT, 1)
FULL_PARSE = [message.id for message in _parse_bytes(FUZZ_BYTES)[0]]


@FUZZ_SETTINGS
@given(cut=st.integers(0, len(FUZZ_BYTES) - 1))
def test_truncated_export_keeps_prefix(cut: int) -> None:
    try:
        messages, report = _parse_bytes(FUZZ_BYTES[:cut])
    except IngestError:
        return
    ids = [message.id for message in messages]
    assert ids == FULL_PARSE[: len(ids)]
    assert report.skipped
    assert report.skipped[-1].location.startswith(("byte ", "near byte "))


@FUZZ_SETTINGS
@given(
    start=st.integers(0, len(FUZZ_BYTES) - 1),
    garbage=st.binary(min_size=1, max_size=8),
    drop=st.integers(0, 8),
)
def test_corrupted_export_fails_cleanly(start: int, garbage: bytes, drop: int) -> None:
    data = FUZZ_BYTES[:start] + garbage + FUZZ_BYTES[start + drop :]
    try:
        messages, report = _parse_bytes(data)
    except IngestError as error:
        assert str(error)
        return
    assert len(messages) <= len(FULL_PARSE) + 1
    for entry in report.skipped:
        assert entry.file == "export/result.json"
        assert entry.location
        assert entry.reason
