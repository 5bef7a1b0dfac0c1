"""The server's work on uploaded workbooks, in worker processes bounded in memory and time."""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.oserrors import OsFault
from xlgoals.validation.counted import ENV
from xlgoals.workers.pool import Settings, TaskTimeout, WorkerDied, WorkerPool

log = logging.getLogger("xlgoals.shells.server")

MB = 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.12"
UNEXPECTED = "服务器处理时出现意外错误，操作未完成。请把文件和时间告诉管理员。"
DISK_FULL = "服务器磁盘已满，请联系管理员。"


@dataclass(frozen=True)
class Limits:
    """What one request may cost; past these a request gets a Chinese message, never a crash."""

    file_bytes: int = 20 * MB  # one uploaded workbook
    files: int = 200  # workbooks in one department summary
    upload_bytes: int = 400 * MB  # a whole upload request (spooled to disk as it arrives)
    json_bytes: int = 20 * MB  # an Excel-on-the-web call (held in memory)
    # Worker processes: uploads worked on at once (the rest wait their turn, so memory stays bounded).
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    # Uploads admitted beyond those being worked on (being received or waiting for a worker); one more is
    # answered 429 with Retry-After at once, instead of waiting without bound.
    queue: int = 100
    worker_memory: int = 3 * 1024 * MB  # address space of a worker process
    seconds: int = 300  # one upload's work in its worker, which is killed past it


# --- the work, in worker processes ------------------------------------------------------------------------
# Uploaded workbooks are untrusted: they are read in worker processes, so a file that crashes or exhausts a
# reader costs one answer, not the server, and no process forks from the server's threads. Every request
# works in its own temporary folder, removed before the answer leaves; the generated workbooks travel back
# inside the JSON answer (base64) and the page offers them as downloads. That keeps the server stateless:
# no token folders to expire, nothing left behind when a browser never comes back for a file.


def _download(path: Path) -> dict[str, str]:
    kind = XLSM_TYPE if path.suffix == ".xlsm" else XLSX_TYPE
    return {"name": path.name, "type": kind, "data": base64.b64encode(path.read_bytes()).decode("ascii")}


def check_workbook(path: Path) -> dict[str, Any]:
    """One unit workbook: findings, per-project status, and the marked and rolled-up copies, as the CLI makes them."""
    from dataclasses import asdict

    from xlgoals.core import layout
    from xlgoals.io.presentation import format_amount, year_on_year_lines
    from xlgoals.unit.pipeline import Among, check_file
    from xlgoals.unit.rollup import roll_up, rollup_lines
    from xlgoals.unit.summarysheet import cover_money_unit
    from xlgoals.unit.summarysheet import write_back as write_rollup
    from xlgoals.validation.counted import ON_SERVER
    from xlgoals.validation.findings import SEVERITY_ZH
    from xlgoals.validation.marks import project_status, summary_line
    from xlgoals.validation.writeback import write_back

    # The rule sets the server counts; a workbook naming another is refused by name, never checked by the default.
    checked = check_file(path, among=Among(refuse=ON_SERVER))
    report = checked.report
    suffix = path.suffix.lower()
    marked = path.with_name(f"{path.stem}_校验{suffix}")
    write_back(path, marked, report, checked.ruleset.title, checked.grids)
    r = roll_up(checked.unit, report, checked.ruleset)
    # One money unit at a time: the cover's, as the 汇总 sheet and the command line show it.
    cover = checked.grids.sheets.get(layout.COVER_SHEET) if checked.grids is not None else None
    unit = cover_money_unit(cover.rows if cover else None)
    summary = path.with_name(f"{path.stem}_汇总{suffix}")
    write_rollup(path, summary, r, unit, grids=checked.grids)
    return {
        "file": path.name,
        "unit": r.unit,
        "year": r.year,
        "verdict": summary_line(report, checked.ruleset.title),
        "counts": report.counts(),
        "money_unit": str(unit),
        "budget_year": format_amount(r.totals["budget_year"], unit),
        "rollup": [asdict(line) for line in rollup_lines(r, unit)],
        "year_on_year": list(year_on_year_lines(r.year_on_year, unit)),
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
        **({"selfeval": r.selfeval.to_dict()} if r.selfeval is not None else {}),
    }


SUMMARY_NAME = "部门汇总.xlsx"


def summarize_workbooks(names: Sequence[str]) -> dict[str, Any]:
    """Several unit workbooks: the department summary with its 台账, as `xlgoals consolidate` makes it."""
    from xlgoals.department.consolidate import consolidate
    from xlgoals.department.consolidate.report import units_table
    from xlgoals.io.presentation import MoneyUnit, format_amount, year_on_year_lines

    out = Path("..") / SUMMARY_NAME  # beside the uploads: one of them may carry the same name
    result = consolidate(list(names), out, jobs=1)
    unit = MoneyUnit.YUAN
    return {
        "result": result.to_dict(),
        # 单位汇总 as the workbook prints it, and the department total's 同比 with its base.
        "money_unit": str(unit),
        "units": units_table(result.units, result.groups, result.total, unit),
        "budget_year": format_amount(result.total.totals["budget_year"], unit),
        "year_on_year": list(year_on_year_lines(result.total.year_on_year, unit)),
        "downloads": [_download(out)],
    }


def _run_job(folder: Path, names: list[str], many: bool, rules: str) -> dict[str, Any]:
    """A worker's entry: the job's answer, or its refusal as the CLI words it; `rules`, the rule sets the server
    counts (XLGOALS_RULES), for the checks and the consolidation alike."""
    os.environ[ENV] = rules
    # Relative paths, so messages and the 台账 name each file as it was uploaded, not by this request's
    # temporary folder; a worker runs one job at a time, so changing its directory is safe.
    previous = os.getcwd()
    os.chdir(folder)
    started = time.monotonic()
    try:
        answer = summarize_workbooks(names) if many else check_workbook(Path(names[0]))
        return {**answer, "seconds": time.monotonic() - started}
    except OsFault as e:
        # The server's own disk, not the client's file: a server fault, worded for the client without the
        # server's paths; the detail is for the administrator's log.
        log.warning("%s：%s", "、".join(names), e.user_message)
        return {
            "error": DISK_FULL if e.full else f"服务器暂时无法保存结果（{e.reason.reason}），请联系管理员。",
            "status": 507 if e.full else 503,
        }
    except XlgoalsError as e:
        return {"error": e.user_message}
    except MemoryError:
        return {"error": f"文件 {'、'.join(names)}：文件太大或结构异常，读取时超出内存上限，未能处理。"}
    except OSError as e:
        log.warning("%s：%s", "、".join(names), e)
        from xlgoals.core.oserrors import is_full

        return {
            "error": DISK_FULL if is_full(e) else f"文件 {'、'.join(names)}：{UNEXPECTED}",
            "status": 507 if is_full(e) else 503,
        }
    except Exception:
        # A bug, not bad input (bad input is an XlgoalsError): its traceback belongs in the server's log.
        log.exception("job on %s failed", names)
        return {"error": f"文件 {'、'.join(names)}：{UNEXPECTED}", "status": 503}
    finally:
        os.chdir(previous)


WORKER_MODULES = (
    "xlgoals.shells.uploads",
    "xlgoals.unit.pipeline",
    "xlgoals.validation.writeback",
    "xlgoals.unit.rollup",
    "xlgoals.unit.summarysheet",
    "xlgoals.department.consolidate",
)


def _worker_setup() -> None:
    from xlgoals.department.consolidate.worker import preload

    preload()


class QueueFull(Exception):
    """More uploads than workers and queue hold: the client is to come back after `retry_after` seconds."""

    def __init__(self, admitted: int, retry_after: int) -> None:
        self.admitted, self.retry_after = admitted, retry_after
        super().__init__(f"{admitted} uploads admitted")


class Workers:
    """The server's worker processes (the one pool, started through a fork server: the server has threads, and
    a fork copies their locks mid-use; the fork server imports the jobs' modules once and each worker starts
    from it warm), and the admission of uploads to them."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.pool = WorkerPool(
            limits.jobs,
            Settings(memory=limits.worker_memory, setup=_worker_setup, max_tasks=100),
            timeout=limits.seconds,
            start_method="forkserver",
            preload=WORKER_MODULES,
            threaded=True,
        )
        self._lock = threading.Lock()
        self._admitted = 0
        self._seconds: deque[float] = deque([1.0], maxlen=20)  # recent jobs' durations, for Retry-After
        # The rule sets this server counts (`xlgoals serve --rules`), handed to every job: the fork server may
        # have started before they were registered, and its workers would inherit its environment, not ours.
        self.rules = os.environ.get(ENV, "")

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """A place among the uploads being worked on or waiting, or QueueFull."""
        with self._lock:
            if self._admitted >= self.limits.jobs + self.limits.queue:
                ahead = self._admitted - self.limits.jobs + 1
                mean = sum(self._seconds) / len(self._seconds)
                raise QueueFull(self._admitted, max(1, min(600, math.ceil(ahead * mean / self.limits.jobs))))
            self._admitted += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    def submit(self, folder: Path, names: list[str], many: bool) -> Future[dict[str, Any]]:
        return self.pool.submit(_run_job, folder, names, many, self.rules)

    async def answer(self, future: Future[dict[str, Any]], names: list[str]) -> dict[str, Any]:
        """The job's answer; a dying worker is this job's alone; TaskTimeout when it ran out of time."""
        try:
            answer: dict[str, Any] = await asyncio.wrap_future(future)
        except WorkerDied:
            return {"error": f"文件 {'、'.join(names)}：读取时进程异常退出（文件可能损坏或过大），未能处理。"}
        except asyncio.CancelledError:
            self.pool.cancel(future)  # the client is gone or the server stops: its worker is freed
            raise
        except CancelledError:
            return {"error": "服务器正在停止，请稍后重试。", "status": 503}
        except TaskTimeout:
            raise
        self._seconds.append(float(answer.pop("seconds", 1.0)))
        return answer

    def warm(self) -> None:
        """Start the workers now, so the first upload doesn't wait for them."""
        self.pool.start()

    def close(self) -> None:
        self.pool.close(kill=True)
