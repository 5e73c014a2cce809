"""QTI 1.2 packages as Canvas reads them, proven by clients someone else wrote: every assessment
file validates against the IMS QTI 1.2.1 DTD; Instructure's QTI Migration Tool (the converter
Canvas runs on an imported package, in ``../shared/qti-migration-tool/``) converts every package
without an error or an "Unsupported" line for our elements; every converted item validates against
the QTI 2.1 XSD and reads back with the item's question, choices, answers, feedback and excerpts,
for the shipped bank and for the hostile catalogue."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lhtml

from generator.export import render_exports
from generator.export.common import cloze_parts, evidences, quote_distractors, typed_answers
from generator.export.qti import QUESTION_TYPES, WHOLE_BANK, blank_prefix
from generator.model import Basic, Claims, Cloze, Item, Match, Mcq, Order, Quote, TrueFalse

from .conftest import REPO
from .exporttools import checked_project, hostile_deck

# Beside the checkout (``../shared``); STUDYDECK_QTI_TOOL names another copy (a worktree elsewhere).
TOOL = Path(os.environ.get("STUDYDECK_QTI_TOOL") or REPO.parent / "shared" / "qti-migration-tool")
SCHEMAS = TOOL / "schemas"
needs_tool = pytest.mark.skipif(not (TOOL / "migrate.py").is_file(),
                                reason=f"Instructure's QTI Migration Tool is not in {TOOL}")
QTI21 = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
NS = {"q": QTI21[1:-1]}
# What the converter calls "Unsupported" in every Canvas package, text2qti's and Canvas's own alike:
# the manifest's metadata, organizations and dependency links, and Canvas's quiz settings file
# (assessment_meta.xml); none of them is QTI.
NOT_QTI = {"metadata", "organizations", "dependency", "quiz"}


# The hostile catalogue's answers are long, so its basic and cloze items are essays: these items
# carry hostile text into short answers, blanks (beside bracketed words like Canvas's blank names)
# and quote choices.
_SRC = "{doc: wikipedia-siege, excerpt: The Lal Masjid was founded by Maulana Qari Abdullah in 1965.}"
TYPED = f"""deck: Typed
items:
- {{id: t-basic, type: basic, question: "Q <b>x</b> ]]> [latex]y[/latex]?", answer: "<i>x</i> & ]]>",
   accept: ["&amp; [b1]"], source: {_SRC}}}
- {{id: t-cloze, type: cloze, text: "[blank1] [latex]x[/latex] {{{{c1::<i>x</i> & ]]>}}}} and
   {{{{c2::$ \\\\(y\\\\) [b]::<b>hint</b>}}}} [sound:x.mp3] [Blank_3]", source: {_SRC}}}
- {{id: t-quote-1, type: quote, quotation: founded by Maulana Qari Abdullah, speaker: "<b>One</b> & ]]>",
   context: "<i>c</i>", source: {_SRC}}}
- {{id: t-quote-2, type: quote, quotation: Maulana Qari Abdullah, speaker: "Two &lt; [x]", context: c2, source: {_SRC}}}
- {{id: t-quote-3, type: quote, quotation: The Lal Masjid was founded, speaker: "Three \\\\(z\\\\) $$", context: c3,
   source: {_SRC}}}
"""


def expected_type(project, item: Item) -> str:  # type: ignore[no-untyped-def]
    """Canvas's question type for an item: the mapping the README promises."""
    if isinstance(item, Basic):
        return "short_answer_question" if typed_answers(item.answer, item.accept) else "essay_question"
    if isinstance(item, Quote):
        if len(quote_distractors(project, item)) >= 2:
            return "multiple_choice_question"
        return "short_answer_question" if typed_answers(item.speaker) else "essay_question"
    if isinstance(item, Cloze):
        blanks = [p[0] for p in cloze_parts(item.text) if isinstance(p, tuple)]
        if all(typed_answers(b) for b in blanks):
            return "fill_in_multiple_blanks_question"
        return "essay_question"
    return {Mcq: "multiple_choice_question", TrueFalse: "true_false_question", Order: "matching_question",
            Match: "matching_question", Claims: "matching_question"}[type(item)]


def _packages(checked) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    files, _ = render_exports(checked.project, checked.corpus, Path("/out"), {"qti"})
    assert all(p.parent == Path("/out/qti") for p in files)
    return {p.stem: data for p, data in files.items()}


def _convert(package: bytes, where: Path) -> tuple[str, Path, Path]:
    """The package unzipped and run through the migration tool: (its output, input, output folder)."""
    src, out = where / "in", where / "out"
    zipfile.ZipFile(io.BytesIO(package)).extractall(src)
    proc = subprocess.run([sys.executable, "migrate.py", "--ucvars", "--nogui", "--overwrite", f"--cpout={out}/",
                           f"{src}/"], cwd=TOOL, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})  # nothing written beside the tool
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr, src, out


@pytest.fixture(scope="module")
def banks(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The shipped bank and the hostile one, their packages, each converted once by the tool."""
    found = {}
    for name, decks in (("shipped", None), ("hostile", {"hostile.yaml": hostile_deck(), "typed.yaml": TYPED})):
        checked = checked_project(tmp_path_factory.mktemp(name) / "p", decks)
        packages = _packages(checked)
        converted = {}
        if (TOOL / "migrate.py").is_file():
            started = time.perf_counter()
            for stem, data in packages.items():
                converted[stem] = _convert(data, tmp_path_factory.mktemp(f"{name}-{stem}"))
            print(f"\n{name}: {len(packages)} packages converted in {time.perf_counter() - started:.2f} s")
        found[name] = (checked, packages, converted)
    return found


# --- the package ------------------------------------------------------------------------------


def test_one_package_per_deck_and_the_whole_bank_with_every_item(banks) -> None:  # type: ignore[no-untyped-def]
    checked, packages, _ = banks["shipped"]
    decks = checked.project.decks
    assert sorted(packages) == sorted([d.slug for d in decks] + [WHOLE_BANK])
    for stem, data in packages.items():
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        assert names[0] == "imsmanifest.xml"
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in archive.infolist())
        mine = decks if stem == WHOLE_BANK else [d for d in decks if d.slug == stem]
        tests = [n for n in names if n.endswith(".xml") and not n.endswith(("assessment_meta.xml", "imsmanifest.xml"))]
        assert len(tests) == len(mine) and sum(n.endswith("/assessment_meta.xml") for n in names) == len(mine)
        ids = [i.get("ident") for n in tests for i in etree.fromstring(archive.read(n)).iter("item")]
        assert ids == [f"studydeck-{checked.project.config.id}-{i.id}" for d in mine for i in d.items]
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        hrefs = {f.get("href") for f in manifest.iter("{*}file")}
        assert hrefs == set(names) - {"imsmanifest.xml"}


def test_build_counts_every_item_by_type(banks) -> None:  # type: ignore[no-untyped-def]
    checked, _, _ = banks["shipped"]
    _, summary = render_exports(checked.project, checked.corpus, Path("/out"), {"qti"})
    items = [i for d in checked.project.decks for i in d.items]
    want: dict[str, int] = {}
    for item in items:
        key = f"{item.kind} as {QUESTION_TYPES[expected_type(checked.project, item)]}"
        want[key] = want.get(key, 0) + 1
    assert summary.counts["qti"] == want and sum(want.values()) == len(items)
    line = next(x for x in summary.lines() if x.startswith("QTI 1.2"))
    assert line.startswith(f"QTI 1.2 (Canvas): {len(items)} questions in {len(checked.project.decks) + 1} files")


def test_same_bytes_every_time(banks) -> None:  # type: ignore[no-untyped-def]
    checked, packages, _ = banks["shipped"]
    assert _packages(checked) == packages


def test_blank_names_never_meet_a_bracketed_word_of_the_item() -> None:
    assert blank_prefix("The [latex] and [sound:x.mp3] of it") == "blank"
    assert blank_prefix("see [Blank1] here") == "blank_"
    assert blank_prefix("[blank_2] and [blank3]") == "blank__"


# Canvas's importer reads plain-text answers through clear_html (qti_exporter's html_helper.rb), which
# drops tags and entities: "<b>" and "&amp;" would vanish from an accepted answer or a matching side.
CANVAS_STRIPS = re.compile(r"</?[^>\n]*>|&#\d+;|&\w+;")


def _plain_fields(item: Item) -> list[str]:
    """The texts an item puts into plain-text fields (choices, accepted answers, matching sides)."""
    if isinstance(item, Basic):
        return [item.answer, *item.accept]
    if isinstance(item, Mcq):
        return [item.answer, *item.distractors]
    if isinstance(item, Quote):
        return [item.speaker]
    if isinstance(item, Cloze):
        return [p[0] for p in cloze_parts(item.text) if isinstance(p, tuple)]
    if isinstance(item, Order):
        return [e.text for e in item.events]
    if isinstance(item, Match):
        return [t for p in item.pairs for t in (p.left, p.right)]
    if isinstance(item, Claims):
        return [t for c in item.claims for t in (c.claimant, c.value)]
    return []


def test_shipped_answers_survive_canvas_plain_text_reading(banks) -> None:  # type: ignore[no-untyped-def]
    checked, _, _ = banks["shipped"]
    hostile, _, _ = banks["hostile"]
    assert any(CANVAS_STRIPS.search(t) for d in hostile.project.decks for i in d.items for t in _plain_fields(i))
    found = [(i.id, t) for d in checked.project.decks for i in d.items for t in _plain_fields(i) if CANVAS_STRIPS.search(t)]
    assert found == []


def test_export_command_writes_the_packages(make_project, run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(["export", "--format", "qti", "--out", str(tmp_path / "q"), str(make_project())])
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "q").glob("*.zip")) == ["all_decks.zip", "starter.zip"]
    assert "QTI 1.2 (Canvas):" in err


# --- proof 1: the IMS QTI 1.2.1 DTD -----------------------------------------------------------


@needs_tool
@pytest.mark.parametrize("bank", ["shipped", "hostile"])
def test_every_assessment_file_validates_against_the_qti_1_2_1_dtd(banks, bank) -> None:  # type: ignore[no-untyped-def]
    dtd = etree.DTD(str(SCHEMAS / "ims_qtiasiv1p2p1.dtd"))
    _, packages, _ = banks[bank]
    for stem, data in packages.items():
        archive = zipfile.ZipFile(io.BytesIO(data))
        for name in archive.namelist():
            root = etree.fromstring(archive.read(name))
            if root.tag == "questestinterop":
                assert dtd.validate(root), (stem, name, [str(e) for e in dtd.error_log][:5])


# --- proof 2: Canvas's converter --------------------------------------------------------------


def _schema() -> etree.XMLSchema:
    """The QTI 2.1 XSD; its imports of W3C and IMS schemas from the network are answered with
    stubs declaring only the names it refers to (xml:lang/base/space, xi:include, m:math,
    lip:identification), none of which a converted item uses."""
    anything = ('<xsd:complexType mixed="true"><xsd:sequence><xsd:any minOccurs="0" maxOccurs="unbounded"'
                ' processContents="lax"/></xsd:sequence><xsd:anyAttribute processContents="lax"/></xsd:complexType>')

    def stub(ns: str, body: str) -> str:
        return (f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="{ns}"'
                f' elementFormDefault="qualified">{body}</xsd:schema>')

    stubs = {
        "http://www.w3.org/2001/xml.xsd": stub("http://www.w3.org/XML/1998/namespace",
                                               '<xsd:attribute name="lang" type="xsd:language"/><xsd:attribute'
                                               ' name="base" type="xsd:anyURI"/><xsd:attribute name="space"/>'),
        "http://www.w3.org/2001/XInclude.xsd": stub("http://www.w3.org/2001/XInclude",
                                                    f'<xsd:element name="include">{anything}</xsd:element>'),
        "http://www.w3.org/Math/XMLSchema/mathml2/mathml2.xsd": stub(
            "http://www.w3.org/1998/Math/MathML", f'<xsd:element name="math">{anything}</xsd:element>'),
        "http://www.imsglobal.org/xsd/imslip_v1p0.xsd": stub(
            "http://www.imsglobal.org/xsd/imslip_v1p0", f'<xsd:element name="identification">{anything}</xsd:element>'),
    }

    class Stubs(etree.Resolver):
        def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
            return self.resolve_string(stubs[url], context) if url in stubs else None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Stubs())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "imsqti_v2p1.xsd"), parser))


def without_instructure(doc: etree._ElementTree) -> etree._ElementTree:
    """The item less the three things Instructure's converter adds to QTI 2.1 for Canvas, whatever
    it converts: the ``instructureMetadata`` element, an ``identifier`` on each ``baseValue``,
    and a ``div`` around each interaction's prompt."""
    root = doc.getroot()
    for meta in root.findall(f"{QTI21}instructureMetadata"):
        root.remove(meta)
    for value in root.iter(f"{QTI21}baseValue"):
        value.attrib.pop("identifier", None)
    for div in root.xpath("//q:prompt/q:div", namespaces=NS):
        prompt = div.getparent()
        prompt.text = (prompt.text or "") + (div.text or "")
        prompt.remove(div)
    return doc


@needs_tool
@pytest.mark.parametrize("bank", ["shipped", "hostile"])
def test_canvas_converter_takes_every_package_and_item(banks, bank) -> None:  # type: ignore[no-untyped-def]
    checked, _, converted = banks[bank]
    schema = _schema()
    for stem, (log, _, out) in converted.items():
        said = [x for x in log.splitlines() if not re.match(r"-- Converting item|(Writing|Processing) (file|dir)", x)]
        assert not [x for x in said if re.search(r"\b(error|exception|traceback)", x, re.I)], (stem, said)
        unsupported = set(re.findall(r"Unsupported element <([^>]+)>", log))
        assert unsupported <= NOT_QTI, (stem, unsupported)
        assert not [x for x in log.splitlines() if "Unsupported" in x and "Unsupported element" not in x], stem
        decks = checked.project.decks if stem == WHOLE_BANK else [d for d in checked.project.decks if d.slug == stem]
        items = [i for d in decks for i in d.items]
        files = sorted((out / "assessmentItems").glob("*.xml"))
        assert len(files) == len(items), stem
        for path in files:
            doc = etree.parse(str(path))
            ok = schema.validate(without_instructure(etree.parse(str(path))))
            assert ok, (path.name, [str(e) for e in schema.error_log][:3])
            item = next(i for i in items if path.stem.endswith(f"-{i.id}"))
            assert _read(doc)["type"] == expected_type(checked.project, item), item.id


# --- proof 3: the round trip ------------------------------------------------------------------


def _blocks(fragment: str) -> list[str]:
    """The texts of an HTML fragment's paragraphs and blockquotes, as a reader sees them."""
    root = lhtml.fragment_fromstring(fragment, create_parent="div")
    return [p.text_content() for p in root.iter("p", "li")]


def _html(node: etree._Element | None) -> str:
    """The HTML string the converter keeps for a text/html field (or the text of a plain one)."""
    return "" if node is None else "".join(node.itertext())


def _read(doc: etree._ElementTree) -> dict:  # type: ignore[type-arg]
    """A converted item as Canvas's importer reads it: type, question, choices, answers, feedback."""
    root = doc.getroot()
    field = root.find(f"{QTI21}instructureMetadata/{QTI21}instructureField[@name='question_type']")
    body = root.find(f"{QTI21}itemBody")
    interactions = body.findall(f"{QTI21}choiceInteraction")
    choices = {i.get("responseIdentifier"): {c.get("identifier"): _html(c).strip()
                                             for c in i.findall(f"{QTI21}simpleChoice")} for i in interactions}
    prompts = {i.get("responseIdentifier"): _html(i.find(f"{QTI21}prompt")).strip() for i in interactions}
    right: dict[str, list[str]] = {}
    for cond in root.iter(f"{QTI21}match", f"{QTI21}stringMatch"):
        var, value = cond.find(f"{QTI21}variable").get("identifier"), cond.find(f"{QTI21}baseValue").text or ""
        right.setdefault(var, []).append(choices[var][value] if cond.tag == f"{QTI21}match" else value)
    feedback = {f.get("identifier"): _html(f.find(f"{QTI21}div")) for f in root.findall(f"{QTI21}modalFeedback")}
    return {"type": field.get("value"), "question": _html(body.find(f"{QTI21}div")), "choices": choices,
            "prompts": prompts, "right": right, "feedback": feedback}


def _check_round_trip(project, corpus, item: Item, got: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    qtype = expected_type(project, item)
    question = _blocks(got["question"])
    general = lhtml.fragment_fromstring(got["feedback"]["general_fb"], create_parent="div")
    spaced = [" ".join(e.excerpt.split()) for e in evidences(corpus, item)]
    assert [" ".join(b.text_content().split()) for b in general.find_class("studydeck-excerpt")] == spaced, item.id
    assert [c.text_content() for c in general.find_class("studydeck-cite")] == [e.cite for e in evidences(corpus, item)]
    assert [n.text_content() for n in general.find_class("studydeck-note")] == ([item.note] if item.note else [])
    answer = " ".join(a.text_content() for a in general.find_class("studydeck-answer"))
    if isinstance(item, (Basic, Mcq, Claims)):
        assert item.question in question, item.id
    elif isinstance(item, TrueFalse):
        assert question == [item.statement]
        assert list(got["choices"]["response1"].values()) == ["True", "False"]
        assert got["right"]["response1"] == ["True" if item.answer else "False"]
        corrections = [c.text_content() for c in general.find_class("studydeck-correction")]
        assert corrections == ([item.correction] if item.correction else [])
    elif isinstance(item, Quote):
        assert f"\u201c{item.quotation}\u201d" in question and item.context in question
    elif isinstance(item, (Order, Match)):
        assert item.prompt in question
    if qtype == "multiple_choice_question":
        right = item.answer if isinstance(item, Mcq) else item.speaker  # type: ignore[union-attr]
        wrong = item.distractors if isinstance(item, Mcq) else quote_distractors(project, item)  # type: ignore[arg-type]
        assert sorted(got["choices"]["response1"].values()) == sorted([right, *wrong])
        assert got["right"]["response1"] == [right]
    elif qtype in ("short_answer_question", "essay_question") and isinstance(item, (Basic, Quote)):
        text, accept = (item.answer, item.accept) if isinstance(item, Basic) else (item.speaker, ())
        assert got["right"].get("response1", []) == (typed_answers(text, accept) or []), item.id
        assert answer.split(": ", 1)[1] == text
    elif isinstance(item, Cloze):
        parts = cloze_parts(item.text)
        full = "".join(p if isinstance(p, str) else p[0] for p in parts)
        assert answer.split(": ", 1)[1] == full
        if qtype == "fill_in_multiple_blanks_question":
            names = [k.removeprefix("response_") for k in got["choices"]]
            blanks = [p for p in parts if isinstance(p, tuple)]
            assert [list(c.values()) for c in got["choices"].values()] == [typed_answers(b[0]) for b in blanks]
            filled = question[0]
            for name, (blank, hint) in zip(names, blanks, strict=True):
                filled = filled.replace(f"[{name}]" + (f" ({hint})" if hint else ""), blank, 1)
            assert filled == full
    elif qtype == "matching_question":
        if isinstance(item, Order):
            pairs = [(e.text, str(n)) for n, e in enumerate(item.events, start=1)]
            got_pairs = [(got["prompts"][k], got["right"][k][0].split()[0]) for k in got["choices"]]
        else:
            pairs = [(p.left, p.right) for p in item.pairs] if isinstance(item, Match) else \
                [(c.claimant, c.value) for c in item.claims]
            got_pairs = [(got["prompts"][k], got["right"][k][0]) for k in got["choices"]]
            for offered in got["choices"].values():
                assert sorted(offered.values()) == sorted(set(r for _, r in pairs))
        assert got_pairs == pairs, item.id


@needs_tool
@pytest.mark.parametrize("bank", ["shipped", "hostile"])
def test_round_trip_through_canvas_converter(banks, bank) -> None:  # type: ignore[no-untyped-def]
    checked, _, converted = banks[bank]
    _, _, out = converted[WHOLE_BANK]
    items = {f"studydeck-{checked.project.config.id}-{i.id}": i for d in checked.project.decks for i in d.items}
    kinds, types = set(), set()
    for path in sorted((out / "assessmentItems").glob("*.xml")):
        item, got = items[path.stem], _read(etree.parse(str(path)))
        _check_round_trip(checked.project, checked.corpus, item, got)
        kinds.add(item.kind)
        types.add(got["type"])
    assert len(list((out / "assessmentItems").glob("*.xml"))) == len(items)
    assert kinds == {"basic", "mcq", "truefalse", "cloze", "quote", "order", "match", "claims"}
    assert types == set(QUESTION_TYPES)
