"""Helpers shared by the WhatsApp parser tests: write an export, parse it, compare rows."""

from __future__ import annotations

from pathlib import Path

from trainer.ingest import IngestReport, Message, iter_messages

NNBSP = "\u202f"
NBSP = "\u00a0"
LRM = "\u200e"
RLM = "\u200f"
BOM = "\ufeff"
NBH = "\u2011"


def parse_export(
    folder: Path, text: str, name: str = "WhatsApp Chat with Ana Test.txt"
) -> tuple[list[Message], IngestReport]:
    """Write `text` as a WhatsApp export file and parse it through the public entry point."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    report = IngestReport()
    messages = list(iter_messages([path], report=report))
    return messages, report


def rows(messages: list[Message]) -> list[tuple[str, str, str, str]]:
    """Return (ts, author, text, kind) per message, the shorthand the cases are written in."""
    return [(message.ts, message.author, message.text, message.kind) for message in messages]
