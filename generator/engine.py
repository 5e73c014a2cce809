"""Incremental results: what ``check`` and ``build`` keep between runs, under which key, and
when they reuse it. This module alone reads and writes the cache (``cache.Cache``, the storage:
JSON entries in a private folder), with ``kept`` for outputs; the records are named types in
``records``; the stages it calls (``load``, ``sources``, ``deckfile``, ``anki.notes``) are plain
functions of their inputs.

Every key holds the code's own hash (``cache.code_version``), so a new version never reuses an
old result; and every result that depends on the seeds holds the corpus key (the catalog, which
names each seed's SHA-256, and which documents are usable). What is kept (the parts of its key),
and when it is reused:

- settings ``y`` (path, bytes, class): the project file or the catalog, parsed (its model and
  problems); reused while the file's bytes are unchanged.
- seed regions (the catalog): where each seed's uncitable regions stand; reused for the same
  catalog, so a check whose items are all kept normalises no seed.
- file summaries ``s`` (path, bytes, corpus): a deck file's :class:`~records.FileSummary`: its problems
  and a digest of its items' ids and near-duplicate records, which are kept apart (``r``, the same
  key). ``check`` reuses it while the file is unchanged: the file is not even parsed (nor read,
  see file hashes).
- project-wide problems ``w`` (root, and each file's path and digest, in order): what the checks
  over every file (unique ids, near-duplicates) found. Reused while no file's ids, their places
  and its near-duplicate records changed (rewording a question changes none of them): the other
  files' ``r`` records are then not even read.
- item records ``i`` (path, corpus): each item's :class:`~deckfile.ItemRecord`, by its piece's
  fingerprint (the item's text at its place in the list). An unchanged piece is not parsed or
  checked again; an item moved by an edit above it keeps its record (lines are kept relative).
- notes ``n`` (path, corpus, project id, collection): the file's :class:`~records.NotesEntry`, one
  :class:`~records.NoteRecord` an item, by the item's content (``notes.item_key``). An unchanged file
  reuses all its notes; otherwise each item whose content is unchanged keeps its note. Notes
  compiled in this run are handed on in memory, not read back.
- file hashes ``f`` (root): each deck file's and seed's SHA-256 with its stat (device, inode,
  size, change times); a file whose stat is unchanged is not read again until its contents are
  wanted (git's rule; a file changed less than ``SETTLED_NS`` before it was hashed is not
  kept, since a second change within the file system's clock tick would leave its stat as it
  was).
- outputs (rendered worksheets, each deck's export files): see ``kept``, the one other module
  that uses the cache.

An entry that cannot be read back as its type (foreign, older, truncated) is a miss.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import facts
from .cache import Cache, cache_dir, hashed_key, key
from .deckfile import FileParse, parse_deck_file
from .diagnostics import Diagnostic, Span
from .load import Project, load_settings, parse_model
from .model import Catalog, Deck, ProjectConfig
from .paths import display_path, inside, read_hashed, read_input
from .plain import diag_from_plain, diag_to_plain, from_plain, note_from_plain, note_to_plain, to_plain
from .records import Compiled, FileResult, NoteRecord, NotesEntry, item_records, notes_entry
from .sources import Corpus, read_corpus

if TYPE_CHECKING:  # (``anki.notes`` is imported when notes are compiled: a check never needs it)
    from .anki.notes import DeckNotes
    from .model import Item

    _Part = tuple[DeckNotes, dict[str, tuple[int, int]], tuple[str, str]]  # notes, where types stand, (name, description)

def corpus_key(catalog: Catalog, corpus: Corpus, text: str | None = None) -> str:
    """The catalog's content (positions are not in its repr; ``text``, that repr when at hand)
    and which documents are usable: a usable document's bytes are those its catalogued SHA-256
    names."""
    digest = hashlib.sha256((repr(catalog) if text is None else text).encode())
    digest.update(repr(sorted(corpus.documents)).encode())
    return digest.hexdigest()


SETTLED_NS = 2_000_000_000  # a file hashed sooner than this after its last change is hashed again next time


def _signature(info: os.stat_result) -> list[int]:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def keeps_results(root: Path) -> bool:
    """Whether results are kept for this project (the cache is on, and outside it)."""
    return cache_dir(root) is not None


class Engine:
    """The results kept for one project (the cache is never placed inside it)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache = Cache(root)
        self._hashes: dict[str, list[Any]] | None = None  # see ``known_hash``
        self._hashes_seen: set[str] = set()
        self._hashes_changed = False
        self._parts: dict[tuple[str, str | None], _Part] = {}  # notes compiled in this process, by file
        self._catalog: tuple[Catalog, str] | None = None  # the catalog in hand and its repr

    # --- files, by their stat -------------------------------------------------------------------

    def _hashes_key(self) -> str:
        return "f" + key(self.root, "", b"", "", "hashes")

    def _hash_table(self) -> dict[str, list[Any]]:
        if self._hashes is None:
            stored = self.cache.get(self._hashes_key())
            self._hashes = stored if isinstance(stored, dict) else {}
        return self._hashes

    def known_hash(self, path: Path, root: Path | None = None) -> str | None:
        """The SHA-256 of the file's bytes, without reading them, when its stat is the one it had
        when they were hashed; None when it must be read (``read_hashed``). With ``root``, only
        for a path that stays inside it (as ``read_input`` requires)."""
        name = str(path)
        self._hashes_seen.add(name)
        entry = self._hash_table().get(name)
        if not (isinstance(entry, list) and len(entry) == 6 and isinstance(entry[5], str)):
            return None
        try:
            info = os.stat(path)
        except OSError:
            return None
        if entry[:5] != _signature(info) or (root is not None and inside(root, path.relative_to(root).as_posix())):
            return None
        return entry[5]

    def read_hashed(self, path: Path, what: str, cap: int | None = None,
                    root: Path | None = None) -> tuple[bytes | None, str, list[Diagnostic]]:
        """``paths.read_hashed``, the bytes' SHA-256 kept with the file's stat for
        ``known_hash`` when the file did not change while it was read and has settled."""
        name = str(path)
        self._hashes_seen.add(name)
        try:
            before = _signature(os.stat(path))
        except OSError:
            before = None
        data, digest, problems = read_hashed(path, what, cap, root)
        if data is None:
            return None, "", problems
        try:
            after = os.stat(path)
        except OSError:
            return data, digest, problems
        if before == _signature(after) and time.time_ns() - max(after.st_mtime_ns, after.st_ctime_ns) >= SETTLED_NS:
            table = self._hash_table()
            if table.get(name) != [*before, digest]:
                table[name] = [*before, digest]
                self._hashes_changed = True
        return data, digest, problems

    def save_hashes(self) -> None:
        """The file hashes kept, if any changed (a file gone is forgotten)."""
        table = self._hash_table()
        gone = [name for name in table.keys() - self._hashes_seen if not os.path.exists(name)]
        if self._hashes_changed or gone:
            for name in gone:
                del table[name]
            self.cache.put(self._hashes_key(), table)
            self._hashes_changed = False

    # --- settings and seeds -------------------------------------------------------------------

    def settings(self) -> tuple[ProjectConfig | None, Catalog | None, list[Diagnostic]]:
        """``load.load_settings``, each of the two files kept by its bytes."""
        return load_settings(self.root, self.read_model)

    def read_model(self, path: Path, cls: type, name: str, root: Path | None = None) -> tuple[Any, list[Diagnostic]]:
        """``load.read_model``, kept by the file's bytes (a catalog of hundreds of sources is then
        not parsed again)."""
        data, diags = read_input(path, f"{name} file", root=root)
        if data is None:
            return None, diags
        shown = display_path(path)
        k = "y" + key(path, shown, data, cls.__name__)
        stored = self.cache.get(k)
        if isinstance(stored, dict):
            try:
                value = from_plain(cls, stored["value"], shown) if stored["value"] is not None else None
                return value, [diag_from_plain(d) for d in stored["diags"]]
            except (KeyError, TypeError, ValueError):
                pass  # a foreign entry: parse again
        value, diags = parse_model(data, shown, cls, name)
        self.cache.put(k, {"value": to_plain(value) if value is not None else None,
                           "diags": [diag_to_plain(d) for d in diags]})
        return value, diags

    def corpus(self, catalog: Catalog, for_excerpts: bool = False) -> tuple[Corpus, list[Diagnostic]]:
        """``sources.read_corpus`` with the seeds' regions kept (they depend only on the catalog,
        which names each seed's SHA-256): a check whose items are all kept normalises no seed."""
        text = self._catalog_text(catalog)
        regions_key = key(self.root / "seeds", "", text.encode(), "", "regions")
        stored = self.cache.get(regions_key)
        corpus, diags, regions = read_corpus(self.root, catalog, stored if isinstance(stored, dict) else {}, for_excerpts,
                                             self.read_hashed, self.known_hash)
        if regions != stored:
            self.cache.put(regions_key, regions)
        return corpus, diags

    def _catalog_text(self, catalog: Catalog) -> str:
        """``repr(catalog)``, worked out once for the catalog in hand (hundreds of sources)."""
        if self._catalog is None or self._catalog[0] is not catalog:
            self._catalog = (catalog, repr(catalog))
        return self._catalog[1]

    def corpus_key(self, catalog: Catalog, corpus: Corpus) -> str:
        """:func:`corpus_key`, the catalog's repr worked out once."""
        return corpus_key(catalog, corpus, self._catalog_text(catalog))

    # --- deck files -----------------------------------------------------------------------------

    def summarised(self, path: Path, shown: str, k: str) -> FileResult | None:
        """A file's result from its summary, kept under its key (its content, the corpus): its
        problems and digest; its ids and dups are read when wanted (:meth:`records`)."""
        stored = self.cache.get("s" + k)
        try:
            return FileResult(path, shown, k, None, [diag_from_plain(d) for d in stored["diags"]], None, None,
                              str(stored["digest"]))
        except (KeyError, TypeError, ValueError):
            return None  # none, or a foreign entry: checked again

    def save_summary(self, result: FileResult) -> None:
        """A file's summary, checked now, for the next time its key is the same."""
        if result.key is not None and not self.cache.has("s" + result.key):
            diags, ids, dups = result.summary()
            self.cache.put("r" + result.key, {"ids": ids, "dups": dups})
            self.cache.put("s" + result.key, {"diags": diags, "digest": result.digest})

    def records(self, result: FileResult, corpus: Corpus, corpus_key: str) -> tuple[list[tuple[str, Span]],
                                                                                   list[dict[str, Any]]]:
        """A file's ids and near-duplicate records: in hand, else kept (``r``), else from the file."""
        if result.ids is None or result.dups is None:
            stored: Any = self.cache.get("r" + result.key) if result.key else None
            try:
                result.ids = [(i, Span(result.shown, line, col)) for i, line, col in stored["ids"]]
                result.dups = list(stored["dups"])
            except (KeyError, TypeError, ValueError):
                done = self._again(result, None, corpus, corpus_key)
                result.ids, result.dups = (done.ids, done.dups) if done is not None else ([], [])
        return result.ids, result.dups

    def _wide_key(self, results: list[FileResult]) -> str:
        return "w" + key(self.root, "", "\0".join(f"{r.shown}\0{r.digest}" for r in results).encode(), "", "wide")

    def wide(self, results: list[FileResult]) -> list[Diagnostic] | None:
        """The project-wide problems found when every file's ids and dups were the same, if kept."""
        stored = self.cache.get(self._wide_key(results))
        try:
            return [diag_from_plain(d) for d in stored] if isinstance(stored, list) else None
        except (TypeError, ValueError):
            return None

    def save_wide(self, results: list[FileResult], diags: list[Diagnostic]) -> None:
        self.cache.put(self._wide_key(results), [diag_to_plain(d) for d in diags])

    def file_key(self, path: Path, shown: str, sha256: str, corpus_key: str) -> str:
        return hashed_key(path, shown, sha256, corpus_key)

    def parse_file(self, path: Path, shown: str, data: bytes, corpus: Corpus, corpus_key: str,
                   k: str) -> tuple[FileResult, FileParse]:
        """``deckfile.parse_deck_file`` with the records its items had in the path's latest
        version, which the result's records then replace."""
        path_key = "i" + key(path, shown, b"", corpus_key)
        before = item_records(self.cache.get(path_key))
        done = parse_deck_file(data, shown, corpus, before)
        if done.now != before:
            self.cache.put(path_key, done.now)
        return FileResult(path, shown, k, None, done.diags, done.ids, done.dups), done

    def load_deck(self, result: FileResult, corpus: Corpus, corpus_key: str) -> Deck | None:
        """A checked file's deck, when the check did not load it (see :meth:`model`)."""
        if result.deck is not None:
            return result.deck
        return self.model(result, None, corpus, corpus_key)

    def model(self, result: FileResult, data: bytes | None, corpus: Corpus, corpus_key: str) -> Deck | None:
        """The deck of a checked file (whose bytes are ``data``, else read again): see :meth:`_again`."""
        done = self._again(result, data, corpus, corpus_key)
        return done.model(result.shown) if done is not None else None

    def _again(self, result: FileResult, data: bytes | None, corpus: Corpus, corpus_key: str) -> FileParse | None:
        """A checked file parsed again, from its item records (in full where they are gone);
        None when it has no key or cannot be read."""
        if data is None:
            data, _ = read_input(result.path, "deck file")
        if result.key is None or data is None:
            return None
        return self.parse_file(result.path, result.shown, data, corpus, corpus_key, result.key)[1]

    # --- notes ----------------------------------------------------------------------------------

    def _notes_key(self, config: ProjectConfig, corpus_key: str, result: FileResult) -> str:
        return "n" + key(result.path, result.shown, b"", f"{corpus_key}\0{config.id}\0{config.collection}")

    def compile_notes(self, config: ProjectConfig, corpus: Corpus, corpus_key: str, result: FileResult, head: Deck,
                      parsed: list[tuple[str, int, Item | None]]) -> _Part:
        """One file's notes (``notes.compile_items``), reusing those of its unchanged items; kept.
        ``parsed``: each item's text (``plain.item_text``), the line above its first, and the item
        when it is at hand."""
        from .anki.notes import Entry, Known, NoteSpec, compile_items, deck_name

        entries = [Entry(text, base, item) for text, base, item in parsed]
        assert result.key is not None
        path_key = self._notes_key(config, corpus_key, result)
        before = notes_entry(self.cache.get(path_key))
        try:
            known = {r.key: Known(note_from_plain(NoteSpec, r.note), facts.Date(*r.date) if r.date is not None else None,
                                  (int(r.type_at[0]), int(r.type_at[1]))) for r in before.items} if before else {}
        except (TypeError, ValueError):
            known = {}
        project = Project(result.path, config, None, (), 0)
        part, keys, done = compile_items(project, corpus, head, entries, known)
        deck = (deck_name(config.collection, head), head.description or "")
        bases = [e.base for e in entries]
        items = [NoteRecord(k, note_to_plain(kn.note), [kn.date.year, kn.date.month, kn.date.day] if kn.date else None,
                            n.due, list(kn.type_at), base)
                 for k, kn, n, base in zip(keys, done, part.notes, bases, strict=True)]
        self.cache.put(path_key, NotesEntry(result.key, list(deck), part.dated, items)._asdict())
        types = {n.item_id: (kn.type_at[0] + base, kn.type_at[1])
                 for n, kn, base in zip(part.notes, done, bases, strict=True)}
        self._parts[(path_key, result.key)] = (part, types, deck)  # (``compiled`` takes it as it is)
        return part, types, deck

    def compiled(self, config: ProjectConfig, corpus: Corpus, corpus_key: str, files: tuple[FileResult, ...]) -> Compiled:
        """Every note of the checked files: each file's kept ones when its content is unchanged,
        else compiled now."""
        from .anki.notes import DeckNotes, NoteSpec, deck_entries, place

        parts: list[_Part] = []
        for result in files:
            path_key = self._notes_key(config, corpus_key, result)
            if (made := self._parts.pop((path_key, result.key), None)) is not None:  # compiled in this run
                parts.append(made)
                continue
            entry = notes_entry(self.cache.get(path_key))
            if entry is not None and entry.file == result.key:
                try:
                    notes = [note_from_plain(NoteSpec, r.note, r.due) for r in entry.items]
                    types = {n.item_id: (r.type_at[0] + r.base, r.type_at[1])
                             for n, r in zip(notes, entry.items, strict=True)}
                    name, description = entry.deck
                    parts.append((DeckNotes(bool(entry.dated), tuple(notes)), types, (str(name), str(description))))
                    continue
                except (TypeError, ValueError):
                    pass  # a foreign entry: compiled again
            deck = self.load_deck(result, corpus, corpus_key)
            assert deck is not None, "a checked file has a deck"
            items = [(e.text, e.base, e.item) for e in deck_entries(deck)]
            parts.append(self.compile_notes(config, corpus, corpus_key, result, deck, items))
        spans = {item: (f.shown, *where) for f, (_, types, _) in zip(files, parts, strict=True)
                 for item, where in types.items()}
        return Compiled(place([part for part, _, _ in parts]), spans, dict(deck for _, _, deck in parts))
