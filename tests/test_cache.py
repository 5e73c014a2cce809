"""The per-file check cache: faster, never staler, never inside the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import cache

from .conftest import CASES


def test_edit_after_a_cached_check_is_seen(make_project, run) -> None:
    root = make_project()
    assert run(["check"], cwd=root)[0] == 0
    assert run(["check"], cwd=root)[0] == 0  # served from the cache
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text().replace("answer: 3 to 11 July 2007", "answer: 3 to 12 July 2007"))
    code, _, err = run(["check"], cwd=root)
    assert code == 1 and "error[answer-not-in-excerpt]" in err


def test_corpus_change_invalidates(make_project, run) -> None:
    deck = ("deck: D\nitems:\n- {id: a, type: basic, question: q, answer: a,"
            " source: {doc: wikipedia-mosque, excerpt: It was built in 1965}}\n")
    root = make_project({"d.yaml": deck})
    assert run(["check"], cwd=root)[0] == 0  # the deck's result is now cached
    catalog = root / "seeds" / "sources.yaml"
    catalog.write_text(catalog.read_text().replace(
        "    uncitable:\n      - start: References External links",
        "    uncitable:\n      - start: History The Red Mosque\n        end: References External links\n"
        "        reason: a test region\n      - start: References External links", 1))
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert "error[uncitable-excerpt]: excerpt lies in a test region" in err, err


def test_corrupt_entries_are_misses(make_project, run) -> None:
    root = make_project()
    assert run(["check"], cwd=root)[0] == 0
    folder = cache.cache_dir()
    assert folder is not None
    for entry in folder.glob("*.json"):
        entry.write_bytes(b"{not json")
    code, _, err = run(["check"], cwd=root)
    assert code == 0, err


def test_cache_lives_outside_the_project(make_project, run, monkeypatch, tmp_path) -> None:
    root = make_project()
    monkeypatch.delenv("STUDYDECK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    before = sorted(p for p in root.rglob("*"))
    assert run(["check"], cwd=root)[0] == 0
    assert sorted(p for p in root.rglob("*")) == before
    assert list((tmp_path / "xdg" / "studydeck").glob("*.json"))


def test_cache_can_be_turned_off(make_project, run, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STUDYDECK_NO_CACHE", "1")
    assert cache.cache_dir() is None
    root = make_project({"case.yaml": (CASES / "invalid" / "correction.yaml").read_bytes()})
    assert run(["check"], cwd=root)[0] == 1
    assert run(["check"], cwd=root)[0] == 1


def test_edited_file_reuses_unchanged_items_results(make_project, run) -> None:
    warned = (CASES / "invalid" / "answer-in-question.yaml").read_text()
    other = warned.split("items:\n", 1)[1].replace("id: case-item", "id: other-item").replace(
        "Was the complex besieged from 3 to 11 July 2007, and if so from when to when?",
        "Between which dates was the complex besieged?").replace(
        "answer: 3 to 11 July 2007", "answer: From 3 to 11 July 2007")  # not a near-duplicate of the first
    root = make_project({"d.yaml": warned + other})
    code, _, err = run(["check"], cwd=root)
    assert (code, err.splitlines()[-1]) == (0, "0 errors, 1 warning in 3 files.")
    deck = root / "decks" / "d.yaml"
    text = deck.read_text()
    deck.write_text(text[: text.index("id: other-item")] + text[text.index("id: other-item"):].replace(
        "answer: From 3 to 11 July 2007", "answer: From 3 to 12 July 2007"))
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert "warning[answer-in-question]" in err and "error[answer-not-in-excerpt]" in err
    assert err.splitlines()[-1] == "1 error, 1 warning in 3 files; nothing written."


@pytest.mark.parametrize(("home", "expected"), [("", None), ("relative/home", None), ("/home/ada", "/home/ada")])
def test_without_a_home_there_is_no_cache(monkeypatch, home: str, expected: str | None) -> None:
    """HOME set empty made the cache /.cache/studydeck (the root folder's); with no usable home
    and no cache variable, the cache is off."""
    for name in ("STUDYDECK_CACHE_DIR", "XDG_CACHE_HOME", "STUDYDECK_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", home)
    folder = cache.cache_dir()
    assert folder == (Path(expected) / ".cache" / "studydeck" if expected else None)


def test_records_read_back_without_init_equal_the_ones_init_builds() -> None:
    """``plain.from_plain`` builds records without the frozen ``__init__``: every record of every
    shipped deck, the catalog and the project file comes back equal to the original, hashed alike,
    with its fields in order, and equal to what ``cls(**fields)`` builds from the same values."""
    import dataclasses

    from generator.load import parse_model
    from generator.diagnostics import Span
    from generator.model import Catalog, Deck, Pos, ProjectConfig
    from generator.plain import from_plain, to_plain

    from .conftest import REPO

    def pairs(a: object, b: object):
        if dataclasses.is_dataclass(a) and not isinstance(a, type):
            yield a, b
            for f in dataclasses.fields(a):
                yield from pairs(getattr(a, f.name), getattr(b, f.name))
        elif isinstance(a, tuple):
            for x, y in zip(a, b, strict=True):
                yield from pairs(x, y)

    files = [(p, Deck, "deck") for p in sorted((REPO / "decks").glob("*.yaml"))]
    files += [(REPO / "seeds" / "sources.yaml", Catalog, "catalog"), (REPO / "studydeck.yaml", ProjectConfig, "project")]
    kinds = set()
    for path, cls, name in files:
        model, _ = parse_model(path.read_bytes(), str(path), cls, name)
        back = from_plain(cls, to_plain(model), str(path))
        assert back == model and hash(back) == hash(model)
        for original, record in pairs(model, back):
            names = [f.name for f in dataclasses.fields(record)]
            assert type(record) is type(original) and list(vars(record)) == names
            assert record == type(record)(**{n: getattr(record, n) for n in names})
            assert record == original or isinstance(record, (Pos, Span))  # (a default's place becomes the file's)
            kinds.add(type(record).__name__)
    assert {"Deck", "Catalog", "ProjectConfig", "SourceDoc", "SourceRef", "Cloze", "Claims"} <= kinds and len(kinds) >= 12


def test_an_area_has_its_own_cap_and_is_private(tmp_path, monkeypatch) -> None:
    """Rendered worksheets live in an area of the cache (``Cache(root, "pdf", keep)``): pruning it
    leaves the check's entries alone and the other way round; both folders are made private."""
    import os
    import stat as st

    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "proj"
    project.mkdir()
    area = cache.Cache(project, "pdf", keep=3)
    for n in range(5):
        area.put(f"w{n}", str(n))
    main = cache.Cache(project)
    main.put("s0", "kept")
    area.prune()
    main.prune(keep=1)
    assert len(list((tmp_path / "cache" / "pdf").glob("*.json"))) == 3 and main.get("s0") == "kept"
    for folder in (tmp_path / "cache", tmp_path / "cache" / "pdf"):
        assert st.S_IMODE(os.stat(folder).st_mode) == 0o700
    os.chmod(tmp_path / "cache", 0o777)  # the cache's own folder opened to others: no area is used either
    assert cache.Cache(project, "pdf").get("w4") is None


@pytest.mark.parametrize("value", [{}, {"from": "x", "rest": [1, {"a": "line\nbreak"}]}])
@pytest.mark.parametrize("blob", [b"", b"\n", bytes(range(256)) * 3 + "\u00e9<\\\"\n".encode()])
def test_an_entry_with_bytes_is_a_json_line_then_the_bytes(tmp_path, monkeypatch, value, blob) -> None:
    """``Cache.put(key, value, blob)`` writes the value, with the blob's length, as one line of JSON,
    then the blob's bytes as they are; ``get_blob`` gives both back, and an entry whose bytes are
    cut short or run on, or that is JSON alone, is a miss."""
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "proj"
    project.mkdir()
    kept = cache.Cache(project, "exports")
    kept.put("x1", value, blob)
    assert kept.get_blob("x1") == ({**value, "blob": len(blob)}, blob)
    entry = kept.folder / "x1.json"
    head, rest = entry.read_bytes().split(b"\n", 1)
    assert json.loads(head) == {**value, "blob": len(blob)} and rest == blob
    for other in ([head + b"\n" + blob[:-1]] if blob else []) + [head + b"\n" + blob + b"x", head]:
        entry.write_bytes(other)
        assert kept.get_blob("x1") is None, other
    kept.put("x2", value)  # (no blob: JSON, as every other entry)
    assert kept.get("x2") == value and kept.get_blob("x2") is None
