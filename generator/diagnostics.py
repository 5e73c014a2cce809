"""Compiler-style diagnostics: one class per kind of problem, a Diagnostic per occurrence.

Every problem kind is a subclass of :class:`Problem` with a ``code`` and a docstring that
explains it; ``Problem.at(span, message)`` makes the located :class:`Diagnostic` (both in
``problem``, re-exported here).
Nothing here prints; the command line formats a :class:`Report`.
"""

from __future__ import annotations

from .problem import Diagnostic as Diagnostic  # (re-exported: defined in problem, used everywhere from here)
from .problem import Problem as Problem
from .problem import Report as Report
from .problem import Severity as Severity
from .problem import Span as Span

# --- reading files -------------------------------------------------------------------------


class MissingFile(Problem):
    """A file or folder the project needs (project file, decks/, seeds/, a seed text) is absent."""

    code = "missing-file"


class FileTooLarge(Problem):
    """An input file is over the size cap; it is not parsed at all."""

    code = "file-too-large"


class Encoding(Problem):
    """The file is not plain UTF-8: invalid bytes, a byte-order mark, or UTF-16/32."""

    code = "encoding"


class NulByte(Problem):
    """The file holds a NUL byte, which no text file should."""

    code = "nul-byte"


class LineEnd(Problem):
    """A bare carriage return (old Mac line end), or a Unicode line or paragraph separator
    (U+2028, U+2029), which YAML reads as a line end and which show as nothing; use LF or CRLF."""

    code = "line-end"


class ControlCharacter(Problem):
    """A control character (other than tab and newline) in the text."""

    code = "control-character"


class InvisibleCharacter(Problem):
    """A character that stands in the text without being seen: a format character (Unicode
    category Cf: soft hyphen, zero-width and bidi controls, TAG characters...), or a blank letter
    or mark (Hangul fillers, the braille blank, the combining grapheme joiner). It can hide what
    the text really says, and a learner typing the answer would never match it."""

    code = "invisible-character"


# --- YAML -------------------------------------------------------------------------------------


class YamlSyntax(Problem):
    """The YAML itself does not parse (bad indentation, a tab used for indentation, unclosed quote...)."""

    code = "yaml-syntax"


class MultipleDocuments(Problem):
    """More than one YAML document (``---``) in one file."""

    code = "multiple-documents"


class EmptyFile(Problem):
    """The file has no YAML document in it."""

    code = "empty-file"


class AnchorOrAlias(Problem):
    """Anchors (``&a``), aliases (``*a``) and merge keys (``<<``) are refused: they hide repetition
    and allow 'billion laughs' expansion."""

    code = "anchor-alias"


class YamlTag(Problem):
    """Explicit tags (``!!python/object``, ``!!str``...) are refused; the schema gives every value its type."""

    code = "yaml-tag"


class TooDeep(Problem):
    """Nesting deeper than the cap."""

    code = "too-deep"


class TooLarge(Problem):
    """A value or list over its size cap (characters in a text, items in a deck file)."""

    code = "too-large"


class DuplicateKey(Problem):
    """A key appears twice in one mapping (also keys YAML 1.1 would read alike, such as ``yes`` and ``true``)."""

    code = "duplicate-key"


# --- schema -----------------------------------------------------------------------------------


class WrongType(Problem):
    """A value has the wrong shape: a list where text is expected, ``yes`` where ``true``/``false`` is."""

    code = "wrong-type"


class MissingField(Problem):
    """A required field is absent or empty."""

    code = "missing-field"


class UnknownField(Problem):
    """A field the format does not define (often a typo)."""

    code = "unknown-field"


class UnknownType(Problem):
    """An item's ``type`` is not one of the known item types."""

    code = "unknown-type"


class BadValue(Problem):
    """A value is of the right type but not allowed: an id that is not a lowercase slug, a bad tag,
    a date that does not parse, an unknown paper size."""

    code = "bad-value"


class WrongCount(Problem):
    """A list has too few or too many entries (distractors, events, pairs, claims)."""

    code = "wrong-count"


# --- cross-checks -----------------------------------------------------------------------------


class DuplicateId(Problem):
    """Two items share an id (compared case-insensitively after Unicode normalisation)."""

    code = "duplicate-id"


class UnknownSource(Problem):
    """``source.doc`` names no document in ``seeds/sources.yaml``."""

    code = "unknown-source"


class SeedModified(Problem):
    """A seed text's SHA-256 differs from the catalog: seeds are never edited."""

    code = "seed-modified"


class ExcerptNotFound(Problem):
    """The excerpt is not verbatim (after normalisation) in the cited document."""

    code = "excerpt-not-found"


class UncitableExcerpt(Problem):
    """The excerpt lies in a part of the document that is not citable (anonymous reader comments,
    site boilerplate), as marked in ``seeds/sources.yaml``."""

    code = "uncitable-excerpt"


class UnsupportedAnswer(Problem):
    """A number or date in an answer, claim value or event date does not appear in its own excerpt."""

    code = "answer-not-in-excerpt"


class QuoteNotInExcerpt(Problem):
    """A ``quote`` item's quotation is not inside its excerpt."""

    code = "quote-not-in-excerpt"


class DuplicateChoice(Problem):
    """Two choices of a multiple-choice item (or two pairs of a match item) are the same."""

    code = "duplicate-choice"


class ClozeSyntax(Problem):
    """Cloze markers are malformed, or a cloze item has none."""

    code = "cloze-syntax"


class OrderNotChronological(Problem):
    """The events of an ``order`` item are not listed in strictly increasing date order."""

    code = "order-not-chronological"


class Correction(Problem):
    """A false true/false statement needs a correction; a true one must not have one."""

    code = "correction"


class UnattributedOpinion(Problem):
    """An item citing an opinion piece does not name its author or outlet in the question,
    so a viewpoint would read as fact."""

    code = "unattributed-opinion"


class RepeatedClaimant(Problem):
    """A ``claims`` item names one claimant twice (compared case-insensitively): the key pairs
    each claimant with one figure, so two rows with the same label could be swapped and both
    orders would be right. Name each claimant so that the rows differ (who said it, where)."""

    code = "repeated-claimant"


class LockFile(Problem):
    """``studydeck.lock`` (the per-note change times) is not a lock file ``build`` wrote; restore it
    from version control rather than deleting it, or learners' edits stop arriving."""

    code = "lock-file"


class HighlightNotInExcerpt(Problem):
    """A phrase an item asks to mark on its card back (``highlight``) is in none of its excerpts."""

    code = "highlight-not-in-excerpt"


class NoteTypeChanged(Problem):
    """An item's type differs from the type its note was published with (``studydeck.lock``).
    Anki reports such a note as conflicting and keeps the old one: give the item a new id."""

    code = "note-type-changed"


class PreviousPackage(Problem):
    """The package that a build compares with (the one in the output folder, or ``--previous``)
    cannot be read, so the times learners already have are unknown."""

    code = "previous-package"


class ProjectIdChanged(Problem):
    """The project's ``id`` differs from the one ``studydeck.lock`` records: every note's identity
    comes from it, so every learner would get a second copy of every note. Put it back; to start a
    new deck on purpose, remove the lock."""

    code = "project-id-changed"


class CollectionRenamed(Problem):
    """The collection's name differs from the one ``studydeck.lock`` records: Anki moves no card on
    import, so learners keep their cards in the old deck and get a new, empty one."""

    code = "collection-renamed"
    severity = "warning"


class NoneOfOurNotes(Problem):
    """The package a build compares with holds none of the project's notes: it is another
    project's package, or the project's ``id`` changed since it was built. What learners have is
    then unknown, and a change back to what they have (a ``git revert``) may never reach them."""

    code = "no-notes-of-ours"
    severity = "warning"


class OutputCollision(Problem):
    """Two deck files would write outputs of the same name (``a_b.yaml`` and ``a-b.yaml``, or a deck
    named like the mixed quiz): one would silently overwrite the other."""

    code = "output-collision"


class UnsafePath(Problem):
    """A path in a project file leaves the folder it must stay in (a seed outside ``seeds/``, an
    output folder outside the project): absolute paths, ``..`` and symbolic links that lead out."""

    code = "unsafe-path"


class NotAFile(Problem):
    """An input path is a folder, a device, a pipe or a socket instead of a regular file."""

    code = "not-a-file"


# --- smells (warnings) --------------------------------------------------------------------------


class LongExcerpt(Problem):
    """An excerpt is longer than a learner will read on a card back."""

    code = "long-excerpt"
    severity = "warning"


class AnswerInQuestion(Problem):
    """The question contains its own answer."""

    code = "answer-in-question"
    severity = "warning"


class NoFontForCharacter(Problem):
    """An item's text holds a character no worksheet font draws (Chinese, Japanese and Korean
    characters, emoji, Tifinagh...): the worksheets print a box in its place. Arabic script,
    Urdu's letters among them, is drawn (Noto Naskh Arabic ships with studydeck)."""

    code = "no-font-for-character"
    severity = "warning"


class NearDuplicate(Problem):
    """Two items ask the same thing: they rest on overlapping excerpts and share their answers,
    or they quote the same words (anywhere in the project, across deck files). The later item is
    reported, naming the earlier one's place; merge them or make one ask something else."""

    code = "near-duplicate"
    severity = "warning"


class SelfAnsweringPair(Problem):
    """A match pair (or a claims row) whose two sides share a content word ("Ninth Wing Company"
    and "A company of the Pakistan Army"): the learner matches the word, not the fact. Words
    compare case-folded and by stem, function words and the subject's own ("mosque", "siege")
    aside; reword one side."""

    code = "self-answering-pair"
    severity = "warning"


class OutputError(Exception):
    """An output could not be produced for a reason other than the input's content (an output
    folder holding other files, a collection SQLite could not assemble, a render failure): the
    command says so in one line and exits 1, never with a traceback."""
