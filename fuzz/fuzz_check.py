"""Fuzz the loader and checker at scale (not run in CI).

Mutates the real deck files byte by byte and structurally (deleting, duplicating and swapping
lines, inserting YAML syntax, splicing other decks' lines) and runs the whole check on each
mutant in a scratch project. Anything but the project's own diagnostics is a crash.

    python fuzz/fuzz_check.py --seconds 300

Prints inputs tried, distinct diagnostic codes seen, and crashes (with the input saved).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ["STUDYDECK_NO_CACHE"] = "1"  # thousands of mutants: do not fill the user's cache
sys.path.insert(0, str(REPO))

from generator import yamltree  # noqa: E402
from generator.pipeline import check_project  # noqa: E402

TOKENS = [b"&a ", b"*a", b"<<: ", b"!!python/object ", b"---\n", b"- ", b": ", b"{", b"}", b"[", b"]", b"\t",
          b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf", b"'", b'"', b"\\x1f", b"\u202e".decode("unicode_escape").encode(),
          b"{{c1::", b"}}", b"yes", b"~", b"2007-07-03", b"0123", b"#", b"|\n", b">\n", b"?", b"%YAML 1.1\n"]


def mutate(data: bytes, corpus: list[bytes], rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        i = rng.randrange(len(lines)) if lines else 0
        if op == 0 and lines:
            del lines[i]
        elif op == 1 and lines:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2 and lines:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3 and lines:
            line = lines[i]
            k = rng.randint(0, len(line))
            lines[i] = line[:k] + rng.choice(TOKENS) + line[k:]
        elif op == 4 and lines:
            line = bytearray(lines[i])
            if line:
                line[rng.randrange(len(line))] = rng.randrange(256)
            lines[i] = bytes(line)
        elif op == 5:
            other = rng.choice(corpus).split(b"\n")
            lines.insert(i, rng.choice(other))
        else:
            lines = lines[: rng.randint(0, len(lines))]
    return b"\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=2007)
    parser.add_argument("--full-every", type=int, default=20, help="run the whole check on every Nth input")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    decks = [p.read_bytes() for p in sorted((REPO / "decks").glob("*.yaml"))]
    small = [d for d in (REPO / "tests" / "cases" / "valid").glob("*.yaml")]
    corpus = decks + [p.read_bytes() for p in small]
    work = Path(tempfile.mkdtemp(prefix="studydeck-fuzz-"))
    shutil.copytree(REPO / "seeds", work / "seeds")
    shutil.copy(REPO / "studydeck.yaml", work / "studydeck.yaml")
    (work / "decks").mkdir()
    crashes, tried, codes = 0, 0, Counter()
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        base = rng.choice(corpus[-1:] * 3 + corpus)  # the small starter deck often, for speed
        data = mutate(base, corpus, rng)
        tried += 1
        try:
            if tried % args.full_every == 0:
                (work / "decks" / "fuzz.yaml").write_bytes(data)
                report = check_project(work).report
                codes.update(d.code for d in report)
            else:
                _, diags = yamltree.load(data, "fuzz.yaml")
                codes.update(d.code for d in diags)
        except Exception:
            crashes += 1
            saved = work / f"crash-{crashes}.yaml"
            saved.write_bytes(data)
            print(f"CRASH #{crashes} (saved {saved}):\n{traceback.format_exc()}", file=sys.stderr)
    print(f"inputs tried: {tried}; full checks: {tried // args.full_every}; crashes: {crashes}")
    print(f"distinct diagnostic codes seen: {len(codes)}: {', '.join(sorted(codes))}")
    shutil.rmtree(work, ignore_errors=True) if not crashes else None
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
