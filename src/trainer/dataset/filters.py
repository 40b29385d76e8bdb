"""Drop messages that should neither be learned nor shown as context, counting each reason."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from trainer.dataset.config import PrepareConfig
from trainer.dataset.sessions import parse_timestamp
from trainer.ingest.records import Message

# Reasons in the order they are checked. A message is counted under the first that applies.
REASONS = (
    "system",
    "deleted",
    "media_without_caption",
    "empty",
    "invalid_timestamp",
    "bot",
    "forwarded",
    "duplicate",
    "long_paste",
    "link_only",
    "other_script",
)
# A repeated text this long or longer from the same author in the same chat is a duplicate.
# Shorter texts ("ok", "thanks") repeat naturally and are kept.
DUPLICATE_MIN_CHARS = 20
# Messages with fewer letters than this are too short to tell their script, and are kept.
SCRIPT_MIN_LETTERS = 3
EXAMPLES_PER_REASON = 3

_LINK_ONLY = re.compile(r"(?:(?:https?://|www\.)\S+[\s,;]*)+", re.IGNORECASE)


@dataclass
class FilterResult:
    """Kept messages with parsed times, and counts and a few examples per drop reason."""

    kept: list[tuple[Message, datetime]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    persona_counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[Message]] = field(default_factory=dict)

    def drop(self, message: Message, reason: str, is_persona: bool) -> None:
        self.counts[reason] += 1
        if is_persona:
            self.persona_counts[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < EXAMPLES_PER_REASON:
            shown.append(message)

    def counts_dict(self) -> dict[str, int]:
        return {reason: self.counts.get(reason, 0) for reason in REASONS}

    def persona_counts_dict(self) -> dict[str, int]:
        return {reason: self.persona_counts.get(reason, 0) for reason in REASONS}


class MessageFilter:
    """Decide per message whether it stays, remembering what it saw to find duplicates."""

    def __init__(self, config: PrepareConfig, persona_ids: Iterable[str]) -> None:
        self.config = config
        self.persona_ids = set(persona_ids)
        self.bot_ids = set(config.bot_author_ids)
        self._seen_ids: set[tuple[str, str]] = set()
        self._seen_texts: set[tuple[str, str, str]] = set()

    def reason(self, message: Message) -> str | None:
        """Return the first reason to drop `message`, or None to keep it."""
        text = message.text.strip()
        if message.kind == "system":
            return "system"
        if message.kind == "deleted":
            return "deleted"
        if message.kind == "media" and not text:
            return "media_without_caption"
        if not text:
            return "empty"
        if not _is_iso_timestamp(message.ts):
            return "invalid_timestamp"
        if self.config.drop_bots and self._is_bot(message):
            return "bot"
        if self.config.drop_forwarded and message.forwarded:
            return "forwarded"
        if self.config.drop_duplicates and self._is_duplicate(message, text):
            return "duplicate"
        if self.config.max_message_chars and len(text) > self.config.max_message_chars:
            return "long_paste"
        if self.config.drop_link_only and _LINK_ONLY.fullmatch(text):
            return "link_only"
        if self.config.keep_scripts and not has_script(
            text, self.config.keep_scripts, self.config.min_script_share
        ):
            return "other_script"
        return None

    def _is_bot(self, message: Message) -> bool:
        if message.author_id in self.persona_ids:
            return False
        return bool(message.is_bot) or message.author_id in self.bot_ids

    def _is_duplicate(self, message: Message, text: str) -> bool:
        record_key = (message.chat_id, message.id)
        if record_key in self._seen_ids:
            return True
        self._seen_ids.add(record_key)
        if len(text) < DUPLICATE_MIN_CHARS:
            return False
        text_key = (message.chat_id, message.author_id, " ".join(text.split()))
        if text_key in self._seen_texts:
            return True
        self._seen_texts.add(text_key)
        return False


def filter_messages(
    messages: Iterable[Message], config: PrepareConfig, persona_ids: Iterable[str]
) -> FilterResult:
    """Keep the messages that pass every enabled filter, in input order."""
    persona_ids = set(persona_ids)
    message_filter = MessageFilter(config, persona_ids)
    result = FilterResult()
    for message in messages:
        reason = message_filter.reason(message)
        if reason is None:
            result.kept.append((message, parse_timestamp(message.ts)))
        else:
            result.drop(message, reason, message.author_id in persona_ids)
    return result


def letter_scripts(text: str) -> Counter[str]:
    """Count the letters of `text` by writing system, named as in config.SCRIPTS."""
    scripts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            if name:
                scripts[name.split(" ", 1)[0].lower()] += 1
    return scripts


def has_script(text: str, wanted: Iterable[str], min_share: float) -> bool:
    """Tell whether at least `min_share` of the letters belong to the wanted scripts.

    Text with fewer than SCRIPT_MIN_LETTERS letters passes, because a short word,
    a number or an emoji does not show the language.
    """
    scripts = letter_scripts(text)
    total = sum(scripts.values())
    if total < SCRIPT_MIN_LETTERS:
        return True
    return sum(scripts[script] for script in wanted) / total >= min_share


def _is_iso_timestamp(text: str) -> bool:
    try:
        parse_timestamp(text)
    except (TypeError, ValueError):
        return False
    return True
