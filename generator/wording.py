"""Words the tool prints: one rule for the plural, one for cutting a long text short."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``; ``many`` where the plural is not ``word + "s"``."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def clip(text: str, limit: int) -> str:
    """``text``, or when longer than ``limit`` characters, cut at a word before it with "..."."""
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."
