"""Write stage for Anki: notes -> the bytes of a reproducible ``.apkg``.

genanki fills a fresh SQLite collection; then each note gets its own change time from the lock
and each note type its own, and the zip is written with fixed entry times, order and
compression, so the same inputs give the same bytes whatever PYTHONHASHSEED or the clock says.
"""

from __future__ import annotations

import html
import io
import itertools
import json
import os
import shutil
import sqlite3
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

from ..diagnostics import OutputError
from .notes import NoteSpec
from .notetypes import NoteType, note_types, stable_id

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(OutputError):
    """SQLite could not assemble the collection (out of memory, a database error)."""


def _model(note_type: NoteType, namespace: str):  # type: ignore[no-untyped-def]
    import genanki

    return genanki.Model(
        stable_id(namespace, "model", note_type.key),
        note_type.name,
        fields=[{"name": name} for name in note_type.fields],
        templates=[{"name": name, "qfmt": front, "afmt": back} for name, front, back in note_type.templates],
        css=note_type.css,
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
        sort_field_index=0,
    )


def build_package(
    notes: list[NoteSpec],
    decks: dict[str, str],
    namespace: str,
    note_times: dict[str, int],
    model_times: dict[str, int],
    folder: Path,
) -> bytes:
    """The .apkg bytes. ``decks`` maps full deck names (parent first) to descriptions. The
    collection is built in a file in ``folder`` (an empty folder of our own), then compressed from
    it piece by piece: a big bank's collection (100 MB at 50,000 notes) is never held in memory, let
    alone twice (the database, then its bytes)."""
    import genanki

    class Deck(genanki.Deck):  # type: ignore[misc]
        """A deck with its notes (``specs``) and what writing them needs (``rows``: the note types,
        the change times, the card ordinals worked out): the instance's own, never the class's (a
        class is in a reference cycle, and with the collector off whatever it held would outlive
        the build)."""

        def write_to_db(self, cursor, timestamp, id_gen):  # type: ignore[no-untyped-def]
            """genanki's, then this deck's notes and cards written as genanki writes them, row by
            row in the same order (so the collection's bytes are the same), without a genanki
            Note for each: each gets its own change time (from the lock) instead of the
            package's, and the markup check was done where the note was compiled
            (``notes.check_html``)."""
            super().write_to_db(cursor, timestamp, id_gen)
            models, times, ords = self.rows
            for spec in self.specs:
                _write_note(cursor, spec, models[spec.kind], times[spec.item_id], self.deck_id, id_gen, ords)

    models = {key: _model(t, namespace) for key, t in note_types().items()}
    ords: dict[tuple[int, tuple[bool, ...]], list[int]] = {}  # see _write_note
    anki_decks = {}
    for name, desc in decks.items():
        anki_decks[name] = deck = Deck(stable_id(namespace, "deck", name), name, description=description_html(desc))
        deck.specs, deck.rows = [], (models, note_times, ords)
    for spec in notes:
        anki_decks[spec.deck].specs.append(spec)
        anki_decks[spec.deck].add_model(models[spec.kind])  # as genanki adds each note's, in note order
    stamp = max([*note_times.values(), *model_times.values(), 0])
    path = str(folder / "collection.anki2")
    try:
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # a file nobody else opens, thrown away after
            conn.execute("PRAGMA synchronous = OFF")
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # anything genanki warns of would be a bug of ours: fail loudly
                genanki.Package(list(anki_decks.values())).write_to_db(
                    conn.cursor(), stamp, itertools.count(stamp * 1000)
                )
            _stamp_models(conn, models, model_times)
            conn.commit()
            # No VACUUM: it would rewrite the whole file (about 60 ms for 10,000 notes) to reclaim
            # the few pages the rewritten note-type row freed; the bytes are the same for the
            # same inputs.
        finally:
            conn.close()
        _unversioned(path)
        writer = ZipWriter()
        writer.add_file("collection.anki2", path)
        writer.add("media", b"{}")
        return writer.close()
    except (sqlite3.Error, MemoryError, OSError) as exc:
        raise PackageError(f"could not assemble the Anki collection: {exc}") from None


def _unversioned(path: str) -> None:
    """The database header's change counter, and the SQLite version that last wrote the file with
    the counter it is valid for, set to 0 (as a database built in memory has them): the bytes then
    depend neither on the SQLite library nor on how many transactions built the file."""
    with open(path, "r+b") as db:
        db.seek(24)
        db.write(bytes(4))  # file change counter
        db.seek(92)
        db.write(bytes(8))  # version-valid-for number, SQLITE_VERSION_NUMBER


# genanki's ``Card.write_to_db``: a new card's row (ivl, factor, reps, lapses, left, odue, odid,
# flags, data); never suspended, so its queue is 0.
_CARD = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"
_NEW_CARD = (0, 0, 0, 0, 0, 0, 0, 0, "")


def _write_note(cursor, spec: NoteSpec, model, mod: int, deck_id: int, id_gen,  # type: ignore[no-untyped-def]
                ords: dict[tuple[int, tuple[bool, ...]], list[int]]) -> None:
    """One note and its cards, as genanki's ``Note.write_to_db`` writes them (its own card
    rules, ``_front_back_cards`` and ``_cloze_cards``, decide which cards a note has; a
    front/back note's depend only on which of its fields are empty, so they are asked once for
    each such pattern, kept in ``ords``)."""
    import genanki

    fields = spec.fields
    if len(fields) != len(model.fields):
        raise ValueError(f"{spec.item_id}: {len(fields)} fields for {len(model.fields)} in its note type")
    for tag in spec.tags:
        if " " in tag:
            genanki.note._TagList._validate_tag(tag)  # (raises, in genanki's words)
    cursor.execute("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);", (
        next(id_gen), spec.guid, model.model_id, mod, -1, " " + " ".join(spec.tags) + " ", "\x1f".join(fields),
        fields[model.sort_field_index], 0, 0, ""))
    note_id = cursor.lastrowid
    cards: list[int] | None
    if model.model_type == model.CLOZE:
        cards = [card.ord for card in genanki.Note._cloze_cards(_Fields(model, list(fields)))]
    else:
        pattern = (model.model_id, tuple(map(bool, fields)))
        if (cards := ords.get(pattern)) is None:
            cards = ords[pattern] = [card.ord for card in genanki.Note._front_back_cards(_Fields(model, list(fields)))]
    for ordinal in cards:
        cursor.execute(_CARD, (next(id_gen), note_id, deck_id, ordinal, mod, -1, 0, 0, spec.due, *_NEW_CARD))


class _Fields(NamedTuple):
    """What genanki's card rules read of a note."""

    model: object
    fields: list[str]


def _stamp_models(conn: sqlite3.Connection, models: dict[str, object], model_times: dict[str, int]) -> None:
    """Each note type gets its own change time (the notes got theirs as they were written)."""
    (raw,) = conn.execute("SELECT models FROM col").fetchone()
    table = json.loads(raw)
    for key, model in models.items():
        entry = table.get(str(model.model_id))  # type: ignore[attr-defined]
        if entry is not None:  # genanki writes only the note types some note uses
            entry["mod"] = model_times.get(key, entry["mod"])
    conn.execute("UPDATE col SET models = ?", (json.dumps(table, sort_keys=True),))


def description_html(text: str) -> str:
    """A deck description as Anki shows it (raw HTML in the deck overview): plain text, escaped,
    with its paragraphs kept. No markup from the project file ever reaches the overview."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


_LEVEL = 1  # fast; still about a third of the size


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return info


class ZipWriter:
    """The one reproducible zip writer (the package, the QTI packages): entries in the order added,
    with fixed times and attributes, each compressed as it is added."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._archive = zipfile.ZipFile(self._buffer, "w")

    def add(self, name: str, data: bytes) -> None:
        self._archive.writestr(_entry(name), data, compresslevel=_LEVEL)

    def add_file(self, name: str, path: str) -> None:
        """The file's bytes, read and compressed a piece at a time (the same bytes ``add`` gives)."""
        info = _entry(name)
        info.file_size = os.path.getsize(path)  # (as ``add`` sets it before writing: the same header)
        info._compresslevel = _LEVEL  # type: ignore[attr-defined]  # (what ``writestr`` sets)
        with open(path, "rb") as source, self._archive.open(info, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)

    def close(self) -> bytes:
        """The zip's bytes (nothing can be added after)."""
        self._archive.close()
        return self._buffer.getvalue()
