"""Style of reply bursts, and distances between the real and a generated set of bursts.

A burst is the list of messages the persona sent in one reply. The per-message statistics
come from `trainer.dataset.stats.style_stats`, the same numbers `twinchat prepare` reports
for the persona, plus burst size and vocabulary. Every distance is 0 for identical styles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from trainer.dataset.stats import style_stats

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
QUANTILES = 20
ENDINGS = (".", "!", "?", "…", "none")


def flatten(bursts: Sequence[Sequence[str]]) -> list[str]:
    return [message for burst in bursts for message in burst if message.strip()]


def words(text: str) -> list[str]:
    return [word.casefold() for word in WORD.findall(text)]


def burst_style(bursts: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Describe `bursts`: the dataset's message statistics plus burst size and vocabulary."""
    messages = flatten(bursts)
    summary = style_stats(messages)
    summary["bursts"] = len(bursts)
    summary["messages_per_burst"] = round(len(messages) / len(bursts), 4) if bursts else 0.0
    summary["vocabulary_size"] = len({word for message in messages for word in words(message)})
    return summary


def quantile_distance(real: Sequence[float], generated: Sequence[float]) -> float:
    """Mean absolute difference of the two samples' quantiles, a 1-D Wasserstein estimate."""
    if not real or not generated:
        return float("nan")
    real_sorted, generated_sorted = sorted(real), sorted(generated)
    total = 0.0
    for step in range(QUANTILES + 1):
        fraction = step / QUANTILES
        total += abs(
            real_sorted[round(fraction * (len(real_sorted) - 1))]
            - generated_sorted[round(fraction * (len(generated_sorted) - 1))]
        )
    return total / (QUANTILES + 1)


def vocabulary_overlap(real: Sequence[str], generated: Sequence[str]) -> float:
    """Share of generated word tokens that also occur in the real messages."""
    known = {word for message in real for word in words(message)}
    generated_words = [word for message in generated for word in words(message)]
    if not generated_words:
        return 0.0
    return sum(1 for word in generated_words if word in known) / len(generated_words)


def style_distances(
    real_bursts: Sequence[Sequence[str]], generated_bursts: Sequence[Sequence[str]]
) -> dict[str, float]:
    """Compare generated bursts with real ones; lower is closer for every `*_distance` key.

    `punctuation_distance` is the total variation distance between the distributions of
    message endings. `style_distance` averages five unitless parts, each capped at 1: the
    length distance divided by the real mean length, the burst size difference divided by
    the real burst size, the emoji rate difference, the lowercase share difference and the
    punctuation distance. `vocabulary_overlap` is higher for closer vocabularies.
    """
    real_messages, generated_messages = flatten(real_bursts), flatten(generated_bursts)
    real, generated = burst_style(real_bursts), burst_style(generated_bursts)
    real_endings = real["punctuation"]["ending"]
    generated_endings = generated["punctuation"]["ending"]
    distances = {
        "length_distance": quantile_distance(
            [len(message) for message in real_messages],
            [len(message) for message in generated_messages],
        ),
        "burst_size_distance": abs(real["messages_per_burst"] - generated["messages_per_burst"]),
        "emoji_rate_distance": abs(
            real["emoji"]["per_message"] - generated["emoji"]["per_message"]
        ),
        "lowercase_distance": abs(
            real["casing"]["all_lowercase"] - generated["casing"]["all_lowercase"]
        ),
        "punctuation_distance": sum(
            abs(real_endings[mark] - generated_endings[mark]) for mark in ENDINGS
        )
        / 2,
    }
    real_chars = real["length_chars"]["mean"]
    parts = [
        distances["length_distance"] / real_chars if real_chars else 1.0,
        distances["burst_size_distance"] / max(real["messages_per_burst"], 1.0),
        distances["emoji_rate_distance"],
        distances["lowercase_distance"],
        distances["punctuation_distance"],
    ]
    capped = [1.0 if part != part else min(part, 1.0) for part in parts]  # NaN counts as 1
    distances["style_distance"] = sum(capped) / len(capped)
    distances["vocabulary_overlap"] = vocabulary_overlap(real_messages, generated_messages)
    return distances
