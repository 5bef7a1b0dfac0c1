"""What validation writes back, independent of how: cell marks, notes and the 校验结果 rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xlgoals import layout
from xlgoals.findings import SEVERITY_ORDER, SEVERITY_ZH, Finding, Report, Severity
from xlgoals.sheetplan import SheetPlan, rgb_hex

NOTE_AUTHOR = "xlgoals"
NOTE_PREFIX = "【校验】"
# Light Excel "bad"/"neutral" fills: readable under the text, unmistakable on screen and in print.
FILL_RGB: dict[Severity, tuple[int, int, int]] = {
    Severity.ERROR: (255, 199, 206),
    Severity.WARNING: (255, 235, 156),
}
MARKED_SEVERITIES = frozenset(FILL_RGB)

RESULTS_TITLE = "校验结果"
RESULTS_HEADERS = ("序号", "级别", "代码", "项目", "位置", "问题说明", "当前值")
# The status table shares the findings table's columns, so both read well at the same widths.
STATUS_HEADERS = ("序号", "状态", "工作表", "项目", "错误", "警告", "提示")
RESULTS_WIDTHS = (6, 8, 26, 28, 14, 70, 24)


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
        lines = [f"{SEVERITY_ZH[f.severity]}：{f.message}（{f.code}）" for f in fs]
        marks.append(Mark(sheet, cell, worst, NOTE_PREFIX + "\n".join(lines)))
    return marks


def is_our_note(text: str | None) -> bool:
    return bool(text) and str(text).startswith(NOTE_PREFIX)


def link_location(sheet: str, cell: str) -> str:
    """An internal hyperlink's location ('项目1'!B4), as a file stores it."""
    return f"{layout.quote_sheet(sheet)}!{cell}"


def link_target(sheet: str, cell: str) -> str:
    """The same link as an address, the form Excel's Hyperlinks.Add and xlwings' add_hyperlink take."""
    return "#" + link_location(sheet, cell)


def summary_line(report: Report, ruleset_title: str) -> str:
    c = report.counts()
    verdict = "可以提交" if report.valid else "存在错误，请按下表修改后再提交"
    return f"规则集：{ruleset_title}　错误 {c['error']} 项，警告 {c['warning']} 项，提示 {c['info']} 项。{verdict}"


def project_status(counts: dict[str, int]) -> str:
    return "需修改" if counts["error"] else ("请核对" if counts["warning"] else "通过")


def results_plan(report: Report, ruleset_title: str) -> SheetPlan:
    """The 校验结果 sheet: summary, a status row per project sheet, then every finding with a link to its cell."""
    plan = SheetPlan(
        RESULTS_TITLE, widths=dict(zip("ABCDEFG", RESULTS_WIDTHS, strict=True)), wrap_columns=frozenset("F")
    )
    plan.add(RESULTS_TITLE, bold=True)
    plan.add()
    plan.add(summary_line(report, ruleset_title))
    plan.add()
    plan.add(*STATUS_HEADERS, bold=True)
    for i, p in enumerate(report.project_counts(), start=1):
        c = p.counts
        row = plan.add(i, project_status(c), p.sheet, p.name, c["error"], c["warning"], c["info"])
        if p.sheet:
            plan.link(row, 3, p.sheet, "A1")
    plan.add()
    plan.add(*RESULTS_HEADERS, bold=True)
    for i, f in enumerate(report.findings, start=1):
        row = plan.add(i, SEVERITY_ZH[f.severity], f.code, f.project or "", f.location, f.message, f.value or "")
        if f.severity in FILL_RGB:
            plan.fill(row, 2, FILL_RGB[f.severity])
        if f.sheet and f.cell:
            plan.link(row, 5, f.sheet, f.cell)
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
