"""The checked project: load -> corpus -> validate, shared by every command.

First gather all data and check it; commands that write start only when this says ``ok``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Report
from .load import Project, load_project
from .sources import Corpus, load_corpus
from .validate import validate


@dataclass(frozen=True)
class Checked:
    project: Project
    corpus: Corpus
    report: Report


def check_project(root: Path) -> Checked:
    """Load everything under ``root`` and run every check; the report holds all problems."""
    project, diags = load_project(root)
    report = Report(diags, files=project.files)
    corpus = Corpus({})
    if project.catalog is not None:
        corpus, more = load_corpus(root, project.catalog)
        report.extend(more)
        report.extend(validate(project, corpus))
    return Checked(project, corpus, report)
