"""Counts in the singular when there is one: every summary line goes through wording.plural."""

from __future__ import annotations

from generator.wording import plural


def test_plural() -> None:
    assert [plural(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert plural(1, "passage") == "1 passage" and plural(3, "entry", "entries") == "3 entries"
