"""Model <-> plain JSON data, for the check cache (JSON cannot run code, unlike pickle).

A dataclass becomes a list of its field values in declared order, preceded by its type name
when the field's type is a union (items); a position becomes ``[line, col, {field: [line, col]}]``
(the path is the deck file's, given back on the way in). Diagnostics become lists too.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, Union

from .diagnostics import Diagnostic, Span
from .model import ITEM_TYPES, Deck, Pos


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def to_plain(value: Any) -> Any:
    if isinstance(value, Pos):
        return [value.span.line, value.span.col, {k: [s.line, s.col] for k, s in value.fields.items()}]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [to_plain(getattr(value, name)) for name, _ in _fields(type(value))]
    if isinstance(value, tuple):
        return [_tagged(v) for v in value]
    return value


def _tagged(value: Any) -> Any:
    """Items carry their type name, since a deck's items are a union of classes."""
    if dataclasses.is_dataclass(value) and hasattr(value, "type") and value.type in ITEM_TYPES:
        return [value.type, to_plain(value)]
    return to_plain(value)


def from_plain(tp: Any, data: Any, path: str) -> Any:
    if tp is Pos:
        line, col, spans = data
        return Pos(Span(path, line, col), {k: Span(path, a, b) for k, (a, b) in spans.items()})
    if _is_union(tp):
        if data is None:
            return None
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return from_plain(args[0], data, path)
        kind, rest = data
        return from_plain(ITEM_TYPES[kind], rest, path)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return tp(**{name: from_plain(ftp, v, path) for (name, ftp), v in zip(_fields(tp), data, strict=True)})
    if typing.get_origin(tp) is tuple:
        inner = typing.get_args(tp)[0]
        return tuple(from_plain(inner, v, path) for v in data)
    return data


def deck_from_plain(data: Any, path: str) -> Deck:
    deck = from_plain(Deck, data, path)
    assert isinstance(deck, Deck)
    return deck


def diag_to_plain(d: Diagnostic) -> list[Any]:
    return [d.span.path, d.span.line, d.span.col, d.severity, d.code, d.message, list(d.notes)]


def diag_from_plain(data: list[Any]) -> Diagnostic:
    path, line, col, severity, code, message, notes = data
    return Diagnostic(Span(path, line, col), severity, code, message, tuple(notes))
