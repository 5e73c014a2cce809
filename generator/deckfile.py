"""One deck file, checked: its bytes, the corpus and the results its items had before -> its
problems, item ids, duplicate records, deck and each item's results (:class:`ItemRecord`).

A plain function of its inputs: it knows nothing of where earlier results are kept (``engine``
keeps them) or of worker processes. A file is cut into its items (``pieces``); an item whose
piece (its text and place in the list) has a record in ``before`` is not parsed or checked
again. A file that cannot be cut, or mostly new, is parsed whole, reusing the checks of the
items whose piece did not change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import yamltree
from .diagnostics import ControlCharacter, Diagnostic, LineEnd, Span
from .duplicates import duplicate_record
from .load import parse_model
from .model import Deck, Item
from .pieces import Split, owner, parse_head, parse_piece, split_items, with_items
from .plain import deck_from_cache, deck_to_cache, diag_from_plain, diag_to_plain, item_text
from .sources import Corpus
from .validate import drawn_throughout, validate_items


class ItemRecord(NamedTuple):
    """One item's results apart from its place in the file (lines counted from the line above
    its first), kept by its piece's fingerprint: an item moved by an edit above it keeps them."""

    diags: list[list[Any]]  # its problems (``plain.diag_to_plain``)
    item: str | None  # the item as JSON text (``plain.item_text``), None when it is not a valid item
    dup: dict[str, Any] | None  # its duplicate record (``relations.duplicate_record``)
    where: list[Any] | None  # [id, line, col] of its id


@dataclass
class FileParse:
    """What parsing one deck file gives."""

    diags: list[Diagnostic]
    ids: list[tuple[str, Span]]
    dups: list[dict[str, Any]]
    deck_plain: Any  # the deck for the cache and worker processes (``plain.deck_to_cache``), or None
    now: dict[str, ItemRecord]  # each item's results, for the next time
    head: Deck | None  # the deck's own fields (its items left out)
    entries: list[tuple[str, int, Item | None]]  # each item's text (``plain.item_text``), base line, item if at hand
    deck: Deck | None = None  # the deck, when it was parsed whole

    def model(self, shown: str) -> Deck | None:
        """The deck: as parsed whole, else rebuilt from ``deck_plain`` (None when it is unusable)."""
        return self.deck or (deck_from_cache(self.deck_plain, shown) if self.deck_plain is not None else None)


def parse_deck_file(data: bytes, shown: str, corpus: Corpus, before: dict[str, ItemRecord]) -> FileParse:
    """Parse and check one deck file, reusing ``before``: the records of its items' pieces
    (by fingerprint) from an earlier parse."""
    text, decode_diags = yamltree.decode(data, shown)
    split = None
    if text is not None and not any(d.code in (ControlCharacter.code, LineEnd.code) for d in decode_diags):
        split = split_items(text)
    # Mostly new (a cold cache, a rewritten file): one parse of the whole file is faster.
    mostly_kept = split is not None and 2 * sum(p.fingerprint not in before for p in split.pieces) <= len(split.pieces)
    done = _by_pieces(split, shown, decode_diags, corpus, before) if split and mostly_kept else None
    if done is None:
        done = _whole(data, split, shown, corpus, before, (text, decode_diags))
    return done


def _record(diags: list[Diagnostic], item: Item | None, dup: dict[str, Any] | None, base: int) -> ItemRecord:
    """An item's results apart from its place: lines counted from ``base``, so that the item
    moved up or down by an edit above it keeps them."""
    where = [item.id, item.pos.of("id").line - base, item.pos.of("id").col] if item is not None else None
    # The item itself as JSON text: read back only by the commands that need the deck.
    plain = item_text(item, base) if item is not None else None
    return ItemRecord([diag_to_plain(d, base) for d in diags], plain, dup, where)


def _by_pieces(split: Split, shown: str, decode_diags: list[Diagnostic], corpus: Corpus,
               before: dict[str, ItemRecord]) -> FileParse | None:
    """The file from its pieces: unchanged ones from ``before``, the others parsed alone. None
    when the head or a changed piece has a YAML problem (the whole file is parsed instead)."""
    head = parse_head(split, shown)
    if head is None:
        return None
    diags = list(decode_diags)
    ids: list[tuple[str, Span]] = []
    dups: list[dict[str, Any]] = []
    entries: list[tuple[str, int, Item | None]] = []
    now: dict[str, ItemRecord] = {}
    for piece in split.pieces:
        fp, base = piece.fingerprint, piece.line - 1
        record = before.get(fp)
        item = None
        if record is None:
            parsed = parse_piece(piece, split.indent, shown)
            if parsed is None:
                return None
            item, problems = parsed
            if item is not None:
                problems = problems + validate_items([item], corpus, drawn_throughout(piece.text))
            record = _record(problems, item, duplicate_record(item, corpus) if item is not None else None, base)
        try:
            diags += [diag_from_plain(d, base) for d in record.diags]
            if record.item is not None:
                if record.dup is None or record.where is None:
                    return None  # a foreign entry
                entries.append((record.item, base, item))
                dups.append(record.dup)
                ident, line, col = record.where
                ids.append((ident, Span(shown, line + base, col)))
        except (IndexError, TypeError, ValueError):
            return None  # a foreign entry
        now[fp] = record
    deck_head = with_items(head, split, (), shown)
    deck = deck_to_cache(deck_head, [])
    deck["items"] = [[base, text] for text, base, _ in entries]
    return FileParse(diags, ids, dups, deck, now, deck_head, entries)


def _whole(data: bytes, split: Split | None, shown: str, corpus: Corpus, before: dict[str, ItemRecord],
           decoded: tuple[str | None, list[Diagnostic]] | None = None) -> FileParse:
    """The file parsed whole; items whose piece did not change keep their checks' results.
    ``decoded``: what ``yamltree.decode`` gave for ``data``, when at hand."""
    deck, diags = parse_model(data, shown, Deck, "deck", decoded)
    drawn = decoded is not None and decoded[0] is not None and drawn_throughout(decoded[0])
    items = deck.items if deck is not None else ()
    pieces = {p.line: p for p in split.pieces} if split else {}
    # Problems YAML and the schema found, by the piece they stand in.
    own: dict[int, list[Diagnostic]] = {}
    if split:
        for d in diags:
            own.setdefault(owner(split, d.span.line), []).append(d)
    now: dict[str, ItemRecord] = {}
    ids, dups = [], []
    entries: list[tuple[str, int, Item | None]] = []
    for item in items:
        piece = pieces.get(item.pos.span.line)
        base = piece.line - 1 if piece else item.pos.span.line - 1
        schema = own.get(piece.index, []) if piece else []
        record = before.get(piece.fingerprint) if piece else None
        checks = None
        if record is not None:
            try:
                loaded = [diag_from_plain(d, base) for d in record.diags]
                checks = loaded[len(schema):] if loaded[: len(schema)] == schema else None
            except (IndexError, TypeError, ValueError):
                checks = None
        if checks is None:
            checks = validate_items([item], corpus, drawn)
        diags.extend(checks)
        dup = duplicate_record(item, corpus)
        ids.append((item.id, item.pos.of("id")))
        dups.append(dup)
        record = _record(schema + checks, item, dup, base)
        if piece is not None:
            now[piece.fingerprint] = record
        assert record.item is not None
        entries.append((record.item, base, item))
    if deck is None:
        return FileParse(diags, ids, dups, None, now, None, [])
    head = dataclasses.replace(deck, items=())
    deck_plain = deck_to_cache(head, [])
    deck_plain["items"] = [[base, text] for text, base, _ in entries]  # each item's text, made once above
    return FileParse(diags, ids, dups, deck_plain, now, head, entries, deck)
