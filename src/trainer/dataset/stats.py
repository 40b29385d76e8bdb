"""Describe the persona's writing style: lengths, emoji, casing and punctuation.

These are the habits the model should learn, and the numbers let a run's samples be
compared with the person. They are computed on redacted text with placeholders removed.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from typing import Any

_PLACEHOLDER = re.compile(r"\[(?:EMAIL|PHONE|CARD|IBAN|IP|SECRET|CODE|NAME)_\d+\]")
# One emoji: a pictographic code point (or a flag's two regional indicators) with its
# variation selector, skin tone and zero-width-joined parts, so "👍🏽" counts once.
_EMOJI_BASE = (
    "\U0001f300-\U0001f5ff\U0001f600-\U0001f64f\U0001f680-\U0001f6ff\U0001f900-\U0001f9ff"
    "\U0001fa70-\U0001faff\u2600-\u27bf\u2b50\u2b55\u2934\u2935\u3030\u303d\u3297\u3299"
)
_EMOJI = re.compile(
    rf"(?:[\U0001f1e6-\U0001f1ff]{{2}}|[{_EMOJI_BASE}])"
    rf"[\ufe0f\U0001f3fb-\U0001f3ff]*(?:\u200d[{_EMOJI_BASE}][\ufe0f\U0001f3fb-\U0001f3ff]*)*"
)
_EMOTICON = re.compile(r"(?<!\w)(?:[:;=8][\-']?[)(\]\[dDpP/\\|oO*]|\^_?\^|xD|XD|<3)(?!\w)")
_TRAILING_DECORATION = re.compile(rf"(?:\s|{_EMOJI.pattern}|{_EMOTICON.pattern}|[)(]+)+$")
_WORD = re.compile(r"\w+(?:['’\-]\w+)*")

CHAR_BINS = (1, 5, 10, 20, 40, 80, 160, 320, 640)
WORD_BINS = (1, 2, 3, 5, 8, 13, 21, 34, 55)


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    position = max(math.ceil(share * len(ordered)) - 1, 0)
    return float(ordered[position])


def _histogram(values: Sequence[int], edges: Sequence[int]) -> list[dict[str, Any]]:
    """Count values into bins from each edge up to the next, the last bin open-ended."""
    bins = []
    for index, low in enumerate(edges):
        high = edges[index + 1] if index + 1 < len(edges) else None
        count = sum(1 for value in values if value >= low and (high is None or value < high))
        bins.append({"min": low, "max": None if high is None else high - 1, "count": count})
    return bins


def distribution(values: Sequence[int], edges: Sequence[int]) -> dict[str, Any]:
    if not values:
        return {"mean": 0.0, "median": 0.0, "p90": 0.0, "histogram": _histogram([], edges)}
    return {
        "mean": round(statistics.fmean(values), 2),
        "median": float(statistics.median(values)),
        "p90": _percentile(values, 0.9),
        "histogram": _histogram(values, edges),
    }


def ending(text: str) -> str:
    """Classify how a message ends: '.', '!', '?', '…' or 'none'."""
    core = _TRAILING_DECORATION.sub("", text).rstrip()
    if core.endswith(("...", "…")):
        return "…"
    if core[-1:] in (".", "!", "?"):
        return core[-1]
    return "none"


def casing(text: str) -> str | None:
    """Classify a message's casing: 'lower', 'caps', 'upper_start', 'other', or None."""
    letters = [char for char in text if char.isalpha() and (char.isupper() or char.islower())]
    if not letters:
        return None
    if all(char.islower() for char in letters):
        return "lower"
    if len(letters) >= 2 and all(char.isupper() for char in letters):
        return "caps"
    if letters[0].isupper():
        return "upper_start"
    return "other"


def style_stats(messages: Sequence[str]) -> dict[str, Any]:
    """Summarize the persona's messages (one string per message, already redacted)."""
    texts = [_PLACEHOLDER.sub("", message).strip() for message in messages]
    count = len(texts)
    share = (lambda hits: round(hits / count, 4)) if count else (lambda hits: 0.0)
    chars = [len(message) for message in messages]
    words = [len(_WORD.findall(message)) for message in messages]
    emoji = [len(_EMOJI.findall(text)) for text in texts]
    emoticons = [len(_EMOTICON.findall(text)) for text in texts]
    casings = [casing(text) for text in texts]
    endings = [ending(text) for text in texts]
    return {
        "messages": count,
        "length_chars": distribution(chars, CHAR_BINS),
        "length_words": distribution(words, WORD_BINS),
        "emoji": {
            "per_message": share(sum(emoji)),
            "share_of_messages": share(sum(1 for value in emoji if value)),
            "emoticons_per_message": share(sum(emoticons)),
        },
        "casing": {
            "all_lowercase": share(casings.count("lower")),
            "starts_uppercase": share(casings.count("upper_start") + casings.count("caps")),
            "all_caps": share(casings.count("caps")),
            "no_letters": share(casings.count(None)),
        },
        "punctuation": {
            "ending": {mark: share(endings.count(mark)) for mark in (".", "!", "?", "…", "none")},
            "question_rate": share(sum(1 for text in texts if "?" in text)),
        },
    }
