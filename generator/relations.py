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
    One item's answer is printed on the other: A's answer (or its lead, the part before a comma
    or bracket, when that has two telling words) stands as whole words in what B
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

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from . import terms
from .model import Item
from .profile import WORD, Profile, answers, overlap, same_quotation, shown
from .sources import Corpus

REASONS = ("excerpt", "answer", "quotation", "leak", "name", "timeline", "pair", "verdict")


@dataclass(frozen=True, order=True)
class Relation:
    """Items ``a`` and ``b`` (ids, ``a`` first in the list given) are related for ``reasons``,
    a non-empty subset of :data:`REASONS`."""

    a: str
    b: str
    reasons: frozenset[str]

def _leaks(a: Profile, b: Profile) -> bool:
    """Some answer of ``a`` (or its lead) stands as whole words in what ``b`` shows."""
    for answer in a.leaks:
        if not set(WORD.findall(answer)) <= b.words:
            continue
        if re.search(rf"(?<!\w){re.escape(answer)}(?!\w)", b.shown):
            return True
    return False


def _names(a: Profile, b: Profile) -> bool:
    """Who answers ``a`` is named in what ``b`` shows (a claims row: with one of its figures)."""
    if any(terms.named(name, b.tokens) for name in a.who):
        return True
    return any(figures & b.figures and any(terms.named(name, b.tokens) for name in names)
               for names, figures in a.claims)


def _timeline(a: Profile, b: Profile) -> bool:
    """Two order items share two or more events (by date or by wording)."""
    if not (a.events and b.events):
        return False
    theirs = frozenset().union(*b.events)
    return sum(1 for keys in a.events if keys & theirs) >= 2


def _shared_pair(a: Profile, b: Profile) -> bool:
    return any(left == other_left and (right == other_right or figures & other_figures)
               for left, right, figures in a.pairs for other_left, other_right, other_figures in b.pairs)


def _verdict(a: Profile, b: Profile) -> bool:
    """``b`` prints or answers what gives away the verdict of true/false item ``a``."""
    stems, needed = a.verdict
    return bool(stems) and len(stems & b.stems) >= needed


# (reason, test) in the order a yes/no question tries them: cheapest first.
_TESTS: tuple[tuple[str, Callable[[Profile, Profile], bool]], ...] = (
    ("answer", lambda a, b: not a.answers.isdisjoint(b.answers)),
    ("quotation", lambda a, b: same_quotation(a.quotation, b.quotation)),
    ("timeline", _timeline),
    ("pair", _shared_pair),
    ("excerpt", overlap),
    ("verdict", lambda a, b: _verdict(a, b) or _verdict(b, a)),
    ("leak", lambda a, b: _leaks(a, b) or _leaks(b, a)),
    ("name", lambda a, b: _names(a, b) or _names(b, a)),
)


def _reasons(a: Profile, b: Profile) -> frozenset[str]:
    return frozenset(reason for reason, test in _TESTS if test(a, b))


def _any_reason(a: Profile, b: Profile) -> bool:
    """``bool(_reasons(a, b))``, stopping at the first reason found."""
    return any(test(a, b) for _, test in _TESTS)


class Relations:
    """The relation over a set of items, answered pairwise on demand (for quiz selection, which
    asks about few pairs) or all at once (:meth:`all`)."""

    def __init__(self, items: Sequence[Item], corpus: Corpus) -> None:
        self._items = list(items)
        self._corpus = corpus
        self._profiles: dict[int, Profile] = {}  # by object: a broken project may repeat an id
        self._known: dict[int, dict[int, bool]] = {}  # related(a, b) answers so far, by objects

    def profile(self, item: Item) -> Profile:
        found = self._profiles.get(id(item))
        if found is None:
            found = self._profiles[id(item)] = Profile(item, self._corpus)
        return found

    def reasons(self, a: Item, b: Item) -> frozenset[str]:
        """Why ``a`` and ``b`` are related; empty when they are not (an item is not related to itself)."""
        if a is b:
            return frozenset()
        return _reasons(self.profile(a), self.profile(b))

    def related(self, item: Item, others: Iterable[Item]) -> bool:
        """Whether ``item`` is related to any of ``others`` (stops at the first reason found)."""
        mine = self.profile(item)
        known = self._known.setdefault(id(item), {})
        for other in others:
            if other is item:
                continue
            found = known.get(id(other))
            if found is None:
                found = _any_reason(mine, self.profile(other))
                known[id(other)] = self._known.setdefault(id(other), {})[id(item)] = found
            if found:
                return True
        return False

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
            for answer in p.leaks:
                words = WORD.findall(answer)
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


def _content_candidates(profiles: list[Profile]) -> set[tuple[int, int]]:
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


def _overlapping(profiles: list[Profile]) -> Iterable[tuple[int, int]]:
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

def relations(items: Sequence[Item], corpus: Corpus) -> list[Relation]:
    """Every related pair among ``items`` (see the module docstring for the reasons)."""
    return Relations(items, corpus).all()


__all__ = ["REASONS", "Relation", "Relations", "answers", "relations", "shown"]
