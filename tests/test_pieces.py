"""Deck files cut into their items (generator/pieces.py): parsed piece by piece, a file gives
exactly what a whole parse gives, and an edit re-parses only the items it touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import pieces, yamltree
from generator.deckfile import _by_pieces, _whole, parse_deck_file
from generator.engine import Engine
from generator.engine import corpus_key as _corpus_key
from generator.load import load_settings
from generator.pieces import split_items
from generator.plain import deck_from_cache, to_plain
from generator.records import item_records
from generator.sources import load_corpus

from .conftest import CASES, REPO, cache_folder

FILES = sorted([*REPO.glob("decks/*.yaml"), *CASES.rglob("*.yaml")])


def _cut(path: Path) -> bool:
    """The file is parsed piece by piece: it is cut into items, and its head and every piece
    parse (a YAML problem in one sends the whole file to the whole parse)."""
    text, _ = yamltree.decode(path.read_bytes(), "f.yaml")
    split = split_items(text) if text is not None else None
    return (split is not None and pieces.parse_head(split, "f.yaml") is not None
            and all(pieces.parse_piece(piece, split.indent, "f.yaml") is not None for piece in split.pieces))


CUT = [p for p in FILES if _cut(p)]  # only these can be compared (the others are parsed whole only)


@pytest.fixture(scope="module")
def corpus():
    _, catalog, _ = load_settings(REPO)
    assert catalog is not None
    return load_corpus(REPO, catalog)[0]


def _plain(done):
    if not isinstance(done, tuple):
        done = (done.diags, done.ids, done.dups, done.deck_plain)
    diags, ids, dups, deck = done
    loaded = to_plain(deck_from_cache(deck, "f.yaml")) if deck is not None else None  # items may be JSON text
    return sorted(diags, key=lambda d: (d.span, d.code, d.message)), ids, dups, loaded


@pytest.mark.parametrize("path", CUT, ids=lambda p: str(p.relative_to(REPO)))
def test_piece_by_piece_equals_whole(path: Path, corpus) -> None:
    data = path.read_bytes()
    text, decode_diags = yamltree.decode(data, "f.yaml")
    split = split_items(text) if text is not None else None
    assert split is not None
    by_pieces = _by_pieces(split, "f.yaml", decode_diags, corpus, {})
    assert by_pieces is not None
    whole = _whole(data, split, "f.yaml", corpus, {})
    assert _plain(by_pieces) == _plain(whole)
    assert [text for text, _, _ in by_pieces.entries] == [text for text, _, _ in whole.entries]  # the notes' keys


def test_most_files_are_cut() -> None:
    """The equality above is not vacuous: every shipped deck, and most case files, are cut."""
    assert all(p in CUT for p in REPO.glob("decks/*.yaml"))
    assert len(CUT) > 0.6 * len(FILES)


@pytest.mark.parametrize("text", [
    "deck: D\nitems: []\n",  # a flow list
    "deck: D\nitems:\n  - id: a\nafter: 1\n",  # a key after the list
    "deck: D\nitems:\n  - id: a\n---\ndeck: E\n",  # a second document
    "deck: D\nitems:\n  - id: a\n - id: b\n",  # misindented
    "deck: D\nitems:\n\t- id: a\n",  # a tab
    "items:\n  - id: a\nitems:\n  - id: b\n",  # the key twice
    "deck: D\n",  # no list
])
def test_files_shaped_otherwise_are_not_cut(text: str) -> None:
    assert split_items(text) is None


def test_pieces_keep_their_lines_columns_and_comments() -> None:
    text = "deck: D\n# about\nitems:\n  # first\n  - id: a\n    type: basic\n\n  - id: b  # two\n    tags: [x]\n"
    split = split_items(text)
    assert split is not None and split.indent == 2
    assert [(p.index, p.line, p.text) for p in split.pieces] == [
        (0, 5, "  - id: a\n    type: basic\n\n"), (1, 8, "  - id: b  # two\n    tags: [x]\n")]


def test_an_edit_reparses_only_the_edited_item(tmp_path, corpus, monkeypatch) -> None:
    monkeypatch.setenv("STUDYDECK_CACHE_DIR", str(tmp_path / "cache"))
    source = (REPO / "decks" / "chronology.yaml").read_text()
    path = tmp_path / "chronology.yaml"
    path.write_text(source)
    _, catalog, _ = load_settings(REPO)
    key = _corpus_key(catalog, corpus)
    engine = Engine(tmp_path / "project")
    engine.parse_file(path, "c.yaml", path.read_bytes(), corpus, key, "k1")  # the whole file, cached by item
    start = source.index("answer: ", len(source) // 2)
    edited = source[:start] + "answer: Nineteen hundred" + source[source.index("\n", start):]
    path.write_text(edited)
    parsed: list[int] = []
    real = pieces.parse_piece
    monkeypatch.setattr("generator.deckfile.parse_piece", lambda p, *a: parsed.append(p.index) or real(p, *a))
    result, done = engine.parse_file(path, "c.yaml", edited.encode(), corpus, key, "k2")
    deck = done.deck_plain
    assert len(parsed) == 1  # only the edited item was parsed again
    text, _decode_diags = yamltree.decode(edited.encode(), "c.yaml")
    whole = _whole(edited.encode(), split_items(text), "c.yaml", corpus, {})
    assert _plain((result.diags, result.ids, result.dups, deck)) == _plain(whole)
    assert [d.code for d in result.diags if d.severity == "error"], "the edit's problem is found"


def test_items_moved_down_by_an_edit_keep_their_results_at_their_new_lines(tmp_path, corpus, monkeypatch) -> None:
    source = (REPO / "decks" / "figures.yaml").read_text()
    path = tmp_path / "figures.yaml"
    _, catalog, _ = load_settings(REPO)
    key = _corpus_key(catalog, corpus)
    engine = Engine(tmp_path / "project")
    engine.parse_file(path, "f.yaml", source.encode(), corpus, key, "k1")
    first = source.index("\n", source.index("  - id: ")) + 1
    edited = source[:first] + "    # a line added to the first item: every other item moves down\n" + source[first:]
    parsed: list[int] = []
    real = pieces.parse_piece
    monkeypatch.setattr("generator.deckfile.parse_piece", lambda p, *a: parsed.append(p.index) or real(p, *a))
    result, done = engine.parse_file(path, "f.yaml", edited.encode(), corpus, key, "k2")
    deck = done.deck_plain
    assert parsed == [0]
    text, _ = yamltree.decode(edited.encode(), "f.yaml")
    whole = _whole(edited.encode(), split_items(text), "f.yaml", corpus, {})
    assert _plain((result.diags, result.ids, result.dups, deck)) == _plain(whole)
    assert result.ids[1][1].line == source.count("\n", 0, source.index("  - id: ", first)) + 2


_EDITS = st.lists(st.tuples(
    st.sampled_from(["replace-line", "delete-line", "insert-line", "indent", "dedent", "char", "word", "word"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["  - id: new-item", "    answer: 1965", "items:", "    tags: [a, b", "# a comment", "",
                     "    question: 'What: now?'", "  -", "deck: Other", "    note: |", "      text", "\t- x",
                     "    answer: Nineteen hundred", "    source: {doc: wikipedia-mosque, excerpt: It was built}"]),
), min_size=1, max_size=3)


@pytest.fixture(scope="module")
def figures_records(corpus, tmp_path_factory):
    """figures.yaml parsed once through the engine, and its item records as the cache gives them
    back (JSON and all): the state every edit below starts from."""
    folder = tmp_path_factory.mktemp("figures")
    _, catalog, _ = load_settings(REPO)
    engine = Engine(folder / "project")
    key = _corpus_key(catalog, corpus)
    with pytest.MonkeyPatch.context() as patch:  # (module fixtures come before the autouse cache fixture)
        patch.setenv("STUDYDECK_CACHE_DIR", str(cache_folder(tmp_path_factory)))
        source = (REPO / "decks" / "figures.yaml").read_text()
        _, done = engine.parse_file(folder / "figures.yaml", "f.yaml", source.encode(), corpus, key, "k1")
        records = item_records(json.loads(json.dumps(done.now)))
    assert records == done.now
    return source, records


@settings(max_examples=300, derandomize=True, deadline=None)
@given(_EDITS)
def test_any_edit_gives_what_a_whole_parse_gives(corpus, figures_records, edits) -> None:
    """Whatever the edit (broken YAML, moved keys, misindented lines), the piece-by-piece result
    of the edited file, from its items' records before the edit, equals a fresh whole parse of it."""
    source, before = figures_records
    lines = source.split("\n")
    for kind, at, text in edits:
        n = at % len(lines)
        if kind == "replace-line":
            lines[n] = text
        elif kind == "delete-line" and len(lines) > 1:
            del lines[n]
        elif kind == "insert-line":
            lines.insert(n, text)
        elif kind == "indent":
            lines[n] = "  " + lines[n]
        elif kind == "dedent":
            lines[n] = lines[n][2:] if lines[n].startswith("  ") else lines[n]
        elif kind == "word" and " " in lines[n].strip():
            lines[n] = lines[n].rstrip().rsplit(" ", 1)[0] + " changed"
        elif kind == "char" and lines[n]:
            lines[n] = lines[n][: at % len(lines[n])] + "x" + lines[n][at % len(lines[n]) + 1 :]
    edited = "\n".join(lines).encode()
    done = parse_deck_file(edited, "f.yaml", corpus, dict(before))  # what Engine.parse_file does with the cache
    text, _ = yamltree.decode(edited, "f.yaml")
    whole = _whole(edited, split_items(text) if text is not None else None, "f.yaml", corpus, {})
    assert _plain(done) == _plain(whole)


def test_a_file_parsed_whole_is_decoded_once(tmp_path, corpus, monkeypatch) -> None:
    """A cold parse decodes and scans the file's text once (the cut into pieces and the whole
    parse share it), and gives what a parse that decodes again gives."""
    path = REPO / "decks" / "figures.yaml"
    _, catalog, _ = load_settings(REPO)
    decoded: list[str] = []
    real = yamltree.decode
    monkeypatch.setattr(yamltree, "decode", lambda data, shown: decoded.append(shown) or real(data, shown))
    result, done = Engine(tmp_path / "project").parse_file(path, "f.yaml", path.read_bytes(), corpus,
                                                           _corpus_key(catalog, corpus), "k1")
    assert decoded == ["f.yaml"]
    monkeypatch.setattr(yamltree, "decode", real)
    assert _plain((result.diags, result.ids, result.dups, done.deck_plain)) == _plain(
        _whole(path.read_bytes(), None, "f.yaml", corpus, {}))
