"""Moodle XML as Moodle reads it: lxml parses every file; each question type has the elements of
Moodle's documented format (question/format/xml and qtype_ordering's fixtures); embedded cloze
answers are read back with Moodle's own parsing rules, under both answer regexes Moodle has had;
the hostile catalogue stays text; no auto-marked answer is longer than the marking rule allows."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lhtml

from generator.arguments import EXPORT_FORMATS
from generator.cloze import CLOZE
from generator.export import FORMATS, render_exports
from generator.export.common import cloze_parts, evidences, quote_distractors, stem, typed_answers
from generator.model import Basic, Claims, Cloze, Match, Mcq, Order, Quote, TrueFalse

from .exporttools import (
    EXPORT_ANSWER,
    EXPORT_PAYLOAD,
    SHORT_HOSTILE,
    auto_markable,
    checked_project,
    hostile_deck,
    short_hostile_deck,
)

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, strip_cdata=True)
# Moodle's qtype_multianswer regular expressions (questiontype.php). ANSWER_ALTERNATIVE_ANSWER_REGEX
# has had two forms: the current one ends an answer before ~ # } unless after "\\", "&" or "&amp;"
# (PCRE's alternation lookbehind written as three lookbehinds for Python); the older one
# (question/format/multianswer) only unless after "\\". An answer must read the same under both.
LOOKBEHINDS = {"current": r"(?<!\\)(?<!&)(?<!&amp;)", "older": r"(?<!\\)"}


def _alt(variant: str) -> str:
    return (r"(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?(.+?" + LOOKBEHINDS[variant] + r"(?=[~#}]|$))"
            r"(#(.*?(?<!\\)(?=[~}]|$)))?")


def _answer(variant: str) -> re.Pattern[str]:
    return re.compile(r"\{([0-9]*):(SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC|MULTICHOICE|MC|NUMERICAL|NM):"
                      r"(" + _alt(variant) + r"(~" + _alt(variant) + r")*)\}", re.S)


ANSWER = _answer("current")


def text_of(fragment: str) -> str:
    """What a reader sees of an HTML fragment."""
    return lhtml.fragment_fromstring(fragment, create_parent="div").text_content() if fragment else ""


def cloze_answers(question_html: str, variant: str = "current") -> list[list[str]]:
    """Each embedded answer's accepted texts, read as Moodle reads them: split by the variant's
    regex, html_entity_decode, then only \\} and \\# undone, and trimmed as a short answer is saved."""
    out = []
    for m in _answer(variant).finditer(question_html):
        alts, rest = [], m[3]
        while rest:
            alt = re.match("~?" + _alt(variant), rest, re.S)
            assert alt is not None
            alts.append(html.unescape(alt[3]).replace("\\}", "}").replace("\\#", "#").strip(PHP_TRIM))
            rest = rest[alt.end():]
        out.append(alts)
    return out


PHP_TRIM = " \t\n\r\0\x0b"


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
        assert [q.get("type") for q in questions] == [expected_type(i, checked.project) for i in deck.items]
    total = sum(len(d.items) for d in checked.project.decks)
    assert sum(summary.counts["moodle"].values()) == total


def unwritable(answer: str) -> bool:
    return "~" in answer or "@@PLUGINFILE@@" in answer


def expected_type(item, project) -> str:  # type: ignore[no-untyped-def]
    """The Moodle question an item must become: a typed answer only where it is short (a cloze
    answer holding "~", which no Moodle version reads back, or "@@PLUGINFILE@@", which would reach
    the part's HTML text, makes the whole item an essay)."""
    if isinstance(item, Basic):
        return "shortanswer" if auto_markable(item.answer) else "essay"
    if isinstance(item, Quote):
        if len(quote_distractors(project, item)) >= 2:
            return "multichoice"
        return "shortanswer" if auto_markable(item.speaker) else "essay"
    if isinstance(item, Cloze):
        return "cloze" if all(auto_markable(m[2]) and not unwritable(m[2]) for m in CLOZE.finditer(item.text)) else "essay"
    return {Mcq: "multichoice", TrueFalse: "truefalse", Order: "ordering", Match: "matching",
            Claims: "matching"}[type(item)]


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
    name = stem(item) if len(stem(item)) <= 80 else stem(item)[:77].rsplit(" ", 1)[0] + "..."
    assert q.findtext("name/text") == name, item.id  # plain text, as Moodle stores a name
    if q.get("type") == "essay":
        model = item.answer if isinstance(item, Basic) else item.speaker if isinstance(item, Quote) else \
            "".join(p if isinstance(p, str) else p[0] for p in cloze_parts(item.text))
        info = " ".join(text_of(q.findtext("graderinfo/text")).split())
        assert f"Model answer: {' '.join(model.split())}" in info, item.id
        assert general.startswith(f"Model answer: {' '.join(model.split())}"), item.id  # for the student's review
        for ev in evidences(corpus, item):
            assert " ".join(ev.excerpt.split()) in info and ev.cite in info, item.id
        assert (q.findtext("responseformat"), q.findtext("responserequired"), q.findtext("attachments")) == \
            ("plain", "1", "0")
        assert q.find("graderinfo").get("format") == "html" and q.find("responsetemplate/text") is not None
        assert not answers and q.findtext("penalty") == "0"
        if isinstance(item, Cloze):
            blanks = list(CLOZE.finditer(item.text))
            shown, n = item.text, len(blanks)
            for i, m in reversed(list(enumerate(blanks, start=1))):
                blank = "____" + (f" ({i})" if n > 1 else "") + (f" ({m[3]})" if m[3] else "")
                shown = shown[:m.start()] + blank + shown[m.end():]
            assert question == f"Write the missing words{', numbered' if n > 1 else ''}:{shown}", item.id
        else:
            assert stem(item) in question or isinstance(item, Quote)
    elif isinstance(item, (Basic, Quote)) and q.get("type") == "shortanswer":
        right = item.answer if isinstance(item, Basic) else item.speaker
        assert q.findtext("usecase") == "0"
        good = [unstar(a.findtext("text")) for a in answers if a.get("fraction") == "100"]
        assert good[0] == right and good == typed_answers(right, getattr(item, "accept", ()))
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
        blanks = [m[2] for m in CLOZE.finditer(item.text)]
        for variant in LOOKBEHINDS:
            found = cloze_answers(q.findtext("questiontext/text"), variant)
            assert [[unstar(a) for a in alts] for alts in found] == \
                [[a for a in typed_answers(b) or [] if not unwritable(a)] for b in blanks], (item.id, variant)
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
        # Moodle's drop-down shows a matching answer through format_string (tags stripped,
        # references kept): written as escaped HTML, it shows the item's text.
        got = [(text_of(s.findtext("text")), html.unescape(s.findtext("answer/text"))) for s in q.findall("subquestion")]
        assert got == pairs
        assert not any("<" in s.findtext("answer/text") for s in q.findall("subquestion"))
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
    assert seen == {"shortanswer", "multichoice", "truefalse", "cloze", "ordering", "matching", "essay"}


def test_hostile_text_stays_text(tmp_path) -> None:
    checked = checked_project(tmp_path / "p", {"hostile.yaml": hostile_deck()})
    files, _ = render_exports(checked.project, checked.corpus, Path("/out"), {"moodle"})
    data = files[Path("/out/moodle/hostile.xml")]
    root = etree.fromstring(data, PARSER)
    deck = checked.project.decks[0]
    for q, item in zip(root.findall("question")[1:], deck.items, strict=True):
        _check_question(q, item, checked.corpus)
        for field in q.iter("text"):
            value = field.text or ""
            parent = field.getparent().tag
            if parent in ("questiontext", "generalfeedback", "feedback", "subquestion", "graderinfo") or \
                    (parent == "answer" and q.get("type") in ("multichoice", "ordering", "matching")):
                fragment = lhtml.fragment_fromstring(value or "<p></p>", create_parent="div")
                assert not fragment.xpath("//script|//img|//iframe|//a"), (item.id, parent)
    basic = root.find("question[idnumber='h-basic']")
    assert text_of(basic.findtext("questiontext/text")).startswith(EXPORT_PAYLOAD)
    assert basic.get("type") == "essay"  # the hostile answer is long: a teacher marks it
    assert f"Model answer: {' '.join(EXPORT_ANSWER.split())}" in " ".join(text_of(basic.findtext("graderinfo/text")).split())
    cloze = root.find("question[idnumber='h-cloze']").findtext("questiontext/text")
    assert cloze_answers(cloze) == []  # the payload's own {:SHORTANSWER:=x} and {{c9::x}} are text
    assert "{:SHORTANSWER:=x}" in text_of(cloze)
    assert "$$" not in cloze and "{mlang" not in cloze  # no filter sees its syntax in the HTML


def test_chron_storm_4am_reads_the_same_under_both_answer_regexes(shipped) -> None:  # type: ignore[no-untyped-def]
    """Issue 20.3: written as "4&#58;00 am", the older regex read only "4&"."""
    _, files, _ = shipped
    root = etree.fromstring(files[Path("/out/moodle/chronology.xml")], PARSER)
    text = root.find("question[idnumber='chron-storm-4am']").findtext("questiontext/text")
    assert {v: cloze_answers(text, v) for v in LOOKBEHINDS} == {v: [["4:00 am"]] for v in LOOKBEHINDS}


def test_names_are_plain_text_and_matching_answers_show_as_written(tmp_path) -> None:
    """Issue 20.11: Moodle stores a name as plain text (no &#x27; or &quot;), and shows a matching
    answer through format_string, which strips tags: the answer is escaped so its markup shows."""
    checked = checked_project(tmp_path / "p", {"hostile.yaml": hostile_deck()})
    files, _ = render_exports(checked.project, checked.corpus, Path("/out"), {"moodle"})
    root = etree.fromstring(files[Path("/out/moodle/hostile.xml")], PARSER)
    match = root.find("question[idnumber='h-match']")
    answers = [s.findtext("answer/text") for s in match.findall("subquestion")]
    item = next(i for i in checked.project.items if i.id == "h-match")
    assert [html.unescape(a) for a in answers] == [p.right for p in item.pairs]
    assert all("<" not in a and "&lt;script" in a for a in answers)
    names = [q.findtext("name/text") for q in root.findall("question")[1:]]
    assert not any("&#x27;" in n or "&quot;" in n for n in names) and any("'" in n for n in names)


def test_short_hostile_answers_are_auto_marked_and_arrive_as_written(tmp_path) -> None:
    """Short answers holding } # ~ & \\ %, a reference, a wildcard, a cloze marker and Moodle's
    file-link token: each short-answer question accepts exactly the answer, and each cloze blank
    reads back the same under both of Moodle's answer regexes; a blank no Moodle can read back
    ("~") makes the item an essay; @@PLUGINFILE@@ reaches no HTML field."""
    checked = checked_project(tmp_path / "p", {"s.yaml": short_hostile_deck()})
    files, summary = render_exports(checked.project, checked.corpus, Path("/out"), {"moodle"})
    data = files[Path("/out/moodle/s.xml")]
    assert b"]]]]><![CDATA[>" in data  # a short answer's ]]> is split across two CDATA sections
    root = etree.fromstring(data, PARSER)
    deck = checked.project.decks[0]
    for q, item in zip(root.findall("question")[1:], deck.items, strict=True):
        assert q.get("type") == expected_type(item, checked.project), item.id
        _check_question(q, item, checked.corpus)
        for field in q.iter("text"):
            if field.getparent().tag not in ("name", "answer") or q.get("type") == "multichoice":
                assert "@@PLUGINFILE@@" not in (field.text or ""), (item.id, field.getparent().tag)
    types = {q.findtext("idnumber"): q.get("type") for q in root.findall("question")[1:]}
    assert [types[f"s-basic-{n}"] for n in range(len(SHORT_HOSTILE))] == ["shortanswer"] * len(SHORT_HOSTILE)
    assert [a for n, a in enumerate(SHORT_HOSTILE) if types[f"s-cloze-{n}"] == "essay"] == \
        ["~tilde", "@@PLUGINFILE@@/x.png"]
    assert summary.counts["moodle"]["cloze"] == len(SHORT_HOSTILE) - 2


@pytest.mark.parametrize("variant", sorted(LOOKBEHINDS))
def test_cloze_answers_read_the_same_under_both_answer_regexes(variant: str) -> None:
    """The embedded-answer writing, applied to hostile texts and to "4:00 am" (chron-storm-4am):
    each marker holds exactly its answers under both regexes Moodle has had."""
    from generator.export.moodle import cloze_answer

    texts = [t for t in (*SHORT_HOSTILE, "4:00 am", "AT&T", "a & b", "x&amp;", "\\", "&", "}", "#", "a\\#", "&lt;b&gt;")
             if not unwritable(t)]
    for text in texts:
        written = cloze_answer(text)
        assert written is not None, text
        marker = "<p>before {1:SHORTANSWER:%100%" + written + "~%100%" + written + "} after</p>"
        assert [[unstar(a) for a in alts] for alts in cloze_answers(marker, variant)] == [[text, text]], (text, written)
    assert cloze_answer("a~b") is None and cloze_answer("@@PLUGINFILE@@") is None


def test_cli_export_chooses_and_build_can_leave_exports_out(make_project, run, tmp_path) -> None:
    root = make_project()
    code, _, err = run(["export", "--format", "moodle", "--type", "mcq", "--out", str(tmp_path / "x"), "."], cwd=root)
    assert code == 0, err
    root_el = etree.fromstring((tmp_path / "x" / "starter.xml").read_bytes(), PARSER)
    assert {q.get("type") for q in root_el.findall("question")} == {"category", "multichoice"}
    assert "Moodle XML: 1 question in 1 file (multiple choice 1)\n  auto-marked: 1; marked by a teacher: 0\n" in err
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


def auto_marked_answers(data: bytes) -> list[str]:
    """Every answer Moodle would mark by machine in a Moodle XML file: short-answer answers with
    credit and every embedded cloze answer (read under both answer regexes)."""
    found = []
    for q in etree.fromstring(data, PARSER).findall("question"):
        if q.get("type") == "shortanswer":
            found += [unstar(a.findtext("text")) for a in q.findall("answer") if float(a.get("fraction")) > 0]
        if q.get("type") == "cloze":
            for variant in LOOKBEHINDS:
                found += [unstar(a) for alts in cloze_answers(q.findtext("questiontext/text"), variant) for a in alts]
    return found


def test_no_auto_marked_answer_is_longer_than_the_rule(shipped, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Done when (issue 19): no auto-marked question anywhere whose accepted answer has more than
    4 words: the shipped bank, the hostile catalogue and the short hostile answers."""
    checked, files, summary = shipped
    hostile = checked_project(tmp_path / "h", {"hostile.yaml": hostile_deck(), "s.yaml": short_hostile_deck()})
    more, _ = render_exports(hostile.project, hostile.corpus, Path("/out"), {"moodle"})
    seen = 0
    for name, data in [*files.items(), *more.items()]:
        answers = auto_marked_answers(data)
        seen += len(answers)
        assert [a for a in answers if not auto_markable(a)] == [], name
    assert seen > 100 and auto_marked_answers(more[Path("/out/moodle/s.xml")])  # not vacuous
    counts = summary.counts["moodle"]
    long_basic = sum(isinstance(i, Basic) and not auto_markable(i.answer) for i in checked.project.items)
    assert counts["essay"] >= long_basic > 0 and "essay" in summary.lines()[1]
