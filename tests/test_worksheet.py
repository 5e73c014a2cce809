"""Worksheets as a teacher meets them: the data handed to Typst (golden), and the PDFs' text."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
from pypdf import PdfReader

from generator.pipeline import check_project
from generator.worksheet import layout
from generator.worksheet.layout import QuizSpec, layout_quiz
from generator.worksheet.quizzes import select
from generator.worksheet.render import render_worksheet

from .conftest import CASES, STARTER

GOLDEN = CASES.parent / "golden" / "starter-quiz-A.json"
SPECIAL = [
    '#read("/etc/passwd")', '#import "@preview/cetz:0.3.0"', "$x^2$", "*bold*", "_under_", "<label>",
    "@ref", "// not a comment", "= not a heading", "] [ \\",
]
SPECIAL_ITEM = f"""
- id: special-characters
  type: basic
  question: {json.dumps("Which year? " + " ".join(SPECIAL))}
  answer: "1965 #set page(width: auto)"
  source: {{doc: wikipedia-siege, excerpt: The Lal Masjid was founded by Maulana Qari Abdullah in 1965.}}
"""


def _text(pdf: bytes) -> list[str]:
    """Each page's text, whitespace folded (line breaks fall anywhere)."""
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_golden_quiz_data(starter) -> None:
    data = layout_quiz(starter.project.items, starter.corpus, QuizSpec("Starter quiz", 7), 0)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "layout changed: review, then UPDATE_GOLDEN=1 pytest tests/test_worksheet.py"


def test_versions_have_the_same_questions_in_their_own_order(starter) -> None:
    items = starter.project.items
    versions = [layout_quiz(items, starter.corpus, QuizSpec("Q", 7), v) for v in range(3)]
    ids = [[q["id"] for s in v["sections"] for q in s["questions"]] for v in versions]
    assert sorted(ids[0]) == sorted(ids[1]) == sorted(ids[2]) == sorted(i.id for i in items)
    assert len({tuple(i) for i in ids}) > 1 or all(len(s["questions"]) == 1 for s in versions[0]["sections"])
    choices = [[c["text"] for s in v["sections"] for q in s["questions"] if q["kind"] == "mcq" for c in q["choices"]]
               for v in versions]
    assert len({tuple(c) for c in choices}) > 1  # choices shuffled differently between versions
    assert versions[0] == layout_quiz(items, starter.corpus, QuizSpec("Q", 7), 0)  # deterministic


def test_every_question_appears_once_in_every_version(starter) -> None:
    items = starter.project.items
    for version in range(2):
        data = layout_quiz(items, starter.corpus, QuizSpec("Starter", 3), version)
        pages = _text(render_worksheet(data))
        whole = " ".join(pages)
        for section in data["sections"]:
            for q in section["questions"]:
                probe = _fold(q["prompt"])[:45]
                if q["kind"] == "cloze":
                    probe = _fold(q["segments"][0]["text"])[:30]
                assert whole.count(probe) == 1, (version, q["id"], probe)
        for n, page in enumerate(pages, start=1):
            assert f"Page {n} of {len(pages)}" in page


def test_each_key_matches_its_version(starter) -> None:
    items = starter.project.items
    for version in range(2):
        data = layout_quiz(items, starter.corpus, QuizSpec("Starter", 3), version)
        key = " ".join(_text(render_worksheet(data, key=True)))
        assert f"Key · Version {data['version']}" in key
        answers = re.findall(r"Answer: (.+?)(?= “| Note:|$)", key)
        expected = [_fold(q["answer"]) for s in data["sections"] for q in s["questions"]]
        assert len(answers) == len(expected)
        for got, want in zip(answers, expected, strict=True):
            assert got.startswith(want[:25]), (got, want)
        for s in data["sections"]:
            for q in s["questions"]:
                for source in q["sources"]:
                    assert _fold(source["excerpt"])[:30] in key  # the excerpt each answer rests on


def test_special_characters_print_literally(make_project) -> None:
    checked = check_project(make_project({"starter.yaml": STARTER.read_text() + SPECIAL_ITEM}))
    assert checked.report.ok, [d.format() for d in checked.report]
    item = next(i for i in checked.project.items if i.id == "special-characters")
    data = layout_quiz([item], checked.corpus, QuizSpec("Title #strong[x] $y$", 1), 0)
    sheet = " ".join(_text(render_worksheet(data)))
    key = " ".join(_text(render_worksheet(data, key=True)))
    for raw in SPECIAL:
        assert raw in sheet, raw
    assert "Title #strong[x] $y$" in sheet
    assert "1965 #set page(width: auto)" in key
    assert "root:" not in sheet  # nothing of /etc/passwd


def test_no_question_is_split_across_pages(make_project) -> None:
    """A long quiz: every multiple-choice question's prompt and all its choices share a page."""
    from .conftest import REPO

    checked = check_project(REPO)
    items = select(checked.project.items, 60, 11, checked.corpus)
    data = layout_quiz(items, checked.corpus, QuizSpec("Long", 11), 0)
    pages = _text(render_worksheet(data))
    assert len(pages) > 3
    for s in data["sections"]:
        for q in s["questions"]:
            if q["kind"] != "mcq":
                continue
            page = next(p for p in pages if _fold(q["prompt"])[:100] in p)
            for choice in q["choices"]:
                assert _fold(choice["text"])[:30] in page, (q["id"], choice["text"])


def test_same_data_same_bytes(starter) -> None:
    data = layout_quiz(starter.project.items, starter.corpus, QuizSpec("Q", 5), 1)
    assert render_worksheet(data) == render_worksheet(data)
    assert render_worksheet(data, key=True) == render_worksheet(data, key=True)


def test_chronology_key_draws_a_timeline(starter) -> None:
    data = layout_quiz(starter.project.items, starter.corpus, QuizSpec("Q", 5), 0)
    assert [row["date"] for row in data["timeline"]] == ["27 March 2007", "3 July 2007", "11 July 2007", "16 August 2007"]
    key = " ".join(_text(render_worksheet(data, key=True)))
    assert "Timeline of the dated events in this quiz" in key
    assert re.search(r"27 March 2007 .*3 July 2007 .*11 July 2007 .*16 August 2007", key)


def test_build_writes_worksheets_per_deck_and_mixed(make_project, run) -> None:
    root = make_project()
    code, _, err = run(["build"], cwd=root)
    assert code == 0, err
    names = sorted(p.name for p in (root / "dist" / "worksheets").iterdir())
    assert names == [f"{stem}-{v}{k}.pdf" for stem in ("mixed", "starter") for v in "AB" for k in ("-key", "")]
    assert "wrote 8 worksheets and keys in dist/worksheets/" in err


def test_quiz_command_options(make_project, run, tmp_path) -> None:
    root = make_project()
    out = tmp_path / "q"
    code, _, err = run(["quiz", "--type", "mcq", "--type", "truefalse", "--versions", "3", "--paper", "us-letter",
                        "--title", "Pop quiz", "--seed", "9", "--out", str(out)], cwd=root)
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [f"pop-quiz-{v}{k}.pdf" for v in "ABC" for k in ("-key", "")]
    page = PdfReader(out / "pop-quiz-A.pdf").pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    text = " ".join(_text((out / "pop-quiz-B.pdf").read_bytes()))
    assert "Multiple choice" in text and "True or false" in text and "Short answer" not in text
    assert "3 questions (mcq, truefalse), 3 versions, seed 9." in err
    assert run(["quiz", "--deck", "nope"], cwd=root)[0] == 2
    assert run(["quiz", "--questions", "0"], cwd=root)[0] == 2


# --- print: no overprint, blanks sized to the answer, counts of one in the singular ----------------

EU_CLOZE = """
- id: eu-restraint
  type: cloze
  text: The European Union praised the "{{c1::restraint and moderation}} showed by the Pakistani authorities".
  source:
    doc: wikipedia-siege
    excerpt: The EU also praised the "restraint and moderation showed by the Pakistani authorities."
"""


@pytest.fixture(scope="module")
def bank():
    from .conftest import REPO

    return check_project(REPO)


def _lines(page) -> list[tuple[float, float, float, float, float, str]]:
    """A page's text lines as (left, baseline, right, ink depth below and ink height above the
    baseline, text): the ink from each font's glyph box (FontBBox of the embedded subset) at its
    size; the right end estimated from the characters. Runs less than 3 pt apart are one row (a
    small label beside a line)."""
    rows: list[list] = []

    def visit(text, cm, tm, font, size) -> None:
        if not text.strip() or font is None:
            return
        box = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]["/FontBBox"]
        scale = size * tm[3] * cm[3]
        x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        depth, height = -float(box[1]) / 1000 * scale, float(box[3]) / 1000 * scale
        end = x + len(text.strip()) * 0.42 * scale
        for row in rows:
            if abs(row[1] - y) < 3:
                row[0], row[2] = min(row[0], x), max(row[2], end)
                row[3], row[4], row[5] = max(row[3], depth), max(row[4], height), row[5] + text
                return
        rows.append([x, y, end, depth, height, text])

    page.extract_text(visitor_text=visit)
    return [tuple(row) for row in rows]


def ink_overlaps(pdf: bytes) -> list[str]:
    """Every pair of lines, one above the other, whose glyphs can touch: the upper line's
    descenders reach below the top of the lower line's tallest glyph."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        lines = _lines(page)
        for a in lines:
            for b in lines:
                stacked = a[1] > b[1] and a[0] < b[2] and b[0] < a[2]
                if stacked and a[1] - a[3] < b[1] + b[4]:
                    found.append(f"page {number}: {a[5][:40]!r} over {b[5][:40]!r}")
    return found


def test_no_line_of_a_sheet_or_key_overprints_another(bank) -> None:
    """Issue 19.7: a key's answer overprinted the excerpt under it (0.35 em of 8.5 pt between an
    11 pt line's descenders and the excerpt's capitals)."""
    items = select(bank.project.items, 40, 2007, bank.corpus)
    data = layout_quiz(items, bank.corpus, QuizSpec("Long", 2007), 0)
    for key in (False, True):
        assert ink_overlaps(render_worksheet(data, key=key)) == [], key


def test_blanks_are_as_wide_as_their_answers(make_project) -> None:
    checked = check_project(make_project({"starter.yaml": STARTER.read_text() + EU_CLOZE}))
    assert checked.report.ok, [d.format() for d in checked.report]
    items = {i.id: i for i in checked.project.items}
    widths = {}
    for item_id in ("curfew-sector", "eu-restraint"):
        data = layout_quiz([items[item_id]], checked.corpus, QuizSpec("Q", 1), 0)
        blank = data["sections"][0]["questions"][0]["blanks"][0]
        widths[blank["answer"]] = blank["width"]
        page = PdfReader(io.BytesIO(render_worksheet(data))).pages[0]
        runs: list[tuple[str, float, float]] = []

        def visit(text, cm, tm, font, size, runs=runs) -> None:
            runs.append((text, tm[4] + cm[4], size))

        page.extract_text(visitor_text=visit)
        at = next(n for n, (text, _, _) in enumerate(runs) if text.strip().startswith("(1)"))
        after = next(x for text, x, _ in runs[at + 1 :] if text.strip())  # the text after the blank
        drawn = (after - runs[at][1]) / 11  # in em of the 11 pt text
        assert drawn >= blank["width"] - 0.5, (item_id, drawn, blank["width"])
        assert drawn >= len(blank["answer"]) * 0.6  # room to write the answer by hand
    assert layout.BLANK_MIN_EM <= widths["G-6"] < widths["restraint and moderation"] <= layout.BLANK_MAX_EM


def test_counts_of_one_are_singular(starter) -> None:
    item = next(i for i in starter.project.items if i.kind == "mcq")
    data = layout_quiz([item], starter.corpus, QuizSpec("One", 1, minutes=1), 0)
    for key in (False, True):
        text = " ".join(_text(render_worksheet(data, key=key)))
        assert re.search(r"\b1 (questions|points|minutes|pts)\b", text) is None, text
        assert "1 question" in text and "1 point" in text and "1 minute" in text
        assert "Multiple choice (1 point)" in text and "1 pt" in text
