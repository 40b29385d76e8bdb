"""The header that starts every WhatsApp message line: date, time and separator.

WhatsApp writes one of two families, in the phone's locale:

- Android: `31/12/23, 14:05 - Name: text`, also `31.12.23 14:05 - `, `2023/12/31, 2:05 pm - `,
  `13.6.2018 klo 21.25.15 - ` (Finnish), `13.06.18 21.25.15: Name: ` (colon separator) and
  `30/08/25 18.00 - ` (dotted time, no comma);
- iOS: `[31/12/23, 14:05:09] Name: text`, also `[31/12/2023 2:05:09 PM] `.

The third-party "WhatsApp Viewer" layout `01.04.2015 - 16:00:27; Name: text` is read too.
Digits may be of any script (Arabic-Indic, Persian, Devanagari), because the regex digit
class of a str pattern and `int()` both accept every Unicode decimal digit.

Day and month order is a property of the whole file, so `scan_date_order` decides it once
from the dates themselves before the parser runs. When no date settles it, the default is:
day first for dotted and dashed dates and for slashed dates with zero-padded fields or
four-digit years, month first for slashed `M/D/YY` dates (the en-US layout).
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass

# Direction marks and byte order marks that exports scatter before and inside headers.
INVISIBLE_CHARS = "\u200e\u200f\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE_TABLE = dict.fromkeys(map(ord, INVISIBLE_CHARS))
HAS_INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")

# Meridiems written before the time (Chinese, Japanese, Korean) or after it. Latin ones may
# carry dots and any Unicode space: AM, pm, a.m., p. m. Greek, Arabic and Persian ones follow.
MERIDIEM_BEFORE = "午前|午後|上午|下午|오전|오후"
MERIDIEM_AFTER = "|".join(
    (r"[AaPp]\.?\s?[Mm]\.?", MERIDIEM_BEFORE, r"π\.\s?μ\.|μ\.\s?μ\.", r"ق\.\s?ظ\.?|ب\.\s?ظ\.?|ص|م")
)
PM_MARKERS = frozenset({"pm", "午後", "下午", "오후", "μμ", "بظ", "م"})

HEADER = re.compile(
    r"(?:(?P<open>\[)\s*)?"
    r"(?P<date>(?P<d1>\d{1,4})(?P<ds>[./-])\s?(?P<d2>\d{1,2})(?P=ds)\s?(?P<d3>\d{1,4}))\.?"
    r"(?:\s*[,،]\s*|\s+-\s+|\s+(?:klo\s+)?)"
    rf"(?:(?P<pre>{MERIDIEM_BEFORE})\s*)?"
    r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
    rf"(?:\s*(?P<mer>{MERIDIEM_AFTER}))?\.?"
    r"(?(open)\s*\]\s?|(?:\s+-\s|:\s|;\s))"
    r"(?P<rest>.*)"
)

# Candidates for a header line after direction marks are removed: an optional bracket, then
# a digit of any script.
MAY_BE_HEADER = re.compile(rf"[\s\[{INVISIBLE_CHARS}]*\d")


def clean_line(line: str) -> str:
    """Remove direction marks and byte order marks, wherever they are in the line."""
    return line.translate(INVISIBLE_TABLE)


def original_offset(line: str, clean_offset: int) -> int:
    """Map an offset in `clean_line(line)` back to the same position in `line`."""
    visible_count = 0
    for index, char in enumerate(line):
        if visible_count == clean_offset:
            return index
        if char not in INVISIBLE_CHARS:
            visible_count += 1
    return len(line)


def match_header(line: str) -> tuple[re.Match[str] | None, str]:
    """Match a header, retrying without invisible marks. Return the match and the line used."""
    match = HEADER.match(line)
    if match is None and MAY_BE_HEADER.match(line) and HAS_INVISIBLE.search(line):
        cleaned = clean_line(line)
        return HEADER.match(cleaned), cleaned
    return match, line


@dataclass(frozen=True, slots=True)
class DateOrder:
    """Day and month order of a file's dates that are not year-first, and its evidence."""

    day_first: bool
    decided: bool
    # A sentence for the report when no date settled the order.
    warning: str | None = None


def _is_year_first(d1: str) -> bool:
    return len(d1) == 4


def _order_evidence(d1: str, d2: str) -> bool | None:
    """Return True for day-first, False for month-first, None when both fields fit both."""
    first, second = int(d1), int(d2)
    if first > 12 and second <= 12:
        return True
    if second > 12 and first <= 12:
        return False
    return None


def scan_date_order(lines: Iterable[str]) -> DateOrder | None:
    """Read header dates until one settles day/month order. Return None if no line is a header.

    Stops at the first date with a day above 12. A file whose dates never settle the order
    is read to the end and gets the default order described in the module docstring.
    """
    headers = 0
    separator = ""
    padded = False
    long_year = False
    for line in lines:
        match, _ = match_header(line)
        if match is None:
            continue
        headers += 1
        d1, d2, d3 = match.group("d1", "d2", "d3")
        if _is_year_first(d1):
            continue
        if not separator:
            separator = match.group("ds")
        evidence = _order_evidence(d1, d2)
        if evidence is not None and iso_date(d1, d2, d3, evidence)[0] is not None:
            return DateOrder(day_first=evidence, decided=True)
        padded = padded or (len(d1) == 2 and d1[0] == "0") or (len(d2) == 2 and d2[0] == "0")
        long_year = long_year or len(d3) == 4
    if headers == 0:
        return None
    if not separator:
        # Every date is year-first, which is always year, month, day.
        return DateOrder(day_first=True, decided=True)
    return _default_order(separator, padded, long_year)


def _default_order(separator: str, padded: bool, long_year: bool) -> DateOrder:
    if separator == "/" and not padded and not long_year:
        return DateOrder(
            day_first=False,
            decided=False,
            warning="no date has a day above 12, so day and month order is ambiguous; read "
            "them as month/day/year, the order of exports whose dates look like 1/2/23",
        )
    return DateOrder(
        day_first=True,
        decided=False,
        warning="no date has a day above 12, so day and month order is ambiguous; read "
        "them as day/month/year, the order of exports whose dates look like "
        f"01{separator}02{separator}2023",
    )


def _valid_date(year: int, month: int, day: int) -> bool:
    # NOTE: only Gregorian years are read. An export in the Solar Hijri calendar (year 1402)
    # has no valid header, and a two-digit Buddhist year (66 for 2023) reads as 2066.
    return 1970 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= monthrange(year, month)[1]


def iso_date(d1: str, d2: str, d3: str, day_first: bool) -> tuple[str | None, bool]:
    """Convert date fields to `YYYY-MM-DD`, or to None for an invalid date.

    The flag is True when the date is valid only in the order opposite to `day_first`, which
    happens in a file that mixes orders.
    """
    if _is_year_first(d1):
        if len(d3) > 2:
            return None, False
        year, month, day = int(d1), int(d2), int(d3)
        if not _valid_date(year, month, day):
            return None, False
        return f"{year:04d}-{month:02d}-{day:02d}", False
    if len(d1) > 2 or len(d3) not in (2, 4):
        return None, False
    year = int(d3) + 2000 if len(d3) == 2 else int(d3)
    first, second = int(d1), int(d2)
    day, month = (first, second) if day_first else (second, first)
    if _valid_date(year, month, day):
        return f"{year:04d}-{month:02d}-{day:02d}", False
    if _valid_date(year, day, month):
        return f"{year:04d}-{day:02d}-{month:02d}", True
    return None, False


def iso_time(hour: str, minute: str, second: str | None, meridiem: str | None) -> str | None:
    """Convert clock fields to `HH:MM:SS`, or to None for an impossible time.

    A 12-hour clock maps 12 AM to 00 and 1-11 PM to 13-23. Exports also write `00:04 AM`
    and `23:59 PM`, so an hour of 0 or above 12 is taken as already on a 24-hour clock.
    """
    hours, minutes = int(hour), int(minute)
    seconds = int(second) if second is not None else 0
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    if meridiem is not None and 1 <= hours <= 12:
        is_pm = _normalize_meridiem(meridiem) in PM_MARKERS
        if hours == 12:
            hours = 12 if is_pm else 0
        elif is_pm:
            hours += 12
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def _normalize_meridiem(meridiem: str) -> str:
    return "".join(char for char in meridiem if not char.isspace() and char != ".").casefold()


class TimestampReader:
    """Turn header matches into ISO 8601 timestamps for one file, caching repeated fields."""

    def __init__(self, day_first: bool) -> None:
        self.day_first = day_first
        self.mixed_order_line: int | None = None
        self._dates: dict[str, str | None] = {}
        # Hours and minutes are cached apart from seconds, which keeps both caches small.
        self._times: dict[tuple[str | None, ...], str | None] = {}
        self._seconds: dict[str, str | None] = {}

    def timestamp(self, match: re.Match[str], line_number: int) -> str | None:
        """Return `YYYY-MM-DDTHH:MM:SS` for a header match, or None if date or time is invalid."""
        date_text, hour, minute, second, after, before = match.group(
            "date", "h", "mi", "s", "mer", "pre"
        )
        date = self._dates.get(date_text, "")
        if date == "":
            date, swapped = iso_date(*match.group("d1", "d2", "d3"), self.day_first)
            if swapped and self.mixed_order_line is None:
                self.mixed_order_line = line_number
            self._remember(self._dates, date_text, date)
        if date is None:
            return None
        key = (hour, minute, after, before)
        hours_minutes = self._times.get(key, "")
        if hours_minutes == "":
            time = iso_time(hour, minute, None, after or before)
            hours_minutes = time[:5] if time is not None else None
            self._remember(self._times, key, hours_minutes)
        if hours_minutes is None:
            return None
        if second is None:
            return f"{date}T{hours_minutes}:00"
        seconds = self._seconds.get(second, "")
        if seconds == "":
            seconds = f"{int(second):02d}" if int(second) <= 59 else None
            self._remember(self._seconds, second, seconds)
        if seconds is None:
            return None
        return f"{date}T{hours_minutes}:{seconds}"

    @staticmethod
    def _remember(cache: dict, key: object, value: str | None) -> None:
        # Real chats repeat few distinct dates and times, but junk input may repeat none, so
        # the caches are bounded.
        if len(cache) >= 100_000:
            cache.clear()
        cache[key] = value
