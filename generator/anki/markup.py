"""The markup a compiled note may hold: only what the compiler writes (see :func:`check_html`)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

# genanki's ``Note._INVALID_HTML_TAG_RE`` with ``.*?`` for ``.*``: in the look-ahead only whether a ">" follows
# matters, so it finds the same (tests/test_cards.py), without running to the field's end and back for every tag.
_MALFORMED = re.compile(r"<(?!/?[a-zA-Z0-9]+(?: .*?|/?)>|!--|!\[CDATA\[)(?:.|\n)*?>")
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)([^>]*)>")
_TAG_AT = re.compile(r"</?[A-Za-z][^>]*>")  # what _TAG matches (its groups span [^>]*), as one string
_ATTRIBUTE = re.compile(r"""([^\s=/]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""")
# The markup the compiler writes into fields; nothing else can stand there unless item text
# went in unescaped.
_TAGS = frozenset("b blockquote br cite div em i li mark ol p span strong table td th tr ul".split())
_ATTRIBUTES = frozenset({"class", "colspan"})
# A "<" that does not start a tag as the compiler writes it: a name on the allow-list, lower-case,
# with allowed attributes whose values hold no "<", ">" or line break. A field with none holds
# nothing :func:`check_html` refuses: it is passed after this one search (the two checks below,
# which it stands for, take three times as long). tests/test_markup.py holds them equal.
_NOT_WRITTEN = re.compile(
    "<(?!/?(?:" + "|".join(sorted(_TAGS)) + ")"
    "(?: (?:" + "|".join(sorted(_ATTRIBUTES)) + ')=(?:"[^"<>\n]*"|[a-z0-9-]+))*>)')


def check_html(fields: Sequence[str]) -> None:
    """A compiled note's fields hold only the markup the compiler writes, checked once, where the
    note is compiled (the package writer then trusts the notes it is given: see
    ``package.build_package``): genanki's own test for a malformed tag (``a < b>``, ``_MALFORMED``), and an
    allow-list of tags (``_TAGS``) and attributes (``class``, ``colspan``), so that a ``<script>``,
    an ``<img onerror=...>``, a ``style`` or an ``href`` is refused. Item text is escaped before
    it is placed, so a hit is a bug of ours: it stops the run."""
    for value in fields:
        if "<" not in value or _NOT_WRITTEN.search(value) is None:  # no tag, or only the compiler's
            continue
        _check_markup(value)


def _check_markup(value: str) -> None:
    """:func:`check_html` of one field, in full."""
    if bad := _MALFORMED.findall(value):
        raise AssertionError(f"unescaped HTML in a compiled note: {' '.join(bad)}")
    for tag in dict.fromkeys(_TAG_AT.findall(value)):  # each distinct tag, in order
        if not _allowed(tag):
            raise AssertionError(f"unescaped HTML in a compiled note: {tag}")


@functools.lru_cache(maxsize=1024)
def _allowed(tag: str) -> bool:
    """A tag on the allow-list: the compiler writes few distinct tags, each looked at once."""
    found = _TAG.fullmatch(tag)
    assert found is not None, "_TAG_AT finds what _TAG matches"
    _, name, attributes = found.groups()
    names = [a.group(1).lower() for a in _ATTRIBUTE.finditer(attributes)]
    return name.lower() in _TAGS and all(n in _ATTRIBUTES for n in names)
