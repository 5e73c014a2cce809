"""Benchmark: studydeck at scale, measured as whole processes, against the floor of its libraries.

    python benchmarks/bench.py                 # 1k, 10k and 50k items
    python benchmarks/bench.py --sizes 10000   # one size

Synthetic banks are made from the shipped bank's items (real excerpts, all item types) with new
ids, spread over deck files of 1,000 items. For each size it measures, each as a fresh process:
`check` cold, `build --no-worksheets` cold, `check` after editing one item in one deck file (cache warm), and
peak memory. The cache goes to a scratch folder, never the user's. The floor is the same YAML parsed by PyYAML's C loader plus the same notes written
by plain genanki; our figures are printed as ratios to it. It also times `studydeck --help`,
`check` of the shipped bank, and a 200-question quiz in 3 versions with keys.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PER_FILE = 1000
PY = sys.executable

FLOOR_YAML = """
import sys, yaml
from pathlib import Path
for p in sorted(Path(sys.argv[1]).glob('decks/*.yaml')):
    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)
"""

FLOOR_GENANKI = """
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
"""


def run(args: list[str], cwd: Path | None = None) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in MB, exit code) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def best(args: list[str], repeat: int, cwd: Path | None = None) -> tuple[float, int]:
    runs = [run(args, cwd) for _ in range(repeat)]
    for _, _, code in runs:
        if code != 0:
            raise SystemExit(f"{' '.join(args)} exited {code}")
    return min(r[0] for r in runs), max(r[1] for r in runs)


def item_blocks(text: str) -> list[str]:
    """The items of a deck file as text blocks (each starts with '- id:' at its list indent)."""
    body = text.split("\nitems:\n", 1)[1]
    starts = [m.start() for m in re.finditer(r"(?m)^ *- id: ", body)]
    blocks = [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]
    return [re.sub(r"(?m)^  ", "", b) if b.startswith("  ") else b for b in blocks]


def make_bank(size: int, where: Path) -> Path:
    """A project with ``size`` valid items cloned from the shipped bank."""
    root = where / f"bank-{size}"
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copy(REPO / "studydeck.yaml", root / "studydeck.yaml")
    (root / "decks").mkdir()
    blocks = [b for p in sorted((REPO / "decks").glob("*.yaml")) for b in item_blocks(p.read_text())]
    for f in range(0, size, PER_FILE):
        chunk = []
        for n in range(f, min(f + PER_FILE, size)):
            block = blocks[n % len(blocks)]
            chunk.append(re.sub(r"^- id: (\S+)", lambda m: f"- id: {m[1]}-n{n}", block, count=1))
        text = f"deck: Part {f // PER_FILE + 1:03d}\nitems:\n" + "".join(chunk)
        (root / "decks" / f"part-{f // PER_FILE + 1:03d}.yaml").write_text(text)
    return root


def edit_one_item(root: Path, n: int) -> None:
    """Reword one plain (unquoted) question in the last deck file: a real, valid edit."""
    path = sorted((root / "decks").glob("*.yaml"))[-1]
    text = path.read_text()
    line = re.search(r"(?m)^ +question: [^\"'|>\n][^\n]*\?$", text)
    assert line, "no plain question to edit"
    path.write_text(text[: line.end() - 1] + f" (edit {n})?" + text[line.end():])


def bench_size(size: int, where: Path, repeat: int) -> dict[str, float]:
    root = make_bank(size, where)
    studydeck = [PY, "-m", "generator"]
    ok = run([*studydeck, "check", str(root)], REPO)
    if ok[2] != 0:
        raise SystemExit(f"synthetic bank of {size} does not pass check")
    cache = Path(os.environ["STUDYDECK_CACHE_DIR"])
    results: dict[str, float] = {}

    def cold(args: list[str]) -> tuple[float, int]:
        times, peak = [], 0
        for _ in range(repeat):
            shutil.rmtree(cache, ignore_errors=True)
            t, m, code = run(args, REPO)
            assert code == 0, args
            times.append(t)
            peak = max(peak, m)
        return min(times), peak

    results["check_cold"], results["check_mb"] = cold([*studydeck, "check", str(root)])
    results["build_cold"], results["build_mb"] = cold(
        [*studydeck, "build", str(root), "--no-worksheets", "--out", str(where / "out")])
    run([*studydeck, "check", str(root)], REPO)  # warm the cache
    edits = []
    for n in range(repeat):
        edit_one_item(root, n)
        elapsed, _, code = run([*studydeck, "check", str(root)], REPO)
        assert code == 0, "the edited bank must still pass check"
        edits.append(elapsed)
    results["check_after_edit"] = min(edits)
    results["floor_yaml"], _ = best([PY, "-c", FLOOR_YAML, str(root)], repeat)
    results["floor_genanki"], results["floor_mb"] = best(
        [PY, "-c", FLOOR_GENANKI, str(root), str(where / "floor.apkg")], repeat)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    where = Path(tempfile.mkdtemp(prefix="studydeck-bench-"))
    os.environ["STUDYDECK_CACHE_DIR"] = str(where / "cache")
    studydeck = [PY, "-m", "generator"]
    try:
        print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; best of {args.repeat}\n")
        help_t, _ = best([*studydeck, "--help"], 5)
        shutil.rmtree(os.environ["STUDYDECK_CACHE_DIR"], ignore_errors=True)
        shipped_cold, _ = best([*studydeck, "check", str(REPO)], 1)
        shipped, _ = best([*studydeck, "check", str(REPO)], 5)
        quiz, quiz_mb = best([*studydeck, "quiz", str(REPO), "--questions", "200", "--versions", "3",
                              "--out", str(where / "quiz")], args.repeat)
        print(f"studydeck --help                      {help_t:7.3f} s   (target < 0.15 s)")
        print(f"check, shipped bank (cold / cached)   {shipped_cold:7.3f} s / {shipped:.3f} s   (target < 0.3 s)")
        print(f"quiz, 200 questions x 3 versions+keys {quiz:7.3f} s   {quiz_mb} MB   (target < 2 s)\n")
        header = (f"{'items':>7} {'check':>7} {'build':>7} {'floor':>7} {'ratio':>6} {'edit':>7} "
                  f"{'peak MB':>8} {'floor MB':>8}")
        print(header)
        for size in args.sizes:
            r = bench_size(size, where, args.repeat)
            floor = r["floor_yaml"] + r["floor_genanki"]
            ours = r["build_cold"]  # build runs the full check first: it is "check + build"
            print(f"{size:>7} {r['check_cold']:7.2f} {r['build_cold']:7.2f} {floor:7.2f} {ours / floor:6.2f} "
                  f"{r['check_after_edit']:7.3f} {max(r['check_mb'], r['build_mb']):>8} {r['floor_mb']:>8}",
                  flush=True)
        print("\ncheck/build: cold, no cache; floor: PyYAML C loader + plain genanki on the same bank;")
        print("ratio: cold build (which checks everything first) / floor (target <= 1.5 at 10k); edit: check after")
        print("one item edited, cache warm (target < 0.5 s")
        print("at 10k); peak MB: the larger of check and build (target < 300 MB at 10k).")
    finally:
        shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
