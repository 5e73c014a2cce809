"""A source's citation as plain text, shared by the worksheets and the exports:
``Author, “Title”, Outlet, Date (kind of source)``."""

from __future__ import annotations

from .model import SourceDoc

KIND_NAME = {"reference": "reference", "opinion": "opinion piece", "news-digest": "news digest"}


def citation(entry: SourceDoc) -> str:
    """Author, quoted title, outlet and date where known, then what kind of source it is."""
    cite = ", ".join(p for p in (entry.author, f"\u201c{entry.title}\u201d", entry.publisher, entry.date) if p)
    return f"{cite} ({KIND_NAME[entry.kind]})"
