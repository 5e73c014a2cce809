"""Command line: argument parsing, printing and exit codes, nothing else.

Exit codes: 0 clean, 1 invalid input, 2 usage error (130 when interrupted).
Heavy libraries (genanki, typst) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .diagnostics import Report

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Usage(Exception):
    """A usage error found after argument parsing (e.g. ROOT is not a folder)."""


def _root(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise _Usage(f"{value}: not a folder (ROOT must hold studydeck.yaml, decks/ and seeds/)")
    return path


def _print_report(report: Report, fmt: str, tail: str = "") -> None:
    if fmt == "json":
        print(report.to_json())
        return
    for diag in report:
        print(diag.format(), file=sys.stderr)
    print(report.summary() + tail, file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    from .pipeline import check_project

    checked = check_project(_root(args.root))
    _print_report(checked.report, args.format, "." if checked.report.ok else "; nothing written.")
    return EXIT_OK if checked.report.ok else EXIT_INVALID


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build
    from .load import display_path

    result = build(_root(args.root), Path(args.out) if args.out else None)
    if not result.report.ok:
        _print_report(result.report, "text", "; nothing written.")
        return EXIT_INVALID
    for diag in result.report:
        print(diag.format(), file=sys.stderr)
    for path in result.written:
        print(f"wrote {display_path(path)}", file=sys.stderr)
    print(f"{result.report.summary()}; {result.notes} notes, {result.changed} new or changed.", file=sys.stderr)
    return EXIT_OK


def cmd_find(args: argparse.Namespace) -> int:
    from .pipeline import check_project

    checked = check_project(_root(args.root))
    if not checked.corpus.documents:
        _print_report(checked.report, "text")
        return EXIT_INVALID
    count = 0
    for doc_id, doc in checked.corpus.documents.items():
        for hit in doc.search(args.phrase):
            count += 1
            where = doc.excluded_reason(hit)
            flag = f"  [not citable: {where}]" if where else ""
            print(f"{doc_id}:{hit.line}:{flag}")
            print(f"  source: {{doc: {doc_id}, excerpt: {_yaml_quote(doc.passage(hit))}}}")
    print(f"{count} passage{'s' if count != 1 else ''} found for {args.phrase!r}", file=sys.stderr)
    return EXIT_OK if count else EXIT_INVALID


def _yaml_quote(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import render

    sys.stdout.write(render())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studydeck",
        description="Sourced study decks: YAML items checked against source texts -> Anki decks and PDF quizzes.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="check every deck file; print problems as path:line:col")
    check.add_argument("root", nargs="?", default=".", help="project folder (default: .)")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.set_defaults(func=cmd_check)

    build = sub.add_parser("build", help="check, then build the Anki package (and worksheets) into dist/")
    build.add_argument("root", nargs="?", default=".", help="project folder (default: .)")
    build.add_argument("--out", help="output folder (default: the project file's build.out, dist)")
    build.set_defaults(func=cmd_build)

    find = sub.add_parser("find", help="search the seeds for a phrase; print passages ready to paste")
    find.add_argument("phrase")
    find.add_argument("root", nargs="?", default=".")
    find.set_defaults(func=cmd_find)

    schema = sub.add_parser("schema", help="print the JSON Schema of deck files")
    schema.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except _Usage as exc:
        print(f"studydeck: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("studydeck: interrupted; nothing written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
