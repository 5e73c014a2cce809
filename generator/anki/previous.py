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

from .lock import Shipped
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
    """(notes by item id, note types by key) as ``apkg`` shipped them; empty when it is absent."""
    if not apkg.is_file():
        return {}, {}
    fd, tmp = tempfile.mkstemp(suffix=".anki2")
    try:
        with zipfile.ZipFile(apkg) as archive, os.fdopen(fd, "wb") as handle:
            info = archive.getinfo("collection.anki2")
            if info.file_size > MAX_COLLECTION_BYTES:
                raise PreviousPackageError(f"{apkg}: collection too large to compare")
            handle.write(archive.read(info))
        with contextlib.closing(sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)) as conn:
            item_of = {guid: item for item, guid in guids.items()}
            notes = {
                item_of[guid]: Shipped(note_content(flds.split("\x1f"), tags.split()), int(mod))
                for guid, mod, flds, tags in conn.execute("SELECT guid, mod, flds, tags FROM notes")
                if guid in item_of
            }
            (raw,) = conn.execute("SELECT models FROM col").fetchone()
        models = {}
        table = json.loads(raw)
        for key in types:
            entry = table.get(str(stable_id(namespace, "model", key)))
            if isinstance(entry, dict):
                templates = [(t["name"], t["qfmt"], t["afmt"]) for t in entry.get("tmpls", [])]
                content = model_content(entry.get("css", ""), templates, [f["name"] for f in entry.get("flds", [])])
                models[key] = Shipped(content, int(entry.get("mod", 0)))
        return notes, models
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile, sqlite3.Error) as exc:
        raise PreviousPackageError(f"{apkg} is not a package this tool can compare with ({exc})") from None
    finally:
        os.unlink(tmp)
