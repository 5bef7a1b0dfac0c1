"""archive add: read and check workbooks with the consolidation's workers and store each in the archive."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xlgoals.core.errors import XlgoalsError
from xlgoals.department.archive.store import AddSummary, ArchiveWriter

if TYPE_CHECKING:
    from xlgoals.department.consolidate import ProgressFn


@dataclass(frozen=True)
class AddEntry:
    """One input's fate: stored (新增 / 未变 / 替换旧版本), or not (已拒绝 / 锁定文件) and why."""

    path: str
    outcome: str
    reason: str = ""
    unit: str = ""
    year: int | None = None


def add_paths(
    paths: Sequence[str | os.PathLike[str]],
    db: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    rules: str | None = None,
    progress: ProgressFn | None = None,
    scheduler: str | None = None,
) -> tuple[AddSummary, list[AddEntry]]:
    """Every workbook under `paths` into the archive, in one transaction; a later file of the same unit and year
    supersedes the earlier, the same content twice is stored once."""
    from xlgoals.department.consolidate import READ, Task, collect_inputs, map_files

    inputs = collect_inputs(paths)
    if not inputs:
        raise XlgoalsError("没有找到要存入历史库的文件：请给出单位工作簿或包含它们的文件夹。")
    from xlgoals.department.consolidate.worker import preload

    preload(rules)
    writer = ArchiveWriter(db)
    entries: list[AddEntry] = []
    try:
        tasks = [Task(i, f.path, rules, f.folder, archive=True) for i, f in enumerate(inputs, start=1)]
        for r in map_files(tasks, jobs or os.cpu_count() or 1, progress, scheduler):
            if r.status == READ and r.archive is not None:
                # Stored, but an amount whose cell could not be read is stored empty: said, with its cell.
                lost = f"有 {len(r.uncounted)} 项金额无法读取，存为空：{'；'.join(r.uncounted)}" if r.uncounted else ""
                entries.append(AddEntry(r.path, writer.add(r.archive, r.path), lost, r.unit, r.year))
            else:
                entries.append(AddEntry(r.path, r.status, r.reason, r.unit, r.year))
        summary = writer.commit()
    finally:
        writer.close()
    return summary, entries
