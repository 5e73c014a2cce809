"""Everything the command line prints from the project's own text (a seed's passage in "did you
mean", a passage ``find`` prints, a message in JSON) has its control characters, ESC among them,
and its bidi controls escaped (issue 20, finding 8): a seed is anyone's download, and a raw ESC
sequence or right-to-left override would rewrite what the terminal shows."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

SEED = "001_700d1b8999e0173a.txt"
PLANTED = "The garrison \x1b[2J\x1b[31mreported \u202eseventy\u202c dead\U000e0041 on Tuesday."


def _plant(root: Path) -> None:
    """Add a sentence holding an ESC sequence, bidi controls and a TAG character to a seed, and
    re-catalogue it (a seed someone downloaded that way)."""
    seed = root / "seeds" / SEED
    old = hashlib.sha256(seed.read_bytes()).hexdigest()
    seed.write_bytes(seed.read_bytes() + f"\n{PLANTED}\n".encode())
    catalog = root / "seeds" / "sources.yaml"
    catalog.write_text(catalog.read_text().replace(old, hashlib.sha256(seed.read_bytes()).hexdigest()))


def _deck(excerpt: str) -> str:
    return ("deck: D\nitems:\n  - id: a\n    type: basic\n    question: What did the garrison report?\n"
            f"    answer: seventy dead\n    source: {{doc: wikipedia-siege, excerpt: {excerpt}}}\n")


def _raw(text: str) -> list[str]:
    return [c for c in ("\x1b", "\u202e", "\u202c", "\U000e0041") if c in text]


def test_did_you_mean_escapes_a_seeds_escape_sequences_and_bidi_controls(make_project, run) -> None:
    root = make_project({"d.yaml": _deck("The garrison reported seventy dead on Monday")})
    _plant(root)
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert _raw(err) == [], err
    assert "did you mean:" in err and "\\x1b[31mreported \\u202eseventy\\u202c dead\\U000e0041" in err, err


def test_check_in_json_escapes_them_and_stays_json(make_project, run) -> None:
    root = make_project({"d.yaml": _deck("The garrison reported seventy dead on Monday")})
    _plant(root)
    code, out, _ = run(["check", "--format", "json"], cwd=root)
    assert code == 1 and _raw(out) == [], out
    notes = [n for d in json.loads(out)["diagnostics"] for n in d["notes"] if "did you mean" in n]
    assert notes and "\u202eseventy\u202c dead\U000e0041" in notes[0]  # the text itself, read back


def test_find_escapes_them_and_prints_yaml_that_reads_back(make_project, run) -> None:
    import yaml

    root = make_project()
    _plant(root)
    code, out, _ = run(["find", "The garrison"], cwd=root)
    assert code == 0 and _raw(out) == [], out
    pasted = yaml.safe_load("- " + out.splitlines()[1].strip())
    assert pasted[0]["source"]["excerpt"].endswith("\u202eseventy\u202c dead\U000e0041 on Tuesday.")
