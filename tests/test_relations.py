"""The relation between items by names and content (``generator.relations``), and the one cloze
grammar it reads cloze items with."""

from __future__ import annotations

import time

from generator.model import Cloze, SourceRef
from generator.relations import answers, duplicate_record, shown


def _cloze(text: str) -> Cloze:
    return Cloze(id="c", type="cloze", text=text, source=SourceRef(doc="wikipedia-siege", excerpt="x"))


def test_unclosed_cloze_markers_are_read_in_linear_time(starter) -> None:
    item = _cloze("{{c1::" * 1000)  # a lazy-group regex took cubic time on this (19.5 s for check)
    start = time.perf_counter()
    found = (answers(item), shown(item), duplicate_record(item, starter.corpus))
    assert time.perf_counter() - start < 1.0
    assert found[0] == frozenset() and "{{c1::" in found[1]


def test_cloze_answers_and_shown_text_follow_the_one_grammar() -> None:
    item = _cloze("Founded by {{c1::Maulana Qari Abdullah}} in {{c2::1965::year}}.")
    assert answers(item) == {"maulana qari abdullah", "1965"}
    assert shown(item) == "founded by in year."
