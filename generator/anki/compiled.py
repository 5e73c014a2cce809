"""Compile stage for Anki, per deck file, with a cache.

Each file's notes are kept in the cache under its path (with the corpus, the code, and the
project's namespace and collection name): whole when the file's content is unchanged, and item
by item (:func:`notes.item_key`, the item's content) otherwise, so a build after an edit compiles
only the items that changed, and reads back from the check's cache only those items. A build
compiles each file right where the check parsed it (:func:`compile_parsed`, run in the check's
worker processes on a cold cache); :func:`compile_files` then gathers the notes, compiling
whatever is not in the cache (the cache off, an entry gone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import facts
from ..cache import Cache, key
from ..diagnostics import Span
from ..load import Project
from ..model import Deck, ProjectConfig
from ..pipeline import Checked, FileResult, Parsed, load_deck
from ..sources import Corpus
from .notes import DeckNotes, Entry, Known, NoteSpec, compile_items, deck_entries, deck_name, place

_Part = tuple[DeckNotes, dict[str, tuple[int, int]], tuple[str, str]]  # notes, where types stand, (name, description)


@dataclass(frozen=True)
class Compiled:
    notes: list[NoteSpec]  # placed in the learning order
    types: dict[str, Span]  # where each item's ``type`` stands (for the lock's type check)
    descriptions: dict[str, str]  # each deck's full name -> its description


def _note_plain(n: NoteSpec) -> list[Any]:
    # Fields joined by the separator Anki itself uses (a list if a field held it): one JSON
    # string a note instead of one a field reads back faster.
    joined = "\x1f".join(n.fields)
    fields = joined if joined.count("\x1f") == len(n.fields) - 1 else list(n.fields)
    return [n.item_id, n.kind, n.deck, fields, list(n.tags), n.guid, n.fingerprint()]


def _note(data: Any, due: int = 0) -> NoteSpec:
    i, k, d, f, t, g, h = data
    fields = tuple(f.split("\x1f") if isinstance(f, str) else f)
    return NoteSpec(i, k, d, fields, tuple(t), g, due, h if isinstance(h, str) else "")


def _date(data: Any) -> facts.Date | None:
    return facts.Date(*data) if data is not None else None


def _to_plain(file_key: str, deck: tuple[str, str], part: DeckNotes, keys: list[str], known: list[Known],
              bases: list[int]) -> dict[str, Any]:
    items = [[k, _note_plain(kn.note), [kn.date.year, kn.date.month, kn.date.day] if kn.date else None, n.due,
              list(kn.type_at), base]
             for k, kn, n, base in zip(keys, known, part.notes, bases, strict=True)]
    return {"file": file_key, "deck": list(deck), "dated": part.dated, "items": items}


def _whole(data: Any) -> _Part:
    """The file's notes as they were cached."""
    notes, types = [], {}
    for _, note, _, due, (line, col), base in data["items"]:
        spec = _note(note, due)
        notes.append(spec)
        types[spec.item_id] = (line + base, col)
    name, description = data["deck"]
    return DeckNotes(bool(data["dated"]), tuple(notes)), types, (str(name), str(description))


def _known(stored: Any) -> dict[str, Known]:
    """The notes of an entry by item key (those of the path's previous content)."""
    try:
        return {k: Known(_note(note), _date(date), (int(type_at[0]), int(type_at[1])))
                for k, note, date, _, type_at, _ in stored["items"]}
    except (KeyError, TypeError, ValueError):
        return {}


def _path_key(config: ProjectConfig, corpus_key: str, path: Path, shown: str) -> str:
    return "n" + key(path, shown, b"", f"{corpus_key}\0{config.id}\0{config.collection}")


def _compile(config: ProjectConfig, corpus: Corpus, corpus_key: str, result: FileResult, head: Deck,
             entries: Sequence[Entry], cache: Cache) -> _Part:
    """One file's notes, reusing those of its unchanged items; cached under its path."""
    assert result.key is not None
    path_key = _path_key(config, corpus_key, result.path, result.shown)
    project = Project(result.path, config, None, (), 0)
    part, keys, known = compile_items(project, corpus, head, entries, _known(cache.get(path_key)))
    deck = (deck_name(config.collection, head), head.description or "")
    bases = [e.base for e in entries]
    cache.put(path_key, _to_plain(result.key, deck, part, keys, known, bases))
    types = {n.item_id: (kn.type_at[0] + base, kn.type_at[1]) for n, kn, base in zip(part.notes, known, bases, strict=True)}
    return part, types, deck


def compile_parsed(parsed: Parsed) -> None:
    """The check's hook: compile a file where it was just parsed (see ``pipeline.Parsed``)."""
    if parsed.config is not None:
        entries = [Entry(text, base, item) for text, base, item in parsed.items]
        _compile(parsed.config, parsed.corpus, parsed.corpus_key, parsed.result, parsed.head, entries, parsed.cache)


def compile_files(checked: Checked) -> Compiled:
    """Every note of the checked project: each file's from the cache when its content is
    unchanged, else compiled now."""
    config = checked.project.config
    assert config is not None
    cache = Cache(checked.project.root)
    parts: list[_Part] = []
    for result in checked.files:
        stored = cache.get(_path_key(config, checked.corpus_key, result.path, result.shown))
        if isinstance(stored, dict) and stored.get("file") == result.key:
            try:
                parts.append(_whole(stored))
                continue
            except (KeyError, TypeError, ValueError):
                pass
        deck = load_deck(result, checked.corpus, checked.corpus_key, cache)
        assert deck is not None, "a checked file has a deck"
        parts.append(_compile(config, checked.corpus, checked.corpus_key, result, deck, deck_entries(deck), cache))
    spans = {item: Span(f.shown, *where) for f, (_, types, _) in zip(checked.files, parts, strict=True)
             for item, where in types.items()}
    return Compiled(place([part for part, _, _ in parts]), spans, dict(deck for _, _, deck in parts))
