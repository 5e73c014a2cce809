"""A source's citation as plain text, shared by the worksheets and the exports:
``Author, “Title”, Outlet, Date (kind of source)``."""

from __future__ import annotations

from collections.abc import Callable

from .model import SourceDoc

KIND_NAME = {"reference": "reference", "opinion": "opinion piece", "news-digest": "news digest"}


def citation_parts(entry: SourceDoc, esc: Callable[[str], str] = str,
                   quotes: tuple[str, str] = ("\u201c", "\u201d")) -> list[str]:
    """Author, title between ``quotes``, outlet and date, those the source gives, each passed through ``esc``."""
    title = f"{quotes[0]}{esc(entry.title)}{quotes[1]}"
    return [p for p in (entry.author and esc(entry.author), title, entry.publisher and esc(entry.publisher),
                        entry.date and esc(entry.date)) if p]


def citation(entry: SourceDoc) -> str:
    """Author, quoted title, outlet and date where known, then what kind of source it is."""
    return f"{', '.join(citation_parts(entry))} ({KIND_NAME[entry.kind]})"
