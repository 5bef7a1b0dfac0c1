"""The template: shipped file equals the generator, real dropdowns, protection, print setup, LibreOffice."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from tests.office import convert
from xlgoals.core import layout, signoff
from xlgoals.core.ruleset import builtin_rulesets
from xlgoals.io.cellstyle import put
from xlgoals.io.lists import level2_key
from xlgoals.io.reader import read
from xlgoals.workbooks.template import build_workbook, save, write_template

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "workbook_templates" / "xlgoals_template.xlsx"


def _parts(path: Path) -> dict[str, bytes]:
    # core.xml carries the save time; everything else must be byte-identical.
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


@pytest.fixture(scope="module")
def template_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "t.xlsx"
    write_template(path)
    return path


def test_shipped_template_is_what_the_command_makes(template_path: Path) -> None:
    assert _parts(SHIPPED) == _parts(template_path)


def test_sheets_in_order_and_system_sheets_hidden(template_path: Path) -> None:
    wb = openpyxl.load_workbook(template_path)
    assert wb.sheetnames == [layout.COVER_SHEET, "项目1", layout.PROJECT_TEMPLATE_SHEET, layout.LISTS_SHEET]
    assert wb[layout.LISTS_SHEET].sheet_state == "hidden"
    assert wb[layout.PROJECT_TEMPLATE_SHEET].sheet_state == "hidden"
    assert wb[layout.COVER_SHEET].sheet_state == "visible"
    assert wb[layout.LISTS_SHEET]["A1"].value == layout.MARKER


def _validations(ws: Worksheet) -> dict[str, str]:
    """Each validated cell range -> its formula1, as Excel stores it."""
    return {str(dv.sqref): str(dv.formula1) for dv in ws.data_validations.dataValidation}


def test_dropdowns_are_real_list_validations(template_path: Path) -> None:
    wb = openpyxl.load_workbook(template_path)
    ws = wb["项目1"]
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    first, last = layout.INDICATOR_FIRST_ROW, layout.INDICATOR_LAST_ROW
    level1 = dvs[f"A{first}:A{last}"]
    level2 = dvs[f"B{first}:B{last}"]
    assert level1.type == "list" and level2.type == "list"
    # level-1 follows the framework chosen on the cover; level-2 follows the row's own level-1 cell
    assert "'单位信息'!$B$5" in str(level1.formula1)
    # ... keyed by the cover's framework too: 产出指标 has other level-2s in the 2015 form than in 2021's
    assert f"'单位信息'!$B$5&\"·\"&$A{first}," in str(level2.formula1)
    assert dvs["B6"].type == "list" and str(dvs["B6"].formula1).startswith("'_lists'!$A$4:$A$5")
    assert dvs["D4"].type == "list" and dvs["D6"].type == "list"
    cover = _validations(wb[layout.COVER_SHEET])
    assert cover["B5"].startswith("'_lists'!$D$4")


def test_lists_sheet_holds_every_framework_tree(template_path: Path) -> None:
    ws = openpyxl.load_workbook(template_path)[layout.LISTS_SHEET]
    columns: dict[str, list[str]] = {}
    for col in ws.iter_cols(min_row=2, values_only=True):
        if col[0] is not None:
            count = int(col[1])  # type: ignore[arg-type]
            columns[str(col[0])] = [str(v) for v in col[2 : 2 + count]]
    for rs in builtin_rulesets():
        assert columns[rs.title] == [lv.name for lv in rs.level1]
        for lv in rs.level1:
            assert columns[level2_key(rs, lv.name)] == lv.level2
    assert columns["是否"] == ["是", "否"]


def test_labels_locked_inputs_unlocked_sheet_protected(template_path: Path) -> None:
    wb = openpyxl.load_workbook(template_path)
    ws = wb["项目1"]
    assert ws.protection.sheet is True and not ws.protection.password
    for spec in layout.PROJECT_FIELDS:
        assert ws[spec.label_cell].value == spec.label
        assert ws[spec.label_cell].protection.locked is True
        assert ws[spec.value_cell].protection.locked is False
    for row in (layout.INDICATOR_FIRST_ROW, layout.INDICATOR_LAST_ROW):
        for part in layout.INDICATOR_COLUMNS:
            assert ws[layout.indicator_cell(row, part)].protection.locked is False
    # targets are text cells, so '=100' typed by a user stays a target instead of becoming a formula
    assert ws[layout.indicator_cell(layout.INDICATOR_FIRST_ROW, "target")].number_format == "@"
    # formatting is allowed on the protected sheet, so validation can colour cells inside Excel
    assert ws.protection.formatCells is False


def test_print_setup_reads_like_the_form(template_path: Path) -> None:
    ws = openpyxl.load_workbook(template_path)["项目1"]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    # The indicator table's header repeats on every page the table spans.
    assert ws.print_title_rows == f"${layout.INDICATOR_HEADER_ROW}:${layout.INDICATOR_HEADER_ROW}"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    # Down to the sign-off block under the indicator table, as the official form ends.
    first_signoff = signoff.signoff_first_row(layout.INDICATOR_LAST_ROW)
    assert ws.print_area == f"'项目1'!$A$1:$D${first_signoff + len(signoff.SIGNOFF_LABELS) - 1}"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws[layout.PROJECT_FIELD["overview"].value_cell].alignment.wrap_text is True
    assert "B7:D7" in {str(r) for r in ws.merged_cells.ranges}


def test_blank_template_reads_as_a_unit_without_projects(template_path: Path) -> None:
    for engine in ("openpyxl", "calamine"):
        unit = read(template_path, engine)  # type: ignore[arg-type]
        assert unit.projects == [] and unit.name == "" and unit.other_sheets == []


def test_user_fills_template_and_reads_back(template_path: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template_path)
    cover, ws = wb[layout.COVER_SHEET], wb["项目1"]
    cover["B3"], cover["B4"], cover["B5"] = "某某中心", 2021, "上海市（2020）"
    f = layout.PROJECT_FIELD
    ws[f["name"].value_cell] = "测试项目"
    ws[f["start"].value_cell] = "2021/3/1"
    ws[f["budget_year"].value_cell] = "60万元"
    ws[f["budget_total"].value_cell] = 800000
    ws["A18"], ws["B18"], ws["C18"], ws["D18"] = "产出目标", "数量", "培训人数（人）", ">=200"
    ws["C19"] = "培训天数"  # blank level cells: same as the row above
    put(ws["D19"], "=3天")  # typed into a text-formatted cell: text, not a formula
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    for engine in ("openpyxl", "calamine"):
        unit = read(path, engine)  # type: ignore[arg-type]
        assert (unit.name, unit.year) == ("某某中心", 2021)
        (p,) = unit.projects
        assert str(p.start) == "2021-03-01" and str(p.budget_year) == "600000.00"
        assert str(p.budget_total) == "800000.00"
        assert [(i.level1, i.level2, i.name, i.value) for i in p.indicators] == [
            ("产出目标", "数量", "培训人数（人）", ">=200"),
            ("产出目标", "数量", "培训天数", "=3天"),
        ]
        assert p.indicators[1].cells["target"] == "D19"
        assert p.indicators[0].target is not None and p.indicators[0].target.unit == "人"


def test_template_opens_and_prints_in_libreoffice(template_path: Path, soffice: str, tmp_path: Path) -> None:
    pdf = convert(soffice, template_path, "pdf", tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 2


def test_libreoffice_recalculates_titles_and_dependent_lists(soffice: str, tmp_path: Path) -> None:
    """The formulas behind the header and the dependent dropdowns give the right answers in a real engine."""
    wb = build_workbook()
    cover, ws = wb[layout.COVER_SHEET], wb["项目1"]
    cover["B3"], cover["B4"], cover["B5"] = "某某中心", 2020, "全国（财政部）"
    ws["A18"] = "效益指标"
    # Probe cells outside the form (below the status line) evaluate the very formulas the validations use.
    level1 = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith("A18"))
    level2 = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith("B18"))
    ws["H2"] = f"=INDEX({level1.formula1},1)"
    ws["H3"] = f"=ROWS({level1.formula1})"
    ws["H4"] = f"=INDEX({level2.formula1},2)"
    ws["H5"] = f"=ROWS({level2.formula1})"
    src = tmp_path / "probe.xlsx"
    save(wb, src)
    outdir = tmp_path / "out"
    outdir.mkdir()
    recalculated = convert(soffice, src, "xlsx:Calc MS Excel 2007 XML", outdir)
    values = openpyxl.load_workbook(recalculated, data_only=True)["项目1"]
    assert values["A2"].value == "（2020年度）"
    assert values["A3"].value == "申报单位名称：某某中心"
    assert values["A16"].value == "2020年绩效目标"
    assert (values["H2"].value, values["H3"].value) == ("成本指标", 4)
    assert (values["H4"].value, values["H5"].value) == ("社会效益指标", 4)


def test_a_fresh_template_has_a_framework_projects_and_chinese_hints(tmp_path: Path) -> None:
    from xlgoals.core.ruleset import DEFAULT, builtin_named

    path = tmp_path / "t.xlsx"
    write_template(path, projects=3)
    wb = openpyxl.load_workbook(path)
    assert [n for n in wb.sheetnames if wb[n].sheet_state == "visible"] == [
        layout.COVER_SHEET,
        "项目1",
        "项目2",
        "项目3",
    ]
    default = builtin_named(DEFAULT)
    assert default is not None
    # The level-1 dropdown reads the cover's framework: set, it is never empty.
    assert wb[layout.COVER_SHEET][layout.COVER_FIELD["framework"].value_cell].value == default.title
    dvs = {str(dv.sqref): dv for dv in wb["项目2"].data_validations.dataValidation}
    for key in ("start", "budget_year"):
        dv = next(d for ref, d in dvs.items() if layout.PROJECT_FIELD[key].value_cell in ref.split())
        assert dv.showInputMessage and dv.prompt and dv.error and dv.errorStyle == "warning"
        assert all("\u4e00" <= ch <= "\u9fff" for ch in dv.prompt if ch.isalpha() and not ch.isascii())
    cover = {str(dv.sqref): dv for dv in wb[layout.COVER_SHEET].data_validations.dataValidation}
    year = cover[layout.COVER_FIELD["year"].value_cell]
    assert year.errorStyle == "warning" and "2020" in str(year.prompt)
