"""Map consolidation's per-file worker over a Dask distributed cluster (files on storage every worker sees)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from xlgoals.core.errors import XlgoalsError

if TYPE_CHECKING:
    from xlgoals.department.consolidate.worker import FileResult, ProgressFn, Task

# Chunks in flight per worker thread: enough to keep the cluster busy, few enough that results do not pile
# up on the workers while the parent writes.
WINDOW = 4


def _client(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise XlgoalsError(
            "使用 --scheduler 需要 dask[distributed]，本机没有安装：pip install 'xlgoals[department]'。"
        ) from None
    try:
        return Client(address, timeout="10s", set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as e:
        raise XlgoalsError(
            f"无法连接 Dask 调度器 {address}（{type(e).__name__}）。请确认地址写成 tcp://主机:端口，"
            "调度器已启动且本机能访问该端口。"
        ) from e


def cluster_results(tasks: list[Task], address: str, progress: ProgressFn | None, chunk: int) -> Iterator[FileResult]:
    """Results in input order, as the local pool gives them (`chunk` files a task, as its tasks carry);
    connecting fails here, before any file is read."""
    client = _client(address)
    return _ordered(client, tasks, progress, chunk)


def _ordered(client: Any, tasks: list[Task], progress: ProgressFn | None, size: int) -> Iterator[FileResult]:
    from xlgoals.department.consolidate.worker import _process_chunk

    total = len(tasks)
    chunks = iter([tasks[i : i + size] for i in range(0, total, size)])
    threads = max(1, sum(client.nthreads().values()))
    try:

        def submit(chunk: Sequence[Task]) -> Any:
            # pure=False: two runs over the same files must both read them, not share a cached result.
            return client.submit(_process_chunk, list(chunk), pure=False)

        window = deque(submit(c) for c in islice(chunks, threads * WINDOW))
        if progress:
            progress(0, total)
        done = 0
        while window:
            future = window.popleft()
            try:
                batch: list[FileResult] = future.result()
            except Exception as e:
                raise XlgoalsError(
                    f"Dask 集群上的工作进程出错（{type(e).__name__}: {e}），汇总未完成；"
                    "请检查各工作节点能否访问这些文件、是否安装了相同版本的 xlgoals。"
                ) from e
            future.release()
            following = next(chunks, None)
            if following is not None:
                window.append(submit(following))
            for r in batch:
                done += 1
                yield r
                if progress:
                    progress(done, total)
    finally:
        client.close()
