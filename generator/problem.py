"""A located diagnostic (:class:`Span`, :class:`Diagnostic`), the base of every kind of problem
(:class:`Problem`) and a run's :class:`Report`; the kinds themselves are in ``diagnostics``, one
class each (all of these are re-exported there)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from .wording import plural

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Span:
    """A place in an input file: path as given, 1-based line and column."""

    path: str
    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class Diagnostic:
    span: Span
    severity: Severity
    code: str
    message: str
    notes: tuple[str, ...] = ()

    def format(self, show: Callable[[str], str] = str) -> str:
        """The diagnostic as a compiler prints it; ``show`` makes each piece of text fit to print."""
        head = f"{show(self.span.path)}:{self.span.line}:{self.span.col}: {self.severity}[{self.code}]: {show(self.message)}"
        return "\n".join([head, *(f"    {show(note)}" for note in self.notes)])

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.span.path,
            "line": self.span.line,
            "col": self.span.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "notes": list(self.notes),
        }


class Problem:
    """Base of every kind of problem; subclasses set ``code`` and, for smells, ``severity``."""

    code: ClassVar[str] = ""
    severity: ClassVar[Severity] = "error"
    registry: ClassVar[dict[str, type[Problem]]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if cls.code in Problem.registry:
            raise RuntimeError(f"duplicate diagnostic code {cls.code}")
        Problem.registry[cls.code] = cls

    @classmethod
    def at(cls, span: Span, message: str, *notes: str) -> Diagnostic:
        return Diagnostic(span, cls.severity, cls.code, message, tuple(notes))


# --- report --------------------------------------------------------------------------------------


@dataclass
class Report:
    """All diagnostics of one run, sorted by place, with the counts that decide the exit code."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diags)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(self.diagnostics, key=lambda d: (d.span, d.code, d.message)))

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def summary(self) -> str:
        return (
            f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}"
            f" in {plural(self.files, 'file')}"
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "errors": self.errors,
                "warnings": self.warnings,
                "files": self.files,
                "diagnostics": [d.to_json() for d in self],
            },
            indent=2,
            ensure_ascii=False,
        )
