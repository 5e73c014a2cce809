"""The build: check -> compile -> write, for every output at once.

First gather all data and check it; if anything is wrong, nothing is written. Then the notes
are compiled and the lock worked out, and every output is rendered, one at a time, into a
staging folder nobody reads; only then is it published as one (see ``write.publish``): the
output folder and the lock change together or not at all. One build (or quiz) runs at a time
per project (``write.exclusive``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .anki.lock import LOCK_FILE, Lock, LockError, Shipped, advance, now, parse_lock
from .anki.notes import NoteSpec
from .anki.notetypes import note_types
from .anki.package import build_package
from .anki.previous import PreviousPackageError, read_shipped, spec_content, type_content
from .diagnostics import (
    CollectionRenamed,
    Diagnostic,
    LockFile,
    NoneOfOurNotes,
    NoteTypeChanged,
    PreviousPackage,
    ProjectIdChanged,
    Report,
    Span,
)
from .engine import keeps_results
from .export import ExportSummary, iter_exports
from .kept import KeptExports, KeptPdfs
from .model import ProjectConfig
from .paths import display_path, read_input
from .pipeline import Checked, check_project
from .wording import plural
from .worksheet.quizzes import default_quizzes, render_quizzes
from .write import MANIFEST, built_with, exclusive, publish, read_manifest, recover, release_memory, work_folder

MAX_LOCK_BYTES = 256 * 1024 * 1024  # two million notes' entries; past it, no lock build wrote
CARRIED = ("quizzes", "exports")  # made by `studydeck quiz` and `studydeck export`; kept across builds


@dataclass
class BuildResult:
    checked: Checked
    out_dir: Path | None = None
    written: list[Path] = field(default_factory=list)
    notes: int = 0
    changed: int = 0
    exports: ExportSummary = field(default_factory=ExportSummary)
    removed: list[str] = field(default_factory=list)  # earlier outputs this build did not make again

    @property
    def report(self) -> Report:
        return self.checked.report

    def removed_line(self) -> str:
        """The line saying which earlier outputs the build removed, by folder."""
        folders: dict[str, int] = {}
        for name in self.removed:
            top = name.split("/", 1)[0] + ("/" if "/" in name else "")
            folders[top] = folders.get(top, 0) + 1
        parts = ", ".join(f"{top} ({plural(n, 'file')})" for top, n in sorted(folders.items()))
        return (f"removed from {display_path(self.out_dir or '')}/ what this build did not make again: {parts}"
                " (a build without --no-worksheets and --no-exports makes them again)")


def package_name(collection: str) -> str:
    """The .apkg file name: the collection's name, with path separators and controls replaced."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "-", collection).strip(" .") + ".apkg"


def _read_lock(path: Path) -> tuple[Lock, bytes, list[Diagnostic]]:
    """The lock and its bytes as found (b"" when there is none yet), or the problem with it."""
    if not path.exists() and not path.is_symlink():
        return Lock(), b"", []
    # Read as every input is: a regular file inside the project, size capped (a fifo or
    # /dev/zero named studydeck.lock would hang the build or fill the memory).
    data, problems = read_input(path, "lock file", MAX_LOCK_BYTES, root=path.parent)
    if data is None:
        return Lock(), b"", [LockFile.at(d.span, d.message) for d in problems]
    try:
        return parse_lock(data.decode("utf-8")), data, []
    except LockError as exc:
        return Lock(), b"", [LockFile.at(Span(display_path(path), exc.line, exc.col), str(exc))]
    except UnicodeDecodeError as exc:
        return Lock(), b"", [LockFile.at(Span(display_path(path)), f"cannot read the lock: {exc}")]


def _type_changes(notes: list[NoteSpec], types: dict[str, tuple[str, int, int]], lock: Lock) -> list[Diagnostic]:
    """An item whose type changed under the same id: Anki would keep the old note."""
    diags = []
    for note in notes:
        entry = lock.notes.get(note.item_id)
        if entry and entry.type and entry.type != note.kind:
            diags.append(NoteTypeChanged.at(
                Span(*types[note.item_id]),
                f"item {note.item_id!r} was published as a {entry.type} note; Anki keeps the old note when the type"
                " changes under the same id: give the item a new id",
            ))
    return diags


def _identity_changes(config: ProjectConfig, lock: Lock) -> list[Diagnostic]:
    """The project's id or collection name, changed since the lock was written: what learners
    would get from it."""
    diags = []
    notes = len(lock.live_notes())
    if lock.project is not None and lock.project != config.id:
        diags.append(ProjectIdChanged.at(config.pos.of("id"), (
            f"id {config.id!r} is not {lock.project!r}, the id the {notes} notes in {LOCK_FILE} were published"
            " under: every note would get a new identity, and every learner a second copy of every note; put the id"
            f" back (to start a new deck on purpose, remove {LOCK_FILE})")))
    if lock.collection is not None and lock.collection != config.collection:
        diags.append(CollectionRenamed.at(config.pos.of("collection"), (
            f"the collection was published as {lock.collection!r}: Anki moves no card on import, so learners keep"
            f" their cards in the deck {lock.collection!r} and get a new, empty deck {config.collection!r}; tell"
            f" them to rename the deck in Anki to {config.collection!r} before they import, or put the old name"
            " back")))
    return diags


def _shipped(apkg: Path, named: bool, notes: list[NoteSpec], namespace: str,
             report: Report) -> tuple[dict[str, Shipped], dict[str, Shipped]]:
    """What the previous package gave learners; a problem with it is an error when the user
    named the package, a warning when it is only the one found in the output folder."""
    try:
        shipped = read_shipped(apkg, {n.item_id: n.guid for n in notes}, namespace, note_types())
        if notes and not shipped[0] and apkg.is_file():
            report.extend([NoneOfOurNotes.at(Span(display_path(apkg)), (
                f"{display_path(apkg)} holds none of this project's {len(notes)} notes: it is another project's"
                " package, or the id in studydeck.yaml changed since it was built (then every learner would get a"
                " second copy of every note); times come from the lock alone"))])
        return shipped
    except PreviousPackageError as exc:
        cls = PreviousPackage
        diag = cls.at(Span(display_path(apkg)), str(exc))
        if not named:
            diag = Diagnostic(diag.span, "warning", diag.code, diag.message + "; times come from the lock alone")
        report.extend([diag])
        return {}, {}


def _quiet(stage: str, done: int, total: int) -> None:
    """No progress display."""


def build(root: Path, out: Path | None = None, worksheets: bool = True, previous: Path | None = None,
          on_wait: Callable[[], None] | None = None, exports: set[str] | None = None,
          progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """Check, then build the Anki package, the worksheets and the exports (``exports``, default
    build.exports) into ``out`` (default: build.out). ``progress(stage, done, total)`` hears of
    each stage (see ``progress``)."""
    stage = progress or _quiet
    stage("checking", 0, 0)
    # The decks themselves are loaded only for the outputs made from items (worksheets, exports);
    # the package is made from each file's notes, compiled where the check parsed it and cached.
    # (With the cache off there is nowhere to keep notes compiled in the check: the decks are
    # loaded, and compiled once, below.)
    cached = keeps_results(root)
    checked = check_project(root, items=worksheets or exports is None or bool(exports) or not cached, notes=cached,
                            progress=lambda done, total: stage("checking deck files", done, total))
    result = BuildResult(checked)
    project, report = checked.project, checked.report
    if not report.ok or project.config is None:
        return result
    config = project.config
    out_dir = out if out is not None else root / config.build.out
    lock_path = root / LOCK_FILE
    result.out_dir = out_dir

    with exclusive(root, on_wait):
        recover(out_dir, lock_path)
        lock, lock_was, problems = _read_lock(lock_path)
        report.extend(problems)
        # The notes, each file's from the cache or compiled now (see ``engine``).
        stage("compiling notes", 0, 0)
        compiled = checked.compiled()
        notes = compiled.notes
        report.extend(_type_changes(notes, compiled.types, lock))
        report.extend(_identity_changes(config, lock))
        if not report.ok:
            return result
        apkg_name = package_name(config.collection)
        if previous is None and lock_was and built_with(out_dir, apkg_name, lock_was):
            # The package there is the one written with this very lock: it shipped exactly the
            # lock's contents and times, so reading it back would add nothing.
            shipped_notes: dict[str, Shipped] = {}
            shipped_models: dict[str, Shipped] = {}
        else:
            shipped_notes, shipped_models = _shipped(previous or out_dir / apkg_name, previous is not None, notes,
                                                     config.id, report)
        if not report.ok:
            return result
        at = now()
        types = note_types()
        new_lock = Lock(
            # (what each note shows is compared only with a package read back)
            notes=advance(lock.notes, {n.item_id: (n.fingerprint(), spec_content(n) if shipped_notes else "", n.kind)
                                       for n in notes},
                          shipped_notes, at),
            models=advance(lock.models, {k: (t.fingerprint(), type_content(t), None) for k, t in types.items()},
                           shipped_models, at),
            project=config.id, collection=config.collection,
        )
        stage("writing the package", 0, 0)
        decks = {config.collection: config.description or ""}
        decks |= compiled.descriptions
        live = new_lock.live_notes()
        with work_folder(out_dir) as folder:
            package = build_package(notes, decks, config.id, {k: e.changed for k, e in live.items()},
                                    {k: e.changed for k, e in new_lock.models.items()}, folder)
        result.notes = len(notes)
        del notes, compiled  # the package holds them now; the worksheets and exports start from the items
        lock_bytes = new_lock.to_bytes()
        # Exports (Moodle XML, GIFT, self-test page): the formats asked for, else the project file's.
        chosen = set(config.build.exports) if exports is None else exports
        if worksheets or chosen:
            release_memory()

        def outputs() -> Iterator[tuple[str, bytes]]:
            """Every output, made one at a time: each goes into the staging folder and is let go."""
            yield apkg_name, package
            if worksheets:
                stage("choosing worksheet questions", 0, 0)
                b = config.build
                requests = default_quizzes(config.collection, project.decks, b.questions, b.versions, b.seed,
                                           b.paper, checked.corpus, config.quiz, b.worksheets)
                rendered = render_quizzes(requests, checked.corpus, Path("worksheets"),
                                          lambda done, total: stage("rendering worksheets", done, total),
                                          kept=KeptPdfs(root) if cached else None)
                while rendered:
                    path, data = rendered.popitem()
                    yield str(path), data
                release_memory()
            if chosen:
                stage("exporting", 0, 0)
            kept = KeptExports(root, checked.files, project) if cached else None
            for path, data in iter_exports(project, checked.corpus, Path(), chosen, result.exports, kept=kept):
                yield str(path), data

        # Outputs are written into a staging folder as they are made, and switched in, with the
        # lock, as one (``write.publish``): an error on the way leaves everything as it was.
        earlier = read_manifest(out_dir).get("files")
        written = publish(out_dir, outputs(), lock=(lock_path, lock_bytes), carry=CARRIED)
        # The output folder is replaced as a whole: what an earlier build made and this one did
        # not (--no-worksheets, --no-exports, a format dropped) is gone, and the summary says so.
        result.removed = sorted(set(earlier if isinstance(earlier, list) else []) - set(written) - {MANIFEST})

    result.written = [out_dir / name for name in written] + ([lock_path] if lock_bytes != lock_was else [])
    old_live = lock.live_notes()
    result.changed = sum(1 for k, v in live.items()
                         if k not in old_live or (old_live[k].hash, old_live[k].changed) != (v.hash, v.changed))
    return result
