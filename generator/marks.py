"""Which words of an excerpt support an item's answer: the spans a card back marks.

Matching runs on the excerpt's normal form (``Shown.norm``) and the spans are mapped back to the
source's own text (``Shown.text``), so what a learner reads is verbatim and the marks still
fall on the right words. For each needle (an answer, a correction, a claim's value, a quotation,
an item's ``highlight`` phrases), in order of preference:

1. the whole needle, case-insensitively;
2. the numbers and dates it states, written in digits or in words (``154`` marks
   ``one hundred and fifty-four``; ``3 July`` marks ``3`` and ``July``);
3. its content words (names, and words of four letters or more that are not common words),
   each where it first stands in the excerpt as a whole word; marks separated only by spaces
   merge into one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from . import facts
from .cloze import CLOZE
from .model import Basic, Claims, Cloze, Item, Match, Mcq, Order, Quote, SourceRef, TrueFalse
from .sources import Shown, normalise

_NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
                 " sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred"
                 " thousand million dozen a").split()
# As in ``facts``: a look-ahead at the letters the words start with spares the engine trying every
# word at every place (twice as fast; the same matches, as tests/test_facts.py holds).
_NUMBERISH = re.compile(
    rf"\d[\d,.]*\d|\d|\b{facts.starts(_NUMBER_WORDS)}(?:(?:{'|'.join(_NUMBER_WORDS)})(?:[\s-]+(?:and\s+)?)?)+\b",
    re.I,
)
_MONTH = re.compile(rf"\b{facts.starts(facts.MONTH_NAMES)}(?:{'|'.join(facts.MONTH_NAMES)})\b", re.I)
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_COMMON = frozenset({
    "about", "above", "after", "again", "against", "also", "among", "another", "around", "because", "been",
    "before", "being", "between", "both", "but", "could", "did", "does", "during", "each", "either", "from",
    "further", "have", "having", "here", "into", "itself", "just", "many", "more", "most", "much", "must",
    "never", "only", "other", "over", "same", "should", "since", "some", "such", "than", "that", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "under", "until", "upon", "very",
    "were", "what", "when", "where", "which", "while", "who", "whom", "whose", "will", "with", "within",
    "without", "would", "your", "the", "and", "for", "was", "are", "has", "had", "not", "its", "his", "her",
    "she", "him", "our", "out", "off",
})


def _numbers_and_dates(norm: str, needle: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    wanted = facts.numbers(needle)
    if wanted:
        for m in _NUMBERISH.finditer(norm):
            token = m.group().strip(" -")
            if token and token.lower() != "a" and facts.numbers(token) & wanted:
                spans.append((m.start(), m.start() + len(m.group().rstrip(" -"))))
    months = {d.month for d in facts.date_mentions(needle)}
    months |= {facts.MONTHS[m.group().lower()] for m in _MONTH.finditer(needle)}
    if months:
        for m in _MONTH.finditer(norm):
            if facts.MONTHS[m.group().lower()] in months:
                spans.append(m.span())
    return spans


def _content_words(norm: str, needle: str) -> list[tuple[int, int]]:
    spans = []
    lowered = norm.casefold()
    for word in set(_WORD.findall(needle)):
        key = word.casefold()
        if key in _COMMON or (len(key) < 4 and not word[0].isupper()):
            continue  # common words, and short ones unless a name or an acronym (SSG, US)
        at = _whole_word(lowered, key)
        if at >= 0:
            spans.append((at, at + len(key)))  # its first occurrence: enough to show where the answer stands
    return spans


def _whole_word(text: str, word: str) -> int:
    """Where ``word`` first stands in ``text`` with no letter or digit touching it, or -1 (as the
    pattern ``(?<![^\\W_])word(?![^\\W_])``, without compiling a pattern per word)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return at
        at = text.find(word, at + 1)
    return -1


def find_spans(shown: Shown, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of ``shown.text`` that support the needles, merged, in order."""
    norm, lowered = shown.norm, shown.norm.casefold()
    spans: list[tuple[int, int]] = []
    for raw in needles:
        needle = normalise(raw) if raw else ""
        if len(needle) < 2:
            continue
        target = needle.casefold()
        if len(lowered) == len(norm) and target in lowered:
            start = lowered.index(target)
            spans.append((start, start + len(target)))
            continue
        found = _numbers_and_dates(norm, needle)
        spans += found or _content_words(norm, needle)
    return _merge([shown.span_of(s, e) for s, e in spans if e > s], shown.text)


def find_words(shown: Shown, text: str) -> list[tuple[int, int]]:
    """Spans of ``shown.text`` where the content words of ``text`` stand (rule 3 alone: each word
    where it first stands as a whole word), merged, in order."""
    return _merge([shown.span_of(s, e) for s, e in _content_words(shown.norm, text) if e > s], shown.text)


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Overlapping spans, and spans separated only by white space, become one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def reverse_subject(item: Basic) -> str:
    """What a reverse card's answer is: the question's subject, i.e. the words of the question that
    neither its answer nor the reverse question (the card's front) already say. "" without reverse."""
    if not item.reverse:
        return ""
    given = {_bare(w) for w in _WORD.findall(f"{item.answer} {item.reverse_question or ''}")}
    return " ".join(w for w in _WORD.findall(item.question) if _bare(w) not in given)


def _bare(word: str) -> str:
    """A word without case or possessive ("Army's" is "army")."""
    word = word.casefold()
    return word[:-2] if word.endswith("'s") else word


def evidence(item: Item) -> list[tuple[SourceRef, tuple[str, ...]]]:
    """Each source an item cites, with the needles its back marks in that source's excerpt."""
    extra = tuple(getattr(item, "highlight", ()) or ())
    if isinstance(item, (Basic, Mcq)):
        return [(item.source, (item.answer, *extra))]
    if isinstance(item, TrueFalse):
        return [(item.source, (item.correction or item.statement, *extra))]
    if isinstance(item, Cloze):
        return [(item.source, (*(m[2] or "" for m in CLOZE.finditer(item.text)), *extra))]
    if isinstance(item, Quote):
        return [(item.source, (item.quotation, *extra))]
    if isinstance(item, Order):
        return [(e.source, (e.date, e.text, *extra)) for e in item.events]
    if isinstance(item, Match):
        return [(p.source, (p.right, p.left, *extra)) for p in item.pairs]
    assert isinstance(item, Claims)
    return [(c.source, (c.value, *extra)) for c in item.claims]


def render(shown: Shown, spans: Sequence[tuple[int, int]], esc: Callable[[str], str],
           subject: Sequence[tuple[int, int]] = ()) -> str:
    """The excerpt's own text as HTML, escaped by ``esc``, with each span in ``<mark>``, and each
    ``subject`` span that overlaps none of them in ``<mark class="subject">`` (what a reverse card
    marks: see ``anki/notes.py``)."""
    tagged = [(s, e, "<mark>") for s, e in spans]
    tagged += [(s, e, '<mark class="subject">') for s, e in subject
               if not any(s < end and start < e for start, end in spans)]
    out, last = [], 0
    for start, end, tag in sorted(tagged):
        out += [esc(shown.text[last:start]), f"{tag}{esc(shown.text[start:end])}</mark>"]
        last = end
    out.append(esc(shown.text[last:]))
    return "".join(out)
