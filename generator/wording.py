"""Counts in words, for every summary line the tool prints: one rule for the plural."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``; ``many`` where the plural is not ``word + "s"``."""
    return f"{n} {word if n == 1 else many or word + 's'}"
