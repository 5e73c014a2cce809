"""Numbers and dates read from text, for answer support and event order."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import facts, marks
from generator.facts import (
    _MONTH_RE,
    _SCALE_WORD,
    MONTH_NAMES,
    MONTHS,
    Date,
    date_mentions,
    numbers,
    parse_date,
    unsupported,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,096 people, 628 men", {"1096", "628"}),
        ("Twenty-one additional students", {"21"}),
        ("nine people dead and approximately 150 injured", {"9", "150"}),
        ("one mile (1.6 km)", {"1", "1.6"}),
        ("about 12 thousand students", {"12000"}),
        ("between 400 and 1,000 students", {"400", "1000"}),
        ("between 400 and 1,000, along with women", {"400", "1000"}),
        ("in 2007, 154 deaths", {"2007", "154"}),
        ("more than fifty dead", {"50"}),
        # Words of Roman letters that are not numerals (the numeral pattern once matched nothing before
        # them, and reading the empty match raised: `check` died on "such as DVD vendors")
        ("raids on DVD vendors", set()),
        ("IIII, LIVID, CIVIC, IC, VX", set()),
        ("XLII and MCMXCIX, but CD shops", {"42", "1999"}),
        # Scaled exactly (as floats: 1100.0000000000002, and '1e+19' that nothing read back)
        ("1.1 thousand, 0.25 million, 10000000000000000 thousand", {"1100", "250000", "10000000000000000000"}),
        ("5" * 4301, {"5" * 4301}),  # past the digits int() converts
    ],
)
def test_numbers(text: str, expected: set[str]) -> None:
    assert numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 July 2007", Date(2007, 7, 3)),
        ("July 3, 2007", Date(2007, 7, 3)),
        ("2007-07-03", Date(2007, 7, 3)),
        ("July 2007", Date(2007, 7)),
        ("1965", Date(1965)),
        ("3 July", None),
        ("32 July 2007", None),
        ("soon", None),
    ],
)
def test_parse_date(text: str, expected: Date | None) -> None:
    assert parse_date(text) == expected


def test_date_mentions_without_year() -> None:
    assert Date(0, 4, 6) in date_mentions("On 6 April, Abdul Aziz established a sharia court")


def test_unsupported_names_what_is_missing() -> None:
    excerpt = "On 3 July 2007, a battle erupted ... leaving nine people dead and approximately 150 injured."
    assert unsupported("9 dead on 3 July 2007", excerpt) == []
    assert unsupported("10 dead on 4 July 2007", excerpt) == ["10", "4 July"]  # the day is reported once, as a date
    assert unsupported("in June 2007", excerpt) == ["June"]


SIEGE = "The complex was besieged from 3 to 11 July 2007, while negotiations were attempted."
DEAD = "Between 400 and 1,000 students were inside; eleven soldiers and 154 people died, 1 000 fled."


@pytest.mark.parametrize(
    ("answer", "excerpt", "missing"),
    [
        # refused: what the excerpt does not say
        ("in August", SIEGE, ["August"]),
        ("on the 3rd of August", SIEGE, ["3 August"]),
        ("August 3rd, 2007", SIEGE, ["3 August"]),
        ("a dozen soldiers", DEAD, ["12"]),
        ("a hundred soldiers", DEAD, ["100"]),
        ("XII soldiers", DEAD, ["12"]),
        ("hundreds of students", DEAD, ["hundreds"]),
        ("eleven days", SIEGE, ["11"]),  # 11 is a day of July there, not eleven of something
        ("3 students", SIEGE, ["3"]),
        # accepted: what it does say, however it is written
        ("July 3\u201311, 2007", SIEGE, []),
        ("from the 3rd to the 11th of July", SIEGE, []),
        ("3-11 July 2007", SIEGE, []),
        ("between four hundred and one thousand", DEAD, []),
        ("eleven soldiers", DEAD, []),
        ("1 000", DEAD, []),
        ("1000", DEAD, []),
        ("154", DEAD, []),
        ("July", SIEGE, []),
    ],
)
def test_answer_support(answer: str, excerpt: str, missing: list[str]) -> None:
    from generator.sources import normalise

    assert unsupported(normalise(answer), normalise(excerpt)) == missing


def test_number_words_between_is_a_range() -> None:
    assert numbers("between four hundred and one thousand") == {"400", "1000"}
    assert numbers("two hundred and fifty thousand") == {"250000"}
    assert numbers("four hundred and one") == {"401"}
    assert numbers("two dozen, a dozen, a hundred, XII, MMVII") == {"24", "12", "100", "2007"}
    assert numbers("several thousand students, thousands of bullets") == {"several thousand", "thousands"}


@settings(max_examples=200, derandomize=True, deadline=None)
@given(n=st.integers(min_value=0, max_value=999_999))
def test_digits_and_grouped_digits_agree(n: int) -> None:
    """However a number is grouped (1000, 1,000, 1 000), it reads as the same number."""
    assert numbers(str(n)) == numbers(f"{n:,}") == numbers(f"{n:,}".replace(",", " ")) == {str(n)}


@settings(max_examples=200, derandomize=True, deadline=None)
@given(day=st.integers(min_value=1, max_value=28), month=st.integers(min_value=1, max_value=12),
       other=st.integers(min_value=1, max_value=12))
def test_a_date_supports_itself_and_no_other_month(day: int, month: int, other: int) -> None:
    name, wrong = MONTH_NAMES[month - 1], MONTH_NAMES[other - 1]
    excerpt = f"It happened on {day} {name} 2007."
    for answer in (f"{day} {name} 2007", f"{name} {day}, 2007", f"the {day}th of {name}", f"{name} 2007"):
        assert unsupported(answer, excerpt) == []
    if other != month:
        assert unsupported(f"{day} {wrong} 2007", excerpt) == [f"{day} {wrong}"]
        assert unsupported(f"in {wrong}", excerpt) == [wrong]
    assert str(day) not in numbers_outside_dates(excerpt)


TRICKY = ["DVD", "IIII", "XII", "MMVII", "CD", "IC", "LIVID", "1", "3", "11", "2007", "07", "1,000", "1 000", "12,",
          ",000", "1.6", "July", "jul", "May", "may", "Sept", "the", "of", "to", "-", "and", "between", "hundred",
          "a", "dozen", "hundreds", "several", "thousand", "twenty-one", "3rd", ",", ".", "\u00a0", "2007-07-03",
          "2007-13-45", "0", "31", "32", "00", "\n", "(", "five", "million"]
_texts = st.lists(st.sampled_from(TRICKY), max_size=14).map(" ".join) | st.text(max_size=40)


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(answer=_texts, excerpt=_texts)
def test_reading_any_text_never_fails(answer: str, excerpt: str) -> None:
    """Whatever an answer and an excerpt say, reading them gives a result, not an exception."""
    assert isinstance(numbers(answer), frozenset)
    assert isinstance(date_mentions(answer), tuple)
    assert isinstance(unsupported(answer, excerpt), list)
    parse_date(answer)


_LOOKAHEADS = [_MONTH_RE, _SCALE_WORD.pattern, marks._NUMBERISH.pattern, marks._MONTH.pattern]
_word_texts = st.lists(st.sampled_from([*MONTHS, *MONTH_NAMES, "Sept.", "JULY", "mAy", "\u017fep", "\u017feptember",
                                        "maybe", "march", "ing", "x", "1", "12,5", " ", "-", "\u0130", "\u212a",
                                        "dozens", "HUNDRED", "Twenty-One", "a", "and", "zero", "\u00c9ight"]),
                       max_size=10).map("".join) | st.text(max_size=30)


@settings(max_examples=1500, derandomize=True, deadline=None)
@given(text=_word_texts)
def test_lookahead_patterns_find_what_the_plain_ones_find(text: str) -> None:
    """Month names, scale and number words are searched behind a look-ahead at their first
    letters (``facts.starts``), for speed: it must not change a single match (case-folded
    letters included). The plain pattern is the same without the look-ahead."""
    for fast in _LOOKAHEADS:
        plain = re.sub(r"\(\?=\[[a-z]+\]\)", "", fast)
        assert plain != fast
        assert ([m.span() for m in re.finditer(fast, text, re.I)]
                == [m.span() for m in re.finditer(plain, text, re.I)])


_PLAIN_DIGITS = re.compile(
    r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d|,\d)"
    r"|(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.]|\s+(?:" + _MONTH_RE + r")\b)"
    r"|(?<![\d.])\d+(?:\.\d+)?",
    re.I,
)
_PLAIN_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_PLAIN_ROMAN = re.compile(r"\b[MDCLXVI]{2,}\b")
_digit_texts = st.lists(st.sampled_from([*TRICKY, "1,096", "12 000", "1\u00a0000", "3.5", "x1", "_2", ".5", ",5", "a1",
                                         "\u0661\u0662", "2007-07-03x", "12,000,000", "1 000 July", "20070703", "-",
                                         "XII", "MMVII", "xIV", "\u0130V", "DVD", "_CD"]),
                        max_size=10).map("".join) | _texts


@settings(max_examples=800, derandomize=True, deadline=None)
@given(text=_digit_texts)
def test_digit_first_patterns_find_what_the_plain_ones_find(text: str) -> None:
    """``_DIGITS``, ``_ISO`` and ``_ROMAN_WORD`` start with a character and look behind it (for
    speed): every match, group and span is that of the same pattern written the plain way."""
    for fast, plain in ((facts._DIGITS, _PLAIN_DIGITS), (facts._ISO, _PLAIN_ISO), (facts._ROMAN_WORD, _PLAIN_ROMAN)):
        assert ([(m.span(), m.groups()) for m in fast.finditer(text)]
                == [(m.span(), m.groups()) for m in plain.finditer(text)])
        assert bool(fast.fullmatch(text)) == bool(plain.fullmatch(text))


_range_texts = st.lists(st.sampled_from([*TRICKY, "3rd", "11th", " to ", "-", "until", "TILL", "And", "through", "the",
                                          "July", "Sept.", "\u017fep", "\n", "  ", "3 to 11 July 2007", "July 3-11, 2007",
                                          "the 3rd and the 4th of May", "June 1st through 2nd"]),
                        max_size=10).map(" ".join) | _digit_texts


@settings(max_examples=800, derandomize=True, deadline=None)
@given(text=_range_texts)
def test_the_range_patterns_find_nothing_where_their_hint_finds_nothing(text: str) -> None:
    """``_date_matches`` runs the two range patterns only where ``_RANGE_HINT`` finds a day, a
    range word and a day: wherever either matches, the hint does too."""
    if facts._DAY_RANGE.search(text) or facts._MONTH_RANGE.search(text):
        assert facts._RANGE_HINT.search(text), text


@settings(max_examples=800, derandomize=True, deadline=None)
@given(text=_word_texts | _texts)
def test_words_lowered_in_one_call_are_each_word_lowered(text: str) -> None:
    """``numbers`` lower-cases the words it reads in one call, joined by spaces (the letters
    ``_WORDS`` reads include U+0130, which lower-cases to two characters)."""
    words = facts._WORDS.findall(text)
    assert " ".join(words).lower().split(" ") == ([w.lower() for w in words] or [""])


@settings(max_examples=800, derandomize=True, deadline=None)
@given(text=_range_texts | _word_texts)
def test_patterns_tried_where_months_start_find_what_they_find_anywhere(text: str) -> None:
    """``_date_matches`` tries the patterns that start with a month's name only where one starts
    (``_month_led``), and the others only when a month is named: the same matches as a search of
    the whole text."""
    months = [m.start() for m in facts._MONTH_AT.finditer(text)]
    for pattern in (facts._MONTH_RANGE, facts._MONTH_DAY, facts._MONTH_YEAR):
        assert ([(m.span(), m.groups()) for m in facts._month_led(pattern, text, months)]
                == [(m.span(), m.groups()) for m in pattern.finditer(text)])
    if not months:
        assert not facts._DAY_RANGE.search(text) and not facts._DAY_MONTH.search(text)


def test_an_excerpt_naming_dvd_vendors_checks(make_project, run) -> None:
    """The siege article's "such as DVD vendors" is citable: ``check`` once died on it."""
    deck = """deck: Raids
items:
  - id: raids-targets
    type: basic
    question: What did the students' vigilante raids target, according to the encyclopedia article on the siege?
    answer: DVD vendors, barber shops and a Chinese-run massage parlor
    source: {doc: wikipedia-siege, excerpt: "such as DVD vendors, barber shops and a Chinese-run massage parlor"}
"""
    code, _, err = run(["check"], cwd=make_project({"raids.yaml": deck}))
    assert (code, err.strip()) == (0, "0 errors, 0 warnings in 3 files.")


def numbers_outside_dates(text: str) -> frozenset[str]:
    from generator.facts import quantities

    return quantities(text)
