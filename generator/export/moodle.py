"""Compile stage for Moodle: one deck -> a Moodle XML question file (bytes, nothing written).

The format is the one Moodle's own XML exporter writes (question/format/xml): a category
question (``$course$/top/<collection>/<deck>``), then one ``<question>`` per item with the item id
as ``idnumber``, its tags, and the excerpts and citations as general feedback.

Text reaches Moodle four ways, each made inert:
- HTML fields (question text, feedback, choices, grader information): HTML-escaped, ``{ } [ ] \\ $``
  written as character references so no filter (multilang, TeX, MathJax) and no cloze marker can
  start, and ``@`` as a reference so ``@@PLUGINFILE@@`` never reaches Moodle's file-link rewriting;
- plain-text fields (question names, short-answer answers): the raw text, as Moodle stores them;
  a ``*`` in a short answer is written ``\\*`` (a bare ``*`` is Moodle's wildcard);
- matching answers, which Moodle's drop-down passes through format_string (tags stripped): HTML-
  escaped like an HTML field, so the choice shows the item's text;
- embedded cloze answers: see :func:`cloze_answer`;
- all of it in CDATA, with any ``]]>`` split across two sections.

Which question an item becomes follows :func:`.common.asked`: a short typed answer is auto-marked
(short answer, cloze), a long one is an essay a teacher marks, with the model answer, excerpts and
citations as grader information.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from ..load import Project
from ..model import Basic, Claims, Cloze, Deck, Item, Match, Mcq, Order, Quote, TrueFalse
from ..sources import Corpus
from ..wording import clip
from .common import (
    asked,
    blanked,
    cloze_parts,
    feedback_html,
    model_answer,
    quote_distractors,
    several_blanks,
    stem,
    xml_text,
)

_REFS = str.maketrans({"{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;", "\\": "&#92;", "$": "&#36;",
                       "@": "&#64;"})
_FEEDBACK = ("<p>Your answer is correct.</p>", "<p>Your answer is partially correct.</p>",
             "<p>Your answer is incorrect.</p>")
# Each Moodle question type as the build summary counts it.
KIND = {"shortanswer": "short answer", "cloze": "cloze", "multichoice": "multiple choice", "truefalse": "true/false",
        "matching": "matching", "ordering": "ordering", "essay": "essay"}


def esc(text: str) -> str:
    """Item text as inert HTML for a Moodle HTML field."""
    return html.escape(text, quote=True).translate(_REFS)


def cdata(text: str) -> str:
    """A CDATA section holding ``text`` exactly (``]]>`` split; characters XML cannot hold replaced)."""
    return "<![CDATA[" + xml_text(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(tag: str, value: str, fmt: str | None = "html", indent: int = 4) -> str:
    pad = " " * indent
    attr = f' format="{fmt}"' if fmt else ""
    return f"{pad}<{tag}{attr}>\n{pad}  <text>{cdata(value)}</text>\n{pad}</{tag}>\n"


def _pattern(answer: str) -> str:
    """A short-answer answer matching exactly ``answer`` (``*`` is Moodle's wildcard)."""
    return answer.replace("*", "\\*")


def cloze_answer(answer: str) -> str | None:
    """An accepted answer as written inside an embedded cloze answer, or None where no writing
    arrives intact. Moodle has had two ANSWER_ALTERNATIVE_ANSWER_REGEX (an answer ends before
    ``~ # }`` unless after ``\\`` — and, in the current one, ``&`` or ``&amp;``), then decodes with
    html_entity_decode and undoes only ``\\}`` and ``\\#``. So ``& < >`` are written as named
    references (a numeric one holds ``#``, which the older regex splits at), ``} #`` with a
    backslash, and an answer ending in ``&`` or ``\\`` gets a trailing space (Moodle trims
    answers) so neither regex runs past its end. A ``~`` has no writing both read (``\\~`` is never
    undone); ``@@PLUGINFILE@@`` would reach the part's HTML question text."""
    if "~" in answer or "@@PLUGINFILE@@" in answer:
        return None
    out = html.escape(_pattern(answer), quote=False).replace("}", "\\}").replace("#", "\\#")
    return out + " " if out.endswith(("&amp;", "\\")) else out


class _Writer:
    def __init__(self, project: Project, corpus: Corpus) -> None:
        self.project = project
        self.corpus = corpus

    def feedback(self, item: Item, extra: str = "") -> str:
        """General feedback: what the answer was, each excerpt as its source writes it, its citation, the note."""
        return feedback_html(self.corpus, item, esc, extra)

    def question(self, deck: Deck, item: Item) -> tuple[str, str]:
        """(Moodle question type, the <question> element)."""
        qtype, text, general, body = self.parts(item)
        name = clip(stem(item), 80)
        tags = dict.fromkeys([f"deck-{deck.slug}", f"type-{item.kind}",
                              *(f"source-{self.corpus.documents[r.doc].entry.kind}" for r in item.sources()), *item.tags])
        penalty = {"truefalse": "1", "essay": "0"}.get(qtype, "0.3333333")
        head = (f'  <question type="{qtype}">\n    <name>\n      <text>{cdata(name)}</text>\n    </name>\n'
                + _text("questiontext", text) + _text("generalfeedback", general)
                + f"    <defaultgrade>1</defaultgrade>\n    <penalty>{penalty}</penalty>\n    <hidden>0</hidden>\n"
                + f"    <idnumber>{html.escape(item.id)}</idnumber>\n")
        tag_xml = "".join(f"      <tag><text>{cdata(t)}</text></tag>\n" for t in tags)
        return qtype, f"{head}{body}    <tags>\n{tag_xml}    </tags>\n  </question>\n"

    def parts(self, item: Item) -> tuple[str, str, str, str]:
        """(qtype, question text HTML, general feedback HTML, the type's own elements)."""
        how, typed = asked(self.project, item)
        written = [[cloze_answer(a) for a in alts] for alts in typed]  # (None: no cloze marker can carry it)
        blanks = [[w for w in ws if w is not None] for ws in written]
        if isinstance(item, Cloze) and how == "typed" and all(ws[0] is not None for ws in written):
            return "cloze", self.cloze(item, blanks), self.feedback(item), ""
        if how == "teacher" or isinstance(item, Cloze):  # a long answer, or one no cloze marker can carry
            return "essay", self.essay_text(item), self.feedback(item, self.model(item)), self.essay(item)
        if isinstance(item, Basic):
            return "shortanswer", f"<p>{esc(item.question)}</p>", self.feedback(item), self.short(item.answer, typed[0])
        if isinstance(item, Mcq):
            return "multichoice", f"<p>{esc(item.question)}</p>", self.feedback(item), \
                self.choices(item.answer, item.distractors)
        if isinstance(item, Quote):
            if how == "typed":  # too few other speakers in the bank to choose from
                return "shortanswer", self.quote_text(item), self.feedback(item), self.short(item.speaker, typed[0])
            return "multichoice", self.quote_text(item), self.feedback(item), \
                self.choices(item.speaker, quote_distractors(self.project, item))
        if isinstance(item, TrueFalse):
            return "truefalse", f"<p>{esc(item.statement)}</p>", self.feedback(item), self.truefalse(item)
        if isinstance(item, Order):
            return "ordering", self.order_text(item), self.order_feedback(item), self.ordering(item)
        if isinstance(item, Match):
            text = (f"<p>{esc(item.prompt)}</p><p>Match each {esc(item.left_label)} with its "
                    f"{esc(item.right_label)}.</p>")
            return "matching", text, self.feedback(item), self.matching([(p.left, p.right) for p in item.pairs])
        assert isinstance(item, Claims)
        text = f"<p>{esc(item.question)}</p><p>The sources disagree: match each claimant with what they claimed.</p>"
        return "matching", text, self.feedback(item), self.matching([(c.claimant, c.value) for c in item.claims])

    def quote_text(self, item: Quote) -> str:
        return (f"<p>Who said or wrote this?</p><blockquote>\u201c{esc(item.quotation)}\u201d</blockquote>"
                f"<p>{esc(item.context)}</p>")

    # --- the types' own elements ------------------------------------------------------------

    def short(self, answer: str, accepted: list[str]) -> str:
        rows = "".join(
            f'    <answer fraction="100" format="moodle_auto_format">\n      <text>{cdata(_pattern(a))}</text>\n'
            f'      <feedback format="html">\n        <text>{cdata("<p>Correct.</p>")}</text>\n      </feedback>\n'
            "    </answer>\n" for a in accepted)
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

    def cloze(self, item: Cloze, blanks: list[list[str]]) -> str:
        """The text with each blank as an embedded short answer (``blanks``: each one's answers, written)."""
        out = []
        answers = iter(blanks)
        for part in cloze_parts(item.text):
            if isinstance(part, str):
                out.append(esc(part))
                continue
            out.append("{1:SHORTANSWER:" + "~".join(f"%100%{a}" for a in next(answers)) + "}")
            if part[1]:
                out.append(f" <em>({esc(part[1])})</em>")
        return f"<p>{''.join(out)}</p>"

    def essay_text(self, item: Item) -> str:
        """The question a teacher marks: the item's own question, or the sentence with its blanks numbered."""
        if isinstance(item, Cloze):
            what = "the missing words, numbered" if several_blanks(item.text) else "the missing words"
            return f"<p>Write {what}:</p><p>{blanked(item.text, esc, ' <em>({})</em>')}</p>"
        text = self.quote_text(item) if isinstance(item, Quote) else f"<p>{esc(stem(item))}</p>"
        return text + "<p><em>Answer in a few words or a sentence; your teacher marks this question.</em></p>"

    def model(self, item: Item) -> str:
        """The model answer (and a cloze item's missing words), for the grader and the student's review."""
        info = f'<p class="studydeck-model">Model answer: <strong>{esc(model_answer(item))}</strong></p>'
        if isinstance(item, Cloze):
            words = [p[0] for p in cloze_parts(item.text) if isinstance(p, tuple)]
            info += "<p>Missing words: " + "; ".join(
                f"({n}) {esc(w)}" if len(words) > 1 else esc(w) for n, w in enumerate(words, start=1)) + "</p>"
        return info

    def essay(self, item: Item) -> str:
        """An essay's own elements: a plain-text box of a few lines for a sentence, and the model
        answer, excerpts and citations as grader information."""
        return ("    <responseformat>plain</responseformat>\n    <responserequired>1</responserequired>\n"
                "    <responsefieldlines>5</responsefieldlines>\n    <minwordlimit></minwordlimit>\n"
                "    <maxwordlimit></maxwordlimit>\n    <attachments>0</attachments>\n"
                "    <attachmentsrequired>0</attachmentsrequired>\n    <maxbytes>0</maxbytes>\n"
                "    <filetypeslist></filetypeslist>\n" + _text("graderinfo", self.feedback(item, self.model(item)))
                + _text("responsetemplate", ""))

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
                       f"      <answer>\n        <text>{cdata(esc(right))}</text>\n      </answer>\n    </subquestion>\n"
                       for left, right in pairs)
        return "    <shuffleanswers>true</shuffleanswers>\n" + self.combined() + rows


def category_path(collection: str, deck: Deck) -> str:
    """``$course$/top/<collection>/<deck>``; a "/" inside a name is doubled, as Moodle reads it."""
    return "$course$/top/" + "/".join(n.replace("/", "//") for n in (collection, deck.deck))


def render_moodle(deck: Deck, project: Project, corpus: Corpus) -> tuple[bytes, dict[str, int]]:
    """One deck as Moodle XML, and how many questions of each kind (``KIND``) it holds."""
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
        counts[KIND[qtype]] = counts.get(KIND[qtype], 0) + 1
    out.append("</quiz>\n")
    return "".join(out).encode("utf-8"), counts
