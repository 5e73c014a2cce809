"""The cloze grammar, in one place: ``{{cN::answer}}`` or ``{{cN::answer::hint}}`` markers found in one
linear pass. The checker, relations, worksheets, exports and Anki notes all read cloze text through it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, overload


@dataclass(frozen=True)
class ClozeMarker:
    """One ``{{cN::answer}}`` or ``{{cN::answer::hint}}``; indexable like a regex match
    (``m[1]`` number, ``m[2]`` answer, ``m[3]`` hint or None)."""

    span: tuple[int, int]
    groups: tuple[str, str, str | None]

    def start(self) -> int:
        return self.span[0]

    def end(self) -> int:
        return self.span[1]

    @overload
    def __getitem__(self, index: Literal[1, 2]) -> str: ...
    @overload
    def __getitem__(self, index: Literal[3]) -> str | None: ...
    def __getitem__(self, index: int) -> str | None:
        return self.groups[index - 1]


class _ClozeSyntax:
    """Finds cloze markers in one linear pass (a regex with lazy groups took cubic time on
    ``{{c1::`` repeated without a close). Same matches as ``\\{\\{c(\\d+)::(.*?)(?:::(.*?))?\\}\\}``."""

    def finditer(self, text: str) -> Iterator[ClozeMarker]:
        at = 0
        while True:
            start = text.find("{{c", at)
            if start < 0:
                return
            digits = start + 3
            end_digits = digits
            while end_digits < len(text) and text[end_digits].isascii() and text[end_digits].isdigit():
                end_digits += 1
            if end_digits == digits or not text.startswith("::", end_digits):
                at = start + 1
                continue
            body = end_digits + 2
            close = text.find("}}", body)
            if close < 0:
                return  # no close anywhere after: no later marker can close either
            answer, sep, hint = text[body:close].partition("::")
            yield ClozeMarker((start, close + 2), (text[digits:end_digits], answer, hint if sep else None))
            at = close + 2

    def sub(self, replacement: str | Callable[[ClozeMarker], str], text: str) -> str:
        """``text`` with each marker replaced by ``replacement`` (or by what it returns for the marker)."""
        out, last = [], 0
        for m in self.finditer(text):
            out += [text[last : m.start()], replacement if isinstance(replacement, str) else replacement(m)]
            last = m.end()
        out.append(text[last:])
        return "".join(out)


CLOZE = _ClozeSyntax()
MAX_CLOZE_DIGITS = 6  # a longer cloze number is no count of deletions (and past 4,300 digits int() refuses it)
