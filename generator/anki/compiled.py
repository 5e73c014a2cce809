"""Compile stage for Anki, per deck file, with a cache.

Each file's notes are kept in the cache under its path (with the corpus, the code, and the
project's namespace and collection name): whole when the file's content is unchanged, and item
by item (:func:`notes.item_key`) otherwise, so a build after an edit compiles only the items that
changed. A build compiles each file right where the check parsed it (:func:`compile_parsed`,
run in the check's worker processes on a cold cache); :func:`compile_files` then gathers the
notes, compiling whatever is not in the cache (the cache off, an entry gone).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache import Cache, key
from ..diagnostics import Span
from ..load import Project
from ..model import Deck, ProjectConfig
from ..pipeline import Checked, FileResult, Parsed, load_deck
from ..sources import Corpus
from .notes import DeckNotes, NoteSpec, compile_deck, deck_name, item_key, place

TypeSpans = dict[str, tuple[int, int]]  # item id -> line and column of its ``type``
_Part = tuple[DeckNotes, TypeSpans, tuple[str, str]]  # the notes, where types stand, (deck name, description)


@dataclass(frozen=True)
class Compiled:
    notes: list[NoteSpec]  # placed in the learning order
    types: dict[str, Span]  # where each item's ``type`` stands (for the lock's type check)
    descriptions: dict[str, str]  # each deck's full name -> its description


def _to_plain(part: DeckNotes, types: TypeSpans, deck: tuple[str, str], file_key: str,
              item_keys: list[str]) -> dict[str, Any]:
    notes = [[n.item_id, n.kind, n.deck, list(n.fields), list(n.tags), n.guid, n.due] for n in part.notes]
    return {"file": file_key, "dated": part.dated, "notes": notes, "types": types, "deck": list(deck),
            "items": item_keys}


def _from_plain(data: Any) -> _Part:
    notes = tuple(NoteSpec(i, k, d, tuple(f), tuple(t), g, due) for i, k, d, f, t, g, due in data["notes"])
    types = {str(i): (int(a), int(b)) for i, (a, b) in data["types"].items()}
    name, description = data["deck"]
    return DeckNotes(bool(data["dated"]), notes), types, (str(name), str(description))


def _known(stored: Any) -> dict[str, NoteSpec]:
    """The notes of an entry by item key (those of the path's previous content)."""
    try:
        part, _, _ = _from_plain(stored)
        return dict(zip(stored["items"], part.notes, strict=True))
    except (KeyError, TypeError, ValueError):
        return {}


def _path_key(config: ProjectConfig, corpus_key: str, path: Path, shown: str) -> str:
    return "n" + key(path, shown, b"", f"{corpus_key}\0{config.id}\0{config.collection}")


def _compile(config: ProjectConfig, corpus: Corpus, corpus_key: str, result: FileResult, deck: Deck,
             cache: Cache) -> _Part:
    """One file's notes, reusing those of its unchanged items; cached under its path."""
    assert result.key is not None
    path_key = _path_key(config, corpus_key, result.path, result.shown)
    project = Project(result.path, config, None, (), 0)
    part = compile_deck(project, corpus, deck, _known(cache.get(path_key)))
    types = {item.id: (item.pos.of("type").line, item.pos.of("type").col) for item in deck.items}
    plain = _to_plain(part, types, (deck_name(config.collection, deck), deck.description or ""), result.key,
                      [item_key(deck, item) for item in deck.items])
    cache.put(path_key, plain)
    return part, types, (deck_name(config.collection, deck), deck.description or "")


def compile_parsed(parsed: Parsed) -> None:
    """The check's hook: compile a file where it was just parsed (see ``pipeline.Parsed``)."""
    if parsed.config is not None:
        _compile(parsed.config, parsed.corpus, parsed.corpus_key, parsed.result, parsed.deck,
                 Cache(parsed.result.path.parent.parent))


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
                parts.append(_from_plain(stored))
                continue
            except (KeyError, TypeError, ValueError):
                pass
        deck = load_deck(result, checked.corpus, checked.corpus_key, cache)
        assert deck is not None, "a checked file has a deck"
        parts.append(_compile(config, checked.corpus, checked.corpus_key, result, deck, cache))
    spans = {item: Span(f.shown, *where) for f, (_, types, _) in zip(checked.files, parts, strict=True)
             for item, where in types.items()}
    return Compiled(place([part for part, _, _ in parts]), spans, dict(deck for _, _, deck in parts))
