"""What relating needs of one item: its answers as comparison keys, what it prints, the names
that answer it, its events, pairs, figures and telling stems. No I/O here; ``relations`` compares
two profiles, ``duplicates`` compares the few parts a near-duplicate check needs.

Answers of two characters or fewer and answers made only of very common words (see
:data:`MIN_ANSWER`) are not compared: "2007" or "Pakistan" on two sheets gives nothing away.
"""

from __future__ import annotations

import functools
import re
from typing import Protocol

from . import facts, terms
from .cloze import CLOZE
from .model import Basic, Claims, Cloze, Item, Match, Mcq, Order, Quote, TrueFalse
from .sources import Corpus, normalise

MIN_ANSWER = 3  # characters; shorter answers ("US", "50") are compared only when they hold a digit
WORD = re.compile(r"[^\W_]+")
# Words too common in this subject to make an answer telling on their own.
_COMMON = frozenset(
    [
        "the", "a", "an", "of", "and", "in", "on", "at", "to", "for", "by", "from", "with", "as", "is", "was", "were",
        "be", "been", "it", "its", "this", "that", "true", "false", "yes", "no", "none", "lal", "masjid", "red",
        "mosque", "islamabad", "pakistan", "pakistani", "government", "army", "july", "2007", "siege"
    ]
)



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
    words = WORD.findall(answer_key)
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
    if isinstance(item, Quote):  # the whole lead as a name ("Ausaf"), and any name inside it ("... the ISPR")
        speaker = normalise(item.speaker)
        return tuple(dict.fromkeys(terms.names(speaker) + terms.names(speaker, whole=False)))
    if isinstance(item, Basic | Mcq | Cloze | Match):
        return tuple(n for text in _answer_texts(item) for n in terms.names(normalise(text)))
    return ()


def _figures(text: str) -> frozenset[str]:
    """The quantities of a text worth comparing: 10 or more, and not a year."""
    return frozenset(q for q in facts.quantities(text) if q.isdigit() and int(q) >= 10 and not 1900 <= int(q) < 2100)


class Profile:
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
    def leaks(self) -> frozenset[str]:
        """The answers, and the lead of each typed or chosen answer when it is shorter and has two
        telling words or more ("amnesty and safe passage" of "amnesty and safe passage, if ...")."""
        leads = set()
        if isinstance(self.item, Basic | Mcq | Cloze):
            for text in _answer_texts(self.item):
                lead = re.sub(r"^(?:the|a|an) ", "", key(terms.lead(normalise(text))))
                if len([w for w in WORD.findall(lead) if w not in _COMMON and w not in terms.STOP]) >= 2:
                    leads.add(lead)
        return self.answers | leads

    @functools.cached_property
    def quotation(self) -> str | None:
        return key(self.item.quotation) if isinstance(self.item, Quote) else None

    @functools.cached_property
    def shown(self) -> str:
        return shown(self.item)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        return frozenset(WORD.findall(self.shown))

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
        return tuple((key(left), key(right), _figures(normalise(right))) for left, right in sides)

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




class Spanned(Protocol):
    """Anything with located excerpt spans: (document id, start, end)."""

    @property
    def spans(self) -> tuple[tuple[str, int, int], ...]: ...


def same_quotation(a: str | None, b: str | None) -> bool:
    """Two quotation keys (:attr:`Profile.quotation`) of which one lies within the other."""
    return bool(a and b and (a in b or b in a))


def overlap(a: Spanned, b: Spanned) -> bool:
    """Some excerpt of ``a`` overlaps one of ``b`` in the same document."""
    return any(da == db and sa < eb and sb < ea for da, sa, ea in a.spans for db, sb, eb in b.spans)


