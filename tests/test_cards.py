"""Card design as a learner meets it in real Anki: order backs state the sequence, match fronts
offer the options, reverse cards ask a question, multiple-choice answers sit anywhere, and new
cards come in a learning order."""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.anki.notes import compile_notes, item_date
from generator.build import build
from generator.pipeline import check_project

from .ankitools import body, import_package, open_collection, rendered_cards
from .conftest import REPO, STARTER
from .selftesttools import CHROMIUM, DRIVER

APKG = "Siege of Lal Masjid.apkg"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body(html))).strip()


@pytest.fixture
def cards(make_project, tmp_path):
    root = make_project()
    result = build(root, worksheets=False)
    assert result.report.ok, [d.format() for d in result.report]
    col = open_collection(tmp_path / "anki")
    import_package(col, root / "dist" / APKG)
    yield col
    col.close()


def _card(col, item_id: str, ordinal: int = 0):
    note = col.get_note(col.find_notes(f'"ItemId:{item_id}"')[0])
    return next(c for c in note.cards() if c.ord == ordinal)


def test_order_back_states_the_sequence(cards) -> None:
    card = _card(cards, "order-2007-escalation")
    front = re.findall(r"<li>(.*?)</li>", body(card.question()).split('class="choices">', 1)[1])
    back = body(card.answer())
    sequence = re.search(r"Earliest first: ([A-Z](?:, [A-Z])*)", back)
    assert sequence, back
    letters = sequence[1].split(", ")
    dated = re.findall(r"<li><b>([A-Z])</b> <span class=\"date\">(.*?)</span> &mdash; (.*?)</li>", back)
    assert [d[0] for d in dated] == letters and sorted(letters) == list("ABCD"[: len(front)])
    for letter, _, text in dated:
        assert front["ABCDEFGH".index(letter)] == text  # the letter names the front's event
    assert [d[1] for d in dated] == ["27 March 2007", "3 July 2007", "11 July 2007", "16 August 2007"]


def test_match_front_offers_every_option(cards) -> None:
    note = cards.get_note(cards.find_notes('"ItemId:match-negotiators"')[0])
    rights = [note[f"Right{n}"] for n in range(1, 4)]
    for card in note.cards():
        front = body(card.question())
        options = re.findall(r"<li>(.*?)</li>", front.split('class="options">', 1)[1])
        assert sorted(options) == sorted(rights), card.ord
        assert note[f"Right{card.ord + 1}"] in options  # its own answer is among them
        assert "One of:" in _text(card.question())


def test_reverse_card_asks_a_question(cards) -> None:
    forward, reverse = _card(cards, "ssg-storming-unit", 0), _card(cards, "ssg-storming-unit", 1)
    question = _text(reverse.question())
    assert question.endswith("What did the Special Service Group (SSG) do at the Lal Masjid in July 2007?")
    assert _text(forward.question()).endswith("Which unit of the Pakistan Army stormed and captured the Lal Masjid complex?")
    back = _text(reverse.answer())
    assert "Which unit of the Pakistan Army stormed" in back and "The Special Service Group (SSG)" in back
    assert len(cards.find_cards('"ItemId:mustafa-template-argument"')) == 1  # no reverse card without reverse: true


def _answer_div(html: str) -> str:
    """The text of the back's (last) answer block."""
    return _text(re.findall(r'<div class="answer">(.*?)</div>', body(html))[-1])


def test_reverse_card_answers_with_the_questions_subject(cards) -> None:
    """Issue 19.7: the reverse card showed the forward answer in bold, though its front names it.
    Its answer is the question's subject: the forward question, with the words of the excerpt
    that say what the front does not marked."""
    forward, reverse = _card(cards, "ssg-storming-unit", 0), _card(cards, "ssg-storming-unit", 1)
    assert _answer_div(reverse.answer()) == "Which unit of the Pakistan Army stormed and captured the Lal Masjid complex?"
    assert "Its answer: The Special Service Group (SSG)" in _text(reverse.answer())
    assert _answer_div(forward.answer()) == "The Special Service Group (SSG)"  # the forward card is as before
    excerpt = body(reverse.answer()).split('class="excerpt">', 1)[1].split("</blockquote>", 1)[0]
    assert re.findall(r'<mark class="subject">(.*?)</mark>', excerpt) == ["complex", "stormed", "captured",
                                                                         "Pakistan Army"]
    assert re.findall(r"<mark>(.*?)</mark>", excerpt) == ["Special Service Group"]  # shown unmarked: see below


@pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)), reason="needs chromium and chromedriver")
def test_reverse_card_highlights_only_the_subject_in_a_browser(cards, browser, tmp_path) -> None:
    """What a learner sees highlighted, by the computed style in Chromium with the cards' own CSS:
    the forward back marks the answer, the reverse back the question's subject."""
    from selenium.webdriver.common.by import By

    seen = {}
    for ordinal in (0, 1):
        html = _card(cards, "ssg-storming-unit", ordinal).answer()
        path = tmp_path / f"card{ordinal}.html"
        path.write_text(f'<!doctype html><meta charset="utf-8"><div class="card">{html}</div>')
        browser.get(path.as_uri())
        seen[ordinal] = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "mark")
                         if m.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")]
    assert seen == {0: ["Special Service Group"], 1: ["complex", "stormed", "captured", "Pakistan Army"]}


def test_reverse_without_its_question_is_refused(make_project, run) -> None:
    text = STARTER.read_text().replace(
        "  reverse_question: What did the Special Service Group (SSG) do at the Lal Masjid in July 2007?\n", "")
    code, _, err = run(["check"], cwd=make_project({"starter.yaml": text}))
    assert code == 1
    assert "decks/starter.yaml:7:12: error[missing-field]: reverse: true needs reverse_question" in err


@pytest.fixture(scope="module")
def bank_notes():
    checked = check_project(REPO)  # the shipped bank's items compile even while it has check errors
    return checked, compile_notes(checked.project, checked.corpus)


def test_multiple_choice_answers_are_spread_over_positions(bank_notes) -> None:
    _, notes = bank_notes
    positions: Counter[int] = Counter()
    for note in (n for n in notes if n.kind == "mcq"):
        marked = note.fields[2]
        choices = re.findall(r"<li( class=\"correct\")?>", marked)
        positions[[bool(c) for c in choices].index(True)] += 1
    total = sum(positions.values())
    assert total >= 20  # the shipped bank has 24 multiple-choice items (issue 19 removed bare-date ones)
    for position in range(4):  # every item has at least 3 choices... and most have 4
        assert 0.15 <= positions[position] / total <= 0.40, positions
    assert positions[0] / total <= 0.35  # the first option is not a good guess


def test_new_cards_come_in_learning_order(bank_notes) -> None:
    checked, notes = bank_notes
    deck_of = {n.item_id: n.deck.rsplit("::", 1)[1] for n in notes}
    due = {n.item_id: n.due for n in notes}
    assert sorted(due.values()) == list(range(1, len(notes) + 1))
    first = sorted(due, key=due.get)
    assert deck_of[first[0]] == "Chronology"
    chronology = [i for i in first if deck_of[i] == "Chronology"]
    assert first[: len(chronology)] == chronology  # the chronology deck first
    items = {i.id: i for i in checked.project.items}
    dates = [item_date(items[i]) for i in chronology]
    known = [d for d in dates if d is not None]
    assert len(known) > 0.8 * len(dates) and known == sorted(known)  # by date, undated ones after
    assert all(d is None for d in dates[len(known):])


def test_anki_shows_new_cards_by_their_position(cards) -> None:
    """The positions survive the import: with "ascending position" gathering, Anki's queue
    follows them (per deck, Anki always does)."""
    from anki.deck_config_pb2 import DeckConfig

    lowest = DeckConfig.Config.NEW_CARD_GATHER_PRIORITY_LOWEST_POSITION
    rows = sorted((cards.get_card(cid).due, cards.get_card(cid).nid) for cid in cards.find_cards(""))
    assert rows[0][0] == 1 and len({due for due, _ in rows}) == cards.note_count()  # one position per note
    conf = cards.decks.config_dict_for_deck_id(cards.decks.id_for_name("Siege of Lal Masjid"))
    conf["newGatherPriority"] = lowest
    conf["new"]["perDay"] = 50
    cards.decks.update_config(conf)
    cards.decks.select(cards.decks.id_for_name("Siege of Lal Masjid"))
    queued = [cards.get_card(q.card.id).due for q in cards.sched.get_queued_cards(fetch_limit=5).cards]
    assert queued == sorted(queued) and queued[0] == 1
    assert [name for name, *_ in rendered_cards(cards)]  # the cards still render


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("a &<>\"'{}[]\\;#x1é")) | st.characters(), max_size=40))
def test_escaping_equals_the_translate_table(text: str) -> None:
    """``esc`` (a chain of replacements, for speed) is the one-pass translate table it replaced:
    each special character once, ``&`` never escaped twice."""
    from generator.anki.notes import _ESCAPE, esc

    assert esc(text) == text.translate(_ESCAPE)


_HTML_BITS = ["<", ">", "/", " ", "\n", "b", "B1", "div", 'class="x"', "!--", "![CDATA[", "-->", "a", "=", "'", '"',
              "<b>", "</b>", "<br/>", "<div class=\"source\">", "< b>", "<1>", "<b/ >"]


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(field=st.lists(st.sampled_from(_HTML_BITS), max_size=16).map("".join)
       | st.text(alphabet="<>/ b!-\n=\"a", max_size=30))
def test_the_malformed_tag_test_finds_what_genanki_finds(field: str) -> None:
    """``markup._MALFORMED`` is genanki's pattern with ``.*?`` for ``.*`` in its look-ahead (for speed):
    it finds the same malformed tags in any field; ``markup._TAG_AT`` finds the tags ``_TAG`` finds."""
    import genanki

    from generator.anki import markup

    assert markup._MALFORMED.findall(field) == genanki.Note._find_invalid_html_tags_in_field(field)
    # and check_html looks at each tag as one string: the ones the allow-list pattern finds
    assert markup._TAG_AT.findall(field) == [m.group() for m in markup._TAG.finditer(field)]


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(text=st.lists(st.sampled_from(["19", "20", "07", "2007", "1999", "x", "_", " ", "-", "\n", "\u0661", "a1"]),
                     max_size=12).map("".join))
def test_the_year_pattern_finds_what_the_plain_one_finds(text: str) -> None:
    """``item_date`` looks for a year with a pattern led by its digits (for speed): the same matches."""
    from generator.anki import notes

    assert notes._YEAR.findall(text) == re.findall(r"\b(?:19|20)\d\d\b", text)
