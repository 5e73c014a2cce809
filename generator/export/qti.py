"""Compile stage for Canvas, Brightspace and Schoology: decks -> a QTI 1.2 content package (zip
bytes, nothing written), in the flavour Canvas writes and reads.

The package holds ``imsmanifest.xml`` and, per deck, one assessment (``<ident>/<ident>.xml``, a
``questestinterop`` valid against the IMS QTI 1.2.1 DTD) with Canvas's quiz settings beside it
(``<ident>/assessment_meta.xml``). Each item carries Canvas's ``question_type`` and
``points_possible`` metadata and the shapes Canvas's own exporter writes for that type.

Text reaches the package two ways, each made inert:
- HTML fields (question text, feedback): the text HTML-escaped, then XML-escaped as the content of a
  ``text/html`` mattext (an escaped string, never raw tags: Canvas's converter reads it as one);
- plain-text fields (choices, accepted answers, matching sides): ``text/plain`` mattext or
  ``varequal``, XML-escaped only.
Characters XML cannot hold become U+FFFD. The zip has fixed entry order and times.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from string import Template
from xml.etree import ElementTree as ET

from ..anki.package import ZipWriter
from ..load import Project
from ..model import Basic, Claims, Cloze, Deck, Item, Match, Mcq, Order, Quote, TrueFalse
from ..sources import Corpus
from ..wording import clip
from .common import (
    Kept,
    asked,
    blanked,
    cloze_parts,
    counts_back,
    feedback_html,
    kept_or_made,
    model_answer,
    quote_distractors,
    rng,
    stem,
    xml_text,
)

TEMPLATES = Path(__file__).resolve().parent / "qti"
WHOLE_BANK = "all_decks"  # the whole-bank package's stem: "_" keeps it apart from every deck slug
# Canvas's question types, and their names as the build reports them.
QUESTION_TYPES = {"multiple_choice_question": "multiple choice", "true_false_question": "true/false",
                  "short_answer_question": "short answer", "essay_question": "essay",
                  "fill_in_multiple_blanks_question": "fill in multiple blanks", "matching_question": "matching"}
# What each type's builder returns: (Canvas question type, answer idents, [(feedback ident, HTML)]).
Built = tuple[str, list[str], list[tuple[str, str]]]
_BLANK_SCAN = re.compile(r"\[([A-Za-z0-9_\-.]+)\]")  # what Canvas's quiz page reads as a blank in question text


def _h(text: str) -> str:
    """Item text as inert HTML (quotes included, for attributes)."""
    return html.escape(text, quote=True)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def _material(parent: ET.Element, text: str, texttype: str) -> ET.Element:
    material = _sub(parent, "material")
    _sub(material, "mattext", text, texttype=texttype)
    return material


def blank_prefix(text: str) -> str:
    """A blank-name prefix (``blank``, ``blank_``, ...) no ``[name]`` already in ``text`` starts with,
    so Canvas puts each answer box where our blank is, never at a bracketed word of the item."""
    taken = [m[1].casefold() for m in _BLANK_SCAN.finditer(text)]
    prefix = "blank"
    while any(t.startswith(prefix) for t in taken):
        prefix += "_"
    return prefix


def ordinal(n: int, last: int) -> str:
    """A position as a matching choice: ``1 (earliest)``, ``2``, ..., ``5 (latest)``."""
    return f"{n} (earliest)" if n == 1 else f"{n} (latest)" if n == last else str(n)


class _Items:
    """Builds each item's ``<item>`` element, Canvas's shape for its type."""

    def __init__(self, project: Project, corpus: Corpus) -> None:
        self.project = project
        self.corpus = corpus
        assert project.config is not None
        self.namespace = project.config.id

    def ident(self, item: Item) -> str:
        return f"studydeck-{self.namespace}-{item.id}"

    def feedback(self, item: Item, extra: str = "") -> str:
        """General feedback: the answer, each excerpt as its source writes it, its citation, the note."""
        return feedback_html(self.corpus, item, _h, extra, para=True)

    def item(self, item: Item) -> tuple[str, ET.Element]:
        """(Canvas question type, the <item> element)."""
        node = ET.Element("item", {"ident": self.ident(item), "title": xml_text(clip(stem(item), 80))})
        meta = _sub(_sub(node, "itemmetadata"), "qtimetadata")
        presentation = _sub(node, "presentation")
        qtype, answer_ids, feedback = self.body(item, presentation, node)
        for label, entry in (("question_type", qtype), ("points_possible", "1.0"),
                             ("original_answer_ids", ",".join(answer_ids))):
            field = _sub(meta, "qtimetadatafield")
            _sub(field, "fieldlabel", label)
            _sub(field, "fieldentry", entry)
        for ident, text in feedback:
            flow = _sub(_sub(node, "itemfeedback", ident=ident), "flow_mat")
            _material(flow, text, "text/html")
        return qtype, node

    def body(self, item: Item, presentation: ET.Element, node: ET.Element) -> Built:
        """Fills the presentation and processing; (question type, answer idents, [(feedback ident, HTML)])."""
        process = _sub(node, "resprocessing")
        outcomes = _sub(process, "outcomes")
        _sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
        condition = _sub(process, "respcondition", **{"continue": "Yes"})
        _sub(_sub(condition, "conditionvar"), "other")
        _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
        question = f"<p>{_h(stem(item))}</p>"
        if isinstance(item, Quote):
            question = (f"<p>Who said or wrote this?</p><blockquote><p>\u201c{_h(item.quotation)}\u201d</p></blockquote>"
                        f"<p>{_h(item.context)}</p>")
        how, typed = asked(self.project, item)
        if how == "teacher":  # a typed answer too long for a machine to mark, and no choices to offer
            if isinstance(item, Cloze):  # Canvas has no blank a teacher marks: the whole sentence is asked
                question = f"<p>{blanked(item.text, _h, numbered=False)}</p>"
            extra = f'<p class="studydeck-answer">Model answer: {_h(model_answer(item))}</p>'
            return self.essay(item, presentation, process, question, extra)
        if isinstance(item, Basic):
            return self.typed(item, presentation, process, question, item.answer, typed[0])
        if isinstance(item, Mcq):
            return self.choice(item, presentation, process, question, item.answer, item.distractors)
        if isinstance(item, Quote):
            if how == "typed":  # too few other speakers in the bank to choose from
                return self.typed(item, presentation, process, question, item.speaker, typed[0])
            return self.choice(item, presentation, process, question, item.speaker, quote_distractors(self.project, item))
        if isinstance(item, TrueFalse):
            return self.truefalse(item, presentation, process, question)
        if isinstance(item, Cloze):
            return self.cloze(item, presentation, process, typed)
        if isinstance(item, Order):
            text = f"<p>{_h(item.prompt)}</p><p>Match each event with its place in time, earliest first.</p>"
            rows = "".join(f"<li>{_h(e.date)}: {_h(e.text)}</li>" for e in item.events)
            pairs = [(e.text, ordinal(n, len(item.events))) for n, e in enumerate(item.events, start=1)]
            return self.matching(item, presentation, process, text, pairs, f"<ol>{rows}</ol>")
        if isinstance(item, Match):
            text = (f"<p>{_h(item.prompt)}</p><p>Match each {_h(item.left_label)} with its "
                    f"{_h(item.right_label)}.</p>")
            return self.matching(item, presentation, process, text, [(p.left, p.right) for p in item.pairs])
        assert isinstance(item, Claims)
        text = f"<p>{_h(item.question)}</p><p>The sources disagree: match each claimant with what they claimed.</p>"
        return self.matching(item, presentation, process, text, [(c.claimant, c.value) for c in item.claims])

    # --- the types' own elements ------------------------------------------------------------

    def choice(self, item: Item, presentation: ET.Element, process: ET.Element, question: str, right: str,
               wrong: Iterable[str]) -> Built:
        """multiple_choice_question: the choices in an order fixed by the item, one right."""
        texts = [right, *wrong]
        rng(self.project, item, "qti-choices").shuffle(texts)
        ids = [str(n) for n in range(1, len(texts) + 1)]
        _material(presentation, question, "text/html")
        lid = _sub(presentation, "response_lid", ident="response1", rcardinality="Single")
        render = _sub(lid, "render_choice")
        for ident, text in zip(ids, texts, strict=True):
            _material(_sub(render, "response_label", ident=ident), text, "text/plain")
        _score(process, "response1", [ids[texts.index(right)]])
        return "multiple_choice_question", ids, [("general_fb", self.feedback(item))]

    def truefalse(self, item: TrueFalse, presentation: ET.Element, process: ET.Element, question: str) -> Built:
        """true_false_question: "True" and "False"; the correction in the feedback."""
        _material(presentation, question, "text/html")
        render = _sub(_sub(presentation, "response_lid", ident="response1", rcardinality="Single"), "render_choice")
        for ident, word in (("1", "True"), ("2", "False")):
            _material(_sub(render, "response_label", ident=ident), word, "text/plain")
        right = "1" if item.answer else "2"
        condition = _score(process, "response1", [right])
        _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid="correct_fb")
        wrong = _sub(process, "respcondition", **{"continue": "Yes"})
        _sub(_sub(wrong, "conditionvar"), "other")
        _sub(wrong, "displayfeedback", feedbacktype="Response", linkrefid="general_incorrect_fb")
        verdict = "true" if item.answer else "false"
        fix = f"<p class=\"studydeck-correction\">{_h(item.correction)}</p>" if item.correction else ""
        return "true_false_question", ["1", "2"], [
            ("general_fb", self.feedback(item, f"<p>The statement is {verdict}.</p>{fix}")),
            ("correct_fb", f"<p>Correct: the statement is {verdict}.</p>"),
            ("general_incorrect_fb", f"<p>No: the statement is {verdict}.</p>")]

    def typed(self, item: Item, presentation: ET.Element, process: ET.Element, question: str, answer: str,
              answers: list[str]) -> Built:
        """short_answer_question: any of the accepted ``answers`` (``asked``: a short answer) scores."""
        _text_box(presentation, question)
        condition = _sub(process, "respcondition", **{"continue": "No"})
        test = _sub(condition, "conditionvar")
        for text in answers:
            _sub(test, "varequal", text, respident="response1")
        _sub(condition, "setvar", "100", action="Set", varname="SCORE")
        extra = f'<p class="studydeck-answer">Answer: {_h(answer)}</p>'
        return "short_answer_question", [], [("general_fb", self.feedback(item, extra))]

    def cloze(self, item: Cloze, presentation: ET.Element, process: ET.Element, answers: list[list[str]]) -> Built:
        """fill_in_multiple_blanks_question, one ``[blank_n]`` per blank, each with its accepted
        ``answers`` (``asked``: every blank is short; otherwise the item is an essay)."""
        parts = cloze_parts(item.text)
        blanks = [p for p in parts if isinstance(p, tuple)]
        summary = f'<p class="studydeck-answer">Answer: {_h(model_answer(item))}</p>'
        prefix = blank_prefix(item.text)
        names = [f"{prefix}{n}" for n in range(1, len(blanks) + 1)]
        out, n = [], 0
        for part in parts:
            if isinstance(part, str):
                out.append(_h(part))
                continue
            out.append(f"[{names[n]}]" + (f" <em>({_h(part[1])})</em>" if part[1] else ""))
            n += 1
        _material(presentation, f"<p>{''.join(out)}</p>", "text/html")
        ids: list[str] = []
        share = f"{100 / len(blanks):.2f}"
        for b, (name, accepted) in enumerate(zip(names, answers, strict=True), start=1):
            # no label material: Canvas names the blank by the ident, and a prompt would be a <div>
            # the QTI 2.1 converter puts where QTI 2.1 allows only inline text
            lid = _sub(presentation, "response_lid", ident=f"response_{name}", rcardinality="Single")
            render = _sub(lid, "render_choice")
            mine = [str(100 * b + k) for k in range(1, len(accepted) + 1)]
            for ident, text in zip(mine, accepted, strict=True):
                _material(_sub(render, "response_label", ident=ident), text, "text/plain")
            ids += mine
            _add(process, f"response_{name}", mine[0], share)
        return "fill_in_multiple_blanks_question", ids, [("general_fb", self.feedback(item, summary))]

    def essay(self, item: Item, presentation: ET.Element, process: ET.Element, question: str, extra: str) -> Built:
        """essay_question: a teacher marks it; the model answer is in the feedback."""
        _text_box(presentation, question)
        condition = _sub(process, "respcondition", **{"continue": "No"})
        _sub(_sub(condition, "conditionvar"), "other")
        return "essay_question", [], [("general_fb", self.feedback(item, extra))]

    def matching(self, item: Item, presentation: ET.Element, process: ET.Element, question: str,
                 pairs: list[tuple[str, str]], extra: str = "") -> Built:
        """matching_question: one ``response_lid`` per left side, each offering every distinct right
        side (in an order fixed by the item); a right side two left sides share is offered once."""
        _material(presentation, question, "text/html")
        rights = list(dict.fromkeys(right for _, right in pairs))
        rng(self.project, item, "qti-matches").shuffle(rights)
        right_ids = {text: str(501 + n) for n, text in enumerate(rights)}
        left_ids = [str(n) for n in range(1, len(pairs) + 1)]
        share = f"{100 / len(pairs):.2f}"
        for ident, (left, right) in zip(left_ids, pairs, strict=True):
            lid = _sub(presentation, "response_lid", ident=f"response_{ident}", rcardinality="Single")
            _material(lid, left, "text/plain")
            render = _sub(lid, "render_choice")
            for text in rights:
                _material(_sub(render, "response_label", ident=right_ids[text]), text, "text/plain")
            _add(process, f"response_{ident}", right_ids[right], share)
        return "matching_question", left_ids, [("general_fb", self.feedback(item, extra))]


def _text_box(presentation: ET.Element, question: str) -> None:
    """The question and one box to type the answer in (short answer and essay alike)."""
    _material(presentation, question, "text/html")
    fib = _sub(_sub(presentation, "response_str", ident="response1", rcardinality="Single"), "render_fib")
    _sub(fib, "response_label", ident="answer1", rshuffle="No")


def _score(process: ET.Element, respident: str, right: list[str]) -> ET.Element:
    condition = _sub(process, "respcondition", **{"continue": "No"})
    test = _sub(condition, "conditionvar")
    for ident in right:
        _sub(test, "varequal", ident, respident=respident)
    _sub(condition, "setvar", "100", action="Set", varname="SCORE")
    return condition


def _add(process: ET.Element, respident: str, right: str, share: str) -> None:
    """A share of the score for one blank or pair, as Canvas reads it (``Add``); ``continue`` so a
    QTI engine goes on to score the others."""
    condition = _sub(process, "respcondition", **{"continue": "Yes"})
    _sub(_sub(condition, "conditionvar"), "varequal", right, respident=respident)
    _sub(condition, "setvar", share, varname="SCORE", action="Add")


def _fill(name: str, xml: str = "", **values: str) -> str:
    """A template file next to this module, each value XML-escaped (``xml``: XML put in as it is)."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return Template(text).substitute({k: _h(xml_text(v)) for k, v in values.items()}, xml=xml)


def assessment_xml(writer: _Items, ident: str, deck: Deck) -> tuple[bytes, dict[str, int]]:
    """One deck as a ``questestinterop`` assessment, and its questions counted as "kind as type"."""
    root = ET.Element("questestinterop")
    assessment = _sub(root, "assessment", ident=ident, title=deck.deck)
    field = _sub(_sub(assessment, "qtimetadata"), "qtimetadatafield")
    _sub(field, "fieldlabel", "cc_maxattempts")
    _sub(field, "fieldentry", "unlimited")
    section = _sub(assessment, "section", ident="root_section")
    counts: dict[str, int] = {}
    for item in deck.items:
        qtype, node = writer.item(item)
        section.append(node)
        key = f"{item.kind} as {QUESTION_TYPES[qtype]}"
        counts[key] = counts.get(key, 0) + 1
    ET.indent(root, "  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n", counts


class Packages:
    """QTI 1.2 packages: each deck's own and, alongside, the whole bank's (its manifest first, then
    each deck's assessment as that deck's package is made). Each assessment is made once and
    compressed into both at once, so the whole bank never holds every deck's XML at once."""

    def __init__(self, decks: Sequence[Deck], project: Project, corpus: Corpus, title: str,
                 kept: Kept | None = None) -> None:
        assert project.config is not None
        self.namespace = project.config.id
        self.writer = _Items(project, corpus)
        self.kept = kept  # each deck's assessment made earlier (``common.kept_or_made``)
        self.bank = ZipWriter()
        self.bank.add("imsmanifest.xml", self._manifest(decks, title))

    def _ident(self, deck: Deck) -> str:
        return f"studydeck-{self.namespace}_{deck.slug}"  # "_": never an item's ident

    def _manifest(self, decks: Sequence[Deck], title: str) -> bytes:
        resources = "".join(_fill("resource.xml", ident=self._ident(deck)) for deck in decks)
        return _fill("manifest.xml", resources, ident=f"studydeck-{self.namespace}_manifest", title=title).encode("utf-8")

    def deck(self, deck: Deck) -> tuple[bytes, dict[str, int]]:
        """The deck's own package, and its questions counted as "kind as Canvas type"; its
        assessment also goes into the whole bank's."""
        ident = self._ident(deck)
        data, counts = kept_or_made(self.kept, "qti", deck, lambda: assessment_xml(self.writer, ident, deck), counts_back)
        meta = _fill("assessment_meta.xml", ident=ident, title=deck.deck,
                     description=f"<p>{_h(deck.description)}</p>" if deck.description else "",
                     points=f"{len(deck.items)}.0").encode("utf-8")
        own = ZipWriter()
        own.add("imsmanifest.xml", self._manifest([deck], deck.deck))
        for name, blob in ((f"{ident}/{ident}.xml", data), (f"{ident}/assessment_meta.xml", meta)):
            own.add(name, blob)
            self.bank.add(name, blob)
        return own.close(), counts

    def whole(self) -> bytes:
        """The whole bank's package, once every deck's has been made."""
        return self.bank.close()
