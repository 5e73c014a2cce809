"""The command line: exit codes, output streams, JSON format, the console script."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import CASES, REPO


def test_exit_codes(make_project, run, tmp_path) -> None:
    assert run(["check"], cwd=make_project())[0] == 0
    bad = make_project({"case.yaml": (CASES / "invalid" / "correction.yaml").read_bytes()}, name="bad")
    assert run(["check"], cwd=bad)[0] == 1
    code, _, err = run(["check", str(tmp_path / "nowhere")])
    assert code == 2
    assert "not a folder" in err
    assert run(["frobnicate"])[0] == 2
    code, out, _ = run([])
    assert code == 0 and out.startswith("usage: studydeck")  # bare studydeck prints help


def test_check_takes_root_argument(make_project, run, tmp_path) -> None:
    root = make_project({"case.yaml": (CASES / "invalid" / "correction.yaml").read_bytes()})
    code, _, err = run(["check", str(root)], cwd=tmp_path)
    assert code == 1  # the project given was checked, not the current folder (which holds none)
    assert err.startswith("proj/decks/case.yaml:6:13: error[correction]: "), err
    assert err.endswith("1 error, 0 warnings in 3 files; nothing written.\n"), err


def test_diagnostics_go_to_stderr(make_project, run) -> None:
    bad = make_project({"case.yaml": (CASES / "invalid" / "correction.yaml").read_bytes()})
    _, out, err = run(["check"], cwd=bad)
    assert out == ""
    assert err.startswith("decks/case.yaml:6:13: error[correction]: ")


def test_json_format(make_project, run) -> None:
    bad = make_project({"case.yaml": (CASES / "invalid" / "duplicate-choice.yaml").read_bytes()})
    code, out, _ = run(["check", "--format", "json"], cwd=bad)
    data = json.loads(out)
    assert code == 1
    assert data["errors"] == 1
    assert data["diagnostics"][0] == {
        "path": "decks/case.yaml",
        "line": 7,
        "col": 18,
        "severity": "error",
        "code": "duplicate-choice",
        "message": "choice '3 to 11 July 2007' appears twice",
        "notes": [],
    }


def test_find_prints_pasteable_excerpt(make_project, run) -> None:
    root = make_project()
    code, out, err = run(["find", "BARBWIRE"], cwd=root)
    assert code == 0
    assert out.splitlines()[0] == "wikipedia-siege:31:"
    excerpt = json.loads(out.splitlines()[1].split("excerpt: ", 1)[1].rstrip("}"))
    assert excerpt.startswith("On 3 July 2007, a battle erupted")
    assert "1 passage found" in err
    # The printed passage, pasted as an excerpt, passes check.
    deck = (
        "deck: D\nitems:\n  - id: pasted\n    type: basic\n    question: When did the battle erupt?\n"
        f"    answer: 3 July 2007\n    source: {{doc: wikipedia-siege, excerpt: {json.dumps(excerpt)}}}\n"
    )
    assert run(["check"], cwd=make_project({"d.yaml": deck}, name="pasted"))[0] == 0


def test_find_marks_uncitable_passages(make_project, run) -> None:
    code, out, _ = run(["find", "Ghazi brothers"], cwd=make_project())
    assert code == 0
    assert "[not citable: anonymous reader comments]" in out


def test_find_nothing_exits_1(make_project, run) -> None:
    code, out, err = run(["find", "no such phrase anywhere"], cwd=make_project())
    assert (code, out) == (1, "")
    assert "0 passages found" in err


def test_module_and_help_run_as_processes() -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0
    assert "check" in result.stdout and "find" in result.stdout


def test_the_process_entry_passes_the_code_on_and_freezes_what_is_left(monkeypatch) -> None:
    """``studydeck`` and ``python -m generator`` run ``cli.run``: main's exit code, with every object
    left frozen, so that the interpreter's last collection does not walk them (the bench's edit rows)."""
    import gc
    import tomllib

    import generator.cli as cli

    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"] == {"studydeck": "generator.cli:run"}
    assert (REPO / "generator" / "__main__.py").read_text().endswith("run()\n")
    monkeypatch.setattr(cli, "main", lambda: 3)
    gc.unfreeze()  # (the suite's conftest froze the heap before this test)
    assert gc.get_freeze_count() == 0
    with pytest.raises(SystemExit) as exc:
        cli.run()
    assert exc.value.code == 3 and gc.get_freeze_count() > 0


def test_cli_item_types_match_the_model() -> None:
    from generator.arguments import ITEM_TYPE_NAMES
    from generator.model import ITEM_TYPES

    assert ITEM_TYPE_NAMES == tuple(ITEM_TYPES)


def test_help_does_not_import_heavy_modules() -> None:
    code = ("import sys, generator.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('genanki', 'typst', 'yaml', 'anki')"
            " or m in ('generator.model', 'generator.load')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"


def test_every_argument_has_help() -> None:
    import argparse

    from generator.arguments import build_parser

    parser = build_parser()
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                missing += [(name, a.dest) for a in sub._actions if not a.help]
        elif not action.help:
            missing.append(("studydeck", action.dest))
    assert missing == []


def test_version_and_root_found_upward(make_project, run) -> None:
    code, out, _ = run(["--version"])
    assert code == 0 and out.startswith("studydeck ")
    root = make_project()
    assert run(["check"], cwd=root / "decks")[0] == 0  # ROOT is found above the current folder
    code, _, err = run(["check"], cwd=root.parent)
    assert code == 2 and "not a studydeck project" in err


def test_the_first_collection_after_a_command_does_not_scan_what_it_left(make_project, run) -> None:
    """The command runs with collection off; what it leaves alive joins the oldest generation,
    so the collections after it (the first at once, on the next allocation) do not scan it all."""
    import gc

    scanned: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] < 2:
            scanned.append(sum(len(gc.get_objects(g)) for g in range(info["generation"] + 1)))

    root = make_project()
    gc.callbacks.append(record)
    try:
        code, _, _ = run(["build", str(root), "--no-worksheets", "--no-exports"])
        gc.collect(1)  # one at least, whatever the counts
    finally:
        gc.callbacks.remove(record)
    assert code == 0 and scanned
    assert max(scanned) < 2000, scanned  # (tens of thousands without: every object the build made)
