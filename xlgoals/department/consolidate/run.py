"""The run: inputs through the workers, duplicates decided in input order, rows streamed out, figures reconciled."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.layout import LEDGER_SHEET, SUMMARY_SHEETS, UNITS_SHEET
from xlgoals.core.model import Unit
from xlgoals.core.oserrors import fault
from xlgoals.department.consolidate.exports import check_outputs, open_exports
from xlgoals.department.consolidate.inputs import InputFile, collect_inputs
from xlgoals.department.consolidate.ledger import DUPLICATE, LOCK, READ, REJECTED, STATUSES, LedgerEntry, Reason
from xlgoals.department.consolidate.merge import Merge
from xlgoals.department.consolidate.pool import map_files
from xlgoals.department.consolidate.reconcile import Aggregate, UnitSummary, mixed_years
from xlgoals.department.consolidate.report import SUMMARY_TITLE, RunFacts
from xlgoals.department.consolidate.revisions import preferred_paths
from xlgoals.department.consolidate.selfevaltables import UnitRow, selfeval_dict
from xlgoals.department.consolidate.tables import LEDGER_COLUMNS, PRINTING, UNIT_COLUMNS, GroupBy, sheet_columns
from xlgoals.department.consolidate.worker import FileResult, ProgressFn, Task, process_unit
from xlgoals.io.presentation import MoneyUnit
from xlgoals.io.xlsxstream import StreamBook

if TYPE_CHECKING:
    import pandas as pd

    from xlgoals.department.archive.store import AddSummary, ArchiveWriter


@dataclass(frozen=True)
class Consolidation:
    """What a run produced, for the CLI's table and JSON; the workbook holds the detail."""

    output: str
    ledger: list[LedgerEntry]
    units: list[UnitSummary]
    groups: list[Aggregate]
    total: Aggregate
    group_by: GroupBy | None
    # The workbook's sheets in tab order, and what the user should know about them (a table continued on
    # a second sheet past Excel's last row).
    sheets: list[str] = field(default_factory=lambda: list(SUMMARY_SHEETS))
    notes: list[str] = field(default_factory=list)
    # What --db stored in the archive, when asked.
    archived: AddSummary | None = None
    # The 自评 workbooks' figures, a unit each (the 自评汇总 sheet's rows).
    selfeval: list[UnitRow] = field(default_factory=list)

    def status_counts(self) -> dict[str, int]:
        return {s: sum(1 for e in self.ledger if e.status == s) for s in STATUSES}

    @property
    def complete(self) -> bool:
        """Every input was read (lock files aside) and every amount counted: what exit code 0 promises."""
        return all(e.status in (READ, LOCK) for e in self.ledger) and not self.uncounted

    @property
    def uncounted(self) -> list[LedgerEntry]:
        """Files read whose totals leave out amounts that could not be read (the ledger says which)."""
        return [e for e in self.ledger if e.status == READ and e.code == Reason.UNCOUNTED.code]

    def to_pandas(self) -> dict[str, pd.DataFrame]:
        """单位汇总 (one row per unit read) and 台账 as DataFrames for analysts; needs xlgoals[department]."""
        from xlgoals.core.extras import require

        require("pandas", purpose="生成 pandas 表格")
        import pandas as pd

        return {
            UNITS_SHEET: pd.DataFrame([u.row() for u in self.units], columns=[c.title for c in UNIT_COLUMNS]),
            LEDGER_SHEET: pd.DataFrame([e.row() for e in self.ledger], columns=[c.title for c in LEDGER_COLUMNS]),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "group_by": self.group_by,
            "files": len(self.ledger),
            "status": self.status_counts(),
            "total": self.total.to_dict(),
            "groups": [g.to_dict() for g in self.groups],
            "problems": [
                {"file": e.path, "status": e.status, "reason": e.reason, "duplicate_of": e.duplicate_of}
                for e in self.ledger
                if e.status in (REJECTED, DUPLICATE)
            ],
            # Files read whose amounts are not all in the totals, and why.
            "uncounted": [{"file": e.path, "reason": e.reason} for e in self.uncounted],
            "sheets": self.sheets,
            "notes": self.notes,
            **({"selfeval": selfeval_dict(self.selfeval)} if self.selfeval else {}),
        }


def _labels(paths: Sequence[str | os.PathLike[str]], inputs: list[InputFile]) -> tuple[dict[str, str], str]:
    """Each input's path relative to the folder consolidated (the common folder of what was given), and that
    folder as the title block names it."""
    given = [Path(p) for p in paths]
    try:
        root = os.path.commonpath([os.path.abspath(p if p.is_dir() else p.parent) for p in given])
    except ValueError:  # paths on different drives: no common folder
        return {}, ""
    labels = {f.path: os.path.relpath(os.path.abspath(f.path), root) for f in inputs}
    if len(given) == 1 and given[0].is_dir():
        return labels, str(given[0])
    inside = os.path.relpath(root)
    return labels, root if inside.startswith("..") else inside


def consolidate(
    paths: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    csv_dir: str | os.PathLike[str] | None = None,
    parquet_dir: str | os.PathLike[str] | None = None,
    group_by: GroupBy | None = None,
    jobs: int | None = None,
    rules: str | None = None,
    progress: ProgressFn | None = None,
    archive: str | os.PathLike[str] | None = None,
    scheduler: str | None = None,
    money_unit: MoneyUnit = MoneyUnit.YUAN,
    prefer: Sequence[str | os.PathLike[str]] = (),
) -> Consolidation:
    """Read, check and merge every file under `paths` into `output` (and CSV/parquet copies).

    Of two different files of one unit and year one counts: a file in `prefer`, else the one its workbook says
    was saved later, else the first read; the 台账 says which and why. The outputs appear only when the figures
    reconcile; otherwise ReconciliationError and nothing is written.
    """
    out_path = Path(output)
    if out_path.suffix.lower() != ".xlsx":
        raise XlgoalsError("汇总文件请以 .xlsx 结尾，例如 summary.xlsx。", file=str(output))
    inputs = collect_inputs(paths)
    if not inputs:
        raise XlgoalsError("没有找到要汇总的文件：请给出单位工作簿或包含它们的文件夹。")
    check_outputs(out_path, csv_dir, parquet_dir, [f.path for f in inputs])

    def results(tasks: list[Task]) -> Iterator[FileResult]:
        return map_files(tasks, jobs or os.cpu_count() or 1, progress, scheduler)

    labels, folder = _labels(paths, inputs)
    for p in prefer:
        if not Path(p).is_file():
            raise XlgoalsError(f"--prefer 指定的文件 {p} 不存在：请写要计入汇总的那一份工作簿的路径。")
    options = _Options(csv_dir, parquet_dir, group_by, rules, archive, money_unit, labels, folder, prefer)
    return _run(inputs, out_path, results, options)


def consolidate_units(
    units: Sequence[Unit], output: str | os.PathLike[str], *, money_unit: MoneyUnit = MoneyUnit.YUAN
) -> Consolidation:
    """The summary of units already read (Excel's 导出汇总 on the open workbook), each named by its `source`:
    checked and rendered as a file's would be, without writing them out to read them back."""
    out_path = Path(output)
    inputs = [InputFile(u.source or f"单位{i}", "") for i, u in enumerate(units, start=1)]
    check_outputs(out_path, None, None, [f.path for f in inputs])

    def results(tasks: list[Task]) -> Iterator[FileResult]:
        return (process_unit(t, u) for t, u in zip(tasks, units, strict=True))

    return _run(inputs, out_path, results, _Options(money_unit=money_unit))


@dataclass(frozen=True)
class _Options:
    """What a run was asked for, besides its inputs and output."""

    csv_dir: str | os.PathLike[str] | None = None
    parquet_dir: str | os.PathLike[str] | None = None
    group_by: GroupBy | None = None
    rules: str | None = None
    archive: str | os.PathLike[str] | None = None
    money_unit: MoneyUnit = MoneyUnit.YUAN
    labels: dict[str, str] = field(default_factory=dict)
    folder: str = ""
    prefer: Sequence[str | os.PathLike[str]] = ()


def _run(
    inputs: list[InputFile],
    out_path: Path,
    results: Callable[[list[Task]], Iterator[FileResult]],
    o: _Options,
) -> Consolidation:
    """Tasks for the inputs, their results merged in order into the workbook and copies, figures reconciled."""
    from xlgoals.department.consolidate.worker import preload
    from xlgoals.io.outputs import atomic_output

    csv_dir, parquet_dir, group_by, rules, money_unit = o.csv_dir, o.parquet_dir, o.group_by, o.rules, o.money_unit
    preload(rules)
    if parquet_dir:
        from xlgoals.core.extras import require

        require("pyarrow", purpose="导出 Parquet（--parquet）")
    with ExitStack() as stack:
        xlsx_tmp = stack.enter_context(atomic_output(out_path))
        exports = open_exports(stack, Path(csv_dir) if csv_dir else None, Path(parquet_dir) if parquet_dir else None)
        book = StreamBook(SUMMARY_TITLE)
        stack.callback(book.close)
        for name in SUMMARY_SHEETS:
            printing = PRINTING[name]
            book.add_sheet(name, sheet_columns(name, money_unit is MoneyUnit.WAN), printing, ruled=not printing.data)
        merge = Merge(inputs, book, exports, o.labels, preferred_paths(o.prefer), money_unit is MoneyUnit.WAN)
        archiver = _archiver(stack, o.archive)
        tasks = [
            Task(
                i,
                f.path,
                rules,
                f.folder,
                group_by,
                rows=bool(exports),
                archive=archiver is not None,
                money_unit=money_unit,
                label=o.labels.get(f.path, ""),
            )
            for i, f in enumerate(inputs, start=1)
        ]
        facts = RunFacts(
            money_unit,
            rules,
            o.folder,
            csv_dir=os.fspath(csv_dir) if csv_dir else None,
            parquet_dir=os.fspath(parquet_dir) if parquet_dir else None,
        )
        try:
            for r in results(tasks):
                merge.add(r)
                if archiver is not None and merge.ledger[-1].status == READ and r.archive is not None:
                    archiver.add(r.archive, r.path)
            groups, total = merge.close(group_by, facts)
        except OSError as e:  # the sheets are spooled in the system's temporary folder until they are written
            raise fault(e, out_path, f"在系统临时文件夹 {tempfile.gettempdir()} 中暂存汇总表") from None
        for t in exports.values():
            t.finish()
        # Written only after reconciliation; on failure the sheets' temp files just vanish.
        try:
            book.save(xlsx_tmp)
        except OSError as e:
            raise fault(e, out_path, "写入") from None
        archived = archiver.commit() if archiver is not None else None
    result = Consolidation(
        str(out_path),
        merge.ledger,
        merge.accepted,
        groups,
        total,
        group_by,
        book.worksheet_names(),
        [*book.notes, *mixed_years(merge.accepted)],
    )
    return replace(result, archived=archived, selfeval=list(merge.selfeval.values()))


def _archiver(stack: ExitStack, db: str | os.PathLike[str] | None) -> ArchiveWriter | None:
    """The archive writer for --db, opened before any file is read so a bad archive stops the run at once."""
    if db is None:
        return None
    from xlgoals.department.archive.store import ArchiveWriter

    writer = ArchiveWriter(db)
    stack.callback(writer.close)
    return writer
