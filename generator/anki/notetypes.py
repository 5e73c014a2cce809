"""The note types: one per item type, with stable ids, fields, and card templates kept as files.

A note type's id derives from the project id and the type name, so it never changes between
builds; its templates are read from ``templates/``. Match notes get one card per pair, from one
template pair in which ``N`` stands for the pair's number.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources

MAX_PAIRS = 8


@dataclass(frozen=True)
class NoteType:
    key: str  # the item type
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (card name, front html, back html)
    css: str
    cloze: bool = False

    def fingerprint(self) -> str:
        """Changes whenever the fields, templates or styling change."""
        blob = repr((self.name, self.fields, self.templates, self.css, self.cloze))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def stable_id(*parts: str) -> int:
    """A 31-bit positive id from a name: stable across builds, machines and Python hash seeds."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return (int.from_bytes(digest[:8], "big") % (1 << 30)) + (1 << 30)


def _template(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def _pair(front: str, back: str) -> tuple[str, str]:
    return _template(front).strip(), _template(back).strip()


@functools.cache
def note_types() -> dict[str, NoteType]:
    css = _template("style.css")
    common = ("Note", "Sources", "ItemId")
    match_fields = ["Prompt", "LeftLabel", "RightLabel"]
    for n in range(1, MAX_PAIRS + 1):
        match_fields += [f"Left{n}", f"Right{n}", f"Source{n}", f"Table{n}"]
    match_front, match_back = _pair("match.front.html", "match.back.html")
    match_templates = tuple(
        (f"Pair {n}", match_front.replace("LeftN", f"Left{n}"),
         match_back.replace("RightN", f"Right{n}").replace("SourceN", f"Source{n}").replace("TableN", f"Table{n}"))
        for n in range(1, MAX_PAIRS + 1)
    )
    types = [
        NoteType("basic", "studydeck basic", ("Question", "Answer", "Reverse", *common, "ReverseQuestion"),
                 (("Question > Answer", *_pair("basic.front.html", "basic.back.html")),
                  ("Answer > Question", *_pair("basic.reverse.front.html", "basic.reverse.back.html"))), css),
        NoteType("mcq", "studydeck multiple choice", ("Question", "Choices", "ChoicesMarked", "Answer", *common),
                 (("Choose", *_pair("mcq.front.html", "mcq.back.html")),), css),
        NoteType("truefalse", "studydeck true or false", ("Statement", "Verdict", "Correction", *common),
                 (("True or false", *_pair("truefalse.front.html", "truefalse.back.html")),), css),
        NoteType("cloze", "studydeck cloze", ("Text", *common),
                 (("Cloze", *_pair("cloze.front.html", "cloze.back.html")),), css, cloze=True),
        NoteType("order", "studydeck order", ("Prompt", "Shuffled", "Ordered", *common),
                 (("Order", *_pair("order.front.html", "order.back.html")),), css),
        NoteType("match", "studydeck match", (*match_fields, "Note", "ItemId", "Options"), match_templates, css),
        NoteType("quote", "studydeck quote", ("Quotation", "Context", "Speaker", *common),
                 (("Who said it", *_pair("quote.front.html", "quote.back.html")),), css),
        NoteType("claims", "studydeck claims", ("Question", "Claimants", "Table", "Note", "ItemId"),
                 (("Who claimed what", *_pair("claims.front.html", "claims.back.html")),), css),
    ]
    return {t.key: t for t in types}
