"""jobs/cluster.py: consolidation's per-file worker mapped over a Dask cluster: results in input order, as the
local pool gives them; a scheduler that cannot be reached refused in Chinese before any file is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xlgoals.core.errors import XlgoalsError
from xlgoals.department.cluster import cluster_results
from xlgoals.department.consolidate.worker import Task, process_file


def test_results_in_input_order_as_the_local_worker_gives_them(sample_xlsx: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    paths = []
    for i in range(5):
        paths.append(tmp_path / f"单位{i}.xlsx")
        shutil.copy(sample_xlsx, paths[-1])
    (tmp_path / "坏.xlsx").write_bytes(b"not a workbook")
    paths.insert(2, tmp_path / "坏.xlsx")
    tasks = [Task(i, str(p)) for i, p in enumerate(paths, start=1)]
    seen: list[int] = []
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as c:
        results = list(cluster_results(tasks, c.scheduler_address, lambda done, total: seen.append(done)))
    local = [process_file(t) for t in tasks]
    assert [(r.index, r.path, r.status, r.sha256) for r in results] == [
        (r.index, r.path, r.status, r.sha256) for r in local
    ]
    assert seen and seen[-1] == len(tasks)


def test_an_unreachable_scheduler_is_refused_in_chinese() -> None:
    pytest.importorskip("distributed")
    with pytest.raises(XlgoalsError, match=r"无法连接 Dask 调度器 tcp://127\.0\.0\.1:9"):
        cluster_results([Task(1, "x.xlsx")], "tcp://127.0.0.1:9", None)
