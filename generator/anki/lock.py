"""Per-note change times, kept in the committed lock file ``studydeck.lock``.

Anki updates an existing note on import only when the incoming note is newer. genanki stamps
every note with one time, so with a fixed time edits never arrive and with the current time
every import rewrites every note. The lock records, per item id, the fingerprint of its note,
its item type and the time it last changed; ``build`` moves a note's time forward exactly when
its fingerprint changes. Note types get the same treatment, so template edits arrive too.

A time never goes backwards for what learners already have: :func:`advance` also takes what the
previous package shipped (see ``anki.previous``), so a ``git revert`` of an edit, or a lost lock
after a future time was published, still gives a changed note a time later than any it shipped
with. Removed items stay in the lock (``removed``), so an id that comes back keeps its history.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import NamedTuple

LOCK_FILE = "studydeck.lock"
LOCK_VERSION = 2
EARLIEST = 946_684_800  # 2000-01-01: no note was ever built before
FUTURE_SLACK = 86_400  # a lock time more than a day ahead of the clock is refused
# How far SOURCE_DATE_EPOCH may be ahead of this machine's clock (see :func:`now`).
EPOCH_LOOKAHEAD = 366 * 86_400


class Entry(NamedTuple):  # (a tuple: a big bank's lock makes tens of thousands)
    hash: str
    changed: int
    type: str | None = None  # the item type the note was built as (notes only)
    removed: bool = False

    def to_data(self) -> dict[str, object]:
        data: dict[str, object] = {"hash": self.hash, "changed": self.changed}
        if self.type:
            data["type"] = self.type
        if self.removed:
            data["removed"] = True
        return data


@dataclass
class Lock:
    notes: dict[str, Entry] = field(default_factory=dict)  # item id -> entry
    models: dict[str, Entry] = field(default_factory=dict)  # note type -> entry
    # The project's id and collection name the notes were published under (None in a lock
    # written before they were recorded): a build that finds them changed says what follows.
    project: str | None = None
    collection: str | None = None

    def to_bytes(self) -> bytes:
        """The lock file's bytes: JSON indented by one, ASCII (tests/test_hardening.py holds it equal
        to ``json.dumps``). Written a row at a time into one buffer: a big bank's lock (5 MB at
        50,000 notes) is never held as rows, then their join, then the text, then its bytes (that
        took 20 MB at the build's peak)."""
        data: dict[str, object] = {
            "version": LOCK_VERSION,
            "comment": "written by `studydeck build`: when each note last changed; commit it with the decks",
        }
        data |= {"id": self.project} if self.project is not None else {}
        data |= {"collection": self.collection} if self.collection is not None else {}
        out = io.BytesIO()
        out.write(_indented(data)[:-2].encode())  # without its closing "\n}"
        out.write(b',\n "models": ')
        _table(out, self.models)
        out.write(b',\n "notes": ')
        _table(out, self.notes)
        out.write(b"\n}\n")
        return out.getvalue()

    def live_notes(self) -> dict[str, Entry]:
        return {k: v for k, v in self.notes.items() if not v.removed}


def _indented(value: object, depth: int = 0) -> str:
    """``json.dumps(value, indent=1)`` for the lock's data (mappings of text, whole numbers and
    booleans), built with json's C string encoder: the lock of a big bank has tens of thousands
    of rows, and ``indent`` makes json use its Python encoder. tests/test_hardening.py holds the
    two equal."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "\n" + " " * (depth + 1)
        rows = [f"{_string(str(k))}: {_indented(v, depth + 1)}" for k, v in value.items()]
        return "{" + pad + ("," + pad).join(rows) + "\n" + " " * depth + "}"
    if isinstance(value, str):
        return _string(value)
    if value is True or value is False or value is None or type(value) is not int:
        return json.dumps(value)
    return str(value)


_string = json.encoder.encode_basestring_ascii


def _table(out: io.BytesIO, entries: dict[str, Entry]) -> None:
    """``_indented`` of the entries' data at depth 1, by key, written row by row into ``out`` (a
    big bank's lock has tens of thousands of rows)."""
    if not entries:
        out.write(b"{}")
        return
    write = out.write
    lead = "{\n  "
    for k in sorted(entries):
        e = entries[k]
        row = f'{lead}{_string(k)}: {{\n   "hash": {_string(e.hash)},\n   "changed": {e.changed}'
        if e.type:
            row += f',\n   "type": {_string(e.type)}'
        write((row + (",\n   \"removed\": true\n  }" if e.removed else "\n  }")).encode())
        lead = ",\n  "
    write(b"\n }")


class LockError(ValueError):
    """The lock file exists but is not a lock file this version wrote (with where, when known)."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.line, self.col = line, col


def _where(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """Line and column of the ``nth`` ``needle`` in the text (1, 1 when absent)."""
    at = -1
    for _ in range(nth):
        at = text.find(needle, at + 1)
    if at < 0:
        return 1, 1
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


class _Constant(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not a number a lock may hold")
        self.name = name


def _refuse_constant(name: str) -> object:
    raise _Constant(name)


def latest_time(clock: int | None = None) -> int:
    """The latest change time a lock, or a package read back (``anki.previous``), may hold: a day
    ahead of the build's clock (SOURCE_DATE_EPOCH or this machine's, whichever is later)."""
    return (clock if clock is not None else max(now(), int(time.time()))) + FUTURE_SLACK


def checked_time(value: object, latest: int) -> int:
    """``value`` as a change time, or ValueError saying why no build of this tool wrote it.
    One rule for the lock and for every time taken from elsewhere: a time that a previous
    package gives goes into the lock, and one the next build refuses would poison it."""
    if type(value) is not int:  # not a bool, nor a float (inf, 1.5), nor text
        raise ValueError(f"{value!r} is not a whole number of seconds")
    if not EARLIEST <= value <= latest:
        raise ValueError(f"{value} is not a plausible time (before 2000, or more than a day ahead of this machine's"
                         " clock)")
    return value


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"{key!r} is listed twice")
        self.key = key


def _unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object whose keys are all different (json.loads would keep the last of two)."""
    data = dict(pairs)
    if len(data) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return data


_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.MULTILINE)


def parse_lock(text: str, clock: int | None = None) -> Lock:
    """The lock, or :class:`LockError` saying what is wrong and where."""
    latest = latest_time(clock)
    if any(m in text for m in ("<<<<<<<", "=======", ">>>>>>>")) and (marker := _CONFLICT.search(text)):
        raise LockError("the lock holds merge conflict markers (<<<<<<<, =======, >>>>>>>): resolve the merge"
                        " conflict by keeping, for each note, the entry with the later \"changed\" time (or take"
                        " either side whole), then run `studydeck build`", text.count("\n", 0, marker.start()) + 1)
    try:
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique)
    except _Duplicate as exc:
        raise LockError(f"not a valid lock file ({exc}; the later entry would silently win): keep one entry for it"
                        " (the one with the later \"changed\" time)", *_where(text, json.dumps(exc.key), 2)) from None
    except RecursionError:
        raise LockError("not a valid lock file (nested too deeply)") from None
    except _Constant as exc:
        raise LockError(f"not a valid lock file ({exc})", *_where(text, exc.name)) from None
    except ValueError as exc:
        raise LockError(f"not a valid lock file ({exc})", *_json_position(exc)) from None
    if not isinstance(data, dict) or data.get("version") not in (1, LOCK_VERSION):
        version = data.get("version") if isinstance(data, dict) else None
        raise LockError(f"unknown lock version {version!r}", *_where(text, '"version"'))

    def table(name: str) -> dict[str, Entry]:
        rows = data.get(name, {})
        if not isinstance(rows, dict):
            raise LockError(f"{name}: expected a mapping", *_where(text, f'"{name}"'))
        out = {}
        for key, row in rows.items():
            if not isinstance(row, dict) or not isinstance(row.get("hash"), str):
                raise LockError(f"{name}.{key}: expected {{hash, changed}}", *_where(text, json.dumps(key)))
            try:
                changed = checked_time(row.get("changed"), latest)
            except ValueError as exc:
                raise LockError(f"{name}.{key}.changed: {exc}; restore the lock from version control",
                                *_where(text, json.dumps(key))) from None
            kind = row.get("type")
            out[key] = Entry(row["hash"], changed, kind if isinstance(kind, str) else None, bool(row.get("removed")))
        return out

    def name(key: str) -> str | None:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise LockError(f"{key}: expected text", *_where(text, f'"{key}"'))
        return value

    return Lock(table("notes"), table("models"), name("id"), name("collection"))


def _json_position(exc: ValueError) -> tuple[int, int]:
    m = re.search(r"line (\d+) column (\d+)", str(exc))
    return (int(m[1]), int(m[2])) if m else (1, 1)


def now() -> int:
    """The build time: SOURCE_DATE_EPOCH when set (reproducible builds), else the clock.

    The build writes this time into the lock, so a value the lock's rule refuses (before 2000,
    or absurdly far ahead) is refused here, before anything is written; else the next build
    would refuse the lock. A SOURCE_DATE_EPOCH ahead of the clock is allowed up to a year
    (``EPOCH_LOOKAHEAD``), not a day like a lock time: it is chosen on purpose (a release dated
    ahead, a test that fixes the time) and :func:`latest_time` takes it as the clock while it is
    set; a build without it refuses a lock written by one far ahead until the clock catches up.
    """
    value = os.environ.get("SOURCE_DATE_EPOCH")
    clock = int(time.time())
    if not value:
        return clock
    if not (value.isascii() and value.isdigit()):
        # The reproducible-builds specification: a malformed value stops the build.
        raise ValueError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {value[:40]!r}")
    digits = value.lstrip("0") or "0"  # digits only, so leading zeros change nothing
    # (the length is checked first: int() is never handed thousands of digits)
    if len(digits) > 12 or not EARLIEST <= int(digits) <= clock + EPOCH_LOOKAHEAD:
        raise ValueError(f"SOURCE_DATE_EPOCH {value[:40]} is not a plausible build time (before 2000, or more than"
                         " a year ahead of this machine's clock)")
    return int(digits)


@dataclass(frozen=True)
class Shipped:
    """What a previous package gave learners for one note or note type."""

    content: str  # comparable with the ``content`` passed to :func:`advance`
    changed: int


def advance(previous: dict[str, Entry], current: dict[str, tuple[str, str, str | None]],
            shipped: dict[str, Shipped], at: int) -> dict[str, Entry]:
    """The new table. ``current`` maps each key to (fingerprint, shipped-content, type).

    - unchanged fingerprint: the time stays; a new or changed one gets ``at`` (and always later
      than its previous time, so two edits in one second still both arrive);
    - whatever the lock says, a note whose content differs from what a previous package shipped
      gets a time later than that package's, and one identical to it keeps that package's time;
    - removed keys stay, marked removed, so their times keep rising if they come back.
    """
    table: dict[str, Entry] = {}
    for key, (fingerprint, content, kind) in current.items():
        old = previous.get(key)
        if old and old.hash == fingerprint and not old.removed:
            changed = old.changed
        else:
            changed = max(at, old.changed + 1) if old else at
        before = shipped.get(key)
        if before is not None:
            changed = before.changed if before.content == content else max(changed, before.changed + 1)
        if old is not None and old.changed == changed and old.hash == fingerprint and old.type == kind \
                and not old.removed:
            table[key] = old  # (the same entry: most of a big bank's, after an edit)
        else:
            table[key] = Entry(fingerprint, changed, kind)
    for key, old in previous.items():
        if key not in table:
            table[key] = Entry(old.hash, old.changed, old.type, removed=True)
    return table
