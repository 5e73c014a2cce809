"""Worker processes: one function applied to many tasks, in forked processes, as an execution
detail behind :func:`map_forked`.

The function is inherited through ``fork`` with whatever it holds (a bound method, a partial:
the corpus, the cache), never pickled and never put in a global; only each task and its
result cross between processes, through one pipe per worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # (multiprocessing is imported only when workers start: most runs need none)
    from multiprocessing.connection import Connection

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """How many cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _serve(work: Callable[[Any], Any], conn: Connection) -> None:
    """A worker's loop: a task in, its result (or the exception it raised) out, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C, once
    while (task := conn.recv()) is not None:
        try:
            answer: tuple[bool, Any] = (True, work(task))
        except Exception as exc:  # raised again in the parent
            answer = (False, exc)
        conn.send(answer)


def map_forked(work: Callable[[T], R], tasks: Sequence[T], workers: int,
               done: Callable[[int, R], None] | None = None) -> list[R] | None:
    """``work`` applied to every task in ``workers`` forked processes, the results in task
    order (``done(n, result)`` hears of each as it arrives); None when the processes could not
    be started or one died (no fork, no memory, a process limit): the caller then does the work
    itself. An exception ``work`` raises is raised here; an interruption stops the workers
    without waiting for them."""
    from multiprocessing import get_context
    from multiprocessing.connection import wait

    try:
        context = get_context("fork")
    except ValueError:  # no fork on this system
        return None
    started: list[tuple[Any, Connection]] = []
    finished = False
    try:
        for _ in range(workers):
            here, there = context.Pipe()
            process = context.Process(target=_serve, args=(work, there), daemon=True)
            process.start()
            there.close()
            started.append((process, here))
        results: list[Any] = [None] * len(tasks)
        pending = iter(range(len(tasks)))
        busy: dict[Connection, int] = {}

        def feed(conn: Connection) -> None:
            n = next(pending, None)
            if n is not None:
                conn.send(tasks[n])
                busy[conn] = n

        for _, conn in started:
            feed(conn)
        while busy:
            ready = wait([*busy, *(p.sentinel for p, c in started if c in busy)])
            for conn in [c for c in busy if c in ready]:
                ok, value = conn.recv()
                if not ok:
                    raise value
                n = busy.pop(conn)
                results[n] = value
                if done:
                    done(n, value)
                feed(conn)
            if any(p.sentinel in ready for p, c in started if c in busy and c not in ready):
                return None  # a worker died before answering
        finished = True
        return results
    except (OSError, EOFError):
        return None
    finally:
        for process, conn in started:
            if finished:
                with contextlib.suppress(OSError):
                    conn.send(None)
            else:
                process.terminate()
            conn.close()
        for process, _ in started:
            process.join()
