"""Faithful text: learners read each excerpt as its source writes it, with the words that support
the answer marked; normalisation is only for matching."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import marks
from generator.anki.notes import compile_notes
from generator.pipeline import check_project
from generator.worksheet.layout import QuizSpec, layout_quiz

from .conftest import REPO


def _fold(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def bank():
    return check_project(REPO)


def test_every_excerpt_of_the_bank_is_shown_verbatim(bank) -> None:
    """What each item displays is a span of its seed file, character for character (white space folded)."""
    seeds = {doc_id: _fold(doc.text) for doc_id, doc in bank.corpus.documents.items()}
    count = 0
    for item in bank.project.items:
        for ref in item.sources():
            shown = bank.corpus.shown(ref.doc, ref.excerpt).text
            assert shown in seeds[ref.doc], (item.id, shown)
            count += 1
    assert count > 250  # the shipped bank cites 287 excerpts after issue 19 removed trivia and bare dates


def test_quotes_and_spaces_are_the_sources_own(bank) -> None:
    corpus = bank.corpus
    shown = corpus.shown("wikipedia-siege", "Once 'Operation Silence' is over").text
    assert shown == "Once \u2018Operation Silence\u2019 is over" or shown == "Once 'Operation Silence' is over"
    assert "Once'Operation" not in shown
    siege = corpus.documents["wikipedia-siege"].text
    assert shown in _fold(siege)
    deliberate = corpus.shown("wikipedia-siege", "for his 'deliberate' absence").text
    assert deliberate.startswith("for his ") and "his'" not in deliberate


def test_card_backs_show_the_verbatim_excerpt(bank) -> None:
    notes = {n.item_id: n for n in compile_notes(bank.project, bank.corpus)}
    for item in bank.project.items:
        fields = " ".join(notes[item.id].fields)
        quotes = re.findall(r'<blockquote class="excerpt">(.*?)</blockquote>', fields, re.S)
        texts = {html.unescape(re.sub(r"</?mark[^>]*>", "", q)) for q in quotes}
        for ref in item.sources():
            assert bank.corpus.shown(ref.doc, ref.excerpt).text in texts, item.id


def test_answer_keys_show_the_verbatim_excerpt(bank) -> None:
    items = bank.project.items[:40]
    data = layout_quiz(items, bank.corpus, QuizSpec("Q", 1), 0)
    shown = {bank.corpus.shown(r.doc, r.excerpt).text for i in items for r in i.sources()}
    excerpts = {s["excerpt"] for sec in data["sections"] for q in sec["questions"] for s in q["sources"]}
    assert excerpts <= shown and excerpts


@pytest.mark.parametrize(
    ("doc", "excerpt", "needle", "marked"),
    [
        ("wikipedia-siege", "The complex was besieged from 3 to 11 July 2007", "3 to 11 July 2007", ["3 to 11 July 2007"]),
        ("wikipedia-siege", "the complex was stormed and captured by the Pakistan Army's Special Service Group",
         "The Special Service Group (SSG)", ["Special Service Group"]),
        ("wikipedia-siege", "Twenty-one additional students surrendered to authorities", "21", ["Twenty-one"]),
        ("wikipedia-siege", "On 3 July 2007, a battle erupted between Pakistani security forces", "3 July",
         ["3 July"]),
    ],
)
def test_marks_fall_on_the_supporting_words(bank, doc, excerpt, needle, marked) -> None:
    shown = bank.corpus.shown(doc, excerpt)
    spans = marks.find_spans(shown, [needle])
    assert [shown.text[s:e] for s, e in spans] == marked


def test_highlight_field_marks_a_paraphrased_answer(bank) -> None:
    shown = bank.corpus.shown("wikipedia-siege", "Abdul Aziz was captured trying to escape disguised as a woman wearing a burqa")
    spans = marks.find_spans(shown, ["xyz", "disguised as a woman"])
    assert [shown.text[s:e] for s, e in spans] == ["disguised as a woman"]


def test_coverage_reports_marked_backs(make_project, run) -> None:
    code, out, err = run(["coverage"], cwd=make_project())
    assert code == 0, err
    assert re.search(r"Card backs with the answer marked in every excerpt: \d+/10 \(\d+%\)", out)


def test_find_prints_the_sources_own_text_once_per_sentence(make_project, run) -> None:
    code, out, _ = run(["find", "Operation Silence"], cwd=make_project())
    assert code == 0
    assert "Once 'Operation Silence' is over" in out.replace("\\u2018", "'").replace("\\u2019", "'")
    assert out.count("wikipedia-siege:") == 1
    assert re.search(r'raised\."\}', out)  # cut at the sentence's end


def test_did_you_mean_names_the_source_that_has_the_excerpt(make_project, run) -> None:
    deck = """deck: Case
items:
- id: wrong-source
  type: basic
  question: According to Yuri Prasad in Socialist Worker, who ordered the raid?
  answer: Musharraf
  source: {doc: socialist-worker-prasad, excerpt: "The complex was besieged from 3 to 11 July 2007"}
"""
    code, _, err = run(["check"], cwd=make_project({"case.yaml": deck}))
    assert code == 1
    assert "it is in wikipedia-siege (seeds/001_700d1b8999e0173a.txt, line 7): cite that source instead" in err


def test_yaml_syntax_errors_get_a_plain_hint(make_project, run) -> None:
    root = make_project({"case.yaml": "deck: Case\nitems:\n  - id: x\n    question: What: is this\n"})
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert 'hint: a value that contains ": " must be quoted' in err
    root = make_project({"case.yaml": "deck: Case\nitems:\n  - id: x\n   type: basic\n"}, name="indent")
    _, _, err = run(["check"], cwd=root)
    assert "hint: this line's indentation does not match the lines around it" in err


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(st.text(alphabet="ab_-' 1é\u0301", max_size=14), st.text(alphabet="ab_-'1é", min_size=1, max_size=4))
def test_whole_word_search_equals_the_pattern(text: str, word: str) -> None:
    """marks finds content words with str.find and a letter-or-digit check; the same as the pattern."""
    import re

    from generator.marks import _whole_word

    m = re.search(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text)
    assert _whole_word(text, word) == (m.start() if m else -1)
