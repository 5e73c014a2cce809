"""The self-test page's data block read back without a browser (issue 20, "tests that cannot
fail"): an HTML parser finds where the block ends, as a browser would, and the JSON in it must
give back every item text exactly, upper-case ``</SCRIPT>`` and ``<!--<script>`` included."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from generator.export import render_exports

from .exporttools import checked_project

HOSTILE = ["</SCRIPT><b>bold</b> <!--<script>", "</script >x", "</sCrIpT\t>y", "<!-- -->", "a & b <br>", "]]>"]


class _Blocks(HTMLParser):
    """The text of each <script> element, as an HTML parser ends it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            self.blocks.append((self._open, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            attrs, text = self.blocks[-1]
            self.blocks[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("payload", HOSTILE)
def test_the_data_block_gives_back_every_text(tmp_path: Path, payload: str) -> None:
    deck = ("deck: D\nitems:\n  - id: hostile\n    type: basic\n"
            f"    question: {json.dumps('Who founded the Lal Masjid? ' + payload)}\n"
            f"    answer: {json.dumps('Maulana Qari Abdullah ' + payload)}\n"
            "    source: {doc: wikipedia-siege, excerpt: The Lal Masjid was founded by Maulana Qari Abdullah in"
            " 1965.}\n")
    checked = checked_project(tmp_path / "p", {"d.yaml": deck})
    files, _ = render_exports(checked.project, checked.corpus, tmp_path / "dist", {"html"})
    page = files[tmp_path / "dist" / "selftest" / "index.html"].decode("utf-8")
    parser = _Blocks()
    parser.feed(page)
    parser.close()
    blocks = [text for attrs, text in parser.blocks if attrs.get("id") == "data"]
    assert len(blocks) == 1 and len(parser.blocks) == 2  # the data block and the page's own script, nothing more
    assert "<" not in blocks[0]  # no end tag, in any case, and no comment can start inside it
    texts = _strings(json.loads(blocks[0]))
    assert "Who founded the Lal Masjid? " + payload in texts
    assert "Maulana Qari Abdullah " + payload in texts


def test_utf16_offsets_are_the_length_of_the_utf16_prefix() -> None:
    """The page gives excerpt offsets in UTF-16 units, as JavaScript counts: ``utf16`` (one more unit
    for each character past U+FFFF before the offset, found once per text) equals the length of the
    text up to the offset encoded in UTF-16, at every offset of texts with none, one, some or only such
    characters, at either end and side by side."""
    import random

    from generator.export.selftest import astral, utf16

    rng = random.Random(20)
    alphabet = ["a", " ", "\u00e9", "\u2019", "\uffff", "\U00010000", "\U0001f600", "\U0010ffff"]
    texts = ["", "plain", "\U0001f600", "\U0001f600\U0001f600x", "x\U0010ffff", "\U00010000" * 5]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(40))) for _ in range(300)]
    for text in texts:
        where = astral(text)
        assert [utf16(where, i) for i in range(len(text) + 1)] == [
            len(text[:i].encode("utf-16-le")) // 2 for i in range(len(text) + 1)], text
