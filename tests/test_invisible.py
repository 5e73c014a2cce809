"""Invisible characters and line breaks in one-line fields are refused, located, with the
character named (issue 20, findings 5 and 10): each of these passed ``check`` before, and a soft
hyphen in an answer made the self-test page mark the correctly typed answer wrong."""

from __future__ import annotations

import unicodedata

import pytest

from generator import yamltree

DECK = "deck: D\nitems:\n  - id: a\n    type: basic\n    question: Who{ch}?\n    answer: x\n"
INVISIBLE = [
    "\u00ad",  # SOFT HYPHEN (Cf)
    "\u061c",  # ARABIC LETTER MARK (Cf)
    "\U000e0041",  # TAG LATIN CAPITAL LETTER A (Cf)
    "\u034f",  # COMBINING GRAPHEME JOINER (Mn, draws nothing)
    "\u2028",  # LINE SEPARATOR (Zl)
    "\u2029",  # PARAGRAPH SEPARATOR (Zp)
    "\u3164",  # HANGUL FILLER (Lo, draws nothing)
    "\u115f", "\u1160", "\uffa0",  # the other Hangul fillers
    "\u2800",  # BRAILLE PATTERN BLANK
    "\u180e",  # MONGOLIAN VOWEL SEPARATOR (Cf in Unicode 14)
    "\ufff9",  # INTERLINEAR ANNOTATION ANCHOR (Cf)
    "\u200c", "\u200d",  # ZWNJ and ZWJ: refused too (see yamltree._INVISIBLE_CATEGORIES)
    "\u2066",  # LEFT-TO-RIGHT ISOLATE (bidi)
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE (bidi)
]


def _name(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


@pytest.mark.parametrize("ch", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_an_invisible_character_in_the_file_is_refused_and_named(ch: str) -> None:
    _, diags = yamltree.load(DECK.format(ch=ch).encode(), "f.yaml")
    if ch in "\u2028\u2029":  # a YAML line end: the file is not read further
        expected = ("line-end", f"{_name(ch)}: YAML reads it as a line end, and it shows as nothing; use LF")
    else:
        expected = ("invisible-character", f"invisible character {_name(ch)}")
    assert [(d.code, d.span.line, d.span.col, d.message) for d in diags] == [(expected[0], 5, 18, expected[1])]


@pytest.mark.parametrize("ch", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_an_invisible_character_written_as_an_escape_is_refused_and_named(ch: str) -> None:
    escape = f"\\U{ord(ch):08X}"
    _, diags = yamltree.load(DECK.format(ch="").replace("Who?", f'"Who{escape}?"').encode(), "f.yaml")
    assert [(d.code, d.span.line, d.span.col, d.message) for d in diags] == [
        ("invisible-character", 5, 15, f"invisible character {_name(ch)} in value")]


@pytest.mark.parametrize("text", ["Who is ہ ں ے?", "Who? 😀 漢字 ⵜⵉⴼⵉⵏⴰⵖ", "Who is Abdul Rashid Ghazi?"])
def test_visible_text_of_any_script_passes(text: str) -> None:
    assert yamltree.load(DECK.format(ch="").replace("Who?", text).encode(), "f.yaml")[1] == []


@pytest.mark.parametrize(("escape", "name"), [("\\r", "U+000D"), ("\\x85", "U+0085")])
def test_a_line_break_written_as_an_escape_in_a_deck_title_is_refused(make_project, run, escape, name) -> None:
    """A deck title with a carriage return passed ``check``; gift-pegjs then failed on the GIFT
    and Anki renamed the deck."""
    deck = (DECK.format(ch="").replace("deck: D", f'deck: "Chronology{escape}"')
            + "    source: {doc: wikipedia-siege, excerpt: The complex was besieged from 3 to 11 July 2007}\n")
    code, _, err = run(["check"], cwd=make_project({"case.yaml": deck}))
    assert code == 1
    assert f"decks/case.yaml:1:7: error[control-character]: control character {name} in value" in err, err
