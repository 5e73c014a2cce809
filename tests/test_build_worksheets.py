"""build.worksheets: which worksheets `build` makes, one case each; unknown names are located
errors found before anything is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build import build
from generator.diagnostics import Span
from generator.model import BuildDefaults, Pos, ProjectConfig
from generator.worksheet.quizzes import worksheet_problems

from .conftest import STARTER, snapshot


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
