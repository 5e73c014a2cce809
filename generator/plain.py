"""Model <-> plain JSON data, for the check cache (JSON cannot run code, unlike pickle).

A dataclass becomes a list of its field values in declared order, preceded by its type name
when the field's type is a union (items); a position becomes ``[line, col, {field: [line, col]}]``
(the path is the deck file's, given back on the way in). Diagnostics become lists too.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import typing
from collections.abc import Callable
from sys import intern
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, Span
from .model import ITEM_TYPES, Deck, Pos, annotation_shape

if TYPE_CHECKING:
    from .anki.notes import NoteSpec


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


_ITEM_CLASSES = frozenset(ITEM_TYPES.values())


@functools.cache
def _shape(cls: type) -> tuple[str, tuple[str, ...]]:
    """How values of a class become plain data, worked out once per class: ("pos", ()),
    ("record", field names), ("list", ()) for tuples, or ("same", ())."""
    if cls is Pos:
        return "pos", ()
    if dataclasses.is_dataclass(cls):
        return "record", tuple(name for name, _ in _fields(cls))
    if issubclass(cls, tuple):
        return "list", ()
    return "same", ()


_SAME = frozenset({str, int, bool, float, type(None)})  # kept as they are (most values): no call for them


def to_plain(value: Any, lines: int = 0) -> Any:
    """``lines``: subtracted from every line number (an item kept apart from its place in the file)."""
    shape, names = _shape(type(value))  # type: ignore[arg-type]
    if shape == "same":
        return value
    if shape == "record":
        return [v if type(v) in _SAME else to_plain(v, lines) for v in map(value.__getattribute__, names)]
    if shape == "list":
        return [v if type(v) in _SAME else _tagged(v, lines) for v in value]
    return [value.span.line - lines, value.span.col,
            {k: [s.line - lines, s.col] for k, s in value.fields.items()}]


def _tagged(value: Any, lines: int = 0) -> Any:
    """Items carry their type name, since a deck's items are a union of classes."""
    if type(value) in _ITEM_CLASSES and value.type in ITEM_TYPES:
        return [value.type, to_plain(value, lines)]
    return to_plain(value, lines)


def from_plain(tp: Any, data: Any, path: str, lines: int = 0) -> Any:
    """``lines``: added to every line number (see ``to_plain``)."""
    return _reader(tp)(data, path, lines)


_Reader = Callable[[Any, str, int], Any]


def _same(data: Any, path: str, lines: int) -> Any:
    return data


def _pos(data: Any, path: str, lines: int) -> Pos:
    line, col, spans = data
    return Pos(Span(path, line + lines, col), {k: Span(path, a + lines, b) for k, (a, b) in spans.items()})


@functools.cache
def _reader(tp: Any) -> _Reader:
    """How plain data becomes a value of type ``tp``, worked out once per type. A record is built
    without its frozen ``__init__`` (one ``object.__setattr__`` a field): a big bank's catalog and
    decks come back this way. tests/test_cache.py holds the two equal."""
    if tp is Pos:
        return _pos
    shape, inner, _ = annotation_shape(tp)
    if shape == "union":
        if inner is not None:
            one = _reader(inner)
            return lambda data, path, lines: None if data is None else one(data, path, lines)

        def tagged(data: Any, path: str, lines: int) -> Any:  # an item, its type name first
            if data is None:
                return None
            cls: Any = ITEM_TYPES[data[0]]
            return _reader(cls)(data[1], path, lines)

        return tagged
    if shape == "record":
        fields = tuple((name, None if (read := _reader(ftp)) is _same else read) for name, ftp in _fields(tp))

        def record(data: Any, path: str, lines: int) -> Any:
            value = object.__new__(tp)
            value.__dict__.update({name: v if read is None else read(v, path, lines)
                                   for (name, read), v in zip(fields, data, strict=True)})
            return value

        return record
    if shape == "tuple":
        item = _reader(inner)
        if item is _same:
            return lambda data, path, lines: tuple(data)
        return lambda data, path, lines: tuple(item(v, path, lines) for v in data)
    return _same


def item_text(item: Any, base: int) -> str:
    """An item as JSON text, its lines counted from ``base`` (the line above its first): the
    same content at any place gives the same text (the key of its cached note)."""
    return json.dumps(_tagged(item, base))


def deck_to_cache(deck: Deck, bases: list[int]) -> dict[str, Any]:
    """A deck for the cache: its own fields, and each item apart from its place (item ``n``'s
    lines counted from ``bases[n]``), as the per-item records keep them."""
    head = to_plain(dataclasses.replace(deck, items=()))
    return {"head": head, "items": [[base, _tagged(item, base)] for item, base in zip(deck.items, bases, strict=True)]}


def deck_from_cache(data: Any, path: str) -> Deck:
    """The deck back from ``deck_to_cache`` (an item may also be given as its JSON text)."""
    head = from_plain(Deck, data["head"], path)
    items = tuple(from_plain(ITEM_TYPES[kind], rest, path, base)
                  for base, item in data["items"] for kind, rest in [json.loads(item) if isinstance(item, str) else item])
    deck = dataclasses.replace(head, items=items)
    assert isinstance(deck, Deck)
    return deck


def diag_to_plain(d: Diagnostic, lines: int = 0) -> list[Any]:
    return [d.span.path, d.span.line - lines, d.span.col, d.severity, d.code, d.message, list(d.notes)]


def diag_from_plain(data: list[Any], lines: int = 0) -> Diagnostic:
    path, line, col, severity, code, message, notes = data
    return Diagnostic(Span(path, line + lines, col), severity, code, message, tuple(notes))


def note_from_plain(spec: type[NoteSpec], data: Any, due: int = 0) -> NoteSpec:
    """A note back from :func:`note_to_plain` (``spec``: the class, imported by the caller once),
    made without the frozen ``__init__``'s cost (as ``NoteSpec.at`` is): a big bank's build
    reads tens of thousands back. Its type and deck name are the one copy of each (JSON gives every
    note its own)."""
    i, k, d, f, t, g, h = data
    note = object.__new__(spec)
    note.__dict__.update(item_id=i, kind=intern(k), deck=intern(d),
                         fields=tuple(f.split("\x1f") if isinstance(f, str) else f),
                         tags=tuple(t), guid=g, due=due, hash=h if isinstance(h, str) else "")
    return note


def note_to_plain(n: NoteSpec) -> list[Any]:
    # Fields joined by the separator Anki itself uses (a list if a field held it): one JSON
    # string a note instead of one a field reads back faster.
    joined = "\x1f".join(n.fields)
    fields = joined if joined.count("\x1f") == len(n.fields) - 1 else list(n.fields)
    return [n.item_id, n.kind, n.deck, fields, list(n.tags), n.guid, n.fingerprint()]
