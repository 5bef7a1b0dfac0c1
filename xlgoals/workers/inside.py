"""Inside a worker process of the pool: dying with its parent, off the caller's terminal, bounded in memory.

The pool is workers/pool.py; here is also the loop that runs one task at a time."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any


@dataclass(frozen=True)
class Settings:
    """What every worker of a pool gets: an address-space bound, a priority below the parent's, its own start."""

    memory: int | None = None  # bytes of address space (RLIMIT_AS); None: the parent's
    nice: int = 0  # run below the parent, which must drain results promptly
    setup: Callable[[], None] | None = None  # run once per worker before its first task
    max_tasks: int = 0  # a worker is replaced after this many tasks (0: never)


def _die_with_parent(parent: int | None, lifeline: Connection | None) -> None:
    """Exit when the parent does, even by kill -9. Linux: the kernel sends SIGKILL when the parent thread
    ends (PR_SET_PDEATHSIG); a parent gone before that was set shows in getppid() (an orphan is adopted at
    once, before its dead parent is even reaped). Elsewhere (spawned workers inherit nothing else of the
    parent's): a thread waits on a pipe only the parent holds, and exits the worker when it closes."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    elif lifeline is not None:

        def watch() -> None:
            with contextlib.suppress(EOFError, OSError):
                lifeline.recv()
            os._exit(1)

        threading.Thread(target=watch, name="xlgoals-lifeline", daemon=True).start()
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def _detach_terminal() -> None:
    """A worker neither reads the caller's terminal nor writes to its standard output; errors still reach
    standard error (the server's log)."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(null, fd)
    os.close(null)


def _limit_memory(memory: int) -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))


def worker_main(conn: Connection, parent: int | None, lifeline: Connection | None, settings: Settings) -> None:
    _die_with_parent(parent, lifeline)
    from xlgoals.io import janitor

    janitor.disable()  # what a worker writes lies in folders its parent tracks
    _detach_terminal()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if settings.memory and os.name == "posix":
        _limit_memory(settings.memory)
    if settings.nice and hasattr(os, "nice"):
        os.nice(settings.nice)
    if settings.setup is not None:
        settings.setup()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args = job
        try:
            answer: tuple[bool, Any] = (True, fn(*args))
        except BaseException as e:  # MemoryError under the address-space bound included: the parent decides
            answer = (False, e)
        try:
            conn.send(answer)
        except Exception as e:  # an answer that cannot be pickled
            conn.send((False, RuntimeError(f"{type(e).__name__}: {e}")))
