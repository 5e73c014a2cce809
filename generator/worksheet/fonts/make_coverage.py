"""Writes ``coverage.txt``: the characters some worksheet font draws (a development tool, run when
the typst package or the fonts here change; it needs fontTools, which studydeck does not).

    python generator/worksheet/fonts/make_coverage.py .venv/lib/python3.11/site-packages/typst/_typst.abi3.so

The fonts typst bundles (Libertinus Serif, New Computer Modern, DejaVu Sans Mono) live inside its
binary, uncompressed: each is found by its sfnt header and read from there. Typst falls back to
any font it has for a character the chosen one lacks, so a character is drawn (not a box) when
any of these fonts, or one in this folder, maps it.
"""

from __future__ import annotations

import io
import struct
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent


def _embedded(binary: bytes) -> dict[str, set[int]]:
    """The character maps of the fonts inside ``binary``, by font name."""
    found: dict[str, set[int]] = {}
    for magic in (b"\x00\x01\x00\x00", b"OTTO"):
        at = binary.find(magic)
        while at >= 0:
            tables = struct.unpack(">H", binary[at + 4 : at + 6])[0]
            if 4 <= tables <= 40:
                end = max(o + n for _, _, o, n in (struct.unpack(">4sIII", binary[at + 12 + 16 * t : at + 28 + 16 * t])
                                                   for t in range(tables)))
                try:
                    font = TTFont(io.BytesIO(binary[at : at + end]))
                    found.setdefault(font["name"].getDebugName(4), set(font.getBestCmap() or ()))
                except Exception:
                    pass
            at = binary.find(magic, at + 4)
    return found


def main(typst_binary: str) -> None:
    binary = Path(typst_binary)
    fonts = _embedded(binary.read_bytes())
    wheel = next(binary.parent.parent.glob("typst-*.dist-info")).name.removesuffix(".dist-info")
    fonts |= {path.name: set(TTFont(path).getBestCmap()) for path in sorted(HERE.glob("*.ttf"))}
    codes = sorted(set().union(*fonts.values()))
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    lines = [f"# characters a worksheet font draws; made by make_coverage.py from {wheel}: {', '.join(sorted(fonts))}"]
    lines += [f"{a:04X}-{b:04X}" if a != b else f"{a:04X}" for a, b in ranges]
    (HERE / "coverage.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
