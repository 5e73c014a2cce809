"""Import a built package into a real Anki collection (the official ``anki`` backend)."""

from __future__ import annotations

from pathlib import Path

import anki.import_export_pb2 as ie
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

IF_NEWER = ie.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER


def open_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_package(col: Collection, apkg: Path):  # type: ignore[no-untyped-def]
    """Import as a learner would (Anki's defaults: update notes and note types if newer)."""
    options = ImportAnkiPackageOptions(update_notes=IF_NEWER, update_notetypes=IF_NEWER, with_scheduling=False)
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options)).log


def rendered_cards(col: Collection) -> list[tuple[str, int, str, str, str]]:
    """(note type, card ord, deck name, question html, answer html) of every card."""
    cards = []
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        cards.append(
            (card.note_type()["name"], card.ord, col.decks.name(card.did), card.question(), card.answer())
        )
    return cards


def body(html: str) -> str:
    """The rendered card without its <style> block."""
    return html.split("</style>", 1)[-1]
