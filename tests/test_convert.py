"""The loader's fast path (generator/convert.py, ``record_from_events``) gives exactly what the
plain path (``load.typed_tree``: the node tree, typed) gives, positions and all, whenever it
gives anything; it gives up on every file the plain path reports a problem in; and it is the
path every shipped file takes."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import yamltree
from generator.convert import record_from_events
from generator.load import parse_model, typed_tree
from generator.model import Catalog, Deck, ProjectConfig

from .conftest import CASES, REPO


def _class(path: Path) -> type:
    return {"sources.yaml": Catalog, "studydeck.yaml": ProjectConfig}.get(path.name, Deck)


def _all(value: Any) -> Any:
    """Every field of a model value, positions too (the model's ``==`` leaves them out), and the
    order of each position's fields (the cache's JSON keeps it)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value).__name__, [(f.name, _all(getattr(value, f.name))) for f in dataclasses.fields(value)]
    if isinstance(value, tuple):
        return [_all(v) for v in value]
    if isinstance(value, dict):
        return [(k, _all(v)) for k, v in value.items()]
    return value


def _both(data: bytes, cls: type) -> tuple[Any, Any, list[Any]] | None:
    """The fast path's value and the plain path's value and problems; None when the file has no
    event stream (neither path runs)."""
    text, events, _ = yamltree.read(data, "f.yaml")
    if not events:
        return None
    fast = record_from_events(events, "f.yaml", cls)
    slow, problems = typed_tree(events, text, "f.yaml", cls, "deck")
    return fast, slow, problems


def _agree(data: bytes, cls: type) -> bool:
    """The two paths agree on ``data``; True when the fast path gave a value."""
    both = _both(data, cls)
    if both is None:
        return False
    fast, slow, problems = both
    if fast is None:
        return False
    assert problems == [] and slow is not None, "the fast path gave a value where the plain path reports"
    assert _all(fast) == _all(slow)
    return True


SHIPPED = sorted([*REPO.glob("decks/*.yaml"), REPO / "seeds" / "sources.yaml", REPO / "studydeck.yaml",
                  *(CASES / "valid").glob("*.yaml")])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_file_takes_the_fast_path(path: Path) -> None:
    assert _agree(path.read_bytes(), _class(path))


@pytest.mark.parametrize("path", sorted((CASES / "invalid").glob("*.yaml")), ids=lambda p: p.stem)
def test_an_invalid_case_gives_the_same_or_nothing(path: Path) -> None:
    _agree(path.read_bytes(), Deck)


ITEM = """deck: D
items:
  - id: first-item
    type: basic
    question: Who led the operation?
    answer: The army
    source: {doc: wikipedia-siege, excerpt: "the army led it"}
    tags: [one, two]
"""


def _with(line: str) -> str:
    """The item above with ``line`` in place of the line of the same key, or added."""
    key = line.split(":")[0] + ":"
    lines = ITEM.splitlines()
    at = next((n for n, old in enumerate(lines) if old.startswith(key) and key.startswith("    ")), None)
    if at is None:
        return ITEM + line + "\n"
    lines[at] = line
    return "\n".join(lines) + "\n"


# Lines that make the plain path report something (or that the fast path leaves to it): each,
# put into the item above, must send the file to the plain path.
TRICKY = [
    "    id: first-item\n    id: again",  # a duplicate key
    "    Id: other",  # an unknown field
    "    question: 'Who?'\n    question: Who?",  # a duplicate quoted key
    "    note: &a anchored",  # an anchor
    "    note: &a",  # ... on an empty value
    "    &k note: x",  # ... on a key
    "    !!str note: x",  # a tag on a key
    "    note: !!str tagged",  # a tag
    "    note: !!null",  # ... on an empty value
    "    note: ! tagged",  # the non-specific tag (the plain path accepts it; the fast one leaves it)
    "    <<: {note: merged}",  # a merge key
    '    note: "bell \\x07"',  # a control character made by an escape
    '    note: "soft \\u00ad hyphen"',  # an invisible one
    "    note: " + "x" * (yamltree.MAX_SCALAR_CHARS + 1),  # too long
    "    highlight: " + "[" * 30 + "x" + "]" * 30,  # too deep
    "    answer:",  # a required field empty
    "    answer: ''",  # ... quoted
    "    accept:\n      -\n      - x",  # an empty item of a list
    "    accept: ['', x]",  # ... quoted
    "    reverse: yes",  # not a boolean
    "    reverse: 'true'",  # a quoted boolean is text
    "    tags: [Bad Tag]",  # a pattern
    "    tags: x",  # a list expected
    "    tags: {a: b}",  # ... not a mapping
    "    source: x",  # a mapping expected
    "    source: [x]",  # ... not a list
    "    source: {doc: wikipedia-siege}",  # a field missing from a nested record
    "    highlight: [[x]]",  # text expected
    "    answer: [x]",  # ... not a list
    "    {a: 1}: x",  # a key that is not text
    "    y: 1\n    Y: 2",  # unknown, and duplicates as booleans
    "    type: basik",  # an unknown type
    "    type: mcq",  # a type whose fields are missing
    "---\ndeck: E\nitems: []",  # a second document
]


@pytest.mark.parametrize("line", TRICKY)
def test_a_reported_problem_sends_the_file_to_the_plain_path(line: str) -> None:
    both = _both(_with(line).encode(), Deck)
    assert both is not None
    fast, _, problems = both
    assert fast is None
    assert problems or line.startswith(("    note: ! ", '    note: "soft'))  # (these two only the fast path leaves)


def test_the_item_above_takes_the_fast_path() -> None:
    """(So that each case above changes only its line.)"""
    for text in (ITEM, _with("    note:"), _with("    highlight: []"), _with("    reverse: true"),
                 _with("    reverse_question: Who?"), _with('    "note": quoted key'), _with("    tags:")):
        assert _agree(text.encode(), Deck), text


_LINES = st.one_of(st.sampled_from(TRICKY), st.sampled_from(ITEM.splitlines()), st.text(max_size=30))
_EDITS = st.lists(st.tuples(st.sampled_from(["replace", "insert", "delete", "indent", "dedent"]),
                            st.integers(0, 10_000), _LINES), min_size=1, max_size=4)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(_EDITS)
def test_any_edit_gives_the_same_or_nothing(edits) -> None:
    """Whatever the edit, the fast path gives what the plain path gives, or gives up; and
    ``parse_model`` gives what the plain path gives."""
    lines = (REPO / "decks" / "figures.yaml").read_text().split("\n")
    for kind, at, text in edits:
        n = at % len(lines)
        if kind == "replace":
            lines[n] = text
        elif kind == "insert":
            lines.insert(n, text)
        elif kind == "delete" and len(lines) > 1:
            del lines[n]
        elif kind == "indent":
            lines[n] = "  " + lines[n]
        elif kind == "dedent" and lines[n].startswith("  "):
            lines[n] = lines[n][2:]
    data = "\n".join(lines).encode()
    _agree(data, Deck)
    both = _both(data, Deck)
    if both is not None:
        value, problems = parse_model(data, "f.yaml", Deck, "deck")
        _, slow, slow_problems = both
        assert _all(value) == _all(slow)
        assert problems == yamltree.decode(data, "f.yaml")[1] + slow_problems
