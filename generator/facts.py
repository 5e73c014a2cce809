"""Numbers and dates in text: what an answer asserts, and what an excerpt can support.

``numbers`` reads digits (``1,096``, ``1.6``) and number words (``twenty-one``, ``fifty``);
``date_mentions`` reads dates written as ``3 July 2007``, ``July 3, 2007``, ``6 April``,
``July 2007`` and ``2007-07-03``; ``parse_date`` reads an event's ``date`` field.
``unsupported`` lists what an answer states that its excerpt does not.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ]
    )
    for name in names
}
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_UNITS = {
    w: i
    for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    )
}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_RE})\b\.?(?:,?\s+(\d{{4}}))?", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})\b(?:,?\s+(\d{{4}}))?", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DIGITS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d|,\d)|(?<![\d.])\d+(?:\.\d+)?")
_WORDS = re.compile(r"[a-z]+", re.I)
_SCALED = re.compile(r"(\d+(?:\.\d+)?)\s+(hundred|thousand|million)\b", re.I)


@dataclass(frozen=True, order=True)
class Date:
    """A calendar date, possibly partial (month and day 0 when unknown)."""

    year: int
    month: int = 0
    day: int = 0

    def __str__(self) -> str:
        if not self.month:
            return str(self.year)
        if not self.day:
            return f"{MONTH_NAMES[self.month - 1]} {self.year}"
        return f"{self.day} {MONTH_NAMES[self.month - 1]} {self.year}"

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@functools.lru_cache(maxsize=32768)
def numbers(text: str) -> frozenset[str]:
    """Every number in the text, canonical (``1,096`` -> ``1096``; ``twenty-one`` -> ``21``)."""
    found = set()
    for m in _SCALED.finditer(text):  # "12 thousand" is 12000, not 12
        found.add(_canon(str(float(m[1].replace(",", "")) * _SCALES[m[2].lower()])))
    text = _SCALED.sub(" ", text)
    found |= {_canon(m.group()) for m in _DIGITS.finditer(text)}
    words = [w.lower() for w in _WORDS.findall(text)]
    i = 0
    while i < len(words):
        value, i = _number_words(words, i)
        if value is not None:
            found.add(str(value))
    return frozenset(found)


def _canon(token: str) -> str:
    token = token.replace(",", "")
    if token.endswith(".0"):
        token = token[:-2]
    if "." in token:
        return token.rstrip("0").rstrip(".")
    return str(int(token))


def _number_words(words: list[str], i: int) -> tuple[int | None, int]:
    """Read a number spelled in words at ``i``: (value or None, index after it)."""
    value, seen = 0, False
    while i < len(words):
        w = words[i]
        if w in _TENS:
            value += _TENS[w]
            if i + 1 < len(words) and words[i + 1] in _UNITS and 0 < _UNITS[words[i + 1]] < 10:
                i += 1
                value += _UNITS[words[i]]
        elif w in _UNITS:
            value += _UNITS[w]
        elif w in _SCALES and seen:
            value *= _SCALES[w]
        elif w == "and" and seen and i + 1 < len(words) and (words[i + 1] in _UNITS or words[i + 1] in _TENS):
            pass
        else:
            break
        seen = True
        i += 1
    return (value if seen else None), (i if seen else i + 1)


@functools.lru_cache(maxsize=32768)
def date_mentions(text: str) -> tuple[Date, ...]:
    """Dates written in the text; year 0 where the text gives day and month only."""
    found: list[Date] = []
    for m in _ISO.finditer(text):
        found.append(Date(int(m[1]), int(m[2]), int(m[3])))
    for m in _DAY_MONTH.finditer(text):
        found.append(Date(int(m[3] or 0), MONTHS[m[2].lower()], int(m[1])))
    for m in _MONTH_DAY.finditer(text):
        found.append(Date(int(m[3] or 0), MONTHS[m[1].lower()], int(m[2])))
    for m in _MONTH_YEAR.finditer(text):
        found.append(Date(int(m[2]), MONTHS[m[1].lower()], 0))
    return tuple(d for d in found if 1 <= d.month <= 12 and 0 <= d.day <= 31)


def parse_date(text: str) -> Date | None:
    """An event's date: '3 July 2007', 'July 3, 2007', 'July 2007', '2007' or '2007-07-03'."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return Date(int(text))
    for pattern in (_ISO, _DAY_MONTH, _MONTH_DAY, _MONTH_YEAR):
        m = pattern.fullmatch(text)
        if not m:
            continue
        if pattern is _ISO:
            date = Date(int(m[1]), int(m[2]), int(m[3]))
        elif pattern is _DAY_MONTH and m[3]:
            date = Date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        elif pattern is _MONTH_DAY and m[3]:
            date = Date(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
        elif pattern is _MONTH_YEAR:
            date = Date(int(m[2]), MONTHS[m[1].lower()])
        else:
            return None
        return date if 1 <= date.month <= 12 and 0 <= date.day <= 31 else None
    return None


def unsupported(answer: str, excerpt: str) -> list[str]:
    """The numbers and dates stated in ``answer`` that ``excerpt`` does not state."""
    have = numbers(excerpt)
    missing = [n for n in sorted(numbers(answer), key=lambda s: (len(s), s)) if n not in have]
    mentions = date_mentions(excerpt)
    for date in date_mentions(answer):
        if date.day and not any((d.month, d.day) == (date.month, date.day) for d in mentions):
            missing.append(f"{date.day} {MONTH_NAMES[date.month - 1]}")
        elif not date.day and not re.search(rf"\b{MONTH_NAMES[date.month - 1]}\b", excerpt, re.I):
            missing.append(MONTH_NAMES[date.month - 1])
    return list(dict.fromkeys(missing))


def date_unsupported(date: Date, excerpt: str) -> str | None:
    """Why an event's date is not in its excerpt, or None when it is."""
    if date.day and not any((d.month, d.day) == (date.month, date.day) for d in date_mentions(excerpt)):
        return f"{date.day} {MONTH_NAMES[date.month - 1]}"
    if date.month and not date.day and not re.search(rf"\b{MONTH_NAMES[date.month - 1]}\b", excerpt, re.I):
        return MONTH_NAMES[date.month - 1]
    if str(date.year) not in numbers(excerpt):
        return str(date.year)
    return None
