"""The lock and the output folder, minor findings of issue 20 (point 11): a read-only checkout
built elsewhere, duplicate ids and merge conflicts in the lock, a lone surrogate escape, and the
earlier outputs a build without worksheets or exports removes."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from .conftest import snapshot

FAST = ["--no-worksheets", "--no-exports"]


def _read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Every file created or removed directly in ``folder`` fails as on a read-only file system
    (the tests run as root, which a chmod would not stop)."""
    real_open, real_unlink = os.open, os.unlink

    def refuse(path: object) -> None:
        if Path(os.path.abspath(os.fsdecode(path))).parent == folder:  # type: ignore[arg-type]
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))  # type: ignore[arg-type]

    def opened(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & os.O_CREAT:
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def unlinked(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        refuse(path)
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", opened)
    monkeypatch.setattr(os, "unlink", unlinked)


def test_a_read_only_checkout_builds_elsewhere_when_the_lock_is_unchanged(make_project, run, tmp_path,
                                                                            monkeypatch) -> None:
    root = make_project()
    assert run(["build", *FAST], cwd=root)[0] == 0
    before = snapshot(root)
    with monkeypatch.context() as m:
        _read_only(m, root)
        code, _, err = run(["build", *FAST, "--out", str(tmp_path / "elsewhere")], cwd=root)
    assert code == 0, err
    assert (tmp_path / "elsewhere" / "Siege of Lal Masjid.apkg").is_file()
    assert snapshot(root) == before


def test_a_lock_that_cannot_be_written_is_named_not_its_temporary_file(make_project, run, tmp_path,
                                                                       monkeypatch) -> None:
    root = make_project()
    with monkeypatch.context() as m:
        _read_only(m, root)
        code, _, err = run(["build", *FAST, "--out", str(tmp_path / "elsewhere")], cwd=root)
    assert code == 1
    assert re.fullmatch(r"studydeck: error: cannot write \S*studydeck\.lock: Read-only file system; previous outputs"
                        r" left as they were\.\n", err), err
    assert ".tmp" not in err and not (tmp_path / "elsewhere").exists()


def _lock(root: Path) -> Path:
    return root / "studydeck.lock"


def test_an_id_twice_in_the_lock_is_a_located_error(make_project, run) -> None:
    root = make_project()
    assert run(["build", *FAST], cwd=root)[0] == 0
    text = _lock(root).read_text()
    first = re.search(r'(?m)^  "([a-z0-9-]+)": \{\n(?:   .*\n)*?  \},?\n', text.split('"notes"', 1)[1])
    assert first is not None
    entry = first.group().rstrip("\n").rstrip(",") + ",\n"
    doubled = text.replace(first.group(), entry + first.group(), 1)
    _lock(root).write_text(doubled)
    line = doubled.count("\n", 0, doubled.index(f'"{first[1]}"', doubled.index(f'"{first[1]}"') + 1)) + 1
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 1
    assert f"studydeck.lock:{line}:3: error[lock-file]: not a valid lock file ('{first[1]}' is listed twice; the later" \
           " entry would silently win)" in err, err


def test_a_merge_conflict_in_the_lock_says_merge_conflict(make_project, run) -> None:
    root = make_project()
    assert run(["build", *FAST], cwd=root)[0] == 0
    lines = _lock(root).read_text().splitlines(keepends=True)
    lines[10:10] = ["<<<<<<< HEAD\n", *lines[10:13], "=======\n", *lines[10:13], ">>>>>>> other-branch\n"]
    _lock(root).write_text("".join(lines))
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 1
    assert "studydeck.lock:11:1: error[lock-file]: the lock holds merge conflict markers" in err, err
    assert "resolve the merge conflict" in err


@pytest.mark.parametrize(("escape", "hint"), [
    ("\\ud800", r"hint: \uD800 to \uDFFF (halves of a surrogate pair) and codes past \U0010FFFF are no character"),
    ("\\q", r"hint: a backslash in double quotes starts an escape: write \\ for a backslash, or use single quotes"),
])
def test_a_bad_escape_gets_its_own_hint_not_an_unclosed_quote(make_project, run, escape, hint) -> None:
    root = make_project({"d.yaml": f'deck: "Chronology{escape}"\nitems: []\n'})
    code, _, err = run(["check"], cwd=root)
    assert code == 1 and "error[yaml-syntax]" in err
    assert hint in err and "never closed" not in err, err


def test_a_build_without_worksheets_and_exports_says_what_it_removed(make_project, run) -> None:
    """The output folder is replaced as a whole (it must match the package); the summary says which
    earlier outputs went, rather than removing them silently."""
    root = make_project()
    assert run(["build", "--exports", "gift"], cwd=root)[0] == 0
    sheets = len(list((root / "dist" / "worksheets").iterdir()))
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 0
    assert (f"removed from dist/ what this build did not make again: gift/ (1 file), worksheets/ ({sheets} files)"
            " (a build without --no-worksheets and --no-exports makes them again)") in err, err
    assert not (root / "dist" / "worksheets").exists()
    code, _, err = run(["build", *FAST], cwd=root)
    assert "removed" not in err  # nothing more to say


def test_holds_compares_a_file_with_bytes_as_reading_it_would(tmp_path) -> None:
    """``paths.holds`` (the lock left alone when it already holds the new text) is ``read_input(...) == data``,
    without reading the file whole: equal, one byte changed at either end or past a piece, longer,
    shorter, empty; and never true of what is not a regular file."""
    import os

    from generator.paths import holds, read_input

    path = tmp_path / "f"
    base = bytes(range(256)) * 9000  # past the 1 MiB piece
    for on_disk, data in [(base, base), (base, b"x" + base[1:]), (base, base[:-1] + b"x"),
                          (base, base[: 1 << 20] + b"x" + base[(1 << 20) + 1 :]), (base, base + b"x"), (base, base[:-1]),
                          (b"", b""), (b"", b"x"), (b"x", b"")]:
        path.write_bytes(on_disk)
        assert holds(path, data) is (read_input(path, "file", 1 << 32)[0] == data)
    assert not holds(tmp_path / "missing", b"")
    assert not holds(tmp_path, b"")  # a folder
    os.mkfifo(tmp_path / "fifo")
    assert not holds(tmp_path / "fifo", b"")  # refused without blocking
