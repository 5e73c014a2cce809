"""Decks as a learner meets them: every built package imported into a real Anki collection."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build

from .ankitools import body, import_package, open_collection, rendered_cards
from .conftest import REPO, STARTER, cache_folder, new_project, snapshot

APKG = "Siege of Lal Masjid.apkg"
# Cards each item of the starter deck gives: basic+reverse 2, mcq 1, truefalse 1 (x2 items),
# cloze 1, quote 1, claims 1, order 1, match 3 pairs, basic without reverse 1.
STARTER_CARDS = {
    "studydeck basic": 3, "studydeck multiple choice": 1, "studydeck true or false": 2,
    "studydeck cloze": 1, "studydeck quote": 1, "studydeck claims": 1, "studydeck order": 1, "studydeck match": 3,
}


def _count_items(path: Path) -> int:
    return len(re.findall(r"^\s*- id: ", path.read_text(), re.M))


def _build(root: Path) -> Path:
    result = build(root)
    assert result.report.ok, [d.format() for d in result.report]
    return root / "dist" / APKG


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The starter project built and imported once, for the tests that only read the collection."""
    base = tmp_path_factory.mktemp("built")
    root = new_project(base / "proj")
    with pytest.MonkeyPatch.context() as patch:  # (module fixtures come before the autouse cache fixture)
        patch.setenv("STUDYDECK_CACHE_DIR", str(cache_folder(tmp_path_factory)))
        apkg = _build(root)
    col = open_collection(base / "anki")
    log = import_package(col, apkg)
    yield root, col, log
    col.close()


def test_note_and_card_counts(built) -> None:
    _, col, log = built
    assert len(log.new) == col.note_count() == _count_items(STARTER)
    counts: dict[str, int] = {}
    for name, *_ in rendered_cards(col):
        counts[name] = counts.get(name, 0) + 1
    assert counts == STARTER_CARDS


def test_every_card_renders(built) -> None:
    _, col, _ = built
    for name, ordinal, _, question, answer in rendered_cards(col):
        q, a = body(question), body(answer)
        assert re.sub(r"<[^>]+>", "", q).strip(), (name, ordinal)
        assert len(re.sub(r"<[^>]+>", "", a)) > len(re.sub(r"<[^>]+>", "", q)), (name, ordinal)
        assert "{{" not in q + a and "}}" not in q + a, (name, ordinal)
        assert 'class="source"' in a or "<table>" in a, (name, ordinal)  # the back cites its source


def test_decks_and_tags(built) -> None:
    _, col, _ = built
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert {"Siege of Lal Masjid", "Siege of Lal Masjid::Starter"} <= names
    assert {deck for _, _, deck, _, _ in rendered_cards(col)} == {"Siege of Lal Masjid::Starter"}
    note = col.get_note(col.find_notes('"ItemId:mustafa-template-argument"')[0])
    assert sorted(note.tags) == ["deck::starter", "opinion", "source::opinion", "type::basic"]
    assert all(" " not in tag for nid in col.find_notes("") for tag in col.get_note(nid).tags)


def test_back_highlights_answer_and_cites(built) -> None:
    _, col, _ = built
    note = col.get_note(col.find_notes('"ItemId:siege-dates"')[0])
    answer = body(note.cards()[0].answer())
    assert "besieged from <mark>3 to 11 July 2007</mark>" in answer
    assert '<li class="correct">3 to 11 July 2007</li>' in answer
    assert "Reference</span> &middot; &ldquo;Siege of Lal Masjid&rdquo;, Wikipedia" in answer
    opinion = body(col.get_note(col.find_notes('"ItemId:mustafa-template-argument"')[0]).cards()[0].answer())
    assert "Opinion</span> &middot; Abid Mustafa, &ldquo;Bloodbath at the Red Mosque&rdquo;, IslamiCity" in opinion


def test_type_specific_faces(built) -> None:
    _, col, _ = built

    def faces(item_id: str) -> list[tuple[str, str]]:
        note = col.get_note(col.find_notes(f'"ItemId:{item_id}"')[0])
        return [(body(c.question()), body(c.answer())) for c in note.cards()]

    (q, a), = faces("false-founding-year")
    assert "The Lal Masjid was founded in 1977." in q and "verdict-false" in a and "in 1965" in a
    (q, a), = faces("curfew-sector")
    assert "[...]" in q and "G-6" not in q and "G-6" in a
    (q, a), = faces("order-2007-escalation")
    dates = re.findall(r'<span class="date">([^<]+)</span>', a)
    assert dates == ["27 March 2007", "3 July 2007", "11 July 2007", "16 August 2007"]
    assert 'class="date"' not in q
    pairs = faces("match-negotiators")
    assert [re.search(r'<div class="prompt">([^<]+)</div>', q)[1] for q, _ in pairs] == [
        "Aftab Ahmad Sherpao", "Muhammad Ijaz-ul-Haq", "Waheed Arshad"]
    assert '<div class="answer">Interior Minister</div>' in pairs[0][1]
    (q, a), = faces("quote-casey-responsible-way")
    assert "Tom Casey" not in q and "Tom Casey" in a
    (q, a), = faces("claims-total-deaths")
    assert "Claimants: Government of Pakistan; Muttahida Majlis-e-Amal" in q and "154" not in q
    assert "<b>154 deaths</b>" in a and "<b>between 400 and 1,000 students killed</b>" in a


INJECTION = """
- id: hostile-text
  type: basic
  question: "<script>alert(1)</script> <img src=x onerror=alert(2)> <a href='javascript:alert(3)'>x</a> <iframe src=x></iframe> {{c9::x}} [sound:x.mp3] [latex]x[/latex] \\\\(x\\\\) {{Answer}}"
  answer: "1965 {{FrontSide}}"
  source: {doc: wikipedia-siege, excerpt: The Lal Masjid was founded by Maulana Qari Abdullah in 1965.}
"""


def test_item_text_cannot_become_markup_or_anki_syntax(make_project, tmp_path) -> None:
    root = make_project({"starter.yaml": STARTER.read_text() + INJECTION})
    col = open_collection(tmp_path / "anki")
    import_package(col, _build(root))
    note = col.get_note(col.find_notes('"ItemId:hostile-text"')[0])
    assert len(note.cards()) == 1  # {{c9::x}} made no card
    q, a = body(note.cards()[0].question()), body(note.cards()[0].answer())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in q
    for raw in ("<script", "<img", "<a ", "<iframe", "[sound:", "[latex]", "\\(", "{{"):
        assert raw not in q + a, raw
    assert col.media.check().missing == []
    assert not re.search(r"\[anki:play", q + a)  # no audio tag was produced
    col.close()


def _review(col, card) -> None:  # type: ignore[no-untyped-def]
    from anki.scheduler.v3 import CardAnswer

    card.start_timer()
    states = col._backend.get_scheduling_states(card.id)
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))


def test_reimport_updates_exactly_the_changed_notes(make_project, tmp_path) -> None:
    root = make_project()
    col = open_collection(tmp_path / "anki")
    first = import_package(col, _build(root))
    assert (len(first.new), len(first.updated)) == (10, 0)
    card = col.get_card(col.find_cards('"ItemId:siege-dates"')[0])
    _review(col, card)  # some review history to keep
    reviews = col.db.scalar("select count() from revlog")

    # Rebuild with nothing changed: nothing new, nothing updated.
    again = import_package(col, _build(root))
    assert (len(again.new), len(again.updated), len(again.duplicate)) == (0, 0, 10)

    # Edit one item: exactly that note is updated, at the same id, with its history.
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text().replace("Between which dates was", "Between which dates in 2007 was"))
    edited = import_package(col, _build(root))
    assert (len(edited.new), len(edited.updated)) == (0, 1)
    assert col.note_count() == 10
    note = col.get_note(col.find_notes('"ItemId:siege-dates"')[0])
    assert "in 2007 was" in note["Question"]
    assert col.db.scalar("select count() from revlog") == reviews == 1

    # Add one item: one new note, nothing updated.
    deck.write_text(deck.read_text() + INJECTION)
    added = import_package(col, _build(root))
    assert (len(added.new), len(added.updated)) == (1, 0)
    col.close()


def test_template_change_reaches_learners(make_project, tmp_path, monkeypatch) -> None:
    root = make_project()
    col = open_collection(tmp_path / "anki")
    import_package(col, _build(root))
    from generator.anki import notetypes

    original = notetypes._template
    monkeypatch.setattr(notetypes, "_template",
                        lambda name: "/* new style */" if name == "style.css" else original(name))
    notetypes.note_types.cache_clear()
    try:
        import_package(col, _build(root))
    finally:
        notetypes.note_types.cache_clear()
    model = col.models.by_name("studydeck basic")
    assert "new style" in model["css"]
    col.close()


def test_two_builds_are_byte_identical_across_hash_seeds(make_project, tmp_path) -> None:
    """Package and worksheets alike: the same inputs give the same bytes, whatever the hash seed."""
    root = make_project()
    _build(root)  # writes the lock, as a curator's first build would
    outputs = []
    for seed in ("0", "12345"):
        out = tmp_path / f"out-{seed}"
        env = {"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}
        subprocess.run([sys.executable, "-m", "generator", "build", str(root), "--out", str(out)],
                       check=True, env=env, capture_output=True, cwd=REPO)
        outputs.append({str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    # the package, 2 quizzes x 2 versions x (sheet + key), the manifest, the Moodle XML, GIFT and self-test exports,
    # and the deck's QTI package and the whole bank's
    assert len(outputs[0]) == 1 + 8 + 1 + 3 + 2
    assert outputs[0] == outputs[1]
    assert outputs[0][APKG] == (root / "dist" / APKG).read_bytes()


def test_guid_depends_only_on_the_item_id(make_project, tmp_path) -> None:
    root = make_project()
    col = open_collection(tmp_path / "a")
    import_package(col, _build(root))
    before = {col.get_note(n)["ItemId"]: col.get_note(n).guid for n in col.find_notes("")}
    col.close()
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text().replace("Starter", "Renamed").replace("3 to 11 July 2007", "3 to 11 July 2007 "))
    col = open_collection(tmp_path / "b")
    import_package(col, _build(root))
    after = {col.get_note(n)["ItemId"]: col.get_note(n).guid for n in col.find_notes("")}
    assert before == after
    col.close()


def test_failed_build_writes_nothing(make_project, run) -> None:
    root = make_project()
    _build(root)
    before = snapshot(root)
    deck = root / "decks" / "starter.yaml"
    text = deck.read_text()
    deck.write_text(text.replace("answer: 3 to 11 July 2007", "answer: 3 to 12 July 2007"))
    code, _, err = run(["build"], cwd=root)
    assert code == 1
    assert err.rstrip().endswith("nothing written.")
    after = snapshot(root)
    after["decks/starter.yaml"] = text.encode()
    assert after == before  # package, worksheets and lock byte-identical; no temporary files


def test_build_cli_reports_what_it_wrote(make_project, run) -> None:
    root = make_project()
    code, _, err = run(["build"], cwd=root)
    assert code == 0
    assert f"wrote dist/{APKG}" in err and "wrote studydeck.lock" in err
    assert "10 notes, 10 new or changed." in err
    code, _, err = run(["build"], cwd=root)
    assert "10 notes, 0 new or changed." in err and "studydeck.lock" not in err


def test_corrupt_lock_is_a_located_error(make_project, run) -> None:
    root = make_project()
    (root / "studydeck.lock").write_text("{not json")
    code, _, err = run(["build"], cwd=root)
    assert code == 1
    assert err.startswith("studydeck.lock:1:2: error[lock-file]: not a valid lock file")
    assert not (root / "dist").exists()


def test_shipped_bank_imports_cleanly(tmp_path) -> None:
    """The real question bank, built into a copy of the repository, imports with every card rendering."""
    root = tmp_path / "repo"
    for name in ("seeds", "decks"):
        shutil.copytree(REPO / name, root / name)
    for name in ("studydeck.yaml", "studydeck.lock"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, root / name)
    col = open_collection(tmp_path / "anki")
    log = import_package(col, _build(root))
    items = sum(_count_items(p) for p in (REPO / "decks").glob("*.yaml"))
    assert len(log.new) == col.note_count() == items
    for name, ordinal, _, question, answer in rendered_cards(col):
        assert "{{" not in body(question) + body(answer), (name, ordinal)
        assert re.sub(r"<[^>]+>", "", body(question)).strip(), (name, ordinal)
    col.close()
    # The committed lock is current: building the shipped bank changes no note's time.
    assert (root / "studydeck.lock").read_bytes() == (REPO / "studydeck.lock").read_bytes(), (
        "studydeck.lock is stale: run `studydeck build` and commit the lock with the decks")


def test_each_note_and_its_cards_carry_the_notes_own_change_time(make_project) -> None:
    """Each note is written with its own change time from the lock, and so are its cards (they
    are stamped as they are written, not updated afterwards): edit one item and only its note
    and cards get a new time."""
    import json
    import sqlite3
    import zipfile

    root = make_project()

    def times() -> tuple[dict[str, int], dict[int, set[int]]]:
        apkg = _build(root)
        conn = sqlite3.connect(":memory:")
        conn.deserialize(zipfile.ZipFile(apkg).read("collection.anki2"))
        notes = {guid: mod for guid, mod in conn.execute("SELECT guid, mod FROM notes")}
        cards: dict[int, set[int]] = {}
        for nid, card_mod, note_mod in conn.execute(
                "SELECT cards.nid, cards.mod, notes.mod FROM cards JOIN notes ON notes.id = cards.nid"):
            assert card_mod == note_mod
            cards.setdefault(nid, set()).add(card_mod)
        conn.close()
        return notes, cards

    before, _ = times()
    lock = json.loads((root / "studydeck.lock").read_text())
    assert sorted(before.values()) == sorted(e["changed"] for e in lock["notes"].values() if not e.get("removed"))
    path = root / "decks" / STARTER.name
    text = path.read_text()
    at = text.index("question: ") + len("question: ")
    path.write_text(text[:at] + "(edited) " + text[at:])
    after, _ = times()
    changed = [guid for guid in before if before[guid] != after[guid]]
    assert len(changed) == 1 and after[changed[0]] > before[changed[0]]


def test_the_package_writer_writes_the_rows_genanki_writes(tmp_path: Path) -> None:
    """Every note and card row of the shipped bank's package is the row genanki itself writes for
    the same note (a ``genanki.Note`` each, every note with the package's one time)."""
    import io
    import itertools
    import zipfile

    import genanki

    from generator import pipeline
    from generator.anki.notetypes import note_types, stable_id
    from generator.anki.package import _model, build_package, description_html

    checked = pipeline.check_project(REPO, items=False)
    compiled = checked.compiled()
    config = checked.project.config
    decks = {config.collection: config.description or ""} | compiled.descriptions
    when = 1_700_000_000
    ours = build_package(compiled.notes, decks, config.id, {n.item_id: when for n in compiled.notes}, {}, tmp_path)
    mine = sqlite3.connect(":memory:")
    mine.deserialize(zipfile.ZipFile(io.BytesIO(ours)).read("collection.anki2"))

    models = {key: _model(t, config.id) for key, t in note_types().items()}
    plain = {name: genanki.Deck(stable_id(config.id, "deck", name), name, description=description_html(text))
             for name, text in decks.items()}
    for n in compiled.notes:
        plain[n.deck].add_note(genanki.Note(models[n.kind], list(n.fields), tags=list(n.tags), guid=n.guid, due=n.due))
    theirs = sqlite3.connect(":memory:")
    genanki.Package(list(plain.values())).write_to_db(theirs.cursor(), when, itertools.count(when * 1000))
    for table in ("notes", "cards"):
        rows = mine.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        assert rows == theirs.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        assert len(rows) >= len(compiled.notes)
    kinds = {n.kind for n in compiled.notes}
    assert {"cloze", "basic"} <= kinds  # (both card rules, and notes with more than one card)
    assert mine.execute("SELECT COUNT(*) FROM cards").fetchone()[0] > len(compiled.notes)


def test_the_package_writer_keeps_no_note_alive(tmp_path: Path) -> None:
    """With the collector off (as the command line runs), the notes given to ``build_package`` are
    freed as soon as the caller lets them go: nothing it made (its Deck class, in a reference cycle
    as every class is) still reaches them, so a build needs no collection of cycles to free them."""
    import gc
    import weakref

    from generator import pipeline
    from generator.anki.package import build_package

    checked = pipeline.check_project(REPO, items=False)
    compiled = checked.compiled()
    config = checked.project.config
    notes = list(compiled.notes)
    del compiled
    decks = {config.collection: ""} | {n.deck: "" for n in notes}
    times = {n.item_id: 1_700_000_000 for n in notes}
    gc.collect()
    gc.disable()
    try:
        assert build_package(notes, decks, config.id, times, {}, tmp_path).startswith(b"PK")
        watched = [weakref.ref(n) for n in notes]
        del notes
        assert [w for w in watched if w() is not None] == []
    finally:
        gc.enable()
