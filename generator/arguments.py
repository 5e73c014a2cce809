"""The command line's grammar: every command, option and help text (argparse); nothing is run here.
`cli.main` parses with it and runs the command it names."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from . import options, streams

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# model.ITEM_TYPES, spelled out so that start-up (and --help) does not import the model;
# tests/test_cli.py fails if the two ever differ.
ITEM_TYPE_NAMES = ("basic", "mcq", "truefalse", "cloze", "order", "match", "quote", "claims")
EXPORT_FORMATS = ("moodle", "gift", "html", "qti")  # export.FORMATS, pinned by tests/test_export_moodle.py


ROOT_HELP = "project folder (default: the nearest folder at or above the current one holding studydeck.yaml)"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("studydeck")
    except PackageNotFoundError:
        return "unknown"


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked (importlib.metadata is slow
    to import, and every command builds the parser)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        streams.out(f"studydeck {_version()}\n", flush=True)  # parser.exit() leaves main: flush while errors are ours
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """Help goes through streams.out: a closed or full stdout is an error, not text silently lost."""

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        if file is not None:
            super().print_help(file)
        else:
            streams.out(self.format_help(), flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="studydeck",
        description="Sourced study decks: YAML items checked against source texts -> Anki decks and PDF quizzes.",
        epilog="Exit codes: 0 clean, 1 invalid input or failed output, 2 usage error.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="check every deck file; print problems as path:line:col")
    check.add_argument("root", nargs="?", help=ROOT_HELP)
    check.add_argument("--format", choices=["text", "json"], default="text",
                       help="text for people (default), json for tools")
    check.add_argument("--verbose", action="store_true",
                       help="also list the items Moodle XML and GIFT leave to a teacher to mark (answers over 4 words)")

    build = sub.add_parser("build", help="check, then build the Anki package (and worksheets) into dist/")
    build.add_argument("root", nargs="?", help=ROOT_HELP)
    build.add_argument("--out", help="output folder, replaced as a whole (default: the project file's build.out, dist)")
    build.add_argument("--no-worksheets", action="store_true", help="leave out the PDF worksheets")
    which = build.add_mutually_exclusive_group()
    which.add_argument("--no-exports", action="store_true", help="leave out the Moodle XML, GIFT, self-test and QTI exports")
    which.add_argument("--exports", metavar="LIST", help="comma-separated exports to write: moodle,gift,html,qti "
                       "(default: the project file's build.exports, all four)")
    build.add_argument("--previous", metavar="APKG",
                       help="the package learners last received, when it is not in the output folder"
                            " (edited notes then always get later times than it has)")

    export = sub.add_parser("export", help="write one export: Moodle XML, GIFT, the offline self-test page or QTI 1.2")
    export.add_argument("root", nargs="?", help=ROOT_HELP)
    export.add_argument("--format", choices=list(EXPORT_FORMATS), required=True,
                        help="moodle: <deck>.xml files; gift: <deck>.gift files; html: index.html; qti: <deck>.zip files and"
                        " all_decks.zip (QTI 1.2 for Canvas, Brightspace, Schoology)")
    export.add_argument("--deck", action="append", help="deck file stem or title (repeatable; default: all)")
    export.add_argument("--type", action="append", choices=list(ITEM_TYPE_NAMES),
                        help="item type (repeatable; default: all)")
    export.add_argument("--tag", action="append", help="only items with this tag (repeatable; any of them)")
    export.add_argument("--out", help="output folder, replaced as a whole (default: dist/exports/FORMAT, kept by build)")

    find = sub.add_parser("find", help="search the seeds for a phrase; print passages ready to paste")
    find.add_argument("phrase", help="words to look for (case-insensitive, quotes and dashes normalised)")
    find.add_argument("root", nargs="?", help=ROOT_HELP)

    quiz = sub.add_parser("quiz", help="make a printable quiz (PDF worksheets and answer keys)")
    quiz.add_argument("root", nargs="?", help=ROOT_HELP)
    quiz.add_argument("--deck", action="append", help="deck file stem or title (repeatable; default: all)")
    quiz.add_argument("--type", action="append", choices=list(ITEM_TYPE_NAMES), help="item type (repeatable; default: all)")
    quiz.add_argument("--tag", action="append",
                      help="only items with this tag (repeatable: items with any of them; default: all)")
    quiz.add_argument("--questions",
                      help="number of questions (default: build.questions); a warning says when fewer can be chosen")
    quiz.add_argument("--versions", type=options.versions,
                      help="versions with shuffled order, 1 to 26, lettered A to Z (default: build.versions)")
    quiz.add_argument("--minutes", help="time allowed, printed on the sheet (default: quiz.minutes)")
    quiz.add_argument("--instructions", help="instructions printed under the title (default: quiz.instructions)")
    quiz.add_argument("--seed", help="shuffling seed (default: build.seed)")
    quiz.add_argument("--title", help="title printed on the sheet")
    quiz.add_argument("--name", help="file name stem (default: from the title)")
    quiz.add_argument("--paper", choices=["a4", "us-letter"], help="paper size (default: build.paper)")
    quiz.add_argument("--out", help="output folder (default: dist/quizzes/NAME)")

    cov = sub.add_parser("coverage", help="items per source, uncited paragraphs, item types per deck")
    cov.add_argument("root", nargs="?", help=ROOT_HELP)

    sub.add_parser("schema", help="print the JSON Schema of deck files")
    return parser
