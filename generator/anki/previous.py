"""What a previously built package gave learners: per note and per note type, its content and
change time. ``build`` reads the package it is about to replace (or one named with
``--previous``) so that a changed note's time is always later than the one learners have.

Contents are compared as :func:`note_content` / :func:`model_content` strings, made the same way
from a package's SQLite rows and from the notes about to be written.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from .lock import Shipped, checked_time, latest_time
from .notes import NoteSpec
from .notetypes import NoteType, stable_id

MAX_COLLECTION_BYTES = 512 * 1024 * 1024


def note_content(fields: Iterable[str], tags: Iterable[str]) -> str:
    return "\x1f".join(fields) + "\x1e" + " ".join(sorted(tags))


def model_content(css: str, templates: Iterable[tuple[str, str, str]], fields: Iterable[str]) -> str:
    return json.dumps([css, [list(t) for t in templates], list(fields)])


def spec_content(spec: NoteSpec) -> str:
    return note_content(spec.fields, spec.tags)


def type_content(note_type: NoteType) -> str:
    return model_content(note_type.css, note_type.templates, note_type.fields)


class PreviousPackageError(ValueError):
    """A package named to compare with is not a readable Anki package."""


def read_shipped(apkg: Path, guids: dict[str, str], namespace: str,
                 types: Iterable[str]) -> tuple[dict[str, Shipped], dict[str, Shipped]]:
    """(notes by item id, note types by key) as ``apkg`` shipped them; empty when it is absent.

    The package is input like any other (it may be anyone's file, or a fuzzer's): every value
    taken from it is checked, and a time must pass the lock's rule (:func:`lock.checked_time`),
    since it goes into the lock."""
    if not apkg.is_file():
        return {}, {}
    latest = latest_time()
    fd, tmp = tempfile.mkstemp(suffix=".anki2")
    try:
        with zipfile.ZipFile(apkg) as archive, os.fdopen(fd, "wb") as handle:
            info = archive.getinfo("collection.anki2")
            if info.file_size > MAX_COLLECTION_BYTES:
                raise PreviousPackageError("collection too large to compare")
            handle.write(archive.read(info))
        with contextlib.closing(sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)) as conn:
            notes = _shipped_notes(conn, {guid: item for item, guid in guids.items()}, latest)
            (raw,) = conn.execute("SELECT models FROM col").fetchone()
        return notes, _shipped_models(raw, namespace, types, latest)
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile, sqlite3.Error) as exc:
        raise PreviousPackageError(f"{apkg} is not a package this tool can compare with ({exc})") from None
    finally:
        os.unlink(tmp)


def _shipped_notes(conn: sqlite3.Connection, item_of: dict[str, str], latest: int) -> dict[str, Shipped]:
    """The notes of ours (by guid) in the collection, by item id."""
    notes = {}
    for guid, mod, flds, tags in conn.execute("SELECT guid, mod, flds, tags FROM notes"):
        item = item_of.get(guid) if isinstance(guid, str) else None
        if item is None:
            continue  # someone else's note, or no note at all: never read
        where = f"note {item!r}"
        content = note_content(_of(flds, str, f"{where}: flds").split("\x1f"), _of(tags, str, f"{where}: tags").split())
        notes[item] = Shipped(content, _time(mod, f"{where}: mod", latest))
    return notes


def _shipped_models(raw: object, namespace: str, types: Iterable[str], latest: int) -> dict[str, Shipped]:
    """Our note types in the collection's ``models`` JSON, by key."""
    text = _of(raw, str, "col.models")
    try:
        data = json.loads(text)
    except RecursionError:
        raise PreviousPackageError("col.models: nested too deeply") from None
    except ValueError as exc:
        raise PreviousPackageError(f"col.models is not JSON ({exc})") from None
    table = _of(data, dict, "col.models")
    models = {}
    for key in types:
        entry = table.get(str(stable_id(namespace, "model", key)))
        if entry is not None:  # (absent: that package had no such note type)
            models[key] = _shipped_model(_of(entry, dict, f"note type {key!r}"), f"note type {key!r}: ", latest)
    return models


def _shipped_model(entry: dict[str, Any], where: str, latest: int) -> Shipped:
    """One note type's content and time, from its entry in ``models``."""
    templates = []
    for n, template in enumerate(_of(entry.get("tmpls", []), list, f"{where}tmpls")):
        template = _of(template, dict, f"{where}tmpls[{n}]")
        templates.append(tuple(_member(template, name, f"{where}tmpls[{n}].{name}", str)
                               for name in ("name", "qfmt", "afmt")))
    fields = [_member(_of(field, dict, f"{where}flds[{n}]"), "name", f"{where}flds[{n}].name", str)
              for n, field in enumerate(_of(entry.get("flds", []), list, f"{where}flds"))]
    css = _of(entry.get("css", ""), str, f"{where}css")
    return Shipped(model_content(css, templates, fields), _time(_member(entry, "mod", f"{where}mod"), f"{where}mod",
                                                                latest))


T = TypeVar("T")
_KINDS = {type(None): "null", bool: "a boolean", int: "a number", float: "a number", str: "text",
          bytes: "a blob", list: "a list", dict: "an object"}


def _of(value: object, kind: type[T], what: str) -> T:
    """``value`` when it is of ``kind`` exactly (a bool is no number), else the error naming what
    it is instead."""
    if type(value) is not kind:
        raise PreviousPackageError(f"{what} is {_KINDS.get(type(value), 'something else')}, not {_KINDS[kind]}")
    return value


def _member(entry: dict[str, Any], name: str, what: str, kind: type = object) -> Any:
    """``entry[name]`` (of ``kind``, unless any will do), or the error saying it is missing."""
    if name not in entry:
        raise PreviousPackageError(f"{what} is missing")
    return entry[name] if kind is object else _of(entry[name], kind, what)


def _time(value: object, what: str, latest: int) -> int:
    """A change time, by the lock's rule: the build writes it into the lock."""
    try:
        return checked_time(value, latest)
    except ValueError as exc:
        raise PreviousPackageError(f"{what} {exc}") from None
