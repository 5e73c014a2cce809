"""Coverage: which parts of the sources the bank cites, and what each deck holds.

A paragraph (a block of the seed between blank lines) is covered when any excerpt overlaps it.
Paragraphs under ``SUBSTANTIVE`` characters (titles, captions, bylines) and uncitable regions
are not counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .model import ITEM_TYPES
from .pipeline import Checked

SUBSTANTIVE = 120


@dataclass
class DocCoverage:
    doc: str
    title: str
    items: int = 0
    paragraphs: int = 0
    uncited: list[tuple[int, str]] = field(default_factory=list)  # (line, opening words)


@dataclass
class DeckCoverage:
    deck: str
    path: str
    by_type: Counter[str]


def coverage(checked: Checked) -> tuple[list[DocCoverage], list[DeckCoverage]]:
    corpus, project = checked.corpus, checked.project
    hits: dict[str, list[tuple[int, int]]] = {doc: [] for doc in corpus.documents}
    citing: dict[str, set[str]] = {doc: set() for doc in corpus.documents}
    for item in project.items:
        for ref in item.sources():
            doc = corpus.get(ref.doc)
            hit = doc.locate(ref.excerpt) if doc else None
            if hit:
                hits[ref.doc].append((hit.start, hit.end))
                citing[ref.doc].add(item.id)
    docs = []
    for doc_id, doc in corpus.documents.items():
        result = DocCoverage(doc_id, doc.entry.title, items=len(citing[doc_id]))
        for start, end, line in doc.paragraphs():
            if end - start < SUBSTANTIVE or any(s <= start and end <= e for s, e, _ in doc.excluded):
                continue
            result.paragraphs += 1
            if not any(s < end and e > start for s, e in hits[doc_id]):
                result.uncited.append((line, doc.norm[start : start + 70].rsplit(" ", 1)[0] + "..."))
        docs.append(result)
    decks = [DeckCoverage(d.deck, d.path, Counter(i.kind for i in d.items)) for d in project.decks]
    return docs, decks


def marked_backs(checked: Checked) -> dict[str, tuple[int, int]]:
    """Per item type: (card backs whose every excerpt has a marked word, card backs)."""
    from .anki.notes import compile_notes

    counts: dict[str, list[int]] = {}
    for note in compile_notes(checked.project, checked.corpus):
        blocks = [f for field in note.fields for f in field.split('<div class="source">')[1:]]
        row = counts.setdefault(note.kind, [0, 0])
        row[1] += 1
        row[0] += bool(blocks) and all("<mark>" in block.split("</blockquote>")[0] for block in blocks)
    return {kind: (marked, total) for kind, (marked, total) in sorted(counts.items())}


def render(docs: list[DocCoverage], decks: list[DeckCoverage], marked: dict[str, tuple[int, int]] | None = None) -> str:
    lines = ["Sources:"]
    for d in docs:
        covered = d.paragraphs - len(d.uncited)
        lines.append(f"  {d.doc:<26} {d.items:>4} items   {covered}/{d.paragraphs} paragraphs cited   ({d.title[:50]})")
        lines += [f"      not cited: line {line}: {words}" for line, words in d.uncited]
    lines += ["", "Decks:"]
    header = "".join(f"{t:>10}" for t in ITEM_TYPES)
    lines.append(f"  {'deck':<20}{header}{'total':>8}")
    totals: Counter[str] = Counter()
    for deck in decks:
        totals += deck.by_type
        row = "".join(f"{deck.by_type.get(t, 0):>10}" for t in ITEM_TYPES)
        lines.append(f"  {deck.deck[:20]:<20}{row}{sum(deck.by_type.values()):>8}")
    row = "".join(f"{totals.get(t, 0):>10}" for t in ITEM_TYPES)
    lines.append(f"  {'all':<20}{row}{sum(totals.values()):>8}")
    if marked:
        done, total = sum(m for m, _ in marked.values()), sum(t for _, t in marked.values())
        lines += ["", f"Card backs with the answer marked in every excerpt: {done}/{total} ({100 * done // max(total, 1)}%)"]
        lines += [f"  {kind:<12}{m:>5}/{t}" for kind, (m, t) in marked.items()]
    return "\n".join(lines) + "\n"
