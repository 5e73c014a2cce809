"""Compile stage for Anki, per deck file: each file's notes are cached by the file's content
(with the corpus, the code and the project's namespace and collection name), so a build after
an edit compiles only the edited file; when many files must be compiled (a cold cache), worker
processes compile them, one file per task."""

from __future__ import annotations

import hashlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from ..cache import Cache
from ..diagnostics import Span
from ..load import parse_model, read_input
from ..model import Deck
from ..pipeline import PARALLEL_BYTES, Checked, FileResult, _cores, _quiet
from ..plain import deck_from_cache
from .notes import DeckNotes, NoteSpec, compile_deck, deck_name, place

TypeSpans = dict[str, tuple[int, int]]  # item id -> line and column of its ``type``

_WORKER: dict[str, Any] = {}


def _key(checked: Checked, result: FileResult) -> str:
    config = checked.project.config
    assert config is not None and result.key is not None
    return "n" + hashlib.sha256(f"{result.key}\0{config.id}\0{config.collection}".encode()).hexdigest()


def _to_plain(part: DeckNotes, types: TypeSpans, deck: tuple[str, str]) -> dict[str, Any]:
    notes = [[n.item_id, n.kind, n.deck, list(n.fields), list(n.tags), n.guid, n.due] for n in part.notes]
    return {"dated": part.dated, "notes": notes, "types": types, "deck": list(deck)}


_Part = tuple[DeckNotes, TypeSpans, tuple[str, str]]  # the notes, where types stand, (deck name, description)


def _from_plain(data: Any) -> _Part:
    notes = tuple(NoteSpec(i, k, d, tuple(f), tuple(t), g, due) for i, k, d, f, t, g, due in data["notes"])
    types = {str(i): (int(a), int(b)) for i, (a, b) in data["types"].items()}
    name, description = data["deck"]
    return DeckNotes(bool(data["dated"]), notes), types, (str(name), str(description))


def _deck(checked: Checked, result: FileResult, cache: Cache) -> Deck | None:
    """The file's deck: loaded by the check, else from the check's cache entry, else parsed."""
    if result.deck is not None:
        return result.deck
    stored = cache.get("f" + (result.key or ""))
    if isinstance(stored, dict) and stored.get("deck") is not None:
        try:
            return deck_from_cache(stored["deck"], result.shown)
        except (KeyError, TypeError, ValueError):
            pass
    data, _ = read_input(result.path, "deck file")
    deck, _ = parse_model(data, result.shown, Deck, "deck") if data is not None else (None, [])
    return deck if isinstance(deck, Deck) else None


def _compile(n: int) -> dict[str, Any]:
    checked: Checked = _WORKER["checked"]
    cache: Cache = _WORKER["cache"]
    result = checked.files[n]
    deck = _deck(checked, result, cache)
    assert deck is not None, "a checked file has a deck"
    part = compile_deck(checked.project, checked.corpus, deck)
    types = {item.id: (item.pos.of("type").line, item.pos.of("type").col) for item in deck.items}
    assert checked.project.config is not None
    plain = _to_plain(part, types, (deck_name(checked.project.config.collection, deck), deck.description or ""))
    cache.put(_key(checked, result), plain)
    return plain


@dataclass(frozen=True)
class Compiled:
    notes: list[NoteSpec]  # placed in the learning order
    types: dict[str, Span]  # where each item's ``type`` stands (for the lock's type check)
    descriptions: dict[str, str]  # each deck's full name -> its description


def compile_files(checked: Checked) -> Compiled:
    """Every note of the checked project, from each file's cache entry or compiled now."""
    cache = Cache(checked.project.root)
    parts: dict[int, _Part] = {}
    todo: list[int] = []
    for n, result in enumerate(checked.files):
        stored = cache.get(_key(checked, result))
        if isinstance(stored, dict):
            try:
                parts[n] = _from_plain(stored)
                continue
            except (KeyError, TypeError, ValueError):
                pass
        todo.append(n)
    _WORKER.update(checked=checked, cache=cache)
    try:
        size = sum(len(f.ids) for f in (checked.files[n] for n in todo)) * 1000  # about 1 KB an item
        workers = min(_cores(), len(todo))
        if workers > 1 and size >= PARALLEL_BYTES:
            with ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_quiet) as pool:
                for n, plain in zip(todo, pool.map(_compile, todo), strict=True):
                    parts[n] = _from_plain(plain)
        else:
            for n in todo:
                parts[n] = _from_plain(_compile(n))
    finally:
        _WORKER.clear()
    ordered = [parts[n] for n in range(len(checked.files))]
    spans = {item: Span(f.shown, *where) for f, (_, types, _) in zip(checked.files, ordered, strict=True)
             for item, where in types.items()}
    descriptions = dict(deck for _, _, deck in ordered)
    return Compiled(place([part for part, _, _ in ordered]), spans, descriptions)
