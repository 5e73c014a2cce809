"""Worksheets print what items say (issue 20, finding 7): Urdu letters and joined Arabic (Noto
Naskh Arabic ships with studydeck), a long word broken rather than run off the page, and a
located warning for a character no worksheet font draws (tests/cases/invalid/no-font-for-character)."""

from __future__ import annotations

import bisect
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from generator.pipeline import check_project
from generator.worksheet.glyphs import COMMON_BELOW, _common_drawn, undrawn
from generator.worksheet.layout import QuizSpec, layout_quiz
from generator.worksheet.render import render_worksheet

URDU = "عبدالرشید غازی نے کہا ہں ے"
LONG = "Ghazi" + "x" * 150


def _pdf(make_project, answer: str) -> bytes:
    from .conftest import STARTER

    deck = STARTER.read_text().replace("answer: ", f'answer: "{answer}" #', 1)
    checked = check_project(make_project({"starter.yaml": deck}))
    assert checked.report.errors == 0, [d.format() for d in checked.report]
    return render_worksheet(layout_quiz(checked.project.items, checked.corpus, QuizSpec("Q", 7), 0), key=True)


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.get_object()["/BaseFont"]).lstrip("/")))
    return names


def test_urdu_is_printed_in_an_arabic_font(make_project) -> None:
    """Before, DejaVu Sans Mono drew basic Arabic letters unjoined and Urdu's as boxes."""
    fonts = _fonts(_pdf(make_project, URDU))
    assert any(name.startswith("NotoNaskhArabic") for name in fonts), fonts
    assert not any(name.startswith("DejaVuSansMono") for name in fonts), fonts
    assert undrawn(URDU) == []


def test_a_long_word_is_broken_inside_the_page(make_project) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = _pdf(make_project, LONG)
    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    width = float(re.search(r'<page width="([\d.]+)"', boxes)[1])  # type: ignore[index]
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes))
    assert right <= width - 1.9 / 2.54 * 72 + 1, (right, width)  # inside the right margin
    assert LONG in "".join(re.sub(r"\s", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(("text", "missing"), [("红色清真寺", "红色清真寺"), ("😀 ok", "😀"), ("ⵜⵉⴼⵉⵏⴰⵖ", "ⵜⵉⴼⵏⴰⵖ"),
                                               ("Lal Masjid — “Red Mosque”, 2007", ""), (URDU, "")])
def test_undrawn_names_what_no_worksheet_font_has(text: str, missing: str) -> None:
    assert "".join(undrawn(text)) == missing


def test_the_shipped_fonts_are_in_the_package() -> None:
    folder = Path(__file__).resolve().parents[1] / "generator" / "worksheet" / "fonts"
    assert {p.name for p in folder.glob("*.ttf")} == {"NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"}
    assert "SIL OPEN FONT LICENSE" in (folder / "OFL.txt").read_text().upper()


def test_the_coverage_list_was_made_from_this_typst() -> None:
    """coverage.txt lists what typst's bundled fonts draw: a new typst may bundle others (run
    generator/worksheet/fonts/make_coverage.py then)."""
    from importlib.metadata import version

    folder = Path(__file__).resolve().parents[1] / "generator" / "worksheet" / "fonts"
    assert f" from typst-{version('typst')}: " in (folder / "coverage.txt").read_text().splitlines()[0]


def _undrawn_reference(text: str) -> list[str]:
    """``undrawn`` as it was written first: each distinct character looked up in coverage.txt's ranges."""
    from generator.worksheet.glyphs import _ranges

    starts, ends = _ranges()
    missing = []
    for ch in dict.fromkeys(text):
        at = bisect.bisect_right(starts, ord(ch)) - 1
        if not (at >= 0 and ord(ch) <= ends[at]) and not ch.isspace():
            missing.append(ch)
    return missing


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
       | st.text(alphabet=st.characters(max_codepoint=COMMON_BELOW + 0x200), max_size=40))
def test_undrawn_with_its_known_characters_is_the_lookup_of_each(text: str) -> None:
    """The characters below ``COMMON_BELOW`` that fonts draw are known up front (a text of them
    only is passed in one step): the answer is the per-character lookup's, whatever the text."""
    assert undrawn(text) == _undrawn_reference(text)


def test_every_character_known_up_front_is_drawn_or_a_space() -> None:
    drawn = _common_drawn()
    assert all((chr(code) in drawn) == (not _undrawn_reference(chr(code))) for code in range(COMMON_BELOW))
