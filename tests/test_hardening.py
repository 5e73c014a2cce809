"""Issue 10, point by point: no silent wrong output, nothing read from outside the project,
all-or-nothing outputs, one build at a time, no traceback. Each test names its point."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import cache as cache_module
from generator.anki.lock import LOCK_VERSION, Entry, Lock
from generator.build import build
from generator.cloze import CLOZE

from .ankitools import import_package, open_collection
from .conftest import CASES, REPO, STARTER, snapshot

APKG = "Siege of Lal Masjid.apkg"
BASIC_ONLY = """deck: Basics
items:
- id: ssg-storming-unit
  type: basic
  question: Which unit of the Pakistan Army stormed and captured the Lal Masjid complex?
  answer: The Special Service Group (SSG)
  source:
    doc: wikipedia-siege
    excerpt: the complex was stormed and captured by the Pakistan Army's Special Service Group
"""


def _edit(root: Path, old: str, new: str, name: str = "starter.yaml") -> None:
    deck = root / "decks" / name
    text = deck.read_text()
    assert old in text
    deck.write_text(text.replace(old, new))


def _note_mods(apkg: Path) -> dict[str, int]:
    """Each note's change time in a package, by the first field's text."""
    with zipfile.ZipFile(apkg) as archive:
        data = archive.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    return {flds.split("\x1f")[0]: mod for flds, mod in conn.execute("SELECT flds, mod FROM notes")}


def _lock(root: Path) -> dict:
    return json.loads((root / "studydeck.lock").read_text())


# --- 1. a note's change time never goes backwards ------------------------------------------------


def test_1_revert_of_an_edit_still_reaches_learners(make_project, tmp_path, monkeypatch) -> None:
    root = make_project()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build(root)
    original = {p: (root / p).read_bytes() for p in ("decks/starter.yaml", "studydeck.lock")}
    col = open_collection(tmp_path / "anki")
    import_package(col, root / "dist" / APKG)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000100")
    _edit(root, "Between which dates was", "Between which dates in 2007 was")
    build(root)
    assert len(import_package(col, root / "dist" / APKG).updated) == 1

    for path, data in original.items():  # `git revert`: the deck and the lock as they were
        (root / path).write_bytes(data)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000200")
    build(root)
    reverted = import_package(col, root / "dist" / APKG)
    assert len(reverted.updated) == 1  # the learner gets the reverted text back
    note = col.get_note(col.find_notes('"ItemId:siege-dates"')[0])
    assert note["Question"].startswith("Between which dates was")
    assert _lock(root)["notes"]["siege-dates"]["changed"] > 1800000100
    col.close()


def test_1_lost_lock_after_a_future_time_was_published(make_project, tmp_path, monkeypatch) -> None:
    root = make_project()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 3600))  # a clock an hour fast
    build(root)
    col = open_collection(tmp_path / "anki")
    import_package(col, root / "dist" / APKG)
    published = _note_mods(root / "dist" / APKG)
    (root / "studydeck.lock").unlink()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    build(root)  # nothing changed: the times learners have are kept, nothing re-imports
    assert _note_mods(root / "dist" / APKG) == published
    assert len(import_package(col, root / "dist" / APKG).updated) == 0
    _edit(root, "Between which dates was", "Between which dates in 2007 was")
    build(root)
    assert len(import_package(col, root / "dist" / APKG).updated) == 1  # later than the future time
    col.close()


def test_1_previous_package_named_on_the_command_line(make_project, run, tmp_path, monkeypatch) -> None:
    """A fresh clone without dist/: the published package can be named with --previous."""
    root = make_project()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    build(root)
    shutil.copy(root / "dist" / APKG, tmp_path / "published.apkg")
    shutil.rmtree(root / "dist")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1799999000")  # earlier than what was published
    (root / "studydeck.lock").unlink()
    _edit(root, "Between which dates was", "Between which dates in 2007 was")
    assert run(["build", "--previous", str(tmp_path / "published.apkg")], cwd=root)[0] == 0
    assert _lock(root)["notes"]["siege-dates"]["changed"] == 1800000001
    code, _, err = run(["build", "--previous", str(tmp_path / "nothing.apkg")], cwd=root)
    assert code == 0  # an absent package: nothing was published yet
    (tmp_path / "bad.apkg").write_bytes(b"not a zip")
    code, _, err = run(["build", "--previous", str(tmp_path / "bad.apkg")], cwd=root)
    assert code == 1 and "error[previous-package]" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("changed", "why"),
    [
        ("-1", "not a plausible time"),
        ("946684799", "not a plausible time"),
        (str((int(time.time()) // 86400 + 4) * 86400), "not a plausible time"),  # whole days: one id in every xdist worker
        (str(2**63), "not a plausible time"),
        ("1.5e9", "is not a whole number"),
        ('"1800000000"', "is not a whole number"),
        ("true", "is not a whole number"),
        ("Infinity", "Infinity is not a number a lock may hold"),
        ("NaN", "NaN is not a number a lock may hold"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_1_13_absurd_lock_times_are_located_errors(make_project, run, changed: str, why: str) -> None:
    root = make_project()
    assert run(["build", "--no-worksheets"], cwd=root)[0] == 0
    text = (root / "studydeck.lock").read_text()
    text, count = re.subn(r'("siege-dates": \{\s+"hash": "[0-9a-f]+",\s+"changed": )\d+', lambda m: m[1] + changed, text)
    assert count == 1
    (root / "studydeck.lock").write_text(text)
    before = snapshot(root / "dist")
    code, _, err = run(["build", "--no-worksheets"], cwd=root)
    assert code == 1, err
    assert re.match(r"studydeck.lock:\d+:\d+: error\[lock-file\]: ", err), err
    assert why in err and "Traceback" not in err
    if "nested" not in why:
        assert not err.startswith("studydeck.lock:1:1:")  # located at the entry
    assert snapshot(root / "dist") == before


# --- 2. an item's type cannot change under the same id -------------------------------------------


def test_2_type_change_under_the_same_id_is_an_error(make_project, run) -> None:
    root = make_project()
    assert run(["build", "--no-worksheets"], cwd=root)[0] == 0
    _edit(root, """- id: aziz-escape-burqa
  type: truefalse
  statement: Abdul Aziz was captured while trying to leave the mosque disguised as a woman wearing a burqa.
  answer: true""", """- id: aziz-escape-burqa
  type: basic
  question: How was Abdul Aziz disguised when he was captured?
  answer: As a woman wearing a burqa""")
    code, _, err = run(["build", "--no-worksheets"], cwd=root)
    assert code == 1
    assert re.search(r"decks/starter.yaml:\d+:9: error\[note-type-changed\]: item 'aziz-escape-burqa' was published"
                     r" as a truefalse note; .*give the item a new id", err), err
    _edit(root, "- id: aziz-escape-burqa", "- id: aziz-escape-disguise")  # the fix the message asks for
    assert run(["build", "--no-worksheets"], cwd=root)[0] == 0
    lock = _lock(root)["notes"]
    assert lock["aziz-escape-burqa"]["removed"] is True and lock["aziz-escape-disguise"]["type"] == "basic"
    # the removed id stays reserved for its type: bringing it back as another type is still an error
    _edit(root, "- id: aziz-escape-disguise", "- id: aziz-escape-burqa")
    assert run(["build", "--no-worksheets"], cwd=root)[0] == 1


def test_2_moving_an_item_between_deck_files_updates_it_in_place(make_project, tmp_path) -> None:
    """genanki cannot move a learner's existing cards: the note is updated (text, deck:: tag) and
    its cards stay in the old subdeck, as the README says."""
    root = make_project()
    build(root)
    col = open_collection(tmp_path / "anki")
    import_package(col, root / "dist" / APKG)
    text = (root / "decks" / "starter.yaml").read_text()
    head, *items = text.split("\n- id: ")
    moved = next(i for i in items if i.startswith("siege-dates"))
    (root / "decks" / "starter.yaml").write_text(head + "".join("\n- id: " + i for i in items if i != moved))
    (root / "decks" / "other.yaml").write_text("deck: Other\nitems:\n- id: " + moved + "\n")
    assert build(root).report.ok
    log = import_package(col, root / "dist" / APKG)
    assert (len(log.new), len(log.updated)) == (0, 1)
    note = col.get_note(col.find_notes('"ItemId:siege-dates"')[0])
    assert "deck::other" in note.tags and col.note_count() == 10
    col.close()


# --- 3. any bank builds ---------------------------------------------------------------------------


@pytest.mark.parametrize("decks", [{"basics.yaml": BASIC_ONLY}, {"basics.yaml": BASIC_ONLY, "empty.yaml": "deck: Empty\nitems: []\n"}])
def test_3_a_bank_of_one_type_or_with_empty_decks_builds(make_project, run, tmp_path, decks) -> None:
    root = make_project(decks)
    code, _, err = run(["build"], cwd=root)
    assert code == 0, err
    col = open_collection(tmp_path / "anki")
    assert len(import_package(col, root / "dist" / APKG).new) == 1
    col.close()


# --- 4. worksheet names never collide -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["mixed.yaml"], "decks/mixed.yaml:1:1: error[output-collision]: this deck's outputs would be named 'mixed',"
                         " like the mixed quiz's"),
        (["a-b.yaml", "a_b.yaml"], "decks/a_b.yaml:1:1: error[output-collision]: this deck's outputs would be named"
                                   " 'a-b', like those of decks/a-b.yaml"),
        (["Starter.yaml", "starter.yaml"], "decks/starter.yaml:1:1: error[output-collision]: this deck's outputs would"
                                           " be named 'starter', like those of decks/Starter.yaml"),
    ],
)
def test_4_output_name_collisions_are_errors(make_project, run, names, message) -> None:
    root = make_project({name: BASIC_ONLY.replace("ssg-storming-unit", f"item-{i}") for i, name in enumerate(names)})
    code, _, err = run(["build"], cwd=root)
    assert code == 1 and message in err
    assert not (root / "dist").exists()


# --- 5. answer support (the catalogue is in test_facts.py) -------------------------------------------


def test_5_a_true_statement_must_have_its_numbers_supported(make_project, run) -> None:
    root = make_project()
    _edit(root, "Abdul Aziz was captured while trying", "On 4 July, Abdul Aziz was captured while trying")
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert re.search(r"decks/starter.yaml:\d+:14: error\[answer-not-in-excerpt\]: not in the cited excerpt: '4 July'", err)


# --- 6. sources stay inside seeds/, inputs are regular files ---------------------------------------------


def _catalog_file(root: Path, new: str, old: str = "002_1cc66d0f442d10bf.txt") -> None:
    catalog = root / "seeds" / "sources.yaml"
    catalog.write_text(catalog.read_text().replace(f"file: {old}", f"file: {json.dumps(new)}"))


@pytest.mark.parametrize(
    ("file", "why"),
    [
        ("../studydeck.yaml", "goes up with '..'"),
        ("/etc/passwd", "is an absolute path"),
        ("/proc/self/environ", "is an absolute path"),
        ("link-out.txt", "leads out through a symbolic link"),
    ],
)
def test_6_seed_files_stay_inside_seeds(make_project, run, file: str, why: str) -> None:
    root = make_project()
    os.symlink("/etc/hostname", root / "seeds" / "link-out.txt")
    _catalog_file(root, file)
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert re.search(rf"seeds/sources.yaml:\d+:\d+: error\[unsafe-path\]: file {re.escape(repr(file))} {re.escape(why)}", err), err
    assert "Traceback" not in err and "root:" not in err  # nothing of /etc/passwd shown


def test_6_edited_seed_is_never_shown_in_did_you_mean(make_project, run) -> None:
    root = make_project()
    seed = root / "seeds" / "002_1cc66d0f442d10bf.txt"
    seed.write_text(seed.read_text() + "\nSECRET PLANTED SENTENCE about the Red Mosque raid that nobody wrote.\n")
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text() + """- id: planted
  type: basic
  question: According to Yuri Prasad in Socialist Worker, what was planted?
  answer: A sentence
  source: {doc: socialist-worker-prasad, excerpt: "SECRET PLANTED SENTENCE about the Red Mosque raid that someone wrote"}
""")
    code, _, err = run(["check"], cwd=root)
    assert code == 1 and "error[seed-modified]" in err
    assert "SECRET" not in err.replace("SECRET PLANTED SENTENCE about the Red Mosque raid that someone wrote", "")


def test_6_a_folder_fifo_or_device_as_input_is_refused_without_hanging(make_project, run) -> None:
    root = make_project()
    (root / "seeds" / "folder.txt").mkdir()
    _catalog_file(root, "folder.txt")
    os.mkfifo(root / "decks" / "fifo.yaml")
    os.symlink("/dev/zero", root / "decks" / "zero.yaml")
    started = time.monotonic()
    code, _, err = run(["check"], cwd=root)
    assert time.monotonic() - started < 20  # a fifo used to hang, /dev/zero to eat all memory
    assert code == 1
    assert re.search(r"seeds/sources.yaml:\d+:\d+: error\[not-a-file\]: seed file seeds/folder.txt is a folder", err), err
    assert "decks/fifo.yaml:1:1: error[not-a-file]: deck file is not a regular file" in err
    # /dev/zero is outside the project: the link is refused before its target is even looked at
    assert "decks/zero.yaml:1:1: error[unsafe-path]: deck file leads out through a symbolic link; not read" in err


def test_6_large_files_are_read_only_up_to_the_cap(make_project, run) -> None:
    root = make_project()
    with open(root / "decks" / "huge.yaml", "wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: 64 MiB of zeros
    code, _, err = run(["check"], cwd=root)
    assert code == 1 and "decks/huge.yaml:1:1: error[file-too-large]" in err


# --- 7. descriptions are text in Anki's deck overview ----------------------------------------------------


def test_7_descriptions_are_escaped_in_real_anki(make_project, tmp_path) -> None:
    root = make_project()
    config = root / "studydeck.yaml"
    description = 'description: |\n  <img src=x onerror="alert(1)"> & <b>bold</b>\n\n  Second paragraph.\n'
    config.write_text(re.sub(r"description: >\n(  .*\n)+", lambda m: description, config.read_text()))
    _edit(root, "deck: Starter", 'deck: Starter\ndescription: "<script>alert(2)</script>"')
    assert build(root).report.ok, [d.format() for d in build(root).report]
    col = open_collection(tmp_path / "anki")
    import_package(col, root / "dist" / APKG)
    parent = col.decks.by_name("Siege of Lal Masjid")
    child = col.decks.by_name("Siege of Lal Masjid::Starter")
    assert parent["desc"] == ("<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>"
                              "<p>Second paragraph.</p>")
    assert child["desc"] == "<p>&lt;script&gt;alert(2)&lt;/script&gt;</p>"
    col.close()


# --- 8. build.out stays inside the project ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "why"),
    [
        ("/tmp/elsewhere", "is an absolute path"),
        ("../outside", "goes up with '..'"),
        ("dist/../..", "goes up with '..'"),
        (".", "would replace the project's own files"),
        ("decks", "would replace the project's own files"),
    ],
)
def test_8_build_out_from_the_project_file_stays_inside(make_project, run, out: str, why: str) -> None:
    root = make_project()
    config = root / "studydeck.yaml"
    config.write_text(config.read_text().replace("  out: dist", f"  out: {json.dumps(out)}"))
    code, _, err = run(["build"], cwd=root)
    assert code == 1
    assert re.search(rf"studydeck.yaml:\d+:8: error\[unsafe-path\]: build.out {re.escape(repr(out))} {re.escape(why)}", err), err


def test_8_out_on_the_command_line_may_be_anywhere_but_not_over_other_files(make_project, run, tmp_path) -> None:
    root = make_project()
    assert run(["build", "--no-worksheets", "--out", str(tmp_path / "elsewhere")], cwd=root)[0] == 0
    assert (tmp_path / "elsewhere" / APKG).is_file()
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    code, _, err = run(["build", "--no-worksheets", "--out", str(precious)], cwd=root)
    assert code == 1 and "holds files studydeck did not write" in err
    assert (precious / "thesis.txt").read_text() == "years of work"


# --- 9. the check cache never runs code, is private, pruned, never in the project ------------------------


def test_9_cache_entries_are_json(make_project, run, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(folder))
    assert run(["check"], cwd=make_project())[0] == 0
    entries = list(folder.glob("*.json"))
    assert entries and not list(folder.glob("*.pickle"))
    for entry in entries:
        json.loads(entry.read_text())
    assert folder.stat().st_mode & 0o777 == 0o700


def _whitewash(value: object) -> object:
    """``value`` with every error list in it emptied, also inside the JSON text a deck file's
    entry holds: what someone planting entries would write to make a bad deck pass."""
    if isinstance(value, dict):
        return {k: [] if k == "diags" else _whitewash(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whitewash(v) for v in value]
    if isinstance(value, str) and value.startswith("{"):
        with contextlib.suppress(ValueError):
            return json.dumps(_whitewash(json.loads(value)))
    return value


def _plant(folder: Path, mode: int = 0o600) -> None:
    for entry in folder.glob("*.json"):
        entry.write_text(json.dumps(_whitewash(json.loads(entry.read_text()))))
        os.chmod(entry, mode)


def test_9_a_planted_entry_cannot_whitewash_errors(make_project, run, tmp_path, monkeypatch) -> None:
    """Entries rewritten to say "clean" pass a bad deck only when they are the user's own; owned
    by someone else (as the cache sees it: the owner is faked, so the test holds as root too) or
    writable by others, they are misses, and so is a shared folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(folder))
    bad = make_project({"case.yaml": (CASES / "invalid" / "correction.yaml").read_bytes()})
    assert run(["check"], cwd=bad)[0] == 1
    _plant(folder)
    assert run(["check"], cwd=bad)[0] == 0  # the planted entries do whitewash when trusted: the test can fail
    _plant(folder)
    real_fstat, real_stat = os.fstat, os.stat

    def foreign(info: os.stat_result) -> os.stat_result:
        fields = list(info)
        fields[stat.ST_UID] = info.st_uid + 1
        return os.stat_result(fields)

    with monkeypatch.context() as m:  # every entry owned by someone else
        m.setattr(os, "fstat", lambda fd: foreign(real_fstat(fd)))
        code, _, err = run(["check"], cwd=bad)
    assert code == 1 and "error[correction]" in err, err
    _plant(folder, 0o666)  # writable by others
    code, _, err = run(["check"], cwd=bad)
    assert code == 1 and "error[correction]" in err, err
    _plant(folder)
    with monkeypatch.context() as m:  # the folder owned by someone else
        m.setattr(os, "stat", lambda path, *a, **k: foreign(real_stat(path, *a, **k))
                  if Path(path) == folder else real_stat(path, *a, **k))
        code, _, err = run(["check"], cwd=bad)
    assert code == 1 and "error[correction]" in err, err
    _plant(folder)
    os.chmod(folder, 0o777)  # a shared folder: not used at all
    code, _, err = run(["check"], cwd=bad)
    assert code == 1 and "error[correction]" in err, err


def test_9_never_inside_the_project(make_project, run, monkeypatch) -> None:
    root = make_project()
    monkeypatch.delenv("STUDYDECK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-cache")  # invalid per the XDG spec: ignored
    monkeypatch.setenv("HOME", str(root.parent / "home"))
    before = sorted(root.rglob("*"))
    assert run(["check"], cwd=root)[0] == 0
    assert sorted(root.rglob("*")) == before
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(root / "cache"))
    assert cache_module.cache_dir(root) is None
    assert run(["check"], cwd=root)[0] == 0
    assert sorted(root.rglob("*")) == before


def test_9_cache_is_pruned(make_project, run, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 6)
    monkeypatch.setattr(cache_module, "_PRUNE_EVERY", 1)
    root = make_project()
    for n in range(12):
        _edit(root, "Between which dates", f"Between which dates ({n})" if n == 0 else "Between which dates")
        (root / "decks" / "starter.yaml").write_text((root / "decks" / "starter.yaml").read_text() + f"# {n}\n")
        assert run(["check"], cwd=root)[0] == 0
    assert len(list(folder.glob("*.json"))) <= 6 + 3  # at most the cap, plus one run's new entries


# --- 10. outputs land together; 11. one build at a time ------------------------------------------------------


def _build_process(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "generator", "build", str(root), *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})


def _state(root: Path) -> tuple[dict[str, bytes], bytes]:
    return snapshot(root / "dist"), (root / "studydeck.lock").read_bytes()


def _consistent(root: Path) -> None:
    """The lock and the package agree: every note's time in the package is the lock's."""
    lock = _lock(root)["notes"]
    mods = _note_mods(root / "dist" / APKG)
    manifest = json.loads((root / "dist" / ".studydeck-build.json").read_text())
    import hashlib

    assert manifest["lock"] == hashlib.sha256((root / "studydeck.lock").read_bytes()).hexdigest()
    assert sorted(mods.values()) == sorted(v["changed"] for v in lock.values() if not v.get("removed"))


def _stray(root: Path) -> list[Path]:
    return [p for p in root.parent.rglob("*") if "staging" in p.name or ".old-" in p.name or p.name.endswith(".tmp")]


@contextlib.contextmanager
def _arrivals(root: Path) -> Iterator[Callable[[float], None]]:
    """``wait(timeout)``: sleep until a name is created in or moved into ``root`` (inotify, a wake-up
    within microseconds of it) or ``timeout`` seconds pass; no core spins while a build runs."""
    import ctypes
    import select

    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
    assert fd >= 0 and libc.inotify_add_watch(fd, bytes(root), 0x100 | 0x80) >= 0, os.strerror(ctypes.get_errno())

    def wait(timeout: float) -> None:  # IN_CREATE | IN_MOVED_TO
        if select.select([fd], [], [], timeout)[0]:
            os.read(fd, 1 << 16)

    try:
        yield wait
    finally:
        os.close(fd)


def _write_phase(root: Path) -> float:
    """How long a build's write phase lasts here: from its staging folder to its exit."""
    _edit(root, "Between which dates", "Between which dates (timed)")
    with _arrivals(root) as wait:
        proc = _build_process(root)
        while not list(root.glob(".dist.staging-*")) and proc.poll() is None:
            wait(0.05)
    started = time.monotonic()
    proc.wait()
    _edit(root, "Between which dates (timed)", "Between which dates")
    assert proc.returncode == 0
    return time.monotonic() - started


def _stopped(pid: int) -> None:
    """Wait until the process ``pid`` is stopped (or gone)."""
    with contextlib.suppress(OSError):
        while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "TtZX":
            pass


def _kill_at_the_switch(proc: subprocess.Popen[bytes], root: Path, old: tuple[dict[str, bytes], bytes],
                        deadline: float) -> None:
    """Kill the build at the first moment the lock or the output folder has changed: stopped
    again and again from the time its new lock waits beside the old one (the switch and the
    lock's rename follow within microseconds), and looked at while stopped. A lock renamed before
    the switch is then caught with the old outputs."""
    manifest = root / "dist" / ".studydeck-build.json"
    before = manifest.read_bytes()
    with _arrivals(root) as wait:
        while not list(root.glob(".studydeck.lock.*.tmp")) and proc.poll() is None and time.monotonic() < deadline:
            wait(0.05)
    while proc.poll() is None and time.monotonic() < deadline:
        proc.send_signal(signal.SIGSTOP)
        _stopped(proc.pid)
        if (root / "studydeck.lock").read_bytes() != old[1] or not manifest.exists() or manifest.read_bytes() != before:
            break
        proc.send_signal(signal.SIGCONT)
    proc.send_signal(signal.SIGKILL)


def soak(make_project, kills: int, seed: int) -> dict[str, int]:
    """Kill builds at random moments inside the write phase, and every other one at the switch
    (``_kill_at_the_switch``); every time the outputs are all old
    or all new, the lock goes with them (after the recovery the next build starts with), and no
    temporary file is left."""
    import random

    from generator.write import recover

    rng = random.Random(seed)
    root = make_project()
    assert build(root).report.ok
    window = _write_phase(root)
    outcomes = {"old": 0, "new": 0, "rolled forward": 0, "finished": 0}
    for n in range(kills):
        old = _state(root)
        deck = root / "decks" / "starter.yaml"
        deck.write_text(re.sub(r"Between which dates( \[\d+\])?", f"Between which dates [{n}]", deck.read_text(), count=1))
        proc = _build_process(root, env={"SOURCE_DATE_EPOCH": str(1800000000 + n)})
        deadline = time.monotonic() + 60
        if n % 2:
            _kill_at_the_switch(proc, root, old, deadline)
        else:
            # wait for the write phase (its staging folder), then kill at a random moment inside it
            with _arrivals(root) as wait:
                while not list(root.glob(".dist.staging-*")) and proc.poll() is None and time.monotonic() < deadline:
                    wait(0.05)
            time.sleep(rng.uniform(0, window * 1.1))
            proc.send_signal(rng.choice([signal.SIGKILL, signal.SIGTERM]))
        proc.wait()
        if proc.returncode == 0:
            outcomes["finished"] += 1
        dist_now = snapshot(root / "dist")
        lock_now = (root / "studydeck.lock").read_bytes()
        if dist_now == old[0]:
            assert lock_now == old[1], "old outputs with a new lock"
            outcomes["old"] += 1
        else:
            assert set(dist_now) == set(old[0]) and dist_now[APKG] != old[0][APKG]  # all new, same files
            if lock_now == old[1]:
                outcomes["rolled forward"] += 1  # killed between the switch and the lock rename
        recover(root / "dist", root / "studydeck.lock")
        if dist_now != old[0]:
            outcomes["new"] += 1
        _consistent(root)
        assert not _stray(root), _stray(root)
    return outcomes


def test_10_soak_killed_builds_leave_all_old_or_all_new(make_project, request) -> None:
    kills = int(request.config.getoption("--soak-kills"))
    outcomes = soak(make_project, kills, seed=10)
    print(f"soak: {kills} kills: {outcomes}")
    assert sum(outcomes[k] for k in ("old", "new")) == kills


def test_10_sigterm_cleans_up_and_says_so(make_project) -> None:
    root = make_project()
    assert build(root).report.ok
    before = _state(root)
    _edit(root, "Between which dates", "Between which two dates")
    proc = _build_process(root)
    # the package is staged and the worksheets are being rendered (seconds to go): the signal
    # lands well before the switch
    while not list(root.glob(".dist.staging-*/*.apkg")) and proc.poll() is None:
        time.sleep(0.0005)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate()
    assert proc.returncode == 130
    assert err.decode().endswith("studydeck: interrupted; previous outputs left as they were.\n"), err
    assert _state(root) == before  # what it says is true: every output and the lock as they were
    assert not _stray(root)


def test_10_stale_temp_files_are_removed(make_project) -> None:
    root = make_project()
    assert build(root).report.ok
    (root / ".dist.staging-99999").mkdir()
    (root / ".dist.staging-99999" / "half.pdf").write_bytes(b"%PDF-")
    (root / ".studydeck.lock.99999.tmp").write_text("{}")
    assert build(root).report.ok
    assert not _stray(root)


def test_11_two_builds_at_once_wait_for_each_other(make_project) -> None:
    import fcntl
    import select

    root = make_project()
    fd = os.open(root, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another build holds the project
    proc = _build_process(root, "--no-worksheets")
    assert proc.stderr is not None
    # Until it says it waits (however long its check takes on a busy machine), not a fixed sleep.
    said = proc.stderr.readline() if select.select([proc.stderr], [], [], 60)[0] else b""
    assert proc.poll() is None  # it waits
    assert not (root / "dist").exists()
    os.close(fd)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert b"waiting for another build in this project" in said


# --- 12. cloze markers in linear time ------------------------------------------------------------------------


def test_12_many_unclosed_cloze_markers_check_quickly(make_project, run) -> None:
    text = "{{c1::" * 1000
    root = make_project({"cloze.yaml": f"""deck: Cloze
items:
- id: many-markers
  type: cloze
  text: "{text}"
  source: {{doc: wikipedia-siege, excerpt: "The complex was besieged from 3 to 11 July 2007"}}
"""})
    code, _, err = run(["check"], cwd=root)
    assert code == 1 and "error[cloze-syntax]" in err


_REFERENCE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S | re.A)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(["{{c", "{{c1::", "1", "12", "::", "}}", "}", "{", "a", " ", ":", "c", "\n"]),
                max_size=16).map("".join))
def test_12_linear_cloze_scanner_matches_the_reference_regex(text: str) -> None:
    ours = [(m.start(), m.end(), m[1], m[2], m[3]) for m in CLOZE.finditer(text)]
    reference = [(m.start(), m.end(), m[1], m[2], m[3]) for m in _REFERENCE.finditer(text)]
    assert ours == reference
    assert CLOZE.sub("_", text) == _REFERENCE.sub("_", text)


# --- 13. no traceback ----------------------------------------------------------------------------------------


def test_13_collection_assembly_failure_is_a_clear_error(make_project, run, monkeypatch) -> None:
    from generator.anki import package

    root = make_project()
    assert run(["build"], cwd=root)[0] == 0
    before = _state(root)
    real = sqlite3.connect

    def full(*args, **kwargs):  # type: ignore[no-untyped-def]
        conn = real(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 2")  # "database or disk is full" as soon as it grows
        return conn

    monkeypatch.setattr(package.sqlite3, "connect", full)
    _edit(root, "Between which dates", "Between which two dates")
    code, _, err = run(["build"], cwd=root)
    assert code == 1
    assert "studydeck: error: could not assemble the Anki collection: database or disk is full" in err
    assert "Traceback" not in err and _state(root) == before


def test_13_a_full_temp_folder_does_not_matter(make_project, run, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "no-such-folder"))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    root = make_project()
    code, _, err = run(["build", "--no-worksheets"], cwd=root)
    assert code == 0, err
    assert err.endswith("0 errors, 0 warnings in 3 files; 10 notes, 10 new or changed.\n"), err
    assert {p.name for p in (root / "dist").iterdir()} >= {APKG, "gift", "moodle", "selftest"}
    _consistent(root)


def test_13_the_collection_is_built_beside_the_outputs_and_never_left(make_project, run, monkeypatch) -> None:
    """The collection is built in a file beside the output folder (its disk, not the temporary
    folder's), gone after the build; a killed build's is removed by the next one."""
    from generator.anki import package

    root = make_project()
    stale = root / ".dist.staging-999999-work"
    stale.mkdir()
    (stale / "collection.anki2").write_bytes(b"left by a killed build")
    opened: list[Path] = []
    real = sqlite3.connect

    def spy(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(package.sqlite3, "connect", spy)
    code, _, err = run(["build", "--no-worksheets", "--no-exports"], cwd=root)
    assert code == 0, err
    (work,) = [(root / p).parent for p in opened]  # (relative to the project, as the output folder is)
    assert work.parent.resolve() == root.resolve() and work.name.startswith(".dist.staging-")
    assert not work.exists() and not stale.exists()
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == []


def test_13_the_collection_names_no_sqlite_version_nor_transaction_count(make_project, run) -> None:
    """The database header's change counter and last writer's SQLite version are 0, as in a
    database built in memory: the package's bytes do not depend on the SQLite library."""
    import zipfile

    root = make_project()
    assert run(["build", "--no-worksheets", "--no-exports"], cwd=root)[0] == 0
    data = zipfile.ZipFile(root / "dist" / APKG).read("collection.anki2")
    assert data[24:28] == bytes(4) and data[92:100] == bytes(8)
    conn = sqlite3.connect(":memory:")
    conn.deserialize(data)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 10


def test_13_quiz_versions_past_z_is_a_usage_error(make_project, run) -> None:
    root = make_project()
    code, _, err = run(["quiz", "--versions", "27"], cwd=root)
    assert code == 2 and "Traceback" not in err
    assert err.endswith("error: argument --versions: at most 26 versions (lettered A to Z), got 27\n"), err
    assert not (root / "dist").exists()


# --- 14. messages -------------------------------------------------------------------------------------------


def test_14_cannot_write_names_the_file(make_project, run, monkeypatch) -> None:
    from generator import write

    root = make_project()
    real = os.open

    def refuse(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith(".pdf") and flags & os.O_CREAT:
            raise OSError(28, "No space left on device")
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(write.os, "open", refuse)
    code, _, err = run(["build"], cwd=root)
    monkeypatch.setattr(write.os, "open", real)
    assert code == 1
    assert re.search(r"studydeck: error: cannot write \S*\.dist\.staging-\d+/worksheets/\S+\.pdf: No space left on"
                     r" device; previous outputs left as they were\.", err), err
    assert not _stray(root)


def test_14_paths_with_newlines_are_printed_escaped(make_project, run) -> None:
    root = make_project({"bad\nname.yaml": (CASES / "invalid" / "correction.yaml").read_bytes()})
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert "decks/bad\\nname.yaml:6:13: error[correction]" in err
    assert all(re.match(r"^(decks/|\s|\d+ error)", line) for line in err.splitlines()), err


def test_14_broken_pipe_is_not_a_traceback(make_project) -> None:
    root = make_project()
    proc = subprocess.run(f"{sys.executable} -m generator find the {root} | head -c 1", shell=True, cwd=REPO,
                          capture_output=True, timeout=60)
    assert b"Traceback" not in proc.stderr
    assert proc.stdout == b"w" and proc.returncode == 0  # the reader got its byte: wikipedia-siege:...


def test_14_broken_pipe_exits_cleanly(make_project) -> None:
    root = make_project()
    reader, writer = socket.socketpair()
    reader.close()
    proc = subprocess.run([sys.executable, "-m", "generator", "find", "the", str(root)], cwd=REPO,
                          stdout=writer.fileno(), stderr=subprocess.PIPE, timeout=60)
    writer.close()
    assert b"Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stderr  # a reader that went away is not an error of ours
    assert b"error" not in proc.stderr, proc.stderr


def test_14_a_deck_path_that_is_a_folder_says_so(make_project, run) -> None:
    root = make_project()
    (root / "decks" / "folder.yaml").mkdir()
    code, _, err = run(["check"], cwd=root)
    assert code == 1 and "decks/folder.yaml:1:1: error[not-a-file]: deck file is a folder, not a file" in err


def test_starter_still_checks_clean(make_project, run) -> None:
    assert run(["check"], cwd=make_project({"starter.yaml": STARTER.read_text()}))[0] == 0


def test_10_a_killed_quiz_leaves_nothing_for_the_next(make_project, run) -> None:
    root = make_project()
    out = root / "dist" / "quizzes" / "pop"
    out.parent.mkdir(parents=True)
    (out.parent / ".pop.staging-99999").mkdir()  # what a killed `quiz` left
    assert run(["quiz", "--name", "pop", "--type", "mcq"], cwd=root)[0] == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["pop"]


def test_10_cut_between_the_switch_and_the_lock_is_rolled_forward(make_project, run, monkeypatch) -> None:
    """The one window a kill can hit after the outputs are switched: the next build finishes the job."""
    from generator import write

    root = make_project()
    assert build(root).report.ok
    old_lock = (root / "studydeck.lock").read_bytes()
    _edit(root, "Between which dates", "Between which two dates")
    real = os.replace

    def cut(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(dst).endswith("studydeck.lock"):
            raise OSError(5, "Input/output error", str(dst))  # as if killed right here
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(write.os, "replace", cut)
    code, _, err = run(["build"], cwd=root)
    monkeypatch.setattr(write.os, "replace", real)
    assert code == 1 and "the outputs are new; the new lock waits in" in err
    assert (root / "studydeck.lock").read_bytes() == old_lock  # new outputs, old lock: for now
    (waiting,) = root.glob(".studydeck.lock.*.tmp")
    new_lock = waiting.read_bytes()
    write.recover(root / "dist", root / "studydeck.lock")  # the first step of the next build
    assert (root / "studydeck.lock").read_bytes() == new_lock
    _consistent(root)
    assert run(["build"], cwd=root)[0] == 0
    assert (root / "studydeck.lock").read_bytes() != old_lock and not _stray(root)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.dictionaries(
    st.text(max_size=6), st.one_of(st.integers(), st.text(max_size=6), st.booleans(), st.none()), max_size=4),
    max_size=5))
def test_lock_text_is_json_indented_by_one(rows) -> None:
    """The lock is written row by row (fast for big banks) exactly as json.dumps(indent=1) would."""
    from generator.anki.lock import _indented

    data = {"version": 2, "notes": rows, "models": {}}
    assert _indented(data) == json.dumps(data, indent=1)


_entries = st.dictionaries(st.text(max_size=8), st.builds(
    Entry, st.text(max_size=8), st.integers(0, 2**40),
    st.one_of(st.none(), st.text(max_size=6)), st.booleans()), max_size=5)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(_entries, _entries, st.one_of(st.none(), st.text(max_size=6)), st.one_of(st.none(), st.text(max_size=6)))
def test_lock_tables_are_written_as_json_indented_by_one(notes, models, project, collection) -> None:
    """The lock's note and model tables, written row by row, are what json.dumps(indent=1) writes
    of the lock's data (each entry by ``to_data``)."""
    lock = Lock(notes, models, project, collection)
    data: dict[str, object] = {"version": LOCK_VERSION, "comment": json.loads(lock.to_bytes())["comment"]}
    data |= {"id": project} if project is not None else {}
    data |= {"collection": collection} if collection is not None else {}
    data |= {"models": {k: v.to_data() for k, v in sorted(models.items())},
             "notes": {k: v.to_data() for k, v in sorted(notes.items())}}
    assert lock.to_bytes() == (json.dumps(data, indent=1) + "\n").encode()
