"""Relations between items: which pairs of items should not meet, and why. No I/O here.

Two items are *related* when a learner who sees one is helped with the other, or is simply
asked the same thing twice. Eight reasons, each a string in :data:`REASONS`:

``excerpt``
    Both rest on the same words of a source: one of A's cited excerpts overlaps one of B's in
    the same document (located spans, see :meth:`sources.Document.locate`).
``answer``
    They share an answer (normalised, case-folded), e.g. two questions both answered by
    "Abdul Rashid Ghazi". What counts as an item's answers is :func:`answers`.
``quotation``
    Both are ``quote`` items and one quotation contains the other: the same words asked twice.
``leak``
    One item's answer is printed on the other: A's answer stands as whole words in what B
    shows before it is answered (its question, statement, choices, pairs, claims, events; see
    :func:`shown`). "Which newspaper asked why the government had not acted earlier?" (answer
    *The News*) and a matching question pairing *The News* with exactly that claim.
``name``
    Who answers one item is named in what the other shows, by the distinctive part of the name
    (``terms.names``: no role, no title; a surname stands for a person): a quote's speaker
    "Ayman al-Zawahiri, al-Qaeda's second-in-command" in a question that prints "Zawahiri", an
    answer "Maulana Qari Abdullah" in "Qari Abdullah founds Lal Masjid"; and a claims row is
    printed elsewhere when its claimant is named there with one of its figures (10 or more).
``timeline``
    Two ``order`` items share two or more events (the same date, or the same wording): one
    sheet would ask the same timeline twice.
``pair``
    Two ``match`` or ``claims`` items share a pair: the same left side or claimant with the
    same right side, or with a figure of it.
``verdict``
    A true/false statement's verdict is given away by the other item's printed text or answer:
    for a false statement, a telling word of its correction that the statement lacks
    ("storm" for "the siege ended with a negotiated surrender"); for a true one, all the
    telling words of the statement (at least two). Words compare by stem (``terms``).

Answers of two characters or fewer and answers made only of very common words (see
:data:`MIN_ANSWER`) are not compared: "2007" or "Pakistan" on two sheets gives nothing away.

Uses
    * Quiz selection (``worksheet.quizzes.select``) never puts two related items on one sheet:
      it asks :meth:`Relations.related` of each candidate against the items already chosen.
    * ``check`` warns about near-duplicates (``near-duplicate``): related by ``excerpt`` and
      ``answer`` together, or by ``quotation`` (see ``validate.near_duplicates``).
    * A learner-facing deck can use :func:`relations` to keep related cards apart, e.g. by
      tagging each note with its related ids (``related::<id>``) or by spreading related
      notes' ``due`` positions so they are never new on the same day.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, NamedTuple

from . import facts, terms
from .model import Basic, Claims, Cloze, Item, Match, Mcq, Order, Quote, TrueFalse
from .sources import Corpus, normalise
from .validate import CLOZE

REASONS = ("excerpt", "answer", "quotation", "leak", "name", "timeline", "pair", "verdict")
MIN_ANSWER = 3  # characters; shorter answers ("US", "50") are compared only when they hold a digit
_WORD = re.compile(r"[^\W_]+")
# Words too common in this subject to make an answer telling on their own.
_COMMON = frozenset(
    [
        "the", "a", "an", "of", "and", "in", "on", "at", "to", "for", "by", "from", "with", "as", "is", "was", "were",
        "be", "been", "it", "its", "this", "that", "true", "false", "yes", "no", "none", "lal", "masjid", "red",
        "mosque", "islamabad", "pakistan", "pakistani", "government", "army", "july", "2007", "siege"
    ]
)


@dataclass(frozen=True, order=True)
class Relation:
    """Items ``a`` and ``b`` (ids, ``a`` first in the list given) are related for ``reasons``,
    a non-empty subset of :data:`REASONS`."""

    a: str
    b: str
    reasons: frozenset[str]


@functools.lru_cache(maxsize=65536)
def key(text: str) -> str:
    """An answer's comparison key: normalised, case-folded, outer punctuation dropped
    ("The News." and "the news" are one answer)."""
    return normalise(text).casefold().strip(" .,;:!?\"'()")


def answers(item: Item) -> frozenset[str]:
    """The item's answers as comparison keys: what a learner must produce or recognise.

    basic, mcq: the answer; truefalse: the correction (a true statement has none); cloze: each
    deletion; quote: the speaker and the quotation; match: each pair's right side; claims: each
    value; order: each event.
    """
    return frozenset(k for k in map(key, _answer_texts(item)) if _telling(k))


@functools.lru_cache(maxsize=65536)
def _telling(answer_key: str) -> bool:
    """Whether an answer is specific enough to compare (see :data:`MIN_ANSWER`)."""
    if len(answer_key) < MIN_ANSWER and not any(ch.isdigit() for ch in answer_key):
        return False
    words = _WORD.findall(answer_key)
    return bool(words) and not all(w in _COMMON for w in words)


def shown(item: Item) -> str:
    """What the item prints before it is answered (on a worksheet, which shows the most),
    normalised and case-folded: question or prompt, statement, choices, cloze text without its
    deletions, quote context and quotation, match pairs, claimants and values, events."""
    return printed(item).casefold()


def printed(item: Item) -> str:
    """:func:`shown`, case kept."""
    texts: list[str] = []
    if isinstance(item, Basic):
        texts = [item.question]
    elif isinstance(item, Mcq):
        texts = [item.question, item.answer, *item.distractors]
    elif isinstance(item, TrueFalse):
        texts = [item.statement]
    elif isinstance(item, Cloze):
        texts = [CLOZE.sub(lambda m: m[3] or " ", item.text)]
    elif isinstance(item, Quote):
        texts = [item.quotation, item.context]
    elif isinstance(item, Match):
        texts = [item.prompt, *(f"{p.left} \n {p.right}" for p in item.pairs)]
    elif isinstance(item, Claims):
        texts = [item.question, *(f"{c.claimant} \n {c.value}" for c in item.claims)]
    elif isinstance(item, Order):
        texts = [item.prompt, *(e.text for e in item.events)]
    return " \n ".join(normalise(t) for t in texts)


def _answer_texts(item: Item) -> list[str]:
    """The texts a learner must produce (case kept): see :func:`answers`."""
    if isinstance(item, Basic | Mcq):
        return [item.answer]
    if isinstance(item, TrueFalse):
        return [item.correction] if item.correction else []
    if isinstance(item, Cloze):
        return [m[2] for m in CLOZE.finditer(item.text)]
    if isinstance(item, Quote):
        return [item.speaker, item.quotation]
    if isinstance(item, Match):
        return [p.right for p in item.pairs]
    if isinstance(item, Claims):
        return [c.value for c in item.claims]
    if isinstance(item, Order):
        return [e.text for e in item.events]
    return []


def _who(item: Item) -> tuple[terms.Name, ...]:
    """The names that answer the item: a quote's speaker, a name given as an answer."""
    if isinstance(item, Quote):
        return terms.names(normalise(item.speaker))
    if isinstance(item, Basic | Mcq | Cloze | Match):
        return tuple(n for text in _answer_texts(item) for n in terms.names(normalise(text)))
    return ()


def _figures(text: str) -> frozenset[str]:
    """The quantities of a text worth comparing: 10 or more, and not a year."""
    return frozenset(q for q in facts.quantities(text) if q.isdigit() and int(q) >= 10 and not 1900 <= int(q) < 2100)


class _Profile:
    """What relating needs of one item, each part computed on first use (a near-duplicate
    check needs only the answers of most items, and the excerpt spans of few)."""

    def __init__(self, item: Item, corpus: Corpus) -> None:
        self.item = item
        self.id = item.id
        self._corpus = corpus

    @functools.cached_property
    def spans(self) -> tuple[tuple[str, int, int], ...]:
        found = []
        for ref in self.item.sources():
            doc = self._corpus.get(ref.doc)
            hit = doc.locate(ref.excerpt) if doc else None
            if hit is not None:
                found.append((ref.doc, hit.start, hit.end))
        return tuple(found)

    @functools.cached_property
    def answers(self) -> frozenset[str]:
        return answers(self.item)

    @functools.cached_property
    def quotation(self) -> str | None:
        return key(self.item.quotation) if isinstance(self.item, Quote) else None

    @functools.cached_property
    def shown(self) -> str:
        return shown(self.item)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        return frozenset(_WORD.findall(self.shown))

    @functools.cached_property
    def tokens(self) -> tuple[str, ...]:
        return terms.tokens(printed(self.item))

    @functools.cached_property
    def who(self) -> tuple[terms.Name, ...]:
        return _who(self.item)

    @functools.cached_property
    def claims(self) -> tuple[tuple[tuple[terms.Name, ...], frozenset[str]], ...]:
        """Each claims row as (the claimant's names, the value's figures)."""
        if not isinstance(self.item, Claims):
            return ()
        return tuple((terms.names(normalise(c.claimant), whole=False), _figures(normalise(c.value)))
                     for c in self.item.claims)

    @functools.cached_property
    def figures(self) -> frozenset[str]:
        return _figures(printed(self.item))

    @functools.cached_property
    def events(self) -> tuple[frozenset[str], ...]:
        """Each event of an order item as its keys: its date, its wording."""
        if not isinstance(self.item, Order):
            return ()
        return tuple(frozenset({f"date:{_date(e.date)}", f"text:{key(e.text)}"}) for e in self.item.events)

    @functools.cached_property
    def pairs(self) -> tuple[tuple[str, str, frozenset[str]], ...]:
        """Each pair of a match or claims item as (left key, right key, the right's figures)."""
        if isinstance(self.item, Match):
            sides = [(p.left, p.right) for p in self.item.pairs]
        elif isinstance(self.item, Claims):
            sides = [(c.claimant, c.value) for c in self.item.claims]
        else:
            return ()
        return tuple((key(terms.lead(left)), key(right), _figures(normalise(right))) for left, right in sides)

    @functools.cached_property
    def verdict(self) -> tuple[frozenset[str], int]:
        """A true/false item's telling stems and how many of them give its verdict away."""
        item = self.item
        if not isinstance(item, TrueFalse):
            return frozenset(), 0
        if item.answer:
            stems = terms.telling(normalise(item.statement))
            return stems, max(2, len(stems))
        return terms.telling(normalise(item.correction or "")) - terms.content(normalise(item.statement)), 1

    @functools.cached_property
    def stems(self) -> frozenset[str]:
        """The content stems of what the item prints and of its answers."""
        return terms.content(" \n ".join([printed(self.item), *map(normalise, _answer_texts(self.item))]))


def _date(text: str) -> str:
    date = facts.parse_date(text)
    return date.iso() if date else text


def _overlap(a: _Profile | _Dup, b: _Profile | _Dup) -> bool:
    return any(da == db and sa < eb and sb < ea for da, sa, ea in a.spans for db, sb, eb in b.spans)


def _leaks(a: _Profile, b: _Profile) -> bool:
    """Some answer of ``a`` stands as whole words in what ``b`` shows."""
    for answer in a.answers:
        if not set(_WORD.findall(answer)) <= b.words:
            continue
        if re.search(rf"(?<!\w){re.escape(answer)}(?!\w)", b.shown):
            return True
    return False


def _names(a: _Profile, b: _Profile) -> bool:
    """Who answers ``a`` is named in what ``b`` shows (a claims row: with one of its figures)."""
    if any(terms.named(name, b.tokens) for name in a.who):
        return True
    return any(figures & b.figures and any(terms.named(name, b.tokens) for name in names)
               for names, figures in a.claims)


def _same_quotation(a: _Profile, b: _Profile) -> bool:
    return bool(a.quotation and b.quotation and (a.quotation in b.quotation or b.quotation in a.quotation))


def _timeline(a: _Profile, b: _Profile) -> bool:
    """Two order items share two or more events (by date or by wording)."""
    if not (a.events and b.events):
        return False
    theirs = frozenset().union(*b.events)
    return sum(1 for keys in a.events if keys & theirs) >= 2


def _shared_pair(a: _Profile, b: _Profile) -> bool:
    return any(left == other_left and (right == other_right or figures & other_figures)
               for left, right, figures in a.pairs for other_left, other_right, other_figures in b.pairs)


def _verdict(a: _Profile, b: _Profile) -> bool:
    """``b`` prints or answers what gives away the verdict of true/false item ``a``."""
    stems, needed = a.verdict
    return bool(stems) and len(stems & b.stems) >= needed


# (reason, test) in the order a yes/no question tries them: cheapest first.
_TESTS: tuple[tuple[str, Callable[[_Profile, _Profile], bool]], ...] = (
    ("answer", lambda a, b: not a.answers.isdisjoint(b.answers)),
    ("quotation", _same_quotation),
    ("timeline", _timeline),
    ("pair", _shared_pair),
    ("excerpt", _overlap),
    ("verdict", lambda a, b: _verdict(a, b) or _verdict(b, a)),
    ("leak", lambda a, b: _leaks(a, b) or _leaks(b, a)),
    ("name", lambda a, b: _names(a, b) or _names(b, a)),
)


def _reasons(a: _Profile, b: _Profile) -> frozenset[str]:
    return frozenset(reason for reason, test in _TESTS if test(a, b))


def _any_reason(a: _Profile, b: _Profile) -> bool:
    """``bool(_reasons(a, b))``, stopping at the first reason found."""
    return any(test(a, b) for _, test in _TESTS)


class Relations:
    """The relation over a set of items, answered pairwise on demand (for quiz selection, which
    asks about few pairs) or all at once (:meth:`all`)."""

    def __init__(self, items: Sequence[Item], corpus: Corpus) -> None:
        self._items = list(items)
        self._corpus = corpus
        self._profiles: dict[int, _Profile] = {}  # by object: a broken project may repeat an id
        self._known: dict[tuple[int, int], bool] = {}  # related(a, b) answers so far, by objects

    def profile(self, item: Item) -> _Profile:
        found = self._profiles.get(id(item))
        if found is None:
            found = self._profiles[id(item)] = _Profile(item, self._corpus)
        return found

    def reasons(self, a: Item, b: Item) -> frozenset[str]:
        """Why ``a`` and ``b`` are related; empty when they are not (an item is not related to itself)."""
        if a is b:
            return frozenset()
        return _reasons(self.profile(a), self.profile(b))

    def related(self, item: Item, others: Iterable[Item]) -> bool:
        """Whether ``item`` is related to any of ``others`` (stops at the first reason found)."""
        return any(other is not item and self._related(item, other) for other in others)

    def _related(self, a: Item, b: Item) -> bool:
        pair = (id(a), id(b)) if id(a) < id(b) else (id(b), id(a))
        found = self._known.get(pair)
        if found is None:
            found = self._known[pair] = _any_reason(self.profile(a), self.profile(b))
        return found

    def all(self) -> list[Relation]:
        """Every related pair, in the items' order. Candidate pairs come from indexes (spans by
        document, answers, words of what is shown), so the cost follows the pairs found, not the
        square of the item count."""
        profiles = [self.profile(item) for item in self._items]
        position = {p.id: n for n, p in enumerate(profiles)}
        candidates: set[tuple[int, int]] = set()
        candidates.update(_overlapping(profiles))
        by_answer: dict[str, list[int]] = defaultdict(list)
        by_word: dict[str, list[int]] = defaultdict(list)
        for n, p in enumerate(profiles):
            for answer in p.answers:
                by_answer[answer].append(n)
            for word in p.words:
                by_word[word].append(n)
        quotes = [n for n, p in enumerate(profiles) if p.quotation]
        candidates.update(combinations(quotes, 2))
        for n, p in enumerate(profiles):
            for answer in p.answers:
                candidates.update(_pair(n, m) for m in by_answer[answer] if m != n)
                words = _WORD.findall(answer)
                if words:
                    rarest = min(words, key=lambda w: len(by_word.get(w, ())))
                    candidates.update(_pair(n, m) for m in by_word.get(rarest, ()) if m != n)
        candidates.update(_content_candidates(profiles))
        found = []
        for i, j in sorted(candidates):
            reasons = _reasons(profiles[i], profiles[j])
            if reasons:
                found.append(Relation(profiles[i].id, profiles[j].id, reasons))
        assert all(position[r.a] < position[r.b] for r in found)
        return found


def _content_candidates(profiles: list[_Profile]) -> set[tuple[int, int]]:
    """Pairs that may be related by name, timeline, pair or verdict: those sharing an index key
    (a name's word, an event, a left side, a stem)."""
    index: dict[str, list[int]] = defaultdict(list)
    for n, p in enumerate(profiles):
        keys = {f"w:{terms.core(t)}" for t in p.tokens} | {f"s:{s}" for s in p.stems}
        keys |= {f"e:{k}" for keys_ in p.events for k in keys_} | {f"l:{left}" for left, _, _ in p.pairs}
        for k in keys:
            index[k].append(n)
    found: set[tuple[int, int]] = set()
    for n, p in enumerate(profiles):
        names = [*p.who, *(name for names, _ in p.claims for name in names)]
        wanted = {f"w:{name.surname}" for name in names} | {f"w:{terms.core(name.words[0])}" for name in names}
        wanted |= {f"e:{k}" for keys_ in p.events for k in keys_} | {f"l:{left}" for left, _, _ in p.pairs}
        wanted |= {f"s:{s}" for s in p.verdict[0]}
        for k in wanted:
            found.update(_pair(n, m) for m in index.get(k, ()) if m != n)
    return found


def _pair(n: int, m: int) -> tuple[int, int]:
    return (n, m) if n < m else (m, n)


def _overlapping(profiles: list[_Profile]) -> Iterable[tuple[int, int]]:
    """Every pair of item positions with overlapping spans in one document (a sweep over the
    spans sorted by start, keeping those still open)."""
    spans = sorted((doc, start, end, n) for n, p in enumerate(profiles) for doc, start, end in p.spans)
    open_: list[tuple[int, int]] = []  # (end, position) of spans that may still overlap
    current = ""
    for doc, start, end, n in spans:
        if doc != current:
            open_, current = [], doc
        open_ = [(e, m) for e, m in open_ if e > start]
        for _, m in open_:
            if m != n:
                yield _pair(n, m)
        open_.append((end, n))


def _duplicates(a: _Dup, b: _Dup) -> frozenset[str]:
    """Why ``a`` and ``b`` ask the same thing ("near-duplicates"), or nothing: the same
    quotation, or overlapping excerpts and shared answers that make up at least half of the
    answers of the item with fewer (two order items sharing one event of five are not
    duplicates; two match items sharing two of three pairs are)."""
    if a.quotation and b.quotation and (a.quotation in b.quotation or b.quotation in a.quotation):
        return frozenset({"quotation"})
    shared = a.answers & b.answers
    if shared and 2 * len(shared) >= min(len(a.answers), len(b.answers)) and _overlap(a, b):
        return frozenset({"excerpt", "answer"})
    return frozenset()


class _Dup(NamedTuple):
    """What the near-duplicate check keeps of an item (see :func:`duplicate_record`)."""

    answers: frozenset[str]
    quotation: str | None
    spans: tuple[tuple[str, int, int], ...]


def duplicate_record(item: Item, corpus: Corpus) -> dict[str, Any]:
    """What the near-duplicate check needs of one item, as plain JSON data (so that it can be
    cached with the item's deck file): answer keys, quotation key, located excerpt spans."""
    profile = _Profile(item, corpus)
    return {"a": sorted(profile.answers), "q": profile.quotation, "s": [list(span) for span in profile.spans]}


def near_duplicates(items: Sequence[Item], corpus: Corpus) -> list[tuple[Item, Item, frozenset[str]]]:
    """(item, the first earlier item it duplicates, reasons) for every item that repeats an
    earlier one (see :func:`_duplicates`)."""
    found = duplicates_among([duplicate_record(item, corpus) for item in items])
    return [(items[n], items[m], reasons) for n, m, reasons in found]


def duplicates_among(records: Sequence[dict[str, Any]]) -> list[tuple[int, int, frozenset[str]]]:
    """(position, position of the first earlier duplicate, reasons) for every record that repeats
    an earlier one. Each is reported once, against the first earlier duplicate, so n copies of
    one item give n - 1 findings, not n squared."""
    built: dict[int, _Dup] = {}

    def dup(n: int) -> _Dup:  # built only for the records that are compared
        if n not in built:
            r = records[n]
            built[n] = _Dup(frozenset(r["a"]), r["q"], tuple((d, int(a), int(b)) for d, a, b in r["s"]))
        return built[n]

    # (answer key, document) -> positions, earliest first: a duplicate shares an answer and an
    # excerpt of one document, so items that share only an answer are never compared.
    by_answer: dict[tuple[str, str], list[int]] = defaultdict(list)
    quotations: dict[str, int] = {}  # each distinct quotation key -> its first position
    found = []
    for n, record in enumerate(records):
        answers, quotation = record["a"], record["q"]
        docs = {span[0] for span in record["s"]}
        keys = [(k, d) for k in answers for d in docs]
        candidates = {m for k in keys for m in by_answer.get(k, ())}
        if quotation:
            candidates.update(m for q, m in quotations.items() if q in quotation or quotation in q)
            quotations.setdefault(quotation, n)
        for m in sorted(candidates):
            reasons = _duplicates(dup(n), dup(m))
            if reasons:
                found.append((n, m, reasons))
                break
        for k in keys:
            by_answer[k].append(n)
    return found


def relations(items: Sequence[Item], corpus: Corpus) -> list[Relation]:
    """Every related pair among ``items`` (see the module docstring for the reasons)."""
    return Relations(items, corpus).all()


__all__ = ["REASONS", "Relation", "Relations", "answers", "key", "relations", "shown"]
