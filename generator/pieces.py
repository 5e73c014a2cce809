"""Load stage, item by item: a deck file cut into its items' texts, so that an edit re-parses
only the items it touched.

A deck file is a mapping whose ``items:`` key (at column 0) holds a block list. Every entry of
that list starts on a line that begins with its dash at the list's indentation, and no other line
of the list can start at or left of that column (YAML's indentation rules for block and plain
scalars), so the lines that do are the entries' first lines. :func:`split_items` cuts there, and
refuses (returns None) whenever the file is shaped otherwise: a flow list, a key or a document
marker after the list, tabs, anything at or left of the list's column that is not an entry. Each
piece is then parsed on its own, its nodes placed at the line and column they have in the
file, at the depth it has in the file. A piece or a head that YAML finds any
problem in makes the caller parse the whole file instead, so every message is the one a whole
parse gives; tests/test_pieces.py holds the two equal on every deck and case file.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import typing
from dataclasses import dataclass
from typing import Any

from . import yamltree
from .convert import INVALID
from .diagnostics import Diagnostic, Span
from .load import _Converter
from .model import MAX_ITEMS_PER_FILE, AnyItem, Deck, Item, Pos
from .yamltree import Sequence

_ITEMS_KEY = re.compile(r"(?m)items:(?<![^\n]items:)[ ]*(?:#.*)?$")  # (``^items:``, led by its letters: faster)
_CONTENT = re.compile(r"(?m)^( *)(?=[^\s#])")
_ITEM_UNION = typing.get_args(typing.get_type_hints(Deck)["items"])[0]


@dataclass(frozen=True)
class Piece:
    index: int  # position in the list, from 0
    offset: int  # where its first line starts in the file's text
    line: int  # that line, from 1
    text: str  # from its first line to the next entry's (comments and blank lines after it included)

    @functools.cached_property
    def fingerprint(self) -> str:
        """Same text at the same position in the list parses to the same item, with the same
        messages and the same places relative to its first line."""
        return hashlib.sha1(f"{self.index}:{self.text}".encode()).hexdigest()


@dataclass(frozen=True)
class Split:
    head: str  # the text before the list, up to and including the ``items:`` line
    indent: int  # the list's column, from 0
    pieces: tuple[Piece, ...]


def split_items(text: str) -> Split | None:
    """The file's head and its items' pieces, or None when it is not shaped as described above."""
    found = list(_ITEMS_KEY.finditer(text))
    if len(found) != 1 or "\t" in text:
        return None
    head_end = found[0].end() + 1 if found[0].end() < len(text) else found[0].end()
    first = _CONTENT.search(text, head_end)  # the list's first line that is not blank or a comment
    if first is None:
        return None
    indent = len(first[1])
    starts: list[tuple[int, int]] = []  # (offset, line) of each entry's first line
    line, counted = text.count("\n", 0, head_end) + 1, head_end
    # Only the lines at or left of the list's column matter: each is an entry's first line, or
    # a comment; anything else means the file is not shaped as expected.
    # (Each line is found by the line end before it, text[head_end - 1] being the ``items:`` line's: a
    # pattern led by a character lets the engine skip from one to the next, as ``^`` does not.)
    for m in re.compile(rf"\n( {{0,{indent}}})(?=\S)").finditer(text, head_end - 1):
        at, width = m.start() + 1, len(m[1])
        rest = text[at + width : at + width + 2]
        if rest.startswith("#"):
            continue
        if width != indent or not (rest == "- " or rest.rstrip("\r\n") == "-"):
            return None  # a key, a document marker or a misindented line after the list
        line += text.count("\n", counted, at)
        counted = at
        starts.append((at, line))
    if not starts or len(starts) > MAX_ITEMS_PER_FILE:
        return None
    ends = [o for o, _ in starts[1:]] + [len(text)]
    pieces = tuple(Piece(n, o, ln, text[o:e]) for n, ((o, ln), e) in enumerate(zip(starts, ends, strict=True)))
    return Split(text[:head_end], indent, pieces)


def parse_head(split: Split, shown: str) -> Deck | None:
    """The deck's own fields (its items left empty), or None when the head has any problem."""
    head = _ITEMS_KEY.sub("items: []", split.head, count=1)
    node, diags = yamltree.parse(head, shown)
    if node is None or diags:
        return None
    conv = _Converter()
    deck = conv.record(node, Deck, "deck")
    if deck is INVALID or conv.diags:
        return None
    assert isinstance(deck, Deck)
    return deck


def parse_piece(piece: Piece, indent: int, shown: str) -> tuple[Item | None, list[Diagnostic]] | None:
    """One entry as the whole file's parse would give it (None for the item when it is not a
    valid item), with the schema's problems; None when YAML finds any problem in the piece."""
    node, diags = yamltree.parse(piece.text, shown, depth=1, lines=piece.line - 1)
    if node is None or diags or not isinstance(node, Sequence) or len(node.items) != 1:
        return None
    if node.span.col != indent + 1:
        return None
    conv = _Converter()
    value = conv.convert(node.items[0], _ITEM_UNION, f"deck.items[{piece.index + 1}]", {})
    return (None if value is INVALID else value), conv.diags


def with_items(head: Deck, split: Split, items: tuple[AnyItem, ...], shown: str) -> Deck:
    """The deck from its head and its items, placed as a whole parse places them."""
    first = split.pieces[0]
    fields = dict(head.pos.fields)
    fields["items"] = Span(shown, first.line, split.indent + 1)
    return dataclasses.replace(head, pos=Pos(head.pos.span, fields), items=items)


def owner(split: Split, line: int) -> int:
    """The position of the piece a line belongs to (-1: the head)."""
    lo, hi = 0, len(split.pieces)
    while lo < hi:
        mid = (lo + hi) // 2
        if split.pieces[mid].line <= line:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


Record = list[Any]  # [diagnostics, item (plain, tagged) or None, duplicate record or None, [id, line, col] or None]
