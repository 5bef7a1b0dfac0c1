"""The 自评 workbook: the cover, one 自评 sheet per declared project (the declaration's sheet names), the lists."""

from __future__ import annotations

import os

from openpyxl import Workbook

from xlgoals.core import layout, livelayout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.model import Unit
from xlgoals.core.ruleset import RuleSet
from xlgoals.core.scoring import ProjectScore
from xlgoals.io.lists import Lists
from xlgoals.io.selfevalsheet import has_printed, write_selfeval_sheet
from xlgoals.validation.live import Catalogue, LivePlan, selfeval_plan
from xlgoals.validation.live.cover import cover_plan
from xlgoals.workbooks.livecells import style_cover_table, style_status, write_plan
from xlgoals.workbooks.template import add_token_sheet, finish_book, save, write_cover

COVER_TITLE = "项目支出绩效自评 · 单位信息"
COVER_HELP = (
    "填表说明：",
    "1. 每个项目一张自评表；项目名称、预期目标和各指标的年度指标值由申报表带入并锁定，不能修改。",
    "2. 浅黄色单元格为填写区：全年预算数、全年执行数、实际完成情况，"
    "以及每个指标的实际完成值、分值和偏差原因分析及改进措施。",
    "3. 定量指标的实际完成值只填数字（如 98），定性指标从下拉列表选择达成、部分达成或未达成；"
    "执行率、得分和总分由公式自动计算。",
    "4. 未达到年度指标值的指标必须填写偏差原因分析及改进措施；预算执行率偏低的，在“执行偏差说明”中说明原因。",
    "5. 金额单位见各表的“项目资金”一格；分值默认按一级指标的分值平均分配，可按指标重要程度调整，合计须为 100 分。",
    "6. 填写时表格自动检查（下方“实时检查”表和各表右上角的状态行）；校验后，红色单元格为错误（必须修改），"
    "橙色为警告（请核对），批注说明原因；“校验结果”表列出全部问题。",
)


def sheet_names(unit: Unit) -> list[str]:
    """Each project's sheet: the declaration's own (so 项目2 stays 项目2 across the year), else the next free 项目N."""
    names: list[str] = []
    for project in unit.projects:
        name = project.sheet
        if not name or layout.is_system_sheet(name) or name.casefold() in {n.casefold() for n in names}:
            name = layout.next_project_sheet_name(names)
        names.append(name)
    return names


def build_selfeval_workbook(
    unit: Unit, rs: RuleSet, live: bool = True
) -> tuple[Workbook, list[tuple[str, ProjectScore]]]:
    """The 自评 workbook of a unit's projects, scored by `rs`, and each sheet's scores as written; with `live`, the
    live checks of `rs` on every 自评 sheet, the cover listing them."""
    lists = Lists.offering(rs)
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = layout.COVER_SHEET
    write_cover(cover, unit, lists, COVER_TITLE, COVER_HELP)
    catalogue = Catalogue(rs)
    plans: dict[tuple[int, bool], LivePlan] = {}
    scores = []
    names = sheet_names(unit)
    for name, project in zip(names, unit.projects, strict=True):
        ws = wb.create_sheet(name)
        scores.append((name, write_selfeval_sheet(ws, unit, project, rs)))
        if not live:
            continue
        # One plan per table size (the sheets of a unit mostly share a few).
        size = (len(project.indicators), has_printed(project))
        if size not in plans:
            plans[size] = selfeval_plan(rs, *size, catalogue=catalogue)
        write_plan(ws, plans[size])
        style_status(ws, livelayout.SELFEVAL_STATUS_CELL)
    if live:
        write_plan(cover, cover_plan(rs, names, catalogue, slayout.SELFEVAL_FIELD["name"].value_cell, span=None))
        style_cover_table(cover)
    finish_book(wb, lists, catalogue if live else None)  # its 校验 buttons reach the server as the declaration's
    return wb, scores


def write_selfeval_workbook(
    unit: Unit, rs: RuleSet, path: str | os.PathLike[str], authorization: str = ""
) -> list[tuple[str, ProjectScore]]:
    """Write the 自评 workbook atomically, with the department token's header (`authorization`) in the hidden
    xlwings.conf sheet as `xlgoals template --token-file` puts it; each sheet's scores as written."""
    wb, scores = build_selfeval_workbook(unit, rs)
    if authorization:
        add_token_sheet(wb, authorization)
    save(wb, path)
    return scores
