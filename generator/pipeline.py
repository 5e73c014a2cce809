"""The checked project: load -> corpus -> validate, shared by every command.

First gather all data and check it; commands that write start only when this says ``ok``.
Each deck file is checked on its own (``deckfile``), reusing what ``engine`` kept of earlier
runs (see there for what is reused, and when); the project-wide checks (unique ids, near
duplicates, output names) then run on every file's part. When several files must be parsed (a
cold cache), they are parsed in worker processes (``workers``), one file per task, on every
core this process may use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import workers
from .deckfile import FileParse
from .diagnostics import Diagnostic, OutputCollision, Report, Span
from .engine import Engine
from .load import Project
from .model import MIXED_QUIZ, ProjectConfig, slug
from .paths import PROJECT_FILE, deck_files, display_path
from .plain import deck_from_cache
from .records import Compiled, FileResult, FileSummary
from .sources import Corpus
from .validate import near_duplicates, unique_ids

PARALLEL_BYTES = 512 * 1024  # files to parse, in all, before worker processes pay for themselves


@dataclass(frozen=True)
class Checked:
    project: Project
    corpus: Corpus
    report: Report
    files: tuple[FileResult, ...] = ()  # each deck file's part, in file order
    corpus_key: str = ""
    engine: Engine | None = None  # what the check reused and kept (see ``engine``)

    def compiled(self) -> Compiled:
        """Every note of the checked project (see ``Engine.compiled``)."""
        assert self.project.config is not None and self.engine is not None
        return self.engine.compiled(self.project.config, self.corpus, self.corpus_key, self.files)


@dataclass(frozen=True)
class _Job:
    """What checking one deck file needs besides the file itself."""

    engine: Engine
    config: ProjectConfig | None
    corpus: Corpus
    corpus_key: str
    notes: bool  # compile the file's notes where it was parsed (a build)


_Task = tuple[Path, str, bytes, str]  # path, shown path, bytes, key


def _check_file(job: _Job, task: _Task) -> tuple[FileResult, FileParse]:
    """One deck file checked, and for a build its notes compiled where it was parsed, when it
    has no error."""
    path, shown, data, k = task
    result, done = job.engine.parse_file(path, shown, data, job.corpus, job.corpus_key, k)
    if job.notes and job.config is not None and done.head is not None and not any(
            d.severity == "error" for d in result.diags):
        job.engine.compile_notes(job.config, job.corpus, job.corpus_key, result, done.head, done.entries)
    return result, done


def _ready_to_compile() -> None:
    """The compiler's modules imported and its note types read (the build needs them after the
    check anyway, to read the notes back and write the package)."""
    import genanki  # noqa: F401  (notes.check_html and guid_for import it on first use)

    from .anki import notes, notetypes  # noqa: F401  (notes: the compiler, imported before the fork)

    notetypes.note_types()


def _check_in_worker(job: _Job, want_model: bool, task: _Task) -> tuple[FileSummary, Any]:
    """``_check_file`` in a worker process: what crosses back is plain data."""
    result, done = _check_file(job, task)
    return result.summary(), done.deck_plain if want_model else None


def _check_files(job: _Job, todo: list[_Task], want_model: bool,
                 progress: Callable[[int, int], None] | None) -> list[FileResult]:
    """The files checked, in worker processes when it pays."""
    count = len(todo)
    if min(workers.cores(), count) > 1 and sum(len(t[2]) for t in todo) >= PARALLEL_BYTES:
        if job.notes:  # what compiling needs, made ready once here rather than once in each worker
            _ready_to_compile()
            job.corpus.normalise_all()  # a build's items cite most seeds: each worker would normalise them
        got = 0

        def done(n: int, value: Any) -> None:
            nonlocal got
            got += 1
            if progress:
                progress(got, count)

        answers = workers.map_forked(functools.partial(_check_in_worker, job, want_model), todo,
                                     min(workers.cores(), count), done)
        if answers is not None:
            results = []
            for (path, shown, _, k), (summary, deck_plain) in zip(todo, answers, strict=True):
                deck = deck_from_cache(deck_plain, shown) if want_model and deck_plain is not None else None
                result = FileResult.from_summary(path, shown, k, summary, deck)
                assert result is not None
                results.append(result)
            return results
    results = []
    for task in todo:
        result, parsed = _check_file(job, task)
        if want_model:
            result.deck = parsed.model(result.shown)
        results.append(result)
        if progress:
            progress(len(results), count)
    return results


def _deck_results(root: Path, paths: list[Path], job: _Job, want_model: bool,
                  progress: Callable[[int, int], None] | None) -> list[FileResult]:
    """Every deck file's part: from its summary when unchanged, else checked again and its
    summary kept. When decks are wanted, an unchanged file's deck is loaded from its items'
    records (``Engine.model``): nothing in it is checked again, no seed is normalised for it."""
    engine = job.engine
    slots: list[FileResult | None] = []
    todo: list[_Task] = []
    where: list[int] = []
    for path in paths:
        shown = display_path(path)
        if not want_model and (known := engine.known_hash(path, root)) is not None:
            found = engine.summarised(path, shown, engine.file_key(path, shown, known, job.corpus_key))
            if found is not None:  # unchanged since it was checked: not even read
                slots.append(found)
                continue
        data, digest, problems = engine.read_hashed(path, "deck file", root=root)
        if data is None:
            slots.append(FileResult(path, shown, None, None, problems, [], []))
            continue
        k = engine.file_key(path, shown, digest, job.corpus_key)
        found = engine.summarised(path, shown, k)
        if found is not None and want_model:
            found.deck = engine.model(found, data, job.corpus, job.corpus_key)
        if found is None or (want_model and found.deck is None):
            where.append(len(slots))
            todo.append((path, shown, data, k))
            found = None
        slots.append(found)
    for n, result in zip(where, _check_files(job, todo, want_model, progress), strict=True):
        slots[n] = result
        engine.save_summary(result)
    results = [r for r in slots if r is not None]
    engine.save_hashes()
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
    engine = Engine(root)
    _, catalog, diags = engine.settings()
    report = Report(diags, files=2)
    if catalog is None:
        return Corpus({}), report
    corpus, more = engine.corpus(catalog)
    report.extend(more)
    engine.save_hashes()
    return corpus, report


def check_project(root: Path, items: bool = True, progress: Callable[[int, int], None] | None = None,
                  notes: bool = False) -> Checked:
    """Load everything under ``root`` and run every check; the report holds all problems.
    With ``items=False`` (``check``, or a build that compiles from the cache), no deck is
    loaded: ``project.decks`` is empty. ``notes``: compile each file's notes where it is parsed
    again without errors, and keep them (a build)."""
    engine = Engine(root)
    config, catalog, diags = engine.settings()
    paths = deck_files(root)
    report = Report(diags, files=len(paths) + 2)
    report.extend(output_collisions(paths))
    if config is not None and config.build.worksheets != ("all",):
        from .worksheet.quizzes import worksheet_problems

        report.extend(worksheet_problems(config, [str(p) for p in paths], root / PROJECT_FILE))
    corpus = Corpus({})
    results: list[FileResult] = []
    key = ""
    if catalog is not None:
        # (notes show each excerpt as written)
        corpus, more = engine.corpus(catalog, for_excerpts=notes)
        report.extend(more)
        key = engine.corpus_key(catalog, corpus)
        results = _deck_results(root, paths, _Job(engine, config, corpus, key, notes), items, progress)
    for result in results:
        report.extend(result.diags)
    report.extend(_project_wide(engine, results, corpus, key))
    decks = tuple(r.deck for r in results if r.deck is not None)
    project = Project(root, config, catalog, decks, report.files)
    return Checked(project, corpus, report, tuple(results), key, engine)


def _project_wide(engine: Engine, results: list[FileResult], corpus: Corpus, corpus_key: str) -> list[Diagnostic]:
    """The checks over every file (unique ids, near-duplicates): kept from a run in which every
    file's ids, their places and its near-duplicate records were the same (see ``engine``), else
    run on every file's records."""
    if (kept := engine.wide(results)) is not None:
        return kept
    ids: list[tuple[str, Span]] = []
    dups: list[dict[str, Any]] = []
    for result in results:
        more_ids, more_dups = engine.records(result, corpus, corpus_key)
        ids += more_ids
        dups += more_dups
        result.ids = result.dups = None  # (kept in its records; a big bank's hold tens of MB)
    found = unique_ids(ids) + near_duplicates(list(zip(ids, dups, strict=True)))
    engine.save_wide(results, found)
    return found

