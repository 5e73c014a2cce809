"""The build: check -> compile -> write, for every output at once.

First gather all data and check it; if anything is wrong, nothing is written. Then every output
is rendered to bytes in memory, and only then written (atomically, see ``write``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .anki.lock import LOCK_FILE, Lock, LockError, advance, now, parse_lock
from .anki.notes import compile_notes, deck_name
from .anki.notetypes import note_types
from .anki.package import build_package
from .diagnostics import LockFile, Report, Span
from .load import display_path
from .pipeline import Checked, check_project
from .worksheet.quizzes import default_quizzes, render_quizzes
from .write import write_all


@dataclass
class BuildResult:
    checked: Checked
    written: list[Path] = field(default_factory=list)
    notes: int = 0
    changed: int = 0

    @property
    def report(self) -> Report:
        return self.checked.report


def package_name(collection: str) -> str:
    """The .apkg file name: the collection's name, with path separators and controls replaced."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "-", collection).strip(" .") + ".apkg"


def _read_lock(root: Path, report: Report) -> tuple[Lock, str] | None:
    """The lock and its text as found ("" when there is none yet); None when it is unreadable."""
    path = root / LOCK_FILE
    if not path.exists():
        return Lock(), ""
    try:
        text = path.read_text(encoding="utf-8")
        return parse_lock(text), text
    except (LockError, UnicodeDecodeError, OSError) as exc:
        report.extend([LockFile.at(Span(display_path(path)), str(exc))])
        return None


def build(root: Path, out: Path | None = None, worksheets: bool = True) -> BuildResult:
    """Check, then build the Anki package and the worksheets into ``out`` (default: build.out)."""
    checked = check_project(root)
    result = BuildResult(checked)
    project, report = checked.project, checked.report
    found = _read_lock(root, report) if report.ok else None
    if not report.ok or found is None or project.config is None:
        return result
    lock, lock_was = found

    # Compile every output in memory.
    config = project.config
    notes = compile_notes(project, checked.corpus)
    at = now()
    new_lock = Lock(
        notes=advance(lock.notes, {n.item_id: n.fingerprint() for n in notes}, at),
        models=advance(lock.models, {k: t.fingerprint() for k, t in note_types().items()}, at),
    )
    decks = {config.collection: config.description or ""}
    decks |= {deck_name(config.collection, d): d.description or "" for d in project.decks}
    apkg = build_package(
        notes, decks, config.id,
        {k: t for k, (_, t) in new_lock.notes.items()},
        {k: t for k, (_, t) in new_lock.models.items()},
    )
    out_dir = out if out is not None else root / config.build.out
    outputs = {out_dir / package_name(config.collection): apkg}
    if worksheets:
        b = config.build
        requests = default_quizzes(config.collection, project.decks, b.questions, b.versions, b.seed, b.paper,
                                   checked.corpus, config.quiz)
        outputs |= render_quizzes(requests, checked.corpus, out_dir / "worksheets")
    lock_text = new_lock.to_text()
    if lock_text != lock_was:
        outputs[root / LOCK_FILE] = lock_text.encode()

    # Start writing files now that all data is gathered.
    write_all(outputs)
    result.written = list(outputs)
    result.notes = len(notes)
    result.changed = sum(1 for k, v in new_lock.notes.items() if lock.notes.get(k) != v)
    return result
