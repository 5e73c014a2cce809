"""Compile stage for the self-test page: checked items -> one offline HTML file (bytes).

The page is ``selftest/page.html`` with ``page.css`` and ``page.js`` inlined, and the items as a
JSON data block. A Content-Security-Policy meta tag allows only that one style and that one script
(by their SHA-256 hashes) and nothing from the network. The script puts item text into the page
with ``textContent`` only, so no item text ever becomes markup, and it shuffles choices per visit;
the file itself is the same bytes on every build.

Each cited source's text is embedded once (its uncitable parts, such as reader comments, left
out, and the token-style article's escaping backslashes, ``\\(``, dropped as excerpt matching drops
them), with the offsets of each excerpt in it, for the "show in source" view.

The script is ``SCRIPTS`` in order, in one function scope: the FSRS-6 scheduler (``fsrs.js``, a
block that tests also run on its own), saved progress, the cards, study sessions, the page. Typed
answers follow the one marking rule (``typed_answers``): a longer answer is self-graded.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..citation import citation
from ..load import Project
from ..model import Basic, Claims, Cloze, Deck, Item, Match, Mcq, Order, Quote, SourceRef, TrueFalse
from ..normalise import ESCAPING_BACKSLASH
from ..sources import Corpus, Document
from .common import Kept, asked, cloze_parts, quote_distractors

TEMPLATES = Path(__file__).resolve().parent / "selftest"
SCRIPTS = ("fsrs.js", "progress.js", "cards.js", "session.js", "page.js")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # the characters UTF-16 writes as two units


def astral(text: str) -> list[int]:
    """Where the text's characters beyond the Basic Multilingual Plane stand, in order: what turns
    a code-point offset into the UTF-16 offset JavaScript strings use (:func:`utf16`)."""
    return [m.start() for m in _ASTRAL.finditer(text)]


def utf16(astral: list[int], index: int) -> int:
    """The code-point offset ``index`` of a text as a UTF-16 offset, given ``astral(text)``: one
    more unit for each such character before it. (It was the length of the text up to ``index``
    encoded in UTF-16, worked out for every excerpt over its whole document: a 10k bank's page
    encoded 1.4 GB; tests/test_selftest_data.py holds the two equal.)"""
    return index + bisect.bisect_left(astral, index)


class _Sources:
    """The embedded source texts (uncitable regions cut out) and excerpt offsets in them."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.docs: dict[str, dict[str, Any]] = {}
        self.cuts: dict[str, list[tuple[int, int, int]]] = {}  # (orig start, orig end, shift after)
        self.astral: dict[str, list[int]] = {}  # (see ``astral``)

    def _embed(self, doc_id: str) -> str:
        if doc_id in self.docs:
            return str(self.docs[doc_id]["text"])
        doc: Document = self.corpus.documents[doc_id]
        regions = []
        for start, end, reason in sorted(doc.excluded):
            o_start = doc.offsets[start] if start < len(doc.offsets) else len(doc.text)
            o_end = doc.offsets[end] if end < len(doc.offsets) else len(doc.text)
            regions.append((o_start, o_end, f"\n[\u2026 not shown: {reason} \u2026]\n"))
        regions += [(m.start(), m.end(), "") for m in ESCAPING_BACKSLASH.finditer(doc.text)]
        pieces, cuts, last, shift = [], [], 0, 0
        for o_start, o_end, label in sorted(regions):
            if o_start < last:
                continue
            pieces += [doc.text[last:o_start], label]
            shift += len(label) - (o_end - o_start)
            cuts.append((o_start, o_end, shift))
            last = o_end
        pieces.append(doc.text[last:])
        text = "".join(pieces).rstrip() + "\n"
        self.cuts[doc_id] = cuts
        self.astral[doc_id] = astral(text)
        self.docs[doc_id] = {"title": doc.entry.title, "cite": citation(doc.entry), "kind": doc.entry.kind, "text": text}
        return text

    def _moved(self, doc_id: str, offset: int) -> int:
        shift = 0
        for o_start, _, after in self.cuts[doc_id]:
            if offset > o_start:
                shift = after
        return offset + shift

    def ref(self, ref: SourceRef) -> dict[str, Any]:
        self._embed(ref.doc)
        doc = self.corpus.documents[ref.doc]
        shown = self.corpus.shown(ref.doc, ref.excerpt)
        hit = doc.locate(ref.excerpt)
        start = end = 0
        if hit is not None and hit.end > hit.start:
            start = self._moved(ref.doc, doc.offsets[hit.start])
            end = self._moved(ref.doc, doc.offsets[hit.end - 1] + 1)
        return {"doc": ref.doc, "excerpt": ESCAPING_BACKSLASH.sub("", shown.text), "cite": self.docs[ref.doc]["cite"],
                "start": utf16(self.astral[ref.doc], start), "end": utf16(self.astral[ref.doc], end)}


def _typed(project: Project, item: Item) -> dict[str, Any]:
    """How the page marks a typed answer (the one rule, ``asked``): against the accepted forms,
    or, where a teacher would mark it, by the student (self-graded)."""
    how, accepted = asked(project, item)
    return {"self": True} if how == "teacher" else {"accept": accepted[0]}


def _item(item: Item, deck: int, project: Project, sources: _Sources) -> dict[str, Any]:
    refs: dict[tuple[str, str], dict[str, Any]] = {}
    for ref in item.sources():
        data = sources.ref(ref)
        refs.setdefault((data["doc"], data["excerpt"]), data)
    base: dict[str, Any] = {"id": item.id, "type": item.kind, "deck": deck, "tags": list(item.tags),
                            "note": item.note or "", "sources": list(refs.values())}
    if isinstance(item, Basic):
        return base | {"prompt": item.question, "answer": item.answer} | _typed(project, item)
    if isinstance(item, Mcq):
        return base | {"prompt": item.question, "answer": item.answer, "choices": [item.answer, *item.distractors]}
    if isinstance(item, Quote):
        wrong = quote_distractors(project, item)
        more = {"choices": [item.speaker, *wrong]} if len(wrong) >= 2 else _typed(project, item)
        return base | {"prompt": "Who said or wrote this?", "quotation": item.quotation, "context": item.context,
                       "answer": item.speaker} | more
    if isinstance(item, TrueFalse):
        return base | {"prompt": item.statement, "answer": item.answer, "correction": item.correction or ""}
    if isinstance(item, Cloze):
        how, accepted = asked(project, item)
        blanks = iter(accepted if how == "typed" else [])
        parts = [p if isinstance(p, str) else {"answer": p[0], "hint": p[1], "accept": next(blanks, None)}
                 for p in cloze_parts(item.text)]
        return base | {"prompt": "Fill in the blanks.", "parts": parts} | ({"self": True} if how == "teacher" else {})
    if isinstance(item, Order):
        return base | {"prompt": item.prompt, "events": [{"text": e.text, "date": e.date} for e in item.events]}
    if isinstance(item, Match):
        return base | {"prompt": item.prompt, "left_label": item.left_label, "right_label": item.right_label,
                       "pairs": [{"left": p.left, "right": p.right} for p in item.pairs]}
    assert isinstance(item, Claims)
    return base | {"prompt": item.question, "left_label": "Claimant", "right_label": "What they claimed",
                   "pairs": [{"left": c.claimant, "right": c.value} for c in item.claims]}


# What makes JSON safe inside its <script> block: nothing in it can end the block or open a comment.
_SCRIPT_UNSAFE = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"))


def _script_safe(raw: bytes) -> bytes:
    for unsafe, escaped in _SCRIPT_UNSAFE:
        if unsafe in raw:
            raw = raw.replace(unsafe, escaped)
    return raw


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _deck_items(deck: Deck, n: int, project: Project, sources: _Sources) -> tuple[bytes, dict[str, Any]]:
    """The page's items of one deck (the ``n``-th) as the JSON text the whole page's data gives
    them (each item as ``json.dumps`` writes a list's element, joined by its comma), with their
    counts by type and the documents they cite (which the page embeds)."""
    counts: dict[str, int] = {}
    docs: dict[str, None] = {}
    texts = []
    for item in deck.items:
        data = _item(item, n, project, sources)
        texts.append(json.dumps(data, separators=(",", ":"), sort_keys=True))
        counts[item.kind] = counts.get(item.kind, 0) + 1
        docs |= dict.fromkeys(ref["doc"] for ref in data["sources"])
    return _script_safe(",".join(texts).encode("ascii")), {"n": n, "counts": counts, "docs": list(docs)}


def _kept_fits(rest: Any, n: int, corpus: Corpus) -> bool:
    """Whether a deck's kept items stood at the same place among the decks (their ``deck`` field)
    and read back as ``_deck_items`` made them: anything else is a miss."""
    return (isinstance(rest, dict) and rest.get("n") == n
            and isinstance(docs := rest.get("docs"), list) and all(d in corpus.documents for d in docs)
            and isinstance(counts := rest.get("counts"), dict)
            and all(isinstance(k, str) and type(v) is int for k, v in counts.items()))


def render_selftest(decks: Sequence[Deck], project: Project, corpus: Corpus,
                    kept: Kept | None = None) -> tuple[bytes, dict[str, int]]:
    """The self-test page for ``decks``, and how many items of each type it holds. A deck's items
    ``kept`` from an earlier run (at the same place among the decks) are not made again."""
    assert project.config is not None
    sources = _Sources(corpus)
    parts: list[bytes] = []
    counts: dict[str, int] = {}
    for n, deck in enumerate(decks):
        found = kept.get("html", deck) if kept is not None else None
        if found is not None and _kept_fits(found[1], n, corpus):
            text, rest = found
            for doc_id in rest["docs"]:
                sources._embed(doc_id)
        else:
            text, rest = _deck_items(deck, n, project, sources)
            if kept is not None:
                kept.put("html", deck, text, rest)
        parts.append(text)
        for kind, k in rest["counts"].items():
            counts[kind] = counts.get(kind, 0) + int(k)
    data = {"title": project.config.collection, "project": project.config.id,
            "description": project.config.description or "",
            "decks": [{"name": d.deck, "description": d.description or ""} for d in decks],
            "docs": sources.docs, "items": []}
    css = (TEMPLATES / "page.css").read_text(encoding="utf-8")
    js = '"use strict";\n(() => {\n' + "".join(f"// --- {name} ---\n" + (TEMPLATES / name).read_text(encoding="utf-8")
                                          for name in SCRIPTS) + "// --- end ---\n})();\n"
    csp = (f"default-src 'none'; script-src '{_sha256(js)}'; style-src '{_sha256(css)}'; "
           "img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'")
    # ASCII JSON (other characters as \u escapes): one byte a character in memory, where a single
    # curly quote would make the whole text two (a 10,000-item page: 25 MB less at the peak), each
    # deck's items made safe for the block on their own. A big bank's page is tens of megabytes:
    # no more than two copies of it are ever held at once (the decks' items, and the page joined
    # from them in one go).
    head, tail = json.dumps(data, separators=(",", ":"), sort_keys=True).split('"items":[]')  # (the one such key)
    del data
    data_pieces = [_script_safe(head.encode("ascii")), b'"items":[']
    for i, part in enumerate(part for part in parts if part):  # (an empty deck has no items)
        data_pieces += [b",", part] if i else [part]
    data_pieces += [b"]", _script_safe(tail.encode("ascii"))]
    del parts
    values = {"CSP": html.escape(csp), "TITLE": html.escape(f"{project.config.collection}: self-test"),
              "STYLE": css, "SCRIPT": js}
    out: list[bytes] = []
    for n, piece in enumerate(re.split(r"@@([A-Z]+)@@", (TEMPLATES / "page.html").read_text(encoding="utf-8"))):
        out += [piece.encode("utf-8")] if n % 2 == 0 else data_pieces if piece == "DATA" else [values[piece].encode("utf-8")]
    del data_pieces
    page = b"".join(out)
    return page, counts
