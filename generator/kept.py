"""Outputs kept between builds, so that a build after an edit makes again only what the edit
changed: rendered worksheets (:class:`KeptPdfs`) and each deck's export files
(:class:`KeptExports`), each in an area of the cache with its own cap (hundreds of PDFs never push
``engine``'s entries out). Each is keyed by everything the output reads, and the code's hash
(``cache.key``); an entry that cannot be read back as one is a miss. ``engine`` keeps the
check's and the compiler's results; these two classes are the only other users of the cache.
"""

from __future__ import annotations

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


class _Slots:
    """An area of the cache with one entry for each output file of the project (its slot: the
    project, the file's name and its kind), holding the output's bytes and what they were made
    from (``source``): an output made from something else misses, and takes the slot when made."""

    def __init__(self, root: Path, area: str, cap: int) -> None:
        self.root = root
        self.cache = Cache(root, area, cap)

    def _key(self, name: str, kind: str) -> str:
        return key(self.root / name, name, b"", "", kind)

    def get(self, name: str, kind: str, source: str) -> tuple[bytes, dict[str, Any]] | None:
        found = self.cache.get_blob(self._key(name, kind))
        return (found[1], found[0]) if found is not None and found[0].get("from") == source else None

    def put(self, name: str, kind: str, source: str, data: bytes, **more: Any) -> None:
        self.cache.put(self._key(name, kind), {"from": source, **more}, data)


class KeptPdfs:
    """Rendered worksheets (``render.Kept``) in the cache's area ``pdf``, a slot for each worksheet
    file of the project (the job's ``name``), made from the job and ``render.renderer``: the area
    never holds more than the output folders do."""

    def __init__(self, root: Path) -> None:
        from .worksheet.render import renderer

        self.slots = _Slots(root, "pdf", PDFS_KEPT)
        self.renderer = renderer()

    def _source(self, one: Job) -> str:
        return _digest(self.renderer, "1" if one.key else "0", one.data)

    def get(self, one: Job) -> bytes | None:
        found = self.slots.get(one.name, "pdf", self._source(one)) if one.name else None
        return found[0] if found is not None and found[0].startswith(b"%PDF-") else None

    def put(self, one: Job, pdf: bytes) -> None:
        if one.name:
            self.slots.put(one.name, "pdf", self._source(one), pdf)


class KeptExports:
    """Each deck's export files (``export.common.Kept``) in the cache's area ``exports``, a slot
    for each format and deck file of the project, made from the deck file's content key (its
    bytes, path, corpus) and what an export reads beside its deck (the project's settings and
    every quote speaker of the project)."""

    def __init__(self, root: Path, files: Sequence[FileResult], project: Project) -> None:
        self.slots = _Slots(root, "exports", EXPORTS_KEPT)
        self.files = {f.shown: f.key for f in files}
        self.context = repr((project.config, project.speakers))

    def _source(self, deck: Deck) -> str | None:
        file = self.files.get(deck.path)
        return _digest(file, self.context) if file else None

    def get(self, fmt: str, deck: Deck) -> tuple[bytes, Any] | None:
        source = self._source(deck)
        found = self.slots.get(deck.path, fmt, source) if source else None
        return (found[0], found[1]["rest"]) if found is not None and "rest" in found[1] else None

    def put(self, fmt: str, deck: Deck, data: bytes, rest: Any) -> None:
        if (source := self._source(deck)) is not None:
            self.slots.put(deck.path, fmt, source, data, rest=rest)


def _digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


EXPORTS_KEPT = 1000  # a backstop over every project: each holds one entry per deck file and format
PDFS_KEPT = 1000  # a backstop over every project: each holds one entry per worksheet file
