"""The case catalogue: one invalid deck per diagnostic code, each with its exact expected output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.diagnostics import Problem

from .conftest import CASES

INVALID = sorted((CASES / "invalid").glob("*.yaml"))
WARNINGS = {code for code, cls in Problem.registry.items() if cls.severity == "warning"}
# Codes that a deck file's text cannot raise; test_loader.py, test_project.py and test_anki.py cover them.
NOT_FROM_DECK_TEXT = {
    "missing-file", "file-too-large", "encoding", "nul-byte", "line-end", "seed-modified", "lock-file",
    # tests/test_hardening.py:
    "note-type-changed", "previous-package", "output-collision", "unsafe-path", "not-a-file",
    # tests/test_previous_formats.py, tests/test_identity.py:
    "no-notes-of-ours", "project-id-changed", "collection-renamed",
}


def _diagnostics(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.match(r"^\S+:\d+:\d+: (error|warning)\[", line)]


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case(case: Path, make_project, run) -> None:
    root = make_project({"case.yaml": case.read_bytes()})
    code, _, err = run(["check"], cwd=root)
    expected = case.with_suffix(".expected").read_text().splitlines()
    assert _diagnostics(err) == expected
    assert any(f"[{case.stem}]" in line for line in expected), "the case must raise its own code"
    assert code == (0 if case.stem in WARNINGS else 1)
    assert err.rstrip().endswith("nothing written.") or case.stem in WARNINGS


def test_every_code_has_a_case() -> None:
    covered = {p.stem for p in INVALID} | NOT_FROM_DECK_TEXT
    assert set(Problem.registry) - {""} <= covered


def test_every_code_is_documented() -> None:
    for code, cls in Problem.registry.items():
        assert code and cls.__doc__ and len(cls.__doc__) > 20, code


def test_valid_starter_is_clean(make_project, run) -> None:
    code, _, err = run(["check"], cwd=make_project())
    assert code == 0
    assert err.strip() == "0 errors, 0 warnings in 3 files."


def test_all_problems_in_one_run(make_project, run) -> None:
    """Problems in several files and several items are all reported together, sorted by place."""
    decks = {p.name: p.read_bytes() for p in INVALID if p.stem in ("duplicate-choice", "unknown-field", "correction")}
    code, _, err = run(["check"], cwd=make_project(decks))
    lines = _diagnostics(err)
    assert code == 1
    codes = [line.split("[")[1].split("]")[0] for line in lines]
    # The three files share the id case-item, so the second and third uses are reported too; two
    # of them ask the same question from the same excerpt, which is a near-duplicate across files.
    assert codes == ["correction", "duplicate-id", "duplicate-choice", "duplicate-id", "near-duplicate", "unknown-field"]
    assert [line.split(":")[0] for line in lines] == [
        "decks/correction.yaml", "decks/duplicate-choice.yaml", "decks/duplicate-choice.yaml",
        "decks/unknown-field.yaml", "decks/unknown-field.yaml", "decks/unknown-field.yaml",
    ]
    assert "at decks/duplicate-choice.yaml:3" in lines[4]
    assert "5 errors, 1 warning in 5 files; nothing written." in err


def test_excerpt_not_found_says_where_it_differs(make_project, run) -> None:
    root = make_project({"case.yaml": (CASES / "invalid" / "excerpt-not-found.yaml").read_bytes()})
    _, _, err = run(["check"], cwd=root)
    assert 'did you mean: "The complex was besieged from 3 to 11 July 2007' in err
    assert "(line 7)" in err
    assert 'first difference near: "' in err


def test_shipped_decks_pass_check(run) -> None:
    from .conftest import REPO

    code, _, err = run(["check"], cwd=REPO)
    assert code == 0, err
    assert " 0 errors" in " " + err
