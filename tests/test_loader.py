"""Strict loading: hostile bytes, YAML 1.1 traps and structural refusals, each located."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import yamltree
from generator.load import read_model
from generator.model import Basic, Deck

ITEM = (
    "deck: D\nitems:\n  - id: a\n    type: basic\n    question: {q}\n    answer: x\n"
    "    source: {{doc: wikipedia-siege, excerpt: e}}\n"
)


def _codes(data: bytes) -> list[tuple[str, int, int]]:
    _, diags = yamltree.load(data, "f.yaml")
    return [(d.code, d.span.line, d.span.col) for d in diags]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbfdeck: D\n", [("encoding", 1, 1)]),
        ("deck: D\n".encode("utf-16"), [("encoding", 1, 1)]),
        (b"deck: D\nitems: [\xff]\n", [("encoding", 2, 9)]),
        (b"deck: D\nitems: [a\x00]\n", [("nul-byte", 2, 10)]),
        (b"deck: D\ritems: []\r", [("line-end", 1, 8)]),
        (b"deck: D\n\titems: []\n", [("yaml-syntax", 2, 1)]),
        (b"deck: D\nnote: a\x1fb\n", [("control-character", 2, 8)]),
        (b'deck: "D\\x1f"\n', [("control-character", 1, 7)]),
        ("id: a\u200bb\n".encode(), [("invisible-character", 1, 6)]),
        ('deck: "a\\u200bb"\n'.encode(), [("invisible-character", 1, 7)]),
        (b"", [("empty-file", 1, 1)]),
        (b"# nothing\n", [("empty-file", 1, 1)]),
        (b"---\n...\n", [("empty-file", 2, 1)]),
        (b"a: 1\n---\nb: 2\n", [("multiple-documents", 2, 1)]),
        (b"a: &x 1\nb: *x\n", [("anchor-alias", 1, 4), ("anchor-alias", 2, 4)]),
        (b"a: {b: 1}\nc:\n  <<: {b: 2}\n", [("anchor-alias", 3, 3)]),
        (b"a: !!python/object/apply:os.system [echo]\n", [("yaml-tag", 1, 4)]),
        (b"a: !custom x\n", [("yaml-tag", 1, 4)]),
        (b"a: 1\na: 2\n", [("duplicate-key", 2, 1)]),
        (b"yes: 1\ntrue: 2\n", [("duplicate-key", 2, 1)]),
        (b"On: 1\noff: 2\nON: 3\n", [("duplicate-key", 3, 1)]),
        (b"a: " + b"[" * 40 + b"]" * 40 + b"\n", [("too-deep", 1, 28)]),
        (b"a: " + b"x" * 20_001 + b"\n", [("too-large", 1, 4)]),
        (b"? [a, b]\n: 1\n", [("wrong-type", 1, 3)]),
    ],
    ids=lambda v: v[0][0] if isinstance(v, list) and v else None,
)
def test_hostile_bytes_are_located(data: bytes, expected: list[tuple[str, int, int]]) -> None:
    assert _codes(data) == expected


def test_file_size_cap() -> None:
    data = b"a: " + b"x" * yamltree.MAX_FILE_BYTES
    assert _codes(data) == [("file-too-large", 1, 1)]


def test_alias_bomb_is_refused_fast() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join(f'*a{i - 1}' for _ in range(9))}]" for i in range(1, 10)]
    codes = {c for c, _, _ in _codes("\n".join(lines).encode())}
    assert codes == {"anchor-alias"}


@pytest.mark.parametrize("trap", ["NO", "on", "~", "2007-07-03", "0000-00-00", "1:00", "0123", ".nan", "null", "1e3"])
def test_yaml11_traps_stay_text(tmp_path, trap: str) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(ITEM.format(q=trap))
    deck, diags = read_model(path, Deck, "deck")
    assert diags == []
    item = deck.items[0]
    assert isinstance(item, Basic)
    assert item.question == trap


def test_booleans_are_only_true_and_false(tmp_path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(ITEM.format(q="q") + "    reverse: True\n")
    _, diags = read_model(path, Deck, "deck")
    assert [(d.code, d.message) for d in diags] == [
        ("wrong-type", "deck.items[1] (a).reverse: expected true or false, got 'True'")
    ]


def test_crlf_line_ends_are_accepted_with_right_lines(tmp_path) -> None:
    path = tmp_path / "d.yaml"
    path.write_bytes(ITEM.format(q="q").replace("\n", "\r\n").encode() + b"    bogus: 1\r\n")
    _, diags = read_model(path, Deck, "deck")
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("unknown-field", 8, 5)]


def test_bad_items_do_not_hide_good_ones(tmp_path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(ITEM.format(q="q") + "  - id: B\n    type: basic\n")
    deck, diags = read_model(path, Deck, "deck")
    assert [i.id for i in deck.items] == ["a"]
    assert {d.code for d in diags} == {"bad-value", "missing-field"}


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(max_size=300))
def test_loader_raises_only_diagnostics_on_any_text(text: str) -> None:
    node, diags = yamltree.load(text.encode("utf-8", "surrogatepass"), "f.yaml")
    assert node is not None or diags


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.binary(max_size=200))
def test_loader_raises_only_diagnostics_on_any_bytes(data: bytes) -> None:
    from generator.diagnostics import Problem

    node, diags = yamltree.load(data, "f.yaml")
    assert node is not None or diags  # unusable bytes always say why
    lines = len(data.decode("utf-8", "replace").splitlines()) + 1  # (YAML breaks lines at CR, NEL... too)
    for d in diags:  # each located in the file, with a known code
        assert d.code in Problem.registry and d.span.path == "f.yaml" and 1 <= d.span.line <= lines, d


def test_records_built_without_init_equal_the_ones_init_builds() -> None:
    """``load._record_of`` (the loader's fast path) gives what ``cls(pos=..., **values)`` gives:
    the same fields, in the same order, defaults filled in, equal and hashed alike; for every
    record of every shipped deck, catalog and project file."""
    import dataclasses

    from generator.load import parse_model
    from generator.model import Catalog, ProjectConfig

    from .conftest import REPO

    def records(value: object):
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            yield value
            for f in dataclasses.fields(value):
                yield from records(getattr(value, f.name))
        elif isinstance(value, tuple):
            for v in value:
                yield from records(v)

    files = [(p, Deck, "deck") for p in sorted((REPO / "decks").glob("*.yaml"))]
    files += [(REPO / "seeds" / "sources.yaml", Catalog, "catalog"), (REPO / "studydeck.yaml", ProjectConfig, "project")]
    seen = set()
    for path, cls, name in files:
        model, diags = parse_model(path.read_bytes(), str(path), cls, name)
        assert model is not None and not [d for d in diags if d.severity == "error"]
        for record in records(model):
            if type(record).__module__ != "generator.model" or type(record).__name__ == "Pos":
                continue
            seen.add(type(record).__name__)
            made = type(record)(**{f.name: getattr(record, f.name) for f in dataclasses.fields(record)})
            assert list(vars(made).items()) == list(vars(record).items())
            assert made == record and hash(made) == hash(record)
    assert {"Deck", "SourceRef", "Basic", "Mcq", "Order", "Event", "Match", "Pair", "Claims", "Claim"} <= seen


_TRICKY = "ab \n\r\t\x00\x07\x0b\x1b\x7f\x80\x85\x9f\xa0\xad\xe9\u061c\u200b\u200d\u2028\u2029\u202e\u2014\u3164\U000e0041"


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=40) | st.text(max_size=40))
def test_the_character_check_finds_what_a_look_at_each_character_finds(text: str) -> None:
    """``yamltree.check_characters`` (which skips the control scan when one C pass finds none, and
    finds the characters beyond ASCII by cutting out ASCII runs) reports, in order, the first bare
    carriage return, then every control character, then every invisible one: what looking at each
    character gives."""
    expected = []
    bare = [i for i, ch in enumerate(text) if ch == "\r" and text[i + 1 : i + 2] != "\n"]
    expected += [("line-end", bare[0])] if bare else []
    expected += [("control-character", i) for i, ch in enumerate(text) if yamltree._CONTROL.fullmatch(ch)]
    expected += [("line-end" if ch in "\u2028\u2029" else "invisible-character", i)
                 for i, ch in enumerate(text) if ord(ch) > 0x7F and yamltree.invisible(ch)]
    got = yamltree.check_characters(text, "f.yaml")

    def place(i: int) -> tuple[int, int]:
        span = yamltree._offset_span("f.yaml", text, i)
        return span.line, span.col

    assert [(d.code, d.span.line, d.span.col) for d in got] == [(code, *place(i)) for code, i in expected]
