"""Which quizzes to make: per-deck worksheets and a mixed quiz (for ``build``), or one chosen
quiz (for ``quiz``); each in K versions, each version with its answer key."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import Deck, Item
from ..sources import Corpus
from .layout import QuizSpec, layout_quiz, select
from .render import render_worksheet


@dataclass(frozen=True)
class QuizRequest:
    slug: str  # file name stem
    spec: QuizSpec
    items: tuple[Item, ...]
    versions: int


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "quiz"


def default_quizzes(collection: str, decks: Sequence[Deck], questions: int, versions: int,
                    seed: int, paper: str) -> list[QuizRequest]:
    """One worksheet per deck and one mixed quiz over all decks."""
    requests = []
    for deck in decks:
        stem = Path(deck.path).stem
        spec = QuizSpec(f"{collection}: {deck.deck}", seed, paper)
        requests.append(QuizRequest(slug(stem), spec, tuple(select(deck.items, questions, seed)), versions))
    everything = [item for deck in decks for item in deck.items]
    spec = QuizSpec(f"{collection}: mixed quiz", seed, paper)
    requests.append(QuizRequest("mixed", spec, tuple(select(everything, questions, seed)), versions))
    return requests


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
