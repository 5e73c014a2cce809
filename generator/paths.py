"""The project's files: their names, where they may be, how they are read and how a path is
printed. Light enough for the command line to import before any command runs (no YAML, no model).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from .diagnostics import Diagnostic, FileTooLarge, MissingFile, NotAFile, Span, UnsafePath

PROJECT_FILE = "studydeck.yaml"
CATALOG_FILE = "seeds/sources.yaml"


def brief(path: str) -> str:
    """A path fit to print in a one-line message: escaped like :func:`shown`, and cut short when long."""
    return shown(path) if len(path) <= 200 else f"{shown(path[:60])}... ({len(path):,} characters)"


def shown(text: str, json: bool = False) -> str:
    """Text fit to print to a terminal: every character Python does not call printable escaped,
    which is every control character (ESC, which a terminal obeys; a newline in a file name), every
    format character (bidi controls, which reorder what is shown; zero-width characters) and the
    line separators. The escapes are Python's and YAML's (``\\x1b``, ``\\u202e``,
    ``\\U000e0041``), or with ``json`` JSON's, for text inside a JSON string. The one escaping
    of everything the command line prints that it did not write itself."""
    if text.isprintable():
        return text
    escape = _json_escape if json else _python_escape
    return "".join(c if c.isprintable() else escape(c) for c in text)


def _python_escape(c: str) -> str:
    return c.encode("unicode_escape").decode()


def _json_escape(c: str) -> str:
    code = ord(c)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a surrogate pair, as JSON writes a character beyond the first plane
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def display_path(path: Path | str) -> str:
    """The path as a user would type it: relative to the current folder when inside it, with
    control characters (a newline in a file name) shown as escapes, never printed raw; as given
    when the current folder no longer exists."""
    try:
        rel = os.path.relpath(path)
    except (ValueError, OSError):
        rel = str(path)
    return shown(str(path) if rel.startswith(".." + os.sep + "..") else rel)


def _where(path: Path) -> Span:
    """The place a problem with reading ``path`` is reported at (worked out only then)."""
    return Span(display_path(path))


def _open_input(path: Path, what: str, root: Path | None) -> tuple[int | None, list[Diagnostic]]:
    """A file descriptor open on ``path`` when it is a regular file (see :func:`read_input`)."""
    if root is not None and (why := inside(root, path.relative_to(root).as_posix())):
        return None, [UnsafePath.at(_where(path), f"{what} {why}; not read")]
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        return None, [NotAFile.at(_where(path), f"{what} is a folder, not a file")]
    except FileNotFoundError:
        return None, [MissingFile.at(_where(path), f"{what} is missing")]
    except OSError as exc:
        return None, [MissingFile.at(_where(path), f"cannot read {what}: {exc.strerror or exc}")]
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            problem = NotAFile.at(_where(path), f"{what} is a folder, not a file")
        elif not stat.S_ISREG(info.st_mode):
            problem = NotAFile.at(_where(path), f"{what} is not a regular file (a pipe, socket or device)")
        else:
            return fd, []
    except OSError as exc:
        problem = MissingFile.at(_where(path), f"cannot read {what}: {exc.strerror or exc}")
    os.close(fd)
    return None, [problem]


def read_input(path: Path, what: str, cap: int | None = None,
               root: Path | None = None) -> tuple[bytes | None, list[Diagnostic]]:
    """The bytes of an input file, read safely: a regular file only (a folder, a fifo or a device
    is refused without blocking), and at most ``cap`` bytes (one more is read to know it is over).
    With ``root`` (the project), a path that leads out of it through a symbolic link (a deck file
    linked to /etc/passwd, a seeds/ folder linked elsewhere) is refused unread: nothing is read
    from outside the project."""
    if cap is None:
        from .yamltree import MAX_FILE_BYTES  # (imported when needed: the CLI starts without YAML)

        cap = MAX_FILE_BYTES
    fd, problems = _open_input(path, what, root)
    if fd is None:
        return None, problems
    try:
        chunks, size = [], 0
        while size <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return None, [MissingFile.at(_where(path), f"cannot read {what}: {exc.strerror or exc}")]
    finally:
        os.close(fd)
    if size > cap:
        return None, [FileTooLarge.at(_where(path), f"{what} is larger than the cap of {cap:,} bytes; not read")]
    return b"".join(chunks), []


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a regular file's bytes (as :func:`read_input` would read them), read a piece
    at a time: hashing a big output never holds it in memory. None when it cannot be read."""
    fd, _ = _open_input(path, "file", None)
    if fd is None:
        return None
    try:
        with open(fd, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None


def holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file holding exactly ``data`` (as :func:`read_input` would read
    it), compared a piece at a time after the sizes: a big lock is never read whole beside its new
    text."""
    fd, _ = _open_input(path, "file", None)
    if fd is None:
        return False
    try:
        if os.fstat(fd).st_size != len(data):
            return False
        view, at = memoryview(data), 0
        while chunk := os.read(fd, 1 << 20):
            if view[at : at + len(chunk)] != chunk:
                return False
            at += len(chunk)
        return at == len(data)
    except OSError:
        return False
    finally:
        os.close(fd)


def read_hashed(path: Path, what: str, cap: int | None = None,
                root: Path | None = None) -> tuple[bytes | None, str, list[Diagnostic]]:
    """:func:`read_input`, and the bytes' SHA-256 ("" when they could not be read)."""
    data, problems = read_input(path, what, cap, root)
    return data, hashlib.sha256(data).hexdigest() if data is not None else "", problems


def inside(root: Path, relative: str) -> str | None:
    """Why ``relative`` does not name a place inside ``root`` (None when it does): absolute paths,
    ``..`` and symbolic links that lead out are refused."""
    if "\0" in relative:
        return "holds a NUL character"
    pure = Path(relative)
    if pure.is_absolute() or relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", relative):
        return "is an absolute path"
    if ".." in pure.parts or "\\" in relative:
        return "goes up with '..'" if ".." in pure.parts else "contains a backslash"
    if len(pure.parts) == 1:  # a name in root itself: only that name can be a link leading out
        try:
            if not stat.S_ISLNK(os.lstat(root / pure).st_mode):
                return None
        except OSError:
            pass
    target = (root / pure).resolve()
    base = root.resolve()
    if target != base and base not in target.parents:
        return "leads out through a symbolic link"
    return None


def deck_files(root: Path) -> list[Path]:
    return sorted((root / "decks").glob("*.yaml"))
