"""Shared by the export tests: the hostile catalogue of tests/test_hostile.py, extended with what
Moodle XML and GIFT treat specially, and the shipped bank and a hostile bank, checked once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.export.common import AUTO_MARK_MAX_WORDS, words
from generator.pipeline import Checked, check_project

from .conftest import REPO
from .test_hostile import ANSWER, PAYLOAD, _every_field_deck

# Moodle's own parsing code, run by php-cli from the harnesses in tests/php (they require the files
# from a Moodle source tree as they are): ../shared/moodle-4.5.6 beside the repository, or $STUDYDECK_MOODLE.
MOODLE = Path(os.environ.get("STUDYDECK_MOODLE") or REPO.parent / "shared" / "moodle-4.5.6")
PHP = shutil.which("php")
needs_moodle = pytest.mark.skipif(
    PHP is None or not (MOODLE / "question" / "format" / "gift" / "format.php").is_file(),
    reason=f"needs php-cli (apt-get install php-cli) and a Moodle source tree at {MOODLE}"
           " (or STUDYDECK_MOODLE=/path/to/moodle)",
)


def run_php(harness: str, data: bytes) -> Any:
    """Run ``tests/php/<harness>`` on ``data`` with the Moodle tree; its JSON output."""
    script = Path(__file__).resolve().parent / "php" / harness
    done = subprocess.run([PHP or "php", str(script), str(MOODLE)], input=data, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


# CDATA's end, GIFT's reserved characters, Moodle's cloze and short-answer syntax, and a filter tag.
EXTRA = "]]> ]]]]><![CDATA[ ~ = # { } : \\ * %%ab%% {:SHORTANSWER:=x} {mlang en}x{mlang} $$x$$"
EXPORT_PAYLOAD = f"{PAYLOAD} {EXTRA}"
EXPORT_ANSWER = f"{ANSWER} {EXTRA}"


def auto_markable(answer: str) -> bool:
    """Issue 19's rule: a machine marks a typed answer only if it has at most 4 words."""
    return words(answer) <= AUTO_MARK_MAX_WORDS


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


# Short answers (at most 4 words, so auto-marked) holding what GIFT and Moodle's cloze syntax read
# specially: a leading weight, } # ~ & \ at the start, middle and end, a reference, a wildcard,
# a cloze marker, and Moodle's file-link token.
SHORT_HOSTILE = ("%100% Air Force", "%100%militants", "a}b #c", "x &", "y \\", "&amp;lt; z", "~tilde", "star*",
                 "{100:SA:=x} y", "@@PLUGINFILE@@/x.png", "=right", "#hash\\#", "\\}brace", "&#100;", "]]> end")


def short_hostile_deck() -> str:
    """Basic and one-blank cloze items whose short answers are SHORT_HOSTILE; and a multiple-choice
    item whose distractors start with a weight."""
    src = "{doc: wikipedia-siege, excerpt: \"By 10 July, the Pakistani government reported that 100 militants\"}"
    rows = []
    for n, answer in enumerate(SHORT_HOSTILE):
        a = json.dumps(answer)
        rows.append(f"- {{id: s-basic-{n}, type: basic, question: Which text? @@PLUGINFILE@@/q.png {n}, answer: {a},"
                    f" source: {src}}}")
        rows.append(f"- {{id: s-cloze-{n}, type: cloze, text: {json.dumps(f'Fill in {n}: {{{{c1::{answer}}}}} here.')},"
                    f" source: {src}}}")
    rows.append(f"- {{id: s-mcq, type: mcq, question: Which one?, answer: \"%100% militants\", distractors:"
                f" [\"%100% Air Force\", \"%50% Army\", \"~%100% Navy\"], source: {src}}}")
    return "deck: Short hostile\nitems:\n" + "\n".join(rows) + "\n"
