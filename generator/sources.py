"""The seed corpus: catalog entries, their texts and excerpt lookup.

Seeds and excerpts are compared in their normal form (``normalise``, documented in
docs/format.md); matching is then exact and case-sensitive. Each normalised character of a seed
remembers its offset in the original text, so a match reports its original line.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import BadValue, Diagnostic, SeedModified, UnsafePath
from .model import Catalog, SourceDoc
from .normalise import _SENTENCE_END, _WORD, _normalise_nfc
from .normalise import normalise as normalise
from .normalise import normalise_with_offsets as normalise_with_offsets
from .paths import inside, read_hashed

MAX_SEED_BYTES = 8 * 1024 * 1024
_FOLDED_SPACE = re.compile(r"\A\s+|\s\s+")  # the runs of white space that folding shortens


@dataclass(frozen=True)
class Hit:
    doc: str
    start: int  # offsets in the normalised text
    end: int
    source: Document | None = field(default=None, compare=False, repr=False)

    @property
    def line(self) -> int:
        """1-based line in the seed file where the hit starts (worked out only when asked)."""
        return self.source.line_of(self.start) if self.source is not None else 1


@dataclass(frozen=True)
class Shown:
    """An excerpt as its source writes it (runs of white space folded to one space, nothing else
    changed), with its normal form. Learners see ``text``; ``norm`` is only for matching
    (answers, highlights). ``raw`` is the source's own text of the excerpt and ``offsets`` the
    offset of each normalised character in the document, ``base`` that of ``raw``; without
    them ``text`` is ``norm``."""

    text: str
    norm: str
    raw: str = ""
    offsets: Sequence[int] = ()
    base: int = 0

    @functools.cached_property
    def _runs(self) -> tuple[list[int], list[int], list[int]]:
        """The runs of white space in ``raw`` that fold to fewer characters in ``text`` (two or
        more fold to one space, any at the start to none): their starts, their ends, and how many
        characters ``text`` has lost up to the end of each. (A single one between words, most of
        them, loses none: ``_index`` places it as it places the characters around it.)"""
        spans = [m.span() for m in _FOLDED_SPACE.finditer(self.raw)]
        starts = [start for start, _ in spans]
        ends = [end for _, end in spans]
        lost = list(itertools.accumulate(end - start - (start > 0) for start, end in spans))
        return starts, ends, lost

    def _index(self, i: int) -> int:
        """Where character ``raw[i]`` stands in ``text`` (a space: where its run's one space does;
        -1 for white space before the first word). tests/test_sources.py holds it equal to
        folding the white space of ``raw[:i]``."""
        starts, ends, lost = self._runs
        k = bisect.bisect_right(starts, i) - 1  # the last run starting at or before i
        if k >= 0 and i < ends[k]:  # a space, in run k
            return starts[k] - (lost[k - 1] if k > 0 else 0) if starts[k] > 0 else -1
        return i - (lost[k] if k >= 0 else 0)

    def span_of(self, start: int, end: int) -> tuple[int, int]:
        """The part of ``text`` that the normalised span ``norm[start:end]`` came from."""
        if not self.offsets:
            return start, end
        if len(self.text) == len(self.raw):  # no run of white space folded: the same places
            return self.offsets[start] - self.base, self.offsets[end - 1] - self.base + 1
        return self._index(self.offsets[start] - self.base), self._index(self.offsets[end - 1] - self.base) + 1


@dataclass
class Document:
    """One seed text, normalised once, with indexes built on first use. The normal form comes
    from the regular-expression ``normalise``; the offsets of each normalised character in the
    text (one step per punctuation mark or unusual space) only when a line number or the
    verbatim text of a passage is asked for, or, in a build (``with_offsets``), with the normal
    form in the same pass."""

    entry: SourceDoc
    raw: bytes  # the file
    excluded: list[tuple[int, int, str]] = field(default_factory=list)
    _text: str | None = None
    _norm: str | None = None
    _offsets: array[int] | None = None
    _line_starts: list[int] | None = None
    _lower: str | None = None
    _shingles: dict[tuple[str, ...], list[int]] | None = None
    _words: list[tuple[int, str]] | None = None
    with_offsets: bool = False  # the offsets will be wanted (a build): the normal form comes with them
    _found: dict[str, Hit | None] = field(default_factory=dict, compare=False, repr=False)  # see locate
    # The file, when ``raw`` was not read because its hash is known (``read_corpus``): read on
    # first use, and taken only if it still has the catalogued SHA-256 (else, changed since this
    # run began, it is empty for this run: what cites it is not found, and the next run says why).
    path: Path | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The file's text, in NFC (decoded on first use)."""
        if self._text is None:
            if self.path is not None:
                data, digest, _ = read_hashed(self.path, "seed file", MAX_SEED_BYTES)
                self.raw = data if data is not None and digest == self.entry.sha256 else b""
                self.path = None
            self._text = unicodedata.normalize("NFC", self.raw.decode("utf-8", "replace"))
            self.raw = b""  # the text is all that is used from now on
        return self._text

    @property
    def norm(self) -> str:
        """The normal form of the text (worked out on first use: a check whose items were all
        checked before needs none)."""
        if self._norm is None:
            if self.with_offsets:
                return self._with_offsets()[0]
            self._norm = _normalise_nfc(self.text)
        return self._norm

    @property
    def offsets(self) -> Sequence[int]:
        """For each character of ``norm``, its offset in ``text`` (kept as an array of 32-bit
        integers: a list of Python ints costs about 36 bytes a character, 200 MB for the seeds of
        a 10,000-item bank)."""
        return self._with_offsets()[1]

    def _with_offsets(self) -> tuple[str, array[int]]:
        if self._offsets is None:
            norm, offsets = normalise_with_offsets(self.text)
            if self._norm is None:
                self._norm = norm
            assert norm == self._norm, "normalise and normalise_with_offsets agree (tests/test_sources.py)"
            self._offsets = array("I", offsets)  # 4 bytes each: seeds are capped far below 4 GB
        assert self._norm is not None
        return self._norm, self._offsets

    def line_of(self, norm_offset: int) -> int:
        """1-based line in the original file of a normalised offset."""
        original = self.offsets[min(norm_offset, len(self.offsets) - 1)] if self.offsets else 0
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return bisect.bisect_right(self._line_starts, original)

    def locate(self, excerpt: str) -> Hit | None:
        """Where an excerpt's normal form first stands in the document (the check, the duplicate
        search and the compiler all ask for the same excerpts: each is looked for, and its hit
        made, once)."""
        if excerpt in self._found:
            return self._found[excerpt]
        target = normalise(excerpt)
        start = self.norm.find(target) if target else -1
        found = self._found[excerpt] = Hit(self.entry.id, start, start + len(target), self) if start >= 0 else None
        return found

    def shown(self, hit: Hit) -> Shown:
        """The hit as the source writes it (see :class:`Shown`)."""
        offsets = self.offsets
        first = offsets[hit.start]
        raw = self.text[first : offsets[hit.end - 1] + 1]
        return Shown(" ".join(raw.split()), self.norm[hit.start : hit.end], raw, offsets[hit.start : hit.end], first)

    def excluded_reason(self, hit: Hit) -> str | None:
        for start, end, reason in self.excluded:
            if hit.start < end and hit.end > start:
                return reason
        return None

    def words(self) -> list[tuple[int, str]]:
        if self._words is None:
            self._words = [(m.start(), m.group().lower()) for m in _WORD.finditer(self.norm)]
        return self._words

    def closest(self, excerpt: str) -> tuple[str, int, str] | None:
        """The passage most like ``excerpt``: (passage, line, where it first differs), or None.

        Votes by shared word trigrams (then single long words) for an alignment, so the cost is
        linear in the excerpt's length whatever the document's size.
        """
        target = normalise(excerpt)
        ex_words = [m.group().lower() for m in _WORD.finditer(target)]
        words = self.words()
        if not ex_words or not words:
            return None
        if self._shingles is None:
            self._shingles = defaultdict(list)
            for i in range(len(words) - 2):
                self._shingles[(words[i][1], words[i + 1][1], words[i + 2][1])].append(i)
        votes: Counter[int] = Counter()
        for j in range(len(ex_words) - 2):
            for i in self._shingles.get((ex_words[j], ex_words[j + 1], ex_words[j + 2]), ())[:50]:
                votes[i - j] += 1
        if not votes:
            long_words = {w for w in ex_words if len(w) > 5}
            for i, (_, w) in enumerate(words):
                if w in long_words:
                    votes[i - ex_words.index(w)] += 1
        if not votes:
            return None
        first = max(0, min(votes.most_common(1)[0][0], len(words) - 1))
        start = words[first][0]
        passage = self.norm[start : start + len(target) + 20].rsplit(" ", 1)[0]
        same = 0
        while same < min(len(target), len(self.norm) - start) and target[same] == self.norm[start + same]:
            same += 1
        differs = target[max(0, same - 15) : same + 25]
        return passage, self.line_of(start), differs

    def search(self, phrase: str) -> list[Hit]:
        """Case-insensitive occurrences of a phrase, after normalisation."""
        if self._lower is None:
            lowered = self.norm.lower()
            self._lower = lowered if len(lowered) == len(self.norm) else self.norm
        target = normalise(phrase).lower()
        hits, start = [], self._lower.find(target) if target else -1
        while start >= 0:
            hits.append(Hit(self.entry.id, start, start + len(target), self))
            start = self._lower.find(target, start + 1)
        return hits

    def passage(self, hit: Hit, limit: int = 600) -> Hit:
        """The whole sentence(s) around a hit, ready to paste as an excerpt; a run-on text (the
        token-style article has no full stops) is cut at words, about ``limit // 2`` characters."""
        ends = _SENTENCE_END
        start = max((m.end() for m in ends.finditer(self.norm, 0, hit.start)), default=0)
        after = ends.search(self.norm, hit.end)
        end = after.end(1) if after else len(self.norm)
        if end - start > limit:
            room = max(0, (limit // 2 - (hit.end - hit.start)) // 2)
            if hit.start - start > room:
                start = self.norm.find(" ", hit.start - room, hit.start) + 1 or hit.start
            if end - hit.end > room:
                cut = self.norm.rfind(" ", hit.end, hit.end + room)
                end = cut if cut > 0 else hit.end
        while start < hit.start and self.norm[start] == " ":
            start += 1
        return Hit(hit.doc, start, end, self)

    def paragraphs(self) -> list[tuple[int, int, int]]:
        """(normalised start, normalised end, line) of each paragraph (blocks between blank lines)."""
        spans = []
        for m in re.finditer(r"[^\n](?:.|\n(?!\s*\n))*", self.text):
            lo = bisect.bisect_left(self.offsets, m.start())
            hi = bisect.bisect_left(self.offsets, m.end())
            if hi > lo:
                spans.append((lo, hi, self.text.count("\n", 0, m.start()) + 1))
        return spans


@dataclass
class Corpus:
    documents: dict[str, Document]
    unusable: frozenset[str] = frozenset()  # catalogued, but missing, unsafe or edited (already reported)

    def get(self, doc_id: str) -> Document | None:
        return self.documents.get(doc_id)

    def normalise_all(self) -> None:
        """Every document's normal form (and offsets, where they are wanted) made now: before
        forking workers that would each make their own."""
        for doc in self.documents.values():
            doc.norm  # noqa: B018  (the property makes and keeps it)

    def shown(self, doc_id: str, excerpt: str) -> Shown:
        """A cited excerpt as its source writes it; the normal form where it is not found (an
        unchecked item: checked items always are)."""
        doc = self.documents.get(doc_id)
        hit = doc.locate(excerpt) if doc else None
        if doc is None or hit is None or hit.end <= hit.start:
            norm = normalise(excerpt)
            return Shown(norm, norm)
        return doc.shown(hit)


def load_corpus(root: Path, catalog: Catalog, for_excerpts: bool = False) -> tuple[Corpus, list[Diagnostic]]:
    """Read every catalogued seed, checking its hash and its uncitable regions' markers (see
    :func:`read_corpus`)."""
    corpus, diags, _ = read_corpus(root, catalog, {}, for_excerpts)
    return corpus, diags


def read_corpus(root: Path, catalog: Catalog, known: dict[str, Any], for_excerpts: bool = False,
                read: Callable[..., tuple[bytes | None, str, list[Diagnostic]]] = read_hashed,
                known_hash: Callable[[Path], str | None] = lambda path: None,
                ) -> tuple[Corpus, list[Diagnostic], dict[str, Any]]:
    """Read every catalogued seed, checking its hash and its uncitable regions' markers; with
    where each seed's regions stand (by source id), taken from ``known`` where it has them:
    they depend only on the catalog, which names each seed's SHA-256.
    ``for_excerpts``: passages will be shown as written (a build compiles notes), so each
    document's normal form is worked out with its offsets, in one pass instead of two.
    ``read``: ``paths.read_hashed`` or one like it; ``known_hash``: a file's SHA-256
    when it is known without reading it (a seed it gives is read only when its text is used)."""
    regions: dict[str, Any] = dict(known)
    diags: list[Diagnostic] = []
    documents: dict[str, Document] = {}
    unusable: set[str] = set()
    for entry in catalog.sources:
        unusable.add(entry.id)
        why = inside(root / "seeds", entry.file)
        if why:
            diags.append(UnsafePath.at(entry.pos.of("file"), f"file {entry.file!r} {why}; seeds live in seeds/"))
            continue
        path = root / "seeds" / entry.file
        # (inside seeds/, checked above; seeds/ itself is inside the project, or its catalog, read
        # from it, would have been refused: one path resolution per seed, not two per component)
        digest = known_hash(path)
        data: bytes | None = None  # (None: not read, its hash being known)
        if digest != entry.sha256:
            data, digest, problems = read(path, f"seed file seeds/{entry.file}", MAX_SEED_BYTES)
            if data is None:
                diags += [Diagnostic(entry.pos.of("file"), d.severity, d.code, d.message) for d in problems]
                continue
        if digest != entry.sha256:
            diags.append(
                SeedModified.at(
                    entry.pos.of("sha256"),
                    f"seeds/{entry.file} does not match its catalog entry; seeds are copied verbatim and never"
                    " edited, and its text is not used",
                    f"catalog says: {entry.sha256}",
                    f"file has:     {digest}",
                )
            )
            continue  # an edited or foreign file: none of its text is ever shown (no "did you mean")
        if entry.id in documents:
            diags.append(BadValue.at(entry.pos.of("id"), f"source id {entry.id!r} is catalogued twice"))
            continue
        doc = Document(entry, data or b"", with_offsets=for_excerpts, path=path if data is None else None)
        found = regions.get(entry.id)
        if not (isinstance(found, list) and len(found) == len(entry.uncitable)):
            found = _regions(doc)
            regions[entry.id] = found
        for region, span in zip(entry.uncitable, found, strict=True):
            if isinstance(span, list) and len(span) == 2:
                doc.excluded.append((int(span[0]), int(span[1]), region.reason))
            else:
                where = region.pos.of("end" if span == "end" else "start")
                diags.append(BadValue.at(where, f"uncitable region marker is not in seeds/{entry.file}"))
        documents[entry.id] = doc
        unusable.discard(entry.id)
    return Corpus(documents, frozenset(unusable - set(documents))), diags, regions


def _regions(doc: Document) -> list[Any]:
    """Each uncitable region of a document as [start, end] in its normal form, or the marker
    ("start" or "end") that is not in the text."""
    found: list[Any] = []
    for region in doc.entry.uncitable:
        start_hit = doc.locate(region.start)
        end_hit = doc.locate(region.end) if region.end else None
        if start_hit is None or (region.end and end_hit is None):
            found.append("start" if start_hit is None else "end")
            continue
        found.append([start_hit.start, end_hit.start if end_hit else len(doc.norm)])
    return found
