"""Which characters the worksheets can print: those some worksheet font draws. Typst falls back
to any font it has for a character the chosen one lacks, and draws a box when none has it,
silently; ``coverage.txt`` (beside the fonts, made by ``fonts/make_coverage.py``) lists what the
fonts typst bundles and the ones in ``fonts/`` (Noto Naskh Arabic, for Arabic script with Urdu)
draw, so that ``check`` can say so first."""

from __future__ import annotations

import bisect
import functools
from importlib import resources


def fonts_folder() -> resources.abc.Traversable:
    """The folder of the fonts shipped with studydeck (typst's own are in its binary)."""
    return resources.files(__package__).joinpath("fonts")


@functools.cache
def _ranges() -> tuple[list[int], list[int]]:
    """(starts, ends) of the ranges of code points some worksheet font draws, sorted."""
    starts, ends = [], []
    for line in fonts_folder().joinpath("coverage.txt").read_text(encoding="ascii").splitlines():
        if line and not line.startswith("#"):
            first, _, last = line.partition("-")
            starts.append(int(first, 16))
            ends.append(int(last or first, 16))
    return starts, ends


def undrawn(text: str) -> list[str]:
    """The distinct characters of ``text`` (spaces aside) that no worksheet font draws, in order."""
    starts, ends = _ranges()
    missing = []
    for ch in dict.fromkeys(text):
        at = bisect.bisect_right(starts, ord(ch)) - 1
        if not (at >= 0 and ord(ch) <= ends[at]) and not ch.isspace():
            missing.append(ch)
    return missing
