"""The Excel entry points through xlwings' real remote engine: same results as the command line, cell by cell."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.xlbridge import run_remote
from xlgoals import excel
from xlgoals.core import layout
from xlgoals.unit.pipeline import check_file
from xlgoals.validation import marks
from xlgoals.validation.writeback import write_back
from xlgoals.workbooks.template import build_workbook


def _remote(path: Path, entry: Any, **kwargs: Any) -> tuple[openpyxl.Workbook, list[dict[str, Any]]]:
    wb = openpyxl.load_workbook(path)
    return run_remote(
        wb, entry, book_name=path.name, values_from=openpyxl.load_workbook(path, data_only=True), **kwargs
    )


def _content(wb: openpyxl.Workbook) -> dict[tuple[str, str], tuple[object, ...]]:
    """What a user sees per cell: value, fill colour, note text and link; plus each sheet's visibility."""
    out: dict[tuple[str, str], tuple[object, ...]] = {}
    for ws in wb.worksheets:
        out[(ws.title, "")] = (ws.sheet_state,)
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None
                note = c.comment.text if c.comment else None
                link = c.hyperlink.location if c.hyperlink else None
                if c.value is not None or fill or note or link:
                    out[(ws.title, c.coordinate)] = (c.value, fill, note, link)
    return out


def _alerts(events: list[dict[str, Any]]) -> list[str]:
    return [e["args"][0] for e in events if e["func"] == "alert"]


@pytest.fixture
def broken(sample_xlsx: Path, tmp_path: Path) -> Path:
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["项目2"][layout.PROJECT_FIELD["budget_year"].value_cell] = 900000
    path = tmp_path / "broken.xlsx"
    wb.save(path)
    return path


def test_validate_all_writes_what_the_cli_writes(broken: Path, tmp_path: Path) -> None:
    cli_out = tmp_path / "cli.xlsx"
    checked = check_file(broken)
    write_back(broken, cli_out, checked.report, checked.ruleset.title)
    wb, events = _remote(broken, excel.validate_all)
    expected = _content(openpyxl.load_workbook(cli_out))
    assert _content(wb) == expected
    assert wb.sheetnames == openpyxl.load_workbook(cli_out).sheetnames
    c = checked.report.counts()
    (alert,) = _alerts(events)
    assert f"错误 {c['error']} 项" in alert and f"警告 {c['warning']} 项" in alert and c["error"] >= 1


def test_validate_all_twice_replaces_its_marks(broken: Path, tmp_path: Path) -> None:
    once, _ = _remote(broken, excel.validate_all)
    first = tmp_path / "once.xlsx"
    once.save(first)
    # The unit fixes the error, then clicks again: the red cell and its note are gone, nothing else moves.
    fixed = openpyxl.load_workbook(first)
    cell = layout.PROJECT_FIELD["budget_year"].value_cell
    fixed["项目2"][cell] = 400000
    fixed_path = tmp_path / "fixed.xlsx"
    fixed.save(fixed_path)
    twice, _ = _remote(fixed_path, excel.validate_all)
    assert twice["项目2"][cell].comment is None
    assert twice["项目2"][cell].fill.fgColor.rgb == openpyxl.load_workbook(broken)["项目2"][cell].fill.fgColor.rgb
    clean_cli = tmp_path / "clean.xlsx"
    checked = check_file(fixed_path)
    write_back(fixed_path, clean_cli, checked.report, checked.ruleset.title)
    assert _content(twice) == _content(openpyxl.load_workbook(clean_cli))


def test_validate_active_marks_only_that_sheet(broken: Path) -> None:
    wb, events = _remote(broken, excel.validate_active, active_sheet="项目2")
    report = check_file(broken).report
    on_sheet = {f.cell for f in report.findings if f.sheet == "项目2" and f.severity in marks.MARKED_SEVERITIES}
    assert on_sheet
    for cell in on_sheet:
        assert wb["项目2"][cell].comment is not None
    for f in report.findings:
        if f.sheet == "项目1" and f.cell:
            assert wb["项目1"][f.cell].comment is None
    assert marks.RESULTS_TITLE not in wb.sheetnames
    recorded = marks.recorded(list(wb[layout.MARKS_SHEET].iter_rows(values_only=True)))
    assert recorded == {("项目2", c) for c in on_sheet}
    (alert,) = _alerts(events)
    assert "项目2" in alert and "错误" in alert


def test_validate_active_on_the_cover_explains_what_to_do(sample_xlsx: Path) -> None:
    wb, events = _remote(sample_xlsx, excel.validate_active, active_sheet=layout.COVER_SHEET)
    assert "项目表" in _alerts(events)[0]
    assert layout.MARKS_SHEET not in wb.sheetnames


def test_add_project_copies_the_template_sheet(sample_xlsx: Path) -> None:
    wb, events = _remote(sample_xlsx, excel.add_project)
    assert wb.sheetnames[:5] == [layout.COVER_SHEET, "项目1", "项目2", "项目3", "项目4"]
    new, spare = wb["项目4"], wb[layout.PROJECT_TEMPLATE_SHEET]
    assert new.sheet_state == "visible" and spare.sheet_state == "hidden"
    for spec in layout.PROJECT_FIELDS:
        assert new[spec.label_cell].value == spec.label
        assert new[spec.value_cell].protection.locked is False
    assert new.protection.sheet is True
    assert {str(dv.sqref) for dv in new.data_validations.dataValidation} == {
        str(dv.sqref) for dv in spare.data_validations.dataValidation
    }
    assert any(e["func"] == "activateSheet" for e in events)
    assert "项目4" in _alerts(events)[0]


def test_unusable_workbook_gets_a_chinese_alert_not_a_traceback(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "别的表格"  # type: ignore[index]
    path = tmp_path / "other.xlsx"
    wb.save(path)
    _, events = _remote(path, excel.validate_all)
    (alert,) = _alerts(events)
    assert "单位信息" in alert and "Traceback" not in alert


def test_unexpected_failure_is_reported_in_chinese(sample_xlsx: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(excel, "_check", boom)
    _, events = _remote(sample_xlsx, excel.validate_all)
    assert _alerts(events) == [excel.UNEXPECTED]


def test_entry_module_imports_no_pandas_and_no_xlwings() -> None:
    heavy = "('pandas', 'numpy', 'xlwings', 'openpyxl')"
    code = f"import sys, xlgoals.excel; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_new_template_sheet_reads_as_blank(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    build_workbook().save(path)
    wb, _ = _remote(path, excel.add_project)
    saved = tmp_path / "added.xlsx"
    wb.save(saved)
    from xlgoals.io.reader import read

    assert read(saved).projects == []


def test_rollup_writes_the_summary_the_cli_writes(sample_xlsx: Path, tmp_path: Path) -> None:
    from xlgoals.unit.rollup import roll_up
    from xlgoals.unit.summarysheet import write_back as rollup_write_back

    cli_out = tmp_path / "cli.xlsx"
    checked = check_file(sample_xlsx)
    rollup_write_back(sample_xlsx, cli_out, roll_up(checked.unit, checked.report))
    wb, events = _remote(sample_xlsx, excel.rollup)
    expected = openpyxl.load_workbook(cli_out)
    assert wb.sheetnames == expected.sheetnames
    got = {k: v for k, v in _content(wb).items() if k[0] == layout.SUMMARY_SHEET}
    want = {k: v for k, v in _content(expected).items() if k[0] == layout.SUMMARY_SHEET}
    assert got == want
    assert "5,989,200" in _alerts(events)[0]


def test_rollup_twice_keeps_one_summary(sample_xlsx: Path, tmp_path: Path) -> None:
    once, _ = _remote(sample_xlsx, excel.rollup)
    path = tmp_path / "once.xlsx"
    once.save(path)
    twice, _ = _remote(path, excel.rollup)
    assert twice.sheetnames.count(layout.SUMMARY_SHEET) == 1
    assert _content(twice) == _content(once)


def test_export_and_folder_entries_need_desktop_excel(sample_xlsx: Path) -> None:
    for entry in (excel.export_summary, excel.consolidate_folder):
        wb, events = _remote(sample_xlsx, entry)
        (alert,) = _alerts(events)
        assert "网页版" in alert or "文件夹" in alert
        assert wb.sheetnames == openpyxl.load_workbook(sample_xlsx).sheetnames


def test_export_unit_summary_beside_the_workbook(sample_unit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = tmp_path / "单位.xlsx"
    out, result = excel.export_unit_summary(sample_unit, book)
    assert out == tmp_path / "单位_汇总.xlsx" and out.exists()
    assert result.total.projects == 3 and result.total.indicators == 30
    assert str(result.total.totals["budget_year"]) == "5989200.00"


def test_consolidate_folder_writes_beside_the_folder(sample_xlsx: Path, tmp_path: Path) -> None:
    folder = tmp_path / "各单位"
    folder.mkdir()
    shutil.copy(sample_xlsx, folder / "a.xlsx")
    (folder / "readme.txt").write_text("说明", encoding="utf-8")
    out, result = excel.consolidate_folder_at(folder)
    assert out == tmp_path / "各单位_部门汇总.xlsx" and out.exists()
    assert len(result.ledger) == 2 and not result.complete
    assert sorted(folder.iterdir()) == [folder / "a.xlsx", folder / "readme.txt"]
