"""JSON Schema of the deck format, generated from the model's dataclasses.

The committed copy (``schema/deck.schema.json``) lets editors validate while typing; a test fails
when it is stale. Regenerate it with ``studydeck schema > schema/deck.schema.json``.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any, Literal

from .convert import hints as _hints
from .model import Deck, Item, annotation_shape, format_fields

SCHEMA_ID = "https://studydeck.invalid/schema/deck.schema.json"


def _type_schema(tp: Any, meta: typing.Mapping[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if annotation_shape(tp)[0] == "union":
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _type_schema(args[0], meta, defs)
        return {"oneOf": [_type_schema(a, {}, defs) for a in args]}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}
            defs[name] = _record_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    if typing.get_origin(tp) is tuple:
        out: dict[str, Any] = {"type": "array"}
        item = {"pattern": meta["items_pattern"]} if "items_pattern" in meta else {}
        out["items"] = _type_schema(typing.get_args(tp)[0], item, defs)
        if "min_items" in meta:
            out["minItems"] = meta["min_items"]
        if "max_items" in meta:
            out["maxItems"] = meta["max_items"]
        return out
    if typing.get_origin(tp) is Literal:
        options = list(typing.get_args(tp))
        return {"const": options[0]} if len(options) == 1 else {"enum": options}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        out = {"type": "integer"}
        for key, name in (("minimum", "minimum"), ("maximum", "maximum")):
            if key in meta:
                out[name] = meta[key]
        return out
    # Text fields take any scalar: the loader reads `answer: 1965` as the text "1965", while an
    # editor's YAML 1.2 reading sees a number; the schema must not flag what check accepts.
    out = {"type": ["string", "number", "boolean"], "minLength": 1}
    if "pattern" in meta:
        out["pattern"] = meta["pattern"]
    return out


def _record_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    fields = sorted(format_fields(cls), key=lambda f: (f.name not in ("id", "type"), f.name != "type"))
    props: dict[str, Any] = {}
    required = []
    for f in fields:
        prop = _type_schema(hints[f.name], f.metadata, defs)
        if "doc" in f.metadata:
            prop = {"description": f.metadata["doc"], **prop}
        if f.default is dataclasses.MISSING:
            required.append(f.name)
        props[f.name] = prop
    out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        out["required"] = required
    if cls.__doc__ and issubclass(cls, Item) and cls is not Item:
        out = {"title": cls.__name__, **out}
    return out


def deck_schema() -> dict[str, Any]:
    """The JSON Schema of a deck file."""
    defs: dict[str, Any] = {}
    root = _record_schema(Deck, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "studydeck deck file",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    return json.dumps(deck_schema(), indent=2, ensure_ascii=False) + "\n"
