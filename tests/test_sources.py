"""Normalisation and excerpt lookup against the real seeds."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.load import read_model
from generator.model import Catalog
from generator.sources import load_corpus, normalise

from .conftest import REPO


@pytest.fixture(scope="module")
def corpus():
    catalog, _ = read_model(REPO / "seeds" / "sources.yaml", Catalog, "catalog")
    corpus, diags = load_corpus(REPO, catalog)
    assert diags == []
    return corpus


@pytest.mark.parametrize(
    ("doc", "excerpt"),
    [
        ("wikipedia-siege", "The complex was besieged from 3 to 11 July 2007"),
        ("wikipedia-siege", "The complex was\n   besieged   from 3 to 11\tJuly 2007"),  # whitespace
        ("wikipedia-siege", "after the Soviet-Afghan War ended in 1989".replace("after", "After")),  # en dash
        ("socialist-worker-prasad", "George Bush's \"war on terror\""),  # curly quotes in the seed
        ("socialist-worker-prasad", unicodedata.normalize("NFD", "José")[:0] + "Pakistan's dictator General Musharraf"),
        ("wikipedia-mosque", "The Lal Masjid (translated Red Mosque) is a mosque located in Islamabad, the capital of Pakistan"),
        ("wikipedia-mosque", "Abdullah was critical of all governments except Zia's with whom he was very close"),
        ("islamicity-mustafa", "Abdul Rashid Ghazi-the principal of the seminary"),  # "--" in the seed
    ],
)
def test_excerpts_match_after_normalisation(corpus, doc: str, excerpt: str) -> None:
    assert corpus.get(doc).locate(excerpt) is not None


def test_nfd_excerpt_matches_nfc_seed(corpus) -> None:
    excerpt = unicodedata.normalize("NFD", "José Manuel Barroso, issued a statement")
    assert excerpt != unicodedata.normalize("NFC", excerpt)
    assert corpus.get("wikipedia-siege").locate(excerpt) is not None


@pytest.mark.parametrize(
    ("doc", "excerpt"),
    [
        ("wikipedia-siege", "The complex was besieged from 3 to 12 July 2007"),
        ("wikipedia-siege", "the complex was besieged from 3 to 11 July 2007"),  # case matters
        ("wikipedia-siege", "The government reported that the operation resulted in 164 deaths"),
        ("wikipedia-mosque", "The Lal Masjid is a mosque located in Islamabad"),  # words dropped
    ],
)
def test_absent_excerpts_do_not_match(corpus, doc: str, excerpt: str) -> None:
    assert corpus.get(doc).locate(excerpt) is None


def test_match_reports_original_line(corpus) -> None:
    hit = corpus.get("wikipedia-siege").locate("a battle erupted between Pakistani security forces")
    assert hit.line == 31


def test_normalise_is_idempotent() -> None:
    for text in ("Zia 's era \\( x \\) -- “q” … a  b", "Islamabad , the capital"):
        assert normalise(normalise(text)) == normalise(text)


def test_token_style_thousands_read_as_one_number(corpus, make_project, run) -> None:
    """The mosque article's "12 , 000" is cited and supported as 12,000 (it is not "12" and "000")."""
    assert normalise("about 12 , 000 students") == "about 12,000 students"
    assert normalise("In 2007, 154 deaths") == "In 2007, 154 deaths"  # prose keeps its comma-space
    assert corpus.get("wikipedia-mosque").locate("said about 12,000 students attended the rally") is not None
    deck = (
        "deck: D\nitems:\n  - id: rally\n    type: basic\n"
        "    question: According to Rehman Malik, how many students attended the 2008 rally?\n"
        "    answer: About 12,000\n    source: {doc: wikipedia-mosque, excerpt: 'said about 12 , 000 students'}\n"
    )
    assert run(["check"], cwd=make_project({"d.yaml": deck}))[0] == 0


_TRICKY = st.lists(
    st.sampled_from(list("ab1 2,.;:!?()[]'\"-\\\n\t")
                    + ["\u2019", "\u201c", "\u2013", "\u2014", "\u2026", "\u00a0", "e\u0301", " , ", "12 , 000",
                       "12 ,\n000", "0"]),
    max_size=30,
).map("".join)


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(st.one_of(_TRICKY, st.text(max_size=40)))
def test_fast_normalise_equals_offset_normalise(text: str) -> None:
    """normalise (regex, for excerpts) and normalise_with_offsets (per character, for seeds) agree."""
    from generator.sources import normalise_with_offsets

    assert normalise(text) == normalise_with_offsets(unicodedata.normalize("NFC", text))[0]


def _reference_offsets(text: str) -> tuple[str, list[int]]:
    """The normalisation with offsets, one character at a time: the specification that the
    faster ``normalise_with_offsets`` (runs of ordinary characters copied whole) must equal."""
    from generator.normalise import _CLOSE, _OPEN, _PUNCT, _TRANSLATE, _token_thousands

    out: list[str] = []
    offsets: list[int] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch == "\\" and i + 1 < n and text[i + 1] in _PUNCT:
            continue
        if ch.isspace():
            if _token_thousands(text, i):
                continue
            if out and out[-1] != " " and out[-1] not in _OPEN:
                out.append(" ")
                offsets.append(i)
            continue
        for c in _TRANSLATE.get(ch, ch):
            if c in _CLOSE and out and out[-1] == " ":
                out.pop()
                offsets.pop()
            if c == "-" and out and out[-1] == "-":
                continue
            out.append(c)
            offsets.append(i)
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(st.one_of(_TRICKY, st.text(max_size=40)))
def test_offsets_equal_the_per_character_reference(text: str) -> None:
    from generator.sources import normalise_with_offsets

    text = unicodedata.normalize("NFC", text)
    assert normalise_with_offsets(text) == _reference_offsets(text)


def test_offsets_of_every_seed_equal_the_reference() -> None:
    from generator.sources import normalise_with_offsets

    for path in sorted((REPO / "seeds").glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        assert normalise_with_offsets(text) == _reference_offsets(text), path.name


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(st.one_of(_TRICKY, st.text(max_size=40)))
def test_shown_places_each_raw_character_where_folding_puts_it(text: str) -> None:
    """Shown._index (runs of white space found once, then a bisection) equals folding the white
    space of the text before the character, the definition it replaced."""
    import re

    from generator.sources import Shown

    def folded(i: int) -> int:
        if text[i].isspace():
            return len(re.sub(r"\s+", " ", text[: i + 1]).lstrip()) - 1
        return len(re.sub(r"\s+", " ", text[:i]).lstrip())

    shown = Shown(" ".join(text.split()), "", text, [0])
    assert [shown._index(i) for i in range(len(text))] == [folded(i) for i in range(len(text))]


def test_locate_answers_the_same_when_asked_again(corpus) -> None:
    doc = corpus.get("wikipedia-siege")
    first = doc.locate("The complex was besieged from 3 to 11 July 2007")
    assert first is not None and doc.locate("The complex was besieged from 3 to 11 July 2007") == first
    assert doc.locate("no such words in the article xyz") is None
    assert doc.locate("no such words in the article xyz") is None


def test_a_build_normalises_each_seed_once_and_gets_the_same_normal_form(corpus) -> None:
    """In a build (``load_corpus(..., for_excerpts=True)``) the normal form comes with the offsets in one pass; it
    is the one the regular expressions give."""
    from generator.sources import Document

    for doc in corpus.documents.values():
        raw = (REPO / "seeds" / doc.entry.file).read_bytes()
        plain, both = Document(doc.entry, raw), Document(doc.entry, raw, with_offsets=True)
        assert both.norm == plain.norm
        assert both._offsets is not None and plain._offsets is None
        assert list(both.offsets) == list(plain.offsets)


@settings(max_examples=1000, derandomize=True, deadline=None)
@given(st.one_of(_TRICKY, st.text(max_size=40)), st.data())
def test_span_of_equals_folding_whether_or_not_white_space_was_folded(text: str, data) -> None:
    """span_of takes a short cut when no run of white space was folded (``text`` as long as
    ``raw``); with or without it, a span lands where folding the prefix puts it."""
    import re

    from generator.sources import Shown

    text = text.strip()
    if not text:
        return

    def folded(i: int) -> int:
        if text[i].isspace():
            return len(re.sub(r"\s+", " ", text[: i + 1]).lstrip()) - 1
        return len(re.sub(r"\s+", " ", text[:i]).lstrip())

    offsets = [100 + i for i in range(len(text))]
    shown = Shown(" ".join(text.split()), text, text, offsets, 100)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assert shown.span_of(start, end) == (folded(start), folded(end - 1) + 1)
