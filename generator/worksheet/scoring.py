"""How many points a question is worth and how its parts share them (``quiz.points`` in the
project file).

A question has parts: the pairs of a matching, the claims of a contested-figures question, the
events of a timeline, the blanks of a cloze, and for a short answer its two halves of key words
(all of them, or about half). A multiple-choice, true/false or who-said-it question is one part.
``per: question`` (the default) makes every question worth 1 point, its parts sharing it equally,
so each question type earns exactly its share of the questions; ``per: part`` gives 1 point a
part, at most ``cap`` a question.
"""

from __future__ import annotations

from fractions import Fraction

from ..cloze import CLOZE
from ..model import Basic, Claims, Cloze, Item, Match, Order, PointsScheme

# what one part of a question is, for the key's marking guidance: (noun, when it earns its share)
_PART = {"match": ("pair", "matched correctly"), "claims": ("claim", "matched with its figure"),
         "order": ("event", "numbered in its right place"), "cloze": ("blank", "filled correctly")}
SHORT_ANSWER_PARTS = 2  # all the key words, or about half of them


def parts(item: Item) -> int:
    """The independent judgements a marker makes on the question."""
    if isinstance(item, (Match, Claims)):
        return len(item.pairs) if isinstance(item, Match) else len(item.claims)
    if isinstance(item, Order):
        return len(item.events)
    if isinstance(item, Cloze):
        return sum(1 for _ in CLOZE.finditer(item.text))
    return SHORT_ANSWER_PARTS if isinstance(item, Basic) else 1


def points(parts_of_it: int, scheme: PointsScheme) -> int:
    """What a question of so many parts is worth under the scheme (always a whole number)."""
    if scheme.per == "question":
        return 1
    return parts_of_it if scheme.cap is None else min(parts_of_it, scheme.cap)


def amount(value: Fraction | int) -> str:
    """Points as a key prints them: ``1 pt``, ``1/6 pt``, ``2 pts``, ``0 pts``."""
    value = Fraction(value)
    unit = "pt" if 0 < value <= 1 else "pts"
    return f"{value} {unit}"


def part_rule(kind: str, total: int, parts_of_it: int) -> list[list[str]]:
    """The marking rule of a question of several equal parts: each part's share of its points."""
    noun, when = _PART[kind]
    return [[amount(Fraction(total, parts_of_it)), f"for each {noun} {when} ({parts_of_it} {noun}s)"]]


def describe(scheme: PointsScheme) -> str:
    """The scheme in one sentence, printed on every sheet and key."""
    if scheme.per == "question":
        return ("Every question is worth 1 point; a question with several parts (pairs, events, blanks)"
                " gives each part an equal share of it.")
    each = "Each part of a question (a pair, an event, a blank, half of a short answer's key words) earns 1 point"
    if scheme.cap is None:
        return each + "."
    return f"{each}, at most {amount(scheme.cap)} a question: a question with more parts shares them equally."
