"""Per-file cache for ``check``: a deck file's loaded items and their diagnostics, by content hash.

``check`` runs on every save; with thousands of items, re-reading every file is most of its cost.
Each deck file's result (its items and every problem found in them, except the project-wide
duplicate-id check) is stored under a key made of the file's absolute path and bytes, the
corpus (catalog and seeds) and the code itself, so any change to any of them misses.

The cache lives in the user's cache folder (``$STUDYDECK_CACHE_DIR``, else
``$XDG_CACHE_HOME/studydeck`` or ``~/.cache/studydeck``), never inside the project: it holds
pickles, and a shared project folder must not be able to plant one. ``STUDYDECK_NO_CACHE=1``
turns it off. Any problem reading or writing it is a miss, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

CACHE_FORMAT = 1


def cache_dir() -> Path | None:
    if os.environ.get("STUDYDECK_NO_CACHE"):
        return None
    explicit = os.environ.get("STUDYDECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "studydeck"


@functools.cache
def code_version() -> str:
    """A hash of the package's own source: a new version of the checker never reuses old results."""
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def key(path: Path, shown: str, data: bytes, corpus_key: str) -> str:
    digest = hashlib.sha256()
    for part in (str(path.resolve()), shown, corpus_key, code_version()):
        digest.update(part.encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()


def get(cache_key: str) -> Any:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"{cache_key}.pickle", "rb") as handle:
            return pickle.load(handle)
    except Exception:  # a missing, truncated or foreign entry is simply a miss
        return None


def put(cache_key: str, value: Any) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{cache_key}.pickle")
    except OSError:
        pass
