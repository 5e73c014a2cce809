"""GIFT as a parser someone else wrote reads it: gift-pegjs (npm, run with node) parses every
generated file, and the parsed structure is what each item means: question text, right answer,
wrong answers, feedback, id and tags. That parser splits silently at an unescaped = or ~, so the
structure is compared, not just success."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.cloze import CLOZE
from generator.export import render_exports
from generator.export.common import cloze_parts, evidences, quote_distractors, stem, typed_answers
from generator.model import Basic, Cloze, Match, Mcq, Order, Quote, TrueFalse

from . import exporttools as tools

JS = Path(__file__).resolve().parent / "js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (JS / "node_modules" / "gift-pegjs").is_dir(),
    reason="needs node and gift-pegjs: apt-get install nodejs npm; npm ci in tests/js (.ci/run does both)",
)


def parse(data: bytes) -> list[dict[str, Any]]:
    done = subprocess.run([NODE or "node", str(JS / "parse_gift.js")], input=data, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return list(json.loads(done.stdout))


# gift-pegjs 1.0.2 leaves a matching answer in its internal escaped form (it decodes every other
# text); Moodle's importer decodes it. Decode it with the parser's own table.
_PEGJS = {"&&092;": "\\", "&&058;": ":", "&&035;": "#", "&&061;": "=", "&&123;": "{", "&&125;": "}", "&&126;": "~",
          "&&010": "\n"}


def subanswer(text: str) -> str:
    return re.sub("|".join(map(re.escape, _PEGJS)), lambda m: _PEGJS[m[0]], text)


def flat(text: str) -> str:
    """gift-pegjs folds runs of white space in [plain] text (escaped newlines are kept)."""
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def stars(answer: str, accept: tuple[str, ...] = ()) -> list[str]:
    return [a.replace("*", "\\*") for a in typed_answers(answer, accept) or []]


def essay(stem_text: str, model: str) -> dict[str, Any]:
    return {"type": "Essay", "stem": stem_text, "model": model}


def expect(item, checked, skip: tuple[str, ...] = ()) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    """What the parsed question must hold, or None for an item GIFT cannot carry."""
    if item.id in skip or isinstance(item, Order) or (isinstance(item, Cloze) and len(list(CLOZE.finditer(item.text))) != 1):
        return None
    if isinstance(item, Basic):
        if not tools.auto_markable(item.answer):
            return essay(f"{item.question} (Answer in a few words or a sentence; your teacher marks this question.)",
                         item.answer)
        return {"type": "Short", "stem": item.question, "right": stars(item.answer, item.accept)}
    if isinstance(item, Mcq):
        return {"type": "MC", "stem": item.question, "right": [item.answer], "wrong": sorted(item.distractors)}
    if isinstance(item, Quote):  # other quote items' speakers as choices; too few: a short answer
        if len(quote_distractors(checked.project, item)) < 2:
            if not tools.auto_markable(item.speaker):
                return essay(f"{stem(item)} (Answer in a few words or a sentence; your teacher marks this question.)",
                             item.speaker)
            return {"type": "Short", "stem": stem(item), "right": stars(item.speaker)}
        return {"type": "MC", "stem": stem(item), "right": [item.speaker]}
    if isinstance(item, TrueFalse):
        return {"type": "TF", "stem": item.statement, "isTrue": item.answer, "correction": item.correction}
    if isinstance(item, Cloze):
        m = next(CLOZE.finditer(item.text), None)
        assert m is not None
        hint = f" ({m[3]})" if m[3] else ""
        if not tools.auto_markable(m[2]):
            return essay(f"Write the missing words: {item.text[:m.start()]}____{hint}{item.text[m.end():]}",
                         "".join(p if isinstance(p, str) else p[0] for p in cloze_parts(item.text)))
        return {"type": "Short", "stem": f"{item.text[:m.start()].strip()} _____ {hint.strip()}{item.text[m.end():]}",
                "right": stars(m[2]), "embedded": True}
    pairs = [(p.left, p.right) for p in item.pairs] if isinstance(item, Match) else \
        [(c.claimant, c.value) for c in item.claims]
    prompt = item.prompt if isinstance(item, Match) else \
        f"{item.question} The sources disagree: match each claimant with what they claimed."
    return {"type": "Matching", "stem": prompt, "pairs": pairs}


def check_file(data: bytes, deck, checked, skip: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    corpus = checked.corpus
    parsed = parse(data)
    head = data.decode().split("$CATEGORY:")[0]
    assert parsed[0] == {"type": "Category", "title": f"$course$/top/Siege of Lal Masjid/{deck.deck}"}
    carried = [(item, e) for item in deck.items if (e := expect(item, checked, skip)) is not None]
    for item in deck.items:
        if expect(item, checked, skip) is None:
            assert f"//   {item.id} (" in head, item.id  # listed at the top, never dropped silently
    assert [q["id"] for q in parsed[1:]] == [item.id for item, _ in carried]
    for q, (item, e) in zip(parsed[1:], carried, strict=True):
        assert q["type"] == e["type"] and q["title"] == item.id, item.id
        assert set(item.tags) <= set(q["tags"] or [])
        assert q["stem"] == {"format": "plain", "text": flat(e["stem"])}, item.id
        assert q["hasEmbeddedAnswers"] == e.get("embedded", False)
        general = q["globalFeedback"]["text"]
        for ev in evidences(corpus, item):
            assert flat(ev.excerpt) in general and ev.cite in general, item.id
        if e["type"] == "Essay":  # marked by a teacher, against the model answer first in the general feedback
            assert general.startswith(flat(f"Model answer: {e['model']}")), item.id
            assert "choices" not in q or not q["choices"]
        elif e["type"] in ("MC", "Short"):
            assert all(c["weight"] is None for c in q["choices"]), item.id  # no text read as a weight
            right = [c["text"]["text"] for c in q["choices"] if c["isCorrect"]]
            wrong = sorted(c["text"]["text"] for c in q["choices"] if not c["isCorrect"])
            assert right == [flat(r) for r in e["right"]], item.id
            if "wrong" in e:
                assert wrong == [flat(w) for w in e["wrong"]], item.id
            if e["type"] == "MC":
                assert len(wrong) >= 2
                assert all(flat(e["right"][0]) in c["feedback"]["text"] for c in q["choices"] if not c["isCorrect"])
        elif e["type"] == "TF":
            assert q["isTrue"] is e["isTrue"]
            if e["correction"]:
                assert flat(e["correction"]) in q["trueFeedback"]["text"]  # the wrong answer's feedback
        else:
            got = [(p["subquestion"]["text"], subanswer(p["subanswer"])) for p in q["matchPairs"]]
            assert got == [(flat(left), flat(right)) for left, right in e["pairs"]], item.id


def test_shipped_bank_parses_to_what_each_item_means(tmp_path) -> None:
    checked = tools.checked_project(tmp_path / "p")
    files, summary = render_exports(checked.project, checked.corpus, Path("/out"), {"gift"})
    for deck in checked.project.decks:
        check_file(files[Path("/out/gift") / f"{deck.slug}.gift"], deck, checked)
    skipped = {item_id for item_id, _ in summary.gift_skipped}
    assert skipped == {i.id for d in checked.project.decks for i in d.items if expect(i, checked) is None}
    assert "order" not in summary.counts["gift"]


def test_hostile_catalogue_parses_back_exactly(tmp_path) -> None:
    checked = tools.checked_project(tmp_path / "p", {"hostile.yaml": tools.hostile_deck()})
    files, summary = render_exports(checked.project, checked.corpus, Path("/out"), {"gift"})
    data = files[Path("/out/gift/hostile.gift")]
    check_file(data, checked.project.decks[0], checked)
    parsed = {q.get("id"): q for q in parse(data)}
    assert parsed["h-basic"]["stem"]["text"].startswith(flat(tools.EXPORT_PAYLOAD))
    assert parsed["h-basic"]["type"] == "Essay"  # the hostile answer is long: a teacher marks it
    assert parsed["h-basic"]["globalFeedback"]["text"].startswith(flat(f"Model answer: {tools.EXPORT_ANSWER}"))
    assert [item_id for item_id, _ in summary.gift_skipped] == ["h-order"]


def test_short_hostile_answers_and_weight_lookalikes_parse_back_exactly(tmp_path) -> None:
    """Short answers holding GIFT's reserved characters, and answers and distractors starting
    "%100%": every one is auto-marked as written, none is read as a weight."""
    checked = tools.checked_project(tmp_path / "p", {"s.yaml": tools.short_hostile_deck()})
    files, summary = render_exports(checked.project, checked.corpus, Path("/out"), {"gift"})
    data = files[Path("/out/gift/s.gift")]
    check_file(data, checked.project.decks[0], checked)
    parsed = {q.get("id"): q for q in parse(data)}
    assert [parsed[f"s-basic-{n}"]["type"] for n in range(len(tools.SHORT_HOSTILE))] == ["Short"] * len(tools.SHORT_HOSTILE)
    count = len(tools.SHORT_HOSTILE)
    assert [parsed[f"s-cloze-{n}"]["hasEmbeddedAnswers"] for n in range(count)] == [True] * count
    mcq = parsed["s-mcq"]["choices"]
    assert [(c["text"]["text"], c["isCorrect"], c["weight"]) for c in mcq] == [
        ("%100% militants", True, None), ("%100% Air Force", False, None), ("%50% Army", False, None),
        ("~%100% Navy", False, None)]
    assert summary.counts["gift"] == {"short answer": len(tools.SHORT_HOSTILE), "missing word": len(tools.SHORT_HOSTILE),
                                      "multiple choice": 1}


def test_arrow_in_a_matching_left_side_is_listed_not_split(tmp_path) -> None:
    deck = tools.hostile_deck().replace('left: "L1 ', 'left: "L1 -> ')
    checked = tools.checked_project(tmp_path / "p", {"hostile.yaml": deck})
    files, summary = render_exports(checked.project, checked.corpus, Path("/out"), {"gift"})
    assert dict(summary.gift_skipped)["h-match"].endswith("which GIFT cannot escape")
    check_file(files[Path("/out/gift/hostile.gift")], checked.project.decks[0], checked, skip=("h-match",))


def test_build_summary_lists_a_dozen_left_out_items_and_counts_the_rest() -> None:
    """A big bank can leave hundreds of items out of GIFT: the terminal shows the first dozen and
    how many more (all of them are listed at the top of each GIFT file)."""
    from generator.export import ExportSummary

    summary = ExportSummary(counts={"gift": {"basic": 3}}, files={"gift": 1},
                            gift_skipped=[(f"order-{n}", "order: GIFT has no ordering question") for n in range(40)])
    lines = summary.lines()
    assert lines[2] == "GIFT cannot carry 40 items, listed at the top of each file:"
    assert lines[3:15] == [f"  order-{n}: order: GIFT has no ordering question" for n in range(12)]
    assert lines[15:] == ["  ... and 28 more"]
    few = ExportSummary(counts={"gift": {"basic": 3}}, files={"gift": 1}, gift_skipped=[("a", "why")])
    assert few.lines()[2:] == ["GIFT cannot carry 1 item, listed at the top of each file:", "  a: why"]


def test_build_summary_counts_each_kind_of_question_and_who_marks_it() -> None:
    from generator.export import ExportSummary

    summary = ExportSummary()
    summary.add("gift", {"short answer": 2, "essay": 3, "multiple choice": 1})
    summary.add("gift", {"essay": 1, "missing word": 1})
    summary.add("moodle", {"cloze": 1})
    assert summary.lines() == [
        "Moodle XML: 1 question in 1 file (cloze 1)", "  auto-marked: 1; marked by a teacher: 0",
        "GIFT: 8 questions in 2 files (essay 4, missing word 1, multiple choice 1, short answer 2)",
        "  auto-marked: 4; marked by a teacher: 4 (essay 4)"]


def test_no_auto_marked_answer_is_longer_than_the_rule(tmp_path) -> None:
    """Done when (issue 19), read by gift-pegjs: no short-answer or missing-word question accepts an
    answer of more than 4 words, in the shipped bank or the hostile catalogues;
    the long ones are essays."""
    shipped = tools.checked_project(tmp_path / "p")
    decks = {"hostile.yaml": tools.hostile_deck(), "s.yaml": tools.short_hostile_deck()}
    hostile = tools.checked_project(tmp_path / "h", decks)
    typed, essays = [], 0
    for checked in (shipped, hostile):
        files, _ = render_exports(checked.project, checked.corpus, Path("/out"), {"gift"})
        for data in files.values():
            for q in parse(data)[1:]:
                essays += q["type"] == "Essay"
                if q["type"] == "Short":
                    typed += [subanswer(c["text"]["text"]) for c in q["choices"] if c["isCorrect"]]
    assert len(typed) > 50 and essays > 0  # not vacuous
    assert [a for a in typed if not tools.auto_markable(a)] == []
