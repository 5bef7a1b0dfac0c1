"""The workbook's buttons on a 自评 workbook, through xlwings' real remote engine: what the command line does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.test_excel import _alerts, _content, _remote
from tests.test_selfeval_sample import fill
from xlgoals import excel
from xlgoals.core import layout
from xlgoals.io.reader import read
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.selfeval import write_selfeval
from xlgoals.validation.writeback import write_back


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, sample_xlsx: Path) -> Path:
    folder = tmp_path_factory.mktemp("selfeval_excel")
    write_selfeval(read(sample_xlsx), folder / "自评.xlsx")
    return fill(folder / "自评.xlsx", folder / "自评_已填.xlsx")


def test_validate_all_marks_a_selfeval_as_the_command_line_does(filled: Path, tmp_path: Path) -> None:
    cli = tmp_path / "cli.xlsx"
    checked = check_file(filled)
    write_back(filled, cli, checked.report, checked.ruleset.title)
    wb, events = _remote(filled, excel.validate_all)
    assert _content(wb) == _content(openpyxl.load_workbook(cli))
    assert "错误 1 项" in _alerts(events)[0]
    assert wb["项目1"]["H21"].comment is not None and "偏差原因" in wb["项目1"]["H21"].comment.text


def test_a_fixed_reason_gets_its_input_fill_back(filled: Path, tmp_path: Path) -> None:
    once, _ = _remote(filled, excel.validate_all)
    first = tmp_path / "once.xlsx"
    once.save(first)
    fixed = openpyxl.load_workbook(first)
    fixed["项目1"]["H21"] = "议程调整，两项活动改期"
    fixed_path = tmp_path / "fixed.xlsx"
    fixed.save(fixed_path)
    twice, events = _remote(fixed_path, excel.validate_all)
    cell: Any = twice["项目1"]["H21"]
    assert cell.comment is None and cell.fill.fgColor.rgb == "FF" + "".join(f"{c:02X}" for c in layout.INPUT_RGB)
    assert "错误 0 项" in _alerts(events)[0]


def test_the_rollup_button_writes_the_selfeval_summary(filled: Path) -> None:
    wb, events = _remote(filled, excel.rollup)
    ws = wb[layout.SUMMARY_SHEET]
    assert ws["A1"].value == "项目支出绩效自评汇总"
    # 总分 follows each 自评 sheet's own 总分 cell (below its 16, 8 and 6 indicators).
    totals = [ws.cell(layout.SUMMARY_HEADER_ROW + i, 9).value for i in range(1, 4)]
    assert totals == ["=N('项目1'!G28)", "=N('项目2'!G20)", "=N('项目3'!G18)"]
    assert "3 个项目" in _alerts(events)[0]
