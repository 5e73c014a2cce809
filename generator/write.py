"""Write stage: outputs land atomically, all or nothing.

Everything is rendered to bytes first; only then are the files written, each to a temporary
file beside its target and renamed over it. An exception (or Ctrl-C) before the renames leaves
every previous output byte-identical and no temporary file behind. Ctrl-C during the renames
(microseconds) is held until they are done, so the outputs are all old or all new, never mixed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold SIGINT while the block runs, then deliver it (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


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
        with _sigint_held():
            for tmp, target in staged:
                os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
