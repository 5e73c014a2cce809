"""Fair quizzes: the relation between items, selection that never puts related items together,
near-duplicates in ``check``, and the options a teacher expects of ``studydeck quiz``."""

from __future__ import annotations

import dataclasses
import io
import re
from itertools import combinations

import pytest
from pypdf import PdfReader

from generator.duplicates import near_duplicates
from generator.model import Claims, Order, PointsScheme, Quote
from generator.pipeline import check_project
from generator.relations import REASONS, Relations, relations
from generator.sources import normalise
from generator.worksheet.layout import SECTION_OF, QuizSpec, layout_quiz, marking
from generator.worksheet.quizzes import select
from generator.worksheet.render import render_worksheet

from .conftest import REPO, STARTER

# The issue's own example: a multiple-choice question whose answer a matching question prints.
LEAK = """deck: Leak
items:
  - id: news-why-not-earlier
    type: mcq
    question: Which Pakistani newspaper asked why the government had not taken action earlier against the clerics?
    answer: The News
    distractors: [Dawn, The Post, Pakistan Observer]
    source: {doc: wikipedia-siege, excerpt: "Why didn't the government take action earlier against the clerics"}
  - id: newspapers-match
    type: match
    prompt: Match each newspaper to what it wrote about the Lal Masjid operation.
    left_label: Newspaper
    right_label: Comment
    pairs:
      - left: The News
        right: asked why the government had not taken action earlier against the clerics
        source: {doc: wikipedia-siege, excerpt: "Why didn't the government take action earlier against the clerics"}
      - left: Dawn
        right: supported the government's actions against Lal Masjid
        source: {doc: wikipedia-siege, excerpt: "\\"Dawn\\" supported the government's actions against Lal Masjid"}
      - left: Daily Times
        right: also supported the government's position
        source: {doc: wikipedia-siege, excerpt: "The \\"Daily Times\\" also supported the government's position"}
  - id: founder
    type: basic
    question: Who founded the Lal Masjid?
    answer: Maulana Qari Abdullah
    source: {doc: wikipedia-siege, excerpt: The Lal Masjid was founded by Maulana Qari Abdullah in 1965.}
  - id: founder-quote
    type: quote
    quotation: The government of Pakistan has proceeded in a responsible way.
    speaker: Tom Casey, US State Department deputy spokesman
    context: A US reaction to the storming of the mosque.
    source: {doc: wikipedia-siege, excerpt: "He said, \\"The government of Pakistan has proceeded in a responsible way."}
"""


@pytest.fixture(scope="module")
def bank():
    """The shipped bank, checked (its items are usable even while it has errors of its own)."""
    return check_project(REPO)


def _pairs(items, corpus) -> set[frozenset[str]]:
    return {frozenset((r.a, r.b)) for r in relations(items, corpus)}


def test_relation_reasons_on_a_constructed_leak(make_project) -> None:
    checked = check_project(make_project({"leak.yaml": LEAK}))
    assert checked.report.ok, [d.format() for d in checked.report]
    found = {(r.a, r.b): r.reasons for r in relations(checked.project.items, checked.corpus)}
    assert found == {("news-why-not-earlier", "newspapers-match"): frozenset({"leak", "excerpt", "name"})}
    relate = Relations(checked.project.items, checked.corpus)
    mcq, match, founder, quote = checked.project.items
    assert relate.reasons(mcq, match) == relate.reasons(match, mcq) == frozenset({"leak", "excerpt", "name"})
    assert relate.reasons(founder, quote) == frozenset() and relate.reasons(mcq, mcq) == frozenset()


def test_selection_never_puts_the_leak_together(make_project) -> None:
    checked = check_project(make_project({"leak.yaml": LEAK}))
    for seed in range(30):
        chosen = {item.id for item in select(checked.project.items, 10, seed, checked.corpus)}
        assert not {"news-why-not-earlier", "newspapers-match"} <= chosen, seed
        assert {"founder", "founder-quote"} < chosen and len(chosen) == 3  # one of the two, and every other item


def test_bulk_relations_equal_the_pairwise_ones(bank) -> None:
    items = list(bank.project.items)
    quotes = [item for item in items if isinstance(item, Quote)]
    items += [dataclasses.replace(quotes[0], id="quote-copy", speaker="someone else")]  # a repeated quotation
    for kind in (Order, Claims):  # a timeline asked twice, a pair shown twice
        original = next(item for item in items if isinstance(item, kind))
        items.append(dataclasses.replace(original, id=f"{original.id}-copy"))
    relate = Relations(items, bank.corpus)
    pairwise = {frozenset((a.id, b.id)): relate.reasons(a, b) for a, b in combinations(items, 2)}
    pairwise = {k: v for k, v in pairwise.items() if v}
    bulk = {frozenset((r.a, r.b)): r.reasons for r in relations(items, bank.corpus)}
    assert bulk == pairwise
    assert {reason for reasons in bulk.values() for reason in reasons} == set(REASONS)


@pytest.mark.parametrize("seed", [2007, 1, 42])
def test_mixed_quiz_from_the_shipped_bank_has_no_related_pair(bank, seed: int) -> None:
    items = bank.project.items
    related = _pairs(items, bank.corpus)
    for count in (20, 60, 500):
        chosen = select(items, count, seed, bank.corpus)
        assert len(chosen) == min(count, len(chosen)) and len(chosen) >= min(count, 60)
        assert not any(frozenset((a.id, b.id)) in related for a, b in combinations(chosen, 2)), (seed, count)
        assert [i.id for i in chosen] == [i.id for i in select(items, count, seed, bank.corpus)]  # deterministic
    sections = {SECTION_OF[item.kind] for item in select(items, 20, seed, bank.corpus)}
    assert sections == {SECTION_OF[item.kind] for item in items}  # still spread over every section


def test_quote_quiz_never_prints_a_quotation_twice(bank) -> None:
    quotes = [item for item in bank.project.items if isinstance(item, Quote)]
    # the same words quoted again under another id and speaker wording, as the bank once had
    quotes += [dataclasses.replace(q, id=f"{q.id}-again", speaker=q.speaker + " (again)") for q in quotes[:3]]
    repeated = [(a.id, b.id) for a, b in combinations(quotes, 2)
                if normalise(a.quotation).casefold() == normalise(b.quotation).casefold()]
    assert len(repeated) >= 3
    for seed in range(10):
        chosen = select(quotes, len(quotes), seed, bank.corpus)
        printed = [normalise(q.quotation).casefold() for q in chosen]
        assert len(printed) == len(set(printed)), seed


def test_near_duplicates_are_reported_once_per_item(make_project) -> None:
    item = STARTER.read_text().split("items:\n", 1)[1].split("\n- id: siege-dates", 1)[0]
    copies = "deck: Copies\nitems:\n" + "\n".join(item.replace("- id: ssg-storming-unit", f"- id: ssg-copy-{n}")
                                                   for n in range(4))
    checked = check_project(make_project({"copies.yaml": copies}))
    found = near_duplicates(checked.project.items, checked.corpus)
    assert [(a.id, b.id) for a, b, _ in found] == [(f"ssg-copy-{n}", "ssg-copy-0") for n in (1, 2, 3)]
    first = next(d for d in checked.report if d.code == "near-duplicate")
    assert (first.severity, first.span.path.endswith("decks/copies.yaml"), first.span.line) == ("warning", True, 12)
    assert re.fullmatch(r"item 'ssg-copy-1' has the same excerpt and answer as 'ssg-copy-0' at \S+decks/copies.yaml:3",
                        first.message)


def test_near_duplicates_in_the_shipped_bank_name_both_places(bank) -> None:
    warnings = [d for d in bank.report if d.code == "near-duplicate"]
    for diag in warnings:
        other = re.search(r" at (decks/\w+\.yaml):(\d+)$", diag.message)
        assert other and diag.span.path.startswith("decks/"), diag.format()
        assert (other[1], int(other[2])) != (diag.span.path, diag.span.line)


# --- the quiz command ---------------------------------------------------------------------------


def _pdf_text(path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(path.read_bytes())).pages))


def test_quiz_by_tag_warns_when_fewer_match(make_project, run, tmp_path) -> None:
    root = make_project()
    code, _, err = run(["quiz", "--tag", "opinion", "--questions", "5", "--out", str(tmp_path / "q")], cwd=root)
    assert code == 0, err
    assert "studydeck: warning: 1 questions, fewer than the 5 asked: 1 items match" in err
    assert "template" in _pdf_text(tmp_path / "q" / "siege-of-lal-masjid-quiz-A.pdf")
    code, _, err = run(["quiz", "--tag", "Nope"], cwd=root)
    assert code == 2 and "unknown tag nope; tags in the chosen decks: opinion" in err


def test_quiz_refuses_more_than_26_versions(make_project, run) -> None:
    root = make_project()
    code, _, err = run(["quiz", "--versions", "27"], cwd=root)
    assert code == 2
    assert "at most 26 versions (lettered A to Z), got 27" in err and "Traceback" not in err
    assert not (root / "dist").exists()


def test_time_and_instructions_from_the_project_file(make_project, run, tmp_path) -> None:
    root = make_project()
    with (root / "studydeck.yaml").open("a") as handle:
        handle.write("quiz:\n  minutes: 35\n  instructions: Work alone. No notes or phones.\n")
    code, _, err = run(["quiz", "--versions", "1", "--out", str(tmp_path / "q")], cwd=root)
    assert code == 0, err
    sheet = _pdf_text(tmp_path / "q" / "siege-of-lal-masjid-quiz-A.pdf")
    assert "Time allowed: 35 minutes" in sheet and "Work alone. No notes or phones." in sheet
    code, _, err = run(["quiz", "--versions", "1", "--minutes", "20", "--out", str(tmp_path / "r")], cwd=root)
    assert "Time allowed: 20 minutes" in _pdf_text(tmp_path / "r" / "siege-of-lal-masjid-quiz-A.pdf")
    with (root / "studydeck.yaml").open("a") as handle:
        handle.write("  colour: red\n")
    code, _, err = run(["quiz"], cwd=root)
    assert code == 1 and "unknown field 'colour'" in err


def test_key_opens_with_an_answer_grid(make_project) -> None:
    checked = check_project(make_project())
    data = layout_quiz(checked.project.items, checked.corpus, QuizSpec("Q", 3), 0)
    reader = PdfReader(io.BytesIO(render_worksheet(data, key=True)))
    first = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "Answers at a glance" in first
    questions = [q for s in data["sections"] for q in s["questions"]]
    for q in questions:
        short = re.sub(r"\s+", " ", q["short"])[:20]
        assert f"{q['number']}. {short}" in first, (q["number"], short)
    assert "Answer:" not in first  # the detailed answers start on the next page
    mcq = next(q for q in questions if q["kind"] == "mcq")
    assert mcq["short"] == next(c["letter"] for c in mcq["choices"] if c["correct"])


def test_short_answers_carry_marking_guidance(make_project) -> None:
    """The key says how a short answer earns its point and half of it (``per: question``) or its
    2 points and 1 (``per: part``, as before quiz.points)."""
    checked = check_project(make_project())
    for scheme, guide in ((PointsScheme(), "1 pt for all the key words, or the same in other words (or SSG alone)"
                                           " · 1/2 pt for at least 2 of the 3 key words · 0 pts otherwise"),
                          (PointsScheme(per="part"), "2 pts for all the key words, or the same in other words"
                                                     " (or SSG alone) · 1 pt for at least 2 of the 3")):
        data = layout_quiz(checked.project.items, checked.corpus, QuizSpec("Q", 3, points=scheme), 0)
        short = [q for s in data["sections"] for q in s["questions"] if q["kind"] == "short" and "marking" in q]
        assert sorted(q["id"] for q in short) == ["mustafa-template-argument", "ssg-storming-unit"]
        key = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
            render_worksheet(data, key=True))).pages))
        assert key.count("Marking (") >= len(short)
        assert guide in key, key


def test_marking_key_words() -> None:
    assert marking("The Special Service Group (SSG)", 1)["keys"] == ["Special", "Service", "Group"]
    guide = marking("In revenge, because many of them had young relatives in the shattered mosque", 2)
    assert guide["keys"] == ["revenge", "young", "relatives", "shattered", "mosque"]
    assert guide["rules"][1] == ["1 pt", "for at least 3 of the 5 key words"]
    assert marking("1965", 1)["keys"] == ["1965"] and marking("1965", 1)["rules"][1] == ["1/2 pt", "if close but not exact"]
