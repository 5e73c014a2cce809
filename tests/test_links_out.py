"""A symbolic link leading out of the project, or out of its seeds/, is refused even when its
target's path starts with the same letters (issue 20, "tests that cannot fail": every planted
link pointed to outside/, so a check by string prefix would have passed every test)."""

from __future__ import annotations

import json
import os
from pathlib import Path

SECRET = "SECRET-SIBLING-TEXT"
DECK = ("deck: Private\nitems:\n  - id: private-item\n    type: basic\n    question: What is the secret?\n"
        f"    answer: {SECRET}\n    source: {{doc: wikipedia-siege, excerpt: The complex was besieged from 3 to 11"
        " July 2007}\n")


def _sibling(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_links_into_sibling_folders_sharing_the_prefix_are_refused(make_project, run) -> None:
    root = make_project()
    os.symlink(_sibling(root.parent / f"{root.name}-private", "deck.yaml", DECK), root / "decks" / "project-sibling.yaml")
    seed = _sibling(root / "seeds-private", "seed.txt", SECRET)
    os.symlink(seed, root / "seeds" / "link.txt")
    catalog = root / "seeds" / "sources.yaml"
    catalog.write_text(catalog.read_text().replace("file: 002_1cc66d0f442d10bf.txt", f"file: {json.dumps('link.txt')}"))
    code, _, err = run(["check"], cwd=root)
    assert code == 1
    assert "decks/project-sibling.yaml:1:1: error[unsafe-path]: deck file leads out through a symbolic link" in err, err
    assert "error[unsafe-path]: file 'link.txt' leads out through a symbolic link" in err, err
    assert SECRET not in err


def test_an_output_folder_linked_into_a_sibling_is_refused(make_project, run) -> None:
    root = make_project()
    target = root.parent / f"{root.name}-private"
    target.mkdir()
    os.symlink(target, root / "dist")
    code, _, err = run(["build", "--no-worksheets", "--no-exports"], cwd=root)
    assert code == 1
    assert "error[unsafe-path]: build.out 'dist' leads out through a symbolic link" in err, err
    assert list(target.iterdir()) == []
