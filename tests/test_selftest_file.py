"""The self-test page as a file (no browser needed): one file with one inline script whose first
block is the FSRS scheduler; the project id that keys saved progress; typed answers marked by
the shared rule (``typed_answers``: at most four words, with the item's accepted variants), longer
ones self-graded."""

from __future__ import annotations

import re
from pathlib import Path

from generator.export.common import typed_answers, words
from generator.export.selftest import SCRIPTS, TEMPLATES

from .exporttools import checked_project


def test_one_file_one_script_and_typed_answers_by_the_shared_rule(bank_page, tmp_path: Path) -> None:
    path, data = bank_page
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<(?:script|link|img|iframe)[^>]*\b(?:src|href)=", text)  # nothing loaded from elsewhere
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert len(scripts) == 1 and scripts[0].index("// --- fsrs.js ---") < scripts[0].index("// --- page.js ---")
    for name in SCRIPTS:
        assert (TEMPLATES / name).read_text(encoding="utf-8") in scripts[0]
    checked = checked_project(tmp_path / "again")
    assert data["project"] == checked.project.config.id  # type: ignore[union-attr]
    bank = {item.id: item for deck in checked.project.decks for item in deck.items}
    typed = [i for i in data["items"] if i["type"] == "basic" or (i["type"] == "quote" and "choices" not in i)]
    assert any(i.get("self") for i in typed) and any("accept" in i for i in typed)
    for item in typed:
        source = bank[item["id"]]
        accept = typed_answers(item["answer"], getattr(source, "accept", ()))
        assert item.get("accept") == accept and item.get("self", False) is (accept is None)
        assert (words(item["answer"]) > 4) is bool(item.get("self"))
    for item in (i for i in data["items"] if i["type"] == "cloze"):
        blanks = [p for p in item["parts"] if isinstance(p, dict)]
        self_graded = any(typed_answers(b["answer"]) is None for b in blanks)
        assert bool(item.get("self")) is self_graded
        assert all(b["accept"] == (None if self_graded else typed_answers(b["answer"])) for b in blanks)
    print(f"self-test page: {path.stat().st_size:,} bytes, one file")
    assert path.stat().st_size < 1_000_000


PAIRS = [("fg", "bg"), ("fg", "card"), ("muted", "bg"), ("muted", "card"), ("muted", "quote"), ("right", "card"),
         ("wrong", "card"), ("right-on", "right-bg"), ("wrong-on", "wrong-bg"), ("fg", "right-bg"), ("fg", "wrong-bg"),
         ("accent", "card"), ("accent", "bg"), ("bg", "accent"), ("bg", "wrong"), ("mark-fg", "mark"), ("fg", "quote")]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_text_colours_contrast_at_least_4_5_to_1_light_and_dark() -> None:
    """Every text colour the page puts on each background it uses, in both schemes (WCAG 2 ratio)."""
    css = (TEMPLATES / "page.css").read_text(encoding="utf-8")
    light, dark = (dict(re.findall(r"--([\w-]+):\s*(#[0-9a-f]{6})", block))
                   for block in re.findall(r":root\s*\{(.*?)\}", css, re.S))
    for scheme in (light, dark):
        for fg, bg in PAIRS:
            a, b = sorted((_luminance(scheme[fg]), _luminance(scheme[bg])), reverse=True)
            assert (a + 0.05) / (b + 0.05) >= 4.5, (fg, bg, scheme[fg], scheme[bg])
