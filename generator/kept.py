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
    from .load import Project
    from .model import Deck
    from .records import FileResult
    from .worksheet.render import Job


class KeptPdfs:
    """Rendered worksheets (``render.Kept``) in the cache's area ``pdf``: one entry for each
    worksheet file of the project (its slot: the project and the file's name), holding the PDF and
    what it was rendered from (the job and ``render.renderer``). A job that differs from the one
    its slot holds is rendered again and takes the slot: the area never holds more than the
    output folders do."""

    def __init__(self, root: Path) -> None:
        from .worksheet.render import renderer

        self.root = root
        self.cache = Cache(root, "pdf", PDFS_KEPT)
        self.renderer = renderer()

    def _slot(self, one: Job) -> str:
        return "w" + key(self.root / one.name, one.name, b"", "", "pdf")

    def _source(self, one: Job) -> str:
        return _digest(self.renderer, "1" if one.key else "0", one.data)

    def get(self, one: Job) -> bytes | None:
        stored = self.cache.get(self._slot(one)) if one.name else None
        if isinstance(stored, dict) and stored.get("from") == self._source(one) and isinstance(stored.get("pdf"), str):
            try:
                pdf = base64.b64decode(stored["pdf"], validate=True)
                if pdf.startswith(b"%PDF-"):
                    return pdf
            except ValueError:
                pass  # a foreign entry: rendered again
        return None

    def put(self, one: Job, pdf: bytes) -> None:
        if one.name:
            self.cache.put(self._slot(one), {"from": self._source(one), "pdf": base64.b64encode(pdf).decode("ascii")})


class KeptExports:
    """Each deck's export files (``export.common.Kept``) in the cache's area ``exports``: one entry
    for each format and deck file of the project (its slot), holding the file and what it was made
    from: the deck file's content key (its bytes, path, corpus) and what an export reads beside its
    deck (the project's settings and every quote speaker of the project)."""

    def __init__(self, root: Path, files: Sequence[FileResult], project: Project) -> None:
        self.root = root
        self.cache = Cache(root, "exports", EXPORTS_KEPT)
        self.files = {f.shown: f.key for f in files}
        self.context = repr((project.config, project.speakers))

    def _slot(self, fmt: str, deck: Deck) -> tuple[str, str] | None:
        file = self.files.get(deck.path)
        if not file:
            return None
        return "x" + key(self.root / deck.path, deck.path, b"", "", fmt), _digest(file, self.context)

    def get(self, fmt: str, deck: Deck) -> tuple[bytes, Any] | None:
        slot = self._slot(fmt, deck)
        stored = self.cache.get(slot[0]) if slot else None
        if (slot and isinstance(stored, dict) and stored.get("from") == slot[1] and isinstance(stored.get("blob"), str)
                and "rest" in stored):
            with contextlib.suppress(ValueError):
                return base64.b64decode(stored["blob"], validate=True), stored["rest"]
        return None  # (none, another version's, or a foreign entry: made again)

    def put(self, fmt: str, deck: Deck, data: bytes, rest: Any) -> None:
        if (slot := self._slot(fmt, deck)) is not None:
            self.cache.put(slot[0], {"from": slot[1], "rest": rest}, data)


def _digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


EXPORTS_KEPT = 1000  # a backstop over every project: each holds one entry per deck file and format
PDFS_KEPT = 1000  # a backstop over every project: each holds one entry per worksheet file
