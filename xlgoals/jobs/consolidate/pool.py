"""Files through worker processes (or a Dask cluster), results in input order; a dying reader is one ledger row."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from xlgoals.core.errors import XlgoalsError
from xlgoals.jobs.consolidate.inputs import read_hashed
from xlgoals.jobs.consolidate.ledger import REJECTED, Reason
from xlgoals.jobs.consolidate.worker import FileResult, Task, _process_chunk, _worker_init, process_file, warm

# Files per task and tasks in flight per worker: small enough that results stream, large enough that
# the per-task overhead of the pool (~0.2 ms) stays below 1 %.
CHUNK = 8
WINDOW = 4
# Seconds a reader may take: for the oldest chunk in flight (waited for from when it is the oldest), and for a
# file read on its own. A workbook within the container's bounds reads in well under a second; a reader
# still busy after this is hung on that file (a parser looping on hostile content), and the run must go on.
READ_TIMEOUT = 120.0

ProgressFn = Callable[[int, int], None]


def _results(tasks: list[Task], jobs: int, progress: ProgressFn | None) -> Iterator[FileResult]:
    """Results in input order, always read in worker processes: a file that kills its reader (a native
    library aborting, the kernel's OOM killer) becomes a ledger row and the run goes on."""
    total = len(tasks)
    size = max(1, min(CHUNK, math.ceil(total / (max(jobs, 1) * 4))))
    pending = deque(tasks[i : i + size] for i in range(0, total, size))
    done = 0
    while pending:
        lost: list[list[Task]] = []
        for r in _pool_run(pending, jobs, lost):
            if progress and not done:
                progress(0, total)  # only now: the workers exist before the bar's thread does
            done += 1
            yield r
            if progress:
                progress(done, total)
        if lost:
            # The pool died (or hung, and was killed) with these chunks in flight. The first one's files are read
            # each in a process of its own, which names the culprit if it is there; the others go back to a fresh
            # pool (if the culprit was among them, the next pool dies or hangs on it and it is isolated then).
            for t in lost[0]:
                done += 1
                yield _isolated(t)
                if progress:
                    progress(done, total)
            pending.extendleft(reversed(lost[1:]))


def _pool_run(pending: deque[list[Task]], jobs: int, lost: list[list[Task]]) -> Iterator[FileResult]:
    """Chunks from `pending` through one pool, results in order; on the pool's death, or when the oldest chunk
    outlasts READ_TIMEOUT (its workers are then killed), the chunks in flight are put in `lost` (in order)
    and the iteration ends."""
    # The platform's default start method: fork on Linux costs ~0.1 s where forkserver/spawn cost ~1 s of
    # re-imports. Fork is safe here because the first submit launches every worker (fork never spawns
    # later), before the caller's progress bar, the only thread we start, exists. Only after a worker's
    # death are processes forked while the bar runs; they read files and touch none of its locks.
    workers = max(1, min(jobs, len(pending)))
    if pending:
        warm(pending[0][0].rules)
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    # A bounded window of chunks in flight: finished results never pile up while the parent writes.
    window: deque[tuple[list[Task], Future[list[FileResult]]]] = deque()
    try:
        while pending and len(window) < workers * WINDOW:
            chunk = pending.popleft()
            window.append((chunk, pool.submit(_process_chunk, chunk)))
        while window:
            try:
                batch = window[0][1].result(timeout=READ_TIMEOUT)
            except (BrokenProcessPool, FutureTimeout) as e:
                if isinstance(e, FutureTimeout):
                    kill_workers(pool)
                lost.extend(chunk for chunk, _ in window)
                return
            window.popleft()
            if pending:
                chunk = pending.popleft()
                window.append((chunk, pool.submit(_process_chunk, chunk)))
            yield from batch
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's workers: a hung reader never returns, and shutdown would wait for it forever (Python 3.14
    has ProcessPoolExecutor.kill_workers; before it, the pool's process table is the only handle)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.kill()


def _isolated(task: Task) -> FileResult:
    """One file read in a process of its own: its death, or its outlasting READ_TIMEOUT, is this file's,
    recorded as a rejection."""
    import multiprocessing

    receive, send = multiprocessing.Pipe(duplex=False)
    proc = multiprocessing.Process(target=_send_result, args=(task, send), daemon=True)
    proc.start()
    send.close()
    result: FileResult | None = None
    hung = False
    try:
        if receive.poll(READ_TIMEOUT):
            result = receive.recv()
        else:
            hung = True
            proc.kill()
    except EOFError:
        result = None
    finally:
        receive.close()
        proc.join()
    if hung:
        return _rejected(task, Reason.TIMEOUT, seconds=f"{READ_TIMEOUT:g}")
    return result if result is not None else _died(task, proc.exitcode)


def _send_result(task: Task, send: Any) -> None:
    send.send(process_file(task))
    send.close()


def _died(task: Task, exitcode: int | None) -> FileResult:
    """The ledger row of a file whose reader process died."""
    import signal

    try:
        signame = signal.Signals(-exitcode).name if exitcode is not None and exitcode < 0 else f"退出码 {exitcode}"
    except ValueError:
        signame = f"信号 {-(exitcode or 0)}"
    return _rejected(task, Reason.CRASHED, signal=signame)


def _rejected(task: Task, reason: Reason, **details: str) -> FileResult:
    """The ledger row of a file whose reader did not come back; size and hash still identify the file."""
    result = FileResult(task.index, task.path, REJECTED, code=reason.code, reason=reason.text(**details))
    try:
        data, result.sha256 = read_hashed(Path(task.path))
        result.size = len(data)
    except XlgoalsError:
        pass
    return result


def map_files(
    tasks: list[Task], jobs: int, progress: ProgressFn | None, scheduler: str | None = None
) -> Iterator[FileResult]:
    """Results in input order, from the local process pool or, given its address, a Dask cluster's workers."""
    if scheduler:
        from xlgoals.jobs.cluster import cluster_results

        return cluster_results(tasks, scheduler, progress)
    return _results(tasks, jobs, progress)
