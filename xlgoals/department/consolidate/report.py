"""The summary as a report: each sheet's title block and note, and the one-page 概况 of headline figures."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from xlgoals.core.layout import (
    FINDING_DETAILS_SHEET,
    FINDINGS_SHEET,
    INDICATORS_SHEET,
    LEDGER_SHEET,
    OVERVIEW_SHEET,
    PROJECTS_SHEET,
    UNITS_SHEET,
)
from xlgoals.core.ruleset import framework_title
from xlgoals.core.vocabulary import KIND_ZH, NOT_FILLED
from xlgoals.core.yearonyear import percent
from xlgoals.department.consolidate.ledger import DUPLICATE, REJECTED, STATUSES, LedgerEntry
from xlgoals.department.consolidate.reconcile import Aggregate, UnitSummary
from xlgoals.department.consolidate.tables import UNIT_COLUMNS, UNITS_PRINTED
from xlgoals.io.presentation import MoneyUnit, format_amount, format_percent, format_signed
from xlgoals.io.rowxml import Column, Row, in_wan
from xlgoals.io.xlsxstream import TitleBlock
from xlgoals.validation.findings import SEVERITY_ZH, Severity

SUMMARY_TITLE = "部门项目支出绩效目标汇总"
_TITLES = {
    OVERVIEW_SHEET: "概况",
    UNITS_SHEET: "各单位汇总",
    FINDINGS_SHEET: "校验问题（按单位和问题归并）",
    LEDGER_SHEET: "收到文件台账",
    PROJECTS_SHEET: "项目清单（数据表）",
    INDICATORS_SHEET: "指标明细（数据表）",
    FINDING_DETAILS_SHEET: "问题明细（数据表）",
}
# What each page to read holds, under its title; the data sheets say where their data is instead.
_NOTES = {
    OVERVIEW_SHEET: (
        "各项数字取自本工作簿其他各表。同比只比较填有上年预算的项目（可比项目），新增项目另列，不计入同比。"
    ),
    UNITS_SHEET: (
        "当年预算 = 可比项目当年 + 新增项目当年；同比增减（%）=（可比项目当年 − 可比项目上年）÷ 可比项目上年 × 100，"
        "新增项目（无上年预算）不计入同比。右侧的上年预算额、上年执行数、年度、指标体系、主管部门、文件等列供筛选核对，不打印。"
    ),
    FINDINGS_SHEET: (
        "同一单位的同类问题合并为一行，写明处数和位置（工作表!单元格）；逐条问题见“问题明细”表。"
        "错误须由单位修改后重新报送，警告请单位核对。"
    ),
    LEDGER_SHEET: (
        "收到的每个文件一行：已读取、已拒绝（及原因）、重复或锁定文件。文件路径相对于汇总的文件夹；"
        "SHA-256 只显示前 12 位，完整值见 CSV/Parquet 导出。"
    ),
}


@dataclass(frozen=True)
class RunFacts:
    """What every sheet's title block states about the run."""

    money_unit: MoneyUnit
    rules: str | None = None
    folder: str = ""
    made: date | None = None
    # The folders the CSV and Parquet copies went to, when asked for.
    csv_dir: str | None = None
    parquet_dir: str | None = None

    def copies_of(self, sheet: str) -> list[str]:
        """Where a sheet's data was also written, by the folder's own name (the same run elsewhere reads the same)."""
        folders = ((self.csv_dir, "csv"), (self.parquet_dir, "parquet"))
        return [f"{os.path.basename(os.path.normpath(f))}/{sheet}.{suffix}" for f, suffix in folders if f]


def _listing(names: Sequence[str], most: int = 3) -> str:
    shown = "、".join(names[:most])
    return shown + (f" 等 {len(names)} 个" if len(names) > most else "")


def info_line(facts: RunFacts, units: Sequence[UnitSummary]) -> str:
    """主管部门, 年度, 金额单位, 制表日期 and the rule set, as the title block's second line."""
    from xlgoals.core.ruleset import load_ruleset

    departments = list(dict.fromkeys(u.department for u in units if u.department))
    years = sorted({u.year for u in units if u.year})
    if facts.rules:
        rules = f"{load_ruleset(facts.rules).title}（--rules {os.path.basename(facts.rules)}）"
    else:
        titles = list(dict.fromkeys(framework_title(u.framework) for u in units if u.framework))
        rules = f"按各单位封面所选指标体系：{'、'.join(titles) or NOT_FILLED}"
    parts = [
        f"主管部门：{_listing(departments) or NOT_FILLED}",
        f"年度：{'、'.join(map(str, years)) or NOT_FILLED}",
        f"金额单位：{facts.money_unit}",
        f"制表日期：{(facts.made or date.today()).isoformat()}",
        f"规则集：{rules}",
    ]
    if facts.folder and facts.folder != ".":
        parts.append(f"文件夹：{facts.folder}")
    return "　".join(parts)


def data_note(name: str, rows: int, columns: int, exported: Sequence[str]) -> str:
    """A data sheet's note: it does not print, and where its full data is."""
    where = (
        f"已另存为 {'、'.join(exported)}"
        if exported
        else "可用 xlgoals consolidate … --csv 文件夹（或 --parquet 文件夹）另存为 CSV/Parquet"
    )
    return (
        f"本表为数据表（{rows:,} 行 × {columns} 列），打印本工作簿时只打印这段说明："
        "逐行打印要几十上百页，也读不出结论，"
        f"结论见“{OVERVIEW_SHEET}”“{UNITS_SHEET}”“{FINDINGS_SHEET}”。完整数据在本表中筛选查看，{where}；"
        "需要打印其中一部分时，先筛选，再选定这些行，打印时选“打印选定区域”。"
    )


def title_block(name: str, info: str, note: str | None = None) -> TitleBlock:
    note = _NOTES.get(name, "") if note is None else note
    return TitleBlock(f"{SUMMARY_TITLE} · {_TITLES.get(name, name)}", info, note)


def overview_rows(
    total: Aggregate,
    ledger: Sequence[LedgerEntry],
    units: Sequence[UnitSummary],
    groups: Sequence[Aggregate],
    unit: MoneyUnit,
) -> list[Row]:
    """概况: the headline figures, each beside what it is made of, so each can be checked on the page."""
    counts = {s: sum(1 for e in ledger if e.status == s) for s in STATUSES}
    yoy, totals = total.year_on_year, total.totals
    kinds = "，".join(f"{KIND_ZH.get(k, k)} {n:,}" for k, n in total.kinds.items() if n) or "无"
    status = "，".join(f"{s} {n}" for s, n in counts.items() if n)
    rows: list[Row] = [
        ("收到的文件", f"{len(ledger):,} 个", f"{status}；每个文件的去向见“{LEDGER_SHEET}”表。"),
        (
            "汇总的单位",
            f"{total.units:,} 个",
            f"分 {len(groups)} 组小计：{_listing([g.group for g in groups], 5)}。"
            if groups
            else "各单位数字见“单位汇总”表。",
        ),
        (
            "项目",
            f"{total.projects:,} 个",
            f"其中可比项目（有上年预算）{yoy.compared:,} 个，新增项目（无上年预算）{yoy.new:,} 个。",
        ),
        ("绩效指标", f"{total.indicators:,} 条", f"按目标值：{kinds}。"),
        ("项目总预算", format_amount(totals["budget_total"], unit), ""),
        (
            "项目当年预算",
            format_amount(totals["budget_year"], unit),
            f"= 可比项目当年 {format_amount(yoy.this_year, unit)}"
            f" + 新增项目当年 {format_amount(yoy.new_this_year, unit)}",
        ),
        (
            "同比增减（可比项目）",
            format_percent(yoy.percent),
            f"可比项目 {yoy.compared:,} 个：当年 {format_amount(yoy.this_year, unit)}，"
            f"上年 {format_amount(yoy.last_year, unit)}，增减 {format_signed(yoy.change, unit)}。"
            if yoy.compared
            else "没有填写上年预算的项目，无法计算同比。",
        ),
        (
            "新增项目当年预算",
            format_amount(yoy.new_this_year, unit),
            f"{yoy.new:,} 个项目无上年预算，不计入同比。",
        ),
        (
            "上年预算执行率",
            format_percent(percent(totals["last_year_executed"], totals["last_year_budget"]), signed=False),
            f"上年执行数 {format_amount(totals['last_year_executed'], unit)} ÷ "
            f"上年预算额 {format_amount(totals['last_year_budget'], unit)}。",
        ),
    ]
    for severity in Severity:
        n = total.counts.get(severity.value, 0)
        involved = [u.unit or u.file for u in units if u.counts.get(severity.value, 0)]
        what = {Severity.ERROR: "须修改后重新报送", Severity.WARNING: "请单位核对", Severity.INFO: "供参考"}[severity]
        detail = f"涉及 {len(involved)} 个单位：{_listing(involved, 5)}；{what}。" if involved else ""
        rows.append((f"校验{SEVERITY_ZH[severity]}", f"{n:,} 项", detail + f"见“{FINDINGS_SHEET}”表。" if n else ""))
    missing = [e for e in ledger if e.status in (REJECTED, DUPLICATE)]
    if missing:
        names = [f"{os.path.basename(e.shown)}（{e.status}）" for e in missing]
        rows.append(("未计入汇总的文件", f"{len(missing):,} 个", f"{_listing(names, 6)}；原因见“{LEDGER_SHEET}”表。"))
    return rows


def _shown(value: object, column: Column, unit: MoneyUnit) -> str:
    """A cell as the workbook shows it: money in `unit` with separators, counts with separators, a
    percentage as the signed number under its （%） title."""
    if value is None or value == "":
        return ""
    if column.kind in ("money", "wan") and isinstance(value, Decimal):
        return format_amount(value, unit)
    if column.kind == "percent" and isinstance(value, Decimal):
        return f"{value:+.2f}"
    if column.kind == "count" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def units_table(
    units: Sequence[UnitSummary], groups: Sequence[Aggregate], total: Aggregate, unit: MoneyUnit
) -> dict[str, Any]:
    """单位汇总's printed columns as text, rows as the workbook orders them (each group's units, its 小计,
    then 部门合计): what the web page shows for a department summary."""
    columns = in_wan(UNIT_COLUMNS[:UNITS_PRINTED]) if unit is MoneyUnit.WAN else UNIT_COLUMNS[:UNITS_PRINTED]
    rows: list[dict[str, Any]] = []

    def add(row: Row, kind: str) -> None:
        rows.append({"kind": kind, "cells": [_shown(v, c, unit) for v, c in zip(row, columns, strict=False)]})

    if groups:
        for g in groups:
            for u in units:
                if u.group == g.group:
                    add(u.row(shown=True), "unit")
            add(g.row(), "subtotal")
    else:
        for u in units:
            add(u.row(shown=True), "unit")
    add(total.row(), "total")
    return {"titles": [c.title for c in columns], "rows": rows}
