"""Consolidate many unit workbooks into one summary, accounting for every input file."""

from __future__ import annotations

import csv
import gc
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
from functools import cache
from itertools import islice
from operator import call
from pathlib import Path
from typing import IO, Any, Literal

from xlgoals import layout
from xlgoals.errors import XlgoalsError
from xlgoals.findings import SEVERITY_ZH, Report, Severity
from xlgoals.layout import column_letters, quote_sheet
from xlgoals.model import MONEY_FIELDS, Project, Unit
from xlgoals.rollup import KIND_ZH, MONEY_ZH, indicator_kind, project_key
from xlgoals.ruleset import RuleSet

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
CHUNK = 8
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


# --- cells as SpreadsheetML -----------------------------------------------------------------------------
# The summary is written as XML directly (see _Workbook): workers render their own rows, so the parent only
# copies bytes. Rows and cells carry no r="A1" addresses (optional in OOXML: a cell without one is the next
# column, a row without one the next row), which is what lets a worker render rows before anyone knows
# where they will land. Text is an inline string, so nothing is ever a formula.

Row = tuple[Any, ...]

# Cell styles in _STYLES_XML's cellXfs, in that order.
_HEADER_STYLE, _DATE_STYLE, _MONEY_STYLE = 1, 2, 3
# Not allowed in XML 1.0 (or not encodable): written the way Excel writes them, as _xHHHH_.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
# Text that already looks like such an escape gets its underscore escaped, or Excel would decode it.
_EXCEL_ESCAPE_LIKE = re.compile("_x[0-9A-Fa-f]{4}_")
_EXCEL_EPOCH = date(1899, 12, 31).toordinal()
_EXCEL_PHANTOM_DAY = date(1900, 3, 1).toordinal()  # serials from here on count Excel's 1900-02-29
# Rendered cells are remembered per process (see _Cells), up to this many per kind of column, texts only
# when short: names and target values repeat across a department, a project's prose does not.
_CELLS_MAX = 50_000
_CELLS_TEXT_MAX = 64


def cap_text(text: str) -> str:
    """At most Excel's 32,767 characters, counted as Excel counts them: a character beyond the BMP is two."""
    text = text[:MAX_CELL_CHARS]
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * MAX_CELL_CHARS:
        return text
    units = units[: 2 * MAX_CELL_CHARS]
    if 0xD800 <= int.from_bytes(units[-2:], "little") <= 0xDBFF:  # never half a character
        units = units[:-2]
    return units.decode("utf-16-le", "surrogatepass")


def xml_text(text: str) -> str:
    """Cell text as element content: cut at Excel's limit, Excel's _xHHHH_ escapes, then XML's."""
    if len(text) > MAX_CELL_CHARS // 2:
        text = cap_text(text)
    if "_x" in text:
        text = _EXCEL_ESCAPE_LIKE.sub(r"_x005F\g<0>", text)
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(text: str, style: str = "") -> str:
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c{style} t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>'


def _text_cell(value: Any) -> str:
    if value is None or value == "":
        return "<c/>"
    return _inline(value if type(value) is str else str(value))


def _number_cell(value: Any, style: str = "") -> str:
    if value is None:
        return "<c/>"
    if type(value) is int:
        return f"<c{style}><v>{value}</v></c>"
    if not isinstance(value, int | float | Decimal):
        return _text_cell(value)
    number = float(value)
    if not math.isfinite(number):  # Excel has no NaN or infinity: keep what was there as text
        return _text_cell(str(value))
    return f"<c{style}><v>{number:.16G}</v></c>"


def _money_cell(value: Any) -> str:
    return _number_cell(value, f' s="{_MONEY_STYLE}"')


def _date_cell(value: Any) -> str:
    if not isinstance(value, date):  # a date that did not parse stays the text that was typed
        return _text_cell(value)
    # Excel's 1900 date system, with its phantom 1900-02-29 (serial 60).
    day = value.toordinal()
    days = day - _EXCEL_EPOCH + (day >= _EXCEL_PHANTOM_DAY)
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f'<c s="{_DATE_STYLE}"><v>{days + seconds / 86400:.16G}</v></c>'
    return f'<c s="{_DATE_STYLE}"><v>{days}</v></c>'


class _Cells(dict[Any, str]):
    """Rendered cells by value, for one kind of column: a department's rows repeat the same unit, project,
    level and kind names, and a hit is one dict lookup. Only values of the `cached` types are kept: 1, 1.0
    and True are equal keys, which is harmless for numbers (they render alike) but not for text."""

    def __init__(self, render: Callable[[Any], str], cached: tuple[type, ...]) -> None:
        super().__init__()
        self._render, self._cached = render, cached
        self._reset()

    def _reset(self) -> None:
        self.clear()
        self[None] = self[""] = "<c/>"

    def __missing__(self, value: Any) -> str:
        cell = self._render(value)
        if type(value) in self._cached and (type(value) is not str or len(value) <= _CELLS_TEXT_MAX):
            if len(self) >= _CELLS_MAX:
                self._reset()
            self[value] = cell
        return cell


_CELLS: dict[ColumnKind, _Cells] = {
    "text": _Cells(_text_cell, (str,)),
    "int": _Cells(_number_cell, (int, float, Decimal)),
    "number": _Cells(_number_cell, (int, float, Decimal)),
    "money": _Cells(_money_cell, (int, float, Decimal)),
    "date": _Cells(_date_cell, (date, str)),
}


class RowXml:
    """Renders a table's rows as <row> elements; None and '' are empty cells."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        # Bound dict lookups: a cell seen before is rendered without a Python-level call.
        self._writers = [_CELLS[c.kind].__getitem__ for c in columns]

    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        writers, width = self._writers, len(self._writers)
        out: list[str] = []
        for values in rows:
            if len(values) != width:
                raise ReconciliationError(f"汇总表的一行有 {len(values)} 列，应为 {width} 列。")
            out.append("<row>" + "".join(map(call, writers, values)) + "</row>")
        return "".join(out).encode()

    def header(self) -> str:
        style = f' s="{_HEADER_STYLE}"'
        return "<row>" + "".join(_inline(c.title, style) for c in self.columns) + "</row>"


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


PROJECT_XML = RowXml(PROJECT_COLUMNS)
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
    from xlgoals.ruleset import load_ruleset

    return load_ruleset(rules)


def _report(unit: Unit, rules: str | None, file: str) -> Report:
    """pipeline.check_unit's report, with the rule-set file read once per process."""
    from xlgoals.pipeline import check_unit
    from xlgoals.rules import validate

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
        PROJECTS_SHEET: PROJECT_XML.rows((group, *row) for row in result.projects),
        INDICATORS_SHEET: INDICATOR_XML.rows(indicators),
        FINDINGS_SHEET: FINDING_XML.rows((group, *row) for row in findings),
    }
    result.n_indicators, result.n_findings = len(indicators), len(findings)
    if task.rows:
        result.indicators, result.findings = indicators, findings


def process_file(task: Task) -> FileResult:
    """Hash, read (calamine), validate and render one file; any failure becomes a ledger reason, never a crash."""
    from xlgoals.files import read_grids
    from xlgoals.reader import read_unit

    shown = task.path
    path = Path(shown)
    result = FileResult(task.index, shown, READ)
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


# --- the summary workbook -------------------------------------------------------------------------------
# A minimal, valid .xlsx written by hand: each sheet is deflated as its rows arrive (into a spooled temp
# file), and the zip is assembled only after the figures reconcile. The parent's share of the work is
# copying the workers' rendered rows and one zlib pass, about a second for a thousand workbooks, where
# writing the cells one by one through a general-purpose library took most of a run.

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# Deflate level: 6 (zlib's default) packs this repetitive XML to about 1/50 in ~3 ms per MB.
COMPRESSION = 6
# A part larger than this would need zip64, which older Excel versions refuse.
_ZIP_LIMIT = 0xFFFF_FFFF
_DOS_DATE = (2020 - 1980) << 9 | 1 << 5 | 1  # 2020-01-01, fixed: the same inputs give the same bytes
_DOS_TIME = 0
_STYLES_XML = (
    f'{_XML_DECL}<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="#,##0.00"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2F2F2"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
    '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"'
    ' applyAlignment="1"><alignment wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


def _column_width(width: float) -> float:
    """Excel's stored width for a width in characters (Calibri 11: 7-pixel digits, 5 pixels of padding)."""
    pixels = int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5
    return int(pixels / 7 * 256) / 256


class _Part:
    """One zip member, deflated as it is written, with the CRC and sizes its headers need."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.crc = self.size = self.packed = 0
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115 (close())
        self._zip = zlib.compressobj(COMPRESSION, zlib.DEFLATED, -15)

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        if out := self._zip.compress(data):
            self._file.write(out)

    def finish(self) -> None:
        self._file.write(self._zip.flush())
        self.packed = self._file.tell()

    def copy_to(self, out: IO[bytes]) -> None:
        self._file.seek(0)
        shutil.copyfileobj(self._file, out, 1 << 20)

    def close(self) -> None:
        self._file.close()


def _part(name: str, text: str) -> _Part:
    part = _Part(name)
    part.write(text.encode())
    part.finish()
    return part


@dataclass
class _SheetPart:
    name: str
    part: _Part
    rows: int = 0


class _Sheet:
    """One table as worksheets: the header, rows as they come, and 指标明细2, 3 ... past Excel's last row."""

    def __init__(self, book: _Workbook, name: str, columns: tuple[Column, ...], selected: bool = False) -> None:
        self.book, self.name, self.columns, self.selected = book, name, columns, selected
        self.xml = RowXml(columns)
        self.limit = MAX_ROWS - 1  # data rows per worksheet, below the header
        self.parts: list[_SheetPart] = []
        self.rows = 0
        self._new_part()

    def _new_part(self) -> None:
        name = self.name if not self.parts else f"{self.name}{len(self.parts) + 1}"
        if self.parts:
            self.book.notes.append(
                f"“{self.name}”超过 Excel 每张工作表 {self.limit:,} 行数据的上限，其余行续写在“{name}”工作表。"
            )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{_column_width(c.width)}" customWidth="1"/>'
            for i, c in enumerate(self.columns, start=1)
        )
        selected = ' tabSelected="1"' if self.selected and not self.parts else ""
        head = (
            f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheetViews>'
            f'<sheetView{selected} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f"<cols>{cols}</cols><sheetData>{self.xml.header()}"
        )
        sheet = _SheetPart(name, _Part(""))
        sheet.part.write(head.encode())
        self.parts.append(sheet)

    def add(self, xml: bytes, rows: int) -> None:
        """`rows` rendered rows (RowXml.rows), split across worksheets where Excel's limit falls among them."""
        self.rows += rows
        while rows:
            current = self.parts[-1]
            room = self.limit - current.rows
            if room <= 0:
                self._new_part()
                continue
            if rows <= room:
                current.part.write(xml)
                current.rows += rows
                return
            # Text is escaped, so '</row>' only ever closes a row.
            pieces = xml.split(b"</row>", room)
            current.part.write(b"</row>".join(pieces[:room]) + b"</row>")
            current.rows += room
            xml, rows = pieces[room], rows - room

    def add_rows(self, rows: Sequence[Row]) -> None:
        self.add(self.xml.rows(rows), len(rows))

    def finish(self) -> None:
        last = column_letters(len(self.columns))
        for sheet in self.parts:
            sheet.part.write(
                f'</sheetData><autoFilter ref="A1:{last}{sheet.rows + 1}"/>'
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                "</worksheet>".encode()
            )
            sheet.part.finish()

    def filter_range(self, sheet: _SheetPart) -> str:
        return f"{quote_sheet(sheet.name)}!$A$1:${column_letters(len(self.columns))}${sheet.rows + 1}"


class _Workbook:
    """The summary .xlsx: sheets in tab order, the first one shown on opening."""

    def __init__(self) -> None:
        self.sheets: dict[str, _Sheet] = {}
        self.notes: list[str] = []

    def add_sheet(self, name: str, columns: tuple[Column, ...]) -> _Sheet:
        self.sheets[name] = _Sheet(self, name, columns, selected=not self.sheets)
        return self.sheets[name]

    def __getitem__(self, name: str) -> _Sheet:
        return self.sheets[name]

    def worksheet_names(self) -> list[str]:
        return [p.name for s in self.sheets.values() for p in s.parts]

    def save(self, path: Path) -> None:
        """Finish every sheet and write the package; call once, after the figures reconcile."""
        for s in self.sheets.values():
            s.finish()
        worksheets = [(s, p) for s in self.sheets.values() for p in s.parts]
        for n, (_, p) in enumerate(worksheets, start=1):
            p.part.name = f"xl/worksheets/sheet{n}.xml"
        names = "".join(
            f'<sheet name="{_attr(p.name)}" sheetId="{n}" r:id="rId{n}"/>' for n, (_, p) in enumerate(worksheets, 1)
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
            f"{xml_text(s.filter_range(p))}</definedName>"
            for n, (s, p) in enumerate(worksheets)
        )
        workbook = (
            f'{_XML_DECL}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{names}</sheets><definedNames>{filters}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )
        sheet_rels = "".join(
            f'<Relationship Id="rId{n}" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(worksheets) + 1)
        )
        workbook_rels = (
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">{sheet_rels}'
            f'<Relationship Id="rId{len(worksheets) + 1}" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>'
            for n in range(1, len(worksheets) + 1)
        )
        content_types = (
            f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/app.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            f"{overrides}</Types>"
        )
        root_rels = (
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        )
        app = (
            f'{_XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>xlgoals</Application></Properties>"
        )
        parts = [
            _part("[Content_Types].xml", content_types),
            _part("_rels/.rels", root_rels),
            _part("docProps/app.xml", app),
            _part("xl/workbook.xml", workbook),
            _part("xl/_rels/workbook.xml.rels", workbook_rels),
            _part("xl/styles.xml", _STYLES_XML),
            *(p.part for _, p in worksheets),
        ]
        try:
            _write_zip(path, parts)
        finally:
            for part in parts[:6]:
                part.close()

    def close(self) -> None:
        for s in self.sheets.values():
            for p in s.parts:
                p.part.close()


def _write_zip(path: Path, parts: Sequence[_Part]) -> None:
    """A plain (not zip64) archive of already-deflated parts."""
    central: list[bytes] = []
    with path.open("wb") as out:
        for part in parts:
            offset = out.tell()
            if max(part.size, part.packed, offset) >= _ZIP_LIMIT:
                raise XlgoalsError("汇总工作簿超过 4 GB，Excel 无法打开：请分批汇总，或改用 --csv/--parquet 导出。")
            name = part.name.encode()
            fixed = (_DOS_TIME, _DOS_DATE, part.crc, part.packed, part.size, len(name))
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, *fixed, 0) + name)
            part.copy_to(out)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, *fixed, 0, 0, 0, 0, 0, offset))
            central.append(name)
        start = out.tell()
        directory = b"".join(central)
        if start + len(directory) >= _ZIP_LIMIT:
            raise XlgoalsError("汇总工作簿超过 4 GB，Excel 无法打开：请分批汇总，或改用 --csv/--parquet 导出。")
        out.write(directory)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory), start, 0))


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
    # The workbook's sheets in tab order, and what the user should know about them (a table continued on
    # a second sheet past Excel's last row).
    sheets: list[str] = field(default_factory=lambda: list(SHEETS))
    notes: list[str] = field(default_factory=list)

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
            "sheets": self.sheets,
            "notes": self.notes,
        }


ProgressFn = Callable[[int, int], None]


def _results(tasks: list[Task], jobs: int, progress: ProgressFn | None) -> Iterator[FileResult]:
    """Results in input order; workers get chunks so the per-task overhead stays small."""
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
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
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
    from xlgoals.files import atomic_output

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

    def __init__(self, inputs: list[InputFile], book: _Workbook, exports: dict[str, _Export]) -> None:
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
    from xlgoals.files import atomic_output

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
        xlsx_tmp = stack.enter_context(atomic_output(out_path))
        exports = _open_exports(stack, Path(csv_dir) if csv_dir else None, Path(parquet_dir) if parquet_dir else None)
        book = _Workbook()
        stack.callback(book.close)
        for name in SHEETS:
            book.add_sheet(name, COLUMNS[name])
        merge = _Merge(inputs, book, exports)
        tasks = [Task(i, f.path, rules, f.folder, group_by, rows=bool(exports)) for i, f in enumerate(inputs, start=1)]
        for r in _results(tasks, jobs or os.cpu_count() or 1, progress):
            merge.add(r)
        groups, total = merge.close(group_by)
        for t in exports.values():
            t.finish()
        # Written only after reconciliation; on failure the sheets' temp files just vanish.
        book.save(xlsx_tmp)
    return Consolidation(
        str(out_path), merge.ledger, merge.accepted, groups, total, group_by, book.worksheet_names(), book.notes
    )
