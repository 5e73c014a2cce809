"""`check --verbose` tells a curator which items Moodle XML and GIFT leave to a teacher to mark:
each one located at its long answer, then a count; plain `check` prints no more than before."""

from __future__ import annotations

import json

DECK = """deck: Marking
items:
- id: m-short
  type: basic
  question: Who founded the Lal Masjid?
  answer: Maulana Qari Abdullah
  source: {doc: wikipedia-siege, excerpt: The Lal Masjid was founded by Maulana Qari Abdullah in 1965.}
- id: m-long
  type: basic
  question: What does the siege article say about the mosque's founding?
  answer: It was founded by Maulana Qari Abdullah in 1965
  source: {doc: wikipedia-siege, excerpt: The Lal Masjid was founded by Maulana Qari Abdullah in 1965.}
- id: m-cloze
  type: cloze
  text: The Lal Masjid {{c1::was founded by Maulana Qari Abdullah}} in 1965.
  source: {doc: wikipedia-siege, excerpt: The Lal Masjid was founded by Maulana Qari Abdullah in 1965.}
"""


def test_check_verbose_lists_the_teacher_marked_items_located(make_project, run) -> None:
    root = make_project({"m.yaml": DECK})
    code, out, err = run(["check", "--verbose"], cwd=root)
    assert (code, out) == (0, ""), err
    lines = err.splitlines()
    at = {line.strip(): n for n, line in enumerate(DECK.splitlines(), start=1)}
    answer, text = at["answer: It was founded by Maulana Qari Abdullah in 1965"], at[
        "text: The Lal Masjid {{c1::was founded by Maulana Qari Abdullah}} in 1965."]
    assert lines[0].startswith("0 errors, 0 warnings")
    assert lines[1:] == [
        f"decks/m.yaml:{answer}:11: note: m-long: marked by a teacher in Moodle XML and GIFT"
        " (an answer of 9 words; auto-marking takes at most 4)",
        f"decks/m.yaml:{text}:9: note: m-cloze: marked by a teacher in Moodle XML and GIFT"
        " (a blank of 6 words; auto-marking takes at most 4)",
        "2 of 3 items will be marked by a teacher in Moodle XML and GIFT.",
    ]


def test_plain_check_and_json_stay_as_they_were(make_project, run) -> None:
    root = make_project({"m.yaml": DECK})
    code, _, err = run(["check"], cwd=root)
    assert (code, err) == (0, "0 errors, 0 warnings in 3 files.\n")
    code, out, err = run(["check", "--verbose", "--format", "json"], cwd=root)
    assert code == 0 and json.loads(out)["diagnostics"] == []
    assert "2 of 3 items will be marked by a teacher" in err  # the list goes to stderr, the JSON stays whole
