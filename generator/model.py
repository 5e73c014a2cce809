"""The item format as frozen dataclasses: the single definition that the loader converts YAML into
and that ``studydeck schema`` turns into JSON Schema. No I/O here.

Field metadata (see :func:`spec`) carries the documentation and the constraints: ``pattern``,
``min_items``/``max_items``, ``minimum``/``maximum``. A field whose metadata says ``internal``
is not part of the format (positions, derived values).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from .diagnostics import Span

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TAG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
# Deck and collection names become Anki deck names, which Anki prints unescaped ({{Subdeck}}) and
# splits at "::": no markup characters, no "::"; and one line (no line break, tab or other control
# character: a carriage return renamed the deck in Anki and broke the GIFT file's category line).
NAME_PATTERN = r"^(?!.*::)[^<>{}\[\]\\&\x00-\x1f\x7f]+$"
MAX_ITEMS_PER_FILE = 20_000


def spec(doc: str, default: Any = dataclasses.MISSING, **constraints: Any) -> Any:
    """A documented format field, with optional constraints for the loader and the schema."""
    meta = {"doc": doc, **constraints}
    if default is dataclasses.MISSING:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Pos:
    """Where a mapping stood in its file, and where each of its fields' values stood."""

    span: Span
    fields: Mapping[str, Span] = field(default_factory=dict)

    def of(self, name: str) -> Span:
        return self.fields.get(name, self.span)


NOWHERE = Pos(Span("<nowhere>"))


@dataclass(frozen=True, kw_only=True)
class Located:
    pos: Pos = field(default=NOWHERE, compare=False, repr=False, metadata={"internal": True})


# --- sources ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SourceRef(Located):
    doc: str = spec("Id of a document in seeds/sources.yaml.", pattern=ID_PATTERN)
    excerpt: str = spec(
        "Text quoted verbatim from that document (normalised for whitespace, quotes and dashes)."
        " Find one with `studydeck find`."
    )


@dataclass(frozen=True, kw_only=True)
class Region(Located):
    start: str = spec("Verbatim text where the uncitable part begins.")
    end: str | None = spec("Verbatim text where it ends (exclusive); to the end of the document when absent.", None)
    reason: str = spec("Why it is not citable, e.g. 'anonymous reader comments'.")


@dataclass(frozen=True, kw_only=True)
class SourceDoc(Located):
    id: str = spec("Readable id items cite, e.g. wikipedia-siege.", pattern=ID_PATTERN)
    file: str = spec("File name under seeds/.")
    sha256: str = spec("SHA-256 of the file: seeds are never edited.", pattern=r"^[0-9a-f]{64}$")
    title: str = spec("Title as the document gives it.")
    kind: Literal["reference", "opinion", "news-digest"] = spec("What kind of source it is.")
    publisher: str | None = spec("Outlet or publisher, where known.", None)
    author: str | None = spec("Author, where the text gives one.", None)
    date: str | None = spec("Publication date as the text gives it.", None)
    note: str | None = spec("How the entry was read off the document.", None)
    attribution: tuple[str, ...] = spec(
        "Names that attribute a viewpoint to this source (author, outlet); required for opinion pieces:"
        " every item citing one must name one of them in its question.",
        (),
    )
    uncitable: tuple[Region, ...] = spec("Parts of the text that items may not cite.", ())


@dataclass(frozen=True, kw_only=True)
class Catalog(Located):
    sources: tuple[SourceDoc, ...] = spec("The source documents.", min_items=1)


# --- items ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Item(Located):
    id: str = spec("Unique across all decks, a lowercase slug; the item's identity forever.", pattern=ID_PATTERN)
    tags: tuple[str, ...] = spec("Extra tags (letters, digits, - _ .).", (), items_pattern=TAG_PATTERN)
    note: str | None = spec("Optional context shown on the back of the card and in the answer key.", None)
    highlight: tuple[str, ...] = spec(
        "Words of the cited excerpt(s) to mark on the card back, verbatim, where the answer's own words"
        " are not there to find (a paraphrase).", ())

    @property
    def kind(self) -> str:
        return str(getattr(self, "type"))  # noqa: B009 (each subclass declares its own Literal type)

    def sources(self) -> list[SourceRef]:
        """Every source the item cites, the item's own first."""
        found = [self.source] if getattr(self, "source", None) else []  # type: ignore[attr-defined]
        for part in parts(self):
            found.append(part.source)
        return found


@dataclass(frozen=True, kw_only=True)
class Basic(Item):
    type: Literal["basic"] = spec("A question and its answer.")
    question: str = spec("The question; states its own context.")
    answer: str = spec("The answer.")
    accept: tuple[str, ...] = spec(
        "Other answers that are just as correct when typed (a surname alone, another spelling); used where a"
        " short answer is marked by a machine (Moodle, GIFT, QTI, the self-test page).",
        (),
    )
    reverse: bool = spec("Also make a card from answer to question (needs reverse_question).", False)
    reverse_question: str | None = spec(
        "The reverse card's question, asked about the answer and answered by the question's subject, e.g."
        " 'What did the Special Service Group (SSG) do at the Lal Masjid in July 2007?'; required when reverse"
        " is true.",
        None,
    )
    source: SourceRef = spec("Where the answer comes from.")


@dataclass(frozen=True, kw_only=True)
class Mcq(Item):
    type: Literal["mcq"] = spec("Multiple choice.")
    question: str = spec("The question.")
    answer: str = spec("The correct choice.")
    distractors: tuple[str, ...] = spec("Wrong choices of the same kind.", min_items=2, max_items=5)
    source: SourceRef = spec("Where the answer comes from.")


@dataclass(frozen=True, kw_only=True)
class TrueFalse(Item):
    type: Literal["truefalse"] = spec("A statement to judge true or false.")
    statement: str = spec("The statement.")
    answer: bool = spec("Whether the statement is true.")
    correction: str | None = spec("What is true instead; required when the statement is false.", None)
    source: SourceRef = spec("Where the verdict comes from.")


@dataclass(frozen=True, kw_only=True)
class Cloze(Item):
    type: Literal["cloze"] = spec("A sentence with Anki cloze deletions.")
    text: str = spec("Text with {{c1::...}} markers (optionally {{c1::answer::hint}}).")
    source: SourceRef = spec("Where the sentence comes from.")


@dataclass(frozen=True, kw_only=True)
class Event(Located):
    text: str = spec("What happened.")
    date: str = spec("When, as '3 July 2007', 'July 2007' or '2007'.")
    source: SourceRef = spec("Where the event and its date come from.")


@dataclass(frozen=True, kw_only=True)
class Order(Item):
    type: Literal["order"] = spec("Events to put in chronological order.")
    prompt: str = spec("What to order.")
    events: tuple[Event, ...] = spec("The events, earliest first.", min_items=3, max_items=8)
    source: SourceRef | None = spec("Optional source for the item as a whole.", None)


@dataclass(frozen=True, kw_only=True)
class Pair(Located):
    left: str = spec("Left side, e.g. a person.")
    right: str = spec("Right side, e.g. their role.")
    source: SourceRef = spec("Where the pairing comes from.")


@dataclass(frozen=True, kw_only=True)
class Match(Item):
    type: Literal["match"] = spec("Pairs to match, e.g. actor to role.")
    prompt: str = spec("What to match.")
    left_label: str = spec("Heading of the left column.", "Name")
    right_label: str = spec("Heading of the right column.", "Role")
    pairs: tuple[Pair, ...] = spec("The pairs.", min_items=3, max_items=8)
    source: SourceRef | None = spec("Optional source for the item as a whole.", None)


@dataclass(frozen=True, kw_only=True)
class Quote(Item):
    type: Literal["quote"] = spec("Who said or wrote it?")
    quotation: str = spec("The words, lying inside the excerpt.")
    speaker: str = spec("Who said or wrote them.")
    context: str = spec("When and where, without naming the speaker.")
    source: SourceRef = spec("The excerpt holding the quotation.")


@dataclass(frozen=True, kw_only=True)
class Claim(Located):
    claimant: str = spec("Who made the claim.")
    value: str = spec("What they claimed, e.g. '154 deaths'.")
    source: SourceRef = spec("Where the claim is reported.")


@dataclass(frozen=True, kw_only=True)
class Claims(Item):
    type: Literal["claims"] = spec("A contested question and who claimed what.")
    question: str = spec("The contested question.")
    claims: tuple[Claim, ...] = spec("The claims, each attributed.", min_items=2, max_items=8)
    source: SourceRef | None = spec("Optional source for the item as a whole.", None)


AnyItem = Union[Basic, Mcq, TrueFalse, Cloze, Order, Match, Quote, Claims]
ITEM_TYPES: dict[str, type[Item]] = {
    "basic": Basic,
    "mcq": Mcq,
    "truefalse": TrueFalse,
    "cloze": Cloze,
    "order": Order,
    "match": Match,
    "quote": Quote,
    "claims": Claims,
}


@dataclass(frozen=True, kw_only=True)
class Deck(Located):
    deck: str = spec("The deck's title, e.g. 'Chronology' (no markup characters, no '::').", pattern=NAME_PATTERN)
    description: str | None = spec("What the deck covers.", None)
    items: tuple[AnyItem, ...] = spec("The items.", max_items=MAX_ITEMS_PER_FILE)

    @property
    def path(self) -> str:
        return self.pos.span.path

    @property
    def slug(self) -> str:
        """The deck file's name as a slug (``decks/chronology.yaml`` -> ``chronology``)."""
        return slug(file_stem(self.path), "deck")


# --- project file -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BuildDefaults(Located):
    out: str = spec("Output folder, relative to the project root.", "dist")
    paper: Literal["a4", "us-letter"] = spec("Worksheet paper size.", "a4")
    versions: int = spec("Worksheet versions per quiz.", 2, minimum=1, maximum=26)
    seed: int = spec("Seed for shuffling choices and questions.", 2007, minimum=0, maximum=999_999_999)
    questions: int = spec("Questions in the mixed quiz.", 20, minimum=1, maximum=500)
    exports: tuple[Literal["moodle", "gift", "html", "qti"], ...] = spec(
        "Exports `build` writes beside the package: Moodle XML, GIFT, the self-test page, QTI 1.2 for Canvas"
        " ([] for none).",
        ("moodle", "gift", "html", "qti"),
    )
    worksheets: tuple[str, ...] = spec(
        "Worksheets `build` makes: [all] (one per deck and the mixed quiz), [mixed] (the mixed quiz only),"
        " deck file stems (e.g. [chronology, mixed]), or [] for none.",
        ("all",),
    )


@dataclass(frozen=True, kw_only=True)
class PointsScheme(Located):
    per: Literal["question", "part"] = spec(
        "question: every question is worth 1 point, its parts (pairs, events, blanks, a short answer's key words)"
        " sharing it equally; part: 1 point per part, at most cap a question.",
        "question",
    )
    cap: int | None = spec("With per: part, the most points one question is worth (none: no cap).", None,
                           minimum=1, maximum=50)


@dataclass(frozen=True, kw_only=True)
class QuizDefaults(Located):
    minutes: int | None = spec("Time allowed, in minutes, printed on every worksheet.", None, minimum=1, maximum=600)
    instructions: str | None = spec("Instructions printed under the title of every worksheet.", None)
    points: PointsScheme = spec("How questions are scored on every worksheet and key.", PointsScheme())


@dataclass(frozen=True, kw_only=True)
class ProjectConfig(Located):
    collection: str = spec("The collection's name: the parent Anki deck and the package name.", pattern=NAME_PATTERN)
    id: str = spec("Namespace for note GUIDs and Anki ids; never change it once published.", pattern=ID_PATTERN)
    description: str | None = spec("What the collection is for.", None)
    build: BuildDefaults = spec("Build defaults.", BuildDefaults())
    quiz: QuizDefaults = spec("What every worksheet prints: time allowed, instructions.", QuizDefaults())


# --- helpers ----------------------------------------------------------------------------------------


MIXED_QUIZ = "mixed"  # the mixed quiz's file name stem, and its word in build.worksheets


def file_stem(path: str) -> str:
    """A file's name without folder or extension, whichever separator the path uses."""
    return path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]


def slug(text: str, default: str) -> str:
    """Lowercase letters and digits joined by hyphens (for tags and file names)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or default


def format_fields(cls: type) -> list[dataclasses.Field[Any]]:
    """The fields that belong to the YAML format (not positions or derived values)."""
    return [f for f in dataclasses.fields(cls) if not f.metadata.get("internal")]


def parts(item: Item) -> list[Event | Pair | Claim]:
    """The sourced parts of an item (events, pairs, claims); empty for other types."""
    if isinstance(item, Order):
        return list(item.events)
    if isinstance(item, Match):
        return list(item.pairs)
    if isinstance(item, Claims):
        return list(item.claims)
    return []


@functools.cache
def annotation_shape(tp: Any) -> tuple[str, Any, bool]:
    """What a field's type annotation asks for, worked out once per annotation (the loader and
    the cache's plain form both dispatch on it for every value): ("union", the one type, or None
    for the union of item types, optional), ("record", the class, _), ("tuple", the item type, _)
    or ("scalar", None, _)."""
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return "union", args[0] if len(args) == 1 else None, len(args) < len(typing.get_args(tp))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return "record", tp, False
    if typing.get_origin(tp) is tuple:
        return "tuple", typing.get_args(tp)[0], False
    return "scalar", None, False
