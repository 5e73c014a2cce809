"""Compile stage for Moodle: one deck -> a Moodle XML question file (bytes, nothing written).

The format is the one Moodle's own XML exporter writes (question/format/xml): a category
question (``$course$/top/<collection>/<deck>``), then one ``<question>`` per item with the item id
as ``idnumber``, its tags, and the excerpts and citations as general feedback.

Text reaches Moodle three ways, each made inert:
- HTML fields (question text, feedback, choices): HTML-escaped, and ``{ } [ ] \\ $`` written as
  character references so no filter (multilang, TeX, MathJax) and no cloze marker can start;
- plain-text fields (matching answers, short-answer answers): the raw text, which Moodle escapes;
  a ``*`` in a short answer is written ``\\*`` (a bare ``*`` is Moodle's wildcard);
- all of it in CDATA, with any ``]]>`` split across two sections.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ..load import Project
from ..model import Basic, Claims, Cloze, Deck, Item, Match, Mcq, Order, Quote, TrueFalse
from ..sources import Corpus
from .common import alternatives, cloze_parts, evidences, quote_distractors, stem

_REFS = str.maketrans({"{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;", "\\": "&#92;", "$": "&#36;"})
# Inside an embedded cloze answer Moodle's parser splits at } ~ # unless they follow "&" or "\\",
# and then decodes character references (html_entity_decode): written as references, one pass,
# an answer arrives as written and never ends its marker early.
_CLOZE_REFS = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "~": "&#126;",
                             "#": "&#35;", "}": "&#125;", "{": "&#123;", "\\": "&#92;", "[": "&#91;",
                             "]": "&#93;", "$": "&#36;", ":": "&#58;", "=": "&#61;", "%": "&#37;"})
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FEEDBACK = ("<p>Your answer is correct.</p>", "<p>Your answer is partially correct.</p>",
             "<p>Your answer is incorrect.</p>")
QTYPE = {"basic": "shortanswer", "mcq": "multichoice", "quote": "multichoice", "truefalse": "truefalse",
         "cloze": "cloze", "order": "ordering", "match": "matching", "claims": "matching"}


def esc(text: str) -> str:
    """Item text as inert HTML for a Moodle HTML field."""
    return html.escape(text, quote=True).translate(_REFS)


def cdata(text: str) -> str:
    """A CDATA section holding ``text`` exactly (``]]>`` split; characters XML cannot hold replaced)."""
    return "<![CDATA[" + _NOT_XML.sub("\ufffd", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(tag: str, value: str, fmt: str | None = "html", indent: int = 4) -> str:
    pad = " " * indent
    attr = f' format="{fmt}"' if fmt else ""
    return f"{pad}<{tag}{attr}>\n{pad}  <text>{cdata(value)}</text>\n{pad}</{tag}>\n"


def _pattern(answer: str) -> str:
    """A short-answer answer matching exactly ``answer`` (``*`` is Moodle's wildcard)."""
    return answer.replace("*", "\\*")


class _Writer:
    def __init__(self, project: Project, corpus: Corpus) -> None:
        self.project = project
        self.corpus = corpus

    def feedback(self, item: Item, extra: str = "") -> str:
        """General feedback: what the answer was, each excerpt as its source writes it, its citation, the note."""
        out = [extra] if extra else []
        for ev in evidences(self.corpus, item):
            out.append(f'<blockquote class="studydeck-excerpt">{esc(ev.excerpt)}</blockquote>'
                       f'<p class="studydeck-cite">{esc(ev.cite)}</p>')
        if item.note:
            out.append(f'<p class="studydeck-note">{esc(item.note)}</p>')
        return "".join(out)

    def question(self, deck: Deck, item: Item) -> tuple[str, str]:
        """(Moodle question type, the <question> element)."""
        qtype, text, general, body = self.parts(item)
        name = stem(item)
        name = name if len(name) <= 80 else name[:77].rsplit(" ", 1)[0] + "..."
        tags = dict.fromkeys([f"deck-{deck.slug}", f"type-{item.kind}",
                              *(f"source-{self.corpus.documents[r.doc].entry.kind}" for r in item.sources()), *item.tags])
        penalty = "1" if qtype == "truefalse" else "0.3333333"
        head = (f'  <question type="{qtype}">\n    <name>\n      <text>{cdata(esc(name))}</text>\n    </name>\n'
                + _text("questiontext", text) + _text("generalfeedback", general)
                + f"    <defaultgrade>1</defaultgrade>\n    <penalty>{penalty}</penalty>\n    <hidden>0</hidden>\n"
                + f"    <idnumber>{html.escape(item.id)}</idnumber>\n")
        tag_xml = "".join(f"      <tag><text>{cdata(t)}</text></tag>\n" for t in tags)
        return qtype, f"{head}{body}    <tags>\n{tag_xml}    </tags>\n  </question>\n"

    def parts(self, item: Item) -> tuple[str, str, str, str]:
        """(qtype, question text HTML, general feedback HTML, the type's own elements)."""
        if isinstance(item, Basic):
            return "shortanswer", f"<p>{esc(item.question)}</p>", self.feedback(item), self.short(item.answer)
        if isinstance(item, Mcq):
            return "multichoice", f"<p>{esc(item.question)}</p>", self.feedback(item), \
                self.choices(item.answer, item.distractors)
        if isinstance(item, Quote):
            text = (f"<p>Who said or wrote this?</p><blockquote>\u201c{esc(item.quotation)}\u201d</blockquote>"
                    f"<p>{esc(item.context)}</p>")
            wrong = quote_distractors(self.project, item)
            if len(wrong) < 2:  # too few other speakers in the bank to choose from
                return "shortanswer", text, self.feedback(item), self.short(item.speaker)
            return "multichoice", text, self.feedback(item), self.choices(item.speaker, wrong)
        if isinstance(item, TrueFalse):
            return "truefalse", f"<p>{esc(item.statement)}</p>", self.feedback(item), self.truefalse(item)
        if isinstance(item, Cloze):
            return "cloze", self.cloze(item), self.feedback(item), ""
        if isinstance(item, Order):
            return "ordering", self.order_text(item), self.order_feedback(item), self.ordering(item)
        if isinstance(item, Match):
            text = (f"<p>{esc(item.prompt)}</p><p>Match each {esc(item.left_label)} with its "
                    f"{esc(item.right_label)}.</p>")
            return "matching", text, self.feedback(item), self.matching([(p.left, p.right) for p in item.pairs])
        assert isinstance(item, Claims)
        text = f"<p>{esc(item.question)}</p><p>The sources disagree: match each claimant with what they claimed.</p>"
        return "matching", text, self.feedback(item), self.matching([(c.claimant, c.value) for c in item.claims])

    # --- the types' own elements ------------------------------------------------------------

    def short(self, answer: str) -> str:
        rows = "".join(
            f'    <answer fraction="100" format="moodle_auto_format">\n      <text>{cdata(_pattern(a))}</text>\n'
            f'      <feedback format="html">\n        <text>{cdata("<p>Correct.</p>")}</text>\n      </feedback>\n'
            "    </answer>\n" for a in alternatives(answer))
        other = (f'    <answer fraction="0" format="moodle_auto_format">\n      <text>*</text>\n'
                 f'      <feedback format="html">\n        <text>{cdata(f"<p>The answer is: {esc(answer)}</p>")}'
                 "</text>\n      </feedback>\n    </answer>\n")
        return f"    <usecase>0</usecase>\n{rows}{other}"

    def choices(self, right: str, wrong: Iterable[str]) -> str:
        rows = [(100, right, "<p>Correct.</p>")] + [(0, w, f"<p>No: the answer is {esc(right)}.</p>") for w in wrong]
        answers = "".join(
            f'    <answer fraction="{f}" format="html">\n      <text>{cdata(esc(t))}</text>\n'
            f'      <feedback format="html">\n        <text>{cdata(fb)}</text>\n      </feedback>\n    </answer>\n'
            for f, t, fb in rows)
        return ("    <single>true</single>\n    <shuffleanswers>true</shuffleanswers>\n"
                "    <answernumbering>abc</answernumbering>\n    <showstandardinstruction>0</showstandardinstruction>\n"
                + self.combined() + answers)

    def combined(self) -> str:
        right, partly, wrong = _FEEDBACK
        return (_text("correctfeedback", right) + _text("partiallycorrectfeedback", partly)
                + _text("incorrectfeedback", wrong) + "    <shownumcorrect/>\n")

    def truefalse(self, item: TrueFalse) -> str:
        if item.answer:
            right_fb, wrong_fb = "<p>Correct: the statement is true.</p>", "<p>No: the statement is true.</p>"
        else:
            fix = esc(item.correction or "")
            right_fb, wrong_fb = f"<p>Correct: it is false. {fix}</p>", f"<p>No: the statement is false. {fix}</p>"
        rows = [("true", item.answer), ("false", not item.answer)]
        return "".join(
            f'    <answer fraction="{100 if ok else 0}" format="moodle_auto_format">\n      <text>{word}</text>\n'
            f'      <feedback format="html">\n        <text>{cdata(right_fb if ok else wrong_fb)}</text>\n'
            "      </feedback>\n    </answer>\n" for word, ok in rows)

    def cloze(self, item: Cloze) -> str:
        out = []
        for part in cloze_parts(item.text):
            if isinstance(part, str):
                out.append(esc(part))
                continue
            answer, hint = part
            alts = "~".join(f"%100%{_pattern(a).translate(_CLOZE_REFS)}" for a in alternatives(answer))
            out.append("{1:SHORTANSWER:" + alts + "}")
            if hint:
                out.append(f" <em>({esc(hint)})</em>")
        return f"<p>{''.join(out)}</p>"

    def order_text(self, item: Order) -> str:
        return f"<p>{esc(item.prompt)}</p><p>Drag the events into order, earliest first.</p>"

    def order_feedback(self, item: Order) -> str:
        rows = "".join(f"<li>{esc(e.date)}: {esc(e.text)}</li>" for e in item.events)
        return self.feedback(item, f"<ol>{rows}</ol>")

    def ordering(self, item: Order) -> str:
        answers = "".join(f'    <answer fraction="{n}" format="html">\n      <text>{cdata(esc(e.text))}</text>\n'
                          "    </answer>\n" for n, e in enumerate(item.events, start=1))
        return ("    <layouttype>VERTICAL</layouttype>\n    <selecttype>ALL</selecttype>\n"
                f"    <selectcount>{len(item.events)}</selectcount>\n    <gradingtype>ABSOLUTE_POSITION</gradingtype>\n"
                "    <showgrading>SHOW</showgrading>\n    <numberingstyle>none</numberingstyle>\n"
                + self.combined() + answers)

    def matching(self, pairs: list[tuple[str, str]]) -> str:
        rows = "".join(f'    <subquestion format="html">\n      <text>{cdata(esc(left))}</text>\n'
                       f"      <answer>\n        <text>{cdata(right)}</text>\n      </answer>\n    </subquestion>\n"
                       for left, right in pairs)
        return "    <shuffleanswers>true</shuffleanswers>\n" + self.combined() + rows


def category_path(collection: str, deck: Deck) -> str:
    """``$course$/top/<collection>/<deck>``; a "/" inside a name is doubled, as Moodle reads it."""
    return "$course$/top/" + "/".join(n.replace("/", "//") for n in (collection, deck.deck))


def render_moodle(deck: Deck, project: Project, corpus: Corpus) -> tuple[bytes, dict[str, int]]:
    """One deck as Moodle XML, and how many questions of each item type it holds."""
    assert project.config is not None
    writer = _Writer(project, corpus)
    counts: dict[str, int] = {}
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n',
           '  <question type="category">\n    <category>\n'
           f"      <text>{cdata(category_path(project.config.collection, deck))}</text>\n    </category>\n"
           + _text("info", esc(deck.description or "")) + "    <idnumber></idnumber>\n  </question>\n"]
    for item in deck.items:
        qtype, xml = writer.question(deck, item)
        out.append(f"<!-- {item.id} ({item.kind} as {qtype}) -->\n{xml}")
        counts[item.kind] = counts.get(item.kind, 0) + 1
    out.append("</quiz>\n")
    return "".join(out).encode("utf-8"), counts
