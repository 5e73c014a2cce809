"""Command line: argument parsing, printing and exit codes, nothing else.

Exit codes: 0 clean, 1 invalid input, 2 usage error (130 when interrupted).
Heavy libraries (genanki, typst) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import options, streams
from .arguments import EXPORT_FORMATS, build_parser
from .diagnostics import OutputError, Report
from .paths import display_path
from .wording import plural

if TYPE_CHECKING:

    from .pipeline import Checked
    from .progress import Progress

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _print_report(report: Report, fmt: str, tail: str = "") -> None:
    if fmt == "json":
        text = "\n".join(options.shown(line, json=True) for line in report.to_json().split("\n"))
        streams.out(streams.encodable_json(text) + "\n")
        return
    for diag in report:
        print(diag.format(options.shown), file=sys.stderr)
    print(report.summary() + tail, file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    from .pipeline import check_project

    checked = check_project(options.root(args.root), items=args.verbose)
    _print_report(checked.report, args.format, "." if checked.report.ok else "; nothing written.")
    if args.verbose and checked.report.ok:
        _print_teacher_marked(checked)
    return EXIT_OK if checked.report.ok else EXIT_INVALID


def _print_teacher_marked(checked: Checked) -> None:
    """``check --verbose``: the items Moodle XML and GIFT leave to a teacher to mark, located."""
    from .export.common import AUTO_MARK_MAX_WORDS, teacher_marked

    found = teacher_marked(checked.project)
    for item, span, why in found:
        print(f"{options.shown(span.path)}:{span.line}:{span.col}: note: {item.id}: marked by a teacher in Moodle XML"
              f" and GIFT ({why}; auto-marking takes at most {AUTO_MARK_MAX_WORDS})", file=sys.stderr)
    total = len(checked.project.items)
    print(f"{len(found)} of {plural(total, 'item')} will be marked by a teacher in Moodle XML and GIFT.",
          file=sys.stderr)


def _waiting() -> None:
    print("studydeck: waiting for another build in this project to finish...", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from .anki.lock import now
    from .build import build
    from .progress import Progress

    exports: set[str] | None = set() if args.no_exports else None
    if args.exports is not None:
        exports = {name.strip() for name in args.exports.split(",")} - {""}
        if not exports:
            raise options.Usage(f"--exports: no formats given; give some of {','.join(EXPORT_FORMATS)}, or use --no-exports")
    if exports and (unknown := exports - set(EXPORT_FORMATS)):
        raise options.Usage(f"--exports: unknown format {', '.join(sorted(unknown))}; formats: {', '.join(EXPORT_FORMATS)}")
    previous = None if args.previous is None else options.previous(args.previous)
    root = options.root(args.root)
    try:
        now()  # a malformed SOURCE_DATE_EPOCH stops the build before it starts
    except ValueError as exc:
        raise options.Usage(str(exc)) from None
    with Progress() as progress:
        def waiting() -> None:
            progress.clear()
            _waiting()

        result = build(root, Path(args.out) if args.out else None, worksheets=not args.no_worksheets,
                       previous=previous, on_wait=waiting, exports=exports, progress=progress)
    if not result.report.ok:
        _print_report(result.report, "text", "; nothing written.")
        return EXIT_INVALID
    for diag in result.report:
        print(diag.format(options.shown), file=sys.stderr)
    pdfs = [p for p in result.written if p.suffix == ".pdf"]
    for path in result.written:
        if path.suffix not in (".pdf", ".xml", ".gift", ".zip"):
            print(f"wrote {display_path(path)}", file=sys.stderr)
    if pdfs:
        print(f"wrote {len(pdfs)} worksheets and keys in {display_path(pdfs[0].parent)}/", file=sys.stderr)
    for folder in sorted({p.parent for p in result.written if p.suffix in (".xml", ".gift", ".zip")}):
        print(f"wrote {display_path(folder)}/", file=sys.stderr)
    for line in result.exports.lines():
        print(line, file=sys.stderr)
    if result.removed:
        print(options.shown(result.removed_line()), file=sys.stderr)
    print(f"{result.report.summary()}; {result.notes} notes, {result.changed} new or changed.", file=sys.stderr)
    return EXIT_OK


def _checked(root: Path, tail: str = "; nothing written.", progress: Progress | None = None) -> Checked | None:
    """The checked project, or None after printing its problems (a command that needs it clean)."""
    from .pipeline import check_project

    if progress:
        progress("checking")
    checked = check_project(root)
    if progress:
        progress.clear()
    if not checked.report.ok:
        _print_report(checked.report, "text", tail)
        return None
    return checked


def cmd_quiz(args: argparse.Namespace) -> int:
    from .progress import Progress

    options.quiz_options(args)
    with Progress() as progress:
        return _quiz(args, progress)


def _quiz(args: argparse.Namespace, progress: Progress) -> int:
    from .engine import keeps_results
    from .kept import KeptPdfs
    from .worksheet.layout import SECTION_OF, QuizSpec
    from .worksheet.quizzes import QuizChoiceError, chosen_quiz, render_quizzes
    from .write import exclusive, publish

    root = options.root(args.root)
    checked = _checked(root, progress=progress)
    if checked is None or checked.project.config is None:
        return EXIT_INVALID
    config = checked.project.config
    seed = config.build.seed if args.seed is None else args.seed
    title = args.title or f"{config.collection}: quiz"
    minutes = config.quiz.minutes if args.minutes is None else args.minutes
    instructions = config.quiz.instructions if args.instructions is None else args.instructions
    spec = QuizSpec(title, seed, args.paper or config.build.paper, minutes, instructions or "", config.quiz.points)
    progress("choosing questions")
    try:
        request = chosen_quiz(checked.project.decks, args.deck or [], args.type or [], args.tag or [],
                              args.name or title, spec, args.questions or config.build.questions,
                              args.versions or config.build.versions, checked.corpus)
    except QuizChoiceError as exc:
        raise options.Usage(str(exc)) from None
    if request.shortfall:
        progress.clear()
        print(f"studydeck: warning: {request.shortfall}", file=sys.stderr)
    out = Path(args.out) if args.out else root / config.build.out / "quizzes" / request.slug
    files = render_quizzes([request], checked.corpus, Path(), lambda done, total: progress("rendering", done, total),
                           kept=KeptPdfs(root) if keeps_results(root) else None)

    def waiting() -> None:
        progress.clear()
        _waiting()

    progress("writing")
    with exclusive(root, waiting):
        publish(out, {str(path): data for path, data in files.items()})
    progress.close()
    for path in files:
        print(f"wrote {display_path(out / path)}", file=sys.stderr)
    kinds = sorted({SECTION_OF[i.kind] for i in request.items})
    print(f"{plural(len(request.items), 'question')} ({', '.join(kinds)}),"
          f" {plural(request.versions, 'version')}, seed {seed}.", file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .export import ExportChoiceError, choose, render_exports
    from .write import exclusive, publish

    root = options.root(args.root)
    checked = _checked(root)
    if checked is None or checked.project.config is None:
        return EXIT_INVALID
    try:
        decks = choose(checked.project.decks, args.deck or [], args.type or [], args.tag or [])
    except ExportChoiceError as exc:
        raise options.Usage(str(exc)) from None
    out = Path(args.out) if args.out else root / checked.project.config.build.out / "exports" / args.format
    files, summary = render_exports(checked.project, checked.corpus, Path(), {args.format}, decks)
    flat = {p.name: data for p, data in files.items()}  # one format: <deck>.xml, <deck>.gift, <deck>.zip or index.html
    with exclusive(root, _waiting):
        publish(out, flat)
    for name in flat:
        print(f"wrote {display_path(out / name)}", file=sys.stderr)
    for line in summary.lines():
        print(line, file=sys.stderr)
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    from .coverage import coverage, marked_backs, render

    checked = _checked(options.root(args.root), "; coverage needs a clean check.")
    if checked is None:
        return EXIT_INVALID
    streams.out(render(*coverage(checked), marked_backs(checked)))
    return EXIT_OK


def cmd_find(args: argparse.Namespace) -> int:
    from .pipeline import load_sources
    from .sources import normalise

    if not normalise(args.phrase).strip():
        raise options.Usage("find: the phrase is empty; give words to look for")
    corpus, report = load_sources(options.root(args.root))
    if not corpus.documents:
        _print_report(report, "text")
        return EXIT_INVALID
    count = 0
    for doc_id, doc in corpus.documents.items():
        seen: set[tuple[int, int]] = set()
        for hit in doc.search(args.phrase):
            passage = doc.passage(hit)
            if (passage.start, passage.end) in seen:
                continue  # the phrase twice in one sentence: the sentence once
            seen.add((passage.start, passage.end))
            count += 1
            where = doc.excluded_reason(passage)
            flag = f"  [not citable: {where}]" if where else ""
            streams.out(f"{doc_id}:{passage.line}:{flag}\n"
                 f"  source: {{doc: {doc_id}, excerpt: {options.shown(_yaml_quote(doc.shown(passage).text))}}}\n")
    print(f"{plural(count, 'passage')} found for {args.phrase!r}", file=sys.stderr)
    return EXIT_OK if count else EXIT_INVALID


def _yaml_quote(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import render

    streams.out(render())
    return EXIT_OK


COMMANDS = {"check": cmd_check, "build": cmd_build, "export": cmd_export, "find": cmd_find, "quiz": cmd_quiz,
            "coverage": cmd_coverage, "schema": cmd_schema}


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C: nothing half-written is left


def run() -> None:
    """The ``studydeck`` command (and ``python -m generator``): :func:`main`, then the process ends.
    What the command left alive is frozen first: the interpreter's last collection, at exit, would
    otherwise walk every object of it (15 ms after a check of a 10k-item bank, 70 ms after its
    build) to free memory the process is about to give back whole. Nothing of ours needs a
    finaliser run by that collection: every file is written and closed before ``main`` returns, and
    the interpreter still flushes the standard streams and runs ``atexit`` handlers. (Tests call
    :func:`main` itself, in their own process.)"""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    streams.tolerant()
    previous = None
    try:  # parse_args too: --version and --help write to stdout, which may be closed or full
        parser = build_parser()
        argv = list(sys.argv[1:] if argv is None else argv)
        if not argv:
            parser.print_help()
            return EXIT_OK
        args = parser.parse_args(argv)
        # A short-lived run that allocates hundreds of thousands of small acyclic objects: the cyclic
        # collector would rescan them again and again (half of a 10k-item check). Reference counting
        # still frees them; the benchmark reports the peak memory this costs.
        gc.disable()
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _sigterm)
        code = int(COMMANDS[args.command](args))
        streams.out("", flush=True)  # a full disk shows at the flush; at exit it would be a traceback
        return code
    except options.Usage as exc:
        print(f"studydeck: error: {options.shown(str(exc))}", file=sys.stderr)  # it may echo a --deck or --tag value
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        if getattr(exc, "committed", False):
            print("studydeck: interrupted after the outputs were written; they are all new.", file=sys.stderr)
        else:
            print("studydeck: interrupted; previous outputs left as they were.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # a reader such as `head` went away: not an error of ours
        streams.reader_gone()
        return EXIT_OK
    except streams.Unwritable as exc:
        print(f"studydeck: error: cannot write standard output: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:  # writing outputs: permissions, a full disk, a file where a folder should be
        where = f" {options.shown(str(exc.filename))}" if exc.filename else ""
        after = getattr(exc, "after_commit", "")
        tail = f"; {after}" if after else "; previous outputs left as they were."
        print(f"studydeck: error: cannot write{where}: {exc.strerror or exc}{tail}", file=sys.stderr)
        return EXIT_INVALID
    except OutputError as exc:
        print(f"studydeck: error: {options.shown(str(exc))}; previous outputs left as they were.", file=sys.stderr)
        return EXIT_INVALID
    finally:
        # With collection off, what the command left alive all counts as new: the first collection
        # after gc.enable() would scan every object of it (a tenth of a second after a 10k-item
        # build). Frozen and thawed, they join the oldest generation, which only a full collection scans.
        gc.freeze()
        gc.unfreeze()
        gc.enable()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
