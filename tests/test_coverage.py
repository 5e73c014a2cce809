"""`studydeck coverage`: items per source, uncited paragraphs, counts by type."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from .conftest import REPO


def test_coverage_of_the_starter_deck(make_project, run) -> None:
    code, out, _ = run(["coverage"], cwd=make_project())
    assert code == 0
    lines = out.splitlines()
    siege = next(line for line in lines if line.strip().startswith("wikipedia-siege"))
    assert "9 items" in siege and "/60 paragraphs cited" in siege
    assert "not cited: line 25: On 27 March 2007" not in out  # cited by the order item
    assert any(line.strip().startswith("news-digest-2007-07-09") and " 0 items" in line for line in lines)
    starter = next(line for line in lines if line.strip().startswith("Starter"))
    assert starter.split() == ["Starter", "2", "1", "2", "1", "1", "1", "1", "1", "10"]


def test_shipped_bank_covers_every_source_and_the_whole_siege_article(run) -> None:
    code, out, _ = run(["coverage"], cwd=REPO)
    assert code == 0
    for doc in ("wikipedia-siege", "wikipedia-mosque", "islamicity-mustafa", "socialist-worker-prasad",
                "news-digest-2007-07-09"):
        line = next(line for line in out.splitlines() if line.strip().startswith(doc))
        assert " 0 items" not in line, line
    siege = next(line for line in out.splitlines() if line.strip().startswith("wikipedia-siege"))
    assert "60/60 paragraphs cited" in siege
    total = next(line for line in out.splitlines() if line.strip().startswith("all")).split()
    assert int(total[-1]) >= 160


def test_coverage_refuses_an_invalid_bank(make_project, run) -> None:
    from .conftest import CASES

    code, out, err = run(["coverage"], cwd=make_project({"c.yaml": (CASES / "invalid" / "correction.yaml").read_bytes()}))
    assert (code, out) == (1, "")
    assert "coverage needs a clean check" in err


def test_unwritable_output_is_a_clear_error(make_project, run, tmp_path, monkeypatch) -> None:
    """A folder nobody may write in (faked: the tests run as root, whom permissions do not stop)."""
    root = make_project()
    locked = tmp_path / "locked"
    locked.mkdir()
    real_mkdir, real_open = os.mkdir, os.open

    def refuse(path: object) -> None:
        if Path(os.fsdecode(path)).parent == locked:  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))  # type: ignore[arg-type]

    def mkdir(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        refuse(path)
        return real_mkdir(path, *args, **kwargs)

    def opened(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & os.O_CREAT:
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", opened)
    code, _, err = run(["build", "--out", str(locked / "dist")], cwd=root)
    assert code == 1
    assert re.fullmatch(r"studydeck: error: cannot write \S*locked/\.dist\.staging-\d+(-work)?: Permission denied;"
                        r" previous outputs left as they were\.\n", err), err
    assert list(locked.iterdir()) == [] and not (root / "studydeck.lock").exists()


def test_output_path_that_is_a_file_is_a_clear_error(make_project, run, tmp_path) -> None:
    root = make_project()
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the output folder should be")
    code, _, err = run(["build", "--out", str(blocker / "dist")], cwd=root)
    assert code == 1
    assert err.startswith("studydeck: error: cannot write") and "previous outputs left as they were" in err
