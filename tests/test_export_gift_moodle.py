"""GIFT as Moodle itself reads it: every generated file goes through Moodle's own GIFT parser
(question/format/gift/format.php of a Moodle source tree, required as it is by tests/php/gift_import.php
and run with php-cli), and what it reads is compared with each item: question type, name, id,
tags, question text, every answer with its fraction and feedback, matching pairs, true/false
verdicts and general feedback. gift-pegjs (tests/test_export_gift.py) is a second reader; this one
is the importer teachers use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.export import render_exports
from generator.export.common import cloze_parts, evidences, quote_distractors, stem, typed_answers
from generator.model import Basic, Cloze, Match, Mcq, Order, Quote, TrueFalse

from .exporttools import (
    SHORT_HOSTILE,
    auto_markable,
    checked_project,
    hostile_deck,
    needs_moodle,
    run_php,
    short_hostile_deck,
)

pytestmark = needs_moodle
TEACHER_NOTE = " (Answer in a few words or a sentence; your teacher marks this question.)"


def moodle_reads(data: bytes) -> list[dict[str, Any]]:
    """The questions Moodle's GIFT importer reads from ``data``; it must report no error."""
    result = run_php("gift_import.php", data)
    assert result["errors"] == []
    return list(result["questions"])


def _stars(answer: str, accept: tuple[str, ...] = ()) -> list[str] | None:
    found = typed_answers(answer, accept)
    return None if found is None else [a.replace("*", "\\*") for a in found]


def expected(item, project) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    """What Moodle must read for an item, or None where GIFT cannot carry it."""
    if isinstance(item, Order):
        return None
    if isinstance(item, Basic):
        right = _stars(item.answer, item.accept)
        if right is None:
            return {"type": "essay", "text": item.question + TEACHER_NOTE, "model": item.answer}
        return {"type": "shortanswer", "text": item.question, "right": right}
    if isinstance(item, Mcq):
        return {"type": "multichoice", "text": item.question, "right": [item.answer], "wrong": list(item.distractors)}
    if isinstance(item, Quote):
        wrong = quote_distractors(project, item)
        if len(wrong) >= 2:
            return {"type": "multichoice", "text": stem(item), "right": [item.speaker], "wrong": wrong}
        right = _stars(item.speaker)
        if right is None:
            return {"type": "essay", "text": stem(item) + TEACHER_NOTE, "model": item.speaker}
        return {"type": "shortanswer", "text": stem(item), "right": right}
    if isinstance(item, TrueFalse):
        return {"type": "truefalse", "text": item.statement, "verdict": item.answer, "correction": item.correction}
    if isinstance(item, Cloze):
        parts = cloze_parts(item.text)
        blanks = [p for p in parts if isinstance(p, tuple)]
        if not all(auto_markable(answer) for answer, _ in blanks):
            many = len(blanks) > 1
            shown, n = [], 0
            for p in parts:
                if isinstance(p, str):
                    shown.append(p)
                    continue
                n += 1
                shown.append("____" + (f" ({n})" if many else "") + (f" ({p[1]})" if p[1] else ""))
            return {"type": "essay", "text": f"Write the missing words{', numbered' if many else ''}: {''.join(shown)}",
                    "model": "".join(p if isinstance(p, str) else p[0] for p in parts)}
        if len(blanks) != 1:
            return None
        shown = "".join(p if isinstance(p, str) else "_____" + (f" ({p[1]})" if p[1] else "") for p in parts)
        return {"type": "shortanswer", "text": shown, "right": _stars(blanks[0][0])}
    pairs = [(p.left, p.right) for p in item.pairs] if isinstance(item, Match) else \
        [(c.claimant, c.value) for c in item.claims]
    text = item.prompt if isinstance(item, Match) else \
        f"{item.question} The sources disagree: match each claimant with what they claimed."
    return {"type": "match", "text": text, "pairs": pairs}


def compare(data: bytes, deck, checked) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Moodle's reading of one deck's GIFT file against the deck's items."""
    read = moodle_reads(data)
    assert read[0] == {"type": "category", "category": f"$course$/top/Siege of Lal Masjid/{deck.deck}"}
    carried = [(item, e) for item in deck.items if (e := expected(item, checked.project)) is not None]
    assert [q["idnumber"] for q in read[1:]] == [item.id for item, _ in carried]
    for q, (item, e) in zip(read[1:], carried, strict=True):
        assert (q["type"], q["name"], q["questiontextformat"]) == (e["type"], item.id, 2), item.id  # 2: plain
        assert set(item.tags) <= set(q["tags"]), item.id
        assert q["questiontext"] == e["text"].strip(), item.id
        general = q["generalfeedback"]
        for ev in evidences(checked.corpus, item):
            assert ev.excerpt in general and ev.cite in general, item.id
        answers = [(a["text"], a["fraction"]) for a in q.get("answers", [])]
        if e["type"] == "essay":
            assert general.startswith(f"Model answer: {e['model']}\n") and not answers, item.id
        elif e["type"] == "shortanswer":
            assert answers == [(a, 1.0) for a in e["right"]], item.id
        elif e["type"] == "multichoice":
            assert answers == [(e["right"][0], 1.0)] + [(w, 0.0) for w in e["wrong"]], item.id
            assert all(e["right"][0] in a["feedback"] for a in q["answers"][1:]), item.id
        elif e["type"] == "truefalse":
            assert q["correctanswer"] == int(e["verdict"]), item.id
            if e["correction"]:
                wrong = q["feedbackfalse"] if e["verdict"] else q["feedbacktrue"]
                assert e["correction"] in wrong, item.id
        else:
            assert [tuple(p) for p in q["pairs"]] == e["pairs"], item.id
    return read


def test_shipped_bank_reads_in_moodle_as_each_item_means(tmp_path) -> None:
    checked = checked_project(tmp_path / "p")
    files, _ = render_exports(checked.project, checked.corpus, Path("/out"), {"gift"})
    kinds = set()
    for deck in checked.project.decks:
        kinds |= {q["type"] for q in compare(files[Path("/out/gift") / f"{deck.slug}.gift"], deck, checked)}
    assert kinds == {"category", "shortanswer", "multichoice", "truefalse", "match", "essay"}


def test_hostile_catalogues_read_in_moodle_exactly(tmp_path) -> None:
    """Every free-text field holds the hostile payload; short answers hold GIFT's reserved
    characters and "%100%" weight look-alikes, which Moodle must read as text, never as weights."""
    checked = checked_project(tmp_path / "p", {"hostile.yaml": hostile_deck(), "s.yaml": short_hostile_deck()})
    files, _ = render_exports(checked.project, checked.corpus, Path("/out"), {"gift"})
    by_slug = {d.slug: d for d in checked.project.decks}
    read = {q.get("idnumber"): q for q in compare(files[Path("/out/gift/s.gift")], by_slug["s"], checked)}
    compare(files[Path("/out/gift/hostile.gift")], by_slug["hostile"], checked)
    assert [(a["text"], a["fraction"]) for a in read["s-mcq"]["answers"]] == [
        ("%100% militants", 1.0), ("%100% Air Force", 0.0), ("%50% Army", 0.0), ("~%100% Navy", 0.0)]
    assert [read[f"s-basic-{n}"]["answers"][0]["text"] for n in range(len(SHORT_HOSTILE))] == \
        [a.replace("*", "\\*") for a in SHORT_HOSTILE]
