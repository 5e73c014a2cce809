"""A one-line progress display on stderr, for work that takes longer than about a second.

Only when stderr is a terminal: the line ("studydeck: rendering worksheets 12/44") is redrawn in
place with a carriage return and wiped at the end, so nothing of it is left on the screen, and
nothing at all reaches a file or a pipe. It appears once the work has run for ``DELAY`` seconds
(a timer draws the current stage then, even when the stage reports nothing more).

Stages report through a plain callable, ``progress(label, done, total)`` (``total`` 0: a stage
without a count), so that the stages need not know about terminals.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

DELAY = 1.0  # seconds of work before the line appears

Report = Callable[[str, int, int], None]  # (label, done, total)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


class Progress:
    """The progress line on ``stream`` (default: stderr); a no-op unless it is a terminal.
    Call it with each stage; ``clear()`` before printing anything else; ``close()`` (or leave the
    ``with`` block) at the end."""

    def __init__(self, stream: TextIO | None = None, delay: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self.delay = DELAY if delay is None else delay
        self.start = time.monotonic()
        self.text = ""
        self.width = 0  # characters of the line now on the screen
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None
        if self.enabled and self.delay > 0:
            self.timer = threading.Timer(self.delay, self._on_time)
            self.timer.daemon = True
            self.timer.start()

    def __call__(self, label: str, done: int = 0, total: int = 0) -> None:
        if not self.enabled:
            return
        with self.lock:
            self.text = f"studydeck: {label} {done}/{total}" if total else f"studydeck: {label}..."
            if time.monotonic() - self.start >= self.delay:
                self._draw()

    def clear(self) -> None:
        """Wipe the line (it comes back at the next stage): before printing anything else."""
        with self.lock:
            if self.width:
                self._write("\r" + " " * self.width + "\r")
                self.width = 0

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.clear()
        self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _on_time(self) -> None:
        with self.lock:
            if self.enabled and self.text:
                self._draw()

    def _draw(self) -> None:
        """Redraw the line in place (under the lock), cut to the terminal's width so it never wraps."""
        columns = shutil.get_terminal_size().columns - 1
        line = self.text[: max(columns, 10)]
        self._write("\r" + line + " " * max(0, self.width - len(line)))
        self.width = len(line)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the work goes on without the line
            self.enabled = False
