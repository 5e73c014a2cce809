"""What every export shares: the question each item asks as plain text, the excerpts it rests on
(as their sources write them) with their citations, accepted answer variants, distractors for
quote items, and the choice of items (``--deck``, ``--type``, ``--tag``)."""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from ..citation import citation
from ..cloze import CLOZE
from ..diagnostics import Span
from ..load import Project
from ..model import Basic, Claims, Cloze, Deck, Item, Match, Mcq, Order, Quote, SourceRef, TrueFalse
from ..sources import Corpus

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD (Moodle XML, QTI)."""
    return _NOT_XML.sub("\ufffd", text)


class ExportChoiceError(ValueError):
    """The chosen decks, types or tags select nothing, or name a deck that does not exist."""


@dataclass(frozen=True)
class Evidence:
    """One cited excerpt as its source writes it, and the source's citation."""

    doc: str
    excerpt: str
    cite: str


def evidence(corpus: Corpus, ref: SourceRef) -> Evidence:
    entry = corpus.documents[ref.doc].entry
    return Evidence(ref.doc, corpus.shown(ref.doc, ref.excerpt).text, citation(entry))


def evidences(corpus: Corpus, item: Item) -> list[Evidence]:
    """Every excerpt the item cites, once each, in the item's order."""
    found: dict[tuple[str, str], Evidence] = {}
    for ref in item.sources():
        ev = evidence(corpus, ref)
        found.setdefault((ev.doc, ev.excerpt), ev)
    return list(found.values())


def feedback_html(corpus: Corpus, item: Item, esc: Callable[[str], str], extra: str = "", para: bool = False) -> str:
    """General feedback in HTML: ``extra`` (what the answer was), each excerpt as its source writes it
    (inside a <p> too when ``para``), its citation, the item's note; text passed through ``esc``."""
    out = [extra] if extra else []
    for ev in evidences(corpus, item):
        quote = f"<p>{esc(ev.excerpt)}</p>" if para else esc(ev.excerpt)
        out.append(f'<blockquote class="studydeck-excerpt">{quote}</blockquote><p class="studydeck-cite">{esc(ev.cite)}</p>')
    if item.note:
        out.append(f'<p class="studydeck-note">{esc(item.note)}</p>')
    return "".join(out)


class Kept(Protocol):
    """Export files made earlier, by format and deck (``kept.KeptExports``): a deck's file in a
    format depends only on the deck, the project's settings and the quote speakers of the whole
    project (:func:`asked`)."""

    def get(self, fmt: str, deck: Deck) -> tuple[bytes, Any] | None: ...

    def put(self, fmt: str, deck: Deck, data: bytes, rest: Any) -> None: ...


_Made = TypeVar("_Made")


def counts_back(plain: Any) -> dict[str, int]:
    """Question counts by kind, back from a kept file's plain data."""
    return {str(kind): int(n) for kind, n in plain.items()}


def kept_or_made(kept: Kept | None, fmt: str, deck: Deck, make: Callable[[], tuple[bytes, _Made]],
                 back: Callable[[Any], _Made]) -> tuple[bytes, _Made]:
    """``make()`` (the deck's file in ``fmt`` and what else it gives, as plain data), unless
    ``kept`` has it (``back`` turns the kept plain data into what ``make`` gives); kept when made."""
    if kept is not None and (found := kept.get(fmt, deck)) is not None:
        return found[0], back(found[1])
    data, rest = make()
    if kept is not None:
        kept.put(fmt, deck, data, rest)
    return data, rest


def rng(project: Project, item: Item, purpose: str) -> random.Random:
    """A random source fixed by the project namespace, the item id and a purpose (str seeds
    ignore PYTHONHASHSEED), so every build gives the same bytes."""
    namespace = project.config.id if project.config else ""
    return random.Random(f"{namespace}:{item.id}:{purpose}")


def stem(item: Item) -> str:
    """The question an item asks, as plain text (cloze: the text with its blanks as ____)."""
    if isinstance(item, (Basic, Mcq, Claims)):
        return item.question
    if isinstance(item, TrueFalse):
        return item.statement
    if isinstance(item, Quote):
        return f"Who said or wrote this? \u201c{item.quotation}\u201d ({item.context})"
    if isinstance(item, Cloze):
        return CLOZE.sub("____", item.text)
    assert isinstance(item, (Order, Match))
    return item.prompt


def cloze_parts(text: str) -> list[str | tuple[str, str]]:
    """A cloze item's text as plain pieces and (answer, hint) blanks, in order."""
    parts: list[str | tuple[str, str]] = []
    last = 0
    for m in CLOZE.finditer(text):
        if m.start() > last:
            parts.append(text[last : m.start()])
        parts.append((m[2], m[3] or ""))
        last = m.end()
    if last < len(text):
        parts.append(text[last:])
    return parts


def blanked(text: str, esc: Callable[[str], str] = str, hint: str = " ({})", numbered: bool = True) -> str:
    """A cloze text written out for a question a teacher marks: each blank as ``____``, numbered
    `` (1)``, `` (2)`` when there are several (and ``numbered``), its hint after it in ``hint``'s
    form; the text and hints passed through ``esc``."""
    parts = cloze_parts(text)
    number = numbered and sum(isinstance(p, tuple) for p in parts) > 1
    out, n = [], 0
    for part in parts:
        if isinstance(part, str):
            out.append(esc(part))
            continue
        n += 1
        out.append("____" + (f" ({n})" if number else "") + (hint.format(esc(part[1])) if part[1] else ""))
    return "".join(out)


def several_blanks(text: str) -> bool:
    """Whether a cloze text has more than one blank."""
    return sum(1 for _ in CLOZE.finditer(text)) > 1


_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
_PAREN = re.compile(r"\s*\(([^()]*)\)")
_QUOTES = "\"'\u201c\u201d\u2018\u2019"


def alternatives(answer: str) -> list[str]:
    """The answer, then forms a learner would fairly type for it: without a leading article,
    closing full stop, surrounding quotation marks or a parenthesis, and an acronym given in
    parentheses on its own. Case is ignored by every consumer, so variants differ in more than case."""
    seen: dict[str, str] = {}
    todo = [answer.strip()]
    while todo and len(seen) < 6:
        text = re.sub(r"\s+", " ", todo.pop(0)).strip()
        if not text or text.casefold() in seen:
            continue
        seen[text.casefold()] = text
        todo += [text.rstrip(".").strip(), text.strip(_QUOTES), _ARTICLE.sub("", text), _PAREN.sub("", text)]
        todo += [m[1] for m in _PAREN.finditer(text) if re.fullmatch(r"[A-Z][A-Za-z0-9-]{1,9}", m[1])
                 and sum(c.isupper() for c in m[1]) >= 2]
    return list(seen.values())


AUTO_MARK_MAX_WORDS = 4


def words(text: str) -> int:
    """How many words a typed answer has (runs of letters or digits)."""
    return len(re.findall(r"[^\W_]+(?:['\u2019.-][^\W_]+)*", text))


def typed_answers(answer: str, accept: Sequence[str] = ()) -> list[str] | None:
    """The answers a machine may accept for a typed answer, or None when it should not mark it:
    only a short answer (a name, number, date or term of at most AUTO_MARK_MAX_WORDS words) is
    auto-marked, with the item's own accepted variants (``accept``) and the fair forms of each
    (``alternatives``); a longer one is a question a teacher marks, with the model answer as
    guidance. One rule for every export (Moodle XML, GIFT, QTI, the self-test page)."""
    if words(answer) > AUTO_MARK_MAX_WORDS:
        return None
    found: dict[str, str] = {}
    for text in (answer, *accept):
        for alt in alternatives(text):
            found.setdefault(alt.casefold(), alt)
    return list(found.values())


Asked = Literal["typed", "choice", "teacher"]
TEACHER_KINDS = ("essay",)  # the question kinds a teacher marks, as the exports count them


def asked(project: Project, item: Item) -> tuple[Asked, list[list[str]]]:
    """How every export asks an item, by the one marking rule: ``("typed", accepted answers per
    blank)`` where each typed answer is short (basic, cloze, a quote item without enough other
    speakers to choose from); ``("choice", [])`` where the item or the bank gives the choices
    (multiple choice, true/false, matching, ordering, quote items); ``("teacher", [])`` where a
    typed answer is too long for a machine to mark and there are no choices to offer."""
    if isinstance(item, Quote) and len(_other_speakers(project, item)) >= 2:  # (two choices to offer)
        return "choice", []
    if isinstance(item, (Basic, Quote)):
        answer, accept = (item.answer, item.accept) if isinstance(item, Basic) else (item.speaker, ())
        found = typed_answers(answer, accept)
        return ("teacher", []) if found is None else ("typed", [found])
    if isinstance(item, Cloze):
        blanks = [typed_answers(p[0]) for p in cloze_parts(item.text) if isinstance(p, tuple)]
        return ("teacher", []) if any(b is None for b in blanks) else ("typed", [b for b in blanks if b is not None])
    return "choice", []


def model_answer(item: Item) -> str:
    """What a teacher marks against: the answer, the speaker, or a cloze sentence written out whole."""
    if isinstance(item, Basic):
        return item.answer
    if isinstance(item, Quote):
        return item.speaker
    assert isinstance(item, Cloze), item.kind
    return "".join(p if isinstance(p, str) else p[0] for p in cloze_parts(item.text))


def teacher_marked(project: Project) -> list[tuple[Item, Span, str]]:
    """Every item Moodle XML and GIFT ask as a question a teacher marks: the item, where its long
    answer stands, and why."""
    out: list[tuple[Item, Span, str]] = []
    for item in project.items:
        if asked(project, item)[0] != "teacher":
            continue
        if isinstance(item, Cloze):
            longest = max(words(p[0]) for p in cloze_parts(item.text) if isinstance(p, tuple))
            out.append((item, item.pos.of("text"), f"a blank of {longest} words"))
        else:
            field = "answer" if isinstance(item, Basic) else "speaker"
            out.append((item, item.pos.of(field), f"an answer of {words(model_answer(item))} words"))
    return out


def _other_speakers(project: Project, item: Quote) -> list[str]:
    return [s for s in project.speakers if s.casefold() != item.speaker.casefold()]


def quote_distractors(project: Project, item: Quote, count: int = 3) -> list[str]:
    """Wrong choices for a quote item: other quote items' speakers, chosen reproducibly. Fewer
    than two means the item is asked as a short answer instead."""
    pool = _other_speakers(project, item)
    return rng(project, item, "speakers").sample(pool, min(count, len(pool)))


def choose(decks: Sequence[Deck], deck_names: Sequence[str] = (), types: Sequence[str] = (),
           tags: Sequence[str] = ()) -> list[Deck]:
    """The decks named (by file stem or title; all when none), each keeping only items of the
    given types and carrying one of the given tags (all when none). Decks left empty are dropped."""
    chosen = list(decks)
    if deck_names:
        names = {d.casefold() for d in deck_names}
        keys = {id(d): {d.deck.casefold(), d.slug, d.path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].casefold()}
                for d in decks}
        chosen = [d for d in decks if keys[id(d)] & names]
        if unknown := sorted(names - set().union(*(keys[id(d)] for d in chosen))):
            raise ExportChoiceError(f"unknown deck {', '.join(unknown)}; decks: {', '.join(d.slug for d in decks)}")
    wanted = {t.casefold() for t in tags}
    out = []
    for deck in chosen:
        items = tuple(i for i in deck.items if (not types or i.kind in types)
                      and (not wanted or wanted & {t.casefold() for t in i.tags}))
        if items:
            out.append(dataclasses.replace(deck, items=items))
    if not out:
        raise ExportChoiceError("no items match the chosen decks, types and tags")
    return out
