"""Per-note change times, kept in the committed lock file ``studydeck.lock``.

Anki updates an existing note on import only when the incoming note is newer. genanki stamps
every note with one time, so with a fixed time edits never arrive and with the current time
every import rewrites every note. The lock records, per item id, the fingerprint of its note
and the time it last changed; ``build`` moves a note's time forward exactly when its
fingerprint changes. Note types get the same treatment, so template edits arrive too.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

LOCK_FILE = "studydeck.lock"
LOCK_VERSION = 1


@dataclass
class Lock:
    notes: dict[str, tuple[str, int]] = field(default_factory=dict)  # item id -> (fingerprint, changed)
    models: dict[str, tuple[str, int]] = field(default_factory=dict)  # note type -> (fingerprint, changed)

    def to_text(self) -> str:
        data = {
            "version": LOCK_VERSION,
            "comment": "written by `studydeck build`: when each note last changed; commit it with the decks",
            "models": {k: {"hash": h, "changed": t} for k, (h, t) in sorted(self.models.items())},
            "notes": {k: {"hash": h, "changed": t} for k, (h, t) in sorted(self.notes.items())},
        }
        return json.dumps(data, indent=1, sort_keys=False) + "\n"


class LockError(ValueError):
    """The lock file exists but is not a lock file this version wrote."""


def parse_lock(text: str) -> Lock:
    try:
        data = json.loads(text)
        if data.get("version") != LOCK_VERSION:
            raise LockError(f"unknown lock version {data.get('version')!r}")

        def table(name: str) -> dict[str, tuple[str, int]]:
            rows = data.get(name, {})
            return {str(k): (str(v["hash"]), int(v["changed"])) for k, v in rows.items()}

        return Lock(table("notes"), table("models"))
    except LockError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LockError(f"not a valid lock file ({exc.__class__.__name__}: {exc})") from None


def now() -> int:
    """The build time: SOURCE_DATE_EPOCH when set (reproducible builds), else the clock."""
    return int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())


def advance(previous: dict[str, tuple[str, int]], current: dict[str, str], at: int) -> dict[str, tuple[str, int]]:
    """New table: unchanged keys keep their time; changed or new keys get ``at`` (strictly later
    than their previous time, so two edits in one second still both arrive). Removed keys drop."""
    table = {}
    for key, fingerprint in current.items():
        old = previous.get(key)
        if old and old[0] == fingerprint:
            table[key] = old
        else:
            table[key] = (fingerprint, max(at, old[1] + 1) if old else at)
    return table
