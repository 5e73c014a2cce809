"""Moodle XML as Moodle reads it: lxml parses every file; each question type has the elements of
Moodle's documented format (question/format/xml and qtype_ordering's fixtures); embedded cloze
answers are read back with Moodle's own parsing rules; the hostile catalogue stays text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lhtml

from generator.cli import EXPORT_FORMATS
from generator.export import FORMATS, render_exports
from generator.export.common import alternatives, evidences
from generator.export.moodle import QTYPE
from generator.model import Basic, Claims, Cloze, Match, Mcq, Order, Quote, TrueFalse
from generator.validate import CLOZE

from .exporttools import EXPORT_ANSWER, EXPORT_PAYLOAD, checked_project, hostile_deck

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, strip_cdata=True)
# Moodle's qtype_multianswer regular expressions (questiontype.php), PCRE's alternation
# lookbehind written as three lookbehinds for Python.
ALT = r"(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?(.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$))(#(.*?(?<!\\)(?=[~}]|$)))?"
ANSWER = re.compile(r"\{([0-9]*):(SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC|MULTICHOICE|MC|NUMERICAL|NM):"
                    r"(" + ALT + r"(~" + ALT + r")*)\}", re.S)


def text_of(fragment: str) -> str:
    """What a reader sees of an HTML fragment."""
    return lhtml.fragment_fromstring(fragment, create_parent="div").text_content() if fragment else ""


def cloze_answers(question_html: str) -> list[list[str]]:
    """Each embedded answer's accepted texts, decoded as Moodle decodes them."""
    out = []
    for m in ANSWER.finditer(question_html):
        alts, rest = [], m[3]
        while rest:
            alt = re.match("~?" + ALT, rest, re.S)
            assert alt is not None
            alts.append(html.unescape(alt[3]).replace("\\}", "}").replace("\\#", "#"))
            rest = rest[alt.end():]
        out.append(alts)
    return out


def unstar(pattern: str) -> str:
    return pattern.replace("\\*", "*")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):  # type: ignore[no-untyped-def]
    checked = checked_project(tmp_path_factory.mktemp("moodle") / "p")
    files, summary = render_exports(checked.project, checked.corpus, Path("/out"), {"moodle"})
    return checked, files, summary


def test_formats_pinned() -> None:
    assert EXPORT_FORMATS == FORMATS


def test_every_deck_file_parses_with_one_category_and_every_item(shipped) -> None:  # type: ignore[no-untyped-def]
    checked, files, summary = shipped
    assert sorted(p.name for p in files) == sorted(f"{d.slug}.xml" for d in checked.project.decks)
    for deck in checked.project.decks:
        root = etree.fromstring(files[Path("/out/moodle") / f"{deck.slug}.xml"], PARSER)
        assert root.tag == "quiz"
        category, *questions = root.findall("question")
        assert category.get("type") == "category"
        assert category.findtext("category/text") == f"$course$/top/Siege of Lal Masjid/{deck.deck}"
        assert [q.findtext("idnumber") for q in questions] == [i.id for i in deck.items]
        assert [q.get("type") for q in questions] == [QTYPE[i.kind] for i in deck.items]
    total = sum(len(d.items) for d in checked.project.decks)
    assert sum(summary.counts["moodle"].values()) == total


def _check_question(q: etree._Element, item, corpus) -> None:  # type: ignore[no-untyped-def]
    """One question against Moodle's format and against what the item means."""
    for tag in ("name/text", "questiontext/text", "generalfeedback/text", "defaultgrade", "penalty", "hidden"):
        assert q.find(tag) is not None, (item.id, tag)
    assert q.find("questiontext").get("format") == "html"
    general = " ".join(text_of(q.findtext("generalfeedback/text")).split())
    for ev in evidences(corpus, item):
        assert " ".join(ev.excerpt.split()) in general and ev.cite in general, item.id
    assert set(item.tags) <= {t.text for t in q.findall("tags/tag/text")}
    question = text_of(q.findtext("questiontext/text"))
    answers = q.findall("answer")
    if isinstance(item, (Basic, Quote)) and q.get("type") == "shortanswer":
        right = item.answer if isinstance(item, Basic) else item.speaker
        assert q.findtext("usecase") == "0"
        good = [unstar(a.findtext("text")) for a in answers if a.get("fraction") == "100"]
        assert good[0] == right and good == alternatives(right)
        assert [(a.get("fraction"), a.findtext("text")) for a in answers][-1] == ("0", "*")
    elif isinstance(item, (Mcq, Quote)):
        right, wrong = (item.answer, set(item.distractors)) if isinstance(item, Mcq) else (item.speaker, None)
        assert q.findtext("single") == "true" and q.findtext("shuffleanswers") == "true"
        marked = {text_of(a.findtext("text")): a.get("fraction") for a in answers}
        assert [t for t, f in marked.items() if f == "100"] == [right]
        if wrong is not None:
            assert {t for t, f in marked.items() if f == "0"} == wrong
        for field in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            assert q.find(f"{field}/text") is not None
    elif isinstance(item, TrueFalse):
        by_word = {a.findtext("text"): a for a in answers}
        assert set(by_word) == {"true", "false"}
        right = by_word["true" if item.answer else "false"]
        wrong = by_word["false" if item.answer else "true"]
        assert right.get("fraction") == "100" and wrong.get("fraction") == "0"
        if not item.answer:
            assert item.correction in text_of(wrong.findtext("feedback/text"))
    elif isinstance(item, Cloze):
        found = cloze_answers(q.findtext("questiontext/text"))
        blanks = [m[2] for m in CLOZE.finditer(item.text)]
        assert [[unstar(a) for a in alts] for alts in found] == [alternatives(b) for b in blanks]
        outside = ANSWER.sub("", q.findtext("questiontext/text"))
        hints = "".join(f" ({m[3]})" for m in CLOZE.finditer(item.text) if m[3])
        assert len(text_of(outside)) == len(CLOZE.sub("", item.text)) + len(hints)
    elif isinstance(item, Order):
        assert [text_of(a.findtext("text")) for a in answers] == [e.text for e in item.events]
        assert [a.get("fraction") for a in answers] == [str(n) for n in range(1, len(item.events) + 1)]
        assert (q.findtext("layouttype"), q.findtext("selecttype"), q.findtext("selectcount")) == \
            ("VERTICAL", "ALL", str(len(item.events)))
        assert q.findtext("gradingtype") == "ABSOLUTE_POSITION"
    else:
        assert isinstance(item, (Match, Claims))
        pairs = [(p.left, p.right) for p in item.pairs] if isinstance(item, Match) else \
            [(c.claimant, c.value) for c in item.claims]
        got = [(text_of(s.findtext("text")), s.findtext("answer/text")) for s in q.findall("subquestion")]
        assert got == pairs
        assert q.findtext("shuffleanswers") == "true"
    assert question.strip(), item.id


def test_every_question_has_its_type_structure(shipped) -> None:  # type: ignore[no-untyped-def]
    checked, files, _ = shipped
    seen = set()
    for deck in checked.project.decks:
        root = etree.fromstring(files[Path("/out/moodle") / f"{deck.slug}.xml"], PARSER)
        for q, item in zip(root.findall("question")[1:], deck.items, strict=True):
            _check_question(q, item, checked.corpus)
            seen.add(q.get("type"))
    assert seen == set(QTYPE.values())


def test_hostile_text_stays_text(tmp_path) -> None:
    checked = checked_project(tmp_path / "p", {"hostile.yaml": hostile_deck()})
    files, _ = render_exports(checked.project, checked.corpus, Path("/out"), {"moodle"})
    data = files[Path("/out/moodle/hostile.xml")]
    assert b"]]]]><![CDATA[>" in data  # the payload's ]]> is split across two CDATA sections
    root = etree.fromstring(data, PARSER)
    deck = checked.project.decks[0]
    for q, item in zip(root.findall("question")[1:], deck.items, strict=True):
        _check_question(q, item, checked.corpus)
        for field in q.iter("text"):
            value = field.text or ""
            parent = field.getparent().tag
            if parent in ("name", "questiontext", "generalfeedback", "feedback", "subquestion") or \
                    (parent == "answer" and q.get("type") in ("multichoice", "ordering")):
                fragment = lhtml.fragment_fromstring(value or "<p></p>", create_parent="div")
                assert not fragment.xpath("//script|//img|//iframe|//a"), (item.id, parent)
    basic = root.find("question[idnumber='h-basic']")
    assert text_of(basic.findtext("questiontext/text")) == EXPORT_PAYLOAD
    assert EXPORT_ANSWER in [unstar(a.findtext("text")) for a in basic.findall("answer")]
    cloze = root.find("question[idnumber='h-cloze']").findtext("questiontext/text")
    assert len(cloze_answers(cloze)) == 1  # the payload's own {:SHORTANSWER:=x} and {{c9::x}} are text
    assert "{:SHORTANSWER:=x}" in text_of(ANSWER.sub("", cloze))
    assert "$$" not in cloze and "{mlang" not in cloze  # no filter sees its syntax in the HTML


def test_cli_export_chooses_and_build_can_leave_exports_out(make_project, run, tmp_path) -> None:
    root = make_project()
    code, _, err = run(["export", "--format", "moodle", "--type", "mcq", "--out", str(tmp_path / "x"), "."], cwd=root)
    assert code == 0, err
    root_el = etree.fromstring((tmp_path / "x" / "starter.xml").read_bytes(), PARSER)
    assert {q.get("type") for q in root_el.findall("question")} == {"category", "multichoice"}
    assert "Moodle XML: " in err and "(mcq " in err
    assert run(["build", "."], cwd=root)[0] == 0
    code, _, err = run(["export", "--format", "gift", "--deck", "starter", "."], cwd=root)
    assert code == 0 and (root / "dist" / "exports" / "gift" / "starter.gift").is_file(), err
    code, _, err = run(["build", "."], cwd=root)  # a later build keeps what `export` wrote
    assert code == 0 and (root / "dist" / "exports" / "gift" / "starter.gift").is_file(), err
    assert (root / "dist" / "moodle" / "starter.xml").is_file() and (root / "dist" / "gift" / "starter.gift").is_file()
    code, _, err = run(["export", "--format", "gift", "--deck", "nope", "."], cwd=root)
    assert code == 2 and "unknown deck nope" in err
    code, _, err = run(["export", "--format", "html", "--tag", "no-such-tag", "."], cwd=root)
    assert code == 2 and "no items match" in err
    code, _, err = run(["build", "--no-exports", "."], cwd=root)
    assert code == 0, err
    assert not any((root / "dist" / d).exists() for d in ("moodle", "gift", "selftest"))
    code, _, err = run(["build", "--exports", "gift,html", "."], cwd=root)
    assert code == 0 and (root / "dist" / "selftest" / "index.html").is_file() and not (root / "dist" / "moodle").exists()
    assert "GIFT: " in err and "self-test page: " in err
    code, _, err = run(["build", "--exports", "pdf", "."], cwd=root)
    assert code == 2 and "unknown format pdf" in err
