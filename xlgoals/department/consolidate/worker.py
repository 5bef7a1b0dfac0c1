"""The worker: one file in, the rows it contributes out (read, checked and rendered in a worker process)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.layout import FINDING_DETAILS_SHEET, INDICATORS_SHEET, PROJECTS_SHEET
from xlgoals.core.model import MONEY_FIELDS, Unit
from xlgoals.core.order import natural_key
from xlgoals.core.yearonyear import YearOnYear
from xlgoals.department.consolidate.inputs import is_lock_file, read_hashed
from xlgoals.department.consolidate.ledger import LOCK, READ, REJECTED, Reason, Status, error_reason
from xlgoals.department.consolidate.tables import (
    FINDING_DETAIL_XML,
    INDICATOR_XML,
    PROJECT_XML,
    PROJECT_XML_WAN,
    ZERO,
    GroupBy,
    finding_rows,
    group_of,
    indicator_rows,
    issue_rows,
    project_money,
    project_row,
)
from xlgoals.io.deflated import Deflated, deflate
from xlgoals.io.presentation import MoneyUnit
from xlgoals.io.rowxml import Row
from xlgoals.unit.rollup import project_key, uncounted_of, year_on_year_of
from xlgoals.unit.selfevalfigures import UnitSelfeval, unit_selfeval

if TYPE_CHECKING:
    from xlgoals.core.ruleset import RuleSet
    from xlgoals.department.archive.records import Record


# Files done and files in all, as a run reports them (the terminal's progress bar, the server's counts).
ProgressFn = Callable[[int, int], None]


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
    # The path as the workbook shows it: relative to the folder consolidated (the exports keep `path`).
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.path


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
    # Project rows (group column included): always sent, for the ledger's count and (then naming the file by
    # its path as given) the CSV/parquet copies.
    projects: list[Row] = field(default_factory=list)
    # Each money line summed over the project rows, which the parent reconciles with the unit totals.
    project_sums: dict[str, Decimal] = field(default_factory=dict)
    # Sent only when Task.rows asks (CSV/parquet).
    indicators: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)
    n_indicators: int = 0
    n_findings: int = 0
    # 校验问题's digest rows, this year against last (like for like, new projects apart), indicators per kind.
    issues: list[Row] = field(default_factory=list)
    year_on_year: YearOnYear = field(default_factory=YearOnYear)
    kinds: dict[str, int] = field(default_factory=dict)
    # Sheet name -> this file's rows of that sheet as SpreadsheetML (UTF-8), group column included; deflated
    # when sent from a worker process.
    xml: dict[str, bytes | Deflated] = field(default_factory=dict)
    archive: Record | None = None
    # The amounts left out of the totals because their cells could not be used, each described.
    uncounted: list[str] = field(default_factory=list)
    # A 自评 workbook's figures (总分, 执行率 …) for the summary's 自评 view; its kind keeps a unit's declaration and
    # its 自评 of the same year apart (neither duplicates the other).
    selfeval: UnitSelfeval | None = None
    kind: str = "declaration"


def _rows(unit: Unit, shown: str, result: FileResult, task: Task) -> None:
    from xlgoals.unit.pipeline import check_unit

    checked = check_unit(unit, task.rules, file=Path(shown).name)
    report = checked.report
    per_project = report.per_project()
    result.counts = report.counts()
    indicators: list[Row] = []
    group = result.group or None
    sums = dict.fromkeys(MONEY_FIELDS, ZERO)
    # The workbook names the file relative to the folder consolidated; the exports keep the path as given.
    label = task.shown
    # Projects in natural order of their sheets (项目2 before 项目10), as every listing shows them.
    projects = sorted(unit.projects, key=lambda p: natural_key(p.sheet))
    for p in projects:
        result.projects.append(project_row(group, unit, label, p, per_project.get(project_key(p), {})))
        for f, amount in project_money(p).items():
            sums[f] += amount
        indicators.extend(indicator_rows(unit, p))
    result.project_sums = sums
    result.year_on_year = year_on_year_of(projects)
    result.kinds = dict(Counter(map(itemgetter(-1), indicators)))
    result.issues = issue_rows(unit, report)
    findings = finding_rows(group, unit, label, report)
    result.xml = {
        PROJECTS_SHEET: (PROJECT_XML_WAN if task.money_unit is MoneyUnit.WAN else PROJECT_XML).rows(result.projects),
        INDICATORS_SHEET: INDICATOR_XML.rows(indicators),
        FINDING_DETAILS_SHEET: FINDING_DETAIL_XML.rows(findings),
    }
    result.n_indicators, result.n_findings = len(indicators), len(findings)
    result.selfeval = unit_selfeval(unit, checked.ruleset)
    result.kind = "selfeval" if result.selfeval is not None else "declaration"
    if task.rows:
        if label != shown:  # the copies name the file by its path as given (only asked for with --csv/--parquet)
            result.projects = [(*r[:3], shown, *r[4:]) for r in result.projects]
            findings = [(*r[:3], shown, *r[4:]) for r in findings]
        result.indicators, result.findings = indicators, findings
    if task.archive:
        from xlgoals.department.archive.records import record_of

        result.archive = record_of(
            unit, report, sha256=result.sha256, size=result.size, path=shown, ruleset=checked.ruleset
        )


def process_file(task: Task) -> FileResult:
    """Hash, read (calamine), validate and render one file; any failure becomes a ledger reason, never a crash."""
    from xlgoals.io.files import read_grids
    from xlgoals.io.outputs import is_temp_name
    from xlgoals.io.reader import read_unit

    shown = task.path
    path = Path(shown)
    result = FileResult(task.index, shown, READ)
    if is_temp_name(path.name):  # never read: it may be half-written, now, by another run
        result.status, result.code, result.reason = LOCK, Reason.TEMP.code, Reason.TEMP.text()
        return result
    try:
        # Read once, capped, and only if it is a regular file: FIFOs and devices are refused unopened.
        data, result.sha256 = read_hashed(path)
    except XlgoalsError as e:
        result.status, result.code, result.reason = REJECTED, e.code, error_reason(e)
        if path.is_dir():  # only a folder os.walk could not list ends up here
            result.code, result.reason = Reason.FOLDER.code, Reason.FOLDER.text()
        return result
    result.size = len(data)
    if is_lock_file(path.name):
        result.status, result.code, result.reason = LOCK, Reason.LOCK.code, Reason.LOCK.text()
        return result
    try:
        # The forms' data only: the live checks' formulas are not parsed (io/liveskip.py).
        unit = read_unit(read_grids(path, "calamine", data, skip_live=True))
    except XlgoalsError as e:
        result.status, result.code, result.reason = REJECTED, e.code, error_reason(e)
        return result
    except Exception as e:  # a damaged file must not stop a department's run
        reason = Reason.UNREADABLE
        result.status, result.code, result.reason = REJECTED, reason.code, reason.text(error=f"{type(e).__name__}: {e}")
        return result
    return process_unit(task, unit, result)


def process_unit(task: Task, unit: Unit, result: FileResult | None = None) -> FileResult:
    """Check and render one unit already read (a file's, or a workbook's open in Excel) into its rows."""
    shown = task.path
    result = result if result is not None else FileResult(task.index, shown, READ)
    unit.source = shown
    result.unit, result.year, result.framework = unit.name, unit.year, unit.framework
    result.department = unit.department
    result.group = group_of(unit.department, task.folder, task.group_by)
    result.totals = unit.money_totals()
    result.uncounted = [u.describe() for p in unit.projects for u in uncounted_of(p).values()]
    try:
        _rows(unit, shown, result, task)
    except Exception as e:  # a failing check is our bug; the file is still accounted for, with the cause
        reason = Reason.INTERNAL
        result.status, result.code, result.reason = REJECTED, reason.code, reason.text(error=f"{type(e).__name__}: {e}")
        result.projects, result.indicators, result.findings, result.xml = [], [], [], {}
        result.project_sums, result.selfeval = {}, None
        result.n_indicators = result.n_findings = 0
    return result


def _process_chunk(tasks: Sequence[Task]) -> list[FileResult]:
    """Files read in a worker, their rows sent back deflated: the parent appends them to the sheets as they
    are, and the pipe carries a twentieth of the bytes."""
    results = [process_file(t) for t in tasks]
    for r in results:
        r.xml = {name: deflate(xml) if isinstance(xml, bytes) else xml for name, xml in r.xml.items()}
    return results


def preload(rules: str | os.PathLike[str] | None = None) -> RuleSet:
    """The rule set asked for (the default without one) parsed and checked once, with the modules reading and
    checking need (this one imports the rows' renderers): before worker processes fork, so they inherit it
    instead of each paying for it (a first file's time bound then measures its reading, not our imports), and
    a broken rule-set file stops a run before any file is read or any output opened. The one preload: the
    consolidation, `archive add` and the server's workers (as they start) call it."""
    from xlgoals.unit.pipeline import choose_ruleset

    return choose_ruleset(Unit(), rules)
