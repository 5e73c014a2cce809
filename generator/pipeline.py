"""The checked project: load -> corpus -> validate, shared by every command.

First gather all data and check it; commands that write start only when this says ``ok``.

What a deck file gives (its problems, item ids, duplicate records and loaded deck) depends only
on its bytes, the corpus and this code, so it is cached by those (see ``cache``), in entries of
three kinds:

- the project index (``p``): every deck file's key and summary (problems, ids, duplicate
  records). A ``check`` reads this one entry and the deck files themselves, however many there
  are, and parses only the files whose key changed;
- per file path (``i``): each item's results (problems, loaded item, duplicate record) in the
  path's latest version. A changed file is cut into its items (``pieces``) and only the items
  whose text or position in the list changed are parsed and checked again (a file that cannot be
  cut is parsed whole, reusing the checks of unchanged items); a command that needs the decks
  themselves builds them from these records.

When several files must be parsed (a cold cache), they are parsed in worker processes, one file
per task, on every core this process may use.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from . import yamltree
from .cache import Cache, key
from .diagnostics import ControlCharacter, Diagnostic, LineEnd, OutputCollision, Report, Span
from .load import Project, load_settings, parse_model
from .model import MIXED_QUIZ, Catalog, Deck, Item, ProjectConfig, slug
from .paths import PROJECT_FILE, deck_files, display_path, read_input
from .pieces import Record, Split, owner, parse_head, parse_piece, split_items, with_items
from .plain import deck_from_cache, deck_to_cache, diag_from_plain, diag_to_plain, item_text
from .relations import duplicate_record
from .sources import Corpus, load_corpus
from .validate import near_duplicates, unique_ids, validate_items

PARALLEL_BYTES = 512 * 1024  # files to parse, in all, before worker processes pay for themselves


@dataclass
class FileResult:
    """One deck file's part of the check."""

    path: Path
    shown: str
    key: str | None  # the cache key of its content; None when it could not be read
    deck: Deck | None  # None when not loaded (``check``) or unusable
    diags: list[Diagnostic]
    ids: list[tuple[str, Span]]
    dups: list[dict[str, Any]]


@dataclass(frozen=True)
class Checked:
    project: Project
    corpus: Corpus
    report: Report
    files: tuple[FileResult, ...] = ()  # each deck file's part, in file order
    corpus_key: str = ""


def _corpus_key(catalog: Catalog, corpus: Corpus) -> str:
    """The catalog's content (positions are not in its repr) and which documents are usable:
    a usable document's bytes are those its catalogued SHA-256 names."""
    digest = hashlib.sha256(repr(catalog).encode())
    digest.update(repr(sorted(corpus.documents)).encode())
    return digest.hexdigest()


# --- one deck file ------------------------------------------------------------------------------


def _summary(diags: list[Diagnostic], ids: list[tuple[str, Span]], dups: list[dict[str, Any]]) -> dict[str, Any]:
    return {"diags": [diag_to_plain(d) for d in diags], "ids": [[i, s.line, s.col] for i, s in ids], "dups": dups}


def _from_summary(path: Path, shown: str, k: str, summary: Any, deck: Deck | None) -> FileResult | None:
    try:
        diags = [diag_from_plain(d) for d in summary["diags"]]
        ids = [(i, Span(shown, line, col)) for i, line, col in summary["ids"]]
        return FileResult(path, shown, k, deck, diags, ids, list(summary["dups"]))
    except (KeyError, TypeError, ValueError):
        return None  # a foreign or older entry: parse again


def parse_file(path: Path, shown: str, data: bytes, corpus: Corpus, corpus_key: str,
               cache: Cache, k: str) -> tuple[FileResult, Done]:
    """Parse and check one deck file, reusing the results of its unchanged items; cache the
    result. Returns it with what else the parse gave (see :class:`Done`)."""
    path_key = "i" + key(path, shown, b"", corpus_key)
    previous = cache.get(path_key)
    before: dict[str, Record] = previous if isinstance(previous, dict) else {}
    text, decode_diags = yamltree.decode(data, shown)
    split = None
    if text is not None and not any(d.code in (ControlCharacter.code, LineEnd.code) for d in decode_diags):
        split = split_items(text)
    # Mostly new (a cold cache, a rewritten file): one parse of the whole file is faster.
    mostly_kept = split is not None and 2 * sum(p.fingerprint not in before for p in split.pieces) <= len(split.pieces)
    done = _by_pieces(split, shown, decode_diags, corpus, before) if split and mostly_kept else None
    if done is None:
        done = _whole(data, split, shown, corpus, before, (text, decode_diags))
    if done.now != before:
        cache.put(path_key, done.now)
    return FileResult(path, shown, k, None, done.diags, done.ids, done.dups), done


def load_deck(result: FileResult, corpus: Corpus, corpus_key: str, cache: Cache) -> Deck | None:
    """A checked file's deck, when the check did not load it: from its items' cache entry (or
    parsed again where that is gone)."""
    if result.deck is not None:
        return result.deck
    data, _ = read_input(result.path, "deck file")
    if data is None or result.key is None:
        return None
    done = parse_file(result.path, result.shown, data, corpus, corpus_key, cache, result.key)[1]
    return done.deck or (deck_from_cache(done.deck_plain, result.shown) if done.deck_plain else None)


@dataclass
class Done:
    """What parsing one deck file gives."""

    diags: list[Diagnostic]
    ids: list[tuple[str, Span]]
    dups: list[dict[str, Any]]
    deck_plain: Any  # the deck for the cache and worker processes (``plain.deck_to_cache``), or None
    now: dict[str, Record]  # each item's results, for the next time
    head: Deck | None  # the deck's own fields (its items left out)
    entries: list[tuple[str, int, Item | None]]  # each item's text (``plain.item_text``), base line, item if at hand
    deck: Deck | None = None  # the deck, when it was parsed whole


def _record(diags: list[Diagnostic], item: Item | None, dup: dict[str, Any] | None, base: int) -> Record:
    """An item's results apart from its place: lines counted from ``base``, so that the item
    moved up or down by an edit above it keeps them."""
    where = [item.id, item.pos.of("id").line - base, item.pos.of("id").col] if item is not None else None
    # The item itself as JSON text: read back only by the commands that need the deck.
    plain = item_text(item, base) if item is not None else None
    return [[diag_to_plain(d, base) for d in diags], plain, dup, where]


def _by_pieces(split: Split, shown: str, decode_diags: list[Diagnostic], corpus: Corpus,
               before: dict[str, Record]) -> Done | None:
    """The file from its pieces: unchanged ones from ``before``, the others parsed alone. None
    when the head or a changed piece has a YAML problem (the whole file is parsed instead)."""
    head = parse_head(split, shown)
    if head is None:
        return None
    diags = list(decode_diags)
    ids: list[tuple[str, Span]] = []
    dups: list[dict[str, Any]] = []
    items: list[list[Any]] = []
    entries: list[tuple[str, int, Item | None]] = []
    now: dict[str, Record] = {}
    for piece in split.pieces:
        fp, base = piece.fingerprint, piece.line - 1
        record = before.get(fp)
        item = None
        if record is None:
            parsed = parse_piece(piece, split.indent, shown)
            if parsed is None:
                return None
            item, problems = parsed
            if item is not None:
                problems = problems + validate_items([item], corpus)
            record = _record(problems, item, duplicate_record(item, corpus) if item is not None else None, base)
        try:
            diags += [diag_from_plain(d, base) for d in record[0]]
            if record[1] is not None:
                items.append([base, record[1]])
                entries.append((record[1], base, item))
                dups.append(record[2])
                ident, line, col = record[3]
                ids.append((ident, Span(shown, line + base, col)))
        except (IndexError, TypeError, ValueError):
            return None  # a foreign entry
        now[fp] = record
    deck_head = with_items(head, split, (), shown)
    deck = deck_to_cache(deck_head, [])
    deck["items"] = items
    return Done(diags, ids, dups, deck, now, deck_head, entries)


def _whole(data: bytes, split: Split | None, shown: str, corpus: Corpus, before: dict[str, Record],
           decoded: tuple[str | None, list[Diagnostic]] | None = None) -> Done:
    """The file parsed whole; items whose piece did not change keep their checks' results.
    ``decoded``: what ``yamltree.decode`` gave for ``data``, when at hand."""
    deck, diags = parse_model(data, shown, Deck, "deck", decoded)
    items = deck.items if deck is not None else ()
    pieces = {p.line: p for p in split.pieces} if split else {}
    # Problems YAML and the schema found, by the piece they stand in.
    own: dict[int, list[Diagnostic]] = {}
    if split:
        for d in diags:
            own.setdefault(owner(split, d.span.line), []).append(d)
    now: dict[str, Record] = {}
    ids, dups = [], []
    entries: list[tuple[str, int, Item | None]] = []
    for item in items:
        piece = pieces.get(item.pos.span.line)
        base = piece.line - 1 if piece else item.pos.span.line - 1
        schema = own.get(piece.index, []) if piece else []
        record = before.get(piece.fingerprint) if piece else None
        checks = None
        if record is not None:
            try:
                loaded = [diag_from_plain(d, base) for d in record[0]]
                checks = loaded[len(schema):] if loaded[: len(schema)] == schema else None
            except (IndexError, TypeError, ValueError):
                checks = None
        if checks is None:
            checks = validate_items([item], corpus)
        diags.extend(checks)
        dup = duplicate_record(item, corpus)
        ids.append((item.id, item.pos.of("id")))
        dups.append(dup)
        record = _record(schema + checks, item, dup, base)
        if piece is not None:
            now[piece.fingerprint] = record
        entries.append((record[1], base, item))
    if deck is None:
        return Done(diags, ids, dups, None, now, None, [])
    head = dataclasses.replace(deck, items=())
    deck_plain = deck_to_cache(head, [])
    deck_plain["items"] = [[base, text] for text, base, _ in entries]  # each item's text, made once above
    return Done(diags, ids, dups, deck_plain, now, head, entries, deck)


# --- every deck file ----------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}  # what a forked worker inherits: the corpus, its key, the cache


@dataclass(frozen=True)
class Parsed:
    """A deck file just parsed without errors, for work to do on it where it was parsed (a
    worker process, with the deck at hand): a build compiles its notes there."""

    config: ProjectConfig | None
    corpus: Corpus
    corpus_key: str
    result: FileResult
    head: Deck  # the deck's own fields
    items: list[tuple[str, int, Item | None]]  # each item's text, base line, and the item when at hand
    cache: Cache


AfterParse = Callable[[Parsed], None]


def _parsed(path: Path, shown: str, data: bytes, k: str, want_model: bool) -> tuple[FileResult, Any]:
    """``parse_file`` with what ``_WORKER`` holds, then the ``after`` hook."""
    result, done = parse_file(path, shown, data, _WORKER["corpus"], _WORKER["corpus_key"], _WORKER["cache"], k)
    after: AfterParse | None = _WORKER["after"]
    if after and done.head is not None and not any(d.severity == "error" for d in result.diags):
        after(Parsed(_WORKER["config"], _WORKER["corpus"], _WORKER["corpus_key"], result, done.head, done.entries,
                     _WORKER["cache"]))
    if want_model:
        result.deck = done.deck or (deck_from_cache(done.deck_plain, shown) if done.deck_plain is not None else None)
    return result, done.deck_plain


def _work(task: tuple[str, str, bytes, str, bool]) -> tuple[Any, Any]:
    path, shown, data, k, want_model = task
    result, deck_plain = _parsed(Path(path), shown, data, k, False)
    return _summary(result.diags, result.ids, result.dups), deck_plain if want_model else None


def _quiet() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C, once


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _parse_all(todo: list[tuple[Path, str, bytes, str]], want_model: bool,
               progress: Callable[[int, int], None] | None) -> list[FileResult]:
    """Parse the files with what ``_WORKER`` holds, in worker processes when it pays."""
    results: list[FileResult] = []

    def done(result: FileResult) -> None:
        results.append(result)
        if progress:
            progress(len(results), len(todo))

    workers = min(_cores(), len(todo))
    if workers > 1 and sum(len(t[2]) for t in todo) >= PARALLEL_BYTES:
        parsed = _in_workers(todo, workers, want_model, progress)
        if parsed is not None:
            return parsed
    for path, shown, data, k in todo:
        done(_parsed(path, shown, data, k, want_model)[0])
    return results


def _in_workers(todo: list[tuple[Path, str, bytes, str]], workers: int, want_model: bool,
                progress: Callable[[int, int], None] | None) -> list[FileResult] | None:
    """The files parsed in forked worker processes, or None when the processes could not be
    started or died (no fork, no memory, a process limit): the caller then parses them itself.
    An interruption cancels what has not started and does not wait for the rest."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    try:
        pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_quiet)
    except (OSError, ValueError):
        return None
    finished = False
    try:
        tasks = [(str(path), shown, data, k, want_model) for path, shown, data, k in todo]
        results = []
        for (path, shown, _, k), (summary, deck_plain) in zip(todo, pool.map(_work, tasks), strict=True):
            deck = deck_from_cache(deck_plain, shown) if want_model and deck_plain is not None else None
            result = _from_summary(path, shown, k, summary, deck)
            assert result is not None
            results.append(result)
            if progress:
                progress(len(results), len(todo))
        finished = True
        return results
    except (OSError, BrokenProcessPool):
        return None
    finally:
        pool.shutdown(wait=finished, cancel_futures=not finished)


def _indexed(entry: Any, k: str) -> TypeGuard[list[Any]]:
    """An index entry ([file key, summary as JSON text]) for the file's present content."""
    return isinstance(entry, list) and len(entry) == 2 and entry[0] == k


def _deck_results(root: Path, paths: list[Path], corpus_key: str, cache: Cache, want_model: bool,
                  progress: Callable[[int, int], None] | None) -> list[FileResult]:
    """Every deck file's part: from the project index when unchanged (and no deck is wanted),
    else parsed (``_parse_all``, with what ``_WORKER`` holds); the index then rewritten."""
    index_key = "p" + key(root, "", b"", corpus_key)
    stored = cache.get(index_key)
    index: dict[str, Any] = stored if isinstance(stored, dict) else {}
    slots: list[FileResult | None] = []
    todo: list[tuple[Path, str, bytes, str]] = []
    where: list[int] = []
    for path in paths:
        shown = display_path(path)
        data, problems = read_input(path, "deck file", root=root)
        if data is None:
            slots.append(FileResult(path, shown, None, None, problems, [], []))
            continue
        k = key(path, shown, data, corpus_key)
        found = None
        entry = index.get(shown)
        if not want_model and _indexed(entry, k):
            try:
                found = _from_summary(path, shown, k, json.loads(entry[1]), None)
            except (TypeError, ValueError):
                found = None
        if found is None:
            where.append(len(slots))
            todo.append((path, shown, data, k))
        slots.append(found)
    for n, result in zip(where, _parse_all(todo, want_model, progress), strict=True):
        slots[n] = result
    results = [r for r in slots if r is not None]
    # Each file's summary is kept as JSON text: rewriting the index after an edit re-encodes only
    # the summaries of the files that changed.
    fresh = {}
    for r in results:
        if r.key is not None:
            kept = index.get(r.shown)
            fresh[r.shown] = kept if _indexed(kept, r.key) else [
                r.key, json.dumps(_summary(r.diags, r.ids, r.dups), ensure_ascii=False)]
    if fresh != index:
        cache.put(index_key, fresh)
    return results


def output_collisions(paths: list[Path]) -> list[Diagnostic]:
    """Deck files whose outputs would share a name (worksheets, exports), or take the mixed quiz's."""
    diags = []
    seen: dict[str, Path] = {}
    for path in paths:
        name = slug(path.stem, "deck")
        shown = Span(display_path(path))
        if name == MIXED_QUIZ:
            diags.append(OutputCollision.at(shown, f"this deck's outputs would be named {name!r}, like the mixed"
                                                   " quiz's; rename the file"))
        elif name in seen:
            diags.append(OutputCollision.at(shown, f"this deck's outputs would be named {name!r}, like those of"
                                                   f" {display_path(seen[name])}; rename one of the files"))
        else:
            seen[name] = path
    return diags


def load_sources(root: Path) -> tuple[Corpus, Report]:
    """Only the project settings and the seed corpus (what ``find`` needs), no deck files."""
    _, catalog, diags = load_settings(root)
    report = Report(diags, files=2)
    if catalog is None:
        return Corpus({}), report
    corpus, more = load_corpus(root, catalog, Cache(root))
    report.extend(more)
    return corpus, report


def check_project(root: Path, items: bool = True, progress: Callable[[int, int], None] | None = None,
                  after: AfterParse | None = None) -> Checked:
    """Load everything under ``root`` and run every check; the report holds all problems.
    With ``items=False`` (``check``, or a build that compiles from the cache), no deck is
    loaded: ``project.decks`` is empty. ``after`` is called on each file parsed again without
    errors, where it was parsed."""
    config, catalog, diags = load_settings(root)
    paths = deck_files(root)
    report = Report(diags, files=len(paths) + 2)
    report.extend(output_collisions(paths))
    if config is not None and config.build.worksheets != ("all",):
        from .worksheet.quizzes import worksheet_problems

        report.extend(worksheet_problems(config, [str(p) for p in paths], root / PROJECT_FILE))
    corpus = Corpus({})
    results: list[FileResult] = []
    corpus_key = ""
    if catalog is not None:
        cache = Cache(root)
        # (the hook compiles notes, which show each excerpt as written)
        corpus, more = load_corpus(root, catalog, cache, for_excerpts=after is not None)
        report.extend(more)
        corpus_key = _corpus_key(catalog, corpus)
        _WORKER.update(config=config, corpus=corpus, corpus_key=corpus_key, cache=cache, after=after)
        try:
            results = _deck_results(root, paths, corpus_key, cache, items, progress)
        finally:
            _WORKER.clear()
    ids: list[tuple[str, Span]] = []
    dups: list[dict[str, Any]] = []
    for result in results:
        report.extend(result.diags)
        ids += result.ids
        dups += result.dups
    decks = tuple(r.deck for r in results if r.deck is not None)
    project = Project(root, config, catalog, decks, report.files)
    report.extend(unique_ids(ids) + near_duplicates(list(zip(ids, dups, strict=True))))
    return Checked(project, corpus, report, tuple(results), corpus_key)
