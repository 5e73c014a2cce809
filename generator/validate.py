"""Validate stage: the loaded project against the corpus -> every problem, never stopping early.

Schema problems were found while loading; these are the cross-checks: unique ids, cited sources
that exist, excerpts verbatim in their documents (and citable), answers supported by their own
excerpts, well-formed choices, cloze markers and event order, and opinions attributed.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from . import facts, terms
from .cloze import CLOZE, MAX_CLOZE_DIGITS
from .diagnostics import (
    AnswerInQuestion,
    BadValue,
    ClozeSyntax,
    Correction,
    Diagnostic,
    DuplicateChoice,
    DuplicateId,
    ExcerptNotFound,
    HighlightNotInExcerpt,
    LongExcerpt,
    MissingField,
    NearDuplicate,
    NoFontForCharacter,
    OrderNotChronological,
    QuoteNotInExcerpt,
    RepeatedClaimant,
    SelfAnsweringPair,
    Span,
    UnattributedOpinion,
    UncitableExcerpt,
    UnknownSource,
    UnsupportedAnswer,
)
from .load import Project
from .model import (
    Basic,
    Claims,
    Cloze,
    Item,
    Located,
    Match,
    Mcq,
    Order,
    Quote,
    SourceRef,
    TrueFalse,
    format_fields,
    parts,
)
from .sources import Corpus, normalise
from .wording import clip
from .worksheet.glyphs import undrawn
from .yamltree import character_name

LONG_EXCERPT = 600




def validate(project: Project, corpus: Corpus) -> list[Diagnostic]:
    """Every cross-check problem of the project's well-formed items."""
    from .duplicates import duplicate_record

    ids = [(item.id, item.pos.of("id")) for item in project.items]
    records = [duplicate_record(item, corpus) for item in project.items]
    return unique_ids(ids) + near_duplicates(list(zip(ids, records, strict=True))) + validate_items(project.items, corpus)


def validate_items(items: list[Item], corpus: Corpus, drawn: bool = False) -> list[Diagnostic]:
    """The checks of each item on its own (all but id uniqueness): cacheable per deck file.
    ``drawn``: the text the items were read from is :func:`drawn_throughout`."""
    diags: list[Diagnostic] = []
    for item in items:
        diags += _check_item(item, corpus, drawn)
    return diags


def drawn_throughout(text: str) -> bool:
    """Whether a worksheet font draws every character of a deck file's text (or of an item's),
    and no escape in it can make one (it has no backslash): then no text of its items has a
    character that none draws, and ``_undrawn`` need not look at each. tests/test_drawn.py
    holds the two equal."""
    return "\\" not in text and not undrawn(_drawn_ascii().sub("", text))  # (what is left: a few characters)


@functools.cache
def _drawn_ascii() -> re.Pattern[str]:
    """Runs of the ASCII characters that :func:`undrawn` lets pass, each on its own (white space,
    and the ones a worksheet font draws)."""
    return re.compile("[" + re.escape("".join(ch for ch in map(chr, range(128)) if not undrawn(ch))) + "]+")


def unique_ids(ids: list[tuple[str, Span]]) -> list[Diagnostic]:
    """Ids unique across all decks (compared after NFKC and case folding), given as (id, where)."""
    diags = []
    seen: dict[str, Span] = {}
    for ident, span in ids:
        folded = unicodedata.normalize("NFKC", ident).casefold()
        if folded in seen:
            first = seen[folded]
            diags.append(DuplicateId.at(span, f"id {ident!r} is already used at {first.path}:{first.line}"))
        else:
            seen[folded] = span
    return diags


def near_duplicates(records: list[tuple[tuple[str, Span], dict[str, Any]]]) -> list[Diagnostic]:
    """Items that repeat an earlier item of the project, given as ((id, where), the item's
    ``relations.duplicate_record``), in project order."""
    from .duplicates import duplicates_among

    diags = []
    for n, m, reasons in duplicates_among([record for _, record in records]):
        (ident, span), (first, where) = records[n][0], records[m][0]
        what = "quotes the same words as" if "quotation" in reasons else "has the same excerpt and answer as"
        diags.append(NearDuplicate.at(span, f"item {ident!r} {what} {first!r} at {where.path}:{where.line}"))
    return diags


_PRINTED: dict[type, tuple[str, ...]] = {}


def _printed_fields(cls: type) -> tuple[str, ...]:
    """The fields of a record type that a worksheet may print (ids, tags and source names aside),
    worked out once per type."""
    if (names := _PRINTED.get(cls)) is None:
        names = _PRINTED[cls] = tuple(f.name for f in format_fields(cls) if f.name != "type" and "pattern"
                                      not in f.metadata and "items_pattern" not in f.metadata)
    return names


def _texts(record: Located) -> Iterator[tuple[Located, str, str]]:
    """Every text of a record that a worksheet may print, with the record and field it stands in
    (its place is worked out only for a text with a problem), its parts' and sources' too."""
    for name in _printed_fields(type(record)):
        value = getattr(record, name)
        for one in value if isinstance(value, tuple) else (value,):
            if isinstance(one, str):
                yield record, name, one
            elif isinstance(one, Located):
                yield from _texts(one)


def _undrawn(item: Item) -> list[Diagnostic]:
    """Characters no worksheet font draws: the worksheets would print a box for each."""
    diags = []
    for record, name, text in _texts(item):
        if missing := undrawn(text):
            names = ", ".join(character_name(ch) for ch in missing[:3]) + (
                f" and {len(missing) - 3} more" if len(missing) > 3 else "")
            diags.append(NoFontForCharacter.at(
                record.pos.of(name),
                f"no worksheet font draws {names}: the worksheets print a box for each (Anki and the exports show them)"))
    return diags


def _check_item(item: Item, corpus: Corpus, drawn: bool = False) -> list[Diagnostic]:
    diags: list[Diagnostic] = [] if drawn else _undrawn(item)
    for ref in item.sources():
        diags += _check_excerpt(ref, corpus)
    diags += _attribution(item, corpus)
    if item.highlight:
        excerpts = [normalise(ref.excerpt).casefold() for ref in item.sources()]
        for phrase in item.highlight:
            if not any(normalise(phrase).casefold() in e for e in excerpts):
                diags.append(HighlightNotInExcerpt.at(item.pos.of("highlight"),
                                                      f"highlight {phrase!r} is in none of the item's excerpts"))
    if isinstance(item, Basic):
        if item.reverse and not (item.reverse_question or "").strip():
            diags.append(MissingField.at(item.pos.of("reverse"), "reverse: true needs reverse_question, the question"
                                         " the reverse card asks about the answer"))
        diags += _supported(item.answer, item.source, item.pos.of("answer"))
        diags += _answer_in_question(item.question, item.answer, item.pos.of("question"))
    elif isinstance(item, Mcq):
        diags += _distinct([item.answer, *item.distractors], item.pos.of("distractors"), "choice")
        diags += _supported(item.answer, item.source, item.pos.of("answer"))
        diags += _answer_in_question(item.question, item.answer, item.pos.of("question"))
    elif isinstance(item, TrueFalse):
        if item.answer:  # a true statement asserts its numbers and dates: the excerpt must give them
            diags += _supported(item.statement, item.source, item.pos.of("statement"))
        if not item.answer and not item.correction:
            diags.append(Correction.at(item.pos.of("answer"), "a false statement needs a correction"))
        if item.answer and item.correction:
            diags.append(Correction.at(item.pos.of("correction"), "a true statement takes no correction"))
        if item.correction:
            diags += _supported(item.correction, item.source, item.pos.of("correction"))
    elif isinstance(item, Cloze):
        diags += _cloze(item)
    elif isinstance(item, Order):
        diags += _order(item)
    elif isinstance(item, Match):
        diags += _distinct([p.left for p in item.pairs], item.pos.of("pairs"), "left side")
        diags += _distinct([p.right for p in item.pairs], item.pos.of("pairs"), "right side")
        for pair in item.pairs:
            diags += _supported(pair.right, pair.source, pair.pos.of("right"))
            diags += _self_answering(pair.left, pair.right, pair.pos.span)
    elif isinstance(item, Quote):
        if normalise(item.quotation) not in normalise(item.source.excerpt):
            diags.append(QuoteNotInExcerpt.at(item.pos.of("quotation"), "the quotation is not inside the excerpt"))
    elif isinstance(item, Claims):
        claimants: dict[str, str] = {}
        for claim in item.claims:
            diags += _supported(claim.value, claim.source, claim.pos.of("value"))
            diags += _self_answering(claim.claimant, claim.value, claim.pos.span)
            label = normalise(claim.claimant).casefold()
            if label in claimants:
                diags.append(RepeatedClaimant.at(
                    claim.pos.of("claimant"),
                    f"claimant {claim.claimant!r} appears twice; each row must name a different claimant"
                    " so that only one matching is right"))
            claimants[label] = claim.claimant
    return diags


def _check_excerpt(ref: SourceRef, corpus: Corpus) -> list[Diagnostic]:
    doc = corpus.get(ref.doc)
    if doc is None and ref.doc in corpus.unusable:
        return []  # its seed file could not be used; that is reported once, at the catalog
    if doc is None:
        hint = difflib.get_close_matches(ref.doc, corpus.documents, 1)
        more = f"; did you mean {hint[0]!r}?" if hint else f"; known: {', '.join(corpus.documents)}"
        return [UnknownSource.at(ref.pos.of("doc"), f"no source {ref.doc!r} in seeds/sources.yaml{more}")]
    where = ref.pos.of("excerpt")
    hit = doc.locate(ref.excerpt)
    if hit is None:
        notes = [f"it is in {other_id} (seeds/{other.entry.file}, line {found.line}): cite that source instead"
                 for other_id, other in corpus.documents.items()
                 if other_id != ref.doc and (found := other.locate(ref.excerpt)) is not None]
        near = doc.closest(ref.excerpt)
        if near:
            passage, line, differs = near
            notes += [f'did you mean: "{clip(passage, 160)}" (line {line})', f'first difference near: "{differs}"']
        return [ExcerptNotFound.at(where, f"excerpt is not in seeds/{doc.entry.file} ({ref.doc})", *notes)]
    diags = []
    reason = doc.excluded_reason(hit)
    if reason:
        diags.append(UncitableExcerpt.at(where, f"excerpt lies in {reason} (line {hit.line}), which items may not cite"))
    if hit.end - hit.start > LONG_EXCERPT:
        diags.append(
            LongExcerpt.at(where, f"excerpt is {hit.end - hit.start} characters; keep it under {LONG_EXCERPT}")
        )
    return diags


def _supported(answer: str, ref: SourceRef, span: Span) -> list[Diagnostic]:
    missing = facts.unsupported(normalise(answer), normalise(ref.excerpt))
    if not missing:
        return []
    return [
        UnsupportedAnswer.at(span, f"not in the cited excerpt: {', '.join(repr(m) for m in missing)}")
    ]


def _answer_in_question(question: str, answer: str, span: Span) -> list[Diagnostic]:
    q, a = normalise(question).casefold(), normalise(answer).casefold()
    if len(a) >= 3 and re.search(rf"(?<!\w){re.escape(a)}(?!\w)", q):
        return [AnswerInQuestion.at(span, f"the question contains its own answer {answer!r}")]
    return []


def _self_answering(left: str, right: str, span: Span) -> list[Diagnostic]:
    shared = (terms.content(normalise(left)) & terms.content(normalise(right))) - terms.COMMON  # "mosque" tells nothing
    if not shared:
        return []
    words = ", ".join(repr(w) for w in sorted(shared))
    return [SelfAnsweringPair.at(span, f"{left!r} and {right!r} share {words}: the pair answers itself")]


def _distinct(choices: list[str], span: Span, what: str) -> list[Diagnostic]:
    seen: set[str] = set()
    diags = []
    for choice in choices:
        key = normalise(choice).casefold()
        if key in seen:
            diags.append(DuplicateChoice.at(span, f"{what} {choice!r} appears twice"))
        seen.add(key)
    return diags


def _cloze(item: Cloze) -> list[Diagnostic]:
    span = item.pos.of("text")
    markers = list(CLOZE.finditer(item.text))
    rest = CLOZE.sub("", item.text)
    diags = []
    if "{{" in rest or "}}" in rest:
        diags.append(ClozeSyntax.at(span, "malformed or nested cloze marker; write {{c1::answer}} or {{c1::answer::hint}}"))
    if not markers:
        diags.append(ClozeSyntax.at(span, "a cloze item needs at least one {{c1::...}} marker"))
        return diags
    if any(len(m[1]) > MAX_CLOZE_DIGITS for m in markers):
        diags.append(ClozeSyntax.at(span, f"cloze numbers must run c1, c2, ... without gaps; found one of more than"
                                          f" {MAX_CLOZE_DIGITS} digits"))
    else:
        numbers = sorted({int(m[1]) for m in markers})
        if numbers[0] != 1 or numbers != list(range(1, len(numbers) + 1)):
            diags.append(ClozeSyntax.at(span, f"cloze numbers must run c1, c2, ... without gaps; found {numbers}"))
    for m in markers:
        if not m[2].strip():
            diags.append(ClozeSyntax.at(span, f"empty cloze deletion c{m[1]}"))
        else:
            diags += _supported(m[2], item.source, span)
    return diags


def _order(item: Order) -> list[Diagnostic]:
    diags = []
    previous: tuple[facts.Date, str] | None = None
    for event in item.events:
        date = facts.parse_date(event.date)
        if date is None:
            diags.append(BadValue.at(event.pos.of("date"),
                                     f"date {event.date!r} is not like '3 July 2007', 'July 2007' or '2007'"))
            previous = None
            continue
        why = facts.date_unsupported(date, normalise(event.source.excerpt))
        if why:
            diags.append(UnsupportedAnswer.at(event.pos.of("date"),
                                              f"{why!r} of the date does not appear in the event's excerpt"))
        if previous and not _before(previous[0], date):
            diags.append(
                OrderNotChronological.at(
                    event.pos.of("date"),
                    f"{event.date} does not come strictly after {previous[1]}; list events earliest first",
                )
            )
        previous = (date, event.date)
    return diags


def _before(a: facts.Date, b: facts.Date) -> bool:
    """True when ``a`` is certainly earlier than ``b`` (partial dates compare as ranges)."""
    if a.year != b.year:
        return a.year < b.year
    if not a.month or not b.month or a.month != b.month:
        return bool(a.month and b.month and a.month < b.month)
    return bool(a.day and b.day and a.day < b.day)


def _attribution(item: Item, corpus: Corpus) -> list[Diagnostic]:
    """Items citing an opinion piece must name its author or outlet where the learner reads it."""
    diags = []
    own = " ".join(str(getattr(item, f, "")) for f in ("question", "statement", "prompt", "text", "context"))
    for ref, part_text in [(getattr(item, "source", None), ""), *((p.source, _part_text(p)) for p in parts(item))]:
        doc = corpus.get(ref.doc) if ref else None
        if ref is None or doc is None or doc.entry.kind != "opinion":
            continue
        names = doc.entry.attribution
        visible = f"{own} {part_text}".casefold()
        if not any(name.casefold() in visible for name in names):
            span = ref.pos.of("doc")
            diags.append(
                UnattributedOpinion.at(
                    span,
                    f"{ref.doc} is an opinion piece: name {' or '.join(names) or 'its author'} in the question"
                    " so the viewpoint is attributed",
                )
            )
    return diags


def _part_text(part: object) -> str:
    return " ".join(str(getattr(part, f, "")) for f in ("claimant", "text", "left", "right"))
