"""Which characters the worksheets can print: those some worksheet font draws. Typst falls back
to any font it has for a character the chosen one lacks, and draws a box when none has it,
silently; ``coverage.txt`` (beside the fonts, made by ``fonts/make_coverage.py``) lists what the
fonts typst bundles and the ones in ``fonts/`` (Noto Naskh Arabic, for Arabic script with Urdu)
draw, so that ``check`` can say so first."""

from __future__ import annotations

import bisect
import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def fonts_folder() -> Traversable:
    """The folder of the fonts shipped with studydeck (typst's own are in its binary)."""
    from importlib import resources  # (imported to render: a check reads coverage.txt beside this module)

    return resources.files(__package__).joinpath("fonts")


@functools.cache
def _ranges() -> tuple[list[int], list[int]]:
    """(starts, ends) of the ranges of code points some worksheet font draws, sorted."""
    starts, ends = [], []
    for line in (Path(__file__).parent / "fonts" / "coverage.txt").read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            first, _, last = line.partition("-")
            starts.append(int(first, 16))
            ends.append(int(last or first, 16))
    return starts, ends


COMMON_BELOW = 0x3000  # the characters below this code point (all scripts but East Asian ones) are known up front


@functools.cache
def _common_drawn() -> frozenset[str]:
    """The characters below :data:`COMMON_BELOW` that a worksheet font draws, and every white space
    below it: a text made only of them has nothing to report, seen in one pass in C. (Made from
    the ranges, not by asking :func:`_missing` of each character: every check needs it.)"""
    drawn = set(filter(str.isspace, map(chr, range(COMMON_BELOW))))
    for first, last in zip(*_ranges(), strict=True):
        drawn.update(map(chr, range(first, min(last + 1, COMMON_BELOW))))
    return frozenset(drawn)


def _missing(ch: str) -> bool:
    """No worksheet font draws ``ch``."""
    starts, ends = _ranges()
    at = bisect.bisect_right(starts, ord(ch)) - 1
    return not (at >= 0 and ord(ch) <= ends[at])


def undrawn(text: str) -> list[str]:
    """The distinct characters of ``text`` (spaces aside) that no worksheet font draws, in order."""
    if _common_drawn().issuperset(text):
        return []
    return [ch for ch in dict.fromkeys(text) if _missing(ch) and not ch.isspace()]
