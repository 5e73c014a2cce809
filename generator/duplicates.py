"""Near-duplicates: items that ask the same thing as an earlier item (``check`` warns of them
as ``near-duplicate``). No I/O here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from .model import Item
from .profile import Profile, overlap, same_quotation
from .sources import Corpus


def _duplicates(a: _Dup, b: _Dup) -> frozenset[str]:
    """Why ``a`` and ``b`` ask the same thing ("near-duplicates"), or nothing: the same
    quotation, or overlapping excerpts and shared answers that make up at least half of the
    answers of the item with fewer (two order items sharing one event of five are not
    duplicates; two match items sharing two of three pairs are)."""
    if same_quotation(a.quotation, b.quotation):
        return frozenset({"quotation"})
    shared = a.answers & b.answers
    if shared and 2 * len(shared) >= min(len(a.answers), len(b.answers)) and overlap(a, b):
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
    profile = Profile(item, corpus)
    return {"a": sorted(profile.answers), "q": profile.quotation, "s": [list(span) for span in profile.spans]}


def near_duplicates(items: Sequence[Item], corpus: Corpus) -> list[tuple[Item, Item, frozenset[str]]]:
    """(item, the first earlier item it duplicates, reasons) for every item that repeats an
    earlier one (see :func:`_duplicates`)."""
    found = duplicates_among([duplicate_record(item, corpus) for item in items])
    return [(items[n], items[m], reasons) for n, m, reasons in found]


class _Quotations:
    """Each distinct quotation key seen, with its first position; :meth:`meet` finds those that
    contain a new one or lie within it through an index of their ``K``-character pieces (a scan of
    every earlier quotation made a bank of thousands of quotations quadratic: 4,000 took 1 s).
    tests/test_relations.py holds it equal to that scan."""

    K = 4

    def __init__(self) -> None:
        self.first: dict[str, int] = {}
        self.pieces: dict[str, list[str]] = defaultdict(list)  # each piece -> the quotations holding it
        self.starts: dict[str, list[str]] = defaultdict(list)  # a quotation's first piece -> the quotation
        self.short: list[str] = []  # quotations shorter than K: looked at one by one

    def meet(self, quotation: str, n: int) -> set[int]:
        """The first positions of the quotations seen that contain ``quotation`` or lie within it;
        then ``quotation`` is seen, at ``n`` if it is new."""
        k = self.K
        found = {q for q in self.short if q in quotation or quotation in q}
        pieces = {quotation[i:i + k] for i in range(len(quotation) - k + 1)}
        if not pieces:  # shorter than K
            found.update(q for q in self.first if quotation in q)
        else:
            # within it: a quotation's first piece is one of its pieces
            found.update(q for p in pieces for q in self.starts.get(p, ()) if q in quotation)
            # containing it: a quotation that holds its rarest piece
            rarest = min(pieces, key=lambda p: len(self.pieces.get(p, ())))
            found.update(q for q in self.pieces.get(rarest, ()) if quotation in q)
        related = {self.first[q] for q in found}
        if quotation not in self.first:
            self.first[quotation] = n
            if not pieces:
                self.short.append(quotation)
            else:
                self.starts[quotation[:k]].append(quotation)
                for p in pieces:
                    self.pieces[p].append(quotation)
        return related


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
    quotations = _Quotations()
    found = []
    for n, record in enumerate(records):
        answers, quotation = record["a"], record["q"]
        docs = {span[0] for span in record["s"]}
        keys = [(k, d) for k in answers for d in docs]
        candidates = {m for k in keys for m in by_answer.get(k, ())}
        if quotation:
            candidates |= quotations.meet(quotation, n)
        for m in sorted(candidates):
            reasons = _duplicates(dup(n), dup(m))
            if reasons:
                found.append((n, m, reasons))
                break
        for k in keys:
            by_answer[k].append(n)
    return found


