"""Consolidate many unit workbooks into one summary, accounting for every input file."""

from __future__ import annotations

import csv
import gc
import hashlib
import math
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from xlgoals.core import layout
from xlgoals.core.errors import XlgoalsError
from xlgoals.core.model import MONEY_FIELDS, Project, Unit
from xlgoals.io.presentation import MoneyUnit
from xlgoals.io.xlsxstream import Column, ColumnKind, Row, RowXml, StreamBook, in_wan
from xlgoals.jobs.rollup import KIND_ZH, MONEY_ZH, indicator_kind, project_key
from xlgoals.validation.findings import SEVERITY_ZH, Report, Severity
from xlgoals.validation.ruleset import RuleSet, framework_title

if TYPE_CHECKING:
    import pandas as pd

    from xlgoals.jobs.archive.records import Record
    from xlgoals.jobs.archive.store import AddSummary, ArchiveWriter

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
_ZERO = Decimal("0.00")
# Files per task and tasks in flight per worker: small enough that results stream, large enough that
# the per-task overhead of the pool (~0.2 ms) stays below 1 %.
CHUNK = 8
WINDOW = 4


def _money_columns() -> tuple[Column, ...]:
    return tuple(Column(MONEY_ZH[f], "money", 16) for f in MONEY_FIELDS)


_FINDING_COUNTS = (Column("错误", "int", 6), Column("警告", "int", 6), Column("提示", "int", 6))
UNIT_COLUMNS: tuple[Column, ...] = (
    Column("分组", width=14),
    Column("单位", width=44),
    Column("年度", "int", 6),
    Column("指标体系", width=14),
    Column("主管部门", width=16),
    Column("文件", width=24),
    Column("项目数", "int", 7),
    Column("指标数", "int", 7),
    *_money_columns(),
    *_FINDING_COUNTS,
)
_PROJECT_FIELD_COLUMNS = tuple(
    Column(
        spec.label,
        "date" if spec.kind == "date" else "money" if spec.kind == "money" else "text",
        20 if spec.kind == "long" else 12,
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
    # The sheet is the project's identity: two projects of a unit may share a name.
    Column("工作表", width=8),
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
    Column("问题说明", width=60, wrap=True),
    Column("当前值", width=24, wrap=True),
)
LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("序号", "int", 6),
    Column("文件", width=50),
    Column("状态", width=8),
    Column("原因", width=60, wrap=True),
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


@dataclass(frozen=True)
class Task:
    """One file for a worker, with what the worker needs to render its rows exactly as the parent would."""

    index: int
    path: str
    rules: str | None = None
    folder: str = ""
    group_by: GroupBy | None = None
    # Also send the indicator and finding rows as values (for the CSV/parquet copies), not only as XML.
    rows: bool = False
    # Also send the rows the archive (--db) stores.
    archive: bool = False
    # The workbook's money in 元 or 万元 (the CSV/parquet copies stay in 元).
    money_unit: MoneyUnit = MoneyUnit.YUAN


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
    group: str = ""
    totals: dict[str, Decimal] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    # Project rows without the group column: always sent, the parent reconciles their money.
    projects: list[Row] = field(default_factory=list)
    # Sent only when Task.rows asks (CSV/parquet); without the group column where the sheet has one.
    indicators: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)
    n_indicators: int = 0
    n_findings: int = 0
    # Sheet name -> this file's rows of that sheet as SpreadsheetML (UTF-8), group column included.
    xml: dict[str, bytes] = field(default_factory=dict)
    archive: Record | None = None


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
            p.sheet,
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


PROJECT_XML = RowXml(PROJECT_COLUMNS)
PROJECT_XML_WAN = RowXml(in_wan(PROJECT_COLUMNS))
INDICATOR_XML = RowXml(INDICATOR_COLUMNS)
FINDING_XML = RowXml(FINDING_COLUMNS)


def _group_of(department: str, folder: str, group_by: GroupBy | None) -> str:
    if group_by == "department":
        return department or NO_DEPARTMENT
    if group_by == "folder":
        return folder
    return ""


@cache
def _ruleset_file(rules: str) -> RuleSet:
    """A bureau's --rules file, parsed once per process (about 1 ms) rather than once per workbook."""
    from xlgoals.validation.ruleset import load_ruleset

    return load_ruleset(rules)


def _report(unit: Unit, rules: str | None, file: str) -> Report:
    """pipeline.check_unit's report, with the rule-set file read once per process."""
    from xlgoals.jobs.pipeline import check_unit
    from xlgoals.validation.rules import validate

    if rules:
        return validate(unit, _ruleset_file(rules), file=file)
    return check_unit(unit, None, file=file).report


def _rows(unit: Unit, shown: str, result: FileResult, task: Task) -> None:
    report = _report(unit, task.rules, Path(shown).name)
    per_project = report.per_project()
    result.counts = report.counts()
    indicators: list[Row] = []
    for p in unit.projects:
        result.projects.append(_project_row(unit, shown, p, per_project.get(project_key(p), {})))
        indicators.extend(_indicator_rows(unit, p))
    findings = [
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
        for f in report.findings
    ]
    group = result.group or None
    result.xml = {
        PROJECTS_SHEET: (PROJECT_XML_WAN if task.money_unit is MoneyUnit.WAN else PROJECT_XML).rows(
            (group, *row) for row in result.projects
        ),
        INDICATORS_SHEET: INDICATOR_XML.rows(indicators),
        FINDINGS_SHEET: FINDING_XML.rows((group, *row) for row in findings),
    }
    result.n_indicators, result.n_findings = len(indicators), len(findings)
    if task.rows:
        result.indicators, result.findings = indicators, findings
    if task.archive:
        from xlgoals.jobs.archive.records import record_of

        result.archive = record_of(unit, report, sha256=result.sha256, size=result.size, path=shown)


def process_file(task: Task) -> FileResult:
    """Hash, read (calamine), validate and render one file; any failure becomes a ledger reason, never a crash."""
    from xlgoals.io.files import read_grids, read_input
    from xlgoals.io.reader import read_unit

    shown = task.path
    path = Path(shown)
    result = FileResult(task.index, shown, READ)
    try:
        # Read once, capped, and only if it is a regular file: FIFOs and devices are refused unopened.
        data = read_input(path)
    except XlgoalsError as e:
        result.status, result.code, result.reason = REJECTED, e.code, _reason(e)
        if path.is_dir():  # only a folder os.walk could not list ends up here
            result.code = "folder.unreadable"
            result.reason = "无法列出该文件夹中的文件（可能没有读取权限），其中的工作簿未能汇总。"
        return result
    result.size, result.sha256 = len(data), hashlib.sha256(data).hexdigest()
    if is_lock_file(path.name):
        result.status, result.code = LOCK, "workbook.lock"
        result.reason = "Excel/WPS/LibreOffice 打开工作簿时生成的锁定文件，不是申报数据，已跳过。"
        return result
    try:
        unit = read_unit(read_grids(path, "calamine", data))
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
    result.group = _group_of(unit.department, task.folder, task.group_by)
    result.totals = unit.money_totals()
    try:
        _rows(unit, shown, result, task)
    except Exception as e:  # a failing check is our bug; the file is still accounted for, with the cause
        result.status, result.code = REJECTED, "internal.error"
        result.reason = f"校验时出现程序错误（{type(e).__name__}: {e}），请把该文件交给系统管理员。"
        result.projects, result.indicators, result.findings, result.xml = [], [], [], {}
        result.n_indicators = result.n_findings = 0
    return result


def _worker_init() -> None:
    """Workers run a little below the parent, so that it drains their results and streams them out promptly
    even with as many workers as cores. What they inherited is frozen out of the garbage collector, which
    then runs less often: a workbook's thousands of short-lived, acyclic objects are freed by reference
    counting anyway, and full collections over the imported modules cost ~5 % of a worker's time."""
    if hasattr(os, "nice"):
        os.nice(5)
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _process_chunk(tasks: Sequence[Task]) -> list[FileResult]:
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


class _Export:
    """One table's CSV and/or parquet copy (the workbook sheets are _Sheet)."""

    def __init__(self, columns: tuple[Column, ...], csv_file: IO[str] | None, parquet_path: Path | None) -> None:
        self.columns, self.rows = columns, 0
        self._csv = csv.writer(csv_file) if csv_file is not None else None
        self._parquet_path = parquet_path
        self._parquet: Any = None
        self._buffer: list[list[Any]] = [[] for _ in columns]
        self._kinds = [c.kind for c in columns]
        if self._csv is not None:
            self._csv.writerow([c.title for c in columns])

    def append(self, values: Sequence[Any]) -> None:
        self.rows += 1
        if self._csv is not None:
            self._csv.writerow([_csv_value(v, k) for v, k in zip(values, self._kinds, strict=True)])
        if self._parquet_path is not None:
            for buf, v in zip(self._buffer, values, strict=True):
                buf.append(v)
            if len(self._buffer[0]) >= 20_000:
                self._flush_parquet()

    def finish(self) -> None:
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
            framework_title(self.framework) or None,
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
    # The workbook's sheets in tab order, and what the user should know about them (a table continued on
    # a second sheet past Excel's last row).
    sheets: list[str] = field(default_factory=lambda: list(SHEETS))
    notes: list[str] = field(default_factory=list)
    # What --db stored in the archive, when asked.
    archived: AddSummary | None = None

    def status_counts(self) -> dict[str, int]:
        return {s: sum(1 for e in self.ledger if e.status == s) for s in STATUSES}

    @property
    def complete(self) -> bool:
        """Every input was read (lock files aside): what exit code 0 promises."""
        return all(e.status in (READ, LOCK) for e in self.ledger)

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
            "sheets": self.sheets,
            "notes": self.notes,
        }


ProgressFn = Callable[[int, int], None]


def _results(tasks: list[Task], jobs: int, progress: ProgressFn | None) -> Iterator[FileResult]:
    """Results in input order, always read in worker processes: a file that kills its reader (a native
    library aborting, the kernel's OOM killer) becomes a ledger row and the run goes on."""
    total = len(tasks)
    size = max(1, min(CHUNK, math.ceil(total / (max(jobs, 1) * 4))))
    pending = deque(tasks[i : i + size] for i in range(0, total, size))
    done = 0
    while pending:
        lost: list[list[Task]] = []
        for r in _pool_run(pending, jobs, lost):
            if progress and not done:
                progress(0, total)  # only now: the workers exist before the bar's thread does
            done += 1
            yield r
            if progress:
                progress(done, total)
        if lost:
            # The pool died with these chunks in flight. The first one's files are read each in a process of
            # its own, which names the culprit if it is there; the others go back to a fresh pool (if the
            # culprit was among them, the next pool dies on it and it is isolated then).
            for t in lost[0]:
                done += 1
                yield _isolated(t)
                if progress:
                    progress(done, total)
            pending.extendleft(reversed(lost[1:]))


def _pool_run(pending: deque[list[Task]], jobs: int, lost: list[list[Task]]) -> Iterator[FileResult]:
    """Chunks from `pending` through one pool, results in order; on the pool's death the chunks in flight
    are put in `lost` (in order) and the iteration ends."""
    # The platform's default start method: fork on Linux costs ~0.1 s where forkserver/spawn cost ~1 s of
    # re-imports. Fork is safe here because the first submit launches every worker (fork never spawns
    # later), before the caller's progress bar, the only thread we start, exists. Only after a worker's
    # death are processes forked while the bar runs; they read files and touch none of its locks.
    workers = max(1, min(jobs, len(pending)))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init)
    # A bounded window of chunks in flight: finished results never pile up while the parent writes.
    window: deque[tuple[list[Task], Future[list[FileResult]]]] = deque()
    try:
        while pending and len(window) < workers * WINDOW:
            chunk = pending.popleft()
            window.append((chunk, pool.submit(_process_chunk, chunk)))
        while window:
            try:
                batch = window[0][1].result()
            except BrokenProcessPool:
                lost.extend(chunk for chunk, _ in window)
                return
            window.popleft()
            if pending:
                chunk = pending.popleft()
                window.append((chunk, pool.submit(_process_chunk, chunk)))
            yield from batch
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _isolated(task: Task) -> FileResult:
    """One file read in a process of its own: its death is this file's, recorded as a rejection."""
    import multiprocessing

    receive, send = multiprocessing.Pipe(duplex=False)
    proc = multiprocessing.Process(target=_send_result, args=(task, send), daemon=True)
    proc.start()
    send.close()
    try:
        result: FileResult | None = receive.recv()
    except EOFError:
        result = None
    finally:
        receive.close()
        proc.join()
    return result if result is not None else _died(task, proc.exitcode)


def _send_result(task: Task, send: Any) -> None:
    send.send(process_file(task))
    send.close()


def _died(task: Task, exitcode: int | None) -> FileResult:
    """The ledger row of a file whose reader process died; size and hash still identify the file."""
    import signal

    from xlgoals.io.files import read_input

    result = FileResult(task.index, task.path, REJECTED, code="workbook.crashed")
    try:
        signame = signal.Signals(-exitcode).name if exitcode is not None and exitcode < 0 else f"退出码 {exitcode}"
    except ValueError:
        signame = f"信号 {-(exitcode or 0)}"
    result.reason = (
        f"读取时进程异常退出（{signame}）：文件可能已损坏或含有异常内容，请用 Excel/WPS 打开检查后另存再提交。"
    )
    try:
        data = read_input(Path(task.path))
        result.size, result.sha256 = len(data), hashlib.sha256(data).hexdigest()
    except XlgoalsError:
        pass
    return result


def map_files(
    tasks: list[Task], jobs: int, progress: ProgressFn | None, scheduler: str | None = None
) -> Iterator[FileResult]:
    """Results in input order, from the local process pool or, given its address, a Dask cluster's workers."""
    if scheduler:
        from xlgoals.jobs.cluster import cluster_results

        return cluster_results(tasks, scheduler, progress)
    return _results(tasks, jobs, progress)


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


def _open_exports(stack: ExitStack, csv_dir: Path | None, parquet_dir: Path | None) -> dict[str, _Export]:
    """The CSV/parquet copies asked for, one per table; none when neither was asked for."""
    from xlgoals.io.files import atomic_output

    exports: dict[str, _Export] = {}
    if csv_dir is None and parquet_dir is None:
        return exports
    for name in SHEETS:
        csv_file: IO[str] | None = None
        if csv_dir is not None:
            tmp = stack.enter_context(atomic_output(csv_dir / f"{name}.csv"))
            # utf-8-sig: Excel on Chinese Windows opens BOM-less UTF-8 as GBK and garbles every name.
            csv_file = stack.enter_context(tmp.open("w", encoding="utf-8-sig", newline=""))
        parquet = stack.enter_context(atomic_output(parquet_dir / f"{name}.parquet")) if parquet_dir else None
        exports[name] = _Export(COLUMNS[name], csv_file, parquet)
        # On failure a parquet writer must let go of its temp file before atomic_output removes it.
        stack.callback(exports[name].abort)
    return exports


class _Merge:
    """The parent's side of a run: decides duplicates in input order and streams rows into the outputs."""

    def __init__(self, inputs: list[InputFile], book: StreamBook, exports: dict[str, _Export]) -> None:
        self.inputs, self.book, self.exports = inputs, book, exports
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
        for row in r.projects:
            for name, at in MONEY_INDEX.items():
                self.project_sums[name] += row[at] or _ZERO
        self.project_rows += len(r.projects)
        self.project_rows_by_file[r.path] = self.project_rows_by_file.get(r.path, 0) + len(r.projects)
        # The workers rendered the rows (group column included): the sheets only copy them.
        counts = ((PROJECTS_SHEET, len(r.projects)), (INDICATORS_SHEET, r.n_indicators), (FINDINGS_SHEET, r.n_findings))
        for name, rows in counts:
            self.book[name].add(r.xml[name], rows)
        if self.exports:
            group = r.group or None
            projects = self.exports[PROJECTS_SHEET]
            for row in r.projects:
                projects.append((group, *row))
            indicators = self.exports[INDICATORS_SHEET]
            for row in r.indicators:
                indicators.append(row)
            findings = self.exports[FINDINGS_SHEET]
            for row in r.findings:
                findings.append((group, *row))
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


def _check_outputs(
    output: Path, csv_dir: str | os.PathLike[str] | None, parquet_dir: str | os.PathLike[str] | None, inputs: list[str]
) -> None:
    """Every output path is writable as asked and none of them is an input, before any file is read."""
    from xlgoals.io.files import check_output

    check_output(output, inputs)
    for folder, suffix in ((csv_dir, ".csv"), (parquet_dir, ".parquet")):
        if folder is not None:
            check_output(folder, folder=True)
            for name in SHEETS:
                check_output(Path(folder) / f"{name}{suffix}", inputs)


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
    from xlgoals.io.files import atomic_output

    out_path = Path(output)
    if out_path.suffix.lower() != ".xlsx":
        raise XlgoalsError("汇总文件请以 .xlsx 结尾，例如 summary.xlsx。", file=str(output))
    inputs = collect_inputs(paths)
    if not inputs:
        raise XlgoalsError("没有找到要汇总的文件：请给出单位工作簿或包含它们的文件夹。")
    _check_outputs(out_path, csv_dir, parquet_dir, [f.path for f in inputs])
    if rules:
        from xlgoals.validation.ruleset import load_ruleset

        load_ruleset(rules)  # a broken rule-set file stops the run here, not once per worker
    if parquet_dir:
        from xlgoals.core.extras import require

        require("pyarrow", purpose="导出 Parquet（--parquet）")
    with ExitStack() as stack:
        xlsx_tmp = stack.enter_context(atomic_output(out_path))
        exports = _open_exports(stack, Path(csv_dir) if csv_dir else None, Path(parquet_dir) if parquet_dir else None)
        book = StreamBook()
        stack.callback(book.close)
        for name in SHEETS:
            book.add_sheet(name, in_wan(COLUMNS[name]) if money_unit is MoneyUnit.WAN else COLUMNS[name])
        merge = _Merge(inputs, book, exports)
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
        for r in map_files(tasks, jobs or os.cpu_count() or 1, progress, scheduler):
            merge.add(r)
            if archiver is not None and merge.ledger[-1].status == READ and r.archive is not None:
                archiver.add(r.archive, r.path)
        groups, total = merge.close(group_by)
        for t in exports.values():
            t.finish()
        # Written only after reconciliation; on failure the sheets' temp files just vanish.
        book.save(xlsx_tmp)
        archived = archiver.commit() if archiver is not None else None
    result = Consolidation(
        str(out_path), merge.ledger, merge.accepted, groups, total, group_by, book.worksheet_names(), book.notes
    )
    return replace(result, archived=archived)


def _archiver(stack: ExitStack, db: str | os.PathLike[str] | None) -> ArchiveWriter | None:
    """The archive writer for --db, opened before any file is read so a bad archive stops the run at once."""
    if db is None:
        return None
    from xlgoals.jobs.archive.store import ArchiveWriter

    writer = ArchiveWriter(db)
    stack.callback(writer.close)
    return writer
