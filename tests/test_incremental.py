"""Incremental work (issue 13): what a build or check reuses from the cache and the previous
output, and proof that reusing it changes nothing in what is written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import generator.pipeline as pipeline
from generator import workers
from generator.anki import markup, notes
from generator.build import build

from .conftest import REPO, snapshot

APKG = "Siege of Lal Masjid.apkg"


def _bank(tmp_path):
    root = tmp_path / "bank"
    for name in ("seeds", "decks"):
        shutil.copytree(REPO / name, root / name)
    for name in ("studydeck.yaml", "studydeck.lock"):
        shutil.copy(REPO / name, root / name)
    return root


def _edit(root) -> str:
    path = root / "decks" / "reactions.yaml"
    text = path.read_text()
    at = text.index("note: ", len(text) // 2)
    path.write_text(text[:at] + "note: An edited note. " + text[at + len("note: "):])
    return text


def test_a_build_after_an_edit_compiles_only_the_edited_item_and_writes_the_same_bytes(tmp_path, monkeypatch) -> None:
    root = _bank(tmp_path)
    assert build(root, worksheets=False, exports=set()).report.ok
    _edit(root)
    compiled_items: list[str] = []
    real = notes._Compiler.note
    monkeypatch.setattr(notes._Compiler, "note", lambda self, deck, item: compiled_items.append(item.id)
                        or real(self, deck, item))
    result = build(root, worksheets=False, exports=set())
    assert result.report.ok and result.changed == 1
    assert len(compiled_items) == 1  # one item of one file; every other note came from the cache
    warm = snapshot(root / "dist")
    monkeypatch.setenv("STUDYDECK_NO_CACHE", "1")  # the same build with nothing cached at all
    compiled_items.clear()
    assert build(root, worksheets=False, exports=set()).report.ok
    assert len(compiled_items) == result.notes  # every note, compiled once
    assert snapshot(root / "dist") == warm


def test_a_build_after_an_edit_renders_only_the_worksheets_it_changed(make_project, tmp_path, monkeypatch) -> None:
    """Rendered worksheets are kept (``kept.KeptPdfs``): a build with nothing changed renders
    none, a build after an edit only those whose questions changed, and every PDF is the one a
    build with nothing kept renders."""
    from generator.worksheet import render

    from .conftest import STARTER

    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))  # (none kept by another test)
    root = make_project({"starter.yaml": STARTER.read_text(), "figures.yaml": (REPO / "decks" / "figures.yaml").read_text()})
    config = root / "studydeck.yaml"  # (one version of each, ten questions: the same reuse, fewer pages)
    config.write_text(config.read_text().replace("versions: 2", "versions: 1").replace("questions: 20", "questions: 10"))
    rendered: list[render.Job] = []
    real = render._compile
    monkeypatch.setattr(render, "_compile", lambda one: rendered.append(one) or real(one))
    assert build(root, exports=set()).report.ok
    first = len(rendered)
    rendered.clear()
    assert build(root, exports=set()).report.ok and rendered == []
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text().replace("Between which dates was", "Between which dates in 2007 was"))
    assert build(root, exports=set()).report.ok
    assert 0 < len(rendered) < first, (len(rendered), first)
    assert all("Between which dates in 2007 was" in one.data for one in rendered)
    # one entry for each worksheet file, whatever was rendered before: the slot's new PDF replaced the old
    assert len(list((tmp_path / "cache" / "pdf").glob("*.json"))) == len(list((root / "dist" / "worksheets").iterdir()))
    warm = snapshot(root / "dist")
    monkeypatch.setenv("STUDYDECK_NO_CACHE", "1")
    rendered.clear()
    assert build(root, exports=set()).report.ok
    assert len(rendered) == first and snapshot(root / "dist") == warm


def test_a_full_build_after_an_edit_makes_again_only_the_exports_the_edit_changed(make_project, tmp_path,
                                                                                   monkeypatch) -> None:
    """Each deck's export files are kept (``kept.KeptExports``): after an edit, only the edited
    deck's Moodle XML, GIFT and QTI assessment, and its items on the self-test page, are made again;
    after a new quote speaker (which
    every deck's quote questions may offer as a wrong answer), every deck's. Each time the outputs
    are those of a build with nothing kept."""
    from generator import export
    from generator.export import qti, selftest

    from .conftest import STARTER

    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    root = make_project({"starter.yaml": STARTER.read_text(), "actors.yaml": (REPO / "decks" / "actors.yaml").read_text()})
    config = root / "studydeck.yaml"
    config.write_text(config.read_text().replace("versions: 2", "versions: 1").replace("questions: 20", "questions: 10"))
    made: list[tuple[str, str]] = []

    def spy(module, name: str, fmt: str) -> None:
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a: made.append((fmt, next(
            x.slug for x in a if hasattr(x, "slug")))) or real(*a))

    spy(export, "render_moodle", "moodle")
    spy(export, "render_gift", "gift")
    spy(qti, "assessment_xml", "qti")
    spy(selftest, "_deck_items", "html")
    every = {(fmt, deck) for fmt in ("moodle", "gift", "qti", "html") for deck in ("starter", "actors")}

    def built() -> tuple[set[tuple[str, str]], dict[str, bytes]]:
        made.clear()
        assert build(root).report.ok
        return set(made), snapshot(root / "dist")

    def unkept() -> dict[str, bytes]:
        with monkeypatch.context() as m:
            m.setenv("STUDYDECK_NO_CACHE", "1")
            assert build(root).report.ok
            return snapshot(root / "dist")

    assert built()[0] == every
    assert built()[0] == set()
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text().replace("Between which dates was", "Between which dates in 2007 was"))
    again, warm = built()
    assert again == {(fmt, "starter") for fmt in ("moodle", "gift", "qti", "html")} and warm == unkept()
    actors = root / "decks" / "actors.yaml"
    actors.write_text(actors.read_text().replace("speaker: Waheed Arshad, Pakistan Army spokesman",
                                                 "speaker: Waheed Arshad, spokesman of the Pakistan Army"))
    again, warm = built()
    assert again == every and warm == unkept()
    assert len(list((tmp_path / "cache" / "exports").glob("*.json"))) == len(every)  # one entry a file, kept or replaced


def test_a_build_that_wants_the_decks_checks_only_the_changed_files(make_project, tmp_path, monkeypatch) -> None:
    """A build that loads the decks (worksheets, exports) takes an unchanged file's problems from
    its summary and its deck from its items' records: only the edited file is checked again, and
    every deck equals the one a check with nothing kept loads."""
    from generator.plain import to_plain

    from .conftest import STARTER

    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    root = make_project({"starter.yaml": STARTER.read_text(), "figures.yaml": (REPO / "decks" / "figures.yaml").read_text()})
    assert build(root, worksheets=False, exports={"gift"}).report.ok
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text().replace("Between which dates was", "Between which dates in 2007 was"))
    checked: list[str] = []
    real = pipeline._check_file
    monkeypatch.setattr(pipeline, "_check_file", lambda job, task: checked.append(task[1]) or real(job, task))
    warm = pipeline.check_project(root, items=True, notes=True)
    assert [p.rsplit("/", 1)[-1] for p in checked] == ["starter.yaml"] and warm.report.ok
    monkeypatch.setenv("STUDYDECK_NO_CACHE", "1")
    cold = pipeline.check_project(root, items=True)
    assert [to_plain(d) for d in warm.project.decks] == [to_plain(d) for d in cold.project.decks]
    assert len(warm.project.decks) == 2 and warm.report.diagnostics == cold.report.diagnostics


def test_project_wide_problems_are_kept_while_no_files_ids_and_records_change(make_project, tmp_path,
                                                                              monkeypatch) -> None:
    """The checks over every file (unique ids, near-duplicates) are kept under every file's ids,
    their places and near-duplicate records: rewording a question reuses them without reading the
    other files' records; an edit that moves lines, a new item, or records gone from the cache
    have them worked out again. Each time the problems are those of a check with nothing kept."""
    from generator import duplicates
    from generator.diagnostics import Diagnostic

    from .conftest import STARTER

    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    text = STARTER.read_text()
    root = make_project({"a.yaml": text, "b.yaml": text.replace("id: ", "id: b-", 2)})  # twins, two shared ids
    runs: list[int] = []
    real = duplicates.duplicates_among
    monkeypatch.setattr(duplicates, "duplicates_among", lambda records: runs.append(len(records)) or real(records))

    def problems() -> list[Diagnostic]:
        runs.clear()
        return pipeline.check_project(root, items=False).report.diagnostics

    def unkept() -> list[Diagnostic]:
        with monkeypatch.context() as m:
            m.setenv("STUDYDECK_NO_CACHE", "1")
            return pipeline.check_project(root, items=False).report.diagnostics

    first = problems()
    codes = {d.code for d in first}
    assert {"duplicate-id", "near-duplicate"} <= codes and runs and first == unkept()
    b = root / "decks" / "b.yaml"
    b.write_text(b.read_text().replace("Between which dates was", "Between which two dates was"))
    second = problems()
    assert runs == [] and second == first == unkept()  # reworded: kept, no record read
    b.write_text(b.read_text().replace("Between which two dates was", "Between which\n    two dates was", 1))
    moved = problems()
    assert runs and moved == unkept() and len(moved) == len(first)  # lines moved: worked out again
    for entry in (tmp_path / "cache").glob("r*.json"):
        entry.unlink()
    b.write_text(b.read_text().replace("id: b-", "id: c-", 1))
    again = problems()
    assert runs and again == unkept() and again != first  # (records gone: read from the files)


def test_a_check_works_out_the_catalogs_repr_once(make_project, tmp_path, monkeypatch) -> None:
    """The catalog's repr (hundreds of sources in a big bank) keys both the seeds' regions and the
    corpus: a check works it out once, and the key is the one ``engine.corpus_key`` gives."""
    from generator.engine import corpus_key
    from generator.model import Catalog

    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    root = make_project()
    calls: list[int] = []
    real = Catalog.__repr__
    monkeypatch.setattr(Catalog, "__repr__", lambda self: calls.append(1) or real(self))
    checked = pipeline.check_project(root, items=False)
    assert len(calls) == 1 and checked.project.catalog is not None
    assert checked.corpus_key == corpus_key(checked.project.catalog, checked.corpus)


def test_a_kept_worksheet_that_is_not_a_pdf_is_rendered_again(make_project, tmp_path, monkeypatch) -> None:
    """A kept entry that is not one (foreign, truncated, not base64, not a PDF) is a miss."""
    from generator.worksheet import render

    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    root = make_project()
    assert build(root, exports=set()).report.ok
    before = snapshot(root / "dist")
    entries = sorted((tmp_path / "cache" / "pdf").glob("*.json"))
    assert entries
    for n, entry in enumerate(entries):
        entry.write_text(['"not base64!"', '"JVBERi"', '{"a": 1}', '"aGVsbG8="', '"JVBERi0x'][n % 5])
    rendered: list[render.Job] = []
    real = render._compile
    monkeypatch.setattr(render, "_compile", lambda one: rendered.append(one) or real(one))
    assert build(root, exports=set()).report.ok
    assert len(rendered) == len(entries) and snapshot(root / "dist") == before


def test_the_previous_package_is_not_read_back_when_it_was_written_with_this_lock(tmp_path, monkeypatch) -> None:
    root = _bank(tmp_path)
    assert build(root, worksheets=False, exports=set()).report.ok

    def refuse(*args, **kwargs):
        raise AssertionError("read the package back")

    monkeypatch.setattr("generator.build.read_shipped", refuse)
    _edit(root)
    assert build(root, worksheets=False, exports=set()).report.ok  # the manifest vouches for the package
    apkg = root / "dist" / APKG
    apkg.write_bytes(apkg.read_bytes() + b"\0")  # no longer the package written with the lock
    with pytest.raises(AssertionError, match="read the package back"):
        build(root, worksheets=False, exports=set())


def test_an_output_is_hashed_a_piece_at_a_time_and_only_a_regular_file(tmp_path) -> None:
    """``paths.file_sha256`` (which says whether the package there is the one written with the
    lock) gives the SHA-256 ``read_input``'s bytes have, for a file over one piece; a fifo, a folder
    or a missing file is None, without blocking."""
    import hashlib

    from generator.paths import file_sha256, read_input

    big = tmp_path / "big"
    big.write_bytes(os.urandom(3 << 20) + b"tail")
    data, _ = read_input(big, "file", 1 << 30)
    assert data is not None and file_sha256(big) == hashlib.sha256(data).hexdigest()
    os.mkfifo(tmp_path / "fifo")
    assert [file_sha256(tmp_path / n) for n in ("fifo", "missing")] == [None, None] and file_sha256(tmp_path) is None


def test_files_parsed_and_compiled_in_worker_processes_give_what_one_process_gives(tmp_path, monkeypatch) -> None:
    root = _bank(tmp_path)
    monkeypatch.setattr(workers, "cores", lambda: 1)
    one = build(root, worksheets=False, exports=set(), out=tmp_path / "one")
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "other-cache"))  # cold again
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    forked: list[object] = []
    real = workers.map_forked
    monkeypatch.setattr(workers, "map_forked", lambda *a, **k: forked.append(r := real(*a, **k)) or r)
    two = build(root, worksheets=False, exports=set(), out=tmp_path / "two")
    assert forked and forked[0] is not None  # the workers did run
    assert one.report.ok and two.report.ok
    assert [d.format() for d in one.report] == [d.format() for d in two.report]
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert pipeline.check_project(root, items=False).compiled().notes  # all found in the cache


def test_a_build_normalises_the_seeds_before_forking_not_in_each_worker(tmp_path, monkeypatch) -> None:
    """The workers of a build share the seeds' normal forms made once before the fork."""
    from generator import sources

    root = _bank(tmp_path)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    forked: list[object] = []
    real_map = workers.map_forked
    monkeypatch.setattr(workers, "map_forked", lambda *a, **k: forked.append(r := real_map(*a, **k)) or r)
    parent, real = os.getpid(), sources.normalise_with_offsets

    def here_only(text: str) -> tuple[str, list[int]]:
        assert os.getpid() == parent, "a worker normalised a seed"
        return real(text)

    monkeypatch.setattr(sources, "normalise_with_offsets", here_only)
    assert build(root, worksheets=False, exports=set()).report.ok
    assert forked and forked[0] is not None  # the workers did run (and normalised nothing)


def test_an_output_failing_while_the_others_are_staged_leaves_everything_as_it_was(tmp_path, monkeypatch, run) -> None:
    """Outputs go into the staging folder as they are made; a failure in a late one (the
    self-test page, made last) must still leave the previous outputs and the lock untouched."""
    root = _bank(tmp_path)
    assert build(root).report.ok
    _edit(root)
    before, lock = snapshot(root / "dist"), (root / "studydeck.lock").read_bytes()

    def fail(*args, **kwargs):
        from generator.diagnostics import OutputError

        raise OutputError("the self-test page could not be made")

    monkeypatch.setattr("generator.export.render_selftest", fail)
    code, _, err = run(["build", str(root)])
    assert code == 1 and "previous outputs left as they were" in err, err
    assert snapshot(root / "dist") == before
    assert (root / "studydeck.lock").read_bytes() == lock
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist")]  # no staging folder left


def test_without_worker_processes_the_files_are_parsed_here(tmp_path, monkeypatch) -> None:
    """No fork, no memory, a process limit, or a worker that died: the same result, parsed in
    the process itself."""
    from multiprocessing.context import ForkProcess

    root = _bank(tmp_path)
    expected = [d.format() for d in pipeline.check_project(root, items=False).report]
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    answers: list[object] = []
    real = workers.map_forked
    monkeypatch.setattr(workers, "map_forked", lambda *a, **k: answers.append(r := real(*a, **k)) or r)

    def cannot_fork(self) -> None:
        raise OSError("fork: Cannot allocate memory")

    def dies_while_working(*args):
        os._exit(9)

    for n, (where, name, broken) in enumerate(((ForkProcess, "start", cannot_fork),
                                               (pipeline, "_check_in_worker", dies_while_working))):
        monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / f"cache-{n}"))  # cold
        with monkeypatch.context() as patch:
            patch.setattr(where, name, broken)
            assert [d.format() for d in pipeline.check_project(root, items=False).report] == expected
    assert answers == [None, None]  # the workers could not answer; the files were parsed here


def test_compiled_notes_carry_their_fingerprint_and_keep_it_through_the_cache(tmp_path) -> None:
    """The fingerprint the lock compares is worked out where a note is compiled and read back
    from the cache with it; it is the same as working it out from the note's content."""
    root = _bank(tmp_path)
    for _ in range(2):  # compiled, then read back from the cache
        assert build(root, worksheets=False, exports=set()).report.ok
        checked = pipeline.check_project(root, items=False)
        built = checked.compiled().notes
        assert len(built) == 206  # the shipped bank (issue 19 revision)
        for n in built:
            assert n.hash == notes.fingerprint(n.kind, n.deck, n.fields, n.tags) == n.fingerprint()
            assert n.at(7) == notes.NoteSpec(n.item_id, n.kind, n.deck, n.fields, n.tags, n.guid, 7)
            assert n.at(7).hash == n.hash
            # read back without the frozen __init__: every field, as the constructor would set it
            assert vars(n) == vars(notes.NoteSpec(n.item_id, n.kind, n.deck, n.fields, n.tags, n.guid, n.due, n.hash))


@pytest.mark.parametrize("field", ["x < y > z", "<<b>", "a <  b>", "1 <> 2", "<script>alert(1)</script>",
                                   "<img src=x onerror=alert(1)>", '<b onclick="x()">b</b>', '<span style="x">s</span>',
                                   "<SCRIPT>x</SCRIPT>", '<a href="javascript:x">a</a>', "<svg onload=x>"])
def test_an_unescaped_tag_in_a_compiled_note_stops_the_run(field) -> None:
    """genanki's own test for unescaped HTML runs where each note is compiled (the package writer
    no longer repeats it for every note at every build)."""
    with pytest.raises(AssertionError, match="unescaped HTML"):
        notes.check_html(("<b>fine</b>", field))


def test_every_field_the_compiler_writes_passes_the_html_test(make_project) -> None:
    """The allow-list holds every tag and attribute the compiler writes (every note of the starter
    deck, one of each item type, is checked as it is compiled); escaped text passes."""
    checked = pipeline.check_project(make_project(), items=False)
    built = checked.compiled().notes
    assert {n.kind for n in built} >= {"basic", "mcq", "truefalse", "cloze", "order", "match", "quote", "claims"}
    tags = {m.group(2) for n in built for f in n.fields for m in markup._TAG.finditer(f)}
    assert {"b", "div", "span", "table", "mark"} <= tags  # the markup the check allows is really there
    notes.check_html(("<b>bold</b>", "a &lt;script&gt; b", '<div class="source"><mark>x</mark></div>', ""))


def _reads(monkeypatch) -> list[str]:
    """The deck files and seeds read from now on, by name (the two settings files are always read)."""
    from generator import paths

    read: list[str] = []
    real = paths.read_input  # (every deck file and seed is read through paths.read_hashed)
    monkeypatch.setattr(paths, "read_input", lambda path, *a, **k: (
        path.suffix == ".txt" or path.parent.name == "decks") and read.append(path.name) or real(path, *a, **k))
    return read


def test_a_file_whose_stat_is_unchanged_is_not_read_again(tmp_path, monkeypatch) -> None:
    """A check reads only what changed since the last: no seed, and of the deck files only the
    edited one; the seeds its changed item cites are read when that item is checked. The
    findings are those of a check with nothing kept."""
    from generator import engine

    monkeypatch.setattr(engine, "SETTLED_NS", 0)  # (the files were just copied: settled at once here)
    root = _bank(tmp_path)
    assert pipeline.check_project(root, items=False).report.ok
    read = _reads(monkeypatch)
    assert pipeline.check_project(root, items=False).report.ok
    assert read == []  # nothing changed: nothing read
    path = root / "decks" / "reactions.yaml"
    text = path.read_text()
    at = text.index("answer: ", len(text) // 2) + len("answer: ")
    path.write_text(text[:at] + "Not in any source " + text[at:])
    found = [d.format() for d in pipeline.check_project(root, items=False).report]
    assert read[0] == "reactions.yaml" and len(read) <= 2  # the file, and at most the one seed its item cites
    assert not any(name.endswith(".yaml") for name in read[1:])
    monkeypatch.setenv("STUDYDECK_NO_CACHE", "1")
    assert [d.format() for d in pipeline.check_project(root, items=False).report] == found


def test_a_changed_seed_is_found_though_its_hash_was_kept(tmp_path, monkeypatch) -> None:
    from generator import engine

    monkeypatch.setattr(engine, "SETTLED_NS", 0)
    root = _bank(tmp_path)
    assert pipeline.check_project(root, items=False).report.ok
    seed = sorted((root / "seeds").glob("*.txt"))[0]
    seed.write_bytes(seed.read_bytes().replace(b"a", b"e", 1))  # the same size
    codes = {d.code for d in pipeline.check_project(root, items=False).report}
    assert "seed-modified" in codes


def test_only_a_settled_file_has_its_hash_kept(tmp_path, monkeypatch) -> None:
    """A file hashed within ``SETTLED_NS`` of its last change is hashed again next time: a
    second change within the same tick of the file system's clock would leave its stat as it
    was (git's racy-clean rule)."""
    from generator import engine

    root = _bank(tmp_path)  # every file changed (copied) just now
    assert pipeline.check_project(root, items=False).report.ok
    read = _reads(monkeypatch)
    assert pipeline.check_project(root, items=False).report.ok
    assert len([n for n in read if n.endswith(".txt")]) == len(list((root / "seeds").glob("*.txt")))
    monkeypatch.setattr(engine, "SETTLED_NS", 0)
    assert pipeline.check_project(root, items=False).report.ok  # now kept
    read.clear()
    assert pipeline.check_project(root, items=False).report.ok
    assert read == []


def test_kept_self_test_items_are_used_only_at_their_deck_s_place(make_project, tmp_path, monkeypatch) -> None:
    """A deck's items on the self-test page carry the deck's place among the decks: when a deck file
    comes before them, every deck after it has its items made again, and the page is the one a build
    with nothing kept writes."""
    from generator.export import render_exports, selftest

    from .conftest import STARTER

    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    root = make_project({"starter.yaml": STARTER.read_text(), "actors.yaml": (REPO / "decks" / "actors.yaml").read_text()})
    made: list[int] = []
    real = selftest._deck_items
    monkeypatch.setattr(selftest, "_deck_items", lambda deck, n, *rest: made.append(n) or real(deck, n, *rest))
    page = Path("dist") / "selftest" / "index.html"

    def built() -> bytes:
        made.clear()
        assert build(root, worksheets=False, exports={"html"}).report.ok
        return (root / page).read_bytes()

    built()
    assert built() and made == []
    (root / "decks" / "aaa.yaml").write_text(STARTER.read_text().replace("id: ", "id: aaa-"))
    warm = built()
    assert made == [0, 1, 2]  # the new deck's, and the two after it (kept at 0 and 1)
    checked = pipeline.check_project(root)
    files, _ = render_exports(checked.project, checked.corpus, Path("dist"), {"html"})
    assert warm == files[page]
