"""Numbers and dates in text: what an answer asserts, and what an excerpt can support.

``numbers`` reads digits (``1,096``, ``1 000``, ``1.6``), number words (``twenty-one``,
``a hundred``, ``two dozen``), Roman numerals (``XII``) and vague quantities (``hundreds of``,
``several thousand``, kept as words: only the same words support them).
``date_mentions`` reads dates written as ``3 July 2007``, ``the 3rd of July``, ``July 3, 2007``,
``6 April``, ``July 2007``, ``2007-07-03`` and ranges (``3 to 11 July 2007``, ``July 3-11, 2007``);
``parse_date`` reads an event's ``date`` field.
``unsupported`` lists what an answer states that its excerpt does not: every quantity (a day of
the month is not a quantity: "eleven" is not supported by "11 July"), every day and month of a
date, and every month named on its own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
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
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 1_000_000}
_VAGUE = re.compile(r"\b(?:(dozens|scores|hundreds|thousands|millions)\s+of"
                    r"|(several|a\s+few|some|many)\s+(dozen|hundred|thousand|million))\b", re.I)


def starts(words: Iterable[str]) -> str:
    """A look-ahead at the letters the words start with, to put before an alternation of them in a
    pattern compiled with ``re.I``: the engine then passes over other places without trying every
    word there (2-3x faster; with and without it a search finds the same matches, as
    tests/test_facts.py holds for every pattern that uses it)."""
    return f"(?=[{''.join(sorted({w[0].lower() for w in words}))}])"


_MONTH_RE = f"{starts(MONTHS)}(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))})"  # longest name first
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
_TO = r"\s*(?:-|to|until|till|and|through)\s*"
_THE = r"(?:the\s+)?"
_DAY_RANGE = re.compile(rf"\b{_THE}{_DAY}{_TO}{_THE}{_DAY}\s+(?:of\s+)?({_MONTH_RE})\b\.?{_YEAR}", re.I)
_MONTH_RANGE = re.compile(rf"\b({_MONTH_RE})\.?\s+{_DAY}{_TO}{_DAY}\b{_YEAR}", re.I)
_DAY_MONTH = re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?({_MONTH_RE})\b\.?{_YEAR}", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(?:the\s+)?{_DAY}\b{_YEAR}", re.I)
_MONTH_AT = re.compile(rf"\b{_MONTH_RE}", re.I)  # where a month's name starts
# What both range patterns hold (a day, a range word, a day), led by a digit: searched in one fast
# pass, it spares the two slow ones most texts, which hold no range (tests/test_facts.py holds that
# they find nothing where it finds nothing).
_RANGE_HINT = re.compile(rf"\d(?:st|nd|rd|th)?{_TO}{_THE}\d", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_BARE_MONTH = re.compile(r"\b(" + "|".join(MONTH_NAMES) + r")\b")  # capitalised: "may" is a verb
# These two start with a digit, and what must not stand before it is looked at behind it
# (``\d(?<![\d.]\d)`` for ``(?<![\d.])\d``, ``\d(?<!\w\d)`` for ``\b\d``): the engine then skips to
# the next digit instead of trying every place (several times faster on prose; the same matches, as
# tests/test_facts.py holds against the patterns written the plain way).
_ISO = re.compile(r"(\d(?<!\w\d)\d{3})-(\d{2})-(\d{2})\b")
_DIGITS = re.compile(
    r"\d(?<![\d.,]\d)\d{0,2}(?:,\d{3})+(?:\.\d+)?(?!\d|,\d)"  # 1,096
    r"|\d(?<![\d.,]\d)\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?![\d,.]|\s+(?:" + _MONTH_RE + r")\b)"  # 1 000
    r"|\d(?<![\d.]\d)\d*(?:\.\d+)?",
    re.I,
)
_WORDS = re.compile(r"[a-z]+", re.I)
_ANY_DIGIT = re.compile(r"\d")  # what _DIGITS and every date pattern need
_SCALE_STEMS = ("dozen", "score", "hundred", "thousand", "million")
_SCALE_WORD = re.compile(rf"{starts(_SCALE_STEMS)}(?:{'|'.join(_SCALE_STEMS)})", re.I)  # what _VAGUE and _SCALED need
_NUMBER_START = frozenset(_UNITS) | frozenset(_TENS)  # a number in words starts with one (or "a" + a scale)
_SCALE_WORDS = frozenset(_SCALES)
_SCALED = re.compile(r"(\d+(?:\.\d+)?)\s+(hundred|thousand|million)\b", re.I)
_ROMAN_WORD = re.compile(r"[MDCLXVI](?<!\w[MDCLXVI])[MDCLXVI]+\b")  # a word of two or more Roman letters ...
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")  # ... that is a numeral
_NOT_ROMAN = {"CD", "MD", "DC", "CV", "MI", "DI", "LI", "MM", "CC", "VI"}
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}


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
    """Every number in the text, canonical (``1,096`` -> ``1096``; ``twenty-one`` -> ``21``;
    ``XII`` -> ``12``), and every vague quantity as its words (``hundreds``, ``several thousand``)."""
    found = set()
    if _SCALE_WORD.search(text):  # each of these two passes needs one (most texts have none)
        for m in _VAGUE.finditer(text):
            found.add(" ".join((m[1] or f"{m[2]} {m[3]}").lower().split()))
        text = _VAGUE.sub(" ", text)
        for m in _SCALED.finditer(text):  # "12 thousand" is 12000, not 12
            found.add(_scaled(m[1], _ZEROS[m[2].lower()]))
        text = _SCALED.sub(" ", text)
    if _ANY_DIGIT.search(text):
        found |= {_canon(m.group()) for m in _DIGITS.finditer(text)}
    for word in _ROMAN_WORD.findall(text):  # "DVD" and "IIII" are words of Roman letters, not numerals
        if word not in _NOT_ROMAN and _ROMAN.fullmatch(word):
            found.add(str(_roman(word)))
    # (Each word lower-cased, in one call: lower-casing adds no space, and the letters _WORDS reads
    # lower-case the same alone or in a row. Words with no number word among them are not read.)
    words = " ".join(_WORDS.findall(text)).lower().split(" ")
    if _NUMBER_START.isdisjoint(words) and ("a" not in words or _SCALE_WORDS.isdisjoint(words)):
        words = []
    i = 0
    while i < len(words):
        if words[i] in _NUMBER_START or (words[i] == "a" and i + 1 < len(words) and words[i + 1] in _SCALES):
            value, i = _number_words(words, i, and_joins=not (i and words[i - 1] == "between"))
            found.add(str(value))
        else:
            i += 1  # no number starts here (as _number_words would find)
    return frozenset(found)


def _roman(token: str) -> int:
    total = 0
    for a, b in zip(token, token[1:] + " ", strict=True):
        value = _ROMAN_VALUES[a]
        total += -value if b != " " and _ROMAN_VALUES[b] > value else value
    return total


_GROUPING = re.compile(r"[,\s\u00a0\u202f]")
_ZEROS = {w: len(str(_SCALES[w])) - 1 for w in ("hundred", "thousand", "million")}  # _SCALED's, as powers of ten


def _canon(token: str) -> str:
    token = _GROUPING.sub("", token)
    if token.endswith(".0"):
        token = token[:-2]
    if "." in token:
        return token.rstrip("0").rstrip(".")
    try:
        return str(int(token))  # also reads other scripts' digits (Arabic-Indic, ...)
    except ValueError:  # more digits than Python converts (4,300): leading zeros dropped by hand
        return token.lstrip("0") or "0"


def _scaled(number: str, zeros: int) -> str:
    """``number`` (digits, perhaps a decimal point) times 10 ** ``zeros``, exactly, canonical:
    ('1.5', 3) -> '1500'. (As a float, 1.1 thousand was 1100.0000000000002, and a number of 17
    digits or more came out as '1e+19', which nothing reads back.)"""
    whole, _, frac = number.partition(".")
    frac = frac.ljust(zeros, "0")
    return _canon(whole + frac[:zeros] + ("." + frac[zeros:] if frac[zeros:] else ""))


def _number_words(words: list[str], i: int, and_joins: bool = True) -> tuple[int | None, int]:
    """Read a number spelled in words at ``i``: (value or None, index after it). ``a`` counts as
    one before a scale (``a hundred``, ``a dozen``); after ``between``, ``and`` ends the number
    (``between four hundred and one thousand`` is two numbers)."""
    total, current, seen = 0, 0, False
    while i < len(words):
        w = words[i]
        if w in _TENS:
            current += _TENS[w]
            if i + 1 < len(words) and words[i + 1] in _UNITS and 0 < _UNITS[words[i + 1]] < 10:
                i += 1
                current += _UNITS[words[i]]
        elif w in _UNITS:
            current += _UNITS[w]
        elif w == "a" and not seen and i + 1 < len(words) and words[i + 1] in _SCALES:
            current = 1
        elif w in _SCALES and seen:
            if _SCALES[w] >= 1000:
                total += (current or 1) * _SCALES[w]
                current = 0
            else:
                current = (current or 1) * _SCALES[w]
        elif (w == "and" and seen and and_joins and i + 1 < len(words)
              and (words[i + 1] in _UNITS or words[i + 1] in _TENS)):
            pass
        else:
            break
        seen = True
        i += 1
    return ((total + current) if seen else None), (i if seen else i + 1)


@functools.lru_cache(maxsize=32768)
def _date_matches(text: str) -> tuple[tuple[Date, list[tuple[int, int]]], ...]:
    """Each date written in the text, with the spans of its day numbers (which are not quantities)."""
    if not _ANY_DIGIT.search(text):
        return ()  # every date pattern has a digit in it
    found: list[tuple[Date, list[tuple[int, int]]]] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(m.start() < e and m.end() > s for s, e in taken)

    # Every pattern but _ISO names a month, and three start with it: where months start is found in
    # one pass, and those three are tried there only (``_month_led``), the others only when one is.
    months = [m.start() for m in _MONTH_AT.finditer(text)]
    ranges = bool(months) and _RANGE_HINT.search(text) is not None
    for m in _DAY_RANGE.finditer(text) if ranges else ():
        month, year = MONTHS[m[3].lower()], int(m[4] or 0)
        found += [(Date(year, month, int(m[1])), [m.span(1)]), (Date(year, month, int(m[2])), [m.span(2)])]
        taken.append(m.span())
    for m in _month_led(_MONTH_RANGE, text, months) if ranges else ():
        if free(m):
            month, year = MONTHS[m[1].lower()], int(m[4] or 0)
            found += [(Date(year, month, int(m[2])), [m.span(2)]), (Date(year, month, int(m[3])), [m.span(3)])]
            taken.append(m.span())
    for m in _ISO.finditer(text):
        found.append((Date(int(m[1]), int(m[2]), int(m[3])), [m.span(2), m.span(3)]))
    for m in _DAY_MONTH.finditer(text) if months else ():
        if free(m):
            found.append((Date(int(m[3] or 0), MONTHS[m[2].lower()], int(m[1])), [m.span(1)]))
    for m in _month_led(_MONTH_DAY, text, months):
        if free(m):
            found.append((Date(int(m[3] or 0), MONTHS[m[1].lower()], int(m[2])), [m.span(2)]))
    for m in _month_led(_MONTH_YEAR, text, months):
        found.append((Date(int(m[2]), MONTHS[m[1].lower()], 0), []))
    return tuple((d, spans) for d, spans in found if 1 <= d.month <= 12 and 0 <= d.day <= 31)


def _month_led(pattern: re.Pattern[str], text: str, months: list[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose matches start where a month's name does
    (``months``, ascending): tried at those places only (tests/test_facts.py holds them equal)."""
    end = 0
    for start in months:
        if start >= end and (m := pattern.match(text, start)):
            yield m
            end = m.end()


@functools.lru_cache(maxsize=32768)
def date_mentions(text: str) -> tuple[Date, ...]:
    """Dates written in the text; year 0 where the text gives day and month only."""
    return tuple(d for d, _ in _date_matches(text))


@functools.lru_cache(maxsize=32768)
def quantities(text: str) -> frozenset[str]:
    """The numbers of the text that are not the day of a date (``11`` in ``11 July`` is a day,
    not eleven of something)."""
    days = sorted(span for _, spans in _date_matches(text) for span in spans)
    if days:
        pieces, last = [], 0
        for start, end in days:
            pieces += [text[last:start], " "]
            last = max(last, end)
        text = "".join(pieces) + text[last:]
    return numbers(text)


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


def _month_in(month: int, text: str) -> bool:
    return re.search(rf"\b{MONTH_NAMES[month - 1]}\b", text, re.I) is not None or any(
        d.month == month for d in date_mentions(text))


def unsupported(answer: str, excerpt: str) -> list[str]:
    """The quantities, dates and months stated in ``answer`` that ``excerpt`` does not state."""
    # The excerpt is read only for what the answer states (most answers state no number or date).
    stated = quantities(answer)
    have = quantities(excerpt) if stated else frozenset()
    missing = [n for n in sorted(stated, key=lambda s: (len(s), s)) if n not in have]
    dates = date_mentions(answer)
    mentions = date_mentions(excerpt) if any(d.day for d in dates) else ()
    named = {d.month for d in dates if d.day}  # a full date's month is checked with its day
    for date in dates:
        if date.day and not any((d.month, d.day) == (date.month, date.day) for d in mentions):
            missing.append(f"{date.day} {MONTH_NAMES[date.month - 1]}")
        elif not date.day and date.month not in named and not _month_in(date.month, excerpt):
            missing.append(MONTH_NAMES[date.month - 1])
        named.add(date.month)
    for m in _BARE_MONTH.finditer(answer):
        month = MONTHS[m[1].lower()]
        if month not in named and not (m[1] == "May" and m.start() == 0) and not _month_in(month, excerpt):
            missing.append(m[1])
    return list(dict.fromkeys(missing))


def date_unsupported(date: Date, excerpt: str) -> str | None:
    """Why an event's date is not in its excerpt, or None when it is."""
    if date.day and not any((d.month, d.day) == (date.month, date.day) for d in date_mentions(excerpt)):
        return f"{date.day} {MONTH_NAMES[date.month - 1]}"
    if date.month and not date.day and not _month_in(date.month, excerpt):
        return MONTH_NAMES[date.month - 1]
    if str(date.year) not in numbers(excerpt):
        return str(date.year)
    return None
