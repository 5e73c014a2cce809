"""The check for characters no worksheet font draws (``no-font-for-character``) is passed over
for a deck file, or an item's piece, whose text is ``validate.drawn_throughout``: what the items'
checks report is then exactly what they report when every text is looked at."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.deckfile import parse_deck_file
from generator.load import load_settings, parse_model
from generator.model import Deck
from generator.sources import load_corpus
from generator.validate import drawn_throughout, validate_items
from generator.worksheet.glyphs import undrawn

from .conftest import REPO

ITEM = """deck: D
items:
  - id: first-item
    type: basic
    question: {question}
    answer: {answer}
    source:
      doc: wikipedia-siege
      excerpt: {excerpt}
"""

# Characters a font draws and ones none does, plain and as the escapes YAML makes them from.
_PARTS = st.sampled_from([
    "Who", " led", "é", "ا", "☃", "一", "ก", "😀", "あ", "\\u4e00", "\\x41", "\\u00e9", "\\t", "\\a",
    "\\\\", "\\N", "\\_", "'", "2007", "\\U0001F600",
])
_TEXT = st.lists(_PARTS, min_size=1, max_size=6).map("".join)
_STYLE = st.sampled_from(['"{}"', "'{}'", "{}"])


@pytest.fixture(scope="module")
def corpus():
    _, catalog, _ = load_settings(REPO)
    assert catalog is not None
    return load_corpus(REPO, catalog)[0]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(_TEXT, _STYLE, _TEXT, _STYLE)
def test_items_of_a_text_drawn_throughout_report_the_same(corpus, question, q_style, answer, a_style) -> None:
    text = ITEM.format(question=q_style.format(question), answer=a_style.format(answer),
                       excerpt='"the army"')
    deck, _ = parse_model(text.encode(), "f.yaml", Deck, "deck")
    if deck is None:
        return
    items = list(deck.items)
    drawn = drawn_throughout(text)
    assert validate_items(items, corpus, drawn) == validate_items(items, corpus)


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ~\t\n\r\x07\x0b\x1f\x7f]^-é一ก☃\u3000")) | st.characters(),
               max_size=20))
def test_drawn_throughout_is_every_character_drawn(text: str) -> None:
    """Without a backslash, ``drawn_throughout`` is ``undrawn`` finding nothing (it looks only at
    what is left once the ASCII characters that pass are taken out)."""
    text = text.replace("\\", "")
    assert drawn_throughout(text) == (not undrawn(text))


def test_it_is_not_vacuous(corpus) -> None:
    """Both kinds of text occur among the cases above, and a deck file of the shipped bank is one."""
    plain = ITEM.format(question="Who led it?", answer="The army", excerpt='"the army"')
    assert drawn_throughout(plain)
    assert not drawn_throughout(plain.replace("The army", "一"))
    assert not drawn_throughout(plain.replace("The army", '"\\u4e00"'))  # an escape makes one
    assert all(drawn_throughout((REPO / "decks" / name).read_text()) for name in ("actors.yaml", "figures.yaml"))


def test_a_deck_file_parsed_whole_or_by_pieces_reports_them(corpus) -> None:
    """Through ``deckfile``: an undrawn character, written or escaped, is reported either way."""
    for answer in ("一", '"\\u4e00"'):
        text = ITEM.format(question="Who led it?", answer=answer, excerpt='"the army"').encode()
        done = parse_deck_file(text, "f.yaml", corpus, {})
        assert "no-font-for-character" in {d.code for d in done.diags}
        again = parse_deck_file(text, "f.yaml", corpus, done.now)
        assert [d.code for d in again.diags] == [d.code for d in done.diags]
