"""Dates in DiscordChatExporter CSV: ISO 8601 with an offset, or a localized string.

Recent versions write into the CSV `Date` column whatever the export's locale prints, such
as `10/6/2023 12:37 AM`, to the minute and without a time zone. Early exports wrote
`05-Oct-18 12:08 PM`. The localized forms are parsed as wall-clock time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

DateOrder = Literal["day_first", "month_first"]

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
_MERIDIEM = r"(?:\s?(?P<meridiem>[ap])\.?\s?m\.?)?"
_NUMERIC = re.compile(
    r"(?P<first>\d{1,4})(?P<sep>[/.\-])(?P<second_part>\d{1,2})[/.\-](?P<third>\d{1,4})\.?"
    r"[ ,T]+" + _TIME + _MERIDIEM,
    re.IGNORECASE,
)
_NAMED = re.compile(
    r"(?P<day>\d{1,2})[- ](?P<month>[a-z]{3,9})\.?[- ](?P<year>\d{2,4})[ ,]+" + _TIME + _MERIDIEM,
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class NumericDate:
    """The three numbers of a `1/2/2023`-style date, before day and month are assigned."""

    first: int
    second: int
    year: int
    separator: str

    @property
    def order_hint(self) -> DateOrder | None:
        """The order this date proves on its own, or None when both orders are valid."""
        if self.separator == ".":
            return "day_first"
        if self.first > 12 >= self.second:
            return "day_first"
        if self.second > 12 >= self.first:
            return "month_first"
        return None


def parse_iso(value: str) -> datetime | None:
    """Parse an ISO 8601 timestamp such as `2023-09-23T13:15:48.379+03:00`."""
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def numeric_date(value: str) -> NumericDate | None:
    """Return the numbers of a localized day/month date, or None for any other form."""
    match = _NUMERIC.fullmatch(_SPACES.sub(" ", value.strip()))
    if match is None or len(match["first"]) == 4:
        return None
    return NumericDate(
        int(match["first"]), int(match["second_part"]), int(match["third"]), match["sep"]
    )


def parse_localized(value: str, order: DateOrder) -> datetime | None:
    """Parse a localized CSV date as naive wall-clock time, or return None if it is invalid.

    `order` decides `1/2/2023`-style dates whose first two numbers are both 12 or less.
    """
    text = _SPACES.sub(" ", value.strip())
    match = _NUMERIC.fullmatch(text)
    if match is not None:
        first, second, third = int(match["first"]), int(match["second_part"]), int(match["third"])
        if len(match["first"]) == 4:
            year, month, day = first, second, third
        elif match["sep"] == "." or order == "day_first":
            day, month, year = first, second, third
        else:
            month, day, year = first, second, third
        return _build(year, month, day, match)
    match = _NAMED.fullmatch(text)
    if match is not None:
        month = MONTHS.get(match["month"].casefold())
        if month is None:
            return None
        return _build(int(match["year"]), month, int(match["day"]), match)
    return None


def _build(year: int, month: int, day: int, match: re.Match[str]) -> datetime | None:
    if year < 100:
        year += 2000
    hour = int(match["hour"])
    meridiem = (match["meridiem"] or "").casefold()
    if meridiem and not 0 <= hour <= 12:
        return None
    if meridiem == "p" and hour < 12:
        hour += 12
    elif meridiem == "a" and hour == 12:
        hour = 0
    try:
        return datetime(year, month, day, hour, int(match["minute"]), int(match["second"] or 0))
    except ValueError:
        return None
