"""Which quizzes to make: per-deck worksheets and a mixed quiz (for ``build``), or one chosen
quiz (for ``quiz``); each in K versions, each version with its answer key."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import Deck, Item, QuizDefaults, slug
from ..sources import Corpus
from .layout import QuizSpec, layout_quiz, select
from .render import job, render_all


@dataclass(frozen=True)
class QuizRequest:
    slug: str  # file name stem
    spec: QuizSpec
    items: tuple[Item, ...]
    versions: int
    asked: int = 0  # questions asked for
    matched: int = 0  # items that matched the choice, before related ones were left out

    @property
    def shortfall(self) -> str | None:
        """Why the quiz has fewer questions than asked, or None when it has them all."""
        if len(self.items) >= self.asked:
            return None
        why = [f"{self.matched} items match"]
        if self.matched > len(self.items):
            why.append(f"{self.matched - len(self.items)} left out as related to questions already chosen"
                       " (same excerpt, answer or quotation, or an answer printed in another question)")
        return f"{len(self.items)} questions, fewer than the {self.asked} asked: {'; '.join(why)}"


class QuizChoiceError(ValueError):
    """The chosen decks or item types select nothing (a usage error)."""


def default_quizzes(collection: str, decks: Sequence[Deck], questions: int, versions: int,
                    seed: int, paper: str, corpus: Corpus, quiz: QuizDefaults) -> list[QuizRequest]:
    """One worksheet per deck and one mixed quiz over all decks."""
    requests = []
    sets = [(deck.slug, deck.deck, list(deck.items)) for deck in decks]
    sets.append(("mixed", "mixed quiz", [item for deck in decks for item in deck.items]))
    for stem, title, items in sets:
        spec = QuizSpec(f"{collection}: {title}", seed, paper, quiz.minutes, quiz.instructions or "")
        chosen = tuple(select(items, questions, seed, corpus))
        requests.append(QuizRequest(stem, spec, chosen, versions, questions, len(items)))
    return requests


def chosen_quiz(decks: Sequence[Deck], deck_names: Sequence[str], types: Sequence[str], tags: Sequence[str],
                name: str, spec: QuizSpec, questions: int, versions: int, corpus: Corpus) -> QuizRequest:
    """The quiz ``studydeck quiz`` asked for: decks by file stem or title (all when none are named),
    items of the named types (all when none) carrying any of the named tags (all when none),
    ``questions`` of them spread over the types, no two related."""
    chosen = list(decks)
    if deck_names:
        names = {d.casefold() for d in deck_names}
        keys = {id(d): {d.deck.casefold(), Path(d.path).stem.casefold()} for d in decks}
        chosen = [d for d in decks if keys[id(d)] & names]
        if unknown := sorted(names - set().union(*(keys[id(d)] for d in chosen))):
            stems = ", ".join(Path(d.path).stem for d in decks)
            raise QuizChoiceError(f"unknown deck {', '.join(unknown)}; decks: {stems}")
    wanted = {t.casefold() for t in tags}
    known = {t.casefold(): t for deck in chosen for item in deck.items for t in item.tags}
    if unknown := sorted(wanted - set(known)):
        tags_known = ", ".join(sorted(known.values()))
        raise QuizChoiceError(f"unknown tag {', '.join(unknown)}; tags in the chosen decks: {tags_known}")
    items = [item for deck in chosen for item in deck.items
             if (not types or item.kind in types) and (not wanted or wanted & {t.casefold() for t in item.tags})]
    if not items:
        raise QuizChoiceError("no items match the chosen decks, types and tags")
    picked = tuple(select(items, questions, spec.seed, corpus))
    return QuizRequest(slug(name, "quiz"), spec, picked, versions, questions, len(items))


def render_quizzes(requests: Sequence[QuizRequest], corpus: Corpus, out: Path,
                   on_done: Callable[[int, int], None] | None = None, workers: int | None = None) -> dict[Path, bytes]:
    """Every version of every quiz and its key, as file path -> PDF bytes (nothing written yet),
    rendered two at a time (``workers``); ``on_done(done, total)`` after each PDF."""
    names, jobs = [], []
    for request in requests:
        for version in range(request.versions):
            data = layout_quiz(request.items, corpus, request.spec, version)
            letter = data["version"]
            names += [out / f"{request.slug}-{letter}.pdf", out / f"{request.slug}-{letter}-key.pdf"]
            jobs += [job(data), job(data, key=True)]
    return dict(zip(names, render_all(jobs, on_done, workers), strict=True))
