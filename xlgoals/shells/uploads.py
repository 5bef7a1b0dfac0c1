"""The server's work on uploaded workbooks, in worker processes bounded in memory and time."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import resource
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from xlgoals.core.errors import XlgoalsError

log = logging.getLogger("xlgoals.shells.server")

MB = 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.12"
UNEXPECTED = "服务器处理时出现意外错误，操作未完成。请把文件和时间告诉管理员。"


@dataclass(frozen=True)
class Limits:
    """What one request may cost; past these a request gets a Chinese message, never a crash."""

    file_bytes: int = 20 * MB  # one uploaded workbook
    files: int = 200  # workbooks in one department summary
    upload_bytes: int = 400 * MB  # a whole upload request (spooled to disk as it arrives)
    json_bytes: int = 20 * MB  # an Excel-on-the-web call (held in memory)
    jobs: int = 2  # workbooks worked on at once: the rest wait their turn, so memory stays bounded
    worker_memory: int = 3 * 1024 * MB  # address space of a worker process
    seconds: int = 300  # one request's work


# --- the work, in worker processes ------------------------------------------------------------------------
# Uploaded workbooks are untrusted: they are read in worker processes, so a file that crashes or exhausts a
# reader costs one answer, not the server, and no process forks from the server's threads. Every request
# works in its own temporary folder, removed before the answer leaves; the generated workbooks travel back
# inside the JSON answer (base64) and the page offers them as downloads. That keeps the server stateless:
# no token folders to expire, nothing left behind when a browser never comes back for a file.


def _worker_init(memory: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))


def _download(path: Path) -> dict[str, str]:
    kind = XLSM_TYPE if path.suffix == ".xlsm" else XLSX_TYPE
    return {"name": path.name, "type": kind, "data": base64.b64encode(path.read_bytes()).decode("ascii")}


def check_workbook(path: Path) -> dict[str, Any]:
    """One unit workbook: findings, per-project status, and the marked and rolled-up copies, as the CLI makes them."""
    from xlgoals.core.values import format_money
    from xlgoals.jobs.pipeline import check_file
    from xlgoals.jobs.rollup import roll_up
    from xlgoals.jobs.summarysheet import write_back as write_rollup
    from xlgoals.validation.findings import SEVERITY_ZH
    from xlgoals.validation.marks import project_status, summary_line
    from xlgoals.validation.writeback import write_back

    checked = check_file(path)
    report = checked.report
    suffix = path.suffix.lower()
    marked = path.with_name(f"{path.stem}_校验{suffix}")
    write_back(path, marked, report, checked.ruleset.title, checked.grids)
    r = roll_up(checked.unit, report)
    summary = path.with_name(f"{path.stem}_汇总{suffix}")
    write_rollup(path, summary, r, grids=checked.grids)
    return {
        "file": path.name,
        "unit": r.unit,
        "year": r.year,
        "verdict": summary_line(report, checked.ruleset.title),
        "counts": report.counts(),
        "budget_year": format_money(r.totals["budget_year"]),
        "findings": [
            {
                "level": SEVERITY_ZH[f.severity],
                "severity": f.severity.value,
                "location": f.location,
                "code": f.code,
                "message": f.message,
            }
            for f in report.findings
        ],
        "projects": [
            {"status": project_status(counts), "sheet": p.sheet, "name": p.name, **counts}
            for p in r.projects
            for counts in [p.findings or dict.fromkeys(report.counts(), 0)]
        ],
        "downloads": [_download(marked), _download(summary)],
    }


SUMMARY_NAME = "部门汇总.xlsx"


def summarize_workbooks(names: Sequence[str]) -> dict[str, Any]:
    """Several unit workbooks: the department summary with its 台账, as `xlgoals consolidate` makes it."""
    from xlgoals.jobs.consolidate import consolidate

    out = Path("..") / SUMMARY_NAME  # beside the uploads: one of them may carry the same name
    result = consolidate(list(names), out, jobs=1)
    return {"result": result.to_dict(), "downloads": [_download(out)]}


def _run_job(folder: Path, names: list[str], many: bool) -> dict[str, Any]:
    """A worker's entry: the job's answer, or its refusal as the CLI words it."""
    # Relative paths, so messages and the 台账 name each file as it was uploaded, not by this request's
    # temporary folder; a worker runs one job at a time, so changing its directory is safe.
    previous = os.getcwd()
    os.chdir(folder)
    try:
        return summarize_workbooks(names) if many else check_workbook(Path(names[0]))
    except XlgoalsError as e:
        return {"error": e.user_message}
    except MemoryError:
        return {"error": f"文件 {'、'.join(names)}：文件太大或结构异常，读取时超出内存上限，未能处理。"}
    except Exception:
        # A bug, not bad input (bad input is an XlgoalsError): its traceback belongs in the server's log.
        log.exception("job on %s failed", names)
        return {"error": f"文件 {'、'.join(names)}：{UNEXPECTED}", "status": 500}
    finally:
        os.chdir(previous)


WORKER_MODULES = (
    "xlgoals.shells.uploads",
    "xlgoals.jobs.pipeline",
    "xlgoals.validation.writeback",
    "xlgoals.jobs.rollup",
    "xlgoals.jobs.summarysheet",
    "xlgoals.jobs.consolidate",
)


class Workers:
    """A pool of worker processes, replaced when a worker dies (a file that crashed or exhausted a reader)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # forkserver, not fork: the server has threads, and a fork copies their locks mid-use. The
                # fork server imports the jobs' modules once; each worker starts from it warm.
                context = get_context("forkserver")
                context.set_forkserver_preload(list(WORKER_MODULES))
                self._pool = ProcessPoolExecutor(
                    max_workers=self.limits.jobs,
                    mp_context=context,
                    initializer=_worker_init,
                    initargs=(self.limits.worker_memory,),
                    max_tasks_per_child=100,
                )
            return self._pool

    def _drop(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        if kill:
            from xlgoals.jobs.consolidate.pool import kill_workers

            kill_workers(pool)
        pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, folder: Path, names: list[str], many: bool) -> dict[str, Any]:
        # A dying worker breaks every job in its pool: the others are run again in a fresh pool, and a job
        # that breaks a second pool is the one at fault.
        for _attempt in range(2):
            pool = self._current()
            try:
                answer: dict[str, Any] = await asyncio.wrap_future(pool.submit(_run_job, folder, names, many))
                return answer
            except BrokenProcessPool:
                self._drop(pool)
            except asyncio.CancelledError:
                # The request ran out of time: its worker may be hung on the file and would hold its slot
                # forever. The pool's workers are killed; other requests' jobs in it see a broken pool and run
                # again in a fresh one.
                self._drop(pool, kill=True)
                raise
        return {"error": f"文件 {'、'.join(names)}：读取时进程异常退出（文件可能损坏或过大），未能处理。"}

    def warm(self) -> None:
        """Start the workers now, so the first upload doesn't wait for them."""
        pool = self._current()
        for future in [pool.submit(os.getpid) for _ in range(self.limits.jobs)]:
            future.result()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
