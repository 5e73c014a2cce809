"""Write stage: outputs land atomically, all or nothing.

Everything is rendered to bytes first; only then are the files written, each to a temporary
file beside its target and renamed over it. An exception (or Ctrl-C) before the renames leaves
every previous output byte-identical and no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_all(outputs: Mapping[Path, bytes]) -> None:
    """Write every output atomically: temp files first, then the renames."""
    staged: list[tuple[str, Path]] = []
    mode = 0o666 & ~_umask()  # what open() would give; mkstemp's own 0600 is too private
    try:
        for target, data in outputs.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((tmp, target))
            os.chmod(tmp, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
