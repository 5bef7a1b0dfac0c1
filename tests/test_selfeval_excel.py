"""The workbook's buttons on a 自评 workbook, through xlwings' real remote engine: what the command line does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from tests.builders.excel_clicks import alerts_of, remote_click, visible_content
from xlgoals import excel
from xlgoals.core import layout
from xlgoals.unit.pipeline import check_file
from xlgoals.validation.writeback import write_back


def test_validate_all_marks_a_selfeval_as_the_command_line_does(sample_selfeval: Path, tmp_path: Path) -> None:
    cli = tmp_path / "cli.xlsx"
    checked = check_file(sample_selfeval)
    write_back(sample_selfeval, cli, checked.report, checked.ruleset.title)
    wb, events = remote_click(sample_selfeval, excel.validate_all)
    assert visible_content(wb) == visible_content(openpyxl.load_workbook(cli))
    assert "错误 1 项" in alerts_of(events)[0]
    assert wb["项目1"]["H21"].comment is not None and "偏差原因" in wb["项目1"]["H21"].comment.text


def test_a_fixed_reason_gets_its_input_fill_back(sample_selfeval: Path, tmp_path: Path) -> None:
    once, _ = remote_click(sample_selfeval, excel.validate_all)
    first = tmp_path / "once.xlsx"
    once.save(first)
    fixed = openpyxl.load_workbook(first)
    fixed["项目1"]["H21"] = "议程调整，两项活动改期"
    fixed_path = tmp_path / "fixed.xlsx"
    fixed.save(fixed_path)
    twice, events = remote_click(fixed_path, excel.validate_all)
    cell: Any = twice["项目1"]["H21"]
    assert cell.comment is None and cell.fill.fgColor.rgb == "FF" + "".join(f"{c:02X}" for c in layout.INPUT_RGB)
    assert "错误 0 项" in alerts_of(events)[0]


def test_the_rollup_button_writes_the_selfeval_summary(sample_selfeval: Path) -> None:
    wb, events = remote_click(sample_selfeval, excel.rollup)
    ws = wb[layout.SUMMARY_SHEET]
    assert ws["A1"].value == "项目支出绩效自评汇总"
    # 总分 follows each 自评 sheet's own 总分 cell (below its 16, 8 and 6 indicators).
    totals = [ws.cell(layout.SUMMARY_HEADER_ROW + i, 9).value for i in range(1, 4)]
    assert totals == ["=N('项目1'!G28)", "=N('项目2'!G20)", "=N('项目3'!G18)"]
    assert "3 个项目" in alerts_of(events)[0]
