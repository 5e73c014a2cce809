"""The checked project: load -> corpus -> validate, shared by every command.

First gather all data and check it; commands that write start only when this says ``ok``.
Each deck file's result is cached by content (see ``cache``) in two parts: a small summary (its
problems and item ids, all that ``check`` needs) and the loaded model (for the commands that
compile items). A ``check`` after editing one file re-reads only that file and the others'
summaries; within the edited file, unchanged items keep their results.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache, key
from .diagnostics import Diagnostic, OutputCollision, Report, Span
from .load import Project, deck_files, display_path, load_settings, parse_model, read_input
from .model import Catalog, Deck, Item, slug
from .plain import deck_from_plain, diag_from_plain, diag_to_plain, to_plain
from .relations import duplicate_record
from .sources import Corpus, load_corpus
from .validate import near_duplicates, unique_ids, validate_items

MIXED_QUIZ = "mixed"


@dataclass(frozen=True)
class Checked:
    project: Project
    corpus: Corpus
    report: Report
    ids: list[tuple[str, Span]] = field(default_factory=list)  # every item id and where it stands


def _corpus_key(catalog: Catalog, corpus: Corpus) -> str:
    digest = hashlib.sha256(repr(catalog).encode())  # the catalog's content (positions are not in its repr)
    for doc_id, doc in sorted(corpus.documents.items()):
        digest.update(doc_id.encode() + b"\0" + doc.text.encode())
    return digest.hexdigest()


@dataclass
class _DeckResult:
    deck: Deck | None
    diags: list[Diagnostic]
    ids: list[tuple[str, Span]]
    dups: list[dict[str, object]] = field(default_factory=list)  # relations.duplicate_record of each item


def _deck(path: Path, corpus: Corpus, corpus_key: str, cache: Cache, want_model: bool) -> _DeckResult:
    """One deck file loaded and its items checked, from the cache when its bytes are unchanged."""
    shown = display_path(path)
    data, problems = read_input(path, "deck file")
    if data is None:
        return _DeckResult(None, problems, [])
    k = key(path, shown, data, corpus_key)
    summary = cache.get("s" + k)
    if isinstance(summary, dict):
        try:
            diags = [diag_from_plain(d) for d in summary["diags"]]
            ids = [(i, Span(shown, line, col)) for i, line, col in summary["ids"]]
            dups = summary["dups"]
            if not want_model:
                return _DeckResult(None, diags, ids, dups)
            model = cache.get("m" + k)
            if model is not None:
                return _DeckResult(deck_from_plain(model, shown), diags, ids, dups)
        except (KeyError, TypeError, ValueError):
            pass  # a foreign or older entry: parse again
    return _parse_deck(path, shown, data, corpus, corpus_key, cache, k)


def _parse_deck(path: Path, shown: str, data: bytes, corpus: Corpus, corpus_key: str, cache: Cache,
                k: str) -> _DeckResult:
    deck, diags = parse_model(data, shown, Deck, "deck")
    # The file changed: items whose content and position did not change keep their results from
    # this path's previous version (one edited item in a big file re-checks only that item).
    path_key = "i" + key(path, shown, b"", corpus_key)
    previous = cache.get(path_key)
    before: dict[str, list[list[object]]] = previous if isinstance(previous, dict) else {}
    now: dict[str, list[list[object]]] = {}
    items = deck.items if deck is not None else ()
    for item, fingerprint in zip(items, _fingerprints(data, items), strict=True):
        found = before.get(fingerprint)
        try:
            results = [diag_from_plain(d) for d in found] if isinstance(found, list) else None  # type: ignore[arg-type]
        except (TypeError, ValueError):
            results = None
        if results is None:
            results = validate_items([item], corpus)
        now[fingerprint] = [diag_to_plain(d) for d in results]
        diags.extend(results)
    ids = [(item.id, item.pos.of("id")) for item in items]
    dups = [duplicate_record(item, corpus) for item in items]
    cache.put("s" + k, {"diags": [diag_to_plain(d) for d in diags],
                        "ids": [[i, s.line, s.col] for i, s in ids], "dups": dups})
    if deck is not None:
        cache.put("m" + k, to_plain(deck))
    cache.put(path_key, now)
    return _DeckResult(deck, diags, ids, dups)


def _fingerprints(data: bytes, items: tuple[Item, ...]) -> list[str]:
    """Per item: a hash of its own text in the file and where it starts. Same text at the same
    place parses to the same item with the same positions, so its check results still hold."""
    text = data.decode("utf-8", "replace")
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    starts = [line_starts[item.pos.span.line - 1] + item.pos.span.col - 1 for item in items]
    ends = [*starts[1:], len(text)] if starts else []
    return [hashlib.sha1(f"{s}:{text[s:e]}".encode()).hexdigest() for s, e in zip(starts, ends, strict=True)]


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
    config, catalog, diags = load_settings(root)
    report = Report(diags, files=2)
    if catalog is None:
        return Corpus({}), report
    corpus, more = load_corpus(root, catalog)
    report.extend(more)
    return corpus, report


def check_project(root: Path, items: bool = True) -> Checked:
    """Load everything under ``root`` and run every check; the report holds all problems.
    With ``items=False`` (``check``), the decks of unchanged files are not rebuilt from the
    cache: ``project.decks`` then holds only the files that were parsed again."""
    config, catalog, diags = load_settings(root)
    paths = deck_files(root)
    report = Report(diags, files=len(paths) + 2)
    report.extend(output_collisions(paths))
    corpus = Corpus({})
    decks: list[Deck] = []
    ids: list[tuple[str, Span]] = []
    dups: list[dict[str, object]] = []
    if catalog is not None:
        corpus, more = load_corpus(root, catalog)
        report.extend(more)
        corpus_key = _corpus_key(catalog, corpus)
        cache = Cache(root)
        for path in paths:
            result = _deck(path, corpus, corpus_key, cache, items)
            report.extend(result.diags)
            ids += result.ids
            dups += result.dups
            if result.deck is not None:
                decks.append(result.deck)
    project = Project(root, config, catalog, tuple(decks), report.files)
    report.extend(unique_ids(ids) + near_duplicates(list(zip(ids, dups, strict=True))))
    return Checked(project, corpus, report, ids)
