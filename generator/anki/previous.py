"""What a previously built package gave learners: per note and per note type, its content and
change time. ``build`` reads the package it is about to replace (or one named with
``--previous``) so that a changed note's time is always later than the one learners have.

Contents are compared as :func:`note_content` / :func:`model_content` strings, made the same way
from a package's SQLite rows and from the notes about to be written.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from .lock import Shipped, checked_time, latest_time
from .notes import NoteSpec
from .notetypes import NoteType, stable_id

MAX_COLLECTION_BYTES = 512 * 1024 * 1024
MAX_VALUE_BYTES = 64 * 1024 * 1024  # one text or blob SQLite may hand us (a note type table is ~60 KB)
MAX_NOTES = 2_000_000  # rows of the notes table read (the lock's own cap is about as many notes)
MAX_SECONDS = 120.0  # reading the collection; a real one of two million notes takes seconds
# The collection inside a package, newest format first. Anki 2.1.50 and later export the
# current format (``collection.anki21b``, zstd-compressed, schema 18: note types in tables of
# their own, encoded as protobuf) unless "Support older Anki versions" is ticked; older ones, and
# that option, write ``collection.anki21`` (schema 11, as genanki writes). Both come with a
# placeholder ``collection.anki2`` that holds only a "please update Anki" note.
CURRENT, LEGACY, OLDEST = "collection.anki21b", "collection.anki21", "collection.anki2"
_CURRENT_FORMAT = (f"is a package exported by Anki in its current format ({CURRENT}, compressed), which this tool cannot"
                   " read; export it again in Anki with \"Support older Anki versions\" ticked, or give the"
                   " package `studydeck build` wrote")


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


class _CurrentFormat(PreviousPackageError):
    """A package in Anki's current export format: the message says all (what to do instead)."""


def read_shipped(apkg: Path, guids: dict[str, str], namespace: str,
                 types: Iterable[str]) -> tuple[dict[str, Shipped], dict[str, Shipped]]:
    """(notes by item id, note types by key) as ``apkg`` shipped them; empty when it is absent.

    The package is input like any other (it may be anyone's file, or a fuzzer's): every value
    taken from it is checked, and a time must pass the lock's rule (:func:`lock.checked_time`),
    since it goes into the lock."""
    if not apkg.is_file():
        return {}, {}
    latest = latest_time()
    try:
        with tempfile.TemporaryDirectory(prefix="studydeck-previous-") as folder:
            db = Path(folder) / "collection.sqlite"
            db.write_bytes(_collection(apkg))
            with contextlib.closing(_open(db)) as conn:
                notes = _shipped_notes(conn, {guid: item for item, guid in guids.items()}, latest)
                (raw,) = conn.execute("SELECT models FROM col").fetchone() or (None,)
        return notes, _shipped_models(raw, namespace, types, latest)
    except _CurrentFormat:
        raise
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile, sqlite3.Error) as exc:
        raise PreviousPackageError(f"{apkg} is not a package this tool can compare with ({exc})") from None


def _collection(apkg: Path) -> bytes:
    """The bytes of the package's real collection (never the placeholder beside a newer one)."""
    with zipfile.ZipFile(apkg) as archive:
        names = set(archive.namelist())
        if CURRENT in names:
            raise _CurrentFormat(f"{apkg} {_CURRENT_FORMAT}")
        info = archive.getinfo(LEGACY if LEGACY in names else OLDEST)
        if info.file_size > MAX_COLLECTION_BYTES:
            raise PreviousPackageError("collection too large to compare")
        return archive.read(info)


def _open(db: Path) -> sqlite3.Connection:
    """The collection, read-only, with limits: its ``notes`` and ``col`` must be plain tables (a
    view can recurse forever or build a value of any size), no value longer than
    ``MAX_VALUE_BYTES``, and every statement interrupted after ``MAX_SECONDS`` in all."""
    conn = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True)  # (quoted: a '#' or '?' in TMPDIR)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    deadline = time.monotonic() + MAX_SECONDS
    conn.set_progress_handler(lambda: time.monotonic() > deadline, 1_000)
    kinds = dict(conn.execute("SELECT name, CASE WHEN type = 'table' AND sql NOT LIKE 'CREATE TABLE%'"
                              " THEN 'virtual table' ELSE type END FROM sqlite_master WHERE name IN ('notes', 'col')"))
    for name in ("notes", "col"):
        if kinds.get(name) != "table":
            conn.close()
            what = f"a {kinds[name]}" if name in kinds else "missing"
            raise PreviousPackageError(f"its {name} table is {what}, not a plain table")
    return conn


def _shipped_notes(conn: sqlite3.Connection, item_of: dict[str, str], latest: int) -> dict[str, Shipped]:
    """The notes of ours (by guid) in the collection, by item id."""
    notes = {}
    rows = conn.execute("SELECT guid, mod, flds, tags FROM notes LIMIT ?", (MAX_NOTES + 1,))
    for row, (guid, mod, flds, tags) in enumerate(rows):
        if row == MAX_NOTES:
            raise PreviousPackageError(f"more than {MAX_NOTES:,} notes")
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
