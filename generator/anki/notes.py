"""Compile stage for Anki: each checked item -> one note's field values (HTML), tags and GUID.

Every string from YAML passes through :func:`esc`: HTML-escaped, and with ``{ } [ ] \\`` written
as character references, so item text can never open a template field, a cloze, ``[sound:...]``,
``[latex]`` or a MathJax delimiter. Only a cloze item's own markers are emitted as Anki syntax.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import facts, marks, plain
from ..citation import citation_parts
from ..cloze import CLOZE
from ..load import Project
from ..model import ITEM_TYPES, Basic, Claims, Cloze, Deck, Item, Match, Mcq, Order, Quote, SourceRef, TrueFalse
from ..sources import Corpus
from .markup import check_html
from .notetypes import MAX_PAIRS, note_types

# html.escape(quote=True) plus Anki's and MathJax's syntax characters, in one translate pass.
_ESCAPE = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
    "{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;", "\\": "&#92;",
})
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_KIND_LABEL = {"reference": "Reference", "opinion": "Opinion", "news-digest": "News digest"}


_ESCAPED = re.compile(r"[&<>\"'{}\[\]\\]")  # the characters _ESCAPE replaces


def esc(text: str) -> str:
    """Item text as inert HTML: no tags, no Anki or MathJax syntax. (``text.translate(_ESCAPE)``,
    which tests/test_cards.py holds it equal to, written as replacements: four times faster, and
    it runs on every string of every note; most hold none of the characters, and are given back
    after one search.)"""
    if _ESCAPED.search(text) is None:
        return text
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&#x27;").replace("{", "&#123;").replace("}", "&#125;").replace("[", "&#91;")
            .replace("]", "&#93;").replace("\\", "&#92;"))


_new = object.__new__


@dataclass(frozen=True)
class NoteSpec:
    item_id: str
    kind: str
    deck: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    guid: str
    due: int = 0  # position among new cards (see deck_order, place); not part of what the learner sees
    hash: str = field(default="", compare=False, repr=False)  # the fingerprint, when worked out already

    def at(self, due: int) -> NoteSpec:
        """The note at another place in the learning order (``dataclasses.replace``, without its
        cost, nor that of the frozen ``__init__``: it runs two or three times for every note of
        every build)."""
        note = _new(NoteSpec)
        fields = note.__dict__
        fields.update(self.__dict__)
        fields["due"] = due
        return note

    def fingerprint(self) -> str:
        """Changes exactly when what the learner sees of this note (or its tags or deck) changes."""
        return self.hash or fingerprint(self.kind, self.deck, self.fields, self.tags)


def fingerprint(kind: str, deck: str, fields: Sequence[str], tags: Sequence[str]) -> str:
    """A note's fingerprint (see :meth:`NoteSpec.fingerprint`), worked out once where the note is
    compiled and kept with it in the cache."""
    blob = "\x1e".join([kind, deck, *fields, " ".join(tags)])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


_YEAR = re.compile(r"(?:19|20)(?<!\w..)\d\d\b")  # \b(?:19|20)\d\d\b, led by its digits (faster)


def guid_for(namespace: str, item_id: str) -> str:
    """The note GUID: from the project namespace and the item id only, never from content."""
    import genanki

    return str(genanki.guid_for(namespace, item_id))


def deck_name(collection: str, deck: Deck) -> str:
    return f"{collection}::{deck.deck}"


class _Compiler:
    def __init__(self, project: Project, corpus: Corpus) -> None:
        assert project.config is not None
        self.namespace = project.config.id
        self.collection = project.config.collection
        self.corpus = corpus
        self.highlight: tuple[str, ...] = ()
        self.citations: dict[str, str] = {}  # by document: the same for every excerpt it gives
        self.deck: tuple[Deck, str, str] | None = None  # the deck of the latest note, its name and tag

    # --- pieces shared by every note type ---------------------------------------------------

    def citation(self, ref: SourceRef) -> str:
        if (made := self.citations.get(ref.doc)) is not None:
            return made
        doc = self.corpus.get(ref.doc)
        assert doc is not None, "validated"
        entry = doc.entry
        parts = citation_parts(entry, esc, ("&ldquo;", "&rdquo;"))
        kind = _KIND_LABEL[entry.kind]
        made = f'<div class="cite"><span class="kind">{kind}</span> &middot; {", ".join(parts)}</div>'
        self.citations[ref.doc] = made
        return made

    def source(self, ref: SourceRef, *needles: str, subject: str = "") -> str:
        """The excerpt as its source writes it, with the words that support the answer marked, and
        the ``subject`` words marked apart (they answer a reverse card: see ``marks.reverse_subject``)."""
        shown = self.corpus.shown(ref.doc, ref.excerpt)
        spans = marks.find_spans(shown, (*needles, *self.highlight))
        quote = marks.render(shown, spans, esc, marks.find_words(shown, subject) if subject else ())
        return f'<div class="source"><blockquote class="excerpt">{quote}</blockquote>{self.citation(ref)}</div>'

    def deck_parts(self, deck: Deck) -> tuple[str, str]:
        """The deck's name and tag, worked out once for its notes (its slug runs a substitution)."""
        if self.deck is None or self.deck[0] is not deck:
            self.deck = (deck, deck_name(self.collection, deck), f"deck::{deck.slug}")
        return self.deck[1], self.deck[2]

    def tags(self, deck: Deck, item: Item) -> tuple[str, ...]:
        kinds = sorted({self.corpus.documents[r.doc].entry.kind for r in item.sources()})
        return tuple(dict.fromkeys([self.deck_parts(deck)[1], f"type::{item.kind}",
                                    *(f"source::{k}" for k in kinds), *item.tags]))

    def rng(self, item: Item, purpose: str) -> random.Random:
        return random.Random(f"{self.namespace}:{item.id}:{purpose}")  # str seeds ignore PYTHONHASHSEED

    # --- one note -----------------------------------------------------------------------------

    def note(self, deck: Deck, item: Item) -> NoteSpec:
        self.highlight = item.highlight  # the item's own marks, in every excerpt it cites
        values = self.values(item)
        values.setdefault("Note", esc(item.note) if item.note else "")
        values["ItemId"] = esc(item.id)
        fields = tuple(values.get(name, "") for name in note_types()[item.kind].fields)
        check_html(fields)
        name, tags = self.deck_parts(deck)[0], self.tags(deck, item)
        return NoteSpec(item.id, item.kind, name, fields, tags, guid_for(self.namespace, item.id),
                        hash=fingerprint(item.kind, name, fields, tags))

    def values(self, item: Item) -> dict[str, str]:
        if isinstance(item, Basic):
            return {"Question": esc(item.question), "Answer": esc(item.answer),
                    "Reverse": "y" if item.reverse else "", "ReverseQuestion": esc(item.reverse_question or ""),
                    "Sources": self.source(item.source, item.answer, subject=marks.reverse_subject(item))}
        if isinstance(item, Mcq):
            return self.mcq(item)
        if isinstance(item, TrueFalse):
            verdict = ('<span class="verdict-true">True</span>' if item.answer
                       else '<span class="verdict-false">False</span>')
            return {"Statement": esc(item.statement), "Verdict": verdict,
                    "Correction": esc(item.correction or ""),
                    "Sources": self.source(item.source, item.correction or item.statement)}
        if isinstance(item, Cloze):
            deletions = [m[2] for m in CLOZE.finditer(item.text)]
            return {"Text": cloze_html(item.text), "Sources": self.source(item.source, *deletions)}
        if isinstance(item, Order):
            return self.order(item)
        if isinstance(item, Match):
            return self.match(item)
        if isinstance(item, Quote):
            return {"Quotation": esc(item.quotation), "Context": esc(item.context), "Speaker": esc(item.speaker),
                    "Sources": self.source(item.source, item.quotation)}
        assert isinstance(item, Claims)
        rows = "".join(
            f'<tr class="claim"><td>{esc(c.claimant)}</td><td><b>{esc(c.value)}</b></td></tr>'
            f'<tr class="claim-source"><td colspan="2">{self.source(c.source, c.value)}</td></tr>'
            for c in item.claims
        )  # the source on a row of its own: three columns are too narrow on a phone
        table = f"<table><tr><th>Claimant</th><th>Claim and source</th></tr>{rows}</table>"
        return {"Question": esc(item.question), "Claimants": "; ".join(esc(c.claimant) for c in item.claims),
                "Table": table}

    def mcq(self, item: Mcq) -> dict[str, str]:
        choices = [item.answer, *item.distractors]
        self.rng(item, "choices").shuffle(choices)
        plain = "".join(f"<li>{esc(c)}</li>" for c in choices)
        marked = "".join(f'<li class="correct">{esc(c)}</li>' if c == item.answer else f"<li>{esc(c)}</li>"
                         for c in choices)
        return {"Question": esc(item.question), "Choices": f'<ol class="choices">{plain}</ol>',
                "ChoicesMarked": f'<ol class="choices">{marked}</ol>', "Answer": esc(item.answer),
                "Sources": self.source(item.source, item.answer)}

    def order(self, item: Order) -> dict[str, str]:
        shuffled = list(item.events)
        self.rng(item, "order").shuffle(shuffled)
        if shuffled == list(item.events):
            shuffled = shuffled[1:] + shuffled[:1]
        front = "".join(f"<li>{esc(e.text)}</li>" for e in shuffled)
        letter = {id(e): _LETTERS[n] for n, e in enumerate(shuffled)}
        sequence = ", ".join(letter[id(e)] for e in item.events)
        back = "".join(f'<li><b>{letter[id(e)]}</b> <span class="date">{esc(e.date)}</span> &mdash; {esc(e.text)}</li>'
                       for e in item.events)
        sources = "".join(self.source(e.source, e.date, e.text) for e in item.events)
        return {"Prompt": esc(item.prompt), "Shuffled": f'<ol class="choices">{front}</ol>',
                "Ordered": f'<div class="sequence">Earliest first: {sequence}</div><ol class="dated">{back}</ol>',
                "Sources": sources}

    def match(self, item: Match) -> dict[str, str]:
        options = [p.right for p in item.pairs[:MAX_PAIRS]]
        self.rng(item, "options").shuffle(options)
        values = {"Prompt": esc(item.prompt), "LeftLabel": esc(item.left_label), "RightLabel": esc(item.right_label),
                  "Options": '<ul class="options">' + "".join(f"<li>{esc(o)}</li>" for o in options) + "</ul>"}
        head = f"<tr><th>{esc(item.left_label)}</th><th>{esc(item.right_label)}</th></tr>"
        for n, pair in enumerate(item.pairs[:MAX_PAIRS], start=1):
            rows = "".join(
                f'<tr{" class=asked" if i == n else ""}><td>{esc(p.left)}</td><td>{esc(p.right)}</td></tr>'
                for i, p in enumerate(item.pairs, start=1)
            )
            values |= {f"Left{n}": esc(pair.left), f"Right{n}": esc(pair.right),
                       f"Source{n}": self.source(pair.source, pair.right, pair.left),
                       f"Table{n}": f"<table>{head}{rows}</table>"}
        return values


@dataclass(frozen=True)
class DeckNotes:
    """One deck's notes: ``due`` is each note's place within the deck's own learning order, and
    ``dated`` says whether the deck is a chronology (see :func:`place`)."""

    dated: bool
    notes: tuple[NoteSpec, ...]


def item_text(item: Item) -> str:
    """An item as JSON text, its lines counted from its own first line (the form the check's
    per-item cache keeps): the same content gives the same text wherever the item stands."""
    return plain.item_text(item, item.pos.span.line - 1)


def item_key(deck: Deck, text: str, slug: str = "") -> str:
    """What an item's note depends on besides the project and the corpus: the item's content
    (:func:`item_text`) and its deck's title and file name (``slug``: the deck's, when at hand)."""
    return hashlib.sha256(f"{deck.deck}\0{slug or deck.slug}\0{text}".encode()).hexdigest()


@dataclass(frozen=True)
class Known:
    """A note compiled before, with the date that places it in its deck's learning order and
    where its item's ``type`` stands (line counted from the item's first line, column)."""

    note: NoteSpec
    date: facts.Date | None
    type_at: tuple[int, int]


@dataclass(frozen=True)
class Entry:
    """An item to compile: its :func:`item_text`, the line above its first (its place in the
    file), and the item itself when it is at hand (else it is read back from the text, only if
    its note is not known)."""

    text: str
    base: int
    item: Item | None = None


def compile_items(project: Project, corpus: Corpus, head: Deck, entries: Sequence[Entry],
                  known: Mapping[str, Known]) -> tuple[DeckNotes, list[str], list[Known]]:
    """The notes of a deck's items (``head`` gives the deck's own fields), reusing ``known``
    notes by :func:`item_key`; with each item's key and its note and date (to be known next time)."""
    compiler = _Compiler(project, corpus)
    keys, done = [], []
    slug = head.slug
    for entry in entries:
        key = item_key(head, entry.text, slug)
        hit = known.get(key)
        if hit is None:
            item = entry.item or _from_text(entry.text, head.path, entry.base)
            where = item.pos.of("type")
            hit = Known(compiler.note(head, item), item_date(item), (where.line - entry.base, where.col))
        keys.append(key)
        done.append(hit)
    dated, rank = order_by_dates([k.date for k in done])
    notes = tuple(k.note.at(r) for k, r in zip(done, rank, strict=True))
    return DeckNotes(dated, notes), keys, done


def _from_text(text: str, path: str, base: int) -> Item:
    kind, data = json.loads(text)
    item = plain.from_plain(ITEM_TYPES[kind], data, path, base)
    assert isinstance(item, Item)
    return item


def deck_entries(deck: Deck) -> list[Entry]:
    """A loaded deck's items, ready for :func:`compile_items`."""
    return [Entry(item_text(item), item.pos.span.line - 1, item) for item in deck.items]


def compile_deck(project: Project, corpus: Corpus, deck: Deck) -> DeckNotes:
    """Every item of one deck as a note, in item order (a deck's notes depend on nothing else)."""
    return compile_items(project, corpus, deck, deck_entries(deck), {})[0]


def place(parts: Sequence[DeckNotes]) -> list[NoteSpec]:
    """Every deck's notes, in deck-file then item order, each with its place in the learning
    order as ``due``: first the chronologies (in file order), then the other decks."""
    offsets: dict[int, int] = {}
    start = 0
    for n in [n for n, part in enumerate(parts) if part.dated] + [n for n, part in enumerate(parts) if not part.dated]:
        offsets[n] = start
        start += len(parts[n].notes)
    return [note.at(offsets[n] + note.due) for n, part in enumerate(parts) for note in part.notes]


def compile_notes(project: Project, corpus: Corpus) -> list[NoteSpec]:
    """Every item of every deck as a note, in deck-file then item order, each with its place in
    the learning order as ``due``."""
    return place([compile_deck(project, corpus, deck) for deck in project.decks])


def order_by_dates(dates: Sequence[facts.Date | None]) -> tuple[bool, list[int]]:
    """Whether most of a deck's items carry a date, and each item's position among the deck's
    new cards (1, 2, ...): by date when they do, undated items after the dated ones; otherwise in
    file order. Anki shows new cards by this position where its new-card gather order is
    "ascending position", and within each deck always."""
    order = list(range(len(dates)))
    dated = 2 * sum(d is not None for d in dates) > len(dates)
    if dated:
        order.sort(key=lambda n: (dates[n] is None, dates[n] or facts.Date(0), n))
    rank = [0] * len(dates)
    for position, n in enumerate(order, start=1):
        rank[n] = position
    return dated, rank


def item_date(item: Item) -> facts.Date | None:
    """The date an item is about: an order item's first event; otherwise the first date with a
    month found in its answer, then what it asks, then its excerpt. A date written without its
    year takes the first year the item's texts give (none: undated)."""
    if isinstance(item, Order):
        return facts.parse_date(item.events[0].date)
    texts = [t for f in ("answer", "correction", "text", "question", "statement", "prompt", "context")
             if isinstance(t := getattr(item, f, None), str)]
    texts += [ref.excerpt for ref in item.sources()]
    year: str | None = ""  # the first year the texts give, found when first wanted
    for text in texts:
        for date in facts.date_mentions(text):
            if date.month and date.year:
                return date
            if date.month and year == "":
                year = next((m[0] for t in texts if (m := _YEAR.search(t))), None)
            if date.month and year:
                return dataclasses.replace(date, year=int(year))
    return None


def cloze_html(text: str) -> str:
    """A cloze item's text: its own markers kept as Anki syntax, everything else escaped."""
    out, last = [], 0
    for m in CLOZE.finditer(text):
        out.append(esc(text[last : m.start()]))
        hint = f"::{esc(m[3])}" if m[3] else ""
        out.append(f"{{{{c{m[1]}::{esc(m[2])}{hint}}}}}")
        last = m.end()
    out.append(esc(text[last:]))
    return "".join(out)
