"""Outputs kept between builds, so that a build after an edit makes again only what the edit
changed: rendered worksheets (:class:`KeptPdfs`) and each deck's export files
(:class:`KeptExports`), each in an area of the cache with its own cap (hundreds of PDFs never push
``engine``'s entries out). Each is keyed by everything the output reads, and the code's hash
(``cache.key``); an entry that cannot be read back as one is a miss. ``engine`` keeps the
check's and the compiler's results; these two classes are the only other users of the cache.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import Cache, key

if TYPE_CHECKING:
    from .engine import FileResult
    from .load import Project
    from .model import Deck
    from .worksheet.render import Job


class KeptPdfs:
    """Rendered worksheets (``render.Kept``) in the cache's area ``pdf``, whose own cap keeps
    hundreds of PDFs from pushing the check's entries out; keyed by the job and ``render.renderer``."""

    def __init__(self, root: Path) -> None:
        from .worksheet.render import renderer

        self.cache = Cache(root, "pdf", PDFS_KEPT)
        self.renderer = renderer()

    def _key(self, one: Job) -> str:
        return "w" + key(Path("worksheet"), "1" if one.key else "0", one.data.encode(), self.renderer)

    def get(self, one: Job) -> bytes | None:
        stored = self.cache.get(self._key(one))
        if isinstance(stored, str):
            try:
                pdf = base64.b64decode(stored, validate=True)
                if pdf.startswith(b"%PDF-"):
                    return pdf
            except ValueError:
                pass  # a foreign entry: rendered again
        return None

    def put(self, one: Job, pdf: bytes) -> None:
        self.cache.put(self._key(one), base64.b64encode(pdf).decode("ascii"))


class KeptExports:
    """Each deck's export files (``export.common.Kept``) in the cache's area ``exports``: keyed by
    the format, the deck file's content key (its bytes, path, corpus) and what an export reads
    beside its deck (the project's settings and every quote speaker of the project)."""

    def __init__(self, root: Path, files: Sequence[FileResult], project: Project) -> None:
        self.cache = Cache(root, "exports", EXPORTS_KEPT)
        self.files = {f.shown: f.key for f in files}
        self.context = hashlib.sha256(repr((project.config, project.speakers)).encode()).hexdigest()

    def _key(self, fmt: str, deck: Deck) -> str | None:
        file = self.files.get(deck.path)
        return "x" + key(Path(fmt), deck.path, file.encode(), self.context) if file else None

    def get(self, fmt: str, deck: Deck) -> tuple[bytes, Any] | None:
        k = self._key(fmt, deck)
        stored = self.cache.get(k) if k else None
        if isinstance(stored, dict) and isinstance(stored.get("data"), str) and "rest" in stored:
            return stored["data"].encode("utf-8"), stored["rest"]
        return None  # (a foreign entry: made again)

    def put(self, fmt: str, deck: Deck, data: bytes, rest: Any) -> None:
        if (k := self._key(fmt, deck)) is not None:
            with contextlib.suppress(UnicodeDecodeError):  # (every format is UTF-8 text: never raised)
                self.cache.put(k, {"data": data.decode("utf-8"), "rest": rest})


EXPORTS_KEPT = 1000  # each deck's files in three formats
PDFS_KEPT = 1000  # rendered worksheets kept: a build of the 10,000-item bench bank makes 44
