"""Write stage for worksheets: quiz data -> PDF bytes through the ``typst`` package.

The template is a file beside this module and receives the data as JSON in ``sys.inputs``.
The root is set explicitly to the template's folder, system fonts are ignored (the fonts
bundled in the typst wheel are used, and those in ``fonts/``: see ``glyphs``), no package is
ever fetched, and the document date is fixed, so the same data gives the same bytes.

Many worksheets are rendered two at a time (:func:`render_all`): a Typst compile releases the
GIL, and each compile is independent of the others. Typst memoizes its work in one cache shared
by the whole process, and ``typst.compile`` evicts from it only what ten compiles in a row left
unused, so after ten big worksheets the process holds all ten compiles' caches (300 MB for a
125-question quiz in 3 versions). Between rounds, :func:`_forget` ages that cache until nothing
of the finished compiles is left; no compile is running then, so none loses its cache mid-way.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

from ..diagnostics import OutputError
from .glyphs import fonts_folder

FIXED_TIMESTAMP = 0  # the document carries no build date
CACHE_AGE = 10  # typst-py calls comemo::evict(10) after every compile
WORKERS = 2  # compiles at once (at most the CPUs there are)


class RenderError(OutputError):
    """Typst refused the data or the template: a bug of ours, reported with Typst's message."""


@dataclass(frozen=True)
class Job:
    """One PDF to render: the quiz data as JSON text, sheet or key; ``name``, the file it is
    rendered for (where a kept PDF is looked for, see :class:`Kept`)."""

    data: str
    key: bool = False
    name: str = ""


def job(data: dict[str, Any], key: bool = False, name: str = "") -> Job:
    return Job(json.dumps(data, ensure_ascii=False), key, name)


def render_worksheet(data: dict[str, Any], key: bool = False) -> bytes:
    return _compile(job(data, key))


class Kept(Protocol):
    """PDFs rendered earlier for the file each job names (``kept.KeptPdfs``): a PDF depends only
    on its job and the renderer (see :func:`renderer`)."""

    def get(self, one: Job) -> bytes | None: ...

    def put(self, one: Job, pdf: bytes) -> None: ...


@functools.cache
def renderer() -> str:
    """What a PDF depends on besides its job, as a hash: the templates' and fonts' bytes and
    Typst's version (the options given to Typst are in the code, which the cache's keys hold)."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"typst {version('typst')}".encode())
    folder = resources.files(__package__)
    for part in sorted((p for p in [*folder.iterdir(), *fonts_folder().iterdir()] if p.is_file()), key=str):
        digest.update(f"\0{part.name}\0".encode() + part.read_bytes())
    return digest.hexdigest()


def render_all(jobs: Sequence[Job], on_done: Callable[[int, int], None] | None = None,
               workers: int | None = None, kept: Kept | None = None) -> list[bytes]:
    """The PDF of every job, in the order given; the same bytes as rendering them one by one.
    ``on_done(done, total)`` is called (in the caller's thread) after each PDF. With ``kept``, a
    job rendered before is not rendered again, and each one rendered now is kept."""
    if kept is not None:
        found = [kept.get(one) for one in jobs]
        todo = [i for i, pdf in enumerate(found) if pdf is None]
        hits = len(jobs) - len(todo)
        if on_done and hits:
            on_done(hits, len(jobs))

        def counted(n: int, total: int) -> None:
            if on_done:
                on_done(hits + n, len(jobs))

        for i, pdf in zip(todo, render_all([jobs[i] for i in todo], counted, workers), strict=True):
            kept.put(jobs[i], pdf)
            found[i] = pdf
        return [pdf or b"" for pdf in found]
    count = max(1, min(workers or WORKERS, os.cpu_count() or 1, len(jobs)))
    results: list[bytes] = [b""] * len(jobs)
    if count == 1:
        for i, one in enumerate(jobs):
            results[i] = _compile(one)
            _forget()
            if on_done:
                on_done(i + 1, len(jobs))
        return results
    # Rounds of similar jobs (sheets with sheets, keys with keys, by size) so that neither
    # thread waits long for the other at the end of a round.
    order = sorted(range(len(jobs)), key=lambda i: (jobs[i].key, len(jobs[i].data), i))
    done = 0
    with ThreadPoolExecutor(count, thread_name_prefix="typst") as pool:
        try:
            for start in range(0, len(order), count):
                batch = order[start : start + count]
                futures = [(i, pool.submit(_compile, jobs[i])) for i in batch]
                for i, future in futures:
                    results[i] = future.result()
                    done += 1
                    if on_done:
                        on_done(done, len(jobs))
                _forget()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def _compile(one: Job) -> bytes:
    import typst

    folder = resources.files(__package__)
    # (sheet.typ is quiz.typ with line breaks allowed in long words)
    with resources.as_file(folder.joinpath("sheet.typ")) as template, resources.as_file(fonts_folder()) as fonts:
        try:
            pdf = typst.compile(
                str(template),
                root=str(template.parent),
                sys_inputs={"data": one.data, "key": "1" if one.key else "0"},
                ignore_system_fonts=True,
                font_paths=[str(fonts)],
                timestamp=FIXED_TIMESTAMP,
            )
        except Exception as exc:  # typst raises its own TypstError
            raise RenderError(f"typst could not render the worksheet: {exc}") from exc
    assert isinstance(pdf, bytes)
    return pdf


def _forget() -> None:
    """Age Typst's memo cache until nothing of earlier compiles is left in it: each compile of a
    blank document (a few microseconds, its own result cached) is one more eviction round."""
    import typst

    with resources.as_file(resources.files(__package__).joinpath("blank.typ")) as template:
        blank = typst.Compiler(str(template), root=str(template.parent), ignore_system_fonts=True, font_paths=[])
        for _ in range(CACHE_AGE + 1):
            blank.compile(timestamp=FIXED_TIMESTAMP)
