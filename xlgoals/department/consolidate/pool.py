"""Files through worker processes (or a Dask cluster), results in input order; a dying reader is one ledger row."""

from __future__ import annotations

import gc
import math
import sys
from collections.abc import Iterator
from pathlib import Path

from xlgoals.core.errors import XlgoalsError
from xlgoals.department.consolidate.inputs import read_hashed
from xlgoals.department.consolidate.ledger import REJECTED, Reason
from xlgoals.department.consolidate.worker import FileResult, ProgressFn, Task, _process_chunk, process_file
from xlgoals.workers.pool import Settings, TaskTimeout, WorkerDied, WorkerPool

# Files per task and tasks in flight per worker: small enough that results stream, large enough that
# the per-task overhead of the pool (~0.2 ms) stays below 1 %.
CHUNK = 8
WINDOW = 4
# Seconds a reader may take over one task (a chunk of files, or a file read on its own). A workbook within the
# container's bounds reads in well under a second; a reader still busy after this is hung on that file (a
# parser looping on hostile content): its worker is killed, and the run goes on.
READ_TIMEOUT = 120.0


def _worker_setup() -> None:
    """What workers inherited is frozen out of the garbage collector, which then runs less often: a
    workbook's thousands of short-lived, acyclic objects are freed by reference counting anyway, and full
    collections over the imported modules cost ~5 % of a worker's time."""
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


# Workers run a little below the parent, so that it drains their results and streams them out promptly even
# with as many workers as cores.
SETTINGS = Settings(nice=5, setup=_worker_setup)


def _results(tasks: list[Task], jobs: int, progress: ProgressFn | None) -> Iterator[FileResult]:
    """Results in input order, always read in worker processes: a file that kills its reader (a native
    library aborting, the kernel's OOM killer) or hangs it becomes a ledger row and the run goes on."""
    total = len(tasks)
    size = max(1, min(CHUNK, math.ceil(total / (max(jobs, 1) * 4))))
    chunks = [tasks[i : i + size] for i in range(0, total, size)]
    # The platform's default start method: fork on Linux costs ~0.1 s where forkserver/spawn cost ~1 s of
    # re-imports; the caller has imported and parsed what workers need (worker.preload) before. Every
    # worker is forked here, before the caller's progress bar, the only thread we start, exists. Only after a
    # worker's death are processes forked while the bar runs; they read files and touch none of its locks.
    workers = max(1, min(jobs, len(chunks)))
    # Named, not inherited: in a server's worker (itself started by a fork server) the default would be a
    # fork server of its own, a process that outlives each run.
    method = "fork" if sys.platform.startswith("linux") else None
    with WorkerPool(workers, SETTINGS, timeout=READ_TIMEOUT, start_method=method) as pool:
        pool.start()
        if progress:
            progress(0, total)
        done = 0
        for chunk, outcome in pool.results(_process_chunk, chunks, window=workers * WINDOW):
            # A chunk whose worker died or hung on it: each of its files is read again on its own, which names
            # the culprit (its death or its hanging is then that file's alone).
            batch = [_alone(pool, t) for t in chunk] if isinstance(outcome, BaseException) else outcome
            for r in batch:
                done += 1
                yield r
                if progress:
                    progress(done, total)


def _alone(pool: WorkerPool, task: Task) -> FileResult:
    """One file read as a task of its own: its worker's death, or its outlasting READ_TIMEOUT, is this file's,
    recorded as a rejection."""
    ((_, outcome),) = pool.results(process_file, [task], window=1)
    if isinstance(outcome, TaskTimeout):
        return _rejected(task, Reason.TIMEOUT, seconds=f"{READ_TIMEOUT:g}")
    if isinstance(outcome, WorkerDied):
        return _rejected(task, Reason.CRASHED, signal=outcome.cause)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


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
        from xlgoals.department.cluster import cluster_results

        return cluster_results(tasks, scheduler, progress, CHUNK)
    return _results(tasks, jobs, progress)
