"""The one worker pool (workers/pool.py, workers/inside.py) and the OS-error describer (core/oserrors.py)."""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import CancelledError

import pytest

from tests.faults import running, still_running
from xlgoals.core.oserrors import OsFault, describe, os_reason
from xlgoals.workers.inside import Settings, _die_with_parent, worker_main
from xlgoals.workers.pool import TaskTimeout, WorkerDied, WorkerPool


def _work(n: int) -> tuple[int, int]:
    if n == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    if n == 5:
        time.sleep(60)
    time.sleep(0.01 * (7 - n))  # later items finish first: the order must still be the input's
    return n, os.getpid()


def test_results_in_order_and_a_fault_costs_one_task() -> None:
    """A worker that dies costs only the task it ran (the old pool broke every job in flight), one that hangs
    is killed at its time limit, and results come in input order."""
    with WorkerPool(2, Settings(), timeout=2.0) as pool:
        outcomes = list(pool.results(_work, range(7), window=4))
    assert [item for item, _ in outcomes] == list(range(7))
    died, hung = outcomes[3][1], outcomes[5][1]
    assert isinstance(died, WorkerDied) and died.cause == "SIGKILL"
    assert isinstance(hung, TaskTimeout) and hung.seconds == 2.0
    fine = [r for i, r in outcomes if i not in (3, 5)]
    assert [r[0] for r in fine] == [0, 1, 2, 4, 6]  # type: ignore[index]


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_cancelled_task_frees_its_worker() -> None:
    """A client that gives up: its running task is dropped and its worker killed, the next task runs at once."""
    pool = WorkerPool(1, Settings(), threaded=True)
    try:
        pool.start()
        (worker,) = pool.pids()
        future = pool.submit(_sleep, 60)
        time.sleep(0.3)
        pool.cancel(future)
        with pytest.raises(CancelledError):
            future.result(timeout=5)
        assert not still_running({worker}, within=5)
        assert pool.submit(_sleep, 0).result(timeout=10) != worker
    finally:
        pool.close()


_OWNER = """
import sys, time
from xlgoals.workers.pool import WorkerPool, Settings
pool = WorkerPool(2, Settings(), start_method=sys.argv[1])
pool.start()
print(*pool.pids(), flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_workers_die_with_their_parent(method: str) -> None:
    """Workers used to live on after kill -9 of their parent, blocked on its pipe: whatever the start method,
    they exit with it."""
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, method], stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    pids = {int(p) for p in owner.stdout.readline().split()}
    assert len(pids) == 2 and all(running(p) for p in pids)
    owner.kill()
    owner.wait()
    assert not still_running(pids, within=10)


def test_a_worker_whose_parent_is_already_gone_exits() -> None:
    """The race a parent-death signal leaves (the parent dies before it is set) is closed by the pid check."""
    _here, there = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=worker_main, args=(there, 1, None, Settings()))
    child.start()
    child.join(10)
    assert child.exitcode == 1


def _watched(lifeline: object) -> None:
    sys.platform = "darwin"  # the path taken where there is no parent-death signal
    _die_with_parent(None, lifeline)  # type: ignore[arg-type]
    time.sleep(60)


def test_the_lifeline_where_there_is_no_death_signal() -> None:
    """Elsewhere than Linux a thread waits on a pipe only the parent holds: when it closes, the worker exits."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_watched, args=(receive,))
    child.start()
    receive.close()
    time.sleep(0.5)
    assert child.is_alive()
    send.close()
    child.join(10)
    assert child.exitcode == 1


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EROFS, "只读"),
        (errno.EACCES, "没有权限"),
        (errno.ENAMETOOLONG, "文件名过长"),
        (errno.EBUSY, "文件被占用"),
        (errno.EFBIG, "文件超过系统允许的大小"),
    ],
)
def test_os_errors_in_chinese(code: int, reason: str) -> None:
    e = OSError(code, os.strerror(code), "/data/汇总.xlsx")
    assert reason in describe(e, "写入") and "请" in describe(e)
    fault = OsFault(e, "汇总.xlsx", "写入")
    assert fault.user_message.startswith("文件 汇总.xlsx：无法写入：") and fault.full == (code == errno.ENOSPC)


def test_windows_in_use_and_unknown_errors() -> None:
    in_use = PermissionError(errno.EACCES, "sharing violation")
    in_use.winerror = 32  # type: ignore[attr-defined]
    assert os_reason(in_use).reason == "文件被占用"
    assert "系统错误：Broken pipe" in describe(OSError(errno.EPIPE, "Broken pipe"))
