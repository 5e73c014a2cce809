"""Hostile and malformed input, and faults: nothing crashes, nothing is lost, nothing runs."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import build as build_module
from generator import write as write_module
from generator.build import build

from .ankitools import body, import_package, open_collection, rendered_cards
from .conftest import REPO, STARTER, snapshot

HTML = "<script>alert('x')</script><img src=x onerror=alert('y')><a href=\"javascript:alert('z')\">l</a><iframe src=\"x\"></iframe>"
ANKI = "{{c9::x}} [sound:x.mp3] [latex]x[/latex] {{FrontSide}} \\(x\\)"
TYPST = "#read(\"/etc/passwd\") #import \"@preview/x:0.1.0\": * ] $ x $"
PAYLOAD = f"{HTML} {ANKI} {TYPST}"
# Answers are checked for numbers against their excerpt, and cloze text for stray {{ }}: there the
# payload keeps its markup but drops the digits and braces that check would (rightly) refuse.
ANSWER = f"{HTML} [latex]x[/latex] \\(x\\) #read(\"/etc/passwd\") ] $ x $"
RAW_MARKUP = ("<script", "<img", "<iframe", "<a ", 'href="javascript', "[sound:", "[latex]", "{{c9", "{{FrontSide", "\\(")


def _q(text: str) -> str:
    return json.dumps(text)


def _every_field_deck(payload: str) -> str:
    """One item of every type with the payload in every free-text field (excerpts stay real)."""
    src = "{doc: wikipedia-siege, excerpt: The Lal Masjid was founded by Maulana Qari Abdullah in 1965.}"
    p, a = _q(payload), _q(ANSWER)
    return f"""deck: Hostile
description: {p}
items:
- {{id: h-basic, type: basic, question: {p}, answer: {a}, reverse: true, reverse_question: {p}, note: {p}, source: {src}}}
- {{id: h-mcq, type: mcq, question: {p}, answer: {_q("A " + ANSWER)}, distractors: [{_q("B " + ANSWER)}, {_q("C " + ANSWER)}], source: {src}}}
- {{id: h-tf, type: truefalse, statement: {p}, answer: false, correction: {a}, source: {src}}}
- {{id: h-cloze, type: cloze, text: {_q(ANSWER + " [sound:x.mp3] {{c1::" + HTML + "::" + HTML + "}} " + ANSWER)}, source: {src}}}
- {{id: h-quote, type: quote, quotation: founded by Maulana Qari Abdullah, speaker: {p}, context: {p}, source: {src}}}
- id: h-order
  type: order
  prompt: {p}
  events:
  - {{text: {_q("1 " + payload)}, date: "1965", source: {src}}}
  - {{text: {_q("2 " + payload)}, date: "1977", source: {{doc: wikipedia-siege, excerpt: "seizing power in a coup d'état in 1977"}}}}
  - {{text: {_q("3 " + payload)}, date: "1998", source: {{doc: wikipedia-siege, excerpt: Maulana Qari Abdullah was assassinated at the mosque in 1998.}}}}
- id: h-match
  type: match
  prompt: {p}
  left_label: {p}
  right_label: {p}
  pairs:
  - {{left: {_q("L1 " + payload)}, right: {_q("R alpha " + ANSWER)}, source: {src}}}
  - {{left: {_q("L2 " + payload)}, right: {_q("R beta " + ANSWER)}, source: {src}}}
  - {{left: {_q("L3 " + payload)}, right: {_q("R gamma " + ANSWER)}, source: {src}}}
- id: h-claims
  type: claims
  question: {p}
  claims:
  - {{claimant: {_q("X " + payload)}, value: "1965", source: {src}}}
  - {{claimant: {_q("Y " + payload)}, value: "in 1965", source: {src}}}
"""


@pytest.fixture
def hostile(make_project):
    root = make_project({"hostile.yaml": _every_field_deck(PAYLOAD)})
    result = build(root)
    assert result.report.ok, [d.format() for d in result.report]
    return root


def test_markup_in_every_field_is_inert_in_anki(hostile, tmp_path) -> None:
    col = open_collection(tmp_path / "anki")
    log = import_package(col, hostile / "dist" / "Siege of Lal Masjid.apkg")
    assert len(log.new) == 8
    cards = rendered_cards(col)
    assert len(cards) == 2 + 1 + 1 + 1 + 1 + 1 + 3 + 1  # {{c9::x}} made no extra cloze card
    for name, ordinal, deck, question, answer in cards:
        text = body(question) + body(answer)
        for raw in RAW_MARKUP:
            assert raw not in text, (name, ordinal, raw)
        assert "&lt;script&gt;" in text, (name, ordinal)
    col.close()


def test_markup_in_every_field_prints_literally_in_pdfs(hostile) -> None:
    from pypdf import PdfReader

    sheets = sorted((hostile / "dist" / "worksheets").glob("hostile-*.pdf"))
    assert len(sheets) == 4
    for sheet in sheets:
        text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(sheet).pages))
        assert "<script>alert('x')</script>" in text, sheet.name
        assert '#read("/etc/passwd")' in text and "@preview/x:0.1.0" in text, sheet.name
        assert "root:x:0:0" not in text


@pytest.mark.parametrize(
    ("deck", "code"),
    [
        ("deck: D\nitems:\n- {id: same, type: basic, question: q, answer: a, source: {doc: d, excerpt: e}}\n"
         "- {id: Same, type: basic, question: q, answer: a, source: {doc: d, excerpt: e}}\n", "bad-value"),
        ("deck: D\nitems:\n- {id: a, type: basic, tags: [has space], question: q, answer: a, source: {doc: d, excerpt: e}}\n", "bad-value"),
        ("deck: D\nitems:\n- {id: a, type: basic, tags: ['x::y'], question: q, answer: a, source: {doc: d, excerpt: e}}\n", "bad-value"),
        ("deck: 'A::B'\nitems: []\n", "bad-value"),
        ("deck: '<img src=x onerror=alert(1)>'\nitems: []\n", "bad-value"),
        ("deck: \"D\u2066x\"\nitems: []\n", "invisible-character"),
        ("deck: D\nitems:\n- {id: \"a\u200bb\", type: basic, question: q, answer: a, source: {doc: d, excerpt: e}}\n", "invisible-character"),
    ],
)
def test_identity_traps(make_project, run, deck: str, code: str) -> None:
    _, _, err = run(["check"], cwd=make_project({"d.yaml": deck}))
    assert f"error[{code}]" in err


_MOSQUE = "{doc: wikipedia-mosque, excerpt: 'said about 12 , 000 students attended the rally'}"


@pytest.mark.parametrize(
    ("deck", "code"),
    [  # numbers past what a float or int() takes (found by fuzzing: each was a traceback)
        (f"deck: D\nitems:\n- {{id: a, type: basic, question: How many?, answer: 10000000000000000 thousand,"
         f" source: {_MOSQUE}}}\n", "answer-not-in-excerpt"),
        (f"deck: D\nitems:\n- {{id: a, type: basic, question: How many?, answer: '{'5' * 4301}',"
         f" source: {_MOSQUE}}}\n", "answer-not-in-excerpt"),
        (f"deck: D\nitems:\n- {{id: a, type: cloze, text: 'About {{{{c{'1' * 5000}::12,000}}}} students.',"
         f" source: {_MOSQUE}}}\n", "cloze-syntax"),
    ],
    ids=["scaled-1e19", "4301-digits", "cloze-5000-digits"],
)
def test_huge_numbers_are_reported_not_raised(make_project, run, deck: str, code: str) -> None:
    code_, _, err = run(["check"], cwd=make_project({"d.yaml": deck}))
    assert code_ == 1 and "Traceback" not in err
    assert f"error[{code}]" in err


def test_a_malformed_source_date_epoch_stops_the_build(make_project, run, monkeypatch) -> None:
    """The reproducible-builds rule: a SOURCE_DATE_EPOCH that is no whole number of seconds is
    refused, with a message, before anything is written (it was a traceback)."""
    root = make_project()
    for bad in ("abc", "1.5", "-1", "١٢٣"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", bad)
        code, _, err = run(["build"], cwd=root)
        assert code == 2
        assert err.strip() == ("studydeck: error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970,"
                               f" not {bad!r}")
        assert not (root / "dist").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert run(["build"], cwd=root)[0] == 0


def test_fifty_megabyte_value_and_hundred_thousand_items(make_project, run) -> None:
    big = b"deck: D\nitems: []\ndescription: " + b"x" * 50_000_000 + b"\n"
    many = "deck: D\nitems:\n" + "".join(f"- {{id: i{n}, type: basic}}\n" for n in range(100_000))
    code, _, err = run(["check"], cwd=make_project({"big.yaml": big, "many.yaml": many}))
    assert code == 1
    assert "decks/big.yaml:1:1: error[file-too-large]" in err
    assert re.search(r"decks/many.yaml:3:1: error\[too-large\]: deck.items: 100000 entries; at most 20000", err)


@pytest.mark.parametrize("fault", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_fault_mid_build_leaves_previous_outputs(make_project, monkeypatch, fault) -> None:
    root = make_project()
    build(root)
    before = snapshot(root)
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text().replace("Between which dates", "Between which two dates"))
    calls = []
    real = build_module.render_quizzes

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise fault

    monkeypatch.setattr(build_module, "render_quizzes", failing)
    with pytest.raises(type(fault)):
        build(root)
    assert calls
    after = snapshot(root)
    del after["decks/starter.yaml"], before["decks/starter.yaml"]
    assert after == before
    monkeypatch.setattr(build_module, "render_quizzes", real)


def test_fault_while_writing_staged_files(make_project, monkeypatch) -> None:
    root = make_project()
    build(root)
    before = snapshot(root)
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text().replace("Between which dates", "Between which two dates"))
    real = write_module._write_file
    count = []

    def flaky(path, data, mode):  # type: ignore[no-untyped-def]
        count.append(path)
        if len(count) == 3:
            raise OSError(28, "No space left on device", str(path))
        return real(path, data, mode)

    monkeypatch.setattr(write_module, "_write_file", flaky)
    with pytest.raises(OSError):
        build(root)
    after = snapshot(root)
    del after["decks/starter.yaml"], before["decks/starter.yaml"]
    assert after == before  # outputs and lock untouched
    assert sorted(p.name for p in root.iterdir()) == sorted(p.name for p in root.iterdir() if not p.name.startswith(".d"))
    assert not [p for p in root.rglob("*") if "staging" in p.name or p.name.endswith(".tmp")]


def test_sigint_during_the_switch_gives_all_new_outputs(make_project, monkeypatch) -> None:
    root = make_project()
    build(root)
    deck = root / "decks" / "starter.yaml"
    deck.write_text(deck.read_text().replace("Between which dates", "Between which two dates"))
    real = write_module._exchange
    calls = []

    def interrupted(a, b):  # type: ignore[no-untyped-def]
        calls.append(b)
        signal.raise_signal(signal.SIGINT)  # a real Ctrl-C, in the middle of the switch
        return real(a, b)

    monkeypatch.setattr(write_module, "_exchange", interrupted)
    with pytest.raises(write_module.InterruptedAfterCommit):
        build(root)
    monkeypatch.setattr(write_module, "_exchange", real)
    assert calls  # the interrupt came during the switch and was delivered after it
    interrupted_outputs = snapshot(root / "dist")
    lock = (root / "studydeck.lock").read_bytes()
    build(root)
    assert snapshot(root / "dist") == interrupted_outputs  # all new, nothing half-written
    assert (root / "studydeck.lock").read_bytes() == lock  # and the lock went with them
    assert not [p for p in root.parent.rglob("*") if "staging" in p.name or p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def starter_checked(tmp_path_factory):  # type: ignore[no-untyped-def]
    from generator.pipeline import check_project

    root = tmp_path_factory.mktemp("guid")
    shutil.copytree(REPO / "seeds", root / "seeds")
    shutil.copy(REPO / "studydeck.yaml", root / "studydeck.yaml")
    (root / "decks").mkdir()
    shutil.copy(STARTER, root / "decks" / "starter.yaml")
    checked = check_project(root)
    assert checked.report.ok
    return checked


@settings(max_examples=60, derandomize=True, deadline=None)
@given(text=st.text(min_size=1, max_size=80).filter(lambda s: s.strip() != ""),
       title=st.sampled_from(["Starter", "Renamed", "Other deck"]))
def test_guid_never_changes_unless_the_id_does(starter_checked, text: str, title: str) -> None:
    from generator.anki.notes import compile_notes

    checked = starter_checked
    base = {n.item_id: n.guid for n in compile_notes(checked.project, checked.corpus)}
    decks = []
    for deck in checked.project.decks:
        items = tuple(
            dataclasses.replace(item, **{f: text for f in ("question", "statement", "prompt", "note") if hasattr(item, f)})
            for item in deck.items
        )
        decks.append(dataclasses.replace(deck, deck=title, items=items))
    changed = compile_notes(dataclasses.replace(checked.project, decks=tuple(decks)), checked.corpus)
    assert {n.item_id: n.guid for n in changed} == base
    assert any(n.fingerprint() != o for n, o in zip(changed, [m.fingerprint() for m in
               compile_notes(checked.project, checked.corpus)], strict=True))


# --- the project's own files, planted: links leading out, fifos, devices (found by fuzzing the CLI) ---


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text("deck: Secret\nitems: []\n# the password is hunter2\n")
    return secret


@pytest.mark.parametrize("planted", ["deck file", "decks folder", "seeds folder", "project file"])
def test_nothing_is_read_through_a_link_leading_out(make_project, run, tmp_path, planted: str) -> None:
    root = make_project()
    secret = _outside(tmp_path)
    if planted == "deck file":
        os.symlink(secret, root / "decks" / "zz.yaml")
    elif planted == "decks folder":
        shutil.move(root / "decks", secret.parent / "decks")
        os.symlink(secret.parent / "decks", root / "decks")
    elif planted == "seeds folder":
        shutil.move(root / "seeds", secret.parent / "seeds")
        os.symlink(secret.parent / "seeds", root / "seeds")
    else:
        shutil.move(root / "studydeck.yaml", secret.parent / "studydeck.yaml")
        os.symlink(secret.parent / "studydeck.yaml", root / "studydeck.yaml")
    code, _, err = run(["check"], cwd=root)
    assert code == 1 and "Traceback" not in err and "hunter2" not in err
    assert re.search(r"error\[unsafe-path\]: .* leads out through a symbolic link; not read", err), err


@pytest.mark.parametrize("planted", ["fifo", "/dev/zero", "link leading out"])
def test_a_planted_lock_is_refused_without_reading_it(make_project, tmp_path, planted: str) -> None:
    """A fifo would block the build for ever, /dev/zero fill the memory, a link read a file
    from elsewhere: each is a lock-file error, found at once."""
    import subprocess
    import sys

    root = make_project()
    lock = root / "studydeck.lock"
    if planted == "fifo":
        os.mkfifo(lock)
    elif planted == "/dev/zero":
        os.symlink("/dev/zero", lock)
    else:
        os.symlink(_outside(tmp_path), lock)
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--no-worksheets", str(root)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "STUDYDECK_NO_CACHE": "1"})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "hunter2" not in proc.stderr
    assert "studydeck.lock:1:1: error[lock-file]:" in proc.stderr
    assert not (root / "dist").exists()


@pytest.mark.parametrize("planted", [".studydeck-build.json", "Siege of Lal Masjid.apkg", "lock temp"])
def test_fifos_under_our_names_do_not_block_a_build(make_project, planted: str) -> None:
    import subprocess
    import sys

    root = make_project()
    assert build(root, worksheets=False, exports=set()).report.ok
    fifo = root / ".studydeck.lock.999.tmp" if planted == "lock temp" else root / "dist" / planted
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--no-worksheets", "--no-exports", str(root)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "STUDYDECK_NO_CACHE": "1"})
    assert proc.returncode == 0, proc.stderr
    assert (root / "dist" / "Siege of Lal Masjid.apkg").is_file()
    assert not (root / ".studydeck.lock.999.tmp").exists()


def test_a_planted_old_output_link_is_never_restored(make_project, tmp_path) -> None:
    """``recover`` puts back the previous outputs of a run killed between two renames: never a
    link someone left under that name, which would turn the output folder into another place."""
    root = make_project()
    victim = tmp_path / "victim"
    victim.mkdir()
    os.symlink(victim, root / ".dist.old-5")
    assert build(root, worksheets=False, exports=set()).report.ok
    assert (root / "dist").is_dir() and not (root / "dist").is_symlink()
    assert not (root / ".dist.old-5").exists() and not (root / ".dist.old-5").is_symlink()
    assert list(victim.iterdir()) == []


@pytest.mark.parametrize("command", [["quiz", "--questions", "5"], ["export", "--format", "gift"]])
def test_quiz_and_export_never_replace_a_build(make_project, run, command: list[str]) -> None:
    root = make_project()
    assert run(["build", "--no-worksheets"], cwd=root)[0] == 0
    before = snapshot(root / "dist")
    code, _, err = run([*command, "--out", str(root / "dist")], cwd=root)
    assert code == 1 and "holds the outputs of a build" in err, err
    assert snapshot(root / "dist") == before


def test_a_nul_in_a_configured_path_is_reported(make_project, run) -> None:
    root = make_project()
    project = root / "studydeck.yaml"
    project.write_text(project.read_text().replace("  out: dist", '  out: "d\\0x"', 1))
    code, _, err = run(["check"], cwd=root)
    assert code == 1 and "Traceback" not in err
    assert "error[unsafe-path]: build.out 'd\\x00x' holds a NUL character" in err, err


def test_an_output_folder_that_is_a_link_leaves_nothing_behind(make_project) -> None:
    """The exchange puts the link under the staging name: it is removed (a link, never followed)."""
    root = make_project()
    (root / "elsewhere").mkdir()
    os.symlink("elsewhere", root / "dist")
    assert build(root, worksheets=False, exports=set()).report.ok
    assert (root / "dist").is_dir() and not (root / "dist").is_symlink()
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".dist")) == []
