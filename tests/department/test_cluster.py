"""department/cluster.py: consolidation's per-file worker mapped over a Dask cluster, a few files a task:
results in input order, as the local pool gives them, whatever the chunk size; a scheduler that cannot be
reached refused in Chinese before any file is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xlgoals.core.errors import XlgoalsError
from xlgoals.department.cluster import cluster_results
from xlgoals.department.consolidate.worker import FileResult, Task, process_file


def _run(tasks: list[Task], address: str, chunk: int) -> tuple[list[FileResult], list[int]]:
    """The results, and the done counts the progress bar was given."""
    seen: list[int] = []
    return list(cluster_results(tasks, address, lambda done, _total: seen.append(done), chunk)), seen


def test_results_in_input_order_as_the_local_worker_gives_them(sample_xlsx: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    paths = []
    for i in range(5):
        paths.append(tmp_path / f"单位{i}.xlsx")
        shutil.copy(sample_xlsx, paths[-1])
    (tmp_path / "坏.xlsx").write_bytes(b"not a workbook")
    paths.insert(2, tmp_path / "坏.xlsx")
    tasks = [Task(i, str(p)) for i, p in enumerate(paths, start=1)]
    local = [(r.index, r.path, r.status, r.sha256) for r in map(process_file, tasks)]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as c:
        for chunk in (1, 4):  # 4: the last task holds the two files left over
            results, seen = _run(tasks, c.scheduler_address, chunk)
            assert [(r.index, r.path, r.status, r.sha256) for r in results] == local, chunk
            assert seen and seen[-1] == len(tasks)


def test_an_unreachable_scheduler_is_refused_in_chinese() -> None:
    pytest.importorskip("distributed")
    with pytest.raises(XlgoalsError, match=r"无法连接 Dask 调度器 tcp://127\.0\.0\.1:9"):
        cluster_results([Task(1, "x.xlsx")], "tcp://127.0.0.1:9", None, 1)
