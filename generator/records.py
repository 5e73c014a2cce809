"""The named records of incremental results (see ``engine``, which keys, stores and reuses
them): a deck file's part of the check, its notes, and the notes of the whole project. Plain data
types and their conversions from what the cache holds; no I/O here."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .deckfile import ItemRecord
from .diagnostics import Diagnostic, Span
from .model import Deck
from .plain import diag_from_plain, diag_to_plain

if TYPE_CHECKING:
    from .anki.notes import NoteSpec


class FileSummary(NamedTuple):
    """A deck file's part of the check, as plain data: enough for ``check`` without parsing it."""

    diags: list[list[Any]]  # ``plain.diag_to_plain``
    ids: list[list[Any]]  # [id, line, col]
    dups: list[dict[str, Any]]  # ``relations.duplicate_record``


def records_digest(ids: list[list[Any]], dups: list[dict[str, Any]]) -> str:
    """What the project-wide checks read of a file (its :class:`FileSummary`'s ids and dups), as a hash."""
    return hashlib.sha256(json.dumps([ids, dups], sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class NoteRecord(NamedTuple):
    """One item's compiled note in a file's :class:`NotesEntry`."""

    key: str  # ``notes.item_key``: what the note depends on
    note: list[Any]  # [item id, type, deck, fields joined by \\x1f (a list if one held it), tags, guid, hash]
    date: list[int] | None  # [year, month, day] that places it in a chronology
    due: int  # its place in its deck's learning order
    type_at: list[int]  # where its item's ``type`` stands: [line from ``base``, col]
    base: int  # the line above its item's first


class NotesEntry(NamedTuple):
    """A deck file's notes."""

    file: str  # the key of the file's content they were compiled from
    deck: list[str]  # [full deck name, description]
    dated: bool
    items: list[NoteRecord]


@dataclass
class FileResult:
    """One deck file's part of the check."""

    path: Path
    shown: str
    key: str | None  # the cache key of its content; None when it could not be read
    deck: Deck | None  # None when not loaded (``check``) or unusable
    diags: list[Diagnostic]
    ids: list[tuple[str, Span]] | None  # None: not read yet (``Engine.records``)
    dups: list[dict[str, Any]] | None
    digest: str = ""  # ``records_digest`` of its ids and dups

    def __post_init__(self) -> None:
        if not self.digest and self.ids is not None and self.dups is not None:
            self.digest = records_digest([[i, s.line, s.col] for i, s in self.ids], self.dups)

    def summary(self) -> FileSummary:
        assert self.ids is not None and self.dups is not None
        return FileSummary([diag_to_plain(d) for d in self.diags], [[i, s.line, s.col] for i, s in self.ids], self.dups)

    @classmethod
    def from_summary(cls, path: Path, shown: str, k: str, summary: Any, deck: Deck | None) -> FileResult | None:
        """None when ``summary`` (a :class:`FileSummary`) is not one (a foreign or older entry:
        parse again)."""
        try:
            diags, ids, dups = summary
            return cls(path, shown, k, deck, [diag_from_plain(d) for d in diags],
                       [(i, Span(shown, line, col)) for i, line, col in ids], list(dups), records_digest(ids, dups))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Compiled:
    notes: list[NoteSpec]  # placed in the learning order
    types: dict[str, tuple[str, int, int]]  # where each item's ``type`` stands: shown path, line, col (lock type check)
    descriptions: dict[str, str]  # each deck's full name -> its description


def item_records(stored: Any) -> dict[str, ItemRecord]:
    if not isinstance(stored, dict):
        return {}
    return {fp: ItemRecord(*r) for fp, r in stored.items() if isinstance(r, list) and len(r) == 4}


def notes_entry(stored: Any) -> NotesEntry | None:
    try:
        items = stored["items"]
        if not all(isinstance(r, list) and len(r) == 6 and isinstance(r[4], list) and len(r[4]) == 2 for r in items):
            return None
        return NotesEntry(stored["file"], stored["deck"], stored["dated"], list(map(NoteRecord._make, items)))
    except (KeyError, TypeError, ValueError):
        return None
