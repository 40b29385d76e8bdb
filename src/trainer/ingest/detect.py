"""Decide an export's format from its content, never from its file name."""

from __future__ import annotations

from trainer.ingest import discord, meta, telegram, whatsapp
from trainer.ingest.report import IngestError
from trainer.ingest.sources import Source

FORMATS = ("telegram", "whatsapp", "discord", "messenger", "instagram", "jsonl")

TELEGRAM_HTML_HELP = (
    "is a Telegram HTML export, which twinchat cannot read; in Telegram Desktop open "
    "Settings > Advanced > Export Telegram data (or the chat's menu > Export chat history), "
    "choose 'Format: Machine-readable JSON' and pass the folder or its result.json"
)


def looks_like_jsonl(head: str) -> bool:
    first = head.lstrip().split("\n", 1)[0]
    return first.startswith("{") and '"author_id"' in first and '"source"' in first


def detect_format(unit: list[Source]) -> str | None:
    """Return the format of an export unit, or None if it is not a chat export.

    Raises IngestError for a Telegram HTML export, which is recognisable but unsupported.
    """
    first = unit[0]
    head = first.head()
    if telegram.looks_like_html(head):
        raise IngestError(f"{first.name}: {TELEGRAM_HTML_HELP}")
    if looks_like_jsonl(head):
        return "jsonl"
    if telegram.looks_like(head):
        return "telegram"
    if discord.looks_like(head):
        return "discord"
    platform = meta.looks_like(head, first.name)
    if platform:
        return platform
    if whatsapp.looks_like(head):
        return "whatsapp"
    return None
