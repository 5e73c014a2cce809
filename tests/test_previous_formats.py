"""A previous package as Anki exports it, and as an attacker crafts it (issue 20, findings 1, 2
and 9).

- Anki's legacy export (``collection.anki21`` beside a placeholder ``collection.anki2``) is read
  for real; its current one (``collection.anki21b``, zstd) is refused, saying what to do. Before,
  both were read as the placeholder, which holds none of the project's notes, silently.
- A package holding none of the project's notes is a warning.
- ``notes`` and ``col`` must be plain tables, read with value, row and time limits: a recursive
  view hung the build, a view doubling a string used 3.7 GB.
- A ``TMPDIR`` holding ``#`` or ``?`` no longer breaks the SQLite URI."""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import ExportAnkiPackageOptions

from generator.anki import previous

from .ankitools import import_package, open_collection
from .conftest import REPO, STARTER

APKG = "Siege of Lal Masjid.apkg"
FAST = ["--no-worksheets", "--no-exports"]
EPOCH = 1_700_000_000


def _project(root: Path) -> Path:
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copy(REPO / "studydeck.yaml", root / "studydeck.yaml")
    (root / "decks").mkdir()
    shutil.copy(STARTER, root / "decks" / "starter.yaml")
    return root


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The starter deck's package (built at EPOCH), imported into real Anki and exported again
    in both of Anki's formats; and the package as built."""
    from generator.build import build

    base = tmp_path_factory.mktemp("exported")
    root = _project(base / "published")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        assert build(root, worksheets=False, exports=set()).report.ok
    packages = {"built": root / "dist" / APKG}
    for name, legacy in (("legacy", True), ("current", False)):
        col = open_collection(base / f"anki-{name}")
        import_package(col, packages["built"])
        packages[name] = base / f"{name}.apkg"
        col.export_anki_package(out_path=str(packages[name]), limit=None, options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=legacy))
        col.close()
    return packages


def _times(root: Path) -> set[int]:
    lock = json.loads((root / "studydeck.lock").read_text())
    return {entry["changed"] for entry in lock["notes"].values()}


def test_the_packages_are_what_anki_exports(exported) -> None:
    assert {"collection.anki21", "collection.anki2"} <= set(zipfile.ZipFile(exported["legacy"]).namelist())
    assert {"collection.anki21b", "collection.anki2"} <= set(zipfile.ZipFile(exported["current"]).namelist())


def test_a_legacy_export_is_read_for_real(make_project, run, exported) -> None:
    """The lock is lost; the package learners have (exported by Anki) gives back their times:
    every note is as they have it, so each keeps the time it shipped with."""
    root = make_project()
    code, _, err = run(["build", *FAST, "--previous", str(exported["legacy"])], cwd=root)
    assert code == 0, err
    assert "0 warnings" in err, err
    assert _times(root) == {EPOCH}


def test_the_current_export_format_is_refused_saying_what_to_do(make_project, run, exported) -> None:
    root = make_project()
    code, _, err = run(["build", *FAST, "--previous", str(exported["current"])], cwd=root)
    assert code == 1
    assert "error[previous-package]: " in err and "current.apkg is a package exported by Anki in its current format" \
        " (collection.anki21b, compressed), which this tool cannot read; export it again in Anki with \"Support" \
        " older Anki versions\" ticked" in err, err
    assert not (root / "dist").exists()


def test_the_current_export_format_in_the_output_folder_is_a_warning(make_project, run, exported) -> None:
    root = make_project()
    (root / "dist").mkdir()
    shutil.copy(exported["current"], root / "dist" / APKG)
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 0, err
    assert "warning[previous-package]: " in err and "in its current format" in err and "from the lock alone" in err


def test_a_package_holding_none_of_our_notes_is_a_warning(make_project, run, exported, tmp_path) -> None:
    """Another project's package, or this one's under another id: nothing of ours in it."""
    root = make_project()
    project = root / "studydeck.yaml"
    project.write_text(project.read_text().replace("\nid: ", "\nid: other-", 1))
    code, _, err = run(["build", *FAST, "--previous", str(exported["legacy"])], cwd=root)
    assert code == 0, err
    assert "legacy.apkg:1:1: warning[no-notes-of-ours]: " in err and "holds none of this project's 10 notes" in err \
        and "every learner would get a second copy of every note" in err, err


# --- crafted packages -------------------------------------------------------------------------


@contextlib.contextmanager
def _within(seconds: int) -> Iterator[None]:
    """Fail the test, instead of hanging the suite, when the build takes longer than ``seconds``."""
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    before = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


def _crafted(exported: dict[str, Path], tmp_path: Path, sql: str) -> Path:
    """The built package with ``sql`` run on its collection."""
    db = tmp_path / "crafted.anki2"
    db.write_bytes(zipfile.ZipFile(exported["built"]).read("collection.anki2"))
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.executescript(sql)
    apkg = tmp_path / "crafted.apkg"
    with zipfile.ZipFile(apkg, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(db, "collection.anki2")
    return apkg


RECURSIVE_NOTES = """DROP TABLE notes; CREATE VIEW notes AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1
    FROM r) SELECT 'g' || n AS guid, 0 AS mod, '' AS flds, '' AS tags FROM r;"""
DOUBLING_COL = """CREATE TABLE c2 AS SELECT * FROM col; DROP TABLE col; CREATE VIEW col AS WITH RECURSIVE
    r(s, n) AS (SELECT 'x', 0 UNION ALL SELECT s || s, n + 1 FROM r WHERE n < 40) SELECT s AS models FROM r
    ORDER BY n DESC LIMIT 1;"""
GENERATED_COL = """DROP TABLE col; CREATE TABLE col(id, models AS (hex(zeroblob(50000000))));
    INSERT INTO col(id) VALUES (1);"""
VIRTUAL_NOTES = """DROP TABLE notes; CREATE VIRTUAL TABLE notes USING fts5(guid, mod, flds, tags);"""


@pytest.mark.parametrize(("sql", "message"), [
    (RECURSIVE_NOTES, "its notes table is a view, not a plain table"),
    (DOUBLING_COL, "its col table is a view, not a plain table"),
    (GENERATED_COL, "string or blob too big"),
    ("DROP TABLE notes;", "its notes table is missing, not a plain table"),
], ids=["recursive-notes-view", "doubling-col-view", "generated-column", "no-notes"])
def test_a_crafted_package_is_refused_in_bounded_time(make_project, run, exported, tmp_path, sql, message) -> None:
    root = make_project()
    apkg = _crafted(exported, tmp_path, sql)
    with _within(60):
        code, _, err = run(["build", *FAST, "--previous", str(apkg)], cwd=root)
    assert code == 1
    assert "crafted.apkg:1:1: error[previous-package]: " in err and message in err, err


def test_a_virtual_notes_table_is_refused(exported, tmp_path) -> None:
    apkg = _crafted(exported, tmp_path, VIRTUAL_NOTES)
    with pytest.raises(previous.PreviousPackageError, match="its notes table is a virtual table, not a plain table"):
        previous.read_shipped(apkg, {}, "x", [])


def test_reading_stops_after_the_row_and_time_limits(exported, tmp_path, monkeypatch) -> None:
    many = _crafted(exported, tmp_path, "INSERT INTO notes SELECT n, 'g' || n, 1, 1, 0, '', '', '', 0, 0, '' FROM"
                                        " (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5000)"
                                        " SELECT n FROM r);")
    monkeypatch.setattr(previous, "MAX_NOTES", 4000)
    with pytest.raises(previous.PreviousPackageError, match="more than 4,000 notes"):
        previous.read_shipped(many, {}, "x", [])
    monkeypatch.setattr(previous, "MAX_SECONDS", -1.0)
    with pytest.raises(previous.PreviousPackageError, match="interrupted"):
        previous.read_shipped(many, {}, "x", [])


# --- TMPDIR -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tmp#dir", "tmp?dir", "a#b?c"])
def test_a_tmpdir_holding_hash_or_question_mark(make_project, run, exported, tmp_path, monkeypatch, name) -> None:
    temp = tmp_path / name
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # (tempfile keeps the folder it chose first)
    root = make_project()
    code, _, err = run(["build", *FAST, "--previous", str(exported["legacy"])], cwd=root)
    assert code == 0 and "0 warnings" in err, err
    assert _times(root) == {EPOCH}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({name, "proj"})  # no file left at the cut path
    assert list(temp.iterdir()) == []
