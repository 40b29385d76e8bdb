"""Find phone numbers, payment card numbers and IBANs in free text.

Each finder yields (start, end, key) spans. The key is the normalized value, so one number
written two ways gets one placeholder. The rules prefer missing an odd format to eating
dates, times, versions, prices and ordinary numbers, and tests list the formats covered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

Span = tuple[int, int, str]

_DIGITS = re.compile(r"\d+")
# Separators between two digit groups of one written number: one space, dash or dot,
# optionally with spaces around a dash, or the brackets around an area code.
_GROUP_SEPARATOR = re.compile(
    r"[ \u00a0\u202f]?-[ \u00a0\u202f]?|[.\u00a0\u202f ]|\)[ \u00a0\u202f]?-?|[ \u00a0\u202f]?\("
)
_DATE = re.compile(
    r"(?<![\d.\-/])(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2}))"
    r"(?![\d]|[-./]\d)"
)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₽₹₴₸]|\b(?:usd|eur|gbp|rub|uah|inr))\s?$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"^\s?(?:[$€£¥₽₹₴₸%]|(?:usd|eur|gbp|rub|руб|р\.|uah|грн|inr|rs|k|m|dollars?|euros?)\b)",
    re.IGNORECASE,
)
_PHONE_KEYWORD = re.compile(
    r"(?:phone|tel|mobile|cell|call(?: me)?(?: at| on)?|whatsapp|telegram|viber|sms|fax|"
    r"телефон|тел|номер|моб|мобильный|звони|позвони|напиши|handy|telefon|téléphone|tél|"
    r"telefono|teléfono|celular)\.?\s*:?\s*$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class NumberRun:
    """Digit groups written as one number, with the text between them."""

    groups: list[str]
    starts: list[int]
    separators: list[str]


def find_number_runs(text: str) -> Iterator[NumberRun]:
    """Yield maximal chains of digit groups joined by phone-style separators."""
    run: NumberRun | None = None
    for match in _DIGITS.finditer(text):
        if run is not None:
            previous_end = run.starts[-1] + len(run.groups[-1])
            between = text[previous_end : match.start()]
            if _GROUP_SEPARATOR.fullmatch(between):
                run.groups.append(match.group())
                run.starts.append(match.start())
                run.separators.append(between)
                continue
            yield run
        run = NumberRun([match.group()], [match.start()], [])
    if run is not None:
        yield run


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


class _Candidate:
    """Groups i..j of a run, with the prefix ('+', '(') and suffix (')') around them."""

    def __init__(self, text: str, run: NumberRun, first: int, last: int) -> None:
        self.groups = run.groups[first : last + 1]
        self.separators = run.separators[first:last]
        self.digits = "".join(self.groups)
        self.start = run.starts[first]
        self.end = run.starts[last] + len(run.groups[last])
        self.plus = False
        self.area_in_brackets = any("(" in separator for separator in self.separators[:2])
        before = text[: self.start]
        if before.endswith("("):
            self.start -= 1
            self.area_in_brackets = True
            before = before[:-1]
        if before.rstrip(" ").endswith("+"):
            self.start = len(before.rstrip(" ")) - 1
            self.plus = True
        if self.area_in_brackets and text[self.end : self.end + 1] == ")":
            self.end += 1
        self.text = text

    def bounded(self) -> bool:
        """Tell whether the candidate is a whole token, not part of a word or a longer number."""
        before = self.text[: self.start]
        after = self.text[self.end :]
        if before[-1:].isalnum() or before[-1:] == "_":
            return False
        if re.search(r"\d[.,:/\-]$", before):
            return False
        if after[:1].isalnum() or after[:1] == "_":
            return False
        return not re.match(r"[.,:/\-]\d", after)

    def near_currency(self) -> bool:
        return bool(
            _CURRENCY_BEFORE.search(self.text[max(0, self.start - 6) : self.start])
            or _CURRENCY_AFTER.match(self.text[self.end : self.end + 10])
        )

    def after_phone_keyword(self) -> bool:
        return bool(_PHONE_KEYWORD.search(self.text[max(0, self.start - 24) : self.start]))


def _spans_from_runs(text: str, accept, whole_run_start: bool = False) -> Iterator[Span]:
    """Yield the leftmost-longest accepted sub-chain of every number run.

    With `whole_run_start`, only sub-chains that start at the run's first group count.
    """
    for run in find_number_runs(text):
        first = 0
        while first < (1 if whole_run_start else len(run.groups)):
            for last in range(len(run.groups) - 1, first - 1, -1):
                candidate = _Candidate(text, run, first, last)
                if candidate.bounded() and accept(candidate):
                    yield candidate.start, candidate.end, candidate.digits
                    first = last + 1
                    break
            else:
                first += 1


def _is_card(candidate: _Candidate) -> bool:
    if candidate.plus or candidate.area_in_brackets or not 13 <= len(candidate.digits) <= 19:
        return False
    if len(set(candidate.separators)) > 1 or any(
        separator not in (" ", "-") for separator in candidate.separators
    ):
        return False
    lengths = [len(group) for group in candidate.groups]
    grouped_by_four = all(length == 4 for length in lengths[:-1]) and 1 <= lengths[-1] <= 4
    amex_style = lengths in ([4, 6, 5], [4, 6, 4])
    if len(lengths) > 1 and not (grouped_by_four or amex_style):
        return False
    return luhn_valid(candidate.digits) and not candidate.near_currency()


def find_cards(text: str) -> Iterator[Span]:
    """Yield payment card numbers: 13 to 19 digits that pass the Luhn check.

    A card number starts a run of digit groups, so the tail of a longer number (an
    account number, an IBAN that failed its checksum) is not taken for a card by chance.
    """
    yield from _spans_from_runs(text, _is_card, whole_run_start=True)


def _looks_like_thousands(groups: list[str]) -> bool:
    return len(groups) > 1 and len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def _is_north_american(candidate: _Candidate) -> bool:
    groups = candidate.groups
    if len(groups) == 4 and groups[0] == "1":
        groups = groups[1:]
    lengths = [len(group) for group in groups]
    return lengths == [3, 3, 4] and groups[0][0] in "23456789"


def _is_national(candidate: _Candidate) -> bool:
    """Accept a number written with its trunk prefix: 0 in most of Europe, 8 in Russia."""
    digits = candidate.digits
    if digits[0] == "0":
        if not 10 <= len(digits) <= 12:
            return False
    elif digits[0] == "8":
        if len(digits) != 11:
            return False
    else:
        return False
    if len(candidate.groups) == 1:
        return True
    if _looks_like_thousands(candidate.groups):
        return False
    short_groups = [group for group in candidate.groups[1:] if len(group) < 2]
    return not short_groups


def _is_phone(candidate: _Candidate) -> bool:
    digits = candidate.digits
    if candidate.near_currency():
        return False
    if candidate.plus:
        return 8 <= len(digits) <= 15 and (len(candidate.groups[0]) <= 4 or len(digits) >= 10)
    if digits.startswith("00") and 10 <= len(digits) <= 15:
        return True
    if candidate.after_phone_keyword() and 7 <= len(digits) <= 15:
        return True
    if _is_north_american(candidate):
        return True
    return _is_national(candidate)


def find_phones(text: str) -> Iterator[Span]:
    """Yield phone numbers in international, North American and national formats.

    Dates are masked first, so `08.01.2023 10` is never a phone. A number without `+`
    must look like a North American number, start with a trunk prefix, or follow a word
    such as "phone" or "тел". Like a card number, a phone number starts a run of digit
    groups, though trailing groups may be left out ("020 7946 0958 123").
    """
    masked = _DATE.sub(lambda match: "x" * len(match.group()), text)
    yield from _spans_from_runs(masked, _is_phone, whole_run_start=True)


_IBAN_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \u00a0]?[A-Za-z0-9]{1,4})+(?![A-Za-z0-9])"
)


# IBAN length per country, from the SWIFT IBAN registry (ISO 13616). Checking the length as
# well as the checksum keeps words and model numbers ("dv8000 with") from passing by chance.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_valid(compact: str) -> bool:
    """Check an IBAN written without spaces: its country's length and the mod-97 checksum."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(char, 36)) for char in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def find_ibans(text: str) -> Iterator[Span]:
    """Yield IBANs, with or without spaces, whose mod-97 checksum is valid.

    A candidate may run into the next word ("DE89 3704 0044 0532 0130 00 or"), so shorter
    prefixes ending at a group boundary are tried until one validates.
    """
    position = 0
    while match := _IBAN_CANDIDATE.search(text, position):
        position = match.start() + 1
        pieces = list(re.finditer(r"[A-Za-z0-9]+", match.group()))
        for count in range(len(pieces), 0, -1):
            end = match.start() + pieces[count - 1].end()
            compact = re.sub(r"\s", "", text[match.start() : end]).upper()
            if iban_valid(compact):
                yield match.start(), end, compact
                position = end
                break
