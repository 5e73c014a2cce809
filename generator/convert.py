"""Typing YAML against the model: what the loader's two paths share, and its fast path.

``load`` types a node tree (``yamltree``) against the model's dataclasses and reports every
problem, located. A file with nothing to report (nearly every file, nearly every time) needs
neither the tree nor the messages: :func:`record_from_events` types the event stream itself, with
the same rules (:func:`typed_scalar`, :func:`record_of`), and gives up (None) at the first thing
the tree or the typing would report, or anything unusual, and ``load`` then takes the plain path,
which reports it. tests/test_convert.py holds the two equal.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from typing import Any, Literal, NamedTuple

import yaml

from .diagnostics import BadValue, Diagnostic, MissingField, Span, WrongType
from .model import ITEM_TYPES, Pos, annotation_shape, format_fields
from .yamltree import _BOOL_WORDS, MAX_SCALAR_CHARS, _at, _skip, check_value


class _Invalid:
    """Marks a value that failed conversion (its problems are already reported)."""


INVALID: Any = _Invalid()
_WHOLE = re.compile(r"-?(?:0|[1-9][0-9]*)")  # no leading zeros: 0123 is text (YAML 1.1 octal)
_MAX_DIGITS = 30  # far beyond every minimum and maximum in the model


@functools.cache
def hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.cache
def fields_of(cls: type) -> dict[str, tuple[dataclasses.Field[Any], Any, bool]]:
    """A record class's format fields by name, with each one's type and whether it is required."""
    return {f.name: (f, hints(cls)[f.name],
                     f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
            for f in format_fields(cls)}


@functools.cache
def _defaults(cls: type) -> tuple[tuple[str, Any], ...]:
    """Every field of a record class, in declared order, with its default (``MISSING``: none)."""
    assert all(f.default_factory is dataclasses.MISSING for f in dataclasses.fields(cls)), "see record_of"
    return tuple((f.name, f.default) for f in dataclasses.fields(cls))


def record_of(cls: type, pos: Pos, values: dict[str, Any]) -> Any:
    """``cls(pos=pos, **values)`` for a record whose required fields are all in ``values``, built
    without the frozen dataclass's ``__init__`` (one ``object.__setattr__`` a field: every mapping
    of every file is one). tests/test_loader.py holds the two equal."""
    record: Any = object.__new__(cls)
    fields = record.__dict__
    for name, default in _defaults(cls):
        fields[name] = values.get(name, default)
    fields["pos"] = pos
    return record


@functools.cache
def _options(tp: Any) -> tuple[str, ...] | None:
    """A ``Literal`` type's options, None for any other type (asked for every value)."""
    return typing.get_args(tp) if typing.get_origin(tp) is Literal else None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def typed_scalar(value: str, plain: bool, span: Span, tp: Any, name: str, meta: typing.Mapping[str, Any],
                 diags: list[Diagnostic]) -> Any:
    """A scalar's text (``plain``: unquoted) as a value of the scalar type ``tp``, or ``INVALID``
    with the reason added to ``diags``."""
    text = value.strip()
    if tp is bool:
        if plain and text in ("true", "false"):
            return text == "true"
        diags.append(WrongType.at(span, f"{name}: expected true or false, got {value!r}"))
        return INVALID
    if tp is int:
        if plain and _WHOLE.fullmatch(text):
            return _whole(span, text, name, meta, diags)
        diags.append(WrongType.at(span, f"{name}: expected a whole number, got {value!r}"))
        return INVALID
    options = _options(tp)
    if options is not None:
        if text in options:
            return text
        diags.append(BadValue.at(span, f"{name}: {text!r} is not one of {', '.join(options)}"))
        return INVALID
    if not text:
        diags.append(MissingField.at(span, f"{name} is empty"))
        return INVALID
    pattern = meta.get("pattern")
    if pattern and not _compiled(pattern).fullmatch(text):
        diags.append(BadValue.at(span, f"{name}: {text!r} does not match {pattern}"))
        return INVALID
    return text


def _whole(span: Span, text: str, name: str, meta: typing.Mapping[str, Any], diags: list[Diagnostic]) -> Any:
    """An integer literal, checked against the field's range. One longer than ``_MAX_DIGITS``
    is outside every range of the format and never converted (``int()`` refuses thousands of
    digits, and is slow well before that)."""
    low, high = meta.get("minimum"), meta.get("maximum")
    value = int(text) if len(text) <= _MAX_DIGITS else None
    if value is not None and (low is None or value >= low) and (high is None or value <= high):
        return value
    digits = len(text.lstrip("-"))
    shown = text if digits <= 40 else f"{text[:20]}... ({digits:,} digits)"
    if low is not None and high is not None:
        why = f"is outside {low}..{high}"
    else:
        why = f"is less than {low}" if low is not None else f"is more than {high}"
    diags.append(BadValue.at(span, f"{name}: {shown} {why}"))
    return INVALID


# --- the fast path ------------------------------------------------------------------------------


class _GiveUp(Exception):
    """Something the plain path would report (or an unusual construct): it reads the file."""


_Scalar, _Alias = yaml.ScalarEvent, yaml.AliasEvent
_MapStart, _MapEnd = yaml.MappingStartEvent, yaml.MappingEndEvent
_SeqStart, _SeqEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent


def record_from_events(events: list[object], path: str, cls: type) -> Any:
    """The one document of a YAML file's event stream as an instance of the record class ``cls``,
    as ``load`` gives it from the node tree when neither reports a problem; None when there is
    one (or when the stream holds anything unusual: a tag, an anchor)."""
    if len(events) < 3 or type(events[1]) is not yaml.DocumentStartEvent:
        return None  # no document
    reader = _Reader(events, path)
    try:
        event, span = reader._start(2)
        if type(event) is not _MapStart:
            raise _GiveUp
        value, _, end = reader.record(3, cls, span)
    except _GiveUp:
        return None
    return value if type(events[end + 1]) is yaml.StreamEndEvent else None  # (not a second document)


class _Field(NamedTuple):
    """How a record's field is read, worked out once per class (see :func:`_plan`)."""

    name: str
    tp: Any  # its type (an optional one's inner type)
    shape: str  # ``model.annotation_shape`` of ``tp``
    inner: Any  # the record class, or the type of a tuple's items
    item_shape: str  # a tuple's items' ``annotation_shape`` ("union": the union of item types)
    optional: bool  # an empty value is None
    has_default: bool  # an empty value is as if absent
    meta: typing.Mapping[str, Any]
    item_meta: dict[str, Any]  # a tuple's items' (their pattern)


@functools.cache
def _plan(cls: type) -> dict[str, _Field]:
    plan = {}
    for name, (f, tp, _) in fields_of(cls).items():
        assert name.lower() not in _BOOL_WORDS, "see _Reader.record"
        shape, inner, optional = annotation_shape(tp)
        if shape == "union" and inner is not None:
            tp = inner
            shape, inner, _ = annotation_shape(tp)
        item_shape, one, _ = annotation_shape(inner) if shape == "tuple" else ("", None, False)
        if item_shape == "union" and one is not None:
            item_shape = ""  # (no list of optional values in the model)
        item_meta = {"pattern": f.metadata["items_pattern"]} if "items_pattern" in f.metadata else {}
        plan[name] = _Field(name, tp, shape, inner, item_shape, optional, f.default is not dataclasses.MISSING,
                            f.metadata, item_meta)
    return plan


class _Reader:
    """The event stream typed in one pass: the node tree's checks (``yamltree._Builder``) and
    the typing's (``load._Converter``) on each event. A scalar's place is made only where the
    model keeps it (a field's value; not a key, nor an item of a list of text)."""

    def __init__(self, events: list[object], path: str) -> None:
        self.events = events
        self.path = path
        self.nowhere = Span(path)  # the place given to problems (only ever a reason to give up)
        self.diags: list[Diagnostic] = []

    def _start(self, i: int) -> tuple[Any, Span]:
        """The event at ``i`` and its place, when the tree would take it as it is. (No node is
        too deep here: the model nests far less deep than ``yamltree.MAX_DEPTH``, and a node deeper
        than its fields is of a type no field takes.)"""
        event: Any = self.events[i]
        if event.anchor is not None or getattr(event, "tag", None) is not None:
            raise _GiveUp  # an anchor, an alias or a tag
        mark = event.start_mark
        return event, _at(self.path, mark.line + 1, mark.column + 1)

    def _typed(self, event: Any, tp: Any, meta: typing.Mapping[str, Any], span: Span) -> Any:
        """A scalar event's value as ``tp`` (a field's type, or its items'); an empty one is not
        one (``typed_scalar`` takes no empty text)."""
        if event.anchor is not None or event.tag is not None:
            raise _GiveUp  # an anchor or a tag
        text: str = event.value
        plain = bool(event.implicit[0] and not event.style)
        if len(text) > MAX_SCALAR_CHARS or (not event.implicit[0] and check_value(text, self.nowhere)):
            raise _GiveUp  # too long; a character a quoted value may not make with an escape
        value = typed_scalar(text, plain, span, tp, "", meta, self.diags)
        if value is INVALID:
            raise _GiveUp
        return value

    def value(self, i: int, field: _Field) -> tuple[Any, Span, int]:
        """The value of ``field`` whose node (not a scalar) starts at ``i``, its place, and where
        the next node starts."""
        event, span = self._start(i)
        kind = type(event)
        if field.shape == "record" and kind is _MapStart:
            return self.record(i + 1, field.inner, span)
        if field.shape == "tuple" and kind is _SeqStart:
            return self.sequence(i + 1, field, span)
        raise _GiveUp

    def _item_class(self, i: int) -> type:
        """The class an item's ``type`` names (the mapping's entries start at ``i``)."""
        events = self.events
        while type(events[i]) is not _MapEnd:
            key: Any = events[i]
            if type(key) is not _Scalar:
                raise _GiveUp
            if key.value == "type":
                kind: Any = events[i + 1]
                cls = ITEM_TYPES.get(kind.value.strip()) if type(kind) is _Scalar else None
                if cls is None:
                    raise _GiveUp
                return cls
            i = _skip(events, i + 1)
        raise _GiveUp  # no type

    def record(self, i: int, cls: type, span: Span) -> tuple[Any, Span, int]:
        """A record of class ``cls`` from the mapping at ``span`` whose entries start at ``i``."""
        plan = _plan(cls)
        values: dict[str, Any] = {}
        spans: dict[str, Span] = {}
        seen: set[str] = set()
        events = self.events
        while type(key := events[i]) is not _MapEnd:
            # A key names a field once (no field is named by a word YAML 1.1 reads as a boolean: a
            # key that is one is unknown, as is any other key no field has).
            if type(key) is not _Scalar or key.anchor is not None or key.tag is not None:
                raise _GiveUp
            name = key.value
            field = plan.get(name)
            if field is None or name in seen:
                raise _GiveUp  # an unknown field (a merge key ``<<`` is one), a duplicate key
            seen.add(name)
            value: Any = events[i + 1]
            if type(value) is not _Scalar:
                values[name], spans[name], i = self.value(i + 1, field)
                continue
            mark: Any = value.start_mark
            at = _at(self.path, mark.line + 1, mark.column + 1)
            if value.value == "" and value.implicit[0] and not value.style:  # empty
                if value.anchor is not None or value.tag is not None or not (field.has_default or field.optional):
                    raise _GiveUp
                if not field.has_default:
                    values[name], spans[name] = None, at
                i += 2  # (an empty field with a default is as if absent)
                continue
            if field.shape != "scalar":
                raise _GiveUp
            values[name], spans[name] = self._typed(value, field.tp, field.meta, at), at
            i += 2
        if len(values) < len(plan) and any(f.name not in values for f in plan.values() if not f.has_default):
            raise _GiveUp  # a missing field
        return record_of(cls, Pos(span, spans), values), span, i + 1

    def sequence(self, i: int, field: _Field, span: Span) -> tuple[Any, Span, int]:
        """The tuple ``field`` holds, from the list whose entries start at ``i``."""
        values = []
        events = self.events
        if field.item_shape == "scalar":  # text: no place kept
            while type(event := events[i]) is not _SeqEnd:
                if type(event) is not _Scalar:
                    raise _GiveUp
                values.append(self._typed(event, field.inner, field.item_meta, self.nowhere))
                i += 1
        elif field.item_shape in ("record", "union"):
            while type(events[i]) is not _SeqEnd:
                event, at = self._start(i)
                if type(event) is not _MapStart:
                    raise _GiveUp
                cls = self._item_class(i + 1) if field.item_shape == "union" else field.inner
                value, _, i = self.record(i + 1, cls, at)
                values.append(value)
        else:
            raise _GiveUp  # (no such field in the model)
        low, high = field.meta.get("min_items"), field.meta.get("max_items")
        if (high is not None and len(values) > high) or (low is not None and len(values) < low):
            raise _GiveUp
        return tuple(values), span, i + 1
