"""Options and arguments held to the project file's rules: a quiz option obeys the limits of its
project-file setting (the model's metadata, one source of truth), the loader tells an integer out of
range as such however long it is, --exports and --no-exports say one thing, and a ROOT the system
cannot use is a usage error that says why, never "cannot write"."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

AS_MINUTES = " (as for quiz.minutes in studydeck.yaml)"
AS_SEED = " (as for build.seed in studydeck.yaml)"
AS_INSTRUCTIONS = " (as for quiz.instructions in studydeck.yaml)"

# (quiz options, the one line on stderr)
QUIZ_OPTION_CASES = [
    (["--minutes", "1" + "0" * 30], f"--minutes: 1{'0' * 30} is outside 1..600{AS_MINUTES}"),
    (["--minutes", "601"], f"--minutes: 601 is outside 1..600{AS_MINUTES}"),
    (["--minutes", "-3"], f"--minutes: -3 is outside 1..600{AS_MINUTES}"),
    (["--minutes", ""], f"--minutes: expected a whole number, got ''{AS_MINUTES}"),
    (["--seed", "-1"], f"--seed: -1 is outside 0..999999999{AS_SEED}"),
    (["--seed", str(10**30)], f"--seed: {10**30} is outside 0..999999999{AS_SEED}"),
    (["--seed", "7" * 5000], f"--seed: {'7' * 20}... (5,000 digits) is outside 0..999999999{AS_SEED}"),
    (["--questions", "501"], "--questions: 501 is outside 1..500 (as for build.questions in studydeck.yaml)"),
    (["--instructions", "x" * 100_000], f"--instructions: 100,000 characters; the cap is 20,000{AS_INSTRUCTIONS}"),
    (["--instructions", "read \u202eevil"],
     f"--instructions: invisible character U+202E RIGHT-TO-LEFT OVERRIDE in value{AS_INSTRUCTIONS}"),
    (["--instructions", "a\udcffb"], f"--instructions: invalid UTF-8 byte 0xff{AS_INSTRUCTIONS}"),
    (["--title", "x" * 100_000], "--title: 100,000 characters; the cap is 20,000"),
    (["--title", "a\x1b[31mb"], "--title: control character U+001B in value"),
    (["--title", "a\u202eb"], "--title: invisible character U+202E RIGHT-TO-LEFT OVERRIDE in value"),
    (["--title", "a\udcff\udcfe"], "--title: invalid UTF-8 byte 0xff"),
    (["--name", "a\udcff\udcfe"], "--name: invalid UTF-8 byte 0xff"),
]


@pytest.mark.parametrize(("options", "message"), QUIZ_OPTION_CASES, ids=[" ".join(o)[:40] for o, _ in QUIZ_OPTION_CASES])
def test_quiz_option_obeys_the_project_files_rules(make_project, run, tmp_path, options, message) -> None:
    root = make_project()
    code, out, err = run(["quiz", str(root), "--versions", "1", "--out", str(tmp_path / "q"), *options])
    assert (code, out, err) == (2, "", f"studydeck: error: {message}\n")
    assert not (tmp_path / "q").exists()


def test_quiz_options_at_their_limits_are_accepted(make_project, run, tmp_path) -> None:
    root = make_project()
    code, _, err = run(["quiz", str(root), "--versions", "1", "--minutes", "600", "--seed", "999999999",
                        "--questions", "500", "--instructions", "", "--out", str(tmp_path / "q")])
    assert code == 0, err
    assert err.rstrip().endswith("1 version, seed 999999999.")


def test_option_limits_are_the_models(monkeypatch, make_project, run) -> None:
    """One source of truth: a changed limit in the model is the option's limit too."""
    from generator.model import QuizDefaults

    field = next(f for f in QuizDefaults.__dataclass_fields__.values() if f.name == "minutes")
    monkeypatch.setattr(field, "metadata", {**field.metadata, "maximum": 90})
    from generator.convert import fields_of as _fields

    _fields.cache_clear()
    try:
        code, _, err = run(["quiz", str(make_project()), "--minutes", "91"])
    finally:
        monkeypatch.undo()
        _fields.cache_clear()
    assert (code, err) == (2, f"studydeck: error: --minutes: 91 is outside 1..90{AS_MINUTES}\n")


def test_undecodable_argument_from_a_real_command_line(make_project) -> None:
    """Bytes that are not UTF-8 in argv (Python keeps them as lone surrogates) never reach typst."""
    root = make_project()
    proc = subprocess.run([sys.executable, "-m", "generator", "quiz", str(root).encode(), b"--title", b"Quiz \xff\xfe"],
                          capture_output=True, cwd=REPO, timeout=120)
    assert (proc.returncode, proc.stderr) == (2, b"studydeck: error: --title: invalid UTF-8 byte 0xff\n")


# --- the project file: integers out of range ---------------------------------------------------------

# (build setting, its value in the project file, the diagnostic after "studydeck.yaml:")
BUILD_CASES = [
    ("seed", "4294967295", "13:9: error[bad-value]: project.build.seed: 4294967295 is outside 0..999999999"),
    ("seed", "-1", "13:9: error[bad-value]: project.build.seed: -1 is outside 0..999999999"),
    ("seed", "1000000000", "13:9: error[bad-value]: project.build.seed: 1000000000 is outside 0..999999999"),
    ("seed", "9" * 5000,
     f"13:9: error[bad-value]: project.build.seed: {'9' * 20}... (5,000 digits) is outside 0..999999999"),
    ("seed", "-" + "1" * 19000,  # int() refuses more than 4,300 digits
     f"13:9: error[bad-value]: project.build.seed: -{'1' * 19}... (19,000 digits) is outside 0..999999999"),
    ("versions", "4294967295", "12:13: error[bad-value]: project.build.versions: 4294967295 is outside 1..26"),
    ("questions", "-0500", "14:14: error[wrong-type]: project.build.questions: expected a whole number, got '-0500'"),
    ("seed", "0123", "13:9: error[wrong-type]: project.build.seed: expected a whole number, got '0123'"),
    ("seed", "1.5", "13:9: error[wrong-type]: project.build.seed: expected a whole number, got '1.5'"),
]


@pytest.mark.parametrize(("key", "value", "diagnostic"), BUILD_CASES, ids=[f"{k} {v[:12]}" for k, v, _ in BUILD_CASES])
def test_project_file_integer_out_of_range(make_project, run, key, value, diagnostic) -> None:
    root = make_project()
    project = root / "studydeck.yaml"
    text, count = re.subn(rf"(?m)^  {key}: .*$", lambda _: f"  {key}: {value}", project.read_text())
    assert count == 1
    project.write_text(text)
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert err.splitlines()[0] == f"studydeck.yaml:{diagnostic}"


def test_project_file_minutes_out_of_range(make_project, run) -> None:
    root = make_project()
    with (root / "studydeck.yaml").open("a") as handle:
        handle.write("quiz:\n  minutes: 99999999999\n")
    code, _, err = run(["check"], cwd=root)
    assert code == 1 and "project.quiz.minutes: 99999999999 is outside 1..600" in err


# --- build: --exports and --no-exports --------------------------------------------------------------

NO_FORMATS = "studydeck: error: --exports: no formats given; give some of moodle,gift,html,qti, or use --no-exports"
EXPORT_CASES = [
    (["--exports", ""], NO_FORMATS),
    (["--exports", " , "], NO_FORMATS),
    (["--no-exports", "--exports", "moodle"],
     "studydeck build: error: argument --exports: not allowed with argument --no-exports"),
    (["--exports", "moodle", "--no-exports"],
     "studydeck build: error: argument --no-exports: not allowed with argument --exports"),
]


@pytest.mark.parametrize(("options", "message"), EXPORT_CASES, ids=[" ".join(o) for o, _ in EXPORT_CASES])
def test_exports_options(make_project, run, options, message) -> None:
    root = make_project()
    code, _, err = run(["build", str(root), "--no-worksheets", *options])
    assert code == 2 and err.splitlines()[-1] == message
    assert not (root / "dist").exists()


def test_exports_list_with_spaces(make_project, run) -> None:
    root = make_project()
    code, _, err = run(["build", str(root), "--no-worksheets", "--exports", "gift, html"])
    assert code == 0, err
    assert sorted(p.name for p in (root / "dist").iterdir() if not p.name.startswith(".")) == [
        "Siege of Lal Masjid.apkg", "gift", "selftest"]


# --- ROOT ---------------------------------------------------------------------------------------------

LONG = "a" * 5000
TOO_LONG = (f"studydeck: error: {'a' * 60}... (5,000 characters): the path, or a name in it, is longer than the"
            " system allows (give a shorter ROOT)\n")


@pytest.mark.parametrize("command", [["check", LONG], ["find", "siege", LONG], ["coverage", LONG],
                                     ["build", LONG], ["quiz", LONG], ["export", "--format", "gift", LONG]],
                         ids=lambda c: c[0])
def test_root_too_long_is_a_usage_error(run, tmp_path, command) -> None:
    assert run(command, cwd=tmp_path) == (2, "", TOO_LONG)


def test_root_longer_than_path_max(run, tmp_path) -> None:
    root = "/" + "b/" * 2100  # every name short, the whole longer than PATH_MAX (4096)
    code, _, err = run(["check", root], cwd=tmp_path)
    assert code == 2 and err.endswith("(4,201 characters): the path, or a name in it, is longer than the system"
                                      " allows (give a shorter ROOT)\n")


@pytest.mark.parametrize(("root", "message"), [
    ("", "ROOT is empty; give the project folder, or leave ROOT out to find it"),
    ("a\0b", "a\\x00b: not a valid path (it holds a NUL character)"),
])
def test_unusable_root(run, tmp_path, root, message) -> None:
    assert run(["check", root], cwd=tmp_path) == (2, "", f"studydeck: error: {message}\n")


def _in_deleted_folder(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGS`` run in a working folder removed before it starts."""
    gone = tmp_path / "gone"
    gone.mkdir()
    script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
    return subprocess.run(["sh", "-c", script, "sh", str(gone), sys.executable, "-m", "generator", *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def test_absolute_root_from_a_deleted_working_folder(make_project, tmp_path) -> None:
    root = make_project()
    proc = _in_deleted_folder(tmp_path, "check", str(root))
    assert (proc.returncode, proc.stderr) == (0, "0 errors, 0 warnings in 3 files.\n")
    proc = _in_deleted_folder(tmp_path, "build", str(root), "--no-worksheets", "--no-exports")
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {root}/dist/Siege of Lal Masjid.apkg\n" in proc.stderr  # shown absolute: no folder to be relative to


@pytest.mark.parametrize(("args", "message"), [
    (["check"], "the current folder no longer exists; give ROOT, or run inside a project"),
    (["check", "proj"], "proj: the current folder no longer exists; give ROOT as an absolute path"),
])
def test_relative_root_from_a_deleted_working_folder(tmp_path, args, message) -> None:
    proc = _in_deleted_folder(tmp_path, *args)
    assert (proc.returncode, proc.stderr) == (2, f"studydeck: error: {message}\n")
