"""Strict YAML: bytes -> a tree of located nodes, with no YAML 1.1 surprises.

PyYAML's event stream (its C parser where available) is read directly, so nothing is ever
constructed by YAML itself: every scalar stays text until the schema types it (``NO``, ``on``,
``2007-07-03``, ``1:00`` and ``0123`` are strings here), anchors, aliases, merge keys and tags
are refused, duplicate keys are errors, nesting and size are capped, and every node keeps its
file, line and column.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Union

import yaml

from .diagnostics import (
    AnchorOrAlias,
    ControlCharacter,
    Diagnostic,
    DuplicateKey,
    EmptyFile,
    Encoding,
    FileTooLarge,
    InvisibleCharacter,
    LineEnd,
    MultipleDocuments,
    NulByte,
    Span,
    TooDeep,
    TooLarge,
    WrongType,
    YamlSyntax,
    YamlTag,
)
from .yamlhints import syntax_hint

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 24
MAX_SCALAR_CHARS = 20_000

_Parser = getattr(yaml, "CBaseLoader", None) or yaml.BaseLoader  # the C parser when libyaml is there

# Keys YAML 1.1 reads as the same boolean; two of one class in a mapping are duplicates.
_BOOL_WORDS = {w: "true" for w in ("y", "yes", "true", "on")} | {w: "false" for w in ("n", "no", "false", "off")}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_VALUE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # a carriage return too (see check_value)
# Characters that show nothing, or change how the text around them reads, without being seen:
# every format character (Cf: soft hyphen, zero-width and bidi controls, U+061C, TAG characters,
# U+FFF9-FFFB...), the line and paragraph separators (Zl, Zp), and the blank letters and marks
# that fonts draw as nothing (Hangul fillers, the braille blank, the combining grapheme joiner,
# Khmer's inherent vowels). ZWNJ and ZWJ are Cf too and are refused as well: no seed uses them,
# Urdu and Persian text reads correctly without them, and a learner typing an answer never
# types one (the self-test page would mark a correct answer wrong).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp"})
_YAML_LINE_ENDS = frozenset("\u2028\u2029")  # (and U+0085, a control character)
_ASCII_RUNS = re.compile("[\x00-\x7f]+")  # (cut out in C: a set of every character of a file costs far more)
# Every byte but those of ``_CONTROL``'s ASCII characters (no byte of a multi-byte character is below 0x80)
_NOT_ASCII_CONTROL = bytes(b for b in range(256) if not _CONTROL.match(chr(b)) or b >= 0x80)
_BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def invisible(ch: str) -> bool:
    """True for a character that stands in text without being seen (see ``_INVISIBLE_CATEGORIES``)."""
    return ch in _BLANK_LETTERS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES


def _non_ascii(text: str) -> set[str]:  # the distinct characters of ``text`` beyond ASCII
    return set(_ASCII_RUNS.sub("", text))


def _invisibles(text: str, non_ascii: set[str] | None = None) -> re.Pattern[str] | None:
    """A pattern matching the invisible characters ``text`` holds (all beyond ASCII: ``non_ascii``
    when known), or None when none; each distinct character is classified once."""
    found = sorted(ch for ch in (_non_ascii(text) if non_ascii is None else non_ascii) if invisible(ch))
    return re.compile("[" + "".join(re.escape(ch) for ch in found) + "]") if found else None


def character_name(ch: str) -> str:
    """``U+00AD SOFT HYPHEN``: the code point, and the character's name where Unicode gives one."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


@dataclass(frozen=True)
class Scalar:
    value: str
    span: Span
    plain: bool  # unquoted: an empty plain scalar is YAML's null

    @property
    def is_null(self) -> bool:
        return self.plain and self.value == ""


@dataclass(frozen=True)
class Mapping:
    entries: tuple[tuple[Scalar, Node], ...]
    span: Span


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]
    span: Span


Node = Union[Scalar, Mapping, Sequence]


def describe(node: Node) -> str:
    """A short name for a node's shape, for messages."""
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    return "an empty value" if node.is_null else f"text {node.value[:40]!r}"


_new = object.__new__


def _at(path: str, line: int, col: int) -> Span:
    """``Span(path, line, col)``, built without the frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` a field): every node of every file has one."""
    span = _new(Span)
    fields = span.__dict__
    fields["path"], fields["line"], fields["col"] = path, line, col
    return span


def _scalar(value: str, span: Span, plain: bool) -> Scalar:
    """``Scalar(value, span, plain)``, built as :func:`_at` builds a span."""
    node = _new(Scalar)
    fields = node.__dict__
    fields["value"], fields["span"], fields["plain"] = value, span, plain
    return node


def _span(path: str, mark: object, lines: int = 0) -> Span:
    try:
        return _at(path, mark.line + 1 + lines, mark.column + 1)  # type: ignore[attr-defined]
    except AttributeError:
        return Span(path)


def _offset_span(path: str, text: str, offset: int) -> Span:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(path, line, col)


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes -> text, or the reasons it is not acceptable UTF-8 YAML source."""
    if len(data) > MAX_FILE_BYTES:
        return None, [FileTooLarge.at(Span(path), f"file is {len(data):,} bytes; the cap is {MAX_FILE_BYTES:,}")]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Encoding.at(Span(path), "file is UTF-16 (or UTF-32); save it as UTF-8")]
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Encoding.at(Span(path), "file starts with a byte-order mark; save it as UTF-8 without BOM")]
    nul = data.find(b"\x00")
    if nul >= 0:
        head = data[:nul].decode("utf-8", "replace")
        return None, [NulByte.at(_offset_span(path, head, len(head)), "NUL byte in file")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[: exc.start].decode("utf-8", "replace")
        bad = data[exc.start : exc.start + 1].hex()
        return None, [Encoding.at(_offset_span(path, head, len(head)), f"invalid UTF-8 byte 0x{bad}")]
    return text, check_characters(text, path)


def check_characters(text: str, path: str) -> list[Diagnostic]:
    """Control and invisible characters, and line ends other than LF and CRLF, located."""
    diags = []
    for m in re.finditer("\r(?!\n)", text):
        diags.append(LineEnd.at(_offset_span(path, text, m.start()), "bare carriage return; use LF or CRLF"))
        break
    non_ascii = _non_ascii(text)  # (control characters looked for only when one C pass finds one)
    c1 = any("\x80" <= c <= "\x9f" for c in non_ascii)
    if c1 or text.encode("utf-8", "surrogatepass").translate(None, _NOT_ASCII_CONTROL):
        for m in _CONTROL.finditer(text):
            diags.append(ControlCharacter.at(_offset_span(path, text, m.start()),
                                             f"control character {character_name(m.group())}"))
    pattern = _invisibles(text, non_ascii)
    for m in pattern.finditer(text) if pattern else ():
        span, name = _offset_span(path, text, m.start()), character_name(m.group())
        if m.group() in _YAML_LINE_ENDS:  # the YAML reader would take it for a line end
            diags.append(LineEnd.at(span, f"{name}: YAML reads it as a line end, and it shows as nothing; use LF"))
        else:
            diags.append(InvisibleCharacter.at(span, f"invisible character {name}"))
    return diags


def check_value(value: str, span: Span) -> list[Diagnostic]:
    """The same character checks for a value produced by escapes (``"\\x1f"``) inside quotes; a
    carriage return too (YAML turns every line end in a value into a newline: only an escape
    ``"\\r"`` makes one, and a deck title holding it would rename the deck in Anki)."""
    diags = []
    if m := _CONTROL_IN_VALUE.search(value):
        diags.append(ControlCharacter.at(span, f"control character {character_name(m.group())} in value"))
    pattern = _invisibles(value)
    if m := pattern.search(value) if pattern else None:
        diags.append(InvisibleCharacter.at(span, f"invisible character {character_name(m.group())} in value"))
    return diags


class _Builder:
    """Turns the event stream into nodes, collecting every structural problem."""

    def __init__(self, path: str, text: str, lines: int = 0) -> None:
        self.path = path
        self.lines = lines  # lines of the file above the text (a piece of a deck file)
        self.text = text  # to tell escapes from characters the file scan already reported
        self.diags: list[Diagnostic] = []

    def _typed_literally(self, value: str) -> bool:
        """True when the odd characters of ``value`` stand in the file itself (already reported)."""
        pattern = _invisibles(value)
        odd = set(_CONTROL_IN_VALUE.findall(value)) | set(pattern.findall(value) if pattern else ())
        return all(ch in self.text for ch in odd)

    def refuse(self, event: object) -> bool:
        """Anchors, aliases and tags are refused; True when the event was refused."""
        if getattr(event, "anchor", None) is None and getattr(event, "tag", None) is None:
            return False  # the common case, kept cheap
        span = _span(self.path, getattr(event, "start_mark", None), self.lines)
        if isinstance(event, yaml.AliasEvent):
            self.diags.append(AnchorOrAlias.at(span, f"alias *{event.anchor} refused; write the value out"))
            return True
        if getattr(event, "anchor", None):
            self.diags.append(AnchorOrAlias.at(span, f"anchor &{event.anchor} refused"))  # type: ignore[attr-defined]
        tag = getattr(event, "tag", None)
        if tag is not None and not (isinstance(event, yaml.ScalarEvent) and tag == "!"):
            self.diags.append(YamlTag.at(span, f"tag {tag} refused; the schema types every value"))
        return False

    def node(self, events: list[object], i: int, depth: int) -> tuple[Node, int]:
        event = events[i]
        span = _span(self.path, getattr(event, "start_mark", None), self.lines)
        if depth > MAX_DEPTH:
            self.diags.append(TooDeep.at(span, f"nesting deeper than {MAX_DEPTH} levels"))
            return Scalar("", span, True), _skip(events, i)
        if self.refuse(event):
            return Scalar("", span, True), i + 1
        if isinstance(event, yaml.ScalarEvent):
            value = event.value
            if len(value) > MAX_SCALAR_CHARS:
                self.diags.append(TooLarge.at(span, f"value of {len(value):,} characters; the cap is {MAX_SCALAR_CHARS:,}"))
                value = value[:MAX_SCALAR_CHARS]
            elif not event.implicit[0]:
                self.diags.extend(d for d in check_value(value, span) if not self._typed_literally(value))
            return _scalar(value, span, event.implicit[0] and not event.style), i + 1
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Node] = []
            i += 1
            while not isinstance(events[i], yaml.SequenceEndEvent):
                item, i = self.node(events, i, depth + 1)
                items.append(item)
            return Sequence(tuple(items), span), i + 1
        assert isinstance(event, yaml.MappingStartEvent)
        return self.mapping(events, i + 1, depth, span)

    def _plain(self, event: object) -> Scalar | None:
        """The node of a plain scalar with no anchor or tag, which is what ``node`` would give it,
        or None for any other event: most of a file's nodes, read without ``node``'s checks."""
        if type(event) is not yaml.ScalarEvent:
            return None
        assert isinstance(event, yaml.ScalarEvent)  # for the type checker: the exact type was tested
        if event.anchor is not None or event.tag is not None:
            return None
        value = event.value
        if not event.implicit[0] or len(value) > MAX_SCALAR_CHARS:
            return None
        mark = event.start_mark
        assert mark is not None  # the parser marks every event
        return _scalar(value, _at(self.path, mark.line + 1 + self.lines, mark.column + 1), not event.style)

    def mapping(self, events: list[object], i: int, depth: int, span: Span) -> tuple[Node, int]:
        entries: list[tuple[Scalar, Node]] = []
        seen: dict[str, Scalar] = {}
        inline = depth < MAX_DEPTH  # its keys and values may be read here (see _plain)
        while not isinstance(events[i], yaml.MappingEndEvent):
            key: Node | None = self._plain(events[i]) if inline else None
            if key is None:
                key, i = self.node(events, i, depth + 1)
            else:
                i += 1
            value: Node | None = self._plain(events[i]) if inline else None
            if value is None:
                value, i = self.node(events, i, depth + 1)
            else:
                i += 1
            if not isinstance(key, Scalar):
                self.diags.append(WrongType.at(key.span, f"a key must be text, not {describe(key)}"))
                continue
            if key.plain and key.value == "<<":
                self.diags.append(AnchorOrAlias.at(key.span, "merge key << refused; write the keys out"))
                continue
            canon = _BOOL_WORDS.get(key.value.lower(), key.value) if key.plain else key.value
            if canon in seen:
                first = seen[canon]
                self.diags.append(
                    DuplicateKey.at(
                        key.span,
                        f"duplicate key {key.value!r} (first as {first.value!r} at line {first.span.line})",
                    )
                )
                continue
            seen[canon] = key
            entries.append((key, value))
        return Mapping(tuple(entries), span), i + 1


def _skip(events: list[object], i: int) -> int:
    """Index after the node starting at ``i`` (used to pass over too-deep subtrees)."""
    level = 0
    while True:
        event = events[i]
        i += 1
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            level += 1
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            level -= 1
        if level == 0:
            return i


def _events(text: str, path: str) -> tuple[list[object], list[Diagnostic]]:
    """The whole event stream, or the first syntax error (YAML cannot go on after one)."""
    parser = _Parser(text)
    try:
        # get_event gives None once the stream has ended (one call an event, not two)
        events: list[object] = list(iter(parser.get_event, None))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if "'\\t'" in problem:
            problem = "tab character: YAML indentation must use spaces"
        context = f" ({exc.context})" if exc.context else ""
        hint = syntax_hint(problem, exc.context or "", text, mark, exc.context_mark)
        return [], [YamlSyntax.at(_span(path, mark), f"{problem}{context}", *([f"hint: {hint}"] if hint else []))]
    except yaml.YAMLError as exc:  # reader errors carry no problem_mark
        return [], [YamlSyntax.at(Span(path), str(exc).splitlines()[0])]
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose:
            dispose()
    return events, []


def parse(text: str, path: str, depth: int = 0, lines: int = 0) -> tuple[Node | None, list[Diagnostic]]:
    """Text of one YAML file -> its single document as a node tree, with every problem found.
    For a piece of a larger file: ``depth``, how deep its root stands there, and ``lines``, how
    many lines stand above it (the nodes' places are the file's; a problem's may not be)."""
    events, diags = _events(text, path)
    if diags:
        return None, diags
    return tree(events, text, path, depth, lines)


def tree(events: list[object], text: str, path: str, depth: int = 0, lines: int = 0,
         ) -> tuple[Node | None, list[Diagnostic]]:
    """The node tree of ``text``'s event stream (see :func:`parse`)."""
    starts = [e for e in events if isinstance(e, yaml.DocumentStartEvent)]
    if not starts:
        return None, [EmptyFile.at(Span(path), "file holds no YAML document")]
    if len(starts) > 1:
        return None, [MultipleDocuments.at(_span(path, starts[1].start_mark), "a second YAML document; one per file")]
    builder = _Builder(path, text, lines)
    first = events.index(starts[0]) + 1
    root, _ = builder.node(events, first, depth)
    if isinstance(root, Scalar) and root.is_null:
        builder.diags.append(EmptyFile.at(root.span, "the YAML document is empty"))
        return None, builder.diags
    return root, builder.diags


def read(data: bytes, path: str, decoded: tuple[str | None, list[Diagnostic]] | None = None,
         ) -> tuple[str, list[object], list[Diagnostic]]:
    """Bytes of one YAML file -> its text and event stream (no events when it is unusable), and
    the problems found in reading them. ``decoded``: what ``decode`` gave for these bytes, when
    the caller has it already."""
    text, diags = decoded if decoded is not None else decode(data, path)
    if text is None or any(d.code in (ControlCharacter.code, LineEnd.code) for d in diags):
        return "", [], diags  # the YAML reader would only repeat these less clearly
    events, more = _events(text, path)
    return text, events, diags + more


def load(data: bytes, path: str, decoded: tuple[str | None, list[Diagnostic]] | None = None,
         ) -> tuple[Node | None, list[Diagnostic]]:
    """Bytes of one YAML file -> node tree (None when unusable) and every problem found
    (``decoded``: as for :func:`read`)."""
    text, events, diags = read(data, path, decoded)
    if not events:
        return None, diags
    node, more = tree(events, text, path)
    return node, diags + more
