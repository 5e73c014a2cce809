"""Compile stage for worksheets: checked items -> the quiz data the Typst template receives.

The data is plain JSON (tested against a golden file): sections by question type, questions
numbered through, choices and question order shuffled per version from the seed, and for the
key each question's answer and the excerpts it rests on. No Typst markup is ever built here.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .. import facts
from ..citation import citation
from ..cloze import CLOZE
from ..model import Basic, Claims, Cloze, Item, Match, Mcq, Order, PointsScheme, Quote, SourceRef, TrueFalse
from ..sources import Corpus
from . import scoring

# (section key, title, instructions) in the order they appear on the sheet.
SECTIONS = (
    ("mcq", "Multiple choice", "Fill in the bubble of the one best answer."),
    ("truefalse", "True or false", "Fill in True or False. If the statement is false, write what is true."),
    ("short", "Short answer", "Answer each question in a few words."),
    ("cloze", "Fill in the blanks", "Write the missing words on the numbered blanks."),
    ("match", "Matching", "Write the letter of the matching entry in each box. Each letter is used once."),
    ("order", "Timeline", "Number the events from 1 (earliest) to the last (latest)."),
    ("claims", "Contested figures",
     "The sources disagree. Write the letter of the figure each claimant gave. Each letter is used once."),
)
SECTION_OF = {"mcq": "mcq", "truefalse": "truefalse", "basic": "short", "quote": "short", "cloze": "cloze",
              "match": "match", "order": "order", "claims": "claims"}


@dataclass(frozen=True)
class QuizSpec:
    title: str
    seed: int
    paper: str = "a4"
    minutes: int | None = None  # time allowed, printed on the sheet
    instructions: str = ""  # printed under the title
    points: PointsScheme = PointsScheme()  # how questions are scored (quiz.points)


class _Layout:
    def __init__(self, corpus: Corpus, spec: QuizSpec, version: int) -> None:
        self.corpus = corpus
        self.spec = spec
        self.version = version

    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.spec.seed, self.version, *parts)))

    def source(self, ref: SourceRef) -> dict[str, str]:
        entry = self.corpus.documents[ref.doc].entry
        return {"excerpt": self.corpus.shown(ref.doc, ref.excerpt).text, "cite": citation(entry)}

    def question(self, item: Item) -> dict[str, Any]:
        """The question's data, with its points under the quiz's scheme and, for a question of
        several parts, the key's marking guidance."""
        data = self.content(item)
        parts = scoring.parts(item)
        data["points"] = scoring.points(parts, self.spec.points)
        if isinstance(item, Basic):
            data["marking"] = marking(item.answer, data["points"])
        elif parts > 1:
            data["marking"] = {"keys": [], "rules": scoring.part_rule(item.kind, data["points"], parts)}
        return data

    def content(self, item: Item) -> dict[str, Any]:
        sources = [self.source(ref) for ref in item.sources()]
        base: dict[str, Any] = {"id": item.id, "kind": SECTION_OF[item.kind], "sources": sources,
                                "note": item.note or ""}
        if isinstance(item, Mcq):
            choices = [item.answer, *item.distractors]
            self.rng(item.id, "choices").shuffle(choices)
            letters = string.ascii_uppercase
            correct = letters[choices.index(item.answer)]
            return base | {"prompt": item.question, "answer": f"{correct}. {item.answer}", "short": correct,
                           "choices": [{"letter": letters[i], "text": c, "correct": c == item.answer}
                                       for i, c in enumerate(choices)]}
        if isinstance(item, TrueFalse):
            verdict = "True" if item.answer else "False"
            answer = verdict if item.answer else f"False. {item.correction}"
            return base | {"prompt": item.statement, "answer": answer, "verdict": verdict,
                           "short": verdict}
        if isinstance(item, Basic):
            return base | {"prompt": item.question, "answer": item.answer, "lines": 2, "short": item.answer}
        if isinstance(item, Quote):
            return base | {"prompt": f"Who said or wrote: \u201c{item.quotation}\u201d ({item.context})",
                           "answer": item.speaker, "lines": 1, "short": item.speaker}
        if isinstance(item, Cloze):
            return base | self.cloze(item)
        if isinstance(item, Order):
            return base | self.order(item)
        if isinstance(item, Match):
            pairs = [(p.left, p.right) for p in item.pairs]
            return base | self.pairing(item, item.prompt, item.left_label, item.right_label, pairs)
        assert isinstance(item, Claims)
        pairs = [(c.claimant, c.value) for c in item.claims]
        return base | self.pairing(item, item.question, "Claimant", "Figure", pairs)

    def cloze(self, item: Cloze) -> dict[str, Any]:
        segments: list[dict[str, Any]] = []
        blanks: list[dict[str, Any]] = []
        last = 0
        for m in CLOZE.finditer(item.text):
            if m.start() > last:
                segments.append({"text": item.text[last : m.start()]})
            blanks.append({"number": len(blanks) + 1, "answer": m[2], "hint": m[3] or "",
                           "width": blank_width(m[2], m[3] or "")})
            segments.append({"blank": len(blanks), "hint": m[3] or ""})
            last = m.end()
        if last < len(item.text):
            segments.append({"text": item.text[last:]})
        answer = "; ".join(f"({b['number']}) {b['answer']}" for b in blanks)
        return {"prompt": CLOZE.sub("____", item.text), "segments": segments,
                "blanks": blanks, "answer": answer, "short": answer if len(blanks) > 1 else blanks[0]["answer"]}

    def order(self, item: Order) -> dict[str, Any]:
        shuffled = list(range(len(item.events)))
        self.rng(item.id, "order").shuffle(shuffled)
        if shuffled == sorted(shuffled):
            shuffled = shuffled[1:] + shuffled[:1]
        letters = string.ascii_uppercase
        letter_of = {original: letters[i] for i, original in enumerate(shuffled)}
        events = [{"letter": letters[i], "text": item.events[o].text, "position": o + 1}
                  for i, o in enumerate(shuffled)]
        ordered = [{"letter": letter_of[i], "date": e.date, "text": e.text} for i, e in enumerate(item.events)]
        sequence = ", ".join(e["letter"] for e in ordered)
        return {"prompt": item.prompt, "events": events, "ordered": ordered,
                "answer": sequence, "short": sequence}

    def pairing(self, item: Item, prompt: str, left_label: str, right_label: str,
                pairs: list[tuple[str, str]]) -> dict[str, Any]:
        lefts = list(range(len(pairs)))
        rights = list(range(len(pairs)))
        self.rng(item.id, "left").shuffle(lefts)
        self.rng(item.id, "right").shuffle(rights)
        letters = string.ascii_uppercase
        letter_of = {original: letters[i] for i, original in enumerate(rights)}
        left = [{"number": n + 1, "text": pairs[o][0], "answer": letter_of[o], "answer_text": pairs[o][1]}
                for n, o in enumerate(lefts)]
        right = [{"letter": letters[i], "text": pairs[o][1]} for i, o in enumerate(rights)]
        answer = ", ".join(f"{e['number']}\u2013{e['answer']}" for e in left)
        return {"prompt": prompt, "left_label": left_label, "right_label": right_label,
                "left": left, "right": right, "answer": answer, "short": answer}


BLANK_EM_PER_CHAR = 0.65  # handwriting takes about 2.5 mm a character: 0.65 em of 11 pt text
BLANK_MIN_EM, BLANK_MAX_EM = 5.0, 30.0

_MINOR = frozenset(
    [
        "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with", "was",
        "were", "is", "are", "be", "been", "has", "had", "have", "his", "her", "its", "their", "he", "she", "they",
        "it", "that", "this", "which", "who", "whom", "other", "also", "than", "not", "about", "after", "before",
        "during", "because", "them", "those", "these", "there", "what", "when", "where", "how", "why", "very", "much",
        "many", "more", "most", "some", "any", "such", "then", "upon", "being", "would", "could", "should", "will",
        "can", "may", "did", "does", "do"
    ]
)
_KEY_WORD = re.compile(r"[^\W_]+(?:['\-.][^\W_]+)*")


def marking(answer: str, points: int) -> dict[str, Any]:
    """How to mark a short answer worth ``points``: its key words (names, numbers and other
    content words, in the answer's order); all of them earn the points, about half of them half
    the points. A bracketed abbreviation ("Special Service Group (SSG)") is an accepted
    alternative, not one more key word."""
    alternatives = re.findall(r"\(([A-Z][A-Z0-9-]+)\)", answer)
    body = re.sub(r"\([A-Z][A-Z0-9-]+\)", " ", answer)
    keys = list(dict.fromkeys(w for w in _KEY_WORD.findall(body)
                              if w.casefold() not in _MINOR and (len(w) > 2 or w[0].isdigit() or w.isupper())))
    alone = f" (or {' / '.join(alternatives)} alone)" if alternatives else ""
    if len(keys) < 2:
        full, partial = f"for the answer, in any wording{alone}", "if close but not exact"
    else:
        full = f"for all the key words, or the same in other words{alone}"
        partial = f"for at least {(len(keys) + 1) // 2} of the {len(keys)} key words"
    half = Fraction(points, scoring.SHORT_ANSWER_PARTS)
    return {"keys": keys, "rules": [[scoring.amount(points), full], [scoring.amount(half), partial],
                                    [scoring.amount(0), "otherwise"]]}


def blank_width(answer: str, hint: str) -> float:
    """A cloze blank's width in em: room to write the answer by hand (and to print the hint in
    it), between a short word's and most of a line."""
    wanted = max(len(answer) * BLANK_EM_PER_CHAR, len(hint) * 0.45 + 2) + 1
    return round(min(max(wanted, BLANK_MIN_EM), BLANK_MAX_EM), 1)


def timeline(items: Sequence[Item]) -> list[dict[str, Any]]:
    """The dated events of the quiz's order items, earliest first. Where two items word the
    same event differently (same date, similar text), it is drawn once."""
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        if not isinstance(item, Order):
            continue
        for event in item.events:
            date = facts.parse_date(event.date)
            if date is None:
                continue
            key = date.iso()
            row = rows.setdefault(key, {"date": str(date), "iso": key, "events": []})
            if not any(_similar(event.text, t) for t in row["events"]):
                row["events"].append(event.text)
    return [rows[k] for k in sorted(rows)]


def _similar(a: str, b: str) -> bool:
    """Two wordings of one event: most of the shorter one's words are in the longer one."""
    words_a, words_b = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    small = min(len(words_a), len(words_b)) or 1
    return len(words_a & words_b) / small >= 0.6


def layout_quiz(items: Sequence[Item], corpus: Corpus, spec: QuizSpec, version: int) -> dict[str, Any]:
    """The data of one version of a quiz: the same questions in every version, in its own order."""
    layout = _Layout(corpus, spec, version)
    sections = []
    number = 0
    for key, title, instructions in SECTIONS:
        chosen = [item for item in items if SECTION_OF[item.kind] == key]
        if not chosen:
            continue
        layout.rng("section", key).shuffle(chosen)
        questions = []
        for item in chosen:
            number += 1
            questions.append({"number": number, **layout.question(item)})
        sections.append({"key": key, "title": title, "instructions": instructions, "questions": questions,
                         "points": sum(q["points"] for q in questions)})
    return {
        "title": spec.title,
        "version": string.ascii_uppercase[version],
        "paper": spec.paper,
        "minutes": spec.minutes,
        "instructions": spec.instructions,
        "total": sum(s["points"] for s in sections),
        "count": number,
        "scheme": scoring.describe(spec.points),
        "sections": sections,
        "timeline": timeline(items),
    }
