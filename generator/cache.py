"""Per-file cache for ``check``: a deck file's loaded items and their diagnostics, by content hash.

``check`` runs on every save; with thousands of items, re-reading every file is most of its cost.
Each deck file's result (its items and every problem found in them, except the project-wide
checks) is stored under a key made of the file's absolute path and bytes, the corpus (catalog
and seeds) and the code itself, so any change to any of them misses.

Safety:
- entries are JSON (see ``plain``), a kept output a line of JSON and then its bytes: reading one
  can never run code;
- the folder is the user's own (``$STUDYDECK_CACHE_DIR``, else an absolute ``$XDG_CACHE_HOME``
  /studydeck, else ``~/.cache/studydeck``), created private (0700); a folder or entry owned by
  someone else, or writable by others, is not used, so nobody else can whitewash errors;
- it is never inside the project being checked, whatever the environment says;
- it is pruned: past ``MAX_ENTRIES`` entries, the least recently used go.
``STUDYDECK_NO_CACHE=1`` turns it off. Any problem reading or writing it is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

CACHE_FORMAT = 2
MAX_ENTRIES = 400
_PRUNE_EVERY = 16  # writes between two looks at the folder's size


def cache_dir(project: Path | None = None) -> Path | None:
    """The cache folder, or None when it is off or would fall inside ``project``."""
    if os.environ.get("STUDYDECK_NO_CACHE"):
        return None
    explicit = os.environ.get("STUDYDECK_CACHE_DIR")
    xdg = os.environ.get("XDG_CACHE_HOME")
    if explicit:
        folder = Path(explicit).absolute()
    elif xdg and os.path.isabs(xdg):  # the XDG spec: a relative value is invalid and ignored
        folder = Path(xdg) / "studydeck"
    else:
        home = os.path.expanduser("~")
        if not os.path.isabs(home) or os.environ.get("HOME") == "":
            return None  # no home to speak of (HOME set empty would give /.cache): no cache
        folder = Path(home) / ".cache" / "studydeck"
    if project is not None:
        base, target = project.resolve(), folder.resolve()
        if target == base or base in target.parents:
            return None
    return folder


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    uid = os.getuid() if hasattr(os, "getuid") else info.st_uid
    return info.st_uid == uid and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


@functools.cache
def code_version() -> str:
    """A hash of the package's own source: a new version of the checker never reuses old results."""
    digest = hashlib.sha256(str(CACHE_FORMAT).encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def key(path: Path, shown: str, data: bytes, corpus_key: str, kind: str = "") -> str:
    return hashed_key(path, shown, hashlib.sha256(data).hexdigest(), corpus_key, kind)


def hashed_key(path: Path, shown: str, sha256: str, corpus_key: str, kind: str = "") -> str:
    """``key`` of bytes whose SHA-256 is known (so that a file need not be read to find its entry)."""
    digest = hashlib.sha256()
    for part in (kind, str(path.resolve()), shown, corpus_key, code_version(), sha256):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


class Cache:
    """The cache for one project (so that it is never placed inside it)."""

    def __init__(self, project: Path, area: str = "", keep: int | None = None) -> None:
        """``area``: a subfolder of the cache with its own cap of ``keep`` entries (default
        ``MAX_ENTRIES``): rendered worksheets, which would otherwise push the check's entries out."""
        folder = cache_dir(project)
        self.folder = folder / area if folder is not None and area else folder
        self.area = area
        self.keep = keep
        self._checked = False
        self._writes = 0

    def _usable(self, create: bool) -> bool:
        if self.folder is None:
            return False
        if self._checked:
            return True
        # (an area's folder and the cache's own both: each made private, each checked)
        folders = [self.folder.parent, self.folder] if self.area else [self.folder]
        for folder in folders:
            try:
                if create:
                    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                info = os.stat(folder)
            except OSError:
                return False
            if not stat.S_ISDIR(info.st_mode) or not _private(info):
                self.folder = None  # someone else's folder, or shared: not used at all
                return False
        self._checked = True
        return True

    def _reading(self, cache_key: str, read: Callable[[BinaryIO], Any]) -> Any:
        """``read`` of the entry's file, open for reading, or None: no entry, someone else's, or one
        ``read`` cannot make sense of (a truncated or foreign entry is simply a miss)."""
        if not self._usable(create=False):
            return None
        assert self.folder is not None
        path = self.folder / f"{cache_key}.json"
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or not _private(info):
                return None  # planted by someone else: a miss
            with os.fdopen(fd, "rb", closefd=False) as handle:
                found = read(handle)
            os.utime(fd)  # least recently used is pruned first
            return found
        except (OSError, ValueError, RecursionError):
            return None
        finally:
            os.close(fd)

    def get(self, cache_key: str) -> Any:
        return self._reading(cache_key, lambda handle: json.loads(handle.read()))

    def get_blob(self, cache_key: str) -> tuple[dict[str, Any], bytes] | None:
        """An entry written with a blob (see :meth:`put`): its object and the blob's bytes."""

        def read(handle: BinaryIO) -> tuple[dict[str, Any], bytes] | None:
            line = handle.readline()
            if not line.endswith(b"\n"):
                return None  # JSON alone: not written with a blob
            head, blob = json.loads(line), handle.read()
            return (head, blob) if isinstance(head, dict) and head.get("blob") == len(blob) else None

        found: tuple[dict[str, Any], bytes] | None = self._reading(cache_key, read)
        return found

    def has(self, cache_key: str) -> bool:
        """Whether an entry is kept under the key (it may still be unreadable)."""
        return self.folder is not None and (self.folder / f"{cache_key}.json").is_file()

    def put(self, cache_key: str, value: Any, blob: bytes | None = None) -> None:
        """Keep ``value`` (JSON data) under the key; with ``blob``, ``value`` is an object and the
        entry is that object on a line of its own, with the blob's length under ``"blob"``, then
        the blob's bytes as they are (JSON never writes a raw line break, so the first one ends the
        object): a kept output is neither encoded nor decoded, nor held as JSON text."""
        if not self._usable(create=True):
            return
        assert self.folder is not None
        try:
            # json.dumps, not json.dump: only dumps uses the C encoder (dump writes piece by piece).
            head = value if blob is None else {**value, "blob": len(blob)}
            data = json.dumps(head, separators=(",", ":")).encode()  # ASCII out: the C encoder's fastest path
        except (TypeError, ValueError, RecursionError):
            return
        pieces = [data] if blob is None else [data, b"\n", blob]
        tmp = ""
        try:
            # (``tempfile.mkstemp``'s way, without importing tempfile and random into every check)
            tmp = str(self.folder / f"tmp{os.urandom(8).hex()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as handle:
                for piece in pieces:
                    handle.write(piece)
                del pieces
            os.replace(tmp, self.folder / f"{cache_key}.json")
        except OSError:
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            return
        if self._writes % _PRUNE_EVERY == 0:
            self.prune()
        self._writes += 1

    def prune(self, keep: int | None = None) -> None:
        """Remove the least recently used entries past ``keep`` (default: the cache's cap), and
        stray temporary files."""
        if self.folder is None:
            return
        keep = (MAX_ENTRIES if self.keep is None else self.keep) if keep is None else keep
        try:
            entries = []
            for entry in os.scandir(self.folder):
                if entry.name.endswith(".tmp"):
                    with_time = entry.stat().st_mtime
                    if with_time < time.time() - 3600:
                        os.unlink(entry.path)
                elif entry.name.endswith(".json"):
                    entries.append((entry.stat().st_mtime, entry.path))
            entries.sort(reverse=True)
            for _, path in entries[keep:]:
                os.unlink(path)
        except OSError:
            return

