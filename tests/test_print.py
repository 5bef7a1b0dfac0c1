"""What a budget officer prints: the demo's workbooks through LibreOffice to PDF, page counts and text."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.office import convert_all
from tests.summary_tables import records
from xlgoals.core import layout
from xlgoals.core.model import Unit
from xlgoals.department.consolidate import consolidate
from xlgoals.io.presentation import (
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    MoneyUnit,
    fits_row,
    row_height,
    text_width,
    wrapped_lines,
)
from xlgoals.macro.xlsm import write_xlsm_template
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.rollup import roll_up
from xlgoals.unit.summarysheet import PROJECT_HEADER_ROW, TOTAL_LABEL
from xlgoals.unit.summarysheet import write_back as rollup_write_back
from xlgoals.validation.writeback import write_back
from xlgoals.workbooks.template import build_workbook

# The limits for the sample (3 projects): cover + 校验结果 + 2 pages per project; a one-unit department:
# 概况, 单位汇总, 校验问题 and 台账 a page each, and the three data sheets' notes.
MAX_PAGES = {"unit_checked": 8, "department_summary": 7, "xlgoals_template": 3, "unit_summary": 8}


def demo_workbooks(src: Path, out: Path) -> dict[str, Path]:
    """What `make demo` makes from the sample, by the same functions the commands call."""
    checked = check_file(src)
    paths = {name: out / f"{name}.xlsx" for name in ("unit_checked", "unit_summary", "department_summary")}
    write_back(src, paths["unit_checked"], checked.report, checked.ruleset.title)
    rollup_write_back(src, paths["unit_summary"], roll_up(checked.unit, checked.report))
    consolidate([src], paths["department_summary"], jobs=1)
    paths["xlgoals_template"] = out / "xlgoals_template.xlsm"
    write_xlsm_template(paths["xlgoals_template"])
    return paths


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, sample_xlsx: Path) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path_factory.mktemp("print")
    books = demo_workbooks(sample_xlsx, out)
    pdfs = convert_all(soffice, list(books.values()), "pdf", out / "pdf")
    return dict(zip(books, pdfs, strict=True))


def test_demo_workbooks_print_within_their_page_counts(printed: dict[str, Path]) -> None:
    counts = {name: pages(pdf) for name, pdf in printed.items()}
    assert all(counts.values()), counts
    assert {n: c for n, c in counts.items() if c > MAX_PAGES[n]} == {}, counts


def test_checked_unit_prints_every_overview_whole(printed: dict[str, Path], sample_unit: Unit) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", str(printed["unit_checked"]), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = _flat(text)
    for p in sample_unit.projects:
        assert p.overview and _flat(p.overview) in flat, p.name
    # The hidden sheets never print: their text is absent, the findings and the cover are there.
    assert "xlgoals-template" not in text and "校验结果" in text and "财政项目支出绩效目标申报" in text


def test_editing_a_budget_recalculates_the_summary(soffice: str, sample_xlsx: Path, tmp_path: Path) -> None:
    checked = check_file(sample_xlsx)
    rolled = tmp_path / "rolled.xlsx"
    rollup_write_back(sample_xlsx, rolled, roll_up(checked.unit, checked.report))
    wb = openpyxl.load_workbook(rolled)
    cell = layout.PROJECT_FIELD["budget_year"].value_cell
    wb["项目1"][cell] = wb["项目1"][cell].value + 100_000
    wb["项目2"][layout.PROJECT_FIELD["last_year_budget"].value_cell] = None  # now a new project
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    (recalculated,) = convert_all(soffice, [edited], "xlsx", tmp_path / "lo")
    ws = openpyxl.load_workbook(recalculated, data_only=True)[layout.SUMMARY_SHEET]
    total = next(r for r in ws.iter_rows(min_row=PROJECT_HEADER_ROW, values_only=True) if r[2] == TOTAL_LABEL)
    assert total[4] == 5_989_200 + 100_000
    # Year on year over 项目1 and 项目3 only: (700,000 + 4,989,200) - (600,000 + 5,286,280).
    assert total[7] == -197_080 and total[8] == pytest.approx(-197_080 / 5_886_280)
    new = ws.cell(ws.max_row, 3).value
    rows = {str(r[2]): r for r in ws.iter_rows(min_row=PROJECT_HEADER_ROW, values_only=True) if r[2]}
    assert any(k.startswith("其中新增项目") and k.endswith("1 个") for k in rows), new


def test_hidden_sheets_have_no_print_area() -> None:
    wb = build_workbook(projects=3)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == ["单位信息", "项目1", "项目2", "项目3"]
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            assert not ws.print_area and not ws.print_title_rows, ws.title
    project = wb["项目1"]
    header = layout.INDICATOR_HEADER_ROW
    assert project.print_title_rows == f"${header}:${header}"  # the indicator header on every page
    assert project.page_setup.fitToWidth == 1 and project.page_setup.paperSize == 9


def test_text_width_counts_cjk_double_and_heights_follow_text() -> None:
    assert text_width("项目abc") == 7 and text_width("（）“”") == 8
    assert wrapped_lines("项" * 20, 20) == 2 and wrapped_lines("a\nb", 20) == 2
    short, long = row_height([("项目", 20)]), row_height([("项目" * 100, 20)])
    assert short == 15 and 15 < long <= 409 and row_height([("项" * 10_000, 20)]) == 409


def test_summary_in_wan_yuan(sample_xlsx: Path, tmp_path: Path) -> None:
    checked = check_file(sample_xlsx)
    out = tmp_path / "wan.xlsx"
    rollup_write_back(sample_xlsx, out, roll_up(checked.unit, checked.report), MoneyUnit.WAN)
    ws = openpyxl.load_workbook(out, data_only=True)[layout.SUMMARY_SHEET]
    header = [c.value for c in ws[PROJECT_HEADER_ROW]]
    assert "项目当年预算（万元）" in header and not any("（元）" in str(h) for h in header)
    total = next(r for r in ws.iter_rows(min_row=PROJECT_HEADER_ROW, values_only=True) if r[2] == TOTAL_LABEL)
    assert Decimal(str(total[4])) == Decimal("598.92")
    assert "金额单位：万元" in str(ws.cell(2, 1).value)


def test_write_back_grows_rows_of_texts_edited_since(sample_xlsx: Path, tmp_path: Path) -> None:
    cell = layout.PROJECT_FIELD["overview"].value_cell
    row = layout.split_address(cell)[0]
    wb = openpyxl.load_workbook(sample_xlsx)
    before = wb["项目1"].row_dimensions[row].height
    wb["项目1"][cell] = str(wb["项目1"][cell].value) * 3  # edited in Excel: the row keeps its old height
    wb.create_sheet("备注")["A20"] = "单位自己的表" * 50
    edited, out = tmp_path / "edited.xlsx", tmp_path / "checked.xlsx"
    wb.save(edited)
    checked = check_file(edited)
    write_back(edited, out, checked.report, checked.ruleset.title)
    after = openpyxl.load_workbook(out)
    assert after["项目1"].row_dimensions[row].height > before * 2
    assert after["备注"].row_dimensions[20].height is None  # a sheet of the unit's own is left alone


def test_department_summary_in_wan_yuan_keeps_csv_in_yuan(sample_xlsx: Path, tmp_path: Path) -> None:
    out, csv_dir = tmp_path / "dept.xlsx", tmp_path / "csv"
    consolidate([sample_xlsx], out, csv_dir=csv_dir, jobs=1, money_unit=MoneyUnit.WAN)
    (unit, _total) = records(out, "单位汇总")
    assert Decimal(str(unit["项目当年预算（万元）"])) == Decimal("598.92")
    csv_text = next(csv_dir.glob("单位汇总*.csv")).read_text(encoding="utf-8-sig")
    assert "项目当年预算（元）" in csv_text and "5989200" in csv_text


def test_the_cover_sets_the_summary_unit(sample_xlsx: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xlgoals.shells.cli import app

    wb = openpyxl.load_workbook(sample_xlsx)
    assert wb[layout.COVER_SHEET][layout.COVER_MONEY_UNIT_CELL].value == "元"  # the template's default
    wb[layout.COVER_SHEET][layout.COVER_MONEY_UNIT_CELL] = "万元"
    src, out = tmp_path / "wan.xlsx", tmp_path / "rolled.xlsx"
    wb.save(src)
    result = CliRunner().invoke(app, ["rollup", str(src), "--write-back", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1].startswith("下一步：")
    header = [c.value for c in openpyxl.load_workbook(out)[layout.SUMMARY_SHEET][PROJECT_HEADER_ROW]]
    assert "项目当年预算（万元）" in header


def test_every_command_ends_with_what_to_do_next(sample_xlsx: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xlgoals.shells.cli import app

    runner = CliRunner()
    runs = {
        "template": ["template", "-o", str(tmp_path / "t.xlsx"), "--projects", "2"],
        "validate": ["validate", str(sample_xlsx), "--write-back", str(tmp_path / "checked.xlsx")],
        "rollup": ["rollup", str(sample_xlsx)],
        "consolidate": ["consolidate", str(sample_xlsx), "-o", str(tmp_path / "d.xlsx"), "-j", "1"],
    }
    for name, args in runs.items():
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), (name, result.output)
        tail = result.stdout[result.stdout.rindex("下一步：") :]
        assert "None" not in result.stdout and tail.count("\n") <= 3, name
        if name == "validate":  # the sample has warnings: where the marks are, and what to run again
            assert str(tmp_path / "checked.xlsx") in tail and f"xlgoals validate {sample_xlsx}" in tail


def test_a_national_form_summary_follows_its_own_cells_in_yuan(soffice: str, tmp_path: Path) -> None:
    """The national sheet keeps money in 万元 at its own cells: 汇总's formulas read those, scaled to 元."""
    from xlgoals.importing.importer import import_file
    from xlgoals.workbooks.template import write_unit

    imported = import_file(Path(__file__).parent.parent / "samples" / "real" / "xiangtan_2023_wupaoche.txt")
    unit_xlsx, rolled = tmp_path / "unit.xlsx", tmp_path / "rolled.xlsx"
    write_unit(imported.unit, unit_xlsx)
    checked = check_file(unit_xlsx)
    budget = checked.unit.projects[0].budget_year
    national = {spec.key: spec for spec in layout.project_fields("national")}
    assert budget and checked.unit.projects[0].cells["budget_year"] == national["budget_year"].value_cell
    rollup_write_back(unit_xlsx, rolled, roll_up(checked.unit, checked.report))
    wb = openpyxl.load_workbook(rolled)
    cell = checked.unit.projects[0].cells["budget_year"]
    sheet = checked.unit.projects[0].sheet or ""
    wb[sheet][cell] = wb[sheet][cell].value + 10  # ten more 万元
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    (recalculated,) = convert_all(soffice, [edited], "xlsx", tmp_path / "lo")
    ws = openpyxl.load_workbook(recalculated, data_only=True)[layout.SUMMARY_SHEET]
    total = next(r for r in ws.iter_rows(min_row=PROJECT_HEADER_ROW, values_only=True) if r[2] == TOTAL_LABEL)
    assert total[4] == pytest.approx(float(budget) + 100_000)


def _measured_lines(text: str, width: float) -> int:
    """Lines by measuring every part, the definition the shortcuts must agree with."""
    return sum(max(1, -(-text_width(part) // int(max(1.0, width)))) for part in text.split("\n"))


@given(
    st.text(alphabet=st.sampled_from("ab 12“”·中文字符，。①\n"), max_size=3000),
    st.sampled_from([1.0, 8.0, 12.5, 34.0, 94.0]),
)
def test_line_counts_shortcuts_agree_with_measuring(text: str, width: float) -> None:
    assert wrapped_lines(text, width) == _measured_lines(text, width)
    assert fits_row(text, width) == (_measured_lines(text, width) * LINE_HEIGHT + 4 <= MAX_ROW_HEIGHT)
