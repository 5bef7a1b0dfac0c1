"""`xlgoals template --framework`: a national office gets the national project sheet, its cover preset to match."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.office import convert
from xlgoals.core import layout
from xlgoals.core.ruleset import builtin_named
from xlgoals.io.reader import read, read_book
from xlgoals.shells.cli import app
from xlgoals.workbooks.template import save

NATIONAL = builtin_named("national")
assert NATIONAL is not None
NATIONAL_LEVEL1 = [lv.name for lv in NATIONAL.level1]


def _template(tmp_path: Path, *args: str, name: str = "t.xlsx") -> Path:
    path = tmp_path / name
    result = CliRunner().invoke(app, ["template", "-o", str(path), *args])
    assert result.exit_code == 0, result.output
    return path


def _level1_formula(ws: object) -> str:
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}  # type: ignore[attr-defined]
    return str(dvs[f"A{layout.INDICATOR_FIRST_ROW}:A{layout.INDICATOR_LAST_ROW}"].formula1)


def _lists_columns(wb: openpyxl.Workbook) -> dict[str, list[str]]:
    ws = wb[layout.LISTS_SHEET]
    columns: dict[str, list[str]] = {}
    for col in ws.iter_cols(min_row=layout.LIST_KEY_ROW, values_only=True):
        if col[0] is not None:
            count = int(col[1])  # type: ignore[arg-type]
            columns[str(col[0])] = [str(v) for v in col[2 : 2 + count]]
    return columns


@pytest.mark.parametrize("framework", ["national", "全国（财政部）", " national "])
def test_national_template_reads_back_as_the_national_form(tmp_path: Path, framework: str) -> None:
    path = _template(tmp_path, "--framework", framework, "--projects", "2")
    for engine in ("openpyxl", "calamine"):
        unit, grids = read_book(path, engine)  # type: ignore[arg-type]
        assert unit.framework == "national" and unit.projects == []
        assert unit.blank_sheets == ["项目1", "项目2"]
        assert layout.form_of(grids.sheets["项目1"].rows) == "national"
    wb = openpyxl.load_workbook(path)
    assert wb[layout.COVER_SHEET][layout.COVER_FIELD["framework"].value_cell].value == NATIONAL.title
    # A project typed into the national sheet reads as one: money in 万元, as the official form keeps it.
    ws = wb["项目1"]
    ws[layout.NATIONAL_PROJECT_FIELDS[0].value_cell] = "测试项目"
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    (project,) = read(filled).projects
    assert project.money_unit == "万元"


def test_level1_dropdown_reads_the_national_list(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_template(tmp_path, "--framework", "national"))
    formula = _level1_formula(wb["项目1"])
    cover_ref = f"'{layout.COVER_SHEET}'!${layout.COVER_FIELD['framework'].value_cell[0]}$"
    assert cover_ref in formula  # keyed by the cover's framework cell
    # What MATCH(cover, keys) then OFFSET/INDEX pick on the lists sheet: the national level-1 names.
    framework = wb[layout.COVER_SHEET][layout.COVER_FIELD["framework"].value_cell].value
    assert _lists_columns(wb)[str(framework)] == NATIONAL_LEVEL1
    assert _level1_formula(wb[layout.PROJECT_TEMPLATE_SHEET]) == formula


def test_default_template_stays_shanghai(tmp_path: Path) -> None:
    unit, grids = read_book(_template(tmp_path))
    assert unit.framework == "shanghai-2020" and layout.form_of(grids.sheets["项目1"].rows) == "shanghai"


def test_national_xlsm_template_has_the_national_form_and_its_macros(tmp_path: Path) -> None:
    path = _template(tmp_path, "--framework", "national-2015", "--xlsm", name="t.xlsm")
    unit, grids = read_book(path)
    assert unit.framework == "national-2015" and layout.form_of(grids.sheets["项目1"].rows) == "national"
    with zipfile.ZipFile(path) as zf:
        assert "xl/vbaProject.bin" in zf.namelist()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("bogus", "没有指标体系“bogus”"), ("rules/my.toml", "--rules rules/my.toml")],
)
def test_unknown_framework_or_rule_file_is_refused_in_chinese(tmp_path: Path, value: str, expected: str) -> None:
    path = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["template", "-o", str(path), "--framework", value])
    assert result.exit_code == 2
    assert expected in result.output and "national（全国（财政部））" in result.output
    assert "xlgoals template --help" in result.output
    assert "Usage" not in result.output and "Traceback" not in result.output
    assert not path.exists()


def test_libreoffice_opens_the_national_template_and_resolves_the_dropdown(soffice: str, tmp_path: Path) -> None:
    path = _template(tmp_path, "--framework", "national")
    pdf = convert(soffice, path, "pdf", tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) >= 2
    # Probe cells evaluate the very formula the level-1 validation uses, in a real spreadsheet engine.
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    formula = _level1_formula(ws)
    ws["H2"], ws["H3"] = f"=INDEX({formula},1)", f"=ROWS({formula})"
    probe = tmp_path / "probe.xlsx"
    save(wb, probe)
    outdir = tmp_path / "out"
    outdir.mkdir()
    values = openpyxl.load_workbook(convert(soffice, probe, "xlsx:Calc MS Excel 2007 XML", outdir), data_only=True)
    assert (values["项目1"]["H2"].value, values["项目1"]["H3"].value) == (NATIONAL_LEVEL1[0], len(NATIONAL_LEVEL1))
