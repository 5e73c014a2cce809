"""The project's id and collection name, once published, are recorded in the lock (issue 20,
finding 6): changing the id gave every learner a second copy of every note (245 became 490), and
renaming the collection left their cards in the old deck tree, both silently."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import snapshot

FAST = ["--no-worksheets", "--no-exports"]


def _edit(root: Path, key: str, value: str) -> None:
    project = root / "studydeck.yaml"
    project.write_text(re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", project.read_text(), count=1))


def test_a_changed_project_id_is_refused_naming_the_consequence(make_project, run) -> None:
    root = make_project()
    assert run(["build", *FAST], cwd=root)[0] == 0
    published = json.loads((root / "studydeck.lock").read_text())["id"]
    _edit(root, "id", "renamed-project")
    before = snapshot(root)
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 1
    assert re.search(rf"^studydeck.yaml:\d+:5: error\[project-id-changed\]: id 'renamed-project' is not"
                     rf" '{published}', the id the 10 notes in studydeck.lock were published under: every note would"
                     r" get a new identity, and every learner a second copy of every note; put the id back", err,
                     re.MULTILINE), err
    assert snapshot(root) == before  # nothing written
    _edit(root, "id", published)  # the fix the message asks for
    assert run(["build", *FAST], cwd=root)[0] == 0


def test_a_renamed_collection_is_a_warning_naming_the_consequence(make_project, run) -> None:
    root = make_project()
    assert run(["build", *FAST], cwd=root)[0] == 0
    _edit(root, "collection", "Red Mosque")
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 0, err
    assert re.search(r"^studydeck.yaml:\d+:13: warning\[collection-renamed\]: the collection was published as"
                     r" 'Siege of Lal Masjid': Anki moves no card on import, so learners keep their cards in the deck"
                     r" 'Siege of Lal Masjid' and get a new, empty deck 'Red Mosque'", err, re.MULTILINE), err
    assert json.loads((root / "studydeck.lock").read_text())["collection"] == "Red Mosque"  # said once


def test_a_lock_from_before_records_them_at_the_next_build(make_project, run) -> None:
    root = make_project()
    assert run(["build", *FAST], cwd=root)[0] == 0
    lock = json.loads((root / "studydeck.lock").read_text())
    del lock["id"], lock["collection"]
    (root / "studydeck.lock").write_text(json.dumps(lock))
    _edit(root, "id", "another-id")
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 0, err
    assert json.loads((root / "studydeck.lock").read_text())["id"] == "another-id"


def test_a_lock_id_that_is_not_text_is_a_lock_error(make_project, run) -> None:
    root = make_project()
    assert run(["build", *FAST], cwd=root)[0] == 0
    lock = (root / "studydeck.lock").read_text()
    (root / "studydeck.lock").write_text(re.sub(r'"id": "[^"]*"', '"id": 7', lock))
    code, _, err = run(["build", *FAST], cwd=root)
    assert code == 1 and re.search(r"^studydeck.lock:4:2: error\[lock-file\]: id: expected text", err, re.M), err
