"""Replace private data with numbered placeholders that stay consistent across a dataset.

One Redactor serves one dataset: the same e-mail, phone or person becomes the same
placeholder (`[EMAIL_1]`, `[PHONE_2]`, `[NAME_3]`) in every example, the preview, the
stats and the report. Rules run in a fixed order and a later rule never touches text an
earlier one replaced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from trainer.dataset.config import RedactConfig
from trainer.dataset.credentials import find_credentials
from trainer.dataset.detectors import (
    find_codes,
    find_emails,
    find_ip_addresses,
    find_keyword_secrets,
    find_url_secrets,
)
from trainer.dataset.names import NameMatcher
from trainer.dataset.numbers import find_cards, find_ibans, find_phones

Span = tuple[int, int, str]
Finder = Callable[[str], Iterable[Span]]

# Rule name -> placeholder label. The order is the order rules claim text in: URL secrets
# before e-mails (a `user:pass@host` looks like an e-mail), IBANs and cards before phones.
LABELS = {
    "secret": "SECRET",
    "email": "EMAIL",
    "iban": "IBAN",
    "card": "CARD",
    "ip": "IP",
    "phone": "PHONE",
    "code": "CODE",
    "name": "NAME",
}


def _find_secrets(text: str) -> Iterator[Span]:
    yield from find_url_secrets(text)
    yield from find_keyword_secrets(text)
    yield from find_credentials(text)


FINDERS: dict[str, Finder] = {
    "secret": _find_secrets,
    "email": find_emails,
    "iban": find_ibans,
    "card": find_cards,
    "ip": find_ip_addresses,
    "phone": find_phones,
    "code": find_codes,
}


class Redactor:
    """Redact text with the enabled rules and count replacements per rule.

    Placeholder numbers follow first appearance, so redacting the same messages in the
    same order always gives the same output.
    """

    def __init__(self, config: RedactConfig, names: NameMatcher | None = None) -> None:
        self.config = config
        self.names = names if config.name else None
        self.rules = [rule for rule in LABELS if rule != "name" and getattr(config, rule)]
        self._numbers: dict[str, dict[str, int]] = {rule: {} for rule in LABELS}
        self.replacements: Counter[str] = Counter()

    def placeholder(self, rule: str, key: str) -> str:
        """Return the placeholder of a value, numbering a new value after the last one."""
        numbers = self._numbers[rule]
        if key not in numbers:
            numbers[key] = len(numbers) + 1
        return f"[{LABELS[rule]}_{numbers[key]}]"

    def speaker(self, author_id: str, display_name: str) -> str:
        """Return a participant's speaker label: a name placeholder while names are redacted."""
        if self.names is None:
            return display_name
        return self.placeholder("name", author_id)

    def redact(self, text: str, max_chars: int | None = None) -> str:
        """Replace what the enabled rules find with placeholders, counting each replacement.

        With `max_chars`, the result is cut to that length, ending in "…" when cut. A span
        whose placeholder would start after the cut is neither numbered nor counted, so
        the counts match the text shown.
        """
        spans = self._claim_spans(text)
        parts: list[str] = []
        position = 0
        length = 0
        cut = False
        for start, end, rule, key in spans:
            if max_chars is not None and length + start - position >= max_chars - 1:
                cut = True
                break
            placeholder = self.placeholder(rule, key)
            parts += [text[position:start], placeholder]
            length += start - position + len(placeholder)
            self.replacements[rule] += 1
            position = end
        parts.append(text[position:])
        result = "".join(parts)
        if max_chars is not None and (cut or len(result) > max_chars):
            result = result[: max_chars - 1] + "…"
        return result

    def _claim_spans(self, text: str) -> list[tuple[int, int, str, str]]:
        claimed: list[tuple[int, int, str, str]] = []
        for rule in self.rules:
            for start, end, key in FINDERS[rule](text):
                if start < end and not _overlaps(claimed, start, end):
                    claimed.append((start, end, rule, key))
        if self.names is not None:
            for start, end, key in self.names.find(text):
                end = _end_before_claimed(text, claimed, start, end)
                if end > start:
                    claimed.append((start, end, "name", key))
        return sorted(claimed)

    def counts(self) -> dict[str, dict[str, int]]:
        """Return, per rule, how many spans were replaced and how many distinct values."""
        return {
            rule: {
                "replacements": self.replacements.get(rule, 0),
                "distinct_values": len(self._numbers[rule]),
                "enabled": bool(getattr(self.config, rule)),
            }
            for rule in LABELS
        }


def _end_before_claimed(
    text: str, claimed: list[tuple[int, int, str, str]], start: int, end: int
) -> int:
    """Shorten a name span to the words before any claimed span it runs into.

    A full name glued to an e-mail ("Wren M. Ashby@host") keeps its leading words. Returns
    `start` when nothing is left to redact.
    """
    for other_start, other_end, *_ in claimed:
        if start < other_end and other_start < end:
            if other_start <= start:
                return start
            end = other_start
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return end


def _overlaps(claimed: list[tuple[int, int, str, str]], start: int, end: int) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end, *_ in claimed)
