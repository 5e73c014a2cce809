"""What the command line gives, checked before a command runs: ROOT, ``--previous``, the quiz
options (held to their project-file settings' limits), and text fit to print in a message. A
problem is a :class:`Usage` error (exit 2)."""

from __future__ import annotations

import argparse
import errno
import os
import stat
from pathlib import Path

from .paths import PROJECT_FILE as PROJECT_FILE  # (re-exported: these moved to paths)
from .paths import brief as brief
from .paths import shown as shown


class Usage(Exception):
    """A usage error found after argument parsing (e.g. ROOT is not a folder)."""


def root(value: str | None) -> Path:
    """ROOT as given, or the nearest folder at or above the current one holding studydeck.yaml."""
    if value is not None:
        return _given_root(value)
    here = _cwd()
    if here is None:
        raise Usage("the current folder no longer exists; give ROOT, or run inside a project")
    for folder in (here, *here.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder if folder != here else Path(".")
    raise Usage(f"not a studydeck project: no {PROJECT_FILE} in {shown(str(here))} or any folder above it"
                 " (give ROOT, or run inside a project)")


def _given_root(value: str) -> Path:
    """ROOT as given, when the system can work in it; otherwise a usage error that says why."""
    said = brief(value)
    if not value:
        raise Usage("ROOT is empty; give the project folder, or leave ROOT out to find it")
    if not os.path.isabs(value) and _cwd() is None:
        raise Usage(f"{said}: the current folder no longer exists; give ROOT as an absolute path")
    mode = 0  # stays 0 when nothing is there
    try:
        mode = os.stat(value).st_mode
        if stat.S_ISDIR(mode):
            os.stat(os.path.join(value, PROJECT_FILE))  # a ROOT too long for the paths inside it
    except ValueError:
        raise Usage(f"{said}: not a valid path (it holds a NUL character)") from None
    except OSError as exc:  # a missing project file is reported by check, as a problem of the project
        if exc.errno == errno.ENAMETOOLONG:
            raise Usage(f"{said}: the path, or a name in it, is longer than the system allows"
                         " (give a shorter ROOT)") from None
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
            raise Usage(f"{said}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(mode):
        raise Usage(f"{said}: not a folder (ROOT must hold studydeck.yaml, decks/ and seeds/)")
    return Path(value)


def _cwd() -> Path | None:
    """The current folder, or None when it no longer exists (removed while we stand in it)."""
    try:
        return Path.cwd()
    except OSError:
        return None


def previous(value: str) -> Path:
    """--previous as a path to a regular file, or to nothing yet (a first release: nothing was
    published); checked without opening it (a FIFO would block)."""
    if not value:
        raise Usage("--previous: the path is empty (give the .apkg learners last received)")
    if not os.path.lexists(value):
        return Path(value)
    try:
        mode = os.stat(value).st_mode
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a valid path"
        raise Usage(f"--previous: {shown(value)}: {reason}") from None
    if not stat.S_ISREG(mode):
        raise Usage(f"--previous: {shown(value)}: not a regular file (give the .apkg learners last received)")
    return Path(value)


# quiz options that stand for a project-file setting: (option, section, field).
SETTING_OPTIONS = (("questions", "build", "questions"), ("seed", "build", "seed"),
                   ("minutes", "quiz", "minutes"), ("instructions", "quiz", "instructions"))


def quiz_options(args: argparse.Namespace) -> None:
    """Hold each option to the rules of its project-file setting (the model's metadata, the
    loader's conversion); --title and --name, which have none, to the file's rules for text."""
    from .load import check_text, setting
    from .model import BuildDefaults, QuizDefaults

    sections = {"build": BuildDefaults, "quiz": QuizDefaults}
    for option, section, field in SETTING_OPTIONS:
        text = getattr(args, option)
        if text is None or (option == "instructions" and not text.strip()):
            continue  # absent: the project file's; --instructions "": none on this quiz
        try:
            setattr(args, option, setting(sections[section], field, text, f"--{option}"))
        except ValueError as exc:
            raise Usage(f"{exc} (as for {section}.{field} in {PROJECT_FILE})") from None
    for option in ("title", "name"):
        if getattr(args, option) is not None and (problem := check_text(getattr(args, option), f"--{option}")):
            raise Usage(problem)


def positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def versions(value: str) -> int:
    """1 to 26: versions are lettered A to Z."""
    number = positive(value)
    if number > 26:
        raise argparse.ArgumentTypeError(f"at most 26 versions (lettered A to Z), got {value}")
    return number
