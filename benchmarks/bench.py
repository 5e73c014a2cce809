"""Benchmark: studydeck at scale, measured as whole processes, against the floor of its libraries.

    python benchmarks/bench.py                 # 1k, 10k and 50k items: the README's tables
    python benchmarks/bench.py --sizes 10000   # one size

Synthetic banks are made from the shipped bank's items (real excerpts, all item types) with new
ids, spread over deck files of 1,000 items, each copy citing its own copy of the seeds (so the
bank passes check with no warning) with its excerpts widened by a few words of the seed (so that
most texts are new to the checker, as in a real bank: a bank of the same few hundred texts over
and over finds most of the checker's per-text work done). For each size, each as a fresh process: the floor (the same
YAML parsed once by PyYAML's C loader and the same notes written by plain genanki, in one
process; taken in turns with the cold build, so the ratio compares runs made side by side),
`check` and `build --no-worksheets --no-exports` cold, both again after editing one
item (cache and previous output warm), peak memory, and a full `build` for the sizes in
``--full``, cold and after an edit; at 10k, the floor and the cold build again pinned to one core (``taskset -c 0``).
Every figure is the median of ``--repeat`` runs, taken in turns (floor, check, build, floor,
check, build, ...), with wall time and CPU time (user + system of the process and every
process it started, from ``getrusage(RUSAGE_CHILDREN)`` around it) side by side. The cache
goes to a scratch folder, never the user's. It also times `studydeck --help`, `check` of the
shipped bank, and a 200-question quiz in 3 versions with keys. The output is Markdown, copied
into the README as it is.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PER_FILE = 1000
PY = sys.executable

FLOOR = """
import gc; gc.disable()  # as studydeck's command line does (generator/cli.py)
import sys, yaml, genanki
from pathlib import Path
fields = [{'name': f'F{i}'} for i in range(6)]
model = genanki.Model(1607392319, 'floor', fields=fields,
                      templates=[{'name': 'c', 'qfmt': '{{F0}}', 'afmt': '{{F1}}'}])
deck = genanki.Deck(2059400110, 'floor')
for p in sorted(Path(sys.argv[1]).glob('decks/*.yaml')):
    for item in yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)['items']:
        text = [str(v) for v in item.values()][:6]
        deck.add_note(genanki.Note(model=model, fields=text + [''] * (6 - len(text)), guid=item['id']))
genanki.Package(deck).write_to_file(sys.argv[2])
"""  # the floor: the YAML parsed once by PyYAML's C loader, the notes written by plain genanki, one process,
# with the garbage collector off like the build


PACKAGE_FLOOR = """
import gc; gc.disable()
import io, json, sqlite3, sys, time, zipfile
data = zipfile.ZipFile(sys.argv[1]).read('collection.anki2')
src = sqlite3.connect(':memory:')
src.deserialize(data)
schema = [sql for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")]
other = {name: src.execute(f'SELECT * FROM {name}').fetchall() for (name,) in src.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('notes', 'cards')")}
cards = {}
for card in src.execute('SELECT * FROM cards ORDER BY id'):
    cards.setdefault(card[1], []).append(card)
notes = src.execute('SELECT * FROM notes ORDER BY id').fetchall()
start = time.process_time()
db = sqlite3.connect(':memory:')
for sql in schema:
    db.execute(sql)
for name, rows in other.items():
    for row in rows:
        db.execute(f'INSERT INTO {name} VALUES({",".join("?" * len(row))})', row)
for note in notes:  # each note, then its cards, as the package writer does
    db.execute('INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)', note)
    for card in cards.get(note[0], ()):
        db.execute('INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)', card)
db.commit()
blob = db.serialize()
db.close()
rows = time.process_time()
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, 'w') as archive:
    archive.writestr(zipfile.ZipInfo('collection.anki2'), blob, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
print(json.dumps({'sqlite': rows - start, 'deflate': time.process_time() - rows, 'mb': len(blob) / 2**20}))
"""  # what any build that writes the whole package again must do: the same rows into a fresh SQLite
# collection in the same order, and the collection deflated into the zip (the package writer's level)


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and every process it started
    mb: int  # peak resident set of one process (the largest, as wait4 reports it)


def run(args: list[str], cwd: Path | None = None) -> tuple[Run, int]:
    """One whole process, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(elapsed, cpu, usage.ru_maxrss // 1024), os.waitstatus_to_exitcode(status)


def checked_run(args: list[str], cwd: Path | None = None) -> Run:
    result, code = run(args, cwd)
    if code != 0:
        raise SystemExit(f"{' '.join(args)} exited {code}")
    return result


def median(runs: list[Run]) -> Run:
    """The median wall and CPU times, the largest peak."""
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs), max(r.mb for r in runs))


def turns(commands: dict[str, Callable[[], Run]], repeat: int) -> dict[str, Run]:
    """Each command run ``repeat`` times, in turns (a, b, c, a, b, c, ...), so that a slower or
    faster spell of the machine weighs on every command alike; the median of each."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            runs[name].append(command())
    return {name: median(r) for name, r in runs.items()}


def item_blocks(text: str) -> list[str]:
    """The items of a deck file as text blocks (each starts with '- id:' at its list indent)."""
    body = text.split("\nitems:\n", 1)[1]
    starts = [m.start() for m in re.finditer(r"(?m)^ *- id: ", body)]
    blocks = [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
    return [re.sub(r"(?m)^  ", "", b) if b.startswith("  ") else b for b in blocks]


def make_bank(size: int, where: Path) -> tuple[Path, int, int]:
    """A project with ``size`` valid items cloned from the shipped bank; with how many excerpts
    its items cite, and how many of them differ.

    Copy k of the shipped items cites copy k of the seed documents (the same text with k + 1
    blank lines added, so each copy has its own SHA-256 and catalog entry): the bank has no two
    items on the same excerpt of the same document, so it passes ``check`` with no near-duplicate
    warning, as a real bank of that size would. From copy 1 on, each excerpt is widened by a few
    words of its seed, so that most texts are new to the checker (``widen_block``).
    """
    root = where / f"bank-{size}"
    blocks = [b for p in sorted((REPO / "decks").glob("*.yaml")) for b in item_blocks(p.read_text())]
    copies = -(-size // len(blocks)) * 2  # enough copies once quotations are left out
    (root / "seeds").mkdir(parents=True)
    shutil.copy(REPO / "studydeck.yaml", root / "studydeck.yaml")
    catalog = (REPO / "seeds" / "sources.yaml").read_text()
    head, entries = catalog.split("\nsources:\n", 1)
    entry_texts = re.split(r"(?m)^(?=  - id: )", entries)
    out = [head, "\nsources:\n"]
    for k in range(copies):
        for entry in entry_texts:
            m = re.search(r"(?m)^    file: (\S+)$", entry)
            if not m:
                continue
            data = (REPO / "seeds" / m[1]).read_bytes() + b"\n" * (k + 1)
            name = f"k{k}-{m[1]}"
            (root / "seeds" / name).write_bytes(data)
            entry = re.sub(r"(?m)^  - id: (\S+)$", rf"  - id: \1-k{k}", entry, count=1)
            entry = entry.replace(f"file: {m[1]}", f"file: {name}")
            entry = re.sub(r"(?m)^    sha256: \S+$", f"    sha256: {hashlib.sha256(data).hexdigest()}", entry)
            out.append(entry if entry.endswith("\n") else entry + "\n")
    (root / "seeds" / "sources.yaml").write_text("".join(out))
    (root / "decks").mkdir()
    cited = []  # (copy, block): copy 0 is every shipped item; later copies leave out quotations
    for k in range(copies * 2):
        cited += [(k, b) for b in blocks if k == 0 or not re.search(r"(?m)^\s*type: quote$", b)]
        if len(cited) >= size:
            break
    excerpts: list[str] = []
    for f in range(0, size, PER_FILE):
        chunk = []
        for n in range(f, min(f + PER_FILE, size)):
            k, block = cited[n]
            block, cites = widen_block(block, k)
            excerpts += cites
            block = re.sub(r"^- id: (\S+)", rf"- id: \g<1>-n{n}", block, count=1)
            chunk.append(re.sub(r"\bdoc: ([a-z0-9][a-z0-9-]*[a-z0-9])", rf"doc: \g<1>-k{k}", block))
        text = f"deck: Part {f // PER_FILE + 1:03d}\nitems:\n" + "".join(chunk)
        (root / "decks" / f"part-{f // PER_FILE + 1:03d}.yaml").write_text(text)
    return root, len(excerpts), len(set(excerpts))


@functools.cache
def _shipped_corpus() -> Any:
    from generator.pipeline import load_sources

    return load_sources(REPO)[0]


def widen(doc: Any, excerpt: str, before: int, after: int) -> str:
    """The excerpt with up to ``before`` words more in front of it and ``after`` behind, as the
    seed's normal form has them: still a passage of the seed, only longer; never into an
    uncitable region, nor past the length a check warns of (fewer words then)."""
    from generator.validate import LONG_EXCERPT

    found = doc.locate(excerpt)
    if found is None:
        return excerpt
    norm = doc.norm
    while before or after:
        start, end = found.start, found.end
        for _ in range(before):
            start = norm.rfind(" ", 0, max(start - 1, 0)) + 1
        for _ in range(after):
            end = len(norm) if (e := norm.find(" ", end + 1)) < 0 else e
        if end - start < LONG_EXCERPT - 20 and not any(a < end and start < b for a, b, _ in doc.excluded):
            return norm[start:end]
        before, after = max(before - 1, 0), max(after - 1, 0)
    return excerpt


def widen_block(block: str, k: int) -> tuple[str, list[str]]:
    """Copy ``k`` of a shipped item (its text block), with every excerpt widened by its own number
    of words for k = 1 to 224, and the excerpts it cites. Without this the bank's texts would be
    the shipped few hundred over and over, and what the checker works out once per text (the
    numbers and dates in it, its normal form) would be found ready for most items, as in no
    real bank of that size."""
    import yaml

    before, after = divmod(k, 15)
    (item,) = yaml.load(block, Loader=yaml.CSafeLoader)
    cites: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("doc"), str) and isinstance(node.get("excerpt"), str):
                doc = _shipped_corpus().get(node["doc"])
                if doc is not None and k:
                    node["excerpt"] = widen(doc, node["excerpt"], before, after)
                cites.append(node["excerpt"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(item)
    return (yaml.dump([item], Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=10**9)
            if k else block), cites


def edit_one_item(root: Path, n: int) -> None:
    """Reword one plain (unquoted) question in the last deck file: a real, valid edit."""
    path = sorted((root / "decks").glob("*.yaml"))[-1]
    text = path.read_text()
    line = re.search(r"(?m)^ +question: [^\"'|>\n][^\n]*\?$", text)
    assert line, "no plain question to edit"
    path.write_text(text[: line.end() - 1] + f" (edit {n})?" + text[line.end():])


def bench_size(size: int, where: Path, repeat: int, full: bool) -> dict[str, Any]:
    root, cited, distinct = make_bank(size, where)
    studydeck = [PY, "-m", "generator"]
    checked_run([*studydeck, "check", str(root)], REPO)
    cache = Path(os.environ["STUDYDECK_CACHE_DIR"])
    out = str(where / "out")
    package = [*studydeck, "build", str(root), "--no-worksheets", "--no-exports", "--out", out]
    floor = [PY, "-c", FLOOR, str(root), str(where / "floor.apkg")]
    r: dict[str, Any] = {"cited": cited, "distinct": distinct}

    def cold(args: list[str]) -> Callable[[], Run]:
        def once() -> Run:
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            return checked_run(args, REPO)
        return once

    def after_edit(args: list[str]) -> Callable[[], Run]:
        def once() -> Run:
            edit_one_item(root, time.time_ns())
            return checked_run(args, REPO)
        return once

    r |= turns({"floor": lambda: checked_run(floor), "check_cold": cold([*studydeck, "check", str(root)]),
                "build_cold": cold(package)}, repeat)
    checked_run(package, REPO)  # warm: the cache and the previous output hold the bank
    r |= turns({"check_edit": after_edit([*studydeck, "check", str(root)]), "build_edit": after_edit(package)}, repeat)
    # What bounds the edit loop: starting Python with the modules a check (a build) imports, and
    # writing the whole package again (measured inside one process on the package just built).
    r |= turns({"imports_check": lambda: checked_run([PY, "-c", "import generator.cli, generator.pipeline"], REPO),
                "imports_build": lambda: checked_run([PY, "-c", "import generator.cli, generator.pipeline,"
                                                      " generator.build, generator.anki.package, genanki"], REPO)},
               repeat)
    apkg = next(Path(out).glob("*.apkg"))
    floors = [json.loads(subprocess.run([PY, "-c", PACKAGE_FLOOR, str(apkg)], check=True, capture_output=True,
                                        text=True).stdout) for _ in range(repeat)]
    r["package_floor"] = {k: statistics.median(f[k] for f in floors) for k in ("sqlite", "deflate", "mb")}
    if size == 10_000 and shutil.which("taskset"):
        one = ["taskset", "-c", "0"]
        r |= turns({"floor_1": lambda: checked_run([*one, *floor]), "build_1": cold([*one, *package])}, repeat)
    if full:
        everything = [*studydeck, "build", str(root), "--out", out]
        r |= turns({"sheets": cold([*studydeck, "build", str(root), "--no-exports", "--out", out]),
                    "full": cold(everything)}, repeat)
        checked_run(everything, REPO)  # warm: the cache holds the worksheets too
        r |= turns({"full_edit": after_edit(everything)}, repeat)
    return r


def _both(run: Run) -> str:
    return f"{run.wall:.2f} / {run.cpu:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--full", type=int, nargs="*", default=[10_000],
                        help="sizes that also get a full build (worksheets and exports); default 10000")
    args = parser.parse_args()
    # The package's bytecode compiled first, as pip does on install: with PYTHONDONTWRITEBYTECODE
    # set and a source newer than its .pyc, every process would compile it again (~0.07 s each).
    subprocess.run([PY, "-m", "compileall", "-q", str(REPO / "generator")], check=True)
    where = Path(tempfile.mkdtemp(prefix="studydeck-bench-"))
    os.environ["STUDYDECK_CACHE_DIR"] = str(where / "cache")
    studydeck = [PY, "-m", "generator"]
    try:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at the start; python"
              f" {sys.version.split()[0]}; medians of {args.repeat} runs taken in turns\n")
        help_t = median([checked_run([*studydeck, "--help"]) for _ in range(5)])
        shutil.rmtree(os.environ["STUDYDECK_CACHE_DIR"], ignore_errors=True)
        shipped_cold = checked_run([*studydeck, "check", str(REPO)])
        shipped = median([checked_run([*studydeck, "check", str(REPO)]) for _ in range(5)])
        quiz = median([checked_run([*studydeck, "quiz", str(REPO), "--questions", "200", "--versions", "3",
                                    "--out", str(where / "quiz")]) for _ in range(args.repeat)])
        rows = [(size, bench_size(size, where, args.repeat, size in args.full)) for size in args.sizes]
        ten, fifty = dict(rows).get(10_000), dict(rows).get(50_000)
        print("| measure | target | measured (wall / CPU) |")
        print("|---|---|---|")
        print(f"| `studydeck --help` | < 0.1 s | {help_t.wall:.3f} s / {help_t.cpu:.3f} s |")
        print(f"| `check` of the shipped bank (cold / cached) | < 0.2 s cached | {shipped_cold.wall:.2f} s /"
              f" {shipped.wall:.3f} s |")
        print(f"| `quiz` of 200 questions x 3 versions, with keys | < 2 s, < 300 MB | {quiz.wall:.2f} s, {quiz.mb} MB |")
        if ten:
            print(f"| 10k: cold `build --no-worksheets --no-exports`, CPU | <= 5.5 s | {_both(ten['build_cold'])} s"
                  f" (floor {_both(ten['floor'])} s: {ten['build_cold'].wall / ten['floor'].wall:.2f}x wall,"
                  f" {ten['build_cold'].cpu / ten['floor'].cpu:.2f}x CPU) |")
            if "build_1" in ten:
                print(f"| 10k: the same, pinned to one core | - | {_both(ten['build_1'])} s (floor"
                      f" {_both(ten['floor_1'])} s: {ten['build_1'].wall / ten['floor_1'].wall:.2f}x) |")
            print(f"| 10k: `check` after editing one item | < 0.2 s | {_both(ten['check_edit'])} s |")
            print(f"| 10k: `build --no-worksheets --no-exports` after editing one item | < 0.5 s |"
                  f" {_both(ten['build_edit'])} s |")
            if "full" in ten:
                print(f"| 10k: cold `build --no-exports` (package, 44 worksheets) | < 300 MB |"
                      f" {_both(ten['sheets'])} s, {ten['sheets'].mb} MB |")
                print(f"| 10k: cold full `build` (package, worksheets, the three exports) | < 300 MB |"
                      f" {_both(ten['full'])} s, {ten['full'].mb} MB |")
                print(f"| 10k: full `build` after editing one item (the worksheets it changed rendered again) | - |"
                      f" {_both(ten['full_edit'])} s, {ten['full_edit'].mb} MB |")
        if fifty:
            print(f"| 50k: `check` after editing one item | < 0.4 s | {_both(fifty['check_edit'])} s |")
            print(f"| 50k: `build --no-worksheets --no-exports` after editing one item | < 1.5 s, < 300 MB |"
                  f" {_both(fifty['build_edit'])} s, {fifty['build_edit'].mb} MB |")
        print()
        print("| items | floor | cold check | cold build | build / floor (wall, CPU) | check after edit"
              " | build after edit | peak MB (floor MB) | full build |")
        print("|---|---|---|---|---|---|---|---|---|")
        for size, r in rows:
            full = f"{_both(r['full'])} s, {r['full'].mb} MB" if "full" in r else "-"
            print(f"| {size:,} | {_both(r['floor'])} s | {_both(r['check_cold'])} s | {_both(r['build_cold'])} s |"
                  f" {r['build_cold'].wall / r['floor'].wall:.2f}, {r['build_cold'].cpu / r['floor'].cpu:.2f} |"
                  f" {r['check_edit'].wall:.3f} / {r['check_edit'].cpu:.3f} s | {_both(r['build_edit'])} s |"
                  f" {max(r['check_cold'].mb, r['build_cold'].mb)} ({r['floor'].mb}) | {full} |")
        print("\nWhat bounds the edit loop (CPU seconds): starting Python with the modules `check` and `build` import,"
              " and\nwriting the whole package again (the same rows into a fresh SQLite collection in the same order,"
              " then deflated)\n\n| items | start + imports: check / build | package: SQLite rows | package:"
              " deflate | collection MB | a build after an edit, at least |\n|---|---|---|---|---|---|")
        for size, r in rows:
            f = r["package_floor"]
            print(f"| {size:,} | {r['imports_check'].cpu:.3f} / {r['imports_build'].cpu:.3f} | {f['sqlite']:.3f} |"
                  f" {f['deflate']:.3f} | {f['mb']:.0f} | {r['imports_build'].cpu + f['sqlite'] + f['deflate']:.2f} |")
        print("\n| items | excerpts cited | distinct |\n|---|---|---|")
        for size, r in rows:
            print(f"| {size:,} | {r['cited']:,} | {r['distinct']:,} ({r['distinct'] / r['cited']:.0%}) |")
        end = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print("\nEach time is wall / CPU seconds (CPU: user + system of the process and every process it started)."
              "\nfloor: the same YAML parsed once by PyYAML's C loader and the same notes written by plain genanki,"
              " in one process,\nwith the garbage collector off as in studydeck; cold: no cache, no previous output;"
              " cold build includes the\nfull check; after edit: one item reworded, cache and previous output warm;"
              " full build: worksheets (PDF)\nand exports too, cold; peak MB: largest resident set of one process."
              f" Load average at the end: {end:.1f}.")
    finally:
        shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
