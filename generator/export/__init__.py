"""Exports for learners who do not use Anki: Moodle XML, GIFT and QTI 1.2 (Canvas) question banks
for teachers, and an offline self-test page for students. Each compile function takes checked data and returns
bytes; :func:`render_exports` gathers every file as path -> bytes (nothing written) with a summary."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..load import Project
from ..model import Deck
from ..sources import Corpus
from ..wording import plural
from .common import TEACHER_KINDS, ExportChoiceError, Kept, choose, counts_back, kept_or_made
from .gift import render_gift
from .moodle import render_moodle
from .qti import WHOLE_BANK, Packages
from .selftest import render_selftest

FORMATS = ("moodle", "gift", "html", "qti")
__all__ = ["FORMATS", "ExportChoiceError", "ExportSummary", "choose", "iter_exports", "render_exports"]


@dataclass
class ExportSummary:
    """Per format, questions per kind (Moodle XML and GIFT: the question kind written, e.g. short
    answer, multiple choice, essay; the self-test page: the item type); and the items GIFT cannot
    carry (id, reason)."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    gift_skipped: list[tuple[str, str]] = field(default_factory=list)

    def add(self, fmt: str, counts: dict[str, int]) -> None:
        mine = self.counts.setdefault(fmt, {})
        for kind, n in counts.items():
            mine[kind] = mine.get(kind, 0) + n
        self.files[fmt] = self.files.get(fmt, 0) + 1

    def lines(self, shown: int = 12) -> list[str]:
        """One line per format, then one per item GIFT left out (the first ``shown`` of them: a
        big bank's list is at the top of each GIFT file, not on the terminal)."""
        out = []
        for fmt in FORMATS:
            if fmt not in self.counts:
                continue
            counts = self.counts[fmt]
            total = sum(counts.values())
            files = self.files[fmt]
            what = {"moodle": "Moodle XML", "gift": "GIFT", "html": "self-test page", "qti": "QTI 1.2 (Canvas)"}[fmt]
            out.append(f"{what}: {plural(total, 'question')} in {plural(files, 'file')}"
                       f" ({_kinds(counts)})")
            if fmt in ("moodle", "gift", "qti"):
                teacher = {k: n for k, n in counts.items() if _teacher_marked(k)}
                auto = {k: n for k, n in counts.items() if not _teacher_marked(k)}
                out.append(f"  auto-marked: {sum(auto.values())}; marked by a teacher: {sum(teacher.values())}"
                           + (f" ({_kinds(teacher)})" if teacher else ""))
            if fmt == "gift" and self.gift_skipped:
                out.append(f"GIFT cannot carry {plural(len(self.gift_skipped), 'item')}, listed at the top of each file:")
                out += [f"  {item_id}: {why}" for item_id, why in self.gift_skipped[:shown]]
                if len(self.gift_skipped) > shown:
                    out.append(f"  ... and {len(self.gift_skipped) - shown} more")
        return out


def _teacher_marked(kind: str) -> bool:
    """Whether a counted kind ("essay", or QTI's "basic as essay") is one a teacher marks."""
    return kind.rsplit(" as ", 1)[-1] in TEACHER_KINDS


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))


def iter_exports(project: Project, corpus: Corpus, out_dir: Path, formats: Collection[str], summary: ExportSummary,
                 decks: Sequence[Deck] | None = None, kept: Kept | None = None) -> Iterator[tuple[Path, bytes]]:
    """Every export file of the chosen formats (``moodle``, ``gift``, ``html``, ``qti``) for ``decks``
    (default: all of the project's), one at a time as (path under ``out_dir``, bytes), counted
    in ``summary`` (a build writes each into its staging folder and lets it go). Each deck's
    files ``kept`` from an earlier run are not made again."""
    chosen = list(project.decks if decks is None else decks)
    if "qti" in formats and chosen:
        assert project.config is not None
        qti = Packages(chosen, project, corpus, project.config.collection, kept)  # each deck's, and the whole bank's
    for deck in chosen:
        if "moodle" in formats:
            data, counts = kept_or_made(kept, "moodle", deck, partial(render_moodle, deck, project, corpus), counts_back)
            summary.add("moodle", counts)
            yield out_dir / "moodle" / f"{deck.slug}.xml", data
        if "gift" in formats:
            data, (counts, skipped) = kept_or_made(kept, "gift", deck, partial(_gift, deck, project, corpus), _gift_back)
            summary.add("gift", counts)
            summary.gift_skipped += skipped
            yield out_dir / "gift" / f"{deck.slug}.gift", data
        if "qti" in formats:
            data, counts = qti.deck(deck)
            summary.add("qti", counts)
            yield out_dir / "qti" / f"{deck.slug}.zip", data
    if "qti" in formats and chosen:
        summary.add("qti", {})  # the same questions again, one package: counted as a file only
        yield out_dir / "qti" / f"{WHOLE_BANK}.zip", qti.whole()
    if "html" in formats and chosen:
        data, counts = render_selftest(chosen, project, corpus, kept)
        summary.add("html", counts)
        yield out_dir / "selftest" / "index.html", data


def _gift(deck: Deck, project: Project, corpus: Corpus) -> tuple[bytes, tuple[dict[str, int], list[tuple[str, str]]]]:
    data, counts, skipped = render_gift(deck, project, corpus)
    return data, (counts, skipped)


def _gift_back(plain: Any) -> tuple[dict[str, int], list[tuple[str, str]]]:
    counts, skipped = plain
    return dict(counts), [(str(item_id), str(why)) for item_id, why in skipped]


def render_exports(project: Project, corpus: Corpus, out_dir: Path, formats: Collection[str],
                   decks: Sequence[Deck] | None = None) -> tuple[dict[Path, bytes], ExportSummary]:
    """Every export file as path -> bytes (nothing written), and a summary."""
    summary = ExportSummary()
    files = dict(iter_exports(project, corpus, out_dir, formats, summary, decks))
    return files, summary
