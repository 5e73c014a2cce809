"""Which quizzes to make: per-deck worksheets and a mixed quiz (for ``build``), or one chosen
quiz (for ``quiz``); each in K versions, each version with its answer key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import Deck, Item, slug
from ..sources import Corpus
from .layout import QuizSpec, layout_quiz, select
from .render import render_worksheet


@dataclass(frozen=True)
class QuizRequest:
    slug: str  # file name stem
    spec: QuizSpec
    items: tuple[Item, ...]
    versions: int


class QuizChoiceError(ValueError):
    """The chosen decks or item types select nothing (a usage error)."""


def default_quizzes(collection: str, decks: Sequence[Deck], questions: int, versions: int,
                    seed: int, paper: str) -> list[QuizRequest]:
    """One worksheet per deck and one mixed quiz over all decks."""
    requests = []
    for deck in decks:
        spec = QuizSpec(f"{collection}: {deck.deck}", seed, paper)
        requests.append(QuizRequest(deck.slug, spec, tuple(select(deck.items, questions, seed)), versions))
    everything = [item for deck in decks for item in deck.items]
    spec = QuizSpec(f"{collection}: mixed quiz", seed, paper)
    requests.append(QuizRequest("mixed", spec, tuple(select(everything, questions, seed)), versions))
    return requests


def chosen_quiz(decks: Sequence[Deck], deck_names: Sequence[str], types: Sequence[str], name: str,
                spec: QuizSpec, questions: int, versions: int) -> QuizRequest:
    """The quiz ``studydeck quiz`` asked for: decks by file stem or title (all when none are named),
    items of the named types (all when none), ``questions`` of them spread over the types."""
    chosen = list(decks)
    if deck_names:
        names = {d.casefold() for d in deck_names}
        keys = {id(d): {d.deck.casefold(), Path(d.path).stem.casefold()} for d in decks}
        chosen = [d for d in decks if keys[id(d)] & names]
        if unknown := sorted(names - set().union(*(keys[id(d)] for d in chosen))):
            stems = ", ".join(Path(d.path).stem for d in decks)
            raise QuizChoiceError(f"unknown deck {', '.join(unknown)}; decks: {stems}")
    items = [item for deck in chosen for item in deck.items if not types or item.kind in types]
    if not items:
        raise QuizChoiceError("no items match the chosen decks and types")
    return QuizRequest(slug(name, "quiz"), spec, tuple(select(items, questions, spec.seed)), versions)


def render_quizzes(requests: Sequence[QuizRequest], corpus: Corpus, out: Path) -> dict[Path, bytes]:
    """Every version of every quiz and its key, as file path -> PDF bytes (nothing written yet)."""
    files: dict[Path, bytes] = {}
    for request in requests:
        for version in range(request.versions):
            data = layout_quiz(request.items, corpus, request.spec, version)
            letter = data["version"]
            files[out / f"{request.slug}-{letter}.pdf"] = render_worksheet(data)
            files[out / f"{request.slug}-{letter}-key.pdf"] = render_worksheet(data, key=True)
    return files
