"""Standard output and error for the CLI: text is never lost to an exception, and output that
cannot be written is an error, not silence.

- :func:`out` writes to stdout; a closed or full stdout raises :class:`Unwritable` (the command
  then fails, exit 1), a reader that went away (``| head -1``) raises BrokenPipeError (exit 0);
- :func:`tolerant` (at start) makes both streams write characters their encoding lacks as
  backslash escapes, and a closed stderr a sink;
- :func:`reader_gone` (after a broken pipe) keeps the flush at exit from failing again.
"""

from __future__ import annotations

import contextlib
import os
import sys


class Unwritable(Exception):
    """Standard output is closed or refuses the text (a full disk): the requested output is lost."""


def out(text: str, flush: bool = False) -> None:
    """Write ``text`` to standard output. Output that cannot be written raises Unwritable; a reader
    that went away (``| head -1``) raises BrokenPipeError, which is not an error of ours."""
    if sys.stdout is None:  # started with stdout closed (`>&-`): print() would drop the text silently
        if text:
            raise Unwritable("it is closed")
        return
    try:
        if text:
            sys.stdout.write(text)
        if flush:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise Unwritable(exc.strerror or str(exc)) from None


def tolerant() -> None:
    """Standard streams that never lose text to an exception: characters their encoding lacks are
    written as backslash escapes, and a closed stderr becomes a sink (print would send it to stdout)."""
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 -- lives as long as the process
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):  # a detached stream: keep it as it is
                reconfigure(errors="backslashreplace")


def reader_gone() -> None:
    """After a broken pipe: point a stream that still cannot flush at /dev/null, so that the flush
    at exit does not fail again (text already buffered for a working stream is still written)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            with open(os.devnull, "wb") as sink:
                os.dup2(sink.fileno(), stream.fileno())
        except (AttributeError, OSError, ValueError):
            pass


def encodable_json(text: str) -> str:
    """``text``, or with non-ASCII escaped as \\uXXXX when stdout's encoding cannot carry it (still
    valid JSON, where backslash-replaced characters would not be)."""
    import json

    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return json.dumps(json.loads(text), indent=2)
    return text
