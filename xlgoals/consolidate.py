"""Consolidate many unit workbooks into one summary, accounting for every input file."""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
import shutil
import struct
import tempfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal

from xlgoals import layout
from xlgoals.errors import XlgoalsError
from xlgoals.findings import SEVERITY_ZH, Severity
from xlgoals.model import MONEY_FIELDS, Project, Unit
from xlgoals.rollup import KIND_ZH, MONEY_ZH, indicator_kind, project_key

GroupBy = Literal["department", "folder"]
Status = Literal["已读取", "已拒绝", "重复", "锁定文件"]
READ: Status = "已读取"
REJECTED: Status = "已拒绝"
DUPLICATE: Status = "重复"
LOCK: Status = "锁定文件"
STATUSES: tuple[Status, ...] = (READ, REJECTED, DUPLICATE, LOCK)

UNITS_SHEET = "单位汇总"
PROJECTS_SHEET = "项目清单"
INDICATORS_SHEET = "指标明细"
FINDINGS_SHEET = "校验问题"
LEDGER_SHEET = "台账"
SHEETS = (UNITS_SHEET, PROJECTS_SHEET, INDICATORS_SHEET, FINDINGS_SHEET, LEDGER_SHEET)
DEPARTMENT_TOTAL = "部门合计"
SUBTOTAL = "小计"
NO_DEPARTMENT = "（未填主管部门）"
# Excel's rows per sheet (the header included): a longer table continues on 指标明细2, 指标明细3 ...
MAX_ROWS = 1_048_576
# Excel's characters per cell; longer text is cut there, as Excel itself would on typing it in.
MAX_CELL_CHARS = 32_767
_ZERO = Decimal("0.00")
# Files per task and tasks in flight per worker: small enough that results stream, large enough that
# the per-task overhead of the pool (~0.2 ms) stays below 1 %.
CHUNK = 16
WINDOW = 4

ColumnKind = Literal["text", "int", "money", "number", "date"]


@dataclass(frozen=True)
class Column:
    title: str
    kind: ColumnKind = "text"
    width: float = 12


def _money_columns() -> tuple[Column, ...]:
    return tuple(Column(MONEY_ZH[f], "money", 16) for f in MONEY_FIELDS)


_FINDING_COUNTS = (Column("错误", "int", 6), Column("警告", "int", 6), Column("提示", "int", 6))
UNIT_COLUMNS: tuple[Column, ...] = (
    Column("分组", width=18),
    Column("单位", width=30),
    Column("年度", "int", 6),
    Column("指标体系", width=16),
    Column("主管部门", width=20),
    Column("文件", width=40),
    Column("项目数", "int", 7),
    Column("指标数", "int", 7),
    *_money_columns(),
    *_FINDING_COUNTS,
)
_PROJECT_FIELD_COLUMNS = tuple(
    Column(
        spec.label,
        "date" if spec.kind == "date" else "money" if spec.kind == "money" else "text",
        30 if spec.kind == "long" else 12,
    )
    for spec in layout.PROJECT_FIELDS
)
PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("分组", width=18),
    Column("单位", width=30),
    Column("年度", "int", 6),
    Column("文件", width=30),
    Column("工作表", width=8),
    *_PROJECT_FIELD_COLUMNS,
    Column("指标数", "int", 7),
    *_FINDING_COUNTS,
    # Filled-in text that did not parse (e.g. money written as '六十万'): shown so a blank is explained.
    Column("未能识别的填写", width=30),
)
# The longest table (about 330 rows per unit): only the keys and the indicator itself, no group or location
# columns, because every cell here costs time on a department's thousand workbooks.
INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("单位", width=30),
    Column("年度", "int", 6),
    Column("项目名称", width=30),
    Column("一级目标", width=12),
    Column("二级目标", width=12),
    Column("三级目标", width=30),
    Column("指标目标值", width=16),
    Column("比较符", width=6),
    Column("数值", "number", 10),
    Column("计量单位", width=8),
    Column("类型", width=8),
)
FINDING_COLUMNS: tuple[Column, ...] = (
    Column("分组", width=18),
    Column("单位", width=30),
    Column("年度", "int", 6),
    Column("文件", width=30),
    Column("项目", width=30),
    Column("工作表", width=8),
    Column("单元格", width=8),
    Column("代码", width=24),
    Column("级别", width=6),
    Column("问题说明", width=60),
    Column("当前值", width=20),
)
LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("序号", "int", 6),
    Column("文件", width=50),
    Column("状态", width=8),
    Column("原因", width=60),
    Column("代码", width=20),
    Column("重复于", width=40),
    Column("单位", width=30),
    Column("年度", "int", 6),
    Column("SHA-256", width=20),
    Column("读取项目数", "int", 8),
    Column("大小（字节）", "int", 10),
)
COLUMNS: dict[str, tuple[Column, ...]] = {
    UNITS_SHEET: UNIT_COLUMNS,
    PROJECTS_SHEET: PROJECT_COLUMNS,
    INDICATORS_SHEET: INDICATOR_COLUMNS,
    FINDINGS_SHEET: FINDING_COLUMNS,
    LEDGER_SHEET: LEDGER_COLUMNS,
}


class ReconciliationError(XlgoalsError):
    """The summary's figures do not add up; nothing is written."""

    code = "consolidate.reconcile"


# --- inputs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputFile:
    """One path to account for, and the folder it is grouped under by --group-by folder."""

    path: str
    folder: str


def collect_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[InputFile]:
    """Every file under the given folders (recursively, hidden ones too) and every given file, in order.

    Nothing is dropped: a path that does not exist, or a folder that cannot be listed, stays an input so
    the ledger says why it was not read.
    """
    out: list[InputFile] = []
    for given in paths:
        root = Path(given)
        if not root.is_dir():
            out.append(InputFile(str(root), root.parent.resolve().name or str(root.parent)))
            continue
        seen: set[str] = set()

        def unlistable(e: OSError, root: Path = root) -> None:
            out.append(InputFile(str(e.filename), root.name))

        # Linked folders are followed (units' shares are often links); a folder reached twice is listed once.
        for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable, followlinks=True):
            real = os.path.realpath(dirpath)
            if real in seen:
                dirnames.clear()
                continue
            seen.add(real)
            dirnames.sort()
            here = Path(dirpath)
            rel = here.relative_to(root).as_posix()
            folder = (root.resolve().name or str(root)) if rel == "." else rel
            out.extend(InputFile(str(here / name), folder) for name in sorted(filenames))
    return out


def is_lock_file(name: str) -> bool:
    """Owner files Excel/WPS (~$book.xlsx) and LibreOffice (.~lock.book.xlsx#) leave next to open books."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


# --- the worker -----------------------------------------------------------------------------------------

Row = tuple[Any, ...]


@dataclass
class FileResult:
    """What a worker sends back for one file: compact rows, never grids or models (memory stays flat)."""

    index: int
    path: str
    status: Status
    size: int | None = None
    sha256: str = ""
    reason: str = ""
    code: str = ""
    unit: str = ""
    year: int | None = None
    framework: str = ""
    department: str = ""
    totals: dict[str, Decimal] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # Rows without the group column (the parent adds it where the sheet has one): a folder group is known
    # only to the parent.
    projects: list[Row] = field(default_factory=list)
    indicators: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)

    @property
    def n_indicators(self) -> int:
        return len(self.indicators)


def _sha256(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            h.update(chunk)
    return size, h.hexdigest()


def _reason(e: XlgoalsError) -> str:
    where = "，".join(p for p in (f"工作表 {e.sheet}" if e.sheet else "", f"单元格 {e.cell}" if e.cell else "") if p)
    return f"{where}：{e.message}" if where else e.message


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("是" if value else "否")


def _project_row(unit: Unit, shown: str, p: Project, counts: dict[str, int]) -> Row:
    fields: list[Any] = []
    for spec in layout.PROJECT_FIELDS:
        value = getattr(p, spec.key)
        fields.append(_yes_no(value) if spec.kind == "yesno" else (value if value != "" else None))
    unparsed = "；".join(f"{layout.PROJECT_FIELD[k].label}：{v}" for k, v in p.unparsed.items()) or None
    return (
        unit.name,
        unit.year,
        shown,
        p.sheet,
        *fields,
        len(p.indicators),
        counts.get("error", 0),
        counts.get("warning", 0),
        counts.get("info", 0),
        unparsed,
    )


# Where each money value sits in a worker's project row (before the parent puts the group in front).
_PROJECT_KEYS = [spec.key for spec in layout.PROJECT_FIELDS]
MONEY_INDEX: dict[str, int] = {f: 4 + _PROJECT_KEYS.index(f) for f in MONEY_FIELDS}


def _indicator_rows(unit: Unit, p: Project) -> Iterator[Row]:
    for ind in p.indicators:
        t = ind.target
        yield (
            unit.name,
            unit.year,
            p.name,
            ind.level1,
            ind.level2,
            ind.name,
            ind.value or None,
            t.operator.value if t is not None and t.operator is not None else None,
            t.number if t is not None else None,
            t.unit if t is not None else None,
            KIND_ZH[indicator_kind(ind)],
        )


def _rows(unit: Unit, shown: str, result: FileResult, rules: str | None) -> None:
    from xlgoals.pipeline import check_unit

    report = check_unit(unit, rules, file=Path(shown).name).report
    per_project = report.per_project()
    result.counts = report.counts()
    for p in unit.projects:
        result.projects.append(_project_row(unit, shown, p, per_project.get(project_key(p), {})))
        result.indicators.extend(_indicator_rows(unit, p))
    for f in report.findings:
        result.findings.append(
            (
                unit.name,
                unit.year,
                shown,
                f.project,
                f.sheet,
                f.cell,
                f.code,
                SEVERITY_ZH[f.severity],
                f.message,
                f.value,
            )
        )


def process_file(task: tuple[int, str, str | None]) -> FileResult:
    """Hash, read (calamine) and validate one file; any failure becomes a ledger reason, never a crash."""
    from xlgoals.files import read_grids
    from xlgoals.reader import read_unit

    index, shown, rules = task
    path = Path(shown)
    result = FileResult(index, shown, READ)
    try:
        result.size, result.sha256 = _sha256(path)
    except OSError as e:
        result.status = REJECTED
        if not path.exists():
            result.code, result.reason = "workbook.not-found", "找不到该文件或文件夹。"
        elif path.is_dir():  # only a folder os.walk could not list ends up here
            result.code = "folder.unreadable"
            result.reason = "无法列出该文件夹中的文件（可能没有读取权限），其中的工作簿未能汇总。"
        else:
            result.code, result.reason = "workbook.unreadable", f"无法读取该文件（{e.strerror}），可能没有读取权限。"
        return result
    if is_lock_file(path.name):
        result.status, result.code = LOCK, "workbook.lock"
        result.reason = "Excel/WPS/LibreOffice 打开工作簿时生成的锁定文件，不是申报数据，已跳过。"
        return result
    try:
        unit = read_unit(read_grids(path, "calamine"))
    except XlgoalsError as e:
        result.status, result.code, result.reason = REJECTED, e.code, _reason(e)
        return result
    except Exception as e:  # a damaged file must not stop a department's run
        result.status, result.code = REJECTED, "workbook.unreadable"
        result.reason = f"无法读取工作簿内容（{type(e).__name__}: {e}）。"
        return result
    unit.source = shown
    result.unit, result.year, result.framework = unit.name, unit.year, unit.framework
    result.department = unit.department
    result.totals = unit.money_totals()
    try:
        _rows(unit, shown, result, rules)
    except Exception as e:  # a failing check is our bug; the file is still accounted for, with the cause
        result.status, result.code = REJECTED, "internal.error"
        result.reason = f"校验时出现程序错误（{type(e).__name__}: {e}），请把该文件交给系统管理员。"
        result.projects, result.indicators, result.findings = [], [], []
    return result


def _yield_to_parent() -> None:
    """Workers run a little below the parent: the parent's writing is the critical path, and with as many
    workers as cores it would otherwise get only a share of one."""
    if hasattr(os, "nice"):
        os.nice(5)


def _process_chunk(tasks: Sequence[tuple[int, str, str | None]]) -> list[FileResult]:
    return [process_file(t) for t in tasks]


# --- outputs --------------------------------------------------------------------------------------------

_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + text if text.startswith(_CSV_RISKY) else text


def _csv_value(value: Any, kind: ColumnKind) -> str:
    if value is None:
        return ""
    if kind == "text":
        return csv_safe(str(value))
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else csv_safe(str(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class _Table:
    """One output table, fanned out to an .xlsx sheet and optionally a CSV file and a parquet file."""

    def __init__(
        self,
        name: str,
        columns: tuple[Column, ...],
        wb: Any,
        formats: dict[str, Any],
        csv_file: IO[str] | None,
        parquet_path: Path | None,
    ) -> None:
        self.name, self.columns, self.rows = name, columns, 0
        self.ws = wb.add_worksheet(name)
        self._formats = formats
        self._csv = csv.writer(csv_file) if csv_file is not None else None
        self._parquet_path = parquet_path
        self._parquet: Any = None
        self._buffer: list[list[Any]] = [[] for _ in columns]
        self._kinds = [c.kind for c in columns]
        for col, c in enumerate(columns):
            self.ws.set_column(col, col, c.width)
            self.ws.write_string(0, col, c.title, formats["header"])
        self.ws.freeze_panes(1, 0)
        if self._csv is not None:
            self._csv.writerow([c.title for c in columns])

    def append(self, values: Sequence[Any]) -> None:
        """One row; None cells are left empty. The hot loop of a consolidation, kept flat on purpose."""
        self.rows += 1
        r = self.rows
        if r >= MAX_ROWS:
            raise XlgoalsError(
                f"“{self.name}”超过 Excel 的最大行数（{MAX_ROWS - 1} 行），请分批汇总或改用 --csv/--parquet 导出。"
            )
        if len(values) != len(self._kinds):
            raise ReconciliationError(f"“{self.name}”第 {r + 1} 行有 {len(values)} 列，应为 {len(self._kinds)} 列。")
        ws, fmt = self.ws, self._formats
        failed = 0
        for c, value in enumerate(values):
            if value is None:
                continue
            kind = self._kinds[c]
            if kind == "text" or (kind == "date" and not isinstance(value, date)):
                # write_string, not write: a unit's '=HYPERLINK(...)' stays text and never becomes a formula.
                # XlsxWriter escapes control characters itself, so any cell text is safe XML.
                failed |= ws.write_string(r, c, str(value))
            elif kind == "date":
                failed |= ws.write_datetime(r, c, value, fmt["date"])
            else:
                failed |= ws.write_number(r, c, float(value), fmt.get(kind))
        if failed == -1:  # -2 (a text cut at Excel's 32,767 characters) is not a lost cell
            raise ReconciliationError(f"“{self.name}”第 {r + 1} 行写入失败。")
        if self._csv is not None:
            self._csv.writerow([_csv_value(v, k) for v, k in zip(values, self._kinds, strict=True)])
        if self._parquet_path is not None:
            for buf, v in zip(self._buffer, values, strict=True):
                buf.append(v)
            if len(self._buffer[0]) >= 20_000:
                self._flush_parquet()

    def finish(self) -> None:
        self.ws.autofilter(0, 0, self.rows, len(self.columns) - 1)
        if self._parquet_path is not None:
            self._flush_parquet(final=True)

    def abort(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None

    def _schema(self) -> Any:
        import pyarrow as pa

        types = {
            "text": pa.string(),
            "int": pa.int64(),
            # Exact cents: a finance bureau's sums must match the workbook to the fen.
            "money": pa.decimal128(38, 2),
            "number": pa.float64(),
            "date": pa.date32(),
        }
        return pa.schema([pa.field(c.title, types[c.kind]) for c in self.columns])

    def _flush_parquet(self, final: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = self._schema()
        if self._parquet is None:
            assert self._parquet_path is not None
            self._parquet = pq.ParquetWriter(str(self._parquet_path), schema)
        if self._buffer[0] or (final and self.rows == 0):
            columns = [
                pa.array(
                    [_parquet_value(v, c.kind) for v in buf],
                    type=schema.field(i).type,
                )
                for i, (buf, c) in enumerate(zip(self._buffer, self.columns, strict=True))
            ]
            self._parquet.write_table(pa.Table.from_arrays(columns, schema=schema))
            self._buffer = [[] for _ in self.columns]
        if final:
            self._parquet.close()
            self._parquet = None


def _parquet_value(value: Any, kind: ColumnKind) -> Any:
    if value is None:
        return None
    if kind == "text":
        return str(value)
    if kind == "number":
        return float(value)
    if kind == "date" and not isinstance(value, date):
        return None
    return value


# --- the run --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    index: int
    path: str
    status: Status
    reason: str = ""
    code: str = ""
    duplicate_of: str | None = None
    unit: str = ""
    year: int | None = None
    sha256: str = ""
    projects: int = 0
    size: int | None = None

    def row(self) -> Row:
        return (
            self.index,
            self.path,
            self.status,
            self.reason or None,
            self.code or None,
            self.duplicate_of,
            self.unit or None,
            self.year,
            self.sha256 or None,
            self.projects,
            self.size,
        )


@dataclass(frozen=True)
class UnitSummary:
    group: str
    unit: str
    year: int | None
    framework: str
    department: str
    file: str
    projects: int
    indicators: int
    totals: dict[str, Decimal]
    counts: dict[str, int]

    def row(self) -> Row:
        return (
            self.group or None,
            self.unit or None,
            self.year,
            self.framework or None,
            self.department or None,
            self.file,
            self.projects,
            self.indicators,
            *(self.totals[f] for f in MONEY_FIELDS),
            *(self.counts.get(s.value, 0) for s in Severity),
        )


@dataclass(frozen=True)
class Aggregate:
    """A subtotal or the department total: units, projects, indicators, money and findings summed."""

    label: str
    group: str
    units: int
    projects: int
    indicators: int
    totals: dict[str, Decimal]
    counts: dict[str, int]

    @classmethod
    def of(cls, label: str, group: str, rows: Sequence[UnitSummary | Aggregate]) -> Aggregate:
        return cls(
            label,
            group,
            sum(r.units if isinstance(r, Aggregate) else 1 for r in rows),
            sum(r.projects for r in rows),
            sum(r.indicators for r in rows),
            {f: sum((r.totals[f] for r in rows), _ZERO) for f in MONEY_FIELDS},
            {s.value: sum(r.counts.get(s.value, 0) for r in rows) for s in Severity},
        )

    def row(self) -> Row:
        return (
            self.group or None,
            self.label,
            None,
            None,
            None,
            f"{self.units} 个单位",
            self.projects,
            self.indicators,
            *(self.totals[f] for f in MONEY_FIELDS),
            *(self.counts[s.value] for s in Severity),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "group": self.group,
            "units": self.units,
            "projects": self.projects,
            "indicators": self.indicators,
            "totals": {k: str(v) for k, v in self.totals.items()},
            "findings": dict(self.counts),
        }


@dataclass(frozen=True)
class Consolidation:
    """What a run produced, for the CLI's table and JSON; the workbook holds the detail."""

    output: str
    ledger: list[LedgerEntry]
    units: list[UnitSummary]
    groups: list[Aggregate]
    total: Aggregate
    group_by: GroupBy | None

    def status_counts(self) -> dict[str, int]:
        return {s: sum(1 for e in self.ledger if e.status == s) for s in STATUSES}

    @property
    def complete(self) -> bool:
        """Every input was read (lock files aside): what exit code 0 promises."""
        return all(e.status in (READ, LOCK) for e in self.ledger)

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
        }


ProgressFn = Callable[[int, int], None]


def _results(
    inputs: list[InputFile], rules: str | None, jobs: int, progress: ProgressFn | None
) -> Iterator[FileResult]:
    """Results in input order; workers get chunks so the per-task overhead stays small."""
    tasks = [(i, f.path, rules) for i, f in enumerate(inputs, start=1)]
    total = len(tasks)
    if jobs <= 1 or total < 4:
        if progress:
            progress(0, total)
        for n, t in enumerate(tasks, start=1):
            yield process_file(t)
            if progress:
                progress(n, total)
        return
    size = max(1, min(CHUNK, math.ceil(total / (jobs * 4))))
    chunks = iter([tasks[i : i + size] for i in range(0, total, size)])
    # The platform's default start method: fork on Linux costs ~0.1 s where forkserver/spawn cost ~1 s of
    # re-imports. Fork is safe here because the first submit launches every worker (fork never spawns
    # later), before the caller's progress bar, the only thread we start, exists.
    workers = min(jobs, math.ceil(total / size))
    with ProcessPoolExecutor(max_workers=workers, initializer=_yield_to_parent) as pool:
        # A bounded window of chunks in flight: finished results never pile up while the parent writes.
        window: deque[Future[list[FileResult]]] = deque(
            pool.submit(_process_chunk, c) for c in islice(chunks, jobs * WINDOW)
        )
        if progress:
            progress(0, total)
        done = 0
        while window:
            try:
                batch = window.popleft().result()
            except BrokenProcessPool as e:
                raise XlgoalsError(
                    "读取工作簿的子进程意外退出（可能是内存不足或某个文件触发了程序错误），"
                    "请用 --jobs 1 重新汇总以找出该文件。"
                ) from e
            following = next(chunks, None)
            if following is not None:
                window.append(pool.submit(_process_chunk, following))
            for r in batch:
                done += 1
                yield r
                if progress:
                    progress(done, total)


def _group_of(r: FileResult, f: InputFile, group_by: GroupBy | None) -> str:
    if group_by == "department":
        return r.department or NO_DEPARTMENT
    if group_by == "folder":
        return f.folder
    return ""


def _reconcile(
    units: list[UnitSummary],
    groups: list[Aggregate],
    total: Aggregate,
    project_sums: dict[str, Decimal],
    project_rows: int,
    project_rows_by_file: dict[str, int],
    ledger: list[LedgerEntry],
    n_inputs: int,
) -> None:
    problems: list[str] = []
    for f in MONEY_FIELDS:
        by_units = sum((u.totals[f] for u in units), _ZERO)
        by_groups = sum((g.totals[f] for g in groups), _ZERO) if groups else by_units
        if not total.totals[f] == by_units == by_groups == project_sums[f]:
            problems.append(
                f"{MONEY_ZH[f]}：部门合计 {total.totals[f]}，单位合计 {by_units}，"
                f"分组小计 {by_groups}，项目清单合计 {project_sums[f]}"
            )
    if sum(u.projects for u in units) != project_rows or total.projects != project_rows:
        problems.append(f"项目数：单位汇总 {total.projects}，项目清单 {project_rows}")
    for u in units:
        if project_rows_by_file.get(u.file, 0) != u.projects:
            problems.append(f"{u.file} 的项目没有全部列入项目清单")
    if len(ledger) != n_inputs:
        problems.append(f"台账 {len(ledger)} 行，输入文件 {n_inputs} 个")
    if problems:
        raise ReconciliationError("汇总数据核对不一致，未写出汇总表：" + "；".join(problems))


def _open_outputs(
    stack: ExitStack, output: Path, csv_dir: Path | None, parquet_dir: Path | None
) -> tuple[Any, dict[str, _Table]]:
    import xlsxwriter

    from xlgoals.files import atomic_output

    xlsx_tmp = stack.enter_context(atomic_output(output))
    # constant_memory streams each row to disk; strings_to_urls off keeps text as text (no 65k link cap).
    wb = xlsxwriter.Workbook(
        str(xlsx_tmp), {"constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    )
    formats = {
        "header": wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True}),
        "money": wb.add_format({"num_format": "#,##0.00"}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
    }
    tables: dict[str, _Table] = {}
    for name in SHEETS:
        csv_file: IO[str] | None = None
        if csv_dir is not None:
            tmp = stack.enter_context(atomic_output(csv_dir / f"{name}.csv"))
            # utf-8-sig: Excel on Chinese Windows opens BOM-less UTF-8 as GBK and garbles every name.
            csv_file = stack.enter_context(tmp.open("w", encoding="utf-8-sig", newline=""))
        parquet = stack.enter_context(atomic_output(parquet_dir / f"{name}.parquet")) if parquet_dir else None
        tables[name] = _Table(name, COLUMNS[name], wb, formats, csv_file, parquet)
        # On failure a parquet writer must let go of its temp file before atomic_output removes it.
        stack.callback(tables[name].abort)
    # The workbook is closed (written) only after reconciliation; on failure its temp parts just vanish.
    return wb, tables


class _Merge:
    """The parent's side of a run: decides duplicates in input order and streams rows into the tables."""

    def __init__(self, inputs: list[InputFile], tables: dict[str, _Table], group_by: GroupBy | None) -> None:
        self.inputs, self.tables, self.group_by = inputs, tables, group_by
        self.ledger: list[LedgerEntry] = []
        self.accepted: list[UnitSummary] = []
        self.by_sha: dict[str, LedgerEntry] = {}
        self.by_unit: dict[tuple[str, int | None], str] = {}
        self.project_sums = dict.fromkeys(MONEY_FIELDS, _ZERO)
        self.project_rows = 0
        self.project_rows_by_file: dict[str, int] = {}

    def _duplicate(self, r: FileResult) -> tuple[str, str] | None:
        """(file it duplicates, why) when `r` repeats an earlier file or an accepted unit and year."""
        first = self.by_sha.get(r.sha256) if r.sha256 and r.status != LOCK else None
        if first is not None:
            why = f"与 {first.path} 内容完全相同（SHA-256 一致），只计一次。"
            if first.status != READ:
                why += f"该文件状态为“{first.status}”：{first.reason}"
            return first.path, why
        key = (r.unit.strip(), r.year)
        if r.status == READ and key[0] and key in self.by_unit:
            earlier = self.by_unit[key]
            return earlier, f"单位“{key[0]}”{key[1] or ''}年度的申报已由 {earlier} 提交，本文件未计入汇总。"
        return None

    def add(self, r: FileResult) -> None:
        status, reason, code, dup_of = r.status, r.reason, r.code, None
        duplicate = self._duplicate(r)
        if duplicate is not None:
            status, code, (dup_of, reason) = DUPLICATE, "file.duplicate", duplicate
        if status == READ:
            self._accept(r)
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
        self.by_unit[(r.unit.strip(), r.year)] = r.path
        group = _group_of(r, self.inputs[r.index - 1], self.group_by)
        projects = self.tables[PROJECTS_SHEET]
        for row in r.projects:
            projects.append((group, *row))
            for name, at in MONEY_INDEX.items():
                self.project_sums[name] += row[at] or _ZERO
        self.project_rows += len(r.projects)
        self.project_rows_by_file[r.path] = self.project_rows_by_file.get(r.path, 0) + len(r.projects)
        indicators = self.tables[INDICATORS_SHEET]
        for row in r.indicators:
            indicators.append(row)
        findings = self.tables[FINDINGS_SHEET]
        for row in r.findings:
            findings.append((group, *row))
        self.accepted.append(
            UnitSummary(
                group,
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

    def close(self) -> tuple[list[Aggregate], Aggregate]:
        """Units (with subtotals) and the ledger into their sheets, then the reconciliation."""
        groups: list[Aggregate] = []
        units = self.tables[UNITS_SHEET]
        if self.group_by is not None:
            for g in dict.fromkeys(u.group for u in self.accepted):
                members = [u for u in self.accepted if u.group == g]
                for u in members:
                    units.append(u.row())
                groups.append(Aggregate.of(f"{g} {SUBTOTAL}", g, members))
                units.append(groups[-1].row())
        else:
            for u in self.accepted:
                units.append(u.row())
        total = Aggregate.of(DEPARTMENT_TOTAL, "", groups or self.accepted)
        units.append(total.row())
        for entry in self.ledger:
            self.tables[LEDGER_SHEET].append(entry.row())
        _reconcile(
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
    if out_path.exists() and any(Path(f.path).resolve() == out_path.resolve() for f in inputs):
        raise XlgoalsError("汇总文件不能覆盖要汇总的输入文件，请另选输出路径。", file=str(output))
    if rules:
        from xlgoals.ruleset import load_ruleset

        load_ruleset(rules)  # a broken rule-set file stops the run here, not once per worker
    with ExitStack() as stack:
        wb, tables = _open_outputs(
            stack, out_path, Path(csv_dir) if csv_dir else None, Path(parquet_dir) if parquet_dir else None
        )
        merge = _Merge(inputs, tables, group_by)
        for r in _results(inputs, rules, jobs or os.cpu_count() or 1, progress):
            merge.add(r)
        groups, total = merge.close()
        for t in tables.values():
            t.finish()
        tables[UNITS_SHEET].ws.activate()
        wb.close()
    return Consolidation(str(out_path), merge.ledger, merge.accepted, groups, total, group_by)
