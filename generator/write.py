"""Write stage: every output of a run lands together, or none does.

Everything is rendered to bytes first. ``publish`` then writes the files into a staging folder
beside the output folder (``.dist.staging-PID``), writes the new lock to a temporary file beside
it, and commits in one step: the staging folder and the output folder are exchanged atomically
(``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two renames, undone on the next run if cut
between them), then the lock is renamed into place and the old outputs are removed.

- A kill (even SIGKILL) before the exchange leaves every previous output byte-identical; the
  next run removes the staging folder and temporary files it left.
- SIGINT and SIGTERM are held during the commit (microseconds) and delivered after it, as
  :class:`InterruptedAfterCommit`, so the command can say truthfully that the outputs are new.
- A SIGKILL between the exchange and the lock rename leaves the new outputs with the old lock;
  the output folder's manifest records the new lock's hash, and :func:`recover` (the first step
  of the next build) renames the waiting lock into place.

The output folder belongs to studydeck: it is replaced as a whole. Folders named in ``carry``
(quizzes made by ``studydeck quiz``) are carried into the new one by hard links.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from .diagnostics import OutputError
from .paths import holds

MANIFEST = ".studydeck-build.json"
_HELD = (signal.SIGINT, signal.SIGTERM)


class InterruptedAfterCommit(KeyboardInterrupt):
    """Ctrl-C or SIGTERM arrived while the outputs were being switched: they are all new."""

    committed = True


class OutputFolderError(OutputError):
    """The output folder is not one studydeck may replace (it holds other files)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_file(path: Path, data: bytes, mode: int) -> None:
    """Write a new file and flush it to disk; an error names the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise


def _write_lock(tmp: Path, lock: Path, data: bytes, mode: int) -> None:
    """Write the new lock beside ``lock``; an error names the lock, not the temporary file."""
    try:
        tmp.unlink(missing_ok=True)
        _write_file(tmp, data, mode)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(lock)) from None


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while the block runs, then raise :class:`InterruptedAfterCommit`
    if one came (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in _HELD}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if caught:
        raise InterruptedAfterCommit


@contextlib.contextmanager
def exclusive(root: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One writing command at a time per project: an exclusive ``flock`` on the project folder
    itself (no lock file is created). ``on_wait`` is called once if another run holds it."""
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _siblings(out_dir: Path, kind: str) -> list[Path]:
    return sorted(out_dir.parent.glob(f".{out_dir.name}.{kind}-*"))


@contextlib.contextmanager
def work_folder(out_dir: Path) -> Iterator[Path]:
    """An empty private folder for work files, beside ``out_dir`` (on the outputs' own disk, so a
    full temporary folder cannot fail a build), removed after; a killed run's is removed by the
    next ``recover`` (it is a staging folder by name). Hold :func:`exclusive` while it is in use."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    folder = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}-work"
    _remove(folder)
    folder.mkdir(mode=0o700)
    try:
        yield folder
    finally:
        _remove(folder)


def _lock_temps(lock_path: Path) -> list[Path]:
    return sorted(lock_path.parent.glob(f".{lock_path.name}.*.tmp"))


def release_memory() -> None:
    """Give the memory freed by a finished phase back to the system (glibc keeps it otherwise,
    and the next phase's peak would stand on top of it). Nothing where glibc is not there. No
    collection of reference cycles first (the command line runs with the collector off): a build
    leaves next to none (202 objects at 10k, argparse's and a class's: ``anki.package``'s Deck
    class holds no notes), and looking costs a walk of every live object (0.25 s at 10k)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)  # the running program's own symbols, glibc's among them


def _read(path: Path) -> bytes | None:
    """A file of ours, or None: only a regular file is read (a fifo planted under one of our
    names would block the build), up to 4 GB."""
    from .paths import read_input

    return read_input(path, "file", 1 << 32)[0]


def read_manifest(out_dir: Path) -> dict[str, object]:
    try:
        data = json.loads(_read(out_dir / MANIFEST) or b"")
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def built_with(out_dir: Path, name: str, lock: bytes) -> bool:
    """The output ``name`` is, byte for byte, the one written together with this lock (the
    manifest says so, and the file's hash agrees)."""
    manifest = read_manifest(out_dir)
    hashes = manifest.get("sha256")
    if manifest.get("lock") != _sha(lock) or not isinstance(hashes, dict) or name not in hashes:
        return False
    from .paths import file_sha256

    return bool(hashes[name] == file_sha256(out_dir / name))  # (a big package is never read whole)


def recover(out_dir: Path, lock_path: Path | None) -> None:
    """Finish or undo what a killed run left: restore the old outputs if it was cut between two
    renames, roll the lock forward if the outputs it belongs to were committed, and remove every
    staging folder and temporary file. Call it while holding :func:`exclusive`."""
    if not out_dir.exists() and not out_dir.is_symlink():
        olds = [p for p in _siblings(out_dir, "old") if _real_folder(p)]  # never a planted link
        if olds:
            os.rename(olds[-1], out_dir)
    if lock_path is not None:
        committed = read_manifest(out_dir).get("lock") if out_dir.exists() else None
        for tmp in _lock_temps(lock_path):
            current = _read(lock_path) or b""
            waiting = _read(tmp)
            if waiting is not None and committed == _sha(waiting) and _sha(current) != committed:
                os.replace(tmp, lock_path)
            else:
                tmp.unlink()
    for stale in _siblings(out_dir, "staging") + _siblings(out_dir, "old"):
        _remove(stale)


def _real_folder(path: Path) -> bool:
    """A folder itself, not a symbolic link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _remove(path: Path) -> None:
    """Remove what stands at ``path``, as far as possible: a folder with what it holds (made
    writable first where a user made it read-only: it was our output folder), a file or a
    link itself (never followed)."""
    if not _real_folder(path):
        with contextlib.suppress(OSError):
            path.unlink()
        return

    def again_writable(func: Callable[[str], object], where: str, _: object) -> None:
        with contextlib.suppress(OSError):  # what still cannot go stays: never an error here
            os.chmod(os.path.dirname(where), 0o700)
            func(where)

    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    shutil.rmtree(path, onerror=again_writable)


def _not_replaceable(out_dir: Path, by_build: bool) -> str | None:
    """Why ``out_dir`` may not be replaced, or None: it may when absent, empty, written by
    studydeck (has its manifest), holding only what ``quiz`` and ``export`` write before a first
    build, or the layout an older version wrote; but a build's folder (its manifest names a lock)
    only by a build: ``quiz --out dist`` would otherwise throw the package and worksheets away."""
    if not out_dir.exists():
        return None
    if not out_dir.is_dir():
        return "is not a folder"
    names = {p.name for p in out_dir.iterdir()}
    if MANIFEST in names:
        if not by_build and read_manifest(out_dir).get("lock") is not None:
            return ("holds the outputs of a build (the package, worksheets, exports); write quizzes and exports"
                    " into a folder of their own (the default is one inside it)")
        return None
    if not names or all(n.endswith(".apkg") or n in ("worksheets", "quizzes", "exports") for n in names):
        return None
    return "holds files studydeck did not write; choose an empty or new folder for the outputs"


def publish(out_dir: Path, files: Mapping[str, bytes] | Iterable[tuple[str, bytes]],
            lock: tuple[Path, bytes] | None = None, carry: Sequence[str] = ()) -> list[str]:
    """Replace ``out_dir`` with exactly ``files`` (relative path -> bytes, or such pairs as they
    are made: each is written into the staging folder and let go) and, in the same commit,
    ``lock`` (path, bytes) when given (left alone when it already holds those bytes). An error
    while the pairs are made leaves everything as it was. Returns the files' names. See the
    module docstring for what a kill leaves."""
    why = _not_replaceable(out_dir, by_build=lock is not None)
    if why:
        raise OutputFolderError(f"{out_dir} {why}")
    mode = 0o666 & ~_umask()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir, None)  # what an earlier killed run left beside this folder (quiz, export)
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    lock_tmp = lock[0].parent / f".{lock[0].name}.{os.getpid()}.tmp" if lock else None
    committed = False
    hashes: dict[str, str] = {}
    try:
        staging.mkdir()
        for rel, data in files.items() if isinstance(files, Mapping) else files:
            _write_file(staging / rel, data, mode)
            hashes[rel] = _sha(data)
            del data
        for name in carry:
            if (out_dir / name).is_dir():
                shutil.copytree(out_dir / name, staging / name, copy_function=os.link)
        manifest = {"files": sorted(hashes), "lock": _sha(lock[1]) if lock else None,
                    "sha256": dict(sorted(hashes.items()))}
        _write_file(staging / MANIFEST, json.dumps(manifest, indent=1).encode() + b"\n", mode)
        if lock and lock_tmp:
            if holds(lock[0], lock[1]):
                lock_tmp = None  # the lock stays as it is (nothing is written beside it: a read-only checkout)
            else:
                _write_lock(lock_tmp, lock[0], lock[1], mode)
        with held_signals():
            if not out_dir.exists():
                os.rename(staging, out_dir)
            elif not _exchange(staging, out_dir):
                old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
                os.rename(out_dir, old)
                os.rename(staging, out_dir)
                os.rename(old, staging)
            committed = True
            if lock and lock_tmp:
                try:
                    os.replace(lock_tmp, lock[0])
                except OSError as exc:
                    exc.after_commit = (  # type: ignore[attr-defined]
                        f"the outputs are new; the new lock waits in {lock_tmp.name} and the next build puts it in place")
                    raise
    except BaseException:
        if not committed and lock_tmp is not None:
            with contextlib.suppress(OSError):  # (never hiding the error that brought us here)
                lock_tmp.unlink(missing_ok=True)
        raise
    finally:
        _remove(staging)  # (after the exchange: the old outputs, or the link the output folder was)
    return sorted(hashes)
