"""The one pool of worker processes (consolidation, archive add, the server), bounded in memory and time.

A dying worker costs only its own task, and no worker outlives its parent.

Each worker has a pipe of its own and runs one task at a time; the parent knows which task every worker holds,
so a worker that dies (a native library aborting, the OOM killer) or overruns its time (it is then killed)
fails exactly that task, and a fresh worker takes its place. Nothing is shared between workers — no lock a
killed worker could leave held, no queue a half-written message could corrupt.

The pool is driven by whoever waits on it: the consolidation's own thread (`results`), or for the server a
thread of the pool's (`threaded`), which resolves the futures asyncio awaits.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from xlgoals.workers.inside import Settings as Settings
from xlgoals.workers.inside import worker_main

T = TypeVar("T")
# Pools not yet closed, closed (workers killed) at interpreter exit: before multiprocessing's own exit handler,
# which would wait for workers that wait for tasks.
_LIVE: weakref.WeakSet[WorkerPool] = weakref.WeakSet()
_TRACKED: set[str] = set()  # multiprocessing's temporary folder, told to the janitor once


@atexit.register
def _close_all() -> None:
    for pool in list(_LIVE):
        pool.close(kill=True)


R = TypeVar("R")


class TaskTimeout(Exception):
    """The task outlasted its time; its worker was killed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"task still running after {seconds:g} s")


class WorkerDied(Exception):
    """The worker running the task died (a signal, or an exit without an answer)."""

    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode
        super().__init__(f"worker exited with {exitcode}")

    @property
    def cause(self) -> str:
        """'SIGKILL', '退出码 1': how the worker ended, for a ledger row."""
        code = self.exitcode
        if code is not None and code < 0:
            try:
                return signal.Signals(-code).name
            except ValueError:
                return f"信号 {-code}"
        return f"退出码 {code}"


@dataclass
class _Task:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: Future[Any]
    timeout: float | None


@dataclass
class _Slot:
    proc: BaseProcess
    conn: Connection
    task: _Task | None = None
    deadline: float | None = None
    done: int = 0


@dataclass(eq=False)
class WorkerPool:
    """Worker processes; `submit` gives a Future, failed with TaskTimeout, WorkerDied or CancelledError when
    the task did not come back. Start method: the platform's default unless given (the server uses
    forkserver, for its threads; consolidation forks, for speed)."""

    workers: int
    settings: Settings = field(default_factory=Settings)
    timeout: float | None = None  # each task's, unless submit says otherwise
    start_method: str | None = None
    preload: tuple[str, ...] = ()  # modules a fork server imports once, for every worker it starts
    threaded: bool = False  # futures resolved by a thread of the pool's (the server, whose callers await them)

    def __post_init__(self) -> None:
        self.workers = max(1, self.workers)
        self._ctx = multiprocessing.get_context(self.start_method)
        if self._ctx.get_start_method() == "forkserver" and self.preload:
            self._ctx.set_forkserver_preload(list(self.preload))
        self._lock = threading.Lock()
        self._queue: deque[_Task] = deque()
        self._cancelled: list[Future[Any]] = []
        self._slots: list[_Slot] = []
        self._retiring: list[BaseProcess] = []
        self._wake_recv, self._wake_send = self._ctx.Pipe(duplex=False)
        # The other end of every worker's lifeline (where no parent-death signal exists): never written.
        self._lifeline_recv, self._lifeline_send = self._ctx.Pipe(duplex=False)
        self._closed = False
        self._thread: threading.Thread | None = None
        _LIVE.add(self)

    # -- what callers use --

    def start(self) -> None:
        """Start every worker now (from the calling thread), so the first task does not wait for one."""
        with self._lock:
            while len(self._slots) < self.workers:
                self._slots.append(self._spawn())
            if self.threaded and self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="xlgoals-pool", daemon=True)
                self._thread.start()

    def submit(self, fn: Callable[..., R], *args: Any, timeout: float | None = None) -> Future[R]:
        future: Future[R] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("pool closed")
            self._queue.append(_Task(fn, args, future, timeout if timeout is not None else self.timeout))
            begin = self.threaded and self._thread is None
        if begin:
            self.start()
        self._wake()
        return future

    def cancel(self, future: Future[Any]) -> None:
        """Drop a task: unstarted, it never runs; running, its worker is killed (a client gave up)."""
        with self._lock:
            self._cancelled.append(future)
        self._wake()

    def pending(self) -> int:
        """Tasks waiting for a worker or running."""
        with self._lock:
            return len(self._queue) + sum(s.task is not None for s in self._slots)

    def results(self, fn: Callable[[T], R], items: Iterable[T], window: int) -> Iterator[tuple[T, R | BaseException]]:
        """(item, result or the exception it failed with) in input order, at most `window` tasks at once,
        driven by the calling thread."""
        flight: deque[tuple[T, Future[R]]] = deque()
        source = iter(items)
        for item in source:
            flight.append((item, self.submit(fn, item)))
            if len(flight) >= window:
                break
        while flight:
            item, future = flight.popleft()
            while not future.done():
                self._pump(None)
            try:
                yield item, future.result()
            except (Exception, CancelledError) as e:
                yield item, e
            for more in source:
                flight.append((more, self.submit(fn, more)))
                break

    def pids(self) -> list[int]:
        with self._lock:
            return [s.proc.pid for s in self._slots if s.proc.pid is not None]

    def close(self, kill: bool = False) -> None:
        """Let the workers finish (or kill them) and end; unstarted tasks are cancelled."""
        _LIVE.discard(self)
        with self._lock:
            if self._closed and self._thread is None and not self._slots:
                return
            self._closed = True
            queued, self._queue = list(self._queue), deque()
        for task in queued:
            task.future.cancel()
        self._wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None
        for slot in list(self._slots):
            running = slot.task
            self._retire(slot, kill=kill or running is not None)
            if running is not None and not running.future.done():
                running.future.set_exception(CancelledError())
        for proc in self._retiring:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        self._retiring = []
        for conn in (self._wake_recv, self._wake_send, self._lifeline_recv, self._lifeline_send):
            conn.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(kill=exc[0] is not None)

    # -- the engine --

    def _spawn(self) -> _Slot:
        mine, theirs = self._ctx.Pipe(duplex=True)
        lifeline = None if sys.platform.startswith("linux") else self._lifeline_recv
        proc = self._ctx.Process(  # type: ignore[attr-defined]
            target=worker_main,
            args=(theirs, self._direct_parent(), lifeline, self.settings),
            name="xlgoals-worker",
            # Not daemonic: a worker may run a pool of its own (the server's summary reads its files in one).
            # What daemonic would give, the pool does itself: it kills its workers at exit (_LIVE).
        )
        proc.start()
        theirs.close()
        return _Slot(proc, mine)

    def _direct_parent(self) -> int | None:
        """The pid a new worker's parent has: ours, or the fork server's (which exits when we do)."""
        if self._ctx.get_start_method() != "forkserver":
            return os.getpid()
        from multiprocessing import forkserver, util

        from xlgoals.io import janitor

        forkserver.ensure_running()
        # The fork server's socket lives there: removed with us even after kill -9; at a normal exit it is
        # multiprocessing's to remove (this release runs before the janitor's pipe closes, registered after it).
        folder = util.get_temp_dir()
        if folder not in _TRACKED:
            _TRACKED.add(folder)
            janitor.track(folder)
            atexit.register(janitor.release, folder)
        pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
        return pid if isinstance(pid, int) else None

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_send.send_bytes(b"")

    def _serve(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
            self._pump(None)

    def _pump(self, timeout: float | None) -> None:
        """One round: cancellations, dispatch, then wait for an answer, a death, a deadline or a wake-up."""
        with self._lock:
            cancelled, self._cancelled = self._cancelled, []
            for future in cancelled:
                self._drop(future)
            self._dispatch()
            busy = [s for s in self._slots if s.task is not None]
            waiting = [self._wake_recv, *(s.conn for s in busy), *(s.proc.sentinel for s in self._slots)]
            deadlines = [s.deadline for s in busy if s.deadline is not None]
        if deadlines:
            left = max(0.0, min(deadlines) - time.monotonic())
            timeout = left if timeout is None else min(timeout, left)
        ready = set(wait(waiting, timeout))  # type: ignore[arg-type]
        with self._lock:
            if self._wake_recv in ready:
                while self._wake_recv.poll():
                    self._wake_recv.recv_bytes()
            for slot in list(self._slots):
                self._settle(slot, slot.conn in ready, slot.proc.sentinel in ready)
            self._retiring = [p for p in self._retiring if p.is_alive()]

    def _dispatch(self) -> None:
        while self._queue:
            idle = next((s for s in self._slots if s.task is None), None)
            if idle is None:
                if len(self._slots) >= self.workers:
                    return
                idle = self._spawn()
                self._slots.append(idle)
            task = self._queue[0]
            if task.future.cancelled():
                self._queue.popleft()
                continue
            try:
                idle.conn.send((task.fn, task.args))
            except OSError:  # the worker died idle: the next round's worker takes the task
                self._retire(idle, kill=True)
                continue
            except Exception as e:  # a task that cannot be pickled (it is pickled whole before any byte is sent)
                self._queue.popleft()
                if task.future.set_running_or_notify_cancel():
                    task.future.set_exception(e)
                continue
            self._queue.popleft()
            if not task.future.set_running_or_notify_cancel():  # cancelled meanwhile, from another thread
                self._retire(idle, kill=True)
                continue
            idle.task = task
            idle.deadline = time.monotonic() + task.timeout if task.timeout else None

    def _settle(self, slot: _Slot, answered: bool, ended: bool) -> None:
        task = slot.task
        if answered and task is not None:
            try:
                ok, value = slot.conn.recv()
            except (EOFError, OSError):
                ok, value = None, None
            if ok is not None:
                slot.task, slot.deadline = None, None
                slot.done += 1
                if ok:
                    task.future.set_result(value)
                else:
                    task.future.set_exception(value)
                if self.settings.max_tasks and slot.done >= self.settings.max_tasks:
                    self._retire(slot)
                return
        if ended or (answered and task is not None):
            slot.proc.join(1)
            if task is not None:
                task.future.set_exception(WorkerDied(slot.proc.exitcode))
            self._retire(slot)
            return
        if task is not None and slot.deadline is not None and time.monotonic() >= slot.deadline:
            self._retire(slot, kill=True)
            task.future.set_exception(TaskTimeout(task.timeout or 0))

    def _drop(self, future: Future[Any]) -> None:
        for task in list(self._queue):
            if task.future is future:
                self._queue.remove(task)
                future.cancel()
                return
        for slot in self._slots:
            if slot.task is not None and slot.task.future is future:
                self._retire(slot, kill=True)
                future.set_exception(CancelledError())
                return

    def _retire(self, slot: _Slot, kill: bool = False) -> None:
        """A worker leaves the pool (done, dead, hung or cancelled); the next dispatch starts another. It is
        reaped later, so a round never waits for a process to exit."""
        self._slots.remove(slot)
        slot.task = None
        if kill:
            slot.proc.kill()
        else:
            try:
                slot.conn.send(None)
            except OSError:
                slot.proc.kill()
        slot.conn.close()
        self._retiring.append(slot.proc)
