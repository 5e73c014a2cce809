"""Normalisation, applied alike to seeds and excerpts (documented in docs/format.md):

1. Unicode NFC.
2. Typographic quotes become ``'`` and ``"``; dashes and minus signs become ``-`` (a run of
   dashes becomes one); ``…`` becomes ``...``; every kind of space becomes a plain space.
3. A backslash before punctuation is dropped (the token-style article writes ``\\(``).
4. Runs of whitespace become one space; a space before ``, . ; : ! ? ) ] '`` and after ``( [``
   is dropped (the token-style article writes ``Islamabad , the capital`` and ``Zia 's``), and
   the token-style thousands ``12 , 000`` read ``12,000``.

Each normalised character can remember its offset in the original text
(:func:`normalise_with_offsets`), so a match reports its original line.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_TRANSLATE = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
}
_CLOSE = set(",.;:!?)]'")
_OPEN = set("([")
_PUNCT = set("()[]{},.;:!?'\"-/&*#%@$_+=<>|~^")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# A single plain space between words maps to itself: it stays in a run. It is looked at only next
# to white space, ``( [`` or a comma before it (a token-style thousands), or before a character that
# would remove it (closing punctuation, or what becomes one, or a backslash that may vanish).
_REMOVES_SPACE = _CLOSE | {k for k, v in _TRANSLATE.items() if v[0] in _CLOSE} | {"\\"}
_SPECIAL_CHARS = re.escape("".join(sorted(_CLOSE | {"-"} | set(_TRANSLATE))))
# Closing punctuation and "-" right after an ordinary character (most commas and full stops) are
# copied with it: no rule changes them there. (The pattern matches a character first and then
# looks behind it: led by a character class, it lets the engine skip to the next candidate.)
_SPECIAL = re.compile(
    f"[\\s\\\\{_SPECIAL_CHARS}]"
    "(?:(?<![^\\s(\\[,] )|(?![^\\s" + re.escape("".join(sorted(_REMOVES_SPACE))) + "]))"
    f"(?<![^\\s\\\\{_SPECIAL_CHARS}][{re.escape(''.join(sorted(_CLOSE | {'-'})))}])"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"')\]]*)\s+(?=[\"'(\[]*[A-Z0-9])")


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalised text, and for each of its characters the offset in ``text`` it came from.

    Runs of ordinary characters (letters, digits, most punctuation) are copied whole; only the
    characters a rule is about (spaces, ``\\``, closing punctuation, dashes, typographic quotes)
    are looked at one by one. tests/test_sources.py holds it equal to a per-character reference.
    """
    out: list[str] = []  # pieces; a space is always a piece of its own
    offsets: list[int] = []
    last = ""  # the last character written
    n = len(text)
    pos = 0
    for m in _SPECIAL.finditer(text):
        i = m.start()
        if i > pos:
            out.append(text[pos:i])
            offsets.extend(range(pos, i))
            last = text[i - 1]
        pos = i + 1
        ch = text[i]
        if ch == "\\":
            if i + 1 < n and text[i + 1] in _PUNCT:
                continue
            out.append(ch)
            offsets.append(i)
            last = ch
            continue
        if ch.isspace():
            if _token_thousands(text, i):
                continue
            if last and last != " " and last not in _OPEN:
                out.append(" ")
                offsets.append(i)
                last = " "
            continue
        for c in _TRANSLATE.get(ch, ch):
            if c in _CLOSE and last == " ":
                out.pop()
                offsets.pop()
                last = out[-1][-1] if out else ""
            if c == "-" and last == "-":
                continue
            out.append(c)
            offsets.append(i)
            last = c
    if pos < n:
        out.append(text[pos:])
        offsets.extend(range(pos, n))
        last = text[-1]
    if last == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


def _token_thousands(text: str, i: int) -> bool:
    """The space after the comma of a token-style ``12 , 000``: dropped, so it reads ``12,000``."""
    return (
        i >= 3 and text[i - 1] == "," and text[i - 2] == " " and text[i - 3].isdigit()
        and re.match(r"\d{3}(?!\d)", text[i + 1 : i + 5]) is not None
    )


_RE_TRANSLATE = re.compile("[" + "".join(sorted(_TRANSLATE)) + "]")  # faster than str.translate with a dict
# The backslash the token-style article writes before brackets ("\\("): dropped where its text is
# compared or shown (excerpt matching here; the self-test page's source view).
ESCAPING_BACKSLASH = re.compile(r"\\(?=[" + re.escape("".join(sorted(_PUNCT))) + "])")
_RE_THOUSANDS = re.compile(r"(?<=\d ,)\s(?=\d{3}(?!\d))")
# Every run of white space becomes one space: a run of two or more, or one character that is not a
# plain space (a single plain space, most of them, is left as it is: nothing to rebuild around it).
_RE_SPACE = re.compile(r"\s(?:\s+|(?<! ))")
_RE_AFTER_OPEN = re.compile(r"(?<=[(\[]) ")
_RE_BEFORE_CLOSE = re.compile(r" (?=[,.;:!?)\]'])")
_RE_DASHES = re.compile(r"-{2,}")


@functools.lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The normal form used to compare excerpts with seeds.

    The same result as ``normalise_with_offsets`` (a test holds them equal), done with regular
    expressions because it runs on every excerpt and answer; the offsets are needed only for seeds.
    """
    return _normalise_nfc(unicodedata.normalize("NFC", text))


def _translated(m: re.Match[str]) -> str:
    return _TRANSLATE[m.group()]


def _normalise_nfc(text: str) -> str:
    """``normalise`` of a text already in NFC (a seed's)."""
    # A rule whose pattern needs characters the text lacks is passed over (most texts need four of
    # the seven passes): each test below is a substring every match of that pattern contains.
    if "\\" in text:
        text = ESCAPING_BACKSLASH.sub("", text)
    if " ," in text:
        text = _RE_THOUSANDS.sub("", text)
    text = _RE_SPACE.sub(" ", _RE_TRANSLATE.sub(_translated, text))
    if "( " in text or "[ " in text:
        text = _RE_AFTER_OPEN.sub("", text)
    text = _RE_BEFORE_CLOSE.sub("", text)
    if "--" in text:
        text = _RE_DASHES.sub("-", text)
    return text.strip(" ")
