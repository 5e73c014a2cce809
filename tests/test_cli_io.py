"""The command line against hostile streams and arguments: closed or full stdout, a reader that went
away, an ASCII-only terminal, --previous that is not a package, an empty phrase, control characters
in values echoed back. Each gives clean output or one clear message, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from .conftest import REPO

CONTROL = "a\x1b[31mX\nfake: line"  # an escape sequence and a line that would look like the program's own


def _cli(*args: str, closed: bool = False, stdout: int | IO[bytes] | None = subprocess.PIPE,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``python -m generator ARGS`` as a real process; ``closed``: with its stdout closed (``>&-``)."""
    command = [sys.executable, "-m", "generator", *args]
    if closed:
        command = ["sh", "-c", 'exec "$@" >&-', "sh", *command]
        stdout = None
    return subprocess.run(command, cwd=REPO, stdout=stdout, stderr=subprocess.PIPE, timeout=120,
                          env={**os.environ, **(env or {})})


def _clean(proc: subprocess.CompletedProcess[bytes]) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Exception ignored" not in err, err
    return err


# 1. Output that cannot be written: an error (exit 1), except a reader that went away (exit 0).

@pytest.mark.parametrize("args", [["schema"], ["coverage"], ["check", "--format", "json"], ["find", "Musharraf"],
                                  ["--version"], ["--help"], []])
def test_a_closed_stdout_is_an_error_not_lost_output(make_project, args: list[str]) -> None:
    root = make_project()
    args = [*args, str(root)] if args and args[0] in ("coverage", "check", "find") else args
    proc = _cli(*args, closed=True)
    err = _clean(proc)
    assert proc.returncode == 1 and "studydeck: error: cannot write standard output: it is closed" in err, err


def test_a_closed_stdout_does_not_matter_when_nothing_goes_there(make_project) -> None:
    proc = _cli("check", str(make_project()), closed=True)
    assert proc.returncode == 0 and "0 errors" in _clean(proc)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--version"], ["--help"], ["schema"], ["check", "--format", "json", "ROOT"]])
def test_a_full_stdout_is_an_error(make_project, args: list[str]) -> None:
    args = [str(make_project()) if a == "ROOT" else a for a in args]
    with open("/dev/full", "wb") as full:
        proc = _cli(*args, stdout=full)
    err = _clean(proc)
    assert proc.returncode == 1 and "cannot write standard output: No space left on device" in err, err


@pytest.mark.parametrize("args", [["--version"], ["schema"]])
def test_a_reader_that_went_away_is_not_an_error(args: list[str]) -> None:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        proc = _cli(*args, stdout=writer)
    finally:
        os.close(writer)
    assert proc.returncode == 0 and _clean(proc) == ""


# 2. An ASCII-only terminal: escapes instead of UnicodeEncodeError; JSON stays JSON.

ASCII = {"LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
NON_ASCII_DECK = """\
deck: Café
items:
- id: one
  type: basic
  question: Which café stood there?
  answer: The red one
  source:
    doc: wikipedia-siege
    excerpt: the café was stormed “quickly” é
"""


def test_find_on_an_ascii_terminal_escapes(make_project) -> None:
    proc = _cli("find", "the", str(make_project()), env=ASCII)
    _clean(proc)
    assert proc.returncode == 0 and b"\\u2013" in proc.stdout  # an en dash in the seeds


def test_check_on_an_ascii_terminal_escapes(make_project) -> None:
    proc = _cli("check", str(make_project({"d.yaml": NON_ASCII_DECK})), env=ASCII)
    assert proc.returncode == 1 and "caf\\xe9" in _clean(proc)


def test_check_json_on_an_ascii_terminal_is_valid_json(make_project) -> None:
    proc = _cli("check", "--format", "json", str(make_project({"d.yaml": NON_ASCII_DECK})), env=ASCII)
    _clean(proc)
    assert proc.returncode == 1
    proc.stdout.decode("ascii")
    assert "café" in json.dumps(json.loads(proc.stdout), ensure_ascii=False)


def test_check_json_on_a_utf8_terminal_keeps_the_characters(make_project) -> None:
    proc = _cli("check", "--format", "json", str(make_project({"d.yaml": NON_ASCII_DECK})),
                env={"PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 1 and "café" in proc.stdout.decode("utf-8")


# 3. --previous must name a regular file (or nothing yet: a first release, test_hardening), checked
# before the build (never opened if a FIFO).

@pytest.mark.parametrize("kind", ["empty", "folder", "fifo", "/dev/null", "/dev/zero", "dangling link"])
def test_previous_that_is_not_a_package_file_is_a_usage_error(make_project, run, tmp_path, kind: str) -> None:
    root = make_project()
    value = {"empty": "", "folder": str(tmp_path)}.get(kind, kind)
    if kind == "dangling link":
        value = str(tmp_path / "link.apkg")
        os.symlink(tmp_path / "gone.apkg", value)
    if kind == "fifo":
        value = str(tmp_path / "pipe.apkg")
        os.mkfifo(value)
    if value.startswith("/dev/") and not Path(value).exists():
        pytest.skip(f"no {value}")
    code, _, err = run(["build", str(root), "--no-worksheets", "--no-exports", "--previous", value])
    assert code == 2 and err.startswith("studydeck: error: --previous: "), err
    assert not (root / "dist").exists()


# 4. find with nothing to look for.

@pytest.mark.parametrize("phrase", ["", "   ", "\t\n", "\u00a0"])
def test_find_with_an_empty_phrase_is_a_usage_error(make_project, run, phrase: str) -> None:
    code, out, err = run(["find", phrase, str(make_project())])
    assert code == 2 and out == "" and err == "studydeck: error: find: the phrase is empty; give words to look for\n"


# 5. Values echoed in messages have their control characters escaped.

@pytest.mark.parametrize("args", [["quiz", "--deck", CONTROL], ["quiz", "--tag", CONTROL],
                                  ["export", "--format", "gift", "--deck", CONTROL], ["build", "--exports", CONTROL]])
def test_control_characters_in_values_are_echoed_escaped(make_project, run, args: list[str]) -> None:
    code, _, err = run([*args, str(make_project())])
    assert code == 2 and "\x1b" not in err and err.count("\n") == 1, err
    assert err.startswith("studydeck: error: ") and "\\x1b[31m" in err and "\\nfake: line" in err, err
