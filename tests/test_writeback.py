"""Write-back: fills, notes and the 校验结果 sheet; idempotent; the user's values and colours untouched."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from xlgoals.core import layout
from xlgoals.core.errors import XlgoalsError
from xlgoals.unit.pipeline import check_file
from xlgoals.validation import marks
from xlgoals.validation.findings import Severity
from xlgoals.validation.writeback import write_back


def _write(src: Path, out: Path) -> None:
    checked = check_file(src)
    write_back(src, out, checked.report, checked.ruleset.title)


def _values(path: Path) -> dict[tuple[str, str], object]:
    wb = openpyxl.load_workbook(path)
    return {
        (ws.title, c.coordinate): c.value
        for ws in wb.worksheets
        if ws.title not in (marks.RESULTS_TITLE, layout.MARKS_SHEET)
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def _content(path: Path) -> dict[tuple[str, str], tuple[object, ...]]:
    """What a user sees in every cell: value, fill, note and link."""
    wb = openpyxl.load_workbook(path)
    return {
        (ws.title, c.coordinate): (
            c.value,
            c.fill.fgColor.rgb,
            c.comment.text if c.comment else None,
            c.hyperlink.location if c.hyperlink else None,
        )
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
    }


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


@pytest.fixture
def broken(sample_xlsx: Path, tmp_path: Path) -> Path:
    """The sample with one error a reviewer rejects: this year's budget above the total."""
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["项目2"][layout.PROJECT_FIELD["budget_year"].value_cell] = 900000
    wb["项目2"]["A2"].fill = PatternFill("solid", fgColor="FF00B050")  # the user's own colour
    path = tmp_path / "broken.xlsx"
    wb.save(path)
    return path


def test_marks_notes_and_results_sheet(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.xlsx"
    _write(broken, out)
    report = check_file(broken).report
    wb = openpyxl.load_workbook(out)
    error_cells = {(f.sheet, f.cell) for f in report.findings if f.severity is Severity.ERROR}
    assert ("项目2", layout.PROJECT_FIELD["budget_year"].value_cell) in error_cells
    for f in report.findings:
        if f.severity not in marks.MARKED_SEVERITIES or not f.cell or not f.sheet:
            continue
        cell = wb[f.sheet][f.cell]
        expected = marks.FILL_HEX[Severity.ERROR if (f.sheet, f.cell) in error_cells else f.severity]
        assert cell.fill.fgColor.rgb == expected
        assert cell.comment is not None and f.message in cell.comment.text
    results = wb[marks.RESULTS_TITLE]
    assert wb.sheetnames.index(marks.RESULTS_TITLE) == 1
    heads = [r for r in range(1, results.max_row + 1) if results.cell(r, 1).value == "序号"]
    status_top, top = heads
    assert tuple(c.value for c in results[top][: len(marks.RESULTS_HEADERS)]) == marks.RESULTS_HEADERS
    assert tuple(c.value for c in results[status_top][: len(marks.STATUS_HEADERS)]) == marks.STATUS_HEADERS
    rows = list(results.iter_rows(min_row=top + 1, values_only=True))
    assert len(rows) == len(report.findings)
    col = {title: i for i, title in enumerate(marks.RESULTS_HEADERS, start=1)}
    assert col["规则代码"] == len(marks.RESULTS_HEADERS)  # the code is last, for the bureau
    for r, f in enumerate(report.findings, start=top + 1):
        assert results.cell(r, col["规则代码"]).value == f.code and results.cell(r, col["问题说明"]).value == f.message
        if f.cell:
            link = results.cell(r, col["位置"]).hyperlink
            assert link is not None and link.location == f"'{f.sheet}'!{f.cell}"
            assert link.location.split("!")[0].strip("'") in wb.sheetnames
            assert link.tooltip == f"点击跳转到 {f.sheet} 工作表的 {f.cell} 单元格"
            # A unit reads Chinese in the note; the rule code stays in 校验结果's last column.
            assert f.code not in wb[f.sheet][f.cell].comment.text
    status = {results.cell(r, 4).value: results.cell(r, 2).value for r in range(status_top + 1, top - 1)}
    assert status[wb["项目2"]["B4"].value] == "需修改"
    assert status[wb["项目1"]["B4"].value] == "请核对"  # descriptive targets are warnings only


def test_values_and_user_colours_are_untouched(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.xlsx"
    _write(broken, out)
    assert _values(out) == _values(broken)
    assert openpyxl.load_workbook(out)["项目2"]["A2"].fill.fgColor.rgb == "FF00B050"


def test_twice_gives_the_same_file(broken: Path, tmp_path: Path) -> None:
    first, second, again = tmp_path / "1.xlsx", tmp_path / "2.xlsx", tmp_path / "3.xlsx"
    _write(broken, first)
    _write(broken, second)
    assert _parts(first) == _parts(second)
    # Checking an already-checked file replaces the old marks instead of piling up new ones.
    _write(first, again)
    assert _content(again) == _content(first)


def test_fixed_cells_lose_their_marks(broken: Path, tmp_path: Path) -> None:
    first, fixed, second = tmp_path / "1.xlsx", tmp_path / "fixed.xlsx", tmp_path / "2.xlsx"
    _write(broken, first)
    wb = openpyxl.load_workbook(first)
    cell = layout.PROJECT_FIELD["budget_year"].value_cell
    wb["项目2"][cell] = 400000
    wb.save(fixed)
    _write(fixed, second)
    after = openpyxl.load_workbook(second)["项目2"][cell]
    assert after.comment is None and after.fill.fgColor.rgb not in marks.FILL_HEX.values()


def test_marked_cells_are_recorded_in_a_hidden_sheet(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.xlsx"
    _write(broken, out)
    ws = openpyxl.load_workbook(out)[layout.MARKS_SHEET]
    assert ws.sheet_state == "hidden"
    report = check_file(broken).report
    expected = {
        (f.sheet, f.cell) for f in report.findings if f.sheet and f.cell and f.severity in marks.MARKED_SEVERITIES
    }
    assert marks.recorded(list(ws.iter_rows(values_only=True))) == expected


def test_cleared_marks_return_to_the_template_fill(broken: Path, tmp_path: Path) -> None:
    first, fixed, second = tmp_path / "1.xlsx", tmp_path / "fixed.xlsx", tmp_path / "2.xlsx"
    _write(broken, first)
    wb = openpyxl.load_workbook(first)
    wb["项目2"][layout.PROJECT_FIELD["budget_year"].value_cell] = 400000
    wb.save(fixed)
    _write(fixed, second)
    original = openpyxl.load_workbook(broken)["项目2"][layout.PROJECT_FIELD["budget_year"].value_cell]
    after = openpyxl.load_workbook(second)["项目2"][layout.PROJECT_FIELD["budget_year"].value_cell]
    assert after.fill.fgColor.rgb == original.fill.fgColor.rgb


def test_refuses_to_overwrite_its_input(broken: Path) -> None:
    before = broken.read_bytes()
    with pytest.raises(XlgoalsError):
        _write(broken, broken)
    assert broken.read_bytes() == before


def test_cli_validate_json_and_exit_codes(sample_xlsx: Path, broken: Path, tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    def run(path: Path) -> tuple[int, dict[str, object]]:
        proc = subprocess.run(
            [sys.executable, "-m", "xlgoals", "validate", str(path), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        return proc.returncode, json.loads(proc.stdout)

    code, data = run(sample_xlsx)
    assert code == 0 and data["valid"] is True
    code, data = run(broken)
    assert code == 1 and data["valid"] is False
    findings = data["findings"]
    assert isinstance(findings, list) and findings
    assert all({"code", "severity", "sheet", "cell", "message"} <= set(f) for f in findings if f.get("cell"))


def test_cli_table_has_a_verdict_per_project(broken: Path) -> None:
    from typer.testing import CliRunner

    from xlgoals.shells.cli import app

    result = CliRunner().invoke(app, ["validate", str(broken)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    lines = {line for line in result.stdout.splitlines() if "项目2" in line and "│" in line}
    verdicts = [line for line in lines if "需修改" in line]
    assert len(verdicts) == 1 and "上海中医药与天然药物国际交流推广" in verdicts[0]
