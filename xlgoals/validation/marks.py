"""What validation writes back, independent of how: cell marks, notes and the 校验结果 rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xlgoals.core import layout
from xlgoals.io.sheetplan import SheetPlan, link_location, rgb_hex
from xlgoals.validation.findings import SEVERITY_ORDER, SEVERITY_ZH, Finding, Report, Severity

NOTE_AUTHOR = "xlgoals"
NOTE_PREFIX = "【校验】"
# Error red and warning amber: readable under the text, and apart from the pale yellow of the input cells.
FILL_RGB: dict[Severity, tuple[int, int, int]] = {
    Severity.ERROR: (255, 199, 206),
    Severity.WARNING: (255, 192, 112),
}
MARKED_SEVERITIES = frozenset(FILL_RGB)
LEGEND: tuple[tuple[tuple[int, int, int], str], ...] = (
    (FILL_RGB[Severity.ERROR], "红色：错误，必须修改后才能提交"),
    (FILL_RGB[Severity.WARNING], "橙色：警告，请核对，确认无误可保留"),
    (layout.INPUT_RGB, "浅黄色：填写区（未标色表示该格没有问题）"),
)

RESULTS_TITLE = "校验结果"
# The rule code is for the bureau and support, so it comes last; a unit reads the Chinese columns.
RESULTS_HEADERS = ("序号", "级别", "位置", "项目", "问题说明", "当前值", "规则代码")
# The status table shares the findings table's columns: the counts read as one text under 问题说明.
STATUS_HEADERS = ("序号", "状态", "工作表", "项目", "问题数")


FILL_HEX = {s: rgb_hex(c) for s, c in FILL_RGB.items()}


@dataclass(frozen=True)
class Mark:
    """One cell to colour and annotate; several findings on a cell share one mark."""

    sheet: str
    cell: str
    severity: Severity
    note: str


def marks_for(report: Report) -> list[Mark]:
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        if f.sheet and f.cell and f.severity in MARKED_SEVERITIES:
            by_cell[(f.sheet, f.cell)].append(f)
    marks = []
    for (sheet, cell), fs in by_cell.items():
        worst = min((f.severity for f in fs), key=SEVERITY_ORDER.__getitem__)
        lines = [f"{SEVERITY_ZH[f.severity]}：{f.message}" for f in fs]
        marks.append(Mark(sheet, cell, worst, NOTE_PREFIX + "\n".join(lines)))
    return marks


def link_target(sheet: str, cell: str) -> str:
    """The same link as an address, the form Excel's Hyperlinks.Add and xlwings' add_hyperlink take."""
    return "#" + link_location(sheet, cell)


def summary_line(report: Report, ruleset_title: str) -> str:
    c = report.counts()
    verdict = "可以提交" if report.valid else "存在错误，请按下表修改后再提交"
    return f"规则集：{ruleset_title}　错误 {c['error']} 项，警告 {c['warning']} 项，提示 {c['info']} 项。{verdict}"


def project_status(counts: dict[str, int]) -> str:
    return "需修改" if counts["error"] else ("请核对" if counts["warning"] else "通过")


def counts_text(counts: dict[str, int]) -> str:
    return f"错误 {counts['error']}，警告 {counts['warning']}，提示 {counts['info']}"


def results_plan(report: Report, ruleset_title: str) -> SheetPlan:
    """The 校验结果 sheet: summary, a status row per project sheet, then every finding with a link to its cell."""
    plan = SheetPlan(RESULTS_TITLE, widths=dict(layout.RESULTS_WIDTHS), wrap_columns=frozenset(layout.RESULTS_WIDTHS))
    plan.add(RESULTS_TITLE, bold=True)
    plan.add(summary_line(report, ruleset_title))
    for rgb, text in LEGEND:
        plan.fill(plan.add(None, text), 1, rgb)
    plan.add()
    plan.header(*STATUS_HEADERS)
    for i, p in enumerate(report.project_counts(), start=1):
        row = plan.add(i, project_status(p.counts), p.sheet, p.name, counts_text(p.counts))
        if p.sheet:
            plan.link(row, 3, p.sheet, "A1")
    plan.add()
    top = plan.header(*RESULTS_HEADERS)
    for i, f in enumerate(report.findings, start=1):
        row = plan.add(i, SEVERITY_ZH[f.severity], f.location, f.project or "", f.message, f.value or "", f.code)
        if f.severity in FILL_RGB:
            plan.fill(row, 2, FILL_RGB[f.severity])
        if f.sheet and f.cell:
            plan.link(row, 3, f.sheet, f.cell)
    # Few projects: keep the findings' header in view; many: the status table would fill the screen.
    plan.freeze_row = top if top <= 20 else None
    plan.repeat_row = top
    plan.autofilter = f"A{top}:{layout.column_letters(len(RESULTS_HEADERS))}{max(top + 1, len(plan.rows))}"
    return plan


def record_plan(cells: Iterable[tuple[str, str]]) -> SheetPlan:
    """The hidden record of marked cells (sheet, cell), sorted so the same marks give the same sheet."""
    plan = SheetPlan(layout.MARKS_SHEET, hidden=True)
    for sheet, cell in sorted(set(cells), key=lambda sc: (sc[0], *layout.split_address(sc[1]))):
        plan.add(sheet, cell)
    return plan


def recorded(rows: Iterable[Sequence[object]]) -> set[tuple[str, str]]:
    """Cells the last validation marked, read back from the record sheet's rows."""
    return {(str(r[0]), str(r[1])) for r in rows if len(r) >= 2 and r[0] and r[1]}


def marked_cells(mark_list: Iterable[Mark]) -> set[tuple[str, str]]:
    return {(m.sheet, m.cell) for m in mark_list}
