"""Moodle XML cloze questions as Moodle itself parses them: every embedded answer of the shipped
bank and of the short hostile answers goes through Moodle's own qtype_multianswer_extract_question
(question/type/multianswer/questiontype.php, required as it is by tests/php/cloze_extract.php and
run with php-cli), and each part must accept exactly the item's answers. (The older form of the
answer regex, which Moodle no longer ships, is applied in tests/test_export_moodle.py.)"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from generator.cloze import CLOZE
from generator.export import render_exports
from generator.export.common import typed_answers

from .exporttools import checked_project, needs_moodle, run_php, short_hostile_deck
from .test_export_moodle import PARSER, PHP_TRIM, unstar, unwritable

pytestmark = needs_moodle


def test_every_cloze_part_accepts_exactly_the_items_answers(tmp_path) -> None:
    shipped = checked_project(tmp_path / "p")
    hostile = checked_project(tmp_path / "h", {"s.yaml": short_hostile_deck()})
    texts, expected = [], []
    for checked in (shipped, hostile):
        items = {i.id: i for i in checked.project.items}
        files, _ = render_exports(checked.project, checked.corpus, Path("/out"), {"moodle"})
        for data in files.values():
            for q in etree.fromstring(data, PARSER).findall("question[@type='cloze']"):
                texts.append(q.findtext("questiontext/text"))
                blanks = [m[2] for m in CLOZE.finditer(items[q.findtext("idnumber")].text)]
                expected.append([[a for a in typed_answers(b) or [] if not unwritable(a)] for b in blanks])
    read = run_php("cloze_extract.php", json.dumps(texts).encode())
    assert len(texts) > 20  # the shipped bank's clozes (15 auto-marked) and the hostile ones
    for got, want, text in zip(read, expected, texts, strict=True):
        assert [p["qtype"] for p in got["parts"]] == ["shortanswer"] * len(want), text
        # as a short answer is saved: trimmed; "\\*" is the pattern for a literal "*"
        answers = [[unstar(a["text"].strip(PHP_TRIM)) for a in p["answers"]] for p in got["parts"]]
        assert answers == want, text
        assert all(a["fraction"] == 1.0 for p in got["parts"] for a in p["answers"])
        assert "{1:SHORTANSWER" not in got["text"] and got["text"].count("{#") == len(want), text
