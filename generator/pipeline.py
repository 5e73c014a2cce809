"""The checked project: load -> corpus -> validate, shared by every command.

First gather all data and check it; commands that write start only when this says ``ok``.
Each deck file's items and their own problems are cached by content (see ``cache``), so a
``check`` after editing one file re-reads only that file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from . import cache
from .diagnostics import Diagnostic, MissingFile, Report, Span
from .load import Project, deck_files, display_path, load_settings, parse_model
from .model import Catalog, Deck, Item
from .sources import Corpus, load_corpus
from .validate import near_duplicates, unique_ids, validate_items


@dataclass(frozen=True)
class Checked:
    project: Project
    corpus: Corpus
    report: Report


def _corpus_key(catalog: Catalog, corpus: Corpus) -> str:
    digest = hashlib.sha256(repr(catalog).encode())  # the catalog's content (positions are not in its repr)
    for doc_id, doc in sorted(corpus.documents.items()):
        digest.update(doc_id.encode() + b"\0" + doc.text.encode())
    return digest.hexdigest()


def _deck(path: Path, corpus: Corpus, corpus_key: str) -> tuple[Deck | None, list[Diagnostic]]:
    """One deck file loaded and its items checked, from the cache when its bytes are unchanged."""
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [MissingFile.at(Span(shown), f"cannot read deck file: {exc.strerror}")]
    key = cache.key(path, shown, data, corpus_key)
    hit = cache.get(key)
    if isinstance(hit, tuple) and len(hit) == 2:
        return hit  # type: ignore[return-value]
    deck, diags = parse_model(data, shown, Deck, "deck")
    # The file changed: items whose content and position did not change keep their results from
    # this path's previous version (one edited item in a big file re-checks only that item).
    path_key = cache.key(path, shown, b"", corpus_key)
    previous = cache.get(path_key)
    before: dict[bytes, list[Diagnostic]] = previous if isinstance(previous, dict) else {}
    now: dict[bytes, list[Diagnostic]] = {}
    items = deck.items if deck is not None else ()
    for item, fingerprint in zip(items, _fingerprints(data, items), strict=True):
        found = before.get(fingerprint)
        now[fingerprint] = found if found is not None else validate_items([item], corpus)
        diags.extend(now[fingerprint])
    cache.put(key, (deck, diags))
    cache.put(path_key, now)
    return deck, diags


def _fingerprints(data: bytes, items: tuple[Item, ...]) -> list[bytes]:
    """Per item: a hash of its own text in the file and where it starts. Same text at the same
    place parses to the same item with the same positions, so its check results still hold."""
    text = data.decode("utf-8", "replace")
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    starts = [line_starts[item.pos.span.line - 1] + item.pos.span.col - 1 for item in items]
    ends = [*starts[1:], len(text)] if starts else []
    return [hashlib.sha1(f"{s}:{text[s:e]}".encode()).digest() for s, e in zip(starts, ends, strict=True)]


def load_sources(root: Path) -> tuple[Corpus, Report]:
    """Only the project settings and the seed corpus (what ``find`` needs), no deck files."""
    config, catalog, diags = load_settings(root)
    report = Report(diags, files=2)
    if catalog is None:
        return Corpus({}), report
    corpus, more = load_corpus(root, catalog)
    report.extend(more)
    return corpus, report


def check_project(root: Path) -> Checked:
    """Load everything under ``root`` and run every check; the report holds all problems."""
    config, catalog, diags = load_settings(root)
    paths = deck_files(root)
    report = Report(diags, files=len(paths) + 2)
    corpus = Corpus({})
    decks: list[Deck] = []
    if catalog is not None:
        corpus, more = load_corpus(root, catalog)
        report.extend(more)
        corpus_key = _corpus_key(catalog, corpus)
        for path in paths:
            deck, more = _deck(path, corpus, corpus_key)
            report.extend(more)
            if deck is not None:
                decks.append(deck)
    project = Project(root, config, catalog, tuple(decks), report.files)
    report.extend(unique_ids(project.items) + near_duplicates(project.items, corpus))
    return Checked(project, corpus, report)
