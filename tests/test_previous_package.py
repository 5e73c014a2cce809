"""A package read back to compare with (``--previous``, or the one found in the output folder) is
input like any other: whatever its collection holds, the build reports it, an error when the
package was named and a warning when it was only found, and never raises. A time read from it
obeys the lock's rule, so a package can never put into the lock a time the next build refuses;
SOURCE_DATE_EPOCH obeys it too. The hostile packages are ones fuzzing found (each was a traceback
or a poisoned lock)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build import build

from .conftest import REPO, STARTER, snapshot

APKG = "Siege of Lal Masjid.apkg"
FAST = ["--no-worksheets", "--no-exports"]
Change = Callable[[sqlite3.Connection], object]


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The collection of the starter deck's package, as a build writes it (built once)."""
    root = tmp_path_factory.mktemp("published")
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copy(REPO / "studydeck.yaml", root / "studydeck.yaml")
    (root / "decks").mkdir()
    shutil.copy(STARTER, root / "decks" / "starter.yaml")
    assert build(root, worksheets=False, exports=set()).report.ok
    with zipfile.ZipFile(root / "dist" / APKG) as archive:
        return archive.read("collection.anki2")


def _hostile(collection: bytes, change: Change, apkg: Path) -> Path:
    """A package holding ``collection`` after ``change`` (SQL on its database)."""
    db = apkg.with_suffix(".anki2")
    db.write_bytes(collection)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous = OFF")  # a throwaway file: no waiting for the disk (the file's bytes are the same)
    for table in ("notes", "col"):
        _untyped(conn, table)
    change(conn)
    conn.commit()
    conn.close()
    with zipfile.ZipFile(apkg, "w") as archive:
        archive.write(db, "collection.anki2")
    db.unlink()
    return apkg


def _untyped(conn: sqlite3.Connection, table: str) -> None:
    """Anki's table, its columns without types or constraints: a hostile package can hold
    anything in them (a typed column would turn 7 into '7', or refuse NULL)."""
    columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA table_info({table})"))
    conn.executescript(f"CREATE TABLE loose({columns}); INSERT INTO loose SELECT * FROM {table};"
                       f" DROP TABLE {table}; ALTER TABLE loose RENAME TO {table};")


def _sql(statement: str) -> Change:
    return lambda conn: conn.execute(statement)


def _models(edit: Callable[[dict], object]) -> Change:
    """Apply ``edit`` to every note type in the collection's models JSON."""

    def change(conn: sqlite3.Connection) -> None:
        (raw,) = conn.execute("SELECT models FROM col").fetchone()
        table = json.loads(raw)
        for entry in table.values():
            edit(entry)
        conn.execute("UPDATE col SET models = ?", (json.dumps(table),))

    return change


NOTE = r"note '[\w-]+': "
TYPE = r"note type '\w+': "
PLAUSIBLE = r"is not a plausible time \(before 2000, or more than a day ahead of this machine's clock\)"

HOSTILE = [
    ("flds-null", _sql("UPDATE notes SET flds = NULL"), NOTE + "flds is null, not text"),
    ("flds-integer", _sql("UPDATE notes SET flds = 7"), NOTE + "flds is a number, not text"),
    ("tags-null", _sql("UPDATE notes SET tags = NULL"), NOTE + "tags is null, not text"),
    ("tags-blob", _sql("UPDATE notes SET tags = x'00'"), NOTE + "tags is a blob, not text"),
    ("mod-inf", _sql("UPDATE notes SET mod = 9e999"), NOTE + "mod inf is not a whole number of seconds"),
    ("mod-real", _sql("UPDATE notes SET mod = 1700000000.5"), NOTE + "mod 1700000000.5 is not a whole number"),
    ("mod-text", _sql("UPDATE notes SET mod = '1700000000'"), NOTE + "mod '1700000000' is not a whole number"),
    ("mod-10e18", _sql(f"UPDATE notes SET mod = {10**18}"), NOTE + f"mod {10**18} " + PLAUSIBLE),
    ("mod-2e63", _sql(f"UPDATE notes SET mod = {2**63}"), NOTE + r"mod 9\.223372036854776e\+18 is not a whole"),
    ("mod-future", _sql(f"UPDATE notes SET mod = {10**12}"), NOTE + f"mod {10**12} " + PLAUSIBLE),
    ("mod-before-2000", _sql("UPDATE notes SET mod = 0"), NOTE + "mod 0 " + PLAUSIBLE),
    ("models-null", _sql("UPDATE col SET models = NULL"), "col.models is null, not text"),
    ("models-string", _sql("""UPDATE col SET models = '"x"'"""), "col.models is text, not an object"),
    ("models-list", _sql("UPDATE col SET models = '[]'"), "col.models is a list, not an object"),
    ("models-nested", lambda c: c.execute("UPDATE col SET models = ?", ('{"a":' * 100_000 + "1" + "}" * 100_000,)),
     r"col.models: nested too deeply"),
    ("models-not-json", _sql("UPDATE col SET models = '{'"), r"col.models is not JSON \("),
    ("model-entry-text", lambda c: c.execute("UPDATE col SET models = ?", (json.dumps(
        {k: "x" for k in json.loads(c.execute("SELECT models FROM col").fetchone()[0])}),)),
     r"note type '\w+' is text, not an object"),
    ("model-mod-infinity", _models(lambda m: m.update(mod=float("inf"))), TYPE + "mod inf is not a whole number"),
    ("model-mod-true", _models(lambda m: m.update(mod=True)), TYPE + "mod True is not a whole number"),
    ("model-mod-missing", _models(lambda m: m.pop("mod")), TYPE + "mod is missing"),
    ("model-mod-future", _models(lambda m: m.update(mod=10**12)), TYPE + f"mod {10**12} " + PLAUSIBLE),
    ("model-css-number", _models(lambda m: m.update(css=5)), TYPE + "css is a number, not text"),
    ("model-tmpls-text", _models(lambda m: m.update(tmpls="abc")), TYPE + "tmpls is text, not a list"),
    ("model-template-text", _models(lambda m: m.update(tmpls=["abc"])), TYPE + r"tmpls\[0\] is text, not an object"),
    ("model-template-qfmt-missing", _models(lambda m: m["tmpls"][0].pop("qfmt")), TYPE + r"tmpls\[0\]\.qfmt is missing"),
    ("model-template-name-number", _models(lambda m: m["tmpls"][0].update(name=5)),
     TYPE + r"tmpls\[0\]\.name is a number, not text"),
    ("model-flds-object", _models(lambda m: m.update(flds={})), TYPE + "flds is an object, not a list"),
    ("model-field-name-null", _models(lambda m: m["flds"][0].update(name=None)),
     TYPE + r"flds\[0\]\.name is null, not text"),
]


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_a_hostile_previous_package_is_an_error(make_project, run, tmp_path, collection, change, message) -> None:
    root = make_project()
    apkg = _hostile(collection, change, tmp_path / "hostile.apkg")
    before = snapshot(root)
    code, _, err = run(["build", *FAST, "--previous", str(apkg)], cwd=root)
    assert code == 1, err
    assert "Traceback" not in err
    assert re.search(r"^\S*hostile\.apkg:1:1: error\[previous-package\]: \S*hostile\.apkg is not a package this"
                     r" tool can compare with \(" + message, err, re.MULTILINE), err
    assert snapshot(root) == before  # nothing written: no package, no lock


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_a_hostile_package_in_the_output_folder_is_a_warning(make_project, run, collection, change, message) -> None:
    """The package found in the output folder is only a help: the build warns, takes its times from
    the lock alone, and replaces the package."""
    root = make_project()
    assert run(["build", *FAST], cwd=root)[0] == 0
    lock = (root / "studydeck.lock").read_bytes()
    apkg = _hostile(collection, change, root / "dist" / APKG)
    hostile = apkg.read_bytes()
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 0, err
    assert "Traceback" not in err
    assert re.search(r"warning\[previous-package\]: .* \(" + message + r".*; times come from the lock alone", err), err
    assert (root / "studydeck.lock").read_bytes() == lock  # no time of the package's went into it
    assert apkg.read_bytes() != hostile


# --- times: what a build writes into the lock, the next build accepts ---------------------------------------


def test_a_future_time_in_a_previous_package_never_reaches_the_lock(make_project, run, tmp_path, collection) -> None:
    """It was accepted and written into the lock, and the next build refused the lock."""
    root = make_project()
    apkg = _hostile(collection, _sql(f"UPDATE notes SET mod = {10**12}"), tmp_path / "future.apkg")
    run(["build", *FAST, "--previous", str(apkg)], cwd=root)
    assert not (root / "studydeck.lock").exists()
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 0, err


@pytest.mark.parametrize(
    "value",
    ["999999999999", "100000000000", str((int(time.time()) // 86400 + 2 * 366) * 86400), "946684799", "0", "0000",
     "1234567890123", "0" * 5000 + "1" * 13],
)
def test_an_implausible_source_date_epoch_is_a_usage_error(make_project, run, monkeypatch, value: str) -> None:
    """A SOURCE_DATE_EPOCH that becomes a lock time the next build refuses (it poisoned the lock)."""
    root = make_project()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    before = snapshot(root)
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 2, err
    assert err.strip() == (f"studydeck: error: SOURCE_DATE_EPOCH {value[:40]} is not a plausible build time"
                           " (before 2000, or more than a year ahead of this machine's clock)")
    assert snapshot(root) == before


def test_source_date_epoch_with_leading_zeros_is_the_same_number(make_project, run, monkeypatch) -> None:
    """The reproducible-builds specification asks for digits only; leading zeros change nothing."""
    root = make_project()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "00001700000000")
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 0, err
    lock = json.loads((root / "studydeck.lock").read_text())
    assert {entry["changed"] for entry in lock["notes"].values()} == {1700000000}
