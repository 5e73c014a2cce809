"""The progress line: on a terminal it is drawn in place and wiped at the end; anywhere else
(a file, a pipe, the captured stderr of these tests) nothing of it appears."""

from __future__ import annotations

import contextlib
import io
import os
import pty
import re
import time
from pathlib import Path

import pytest

from generator import progress as progress_module
from generator.progress import Progress


class _Tty(io.StringIO):
    """A stream that says it is a terminal and keeps what is written."""

    def isatty(self) -> bool:
        return True


def test_nothing_is_shown_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with Progress(stream, delay=0) as progress:
        progress("rendering", 1, 4)
        progress("writing")
    assert stream.getvalue() == ""


def test_on_a_terminal_the_line_is_redrawn_and_wiped() -> None:
    stream = _Tty()
    with Progress(stream, delay=0) as progress:
        progress("rendering worksheets", 1, 12)
        progress("writing")
    line1, line2 = "studydeck: rendering worksheets 1/12", "studydeck: writing..."
    assert stream.getvalue() == (
        "\r" + line1
        + "\r" + line2 + " " * (len(line1) - len(line2))
        + "\r" + " " * len(line2) + "\r"
    )


def test_short_work_shows_nothing() -> None:
    stream = _Tty()
    with Progress(stream, delay=60) as progress:
        progress("checking")
        progress("rendering", 2, 2)
    assert stream.getvalue() == ""


def test_a_long_stage_appears_without_reporting_again() -> None:
    stream = _Tty()
    with Progress(stream, delay=0.05) as progress:
        progress("checking")
        deadline = time.monotonic() + 10
        while not stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stream.getvalue() == "\rstudydeck: checking..."
    assert stream.getvalue().endswith("\r" + " " * len("studydeck: checking...") + "\r")


def test_clear_before_printing_then_the_line_comes_back() -> None:
    stream = _Tty()
    with Progress(stream, delay=0) as progress:
        progress("rendering", 1, 2)
        progress.clear()
        stream.write("warning\n")
        progress("rendering", 2, 2)
    text = stream.getvalue()
    assert "\r          \rwarning\n" in text.replace(" " * len("studydeck: rendering 1/2"), " " * 10)
    assert text.count("studydeck: rendering") == 2


def test_a_long_line_is_cut_to_the_terminal_width(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    stream = _Tty()
    with Progress(stream, delay=0) as progress:
        progress("rendering a very long stage name that goes on", 1, 2)
    assert stream.getvalue().split("\r")[1] == "studydeck: rendering a very l"


def test_cli_quiet_when_captured(make_project, run) -> None:
    root = make_project()
    code, _, err = run(["quiz", ".", "--versions", "2", "--out", "out"], cwd=root)
    assert code == 0, err
    assert "\r" not in err and "rendering" not in err
    code, _, err = run(["build", "."], cwd=root)
    assert code == 0, err
    assert "\r" not in err and "rendering" not in err


def _on_pty(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the CLI in-process with stderr on a pseudo-terminal: (exit code, what the terminal got)."""
    from generator.cli import main

    master, slave = pty.openpty()
    old = os.getcwd()
    try:
        os.chdir(cwd)
        with os.fdopen(slave, "w", closefd=True) as tty, contextlib.redirect_stderr(tty):
            code = main(args)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the slave side is closed and everything has been read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.chdir(old)
        os.close(master)
    return code, b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.parametrize("command", [["quiz", ".", "--versions", "2", "--out", "out"], ["build", "."]])
def test_cli_shows_progress_on_a_terminal(make_project, monkeypatch, command) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0)  # the real runs here are shorter than a second
    root = make_project()
    code, text = _on_pty(command, root)
    assert code == 0, text
    assert "\rstudydeck: checking..." in text
    label = "rendering" if command[0] == "quiz" else "rendering worksheets"
    total = 4 if command[0] == "quiz" else 8  # sheet and key per version; build: the deck and the mixed quiz
    for n in range(1, total + 1):
        assert f"\rstudydeck: {label} {n}/{total}" in text
    drawn, after = text.rsplit("\r", 1)
    assert re.search(r"\r +$", drawn)  # the line is wiped before anything else is printed
    assert after.startswith("wrote ") and "studydeck: rendering" not in after
    assert after.rstrip().endswith(".")  # the summary line, whole
