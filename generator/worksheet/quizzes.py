"""Which quizzes to make: per-deck worksheets and a mixed quiz (for ``build``), or one chosen
quiz (for ``quiz``); each in K versions, each version with its answer key."""

from __future__ import annotations

import difflib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import BadValue, Diagnostic, Span
from ..model import MIXED_QUIZ, Deck, Item, ProjectConfig, QuizDefaults, TrueFalse, file_stem, slug
from ..relations import Relations
from ..sources import Corpus
from .layout import SECTION_OF, SECTIONS, QuizSpec, layout_quiz
from .render import Kept, job, render_all


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
                       " (same excerpt, answer, quotation, timeline or pair, or one giving another away by"
                       " its answer, a name or a true/false verdict)")
        return f"{len(self.items)} questions, fewer than the {self.asked} asked: {'; '.join(why)}"


class QuizChoiceError(ValueError):
    """The chosen decks or item types select nothing (a usage error)."""


def select(items: Sequence[Item], count: int, seed: int, corpus: Corpus,
           relations: Relations | None = None) -> list[Item]:
    """Up to ``count`` items, spread over the item types (round robin), chosen reproducibly from
    ``seed``, no two of them related (see ``relations``; pass ``relations`` built over ``items``
    to reuse what it has compared). Fewer than ``count`` when the unrelated items run out.
    A true/false section gets true and false statements in turn while the pool has both, so
    answering "False" (or "True") everywhere does not pay."""
    relations = relations or Relations(items, corpus)
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(SECTION_OF[item.kind], []).append(item)
    rng = random.Random(f"select:{seed}")
    for group in groups.values():
        rng.shuffle(group)
    chosen: list[Item] = []
    while len(chosen) < count and any(groups.values()):
        for key, _, _ in SECTIONS:
            group = groups.get(key, [])
            if len(chosen) < count and (found := _next(group, chosen, relations, key == "truefalse")) is not None:
                chosen.append(found)
    order = {id(item): i for i, item in enumerate(items)}
    return sorted(chosen, key=lambda item: order[id(item)])


def _next(group: list[Item], chosen: list[Item], relations: Relations, balance: bool) -> Item | None:
    """Take from ``group`` (drawn from its end) the next item unrelated to ``chosen``, dropping
    the related ones it passes; with ``balance``, a true/false item of the verdict the sheet has
    fewer of when the group still has one."""
    wanted = _scarcer_verdict(chosen, group) if balance else None
    fallback: int | None = None
    for i in range(len(group) - 1, -1, -1):
        candidate = group[i]
        if relations.related(candidate, chosen):
            del group[i]
            fallback = fallback - 1 if fallback is not None else None
            continue
        if wanted is None or getattr(candidate, "answer", None) is wanted:
            return group.pop(i)
        if fallback is None:
            fallback = i
    return group.pop(fallback) if fallback is not None else None


def _scarcer_verdict(chosen: Sequence[Item], left: Sequence[Item]) -> bool | None:
    """The verdict (True or False) the chosen true/false items have fewer of; when even, the one
    the items ``left`` have fewer of (take the rare kind while it lasts); None when even too."""
    for items in (chosen, left):
        verdicts = [item.answer for item in items if isinstance(item, TrueFalse)]
        trues = sum(verdicts)
        if 2 * trues != len(verdicts):
            return 2 * trues < len(verdicts)
    return None


ALL, MIXED = "all", MIXED_QUIZ  # the words build.worksheets takes besides deck file stems


def _names(deck_path: str) -> set[str]:
    """What build.worksheets may call a deck: its file stem or its worksheets' file name stem."""
    return {file_stem(deck_path).casefold(), slug(file_stem(deck_path), "deck")}


def worksheet_problems(config: ProjectConfig, deck_paths: Sequence[str],
                       project_file: Path | None = None) -> list[Diagnostic]:
    """Names in build.worksheets that are no deck file's stem (nor all or mixed), each located
    at its entry in the project file (read again for the entries' places) with the nearest name."""
    stems = [file_stem(p) for p in deck_paths]
    known = set().union(*(_names(p) for p in deck_paths))
    spans = _entry_spans(project_file, config)
    diags = []
    for i, name in enumerate(config.build.worksheets):
        if name.casefold() in (ALL, MIXED) or name.casefold() in known:
            continue
        hint = difflib.get_close_matches(name, [*stems, ALL, MIXED], 1)
        more = f"; did you mean {hint[0]!r}?" if hint else f"; decks: {', '.join(stems) or 'none'}"
        diags.append(BadValue.at(spans[i], f"build.worksheets[{i + 1}]: {name!r} is not a deck file in decks/"
                                           f" (name a deck by its file stem, or all, or mixed){more}"))
    return diags


def _entry_spans(project_file: Path | None, config: ProjectConfig) -> list[Span]:
    """Where each entry of build.worksheets stands; the list's own place when the file cannot
    be read again the same way."""
    whole = config.build.pos.of("worksheets")
    count = len(config.build.worksheets)
    if project_file is None:
        return [whole] * count
    from .. import yamltree

    try:
        node, _ = yamltree.load(project_file.read_bytes(), whole.path)
    except OSError:
        node = None
    for key in ("build", "worksheets"):
        if not isinstance(node, yamltree.Mapping):
            return [whole] * count
        node = next((v for k, v in node.entries if k.value == key), None)
    if not isinstance(node, yamltree.Sequence) or len(node.items) != count:
        return [whole] * count
    return [entry.span for entry in node.items]


def chosen_decks(choice: Sequence[str], decks: Sequence[Deck]) -> tuple[list[Deck], bool]:
    """The decks build.worksheets asks worksheets for, in deck order, and whether it asks for the
    mixed quiz (``all``: every deck and the mixed quiz; ``[]``: nothing)."""
    wanted = {name.casefold() for name in choice}
    if ALL in wanted:
        return list(decks), True
    return [d for d in decks if _names(d.path) & wanted], MIXED in wanted


def default_quizzes(collection: str, decks: Sequence[Deck], questions: int, versions: int,
                    seed: int, paper: str, corpus: Corpus, quiz: QuizDefaults,
                    choice: Sequence[str] = (ALL,)) -> list[QuizRequest]:
    """The worksheets ``choice`` (build.worksheets) asks for: by default one per deck and one
    mixed quiz over all decks."""
    requests = []
    picked, mixed = chosen_decks(choice, decks)
    sets = [(deck.slug, deck.deck, list(deck.items)) for deck in picked]
    if mixed:
        sets.append((MIXED, "mixed quiz", [item for deck in decks for item in deck.items]))
    for stem, title, items in sets:
        spec = QuizSpec(f"{collection}: {title}", seed, paper, quiz.minutes, quiz.instructions or "", quiz.points)
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
                   on_done: Callable[[int, int], None] | None = None, workers: int | None = None,
                   kept: Kept | None = None) -> dict[Path, bytes]:
    """Every version of every quiz and its key, as file path -> PDF bytes (nothing written yet),
    rendered two at a time (``workers``), those ``kept`` from earlier runs aside; ``on_done(done,
    total)`` after each PDF."""
    names, jobs = [], []
    for request in requests:
        for version in range(request.versions):
            data = layout_quiz(request.items, corpus, request.spec, version)
            letter = data["version"]
            sheet, key = out / f"{request.slug}-{letter}.pdf", out / f"{request.slug}-{letter}-key.pdf"
            names += [sheet, key]
            jobs += [job(data, name=sheet.as_posix()), job(data, key=True, name=key.as_posix())]
    return dict(zip(names, render_all(jobs, on_done, workers, kept), strict=True))
