"""Load stage: YAML files -> model, with every schema problem located (deck files are read
item by item by ``deckfile``; ``engine`` keeps what the reading gave).

Strict YAML (``yamltree``) gives located nodes; :class:`_Converter` types them against the
dataclasses of ``model``, collecting every problem instead of stopping at the first. An item
with a problem is left out of the model, so later checks see only well-formed items. A file
with nothing to report is typed straight from YAML's event stream instead, with no node tree
(``convert.record_from_events``, the same rules): :func:`parse_model` tries that first.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import yamltree
from .convert import INVALID, fields_of, record_from_events, record_of, typed_scalar
from .diagnostics import (
    BadValue,
    Diagnostic,
    MissingField,
    MissingFile,
    Span,
    TooLarge,
    UnknownField,
    UnknownType,
    UnsafePath,
    WrongCount,
    WrongType,
)
from .model import ITEM_TYPES, Catalog, Deck, Item, Pos, ProjectConfig, Quote, annotation_shape
from .paths import CATALOG_FILE, PROJECT_FILE, deck_files, display_path, inside, read_input
from .yamltree import Mapping, Node, Scalar, Sequence, describe

_SURROGATE = re.compile(r"[\ud800-\udfff]")


class _Converter:
    """Types a node tree against a model class; ``diags`` collects every problem."""

    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []

    def convert(self, node: Node, tp: Any, name: str, meta: typing.Mapping[str, Any]) -> Any:
        shape, inner, optional = annotation_shape(tp)
        if shape == "union":
            if optional and isinstance(node, Scalar) and node.is_null:
                return None
            if inner is not None:
                return self.convert(node, inner, name, meta)
            return self.item(node, name)
        if shape == "record":
            return self.record(node, inner, name)
        if shape == "tuple":
            return self.sequence(node, inner, name, meta)
        if not isinstance(node, Scalar) or node.is_null:
            what = "a value" if isinstance(node, Scalar) else describe(node)
            cls = MissingField if isinstance(node, Scalar) else WrongType
            self.diags.append(cls.at(node.span, f"{name}: expected {_expect(tp)}, got {what}"))
            return INVALID
        return self.scalar(node, tp, name, meta)

    def scalar(self, node: Scalar, tp: Any, name: str, meta: typing.Mapping[str, Any]) -> Any:
        return typed_scalar(node.value, node.plain, node.span, tp, name, meta, self.diags)

    def sequence(self, node: Node, tp: Any, name: str, meta: typing.Mapping[str, Any]) -> Any:
        if not isinstance(node, Sequence):
            self.diags.append(WrongType.at(node.span, f"{name}: expected a list, got {describe(node)}"))
            return INVALID
        low, high = meta.get("min_items"), meta.get("max_items")
        if high is not None and len(node.items) > high:
            cls = TooLarge if high >= 1000 else WrongCount
            self.diags.append(cls.at(node.span, f"{name}: {len(node.items)} entries; at most {high}"))
            return INVALID
        if low is not None and len(node.items) < low:
            self.diags.append(WrongCount.at(node.span, f"{name}: {len(node.items)} entries; at least {low}"))
        item_meta = {"pattern": meta["items_pattern"]} if "items_pattern" in meta else {}
        values = [self.convert(child, tp, f"{name}[{i + 1}]", item_meta) for i, child in enumerate(node.items)]
        if low is not None and len(node.items) < low:
            return INVALID
        if annotation_shape(tp)[0] == "union":  # items: keep the good ones so every later check still runs on them
            return tuple(v for v in values if v is not INVALID)
        if any(v is INVALID for v in values):
            return INVALID
        return tuple(values)

    def item(self, node: Node, name: str) -> Any:
        """An item: its ``type`` key picks the class."""
        if not isinstance(node, Mapping):
            self.diags.append(WrongType.at(node.span, f"{name}: an item is a mapping, got {describe(node)}"))
            return INVALID
        kind = next((v for k, v in node.entries if k.value == "type"), None)
        if kind is None:
            self.diags.append(MissingField.at(node.span, f"{name}: item has no type"))
            return INVALID
        cls = ITEM_TYPES.get(kind.value.strip()) if isinstance(kind, Scalar) else None
        if cls is None:
            got = kind.value if isinstance(kind, Scalar) else describe(kind)
            hint = difflib.get_close_matches(str(got), ITEM_TYPES, 1)
            more = f"; did you mean {hint[0]!r}?" if hint else f"; one of {', '.join(ITEM_TYPES)}"
            self.diags.append(UnknownType.at(kind.span, f"{name}: unknown item type {got!r}{more}"))
            return INVALID
        return self.record(node, cls, name)

    def record(self, node: Node, cls: type, name: str) -> Any:
        if not isinstance(node, Mapping):
            self.diags.append(WrongType.at(node.span, f"{name}: expected a mapping, got {describe(node)}"))
            return INVALID
        fields = fields_of(cls)
        label = _label(node, name)
        values: dict[str, Any] = {}
        spans: dict[str, Span] = {}
        ok = True
        for key, value in node.entries:
            known = fields.get(key.value)
            if known is None:
                hint = difflib.get_close_matches(key.value, fields, 1)
                more = f"; did you mean {hint[0]!r}?" if hint else f"; known: {', '.join(fields)}"
                self.diags.append(UnknownField.at(key.span, f"{label}: unknown field {key.value!r}{more}"))
                continue  # reported; the record stays usable so its other checks still run
            f, tp, _ = known
            if isinstance(value, Scalar) and value.is_null and f.default is not dataclasses.MISSING:
                continue  # an empty optional field is as if absent
            converted = self.convert(value, tp, f"{label}.{f.name}", f.metadata)
            spans[f.name] = value.span
            if converted is INVALID:
                ok = False
            else:
                values[f.name] = converted
        for field_name, (_, _, required) in fields.items():
            if required and field_name not in values and field_name not in spans:
                self.diags.append(MissingField.at(node.span, f"{label}: missing field {field_name!r}"))
                ok = False
        if not ok:
            return INVALID
        return record_of(cls, Pos(node.span, spans), values)


def check_text(text: str, name: str) -> str | None:
    """Why text given outside a file (a command-line argument) could not stand in one, or None:
    the project file's cap on a value's length and its character checks, and bytes that are not
    UTF-8 (Python keeps them as lone surrogates)."""
    if len(text) > yamltree.MAX_SCALAR_CHARS:
        return f"{name}: {len(text):,} characters; the cap is {yamltree.MAX_SCALAR_CHARS:,}"
    if bad := _SURROGATE.search(text):
        code = ord(bad.group())
        if code >= 0xDC80:  # an undecodable byte, as surrogateescape keeps it
            return f"{name}: invalid UTF-8 byte 0x{code - 0xDC00:02x}"
        return f"{name}: lone surrogate U+{code:04X}"
    for problem in yamltree.check_value(text, Span(name)):
        return f"{name}: {problem.message}"
    return None


def setting(cls: type, field: str, text: str, name: str) -> Any:
    """A project-file setting (``cls``'s ``field``) given as text, e.g. on the command line, held
    to the file's rules: its field's metadata, the loader's conversion and :func:`check_text`.
    Raises ValueError with the problem, told as ``name: ...``."""
    if problem := check_text(text, name):
        raise ValueError(problem)
    f, tp, _ = fields_of(cls)[field]
    shape, inner, _ = annotation_shape(tp)
    conv = _Converter()
    value = conv.scalar(Scalar(text, Span(name), True), inner if shape == "union" else tp, name, f.metadata)
    if conv.diags:
        raise ValueError(conv.diags[0].message)
    return value


def _label(node: Mapping, name: str) -> str:
    """``items[3]`` becomes ``items[3] (id-of-item)`` when the mapping has an id, for clearer messages."""
    ident = next((v for k, v in node.entries if k.value == "id"), None)
    if isinstance(ident, Scalar) and ident.value and "items[" in name:
        return f"{name} ({ident.value.strip()[:60]})"
    return name


def _expect(tp: Any) -> str:
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    return "text"


def read_model(path: Path, cls: type, name: str, root: Path | None = None) -> tuple[Any, list[Diagnostic]]:
    """One YAML file -> an instance of ``cls`` (or None) and every problem found in it.
    ``root``: as for ``read_input``."""
    data, diags = read_input(path, f"{name} file", root=root)
    if data is None:
        return None, diags
    return parse_model(data, display_path(path), cls, name)


def parse_model(data: bytes, shown: str, cls: type, name: str,
                decoded: tuple[str | None, list[Diagnostic]] | None = None) -> tuple[Any, list[Diagnostic]]:
    """The bytes of one YAML file -> an instance of ``cls`` (or None) and every problem in it
    (``decoded``: as for ``yamltree.read``)."""
    text, events, diags = yamltree.read(data, shown, decoded)
    if not events:
        return None, diags
    value = record_from_events(events, shown, cls)  # the fast path, for a file with nothing to report
    if value is not None:
        return value, diags
    value, more = typed_tree(events, text, shown, cls, name)
    return value, diags + more


def typed_tree(events: list[object], text: str, shown: str, cls: type, name: str) -> tuple[Any, list[Diagnostic]]:
    """The plain path: ``text``'s event stream as a node tree, typed as ``cls`` (or None), with
    every problem in either."""
    node, diags = yamltree.tree(events, text, shown)
    if node is None:
        return None, diags
    conv = _Converter()
    value = conv.record(node, cls, name)
    return (None if value is INVALID else value), diags + conv.diags


@dataclass(frozen=True)
class Project:
    """Everything loaded from a project folder, before cross-checks."""

    root: Path
    config: ProjectConfig | None
    catalog: Catalog | None
    decks: tuple[Deck, ...]
    files: int

    @property
    def items(self) -> list[Item]:
        return [item for deck in self.decks for item in deck.items]

    @functools.cached_property
    def speakers(self) -> list[str]:
        """Every quote item's speaker, once each (case ignored), sorted: worked out once (each
        export asks it for every quote item)."""
        found: dict[str, str] = {}
        for item in self.items:
            if isinstance(item, Quote):
                found.setdefault(item.speaker.casefold(), item.speaker)
        return sorted(found.values())


def _output_inside(root: Path, config: ProjectConfig) -> list[Diagnostic]:
    """``build.out`` must be a folder of its own inside the project (it is replaced as a whole)."""
    out = config.build.out
    span = config.build.pos.of("out")
    why = inside(root, out)
    if why:
        return [UnsafePath.at(span, f"build.out {out!r} {why}; it must stay inside the project"
                                    " (give another folder with --out)")]
    first = Path(out).parts[0] if Path(out).parts else "."
    if first in (".", "decks", "seeds", "schema", "generator", "tests", ".git"):
        return [UnsafePath.at(span, f"build.out {out!r} would replace the project's own files; use a folder"
                                    " of its own such as dist")]
    return []


def _points_cap(config: ProjectConfig) -> list[Diagnostic]:
    """``quiz.points.cap`` limits the points of a part-scored question only: with ``per: question``
    it would be silently ignored."""
    points = config.quiz.points
    if points.cap is None or points.per == "part":
        return []
    return [BadValue.at(points.pos.of("cap"), f"project.quiz.points.cap: {points.cap} applies only with per: part"
                                              " (per: question makes every question worth 1 point)")]


def load_settings(root: Path, read: Callable[..., tuple[Any, list[Diagnostic]]] | None = None,
                  ) -> tuple[ProjectConfig | None, Catalog | None, list[Diagnostic]]:
    """The project file and the source catalog, and every problem with them (see
    :func:`settings_problems`). ``read``: :func:`read_model` or one like it (the engine's keeps
    what it parsed)."""
    read = read or read_model
    config, diags = read(root / PROJECT_FILE, ProjectConfig, "project", root)
    catalog, more = read(root / CATALOG_FILE, Catalog, "catalog", root)
    return config, catalog, diags + more + settings_problems(root, config)


def settings_problems(root: Path, config: ProjectConfig | None) -> list[Diagnostic]:
    """What is wrong with the project beyond its two files' own content: ``build.out``, the
    points cap, and the decks/ folder's presence."""
    diags = _output_inside(root, config) + _points_cap(config) if config is not None else []
    if not (root / "decks").is_dir():
        diags.append(MissingFile.at(Span(display_path(root / "decks")), "no decks/ folder"))
    elif not deck_files(root):
        diags.append(MissingFile.at(Span(display_path(root / "decks")), "no deck files (decks/*.yaml)"))
    return diags
