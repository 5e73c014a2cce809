"""The self-test page's FSRS-6 scheduler (generator/export/selftest/fsrs.js, inlined into the page)
against two independent implementations: the Python package ``fsrs`` and the npm package
``ts-fsrs`` (pinned in tests/js). 1,200 random review histories (random ratings, elapsed times
from a minute to a year, same-day reviews among them), fuzz off, FSRS-6 default parameters: after
every review the stability, difficulty and due date must agree within 1e-6 relative (the due date
as the interval from the review).

The two references differ from each other in two rules, neither of them FSRS's formulas; where
they do, the page follows Anki, and the test says which reference it must then equal:
- Hard on a learning step: fsrs (and Anki) wait the mean of the first two steps on the first step
  (5.5 min) and repeat the current step later on; ts-fsrs always waits the mean, rounded (6 min).
- Review intervals: ts-fsrs (and Anki) keep Hard < Good < Easy by at least a day; fsrs does not.
ts-fsrs also rounds stability and difficulty to 8 decimals, which the tolerance covers."""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator.export.selftest import TEMPLATES

from .selftesttools import NEEDS_CHROMIUM, open_page

JS = Path(__file__).resolve().parent / "js"
SCHEDULER = TEMPLATES / "fsrs.js"
NODE = shutil.which("node")
TOLERANCE = 1e-6
HISTORIES = 1200
START = datetime(2026, 3, 1, tzinfo=UTC)
FUZZ_RANGES = ((2.5, 7, 0.15), (7, 20, 0.1), (20, float("inf"), 0.05))  # as fsrs and ts-fsrs spread intervals


def histories(count: int = HISTORIES, seed: int = 22) -> list[list[dict[str, int]]]:
    """Random review histories: 1-14 reviews, ratings weighted as a learner gives them, and gaps of
    minutes on the same date (a third of them) or of 1 to 400 days. A review's time of day never
    goes back, so "whole days elapsed" means the same in all three (fsrs counts 24-hour periods,
    ts-fsrs and the page count dates)."""
    rand = random.Random(seed)
    out = []
    for _ in range(count):
        minute = rand.randrange(0, 60)
        day = rand.randrange(0, 30)
        history = []
        for _ in range(rand.randint(1, 14)):
            history.append({"rating": rand.choices((1, 2, 3, 4), (2, 1, 5, 2))[0],
                            "time": int((START + timedelta(days=day, minutes=minute)).timestamp() * 1000)})
            if rand.random() < 1 / 3:
                minute += rand.randint(1, 90)
            else:
                day += rand.choice((rand.randint(1, 10), rand.randint(1, 60), rand.randint(1, 400)))
                minute += rand.randint(0, 30)
        assert minute < 24 * 60
        out.append(history)
    return out


def via_python_fsrs(history: list[dict[str, int]]) -> list[dict[str, Any]]:
    fsrs = pytest.importorskip("fsrs", reason="the Python package fsrs is in the test extra (pip install -e '.[test]')")
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(due=START)
    states = {fsrs.State.Learning: 1, fsrs.State.Review: 2, fsrs.State.Relearning: 3}
    out = []
    for review in history:
        when = datetime.fromtimestamp(review["time"] / 1000, tz=UTC)
        card, _ = scheduler.review_card(card, fsrs.Rating(review["rating"]), when)
        out.append({"state": states[card.state], "step": card.step or 0, "s": card.stability, "d": card.difficulty,
                    "due": round(card.due.timestamp() * 1000)})
    return out


def via_node(all_histories: list[list[dict[str, int]]], scheduler: Path = SCHEDULER) -> dict[str, Any]:
    """ts-fsrs and the page's scheduler, run by tests/js/fsrs_compare.js under node (TZ=UTC)."""
    if NODE is None:
        pytest.skip("needs node (NodeSource node 20; .ci/run installs it)")
    if not (JS / "node_modules" / "ts-fsrs").is_dir():
        pytest.skip("needs ts-fsrs: cd tests/js && npm ci (.ci/run does)")
    done = subprocess.run([NODE, "fsrs_compare.js", str(scheduler)], cwd=JS, input=json.dumps({"histories": all_histories}),
                          capture_output=True, text=True, check=True, env={**os.environ, "TZ": "UTC"})
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def relative(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


@dataclass
class Comparison:
    """The largest relative differences of the page from one reference, and the reviews compared."""

    stability: float = 0.0
    difficulty: float = 0.0
    due: float = 0.0
    reviews: int = 0
    dues_compared: int = 0


def compare(page: list[dict[str, Any]], ref: list[dict[str, Any]], times: list[int], due_too: list[bool],
            into: Comparison) -> None:
    for mine, theirs, now, check_due in zip(page, ref, times, due_too, strict=True):
        assert (mine["state"], mine["step"]) == (theirs["state"], theirs["step"]), (mine, theirs)
        into.stability = max(into.stability, relative(mine["s"], theirs["s"]))
        into.difficulty = max(into.difficulty, relative(mine["d"], theirs["d"]))
        into.reviews += 1
        if check_due:
            into.due = max(into.due, relative(mine["due"] - now, theirs["due"] - now))
            into.dues_compared += 1


def test_page_scheduler_equals_fsrs_and_ts_fsrs() -> None:
    all_histories = histories()
    node = via_node(all_histories)
    python = [via_python_fsrs(h) for h in all_histories]
    vs_python, vs_ts = Comparison(), Comparison()
    rules = {"learning hard (page = fsrs)": 0, "review order (page = ts-fsrs)": 0, "same-day reviews": 0}
    for history, mine, py, ts in zip(all_histories, node["page"], python, node["ts_fsrs"], strict=True):
        times = [r["time"] for r in history]
        before = [0, *(p["state"] for p in py[:-1])]
        agree = [relative(a["due"] - t, b["due"] - t) <= TOLERANCE for a, b, t in zip(py, ts, times, strict=True)]
        learning_hard = [r["rating"] == 2 and state != 2 for r, state in zip(history, before, strict=True)]
        compare(mine, py, times, [a or h for a, h in zip(agree, learning_hard, strict=True)], vs_python)
        compare(mine, ts, times, [a or not h for a, h in zip(agree, learning_hard, strict=True)], vs_ts)
        rules["learning hard (page = fsrs)"] += sum(not a and h for a, h in zip(agree, learning_hard, strict=True))
        rules["review order (page = ts-fsrs)"] += sum(not a and not h for a, h in zip(agree, learning_hard, strict=True))
        rules["same-day reviews"] += sum(utc_day(b) == utc_day(a) for a, b in itertools.pairwise(times))
    report = {"vs fsrs": vars(vs_python), "vs ts-fsrs": vars(vs_ts), "references differ": rules}
    print(json.dumps(report, indent=1))
    assert vs_python.reviews > 7000 and rules["same-day reviews"] > 2000
    assert vs_python.dues_compared > 0.8 * vs_python.reviews and vs_ts.dues_compared > 0.8 * vs_ts.reviews
    for found in (vs_python, vs_ts):
        assert max(found.stability, found.difficulty, found.due) <= TOLERANCE, report


def utc_day(ms: int) -> int:
    return ms // 86_400_000


@NEEDS_CHROMIUM
def test_page_scheduler_runs_the_same_in_chromium(browser, bank_page) -> None:
    """The scheduler block as built into the page, run in Chromium, gives what it gives in node;
    with fuzz on (as the page schedules) a review interval moves by at most the fuzz range, and
    the same item and review count always get the same interval."""
    path, _ = bank_page
    block = path.read_text(encoding="utf-8").split("// --- fsrs.js ---\n")[1].split("// --- progress.js ---")[0]
    assert block == SCHEDULER.read_text(encoding="utf-8")
    some = histories(300, seed=7)
    open_page(browser, path)
    replay = """
        return arguments[0].map((history) => {
          let plain = FSRS.newCard(), fuzzed = FSRS.newCard();
          return history.map(({rating, time}) => {
            plain = FSRS.review(plain, rating, time);
            fuzzed = FSRS.review(fuzzed, rating, time, "item-x");
            const again = FSRS.review(FSRS.newCard(), rating, time, "item-x");
            return {state: plain.state, step: plain.step, s: plain.s, d: plain.d, due: plain.due,
                    fuzzed: fuzzed, same: again.due === FSRS.review(FSRS.newCard(), rating, time, "item-x").due}; }); });"""
    got = browser.execute_script(block + replay, some)
    node = via_node(some)["page"]
    fuzzed_reviews = moved = 0
    for history, mine, theirs in zip(some, got, node, strict=True):
        for review, a, b in zip(history, mine, theirs, strict=True):
            assert (a["state"], a["step"], a["due"]) == (b["state"], b["step"], b["due"])
            assert relative(a["s"], b["s"]) <= 1e-12 and relative(a["d"], b["d"]) <= 1e-12
            assert a["same"]
            assert (a["fuzzed"]["s"], a["fuzzed"]["d"], a["fuzzed"]["state"]) == (a["s"], a["d"], a["state"])
            if a["state"] == 2:  # fuzz moves a review interval by at most its range (plus Hard < Good < Easy), in whole days
                days, plain = ((due - review["time"]) / 86_400_000 for due in (a["fuzzed"]["due"], a["due"]))
                spread = 1 + sum(f * max(min(plain, end) - start, 0) for start, end, f in FUZZ_RANGES)
                assert days == int(days) >= 1 and abs(days - plain) <= spread + 2, (days, plain)
                fuzzed_reviews += 1
                moved += days != plain
    assert fuzzed_reviews > 500 and moved > fuzzed_reviews / 4
