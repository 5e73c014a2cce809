"""PyYAML's syntax errors in plain words: what usually causes each, and the fix."""

from __future__ import annotations

import re

_UNQUOTED_COLON = re.compile(r"^\s*(?:-\s+)?[\w.-]+:\s+[^'\"\s#][^#]*:\s")


def syntax_hint(problem: str, context: str, text: str, mark: object, opened: object) -> str:
    """PyYAML's message in plain words: what usually causes it, and the fix."""
    lines = text.splitlines()
    number = getattr(mark, "line", 0)
    line = lines[number] if number < len(lines) else ""
    if "mapping values are not allowed" in problem:
        if _UNQUOTED_COLON.match(line + " "):
            return 'a value that contains ": " must be quoted, e.g. question: "Who said: ..."'
        return "this line is indented more than the key above it, or a value above it holds an unquoted ': '"
    if "expected '-' indicator" in problem or "expected <block end>" in problem:
        return ("this line's indentation does not match the lines around it: keys of one item, and items"
                " of one list, must start in the same column")
    if "Unicode character escape" in problem:
        return ("\\uD800 to \\uDFFF (halves of a surrogate pair) and codes past \\U0010FFFF are no character:"
                " write the character itself, or its own code (\\U0001F600, not \\uD83D\\uDE00)")
    if "unknown escape character" in problem:
        return "a backslash in double quotes starts an escape: write \\\\ for a backslash, or use single quotes"
    if "quoted scalar" in context:
        start = getattr(opened, "line", number) + 1
        return f"a quotation mark opened on line {start} is never closed (a quote inside it must be doubled or escaped)"
    if "flow sequence" in context or "flow mapping" in context:
        return "a [ ... ] or { ... } is not closed, or a value in it holds an unquoted comma, colon or bracket"
    if "cannot start any token" in problem:
        return "a value starting with @, ` or % must be quoted"
    return ""
