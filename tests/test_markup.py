"""``check_html`` passes a field in which every "<" starts a tag as the compiler writes it after one
search (``markup._NOT_WRITTEN``); it refuses, and passes, exactly what the full check of each
field (``markup._check_markup``) refuses and passes, with the same message."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.anki import markup

_BITS = ["<", ">", "/", " ", "\n", "x", "b", "B", "li", "mark", "script", "img", "blockquote", "bx", "=", '"', "'",
         "<b>", "</b>", "<B>", "<br>", "<br/>", "<li>", "</li>", '<div class="source">', "<div class=source>",
         '<td colspan="2">', "<tr class=asked>", '<span class="a b">', '<span class="x\ny">', "<span class='x'>",
         '<span style="x">', '<div class="a>b">', "<img src=x onerror=y>", "<!-- c -->", "< b>", "<1>", "<b/ >",
         "<img>", "<script>", "</style>", "<mark >", '<div  class="x">', "<div class=>", "&lt;", "é"]


def _verdict(check, value: str) -> str:
    try:
        check(value)
    except AssertionError as exc:
        return str(exc)
    return "passed"


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(_BITS), max_size=12).map("".join) | st.text(alphabet="<>/ bi=\"'\nclas", max_size=30))
def test_the_quick_pass_gives_the_full_checks_verdict(value: str) -> None:
    assert _verdict(lambda v: markup.check_html((v,)), value) == _verdict(markup._check_markup, value)


@pytest.mark.parametrize("value", ['<div class="source"><blockquote class="excerpt">a <mark>b</mark></blockquote></div>',
                                   '<table><tr class=asked><td colspan="2">x</td></tr></table>', "<ol><li>x</li></ol>"])
def test_the_compilers_markup_takes_the_quick_pass(value: str) -> None:
    """Not vacuous: what the compiler writes passes the one search, and the full check."""
    assert markup._NOT_WRITTEN.search(value) is None
    assert _verdict(markup._check_markup, value) == "passed"
