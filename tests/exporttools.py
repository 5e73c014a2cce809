"""Shared by the export tests: the hostile catalogue of tests/test_hostile.py, extended with what
Moodle XML and GIFT treat specially, and the shipped bank and a hostile bank, checked once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from generator.pipeline import Checked, check_project

from .conftest import REPO
from .test_hostile import ANSWER, PAYLOAD, _every_field_deck

# CDATA's end, GIFT's reserved characters, Moodle's cloze and short-answer syntax, and a filter tag.
EXTRA = "]]> ]]]]><![CDATA[ ~ = # { } : \\ * %%ab%% {:SHORTANSWER:=x} {mlang en}x{mlang} $$x$$"
EXPORT_PAYLOAD = f"{PAYLOAD} {EXTRA}"
EXPORT_ANSWER = f"{ANSWER} {EXTRA}"


def hostile_deck() -> str:
    """One item of every type with the extended payload in every free-text field."""
    inner = json.dumps(ANSWER)[1:-1]
    return _every_field_deck(EXPORT_PAYLOAD).replace(inner, json.dumps(EXPORT_ANSWER)[1:-1])


def checked_project(root: Path, decks: dict[str, str] | None = None) -> Checked:
    """A project under ``root`` with the real seeds and project file and the given decks
    (default: the shipped bank), checked; it must be clean."""
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copy(REPO / "studydeck.yaml", root / "studydeck.yaml")
    if decks is None:
        shutil.copytree(REPO / "decks", root / "decks")
    else:
        (root / "decks").mkdir()
        for name, text in decks.items():
            (root / "decks" / name).write_text(text, encoding="utf-8")
    checked = check_project(root)
    assert checked.report.ok, [d.format() for d in checked.report]
    return checked
