"""build.worksheets: which worksheets `build` makes, one case each; unknown names are located
errors found before anything is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.build import build
from generator.diagnostics import Span
from generator.model import BuildDefaults, Pos, ProjectConfig
from generator.pipeline import check_project
from generator.worksheet.layout import layout_quiz
from generator.worksheet.quizzes import default_quizzes, worksheet_problems

from .conftest import REPO, STARTER, snapshot


def _decks() -> dict[str, str]:
    """The starter items split into two deck files, alpha and beta."""
    text = STARTER.read_text()
    body = text.split("items:\n", 1)[1]
    items = re.split(r"(?m)^(?=- id: )", body)[1:]
    return {"alpha.yaml": "deck: Alpha\nitems:\n" + "".join(items[:5]),
            "beta.yaml": "deck: Beta\nitems:\n" + "".join(items[5:])}


def _project(make_project, worksheets: str | None) -> Path:
    root = make_project(_decks())
    text = (root / "studydeck.yaml").read_text().replace("  versions: 2\n", "  versions: 1\n")
    if worksheets is not None:
        text = text.replace("  questions: 20\n", f"  questions: 20\n  worksheets: {worksheets}\n")
    (root / "studydeck.yaml").write_text(text)
    return root


def _pdf_text(path: Path) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(path).pages]


def _sheets(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "dist" / "worksheets").glob("*.pdf"))


ALPHA = ["alpha-A-key.pdf", "alpha-A.pdf"]
BETA = ["beta-A-key.pdf", "beta-A.pdf"]
MIXED = ["mixed-A-key.pdf", "mixed-A.pdf"]


@pytest.mark.parametrize(("worksheets", "expected"), [
    (None, ALPHA + BETA + MIXED),  # default: all
    ("[all]", ALPHA + BETA + MIXED),
    ("[mixed]", MIXED),
    ("[beta]", BETA),
    ("[Beta, mixed]", BETA + MIXED),  # file stems match whatever their case
    ("[mixed, alpha, alpha]", ALPHA + MIXED),
    ("[alpha, all]", ALPHA + BETA + MIXED),
    ("[]", []),
])
def test_build_makes_the_chosen_worksheets(make_project, run, worksheets, expected) -> None:
    root = _project(make_project, worksheets)
    code, _, err = run(["build", "--no-exports", "."], cwd=root)
    assert code == 0, err
    assert (_sheets(root) if (root / "dist" / "worksheets").exists() else []) == expected
    assert (root / "dist" / "Siege of Lal Masjid.apkg").is_file()


def test_no_worksheets_flag_still_leaves_them_all_out(make_project, run) -> None:
    root = _project(make_project, "[all]")
    code, _, err = run(["build", "--no-exports", "--no-worksheets", "."], cwd=root)
    assert code == 0, err
    assert not (root / "dist" / "worksheets").exists()


def test_unknown_deck_is_a_located_error_and_nothing_is_written(make_project, run) -> None:
    root = _project(make_project, "[alpha, mixd,\n    gamma-deck, bta]")
    before = snapshot(root)
    code, _, err = run(["build", "."], cwd=root)
    assert code == 1
    errors = [line for line in err.splitlines() if "error[" in line]
    assert errors == [
        "studydeck.yaml:15:23: error[bad-value]: build.worksheets[2]: 'mixd' is not a deck file in decks/"
        " (name a deck by its file stem, or all, or mixed); did you mean 'mixed'?",
        "studydeck.yaml:16:5: error[bad-value]: build.worksheets[3]: 'gamma-deck' is not a deck file in decks/"
        " (name a deck by its file stem, or all, or mixed); decks: alpha, beta",
        "studydeck.yaml:16:17: error[bad-value]: build.worksheets[4]: 'bta' is not a deck file in decks/"
        " (name a deck by its file stem, or all, or mixed); did you mean 'beta'?",
    ]
    assert err.rstrip().endswith("nothing written.")
    assert snapshot(root) == before


def test_unknown_deck_fails_even_without_worksheets(make_project, run) -> None:
    root = _project(make_project, "[gamma]")
    code, _, err = run(["build", "--no-worksheets", "."], cwd=root)
    assert code == 1 and "error[bad-value]: build.worksheets[1]: 'gamma'" in err


def test_a_single_word_is_not_a_list(make_project, run) -> None:
    root = _project(make_project, "mixed")
    code, _, err = run(["build", "."], cwd=root)
    assert code == 1
    assert "studydeck.yaml:15:15: error[wrong-type]: project.build.worksheets: expected a list, got text 'mixed'" in err


def test_without_the_project_file_the_list_itself_is_the_place() -> None:
    config = ProjectConfig(collection="C", id="c")
    assert worksheet_problems(config, ["decks/alpha.yaml"]) == []
    where = Span("studydeck.yaml", 9, 15)
    chosen = BuildDefaults(worksheets=("alpha", "omega"), pos=Pos(Span("studydeck.yaml", 8, 3), {"worksheets": where}))
    problems = worksheet_problems(ProjectConfig(collection="C", id="c", build=chosen), ["decks/alpha.yaml"])
    assert [(d.span, d.code) for d in problems] == [(where, "bad-value")]
    assert "'omega' is not a deck file" in problems[0].message


def test_build_api_takes_the_choice(make_project) -> None:
    root = _project(make_project, "[alpha]")
    result = build(root, exports=set())
    assert result.report.ok
    assert sorted(p.name for p in result.written if p.suffix == ".pdf") == ALPHA


def test_check_reports_an_unknown_deck_too(make_project, run) -> None:
    root = _project(make_project, "[alpha, bta]")
    code, _, err = run(["check", "."], cwd=root)
    assert code == 1
    assert "studydeck.yaml:15:23: error[bad-value]: build.worksheets[2]: 'bta' is not a deck file" in err


# --- quiz.points: the points scheme ---------------------------------------------------------------


def _parts(item) -> int:
    """The judgements a marker makes on a question, read off the item (independently of scoring.py)."""
    if item.kind in ("match", "claims", "order"):
        return len(item.pairs if item.kind == "match" else item.claims if item.kind == "claims" else item.events)
    if item.kind == "cloze":
        return item.text.count("{{c")
    return 2 if item.kind == "basic" else 1


def _bank_project(make_project, points: str | None, name: str = "proj") -> Path:
    """The shipped bank with the mixed quiz only, one version, and ``points`` as quiz.points."""
    root = make_project({p.name: p.read_text() for p in sorted((REPO / "decks").glob("*.yaml"))}, name)
    text = (root / "studydeck.yaml").read_text().replace("  versions: 2\n", "  versions: 1\n")
    text = text.replace("  questions: 20\n", "  questions: 20\n  worksheets: [mixed]\n")
    (root / "studydeck.yaml").write_text(text + (f"quiz:\n  points: {points}\n" if points else ""))
    return root


def _mixed_points(root: Path) -> tuple[dict[str, tuple[int, int]], int, list]:
    """The mixed quiz (version A) as `build` lays it out: (questions, points) by item type, the total,
    and the items."""
    checked = check_project(root)
    config = checked.project.config
    b = config.build
    request = default_quizzes(config.collection, checked.project.decks, b.questions, b.versions, b.seed, b.paper,
                              checked.corpus, config.quiz, ["mixed"])[0]
    data = layout_quiz(request.items, checked.corpus, request.spec, 0)
    kind = {item.id: item.kind for item in request.items}
    by_type: dict[str, tuple[int, int]] = {}
    for q in (q for s in data["sections"] for q in s["questions"]):
        n, p = by_type.get(kind[q["id"]], (0, 0))
        by_type[kind[q["id"]]] = (n + 1, p + q["points"])
    return by_type, data["total"], list(request.items)


@pytest.mark.parametrize("points", [None, "{per: question}"])
def test_by_default_every_question_type_earns_its_share(make_project, points) -> None:
    """Issue 19.5: matching, timeline and contested-figures questions earned 27 of the mixed quiz's 41
    points from 8 of its 20 questions. Now each type's share of the points is its share of the questions."""
    by_type, total, items = _mixed_points(_bank_project(make_project, points))
    assert total == len(items) == 20
    assert all(n == p for n, p in by_type.values()), by_type
    assert {"match", "order", "claims"} <= set(by_type)  # the types that had more than their share are there


def test_per_part_with_a_cap_and_without(make_project) -> None:
    by_type, total, items = _mixed_points(_bank_project(make_project, "{per: part, cap: 2}"))
    assert total == sum(min(_parts(i), 2) for i in items)
    for kind, (_, p) in by_type.items():
        assert p == sum(min(_parts(i), 2) for i in items if i.kind == kind), kind
    assert by_type["match"][1] == 2 * by_type["match"][0] and by_type["mcq"][1] == by_type["mcq"][0]
    uncapped, total, items = _mixed_points(_bank_project(make_project, "{per: part}", "uncapped"))
    assert uncapped["match"][1] == sum(len(i.pairs) for i in items if i.kind == "match") > 2 * uncapped["match"][0]
    assert total == sum(_parts(i) for i in items)


def test_the_scheme_is_printed_on_the_sheet_and_in_the_key(make_project, run) -> None:
    root = _bank_project(make_project, "{per: part, cap: 2}")
    code, _, err = run(["build", "--no-exports", "."], cwd=root)
    assert code == 0, err
    by_type, total, _ = _mixed_points(root)
    sheet, key = (" ".join(_pdf_text(root / "dist" / "worksheets" / f"mixed-A{k}.pdf")) for k in ("", "-key"))
    rule = "Each part of a question (a pair, an event, a blank, half of a short answer's key words) earns 1 point"
    for text in (sheet, key):
        assert f"{rule}, at most 2 pts a question" in text
    assert f"Total: {total} points" in sheet and f"Matching ({by_type['match'][1]} points)" in sheet
    assert re.search(r"Marking \(2 points\)\. [0-9/]+ pt for each pair matched correctly \(\d pairs\)", key), key
    assert re.search(r"2 pts for all the key words.*? · 1 pt for at least \d+ of the \d+ key words · 0 pts otherwise", key)
    code, _, err = run(["quiz", "--type", "match", "--versions", "1", "--out", str(root / "q")], cwd=root)
    assert code == 0, err
    assert f"{rule}, at most 2 pts a question" in " ".join(_pdf_text(root / "q" / "siege-of-lal-masjid-quiz-A.pdf"))


@pytest.mark.parametrize(("points", "expected"), [
    ("{per: pair}", "studydeck.yaml:16:17: error[bad-value]: project.quiz.points.per: 'pair' is not one of question, part"),
    ("{per: part, cap: 0}", "studydeck.yaml:16:28: error[bad-value]: project.quiz.points.cap: 0 is outside 1..50"),
    ("{cap: 2}", "studydeck.yaml:16:17: error[bad-value]: project.quiz.points.cap: 2 applies only with per: part"
                 " (per: question makes every question worth 1 point)"),
    ("{per: part, caps: 2}",
     "studydeck.yaml:16:23: error[unknown-field]: project.quiz.points: unknown field 'caps'; did you mean 'cap'?"),
    ("2", "studydeck.yaml:16:11: error[wrong-type]: project.quiz.points: expected a mapping, got text '2'"),
])
def test_an_invalid_scheme_is_a_located_error(make_project, run, points, expected) -> None:
    root = _project(make_project, None)
    with (root / "studydeck.yaml").open("a") as handle:
        handle.write(f"quiz:\n  points: {points}\n")
    before = snapshot(root)
    code, _, err = run(["build", "."], cwd=root)
    assert code == 1
    assert [line for line in err.splitlines() if "error[" in line] == [expected]
    assert err.rstrip().endswith("nothing written.") and snapshot(root) == before
