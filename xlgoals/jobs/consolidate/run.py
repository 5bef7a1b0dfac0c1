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
from xlgoals.core.layout import (
    FINDINGS_SHEET,
    INDICATORS_SHEET,
    LEDGER_SHEET,
    PROJECTS_SHEET,
    SUMMARY_SHEETS,
    UNITS_SHEET,
)
from xlgoals.core.model import MONEY_FIELDS, Unit
from xlgoals.core.oserrors import fault
from xlgoals.io.presentation import MoneyUnit
from xlgoals.io.rowxml import Row, in_wan
from xlgoals.io.xlsxstream import StreamBook
from xlgoals.jobs.consolidate.exports import Export, check_outputs, open_exports
from xlgoals.jobs.consolidate.inputs import InputFile, collect_inputs
from xlgoals.jobs.consolidate.ledger import DUPLICATE, LOCK, READ, REJECTED, STATUSES, LedgerEntry, Reason
from xlgoals.jobs.consolidate.pool import ProgressFn, map_files
from xlgoals.jobs.consolidate.reconcile import Aggregate, UnitSummary, reconcile
from xlgoals.jobs.consolidate.selfevaltables import PROJECT_COLUMNS as SELFEVAL_PROJECT_COLUMNS
from xlgoals.jobs.consolidate.selfevaltables import PROJECTS_SHEET as SELFEVAL_PROJECTS
from xlgoals.jobs.consolidate.selfevaltables import UNIT_COLUMNS as SELFEVAL_UNIT_COLUMNS
from xlgoals.jobs.consolidate.selfevaltables import UNITS_SHEET as SELFEVAL_UNITS
from xlgoals.jobs.consolidate.selfevaltables import UnitRow, selfeval_dict, unit_rows
from xlgoals.jobs.consolidate.tables import (
    COLUMNS,
    DEPARTMENT_TOTAL,
    LEDGER_COLUMNS,
    SUBTOTAL,
    UNIT_COLUMNS,
    ZERO,
    GroupBy,
)
from xlgoals.jobs.consolidate.worker import FileResult, Task, process_unit

if TYPE_CHECKING:
    import pandas as pd

    from xlgoals.jobs.archive.store import AddSummary, ArchiveWriter


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


class Merge:
    """The parent's side of a run: decides duplicates in input order and streams rows into the outputs."""

    def __init__(
        self, inputs: list[InputFile], book: StreamBook, exports: dict[str, Export], wan: bool = False
    ) -> None:
        self.inputs, self.book, self.exports, self.wan = inputs, book, exports, wan
        self.ledger: list[LedgerEntry] = []
        self.accepted: list[UnitSummary] = []
        self.by_sha: dict[str, LedgerEntry] = {}
        self.by_unit: dict[tuple[str, int | None, str], str] = {}
        self.selfeval: list[UnitRow] = []
        self.project_sums = dict.fromkeys(MONEY_FIELDS, ZERO)
        self.project_rows = 0
        self.project_rows_by_file: dict[str, int] = {}

    def _duplicate(self, r: FileResult) -> tuple[str, str] | None:
        """(file it duplicates, why) when `r` repeats an earlier file or an accepted unit and year."""
        first = self.by_sha.get(r.sha256) if r.sha256 and r.status != LOCK else None
        if first is not None:
            why = Reason.SAME_CONTENT.text(first=first.path)
            if first.status != READ:
                why += f"该文件状态为“{first.status}”：{first.reason}"
            return first.path, why
        key = (r.unit.strip(), r.year, r.kind)
        if r.status == READ and key[0] and key in self.by_unit:
            earlier = self.by_unit[key]
            return earlier, Reason.SAME_UNIT.text(unit=key[0], year=key[1] or "", first=earlier)
        return None

    def add(self, r: FileResult) -> None:
        status, reason, code, dup_of = r.status, r.reason, r.code, None
        duplicate = self._duplicate(r)
        if duplicate is not None:
            status, code, (dup_of, reason) = DUPLICATE, Reason.SAME_CONTENT.code, duplicate
        if status == READ:
            self._accept(r)
            if r.uncounted:
                reason = Reason.UNCOUNTED.text(count=len(r.uncounted), amounts="；".join(r.uncounted))
                code = Reason.UNCOUNTED.code
        entry = LedgerEntry(
            r.index,
            r.path,
            status,
            reason,
            code,
            dup_of,
            r.unit,
            r.year,
            r.sha256,
            len(r.projects) if status == READ else 0,
            r.size,
        )
        self.ledger.append(entry)
        if r.sha256 and r.status != LOCK:
            self.by_sha.setdefault(r.sha256, entry)

    def _accept(self, r: FileResult) -> None:
        self.by_unit[(r.unit.strip(), r.year, r.kind)] = r.path
        if r.selfeval is not None:
            self.selfeval.append(UnitRow(r.group, r.unit, r.year, r.path, r.selfeval))
        for name, amount in r.project_sums.items():
            self.project_sums[name] += amount
        self.project_rows += len(r.projects)
        self.project_rows_by_file[r.path] = self.project_rows_by_file.get(r.path, 0) + len(r.projects)
        # The workers rendered the rows (group column included): the sheets only copy them.
        counts = ((PROJECTS_SHEET, len(r.projects)), (INDICATORS_SHEET, r.n_indicators), (FINDINGS_SHEET, r.n_findings))
        for name, rows in counts:
            self.book[name].add(r.xml[name], rows)
        if self.exports:
            copies = ((PROJECTS_SHEET, r.projects), (INDICATORS_SHEET, r.indicators), (FINDINGS_SHEET, r.findings))
            for name, copy in copies:
                export = self.exports[name]
                for row in copy:
                    export.append(row)
        self.accepted.append(
            UnitSummary(
                r.group,
                r.unit,
                r.year,
                r.framework,
                r.department,
                r.path,
                len(r.projects),
                r.n_indicators,
                r.totals,
                r.counts,
            )
        )

    def _table(self, name: str, rows: list[Row]) -> None:
        self.book[name].add_rows(rows)
        if self.exports:
            for row in rows:
                self.exports[name].append(row)

    def close(self, group_by: GroupBy | None) -> tuple[list[Aggregate], Aggregate]:
        """Units (with subtotals) and the ledger into their sheets, then the reconciliation."""
        groups: list[Aggregate] = []
        units: list[Row] = []
        if group_by is not None:
            for g in dict.fromkeys(u.group for u in self.accepted):
                members = [u for u in self.accepted if u.group == g]
                units.extend(u.row() for u in members)
                groups.append(Aggregate.of(f"{g} {SUBTOTAL}", g, members))
                units.append(groups[-1].row())
        else:
            units.extend(u.row() for u in self.accepted)
        total = Aggregate.of(DEPARTMENT_TOTAL, "", groups or self.accepted)
        units.append(total.row())
        self._table(UNITS_SHEET, units)
        self._table(LEDGER_SHEET, [entry.row() for entry in self.ledger])
        if self.selfeval:
            # The 自评 view right after 单位汇总: written at the end, when every unit's figures are in.
            for name, columns, rows in (
                (SELFEVAL_PROJECTS, SELFEVAL_PROJECT_COLUMNS, [r for u in self.selfeval for r in u.project_rows()]),
                (SELFEVAL_UNITS, SELFEVAL_UNIT_COLUMNS, unit_rows(self.selfeval)),
            ):
                self.book.add_sheet(name, in_wan(columns) if self.wan else columns, after=UNITS_SHEET).add_rows(rows)
        reconcile(
            self.accepted,
            groups,
            total,
            self.project_sums,
            self.project_rows,
            self.project_rows_by_file,
            self.ledger,
            len(self.inputs),
        )
        return groups, total


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
) -> Consolidation:
    """Read, check and merge every file under `paths` into `output` (and CSV/parquet copies).

    The outputs appear only when the figures reconcile; otherwise ReconciliationError and nothing is written.
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

    return _run(inputs, out_path, results, csv_dir, parquet_dir, group_by, rules, archive, money_unit)


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

    return _run(inputs, out_path, results, money_unit=money_unit)


def _run(
    inputs: list[InputFile],
    out_path: Path,
    results: Callable[[list[Task]], Iterator[FileResult]],
    csv_dir: str | os.PathLike[str] | None = None,
    parquet_dir: str | os.PathLike[str] | None = None,
    group_by: GroupBy | None = None,
    rules: str | None = None,
    archive: str | os.PathLike[str] | None = None,
    money_unit: MoneyUnit = MoneyUnit.YUAN,
) -> Consolidation:
    """Tasks for the inputs, their results merged in order into the workbook and copies, figures reconciled."""
    from xlgoals.io.outputs import atomic_output
    from xlgoals.jobs.pipeline import preload

    preload(rules)
    if parquet_dir:
        from xlgoals.core.extras import require

        require("pyarrow", purpose="导出 Parquet（--parquet）")
    with ExitStack() as stack:
        xlsx_tmp = stack.enter_context(atomic_output(out_path))
        exports = open_exports(stack, Path(csv_dir) if csv_dir else None, Path(parquet_dir) if parquet_dir else None)
        book = StreamBook()
        stack.callback(book.close)
        for name in SUMMARY_SHEETS:
            book.add_sheet(name, in_wan(COLUMNS[name]) if money_unit is MoneyUnit.WAN else COLUMNS[name])
        merge = Merge(inputs, book, exports, money_unit is MoneyUnit.WAN)
        archiver = _archiver(stack, archive)
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
            )
            for i, f in enumerate(inputs, start=1)
        ]
        try:
            for r in results(tasks):
                merge.add(r)
                if archiver is not None and merge.ledger[-1].status == READ and r.archive is not None:
                    archiver.add(r.archive, r.path)
            groups, total = merge.close(group_by)
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
        str(out_path), merge.ledger, merge.accepted, groups, total, group_by, book.worksheet_names(), book.notes
    )
    return replace(result, archived=archived, selfeval=merge.selfeval)


def _archiver(stack: ExitStack, db: str | os.PathLike[str] | None) -> ArchiveWriter | None:
    """The archive writer for --db, opened before any file is read so a bad archive stops the run at once."""
    if db is None:
        return None
    from xlgoals.jobs.archive.store import ArchiveWriter

    writer = ArchiveWriter(db)
    stack.callback(writer.close)
    return writer
