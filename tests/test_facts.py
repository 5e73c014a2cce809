"""Numbers and dates read from text, for answer support and event order."""

from __future__ import annotations

import pytest

from generator.facts import Date, date_mentions, numbers, parse_date, unsupported


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
    assert unsupported("10 dead on 4 July 2007", excerpt) == ["4", "10", "4 July"]
    assert unsupported("in June 2007", excerpt) == ["June"]
