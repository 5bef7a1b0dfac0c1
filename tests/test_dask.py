"""consolidate --scheduler: the same result, ledger and reconciliation on a Dask cluster as on the local pool."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from xlgoals.department.consolidate import consolidate

distributed = pytest.importorskip("distributed")


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_a_dask_cluster_gives_the_same_summary(sample_xlsx: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    for name in ("a.xlsx", "sub/b.xlsx"):
        shutil.copy(sample_xlsx, inbox / name)  # b duplicates a
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["单位信息"]["B3"] = "第二个单位"
    wb.save(inbox / "c.xlsx")
    (inbox / "broken.xlsx").write_bytes(b"broken")
    local = consolidate([inbox], tmp_path / "local.xlsx", jobs=1, group_by="folder")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        remote = consolidate(
            [inbox],
            tmp_path / "dask.xlsx",
            scheduler=cluster.scheduler_address,
            group_by="folder",
            archive=tmp_path / "a.duckdb",
        )
    assert remote.ledger == local.ledger
    assert [e.status for e in remote.ledger] == ["已读取", "已拒绝", "已读取", "重复"]
    assert remote.units == local.units and remote.total == local.total and remote.groups == local.groups
    assert _cells(tmp_path / "dask.xlsx") == _cells(tmp_path / "local.xlsx")
    assert remote.archived is not None and remote.archived.added == 2
