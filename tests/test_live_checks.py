"""The live checks as generated: the function set, a live area that is never data, the cover's table, own rules."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.formula.translate import Translator
from typer.testing import CliRunner

from tests.builders import project, unit
from tests.office import convert_all
from tests.xlbridge import run_remote
from xlgoals import excel
from xlgoals.core import layout, livelayout
from xlgoals.core.builtin import builtin_path
from xlgoals.core.ruleset import builtin_rulesets, load_ruleset
from xlgoals.department.consolidate import consolidate
from xlgoals.io.files import read_grids
from xlgoals.io.reader import read
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.rollup import roll_up
from xlgoals.validation.live import OFFLINE, project_plan, selfeval_plan
from xlgoals.validation.live.catalogue import Catalogue
from xlgoals.validation.live.cover import ALL_SHEETS, TITLE, cover_plan
from xlgoals.validation.live.flags import read_flags, totals
from xlgoals.validation.live.formulas import FUNCTIONS, functions_in
from xlgoals.validation.live.plan import absolute
from xlgoals.validation.live.selfeval import SELFEVAL_OFFLINE
from xlgoals.validation.rules import CHECKS
from xlgoals.validation.writeback import write_back
from xlgoals.workbooks.template import build_workbook, save

VOLATILE = {"INDIRECT", "OFFSET", "CELL", "NOW", "TODAY", "RAND", "RANDBETWEEN", "INFO"}


def _depth(formula: str) -> int:
    depth = deepest = 0
    for ch in re.sub(r'"(?:[^"]|"")*"', '""', formula):
        depth += ch == "("
        depth -= ch == ")"
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("rs", builtin_rulesets(), ids=lambda rs: rs.name)
def test_formulas_use_only_the_named_function_set(rs: object) -> None:
    """Every live formula calls only functions Excel 2010, WPS and LibreOffice compute alike, none volatile, and
    stays within Excel's limits (8,192 characters, 64 levels of nesting)."""
    plan = project_plan(rs.form, rs)  # type: ignore[attr-defined]
    cover = cover_plan(rs, ["项目1", "项目 2"], Catalogue(rs))  # type: ignore[arg-type]
    formulas = [*plan.formulas.values(), *cover.formulas.values(), *(f.formula for f in plan.formats)]
    used = set().union(*map(functions_in, formulas))
    assert used <= FUNCTIONS and not used & VOLATILE, used - FUNCTIONS
    assert max(map(len, formulas)) < 8192 and max(map(_depth, formulas)) <= 64
    # Criteria matching is what the three disagree on: no COUNTIF/SUMIF/SEARCH, and MATCH only on numbers.
    for formula in formulas:
        for m in re.finditer(r"MATCH\(([^,]*),", formula):
            assert not m.group(1).startswith('"'), formula


def test_every_rule_is_live_or_named_with_its_reason() -> None:
    for rs in builtin_rulesets():
        unit_rules = {r.code for r in rs.rules if r.check == "cover_required"}
        history = {r.code for r in rs.rules if CHECKS[r.check].history}
        # Each form's plan names every rule that runs on that form (the 自评 sheet's own, the declaration's).
        for form, plan in (("declaration", project_plan(rs.form, rs)), ("selfeval", selfeval_plan(rs, 5, True))):
            others = {r.code for r in rs.rules if form not in CHECKS[r.check].forms}
            named = set(plan.live) | set(plan.offline) | unit_rules | history | others
            assert named == {r.code for r in rs.rules if r.enabled}
            assert all(reason for reason in plan.offline.values())
            assert not set(plan.live) & others
    assert set(OFFLINE) | set(SELFEVAL_OFFLINE) <= set(CHECKS)


def test_shared_formulas_read_back_as_the_plan_wrote_them(tmp_path: Path) -> None:
    """A column of helpers is stored once (a shared formula); openpyxl and the spreadsheets expand it row by row
    into exactly the formulas the plan made."""
    path = tmp_path / "t.xlsx"
    save(build_workbook(projects=1), path)
    rs = load_ruleset("shanghai-2020")
    plan = project_plan(rs.form, rs)
    ws = openpyxl.load_workbook(path)["项目1"]
    for address, formula in plan.formulas.items():
        assert ws[address].value == "=" + formula, address
    first = plan.shared[0].split(":")[0]
    assert (
        Translator("=" + plan.formulas[first], first).translate_formula(first[:-2] + "40")
        == ws[first[:-2] + "40"].value
    )
    assert b't="shared"' in _part(path, "xl/worksheets/sheet2.xml")


def _part(path: Path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def test_a_workbook_with_live_checks_reads_checks_and_sums_as_one_without(tmp_path: Path) -> None:
    """The live area, the status line and the cover's table are never data: the same unit with and without live
    checks reads into the same model, draws the same findings, rolls up and consolidates to the same figures."""
    rs = load_ruleset("shanghai-2020")
    faulty = project(rs, sheet="项目2", name="", budget_year=None)
    faulty.indicators[0] = faulty.indicators[0].model_copy(update={"value": ">=很多", "target": None})
    base = unit(rs, project(rs), faulty)
    paths = {}
    for live in (True, False):
        paths[live] = tmp_path / f"{live}.xlsx"
        save(build_workbook(base, live=live), paths[live])
    with_live, without = (check_file(paths[flag]) for flag in (True, False))
    assert with_live.unit.model_dump(exclude={"source"}) == without.unit.model_dump(exclude={"source"})
    key = [(f.code, f.sheet, f.cell, f.message) for f in without.report.findings]
    assert [(f.code, f.sheet, f.cell, f.message) for f in with_live.report.findings] == key
    assert "sheet.unread-cells" not in {f.code for f in with_live.report.findings}
    assert roll_up(with_live.unit, with_live.report).totals == roll_up(without.unit, without.report).totals
    sums = [consolidate([paths[flag]], tmp_path / f"summary-{flag}.xlsx", jobs=1) for flag in (True, False)]
    assert sums[0].total == sums[1].total
    # The write-back keeps the live checks: formulas, conditional fills and the hidden helper columns.
    out = tmp_path / "checked.xlsx"
    write_back(paths[True], out, with_live.report, rs.title)
    ws = openpyxl.load_workbook(out)["项目2"]
    assert str(ws[livelayout.LIVE_ERRORS_CELL].value).startswith("=") and ws.conditional_formatting
    assert ws.column_dimensions[layout.column_letters(livelayout.LIVE_FIRST_COLUMN)].hidden
    assert read(out).model_dump(exclude={"source"}) == read(paths[False]).model_dump(exclude={"source"})


def test_new_project_is_listed_on_the_cover(tmp_path: Path) -> None:
    """新增项目 writes the new sheet into the cover's table (the table's slot cells stay unlocked)."""
    path = tmp_path / "t.xlsx"
    save(build_workbook(projects=2), path)
    wb = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    wb, _ = run_remote(wb, excel.add_project, book_name=path.name, values_from=values)
    cover = wb[layout.COVER_SHEET]
    first = livelayout.COVER_LIVE_FIRST_SLOT_ROW
    assert [cover[f"A{r}"].value for r in range(first, first + 4)] == ["项目1", "项目2", "项目3", None]
    assert cover[f"C{first + 2}"].value == f"=IFERROR('项目3'!{absolute(livelayout.LIVE_ERRORS_CELL)},\"\")"
    assert cover.column_dimensions["A"].protection.locked is False


def test_libreoffice_shows_the_status_line_and_the_cover_table(soffice: str, tmp_path: Path) -> None:
    """What a unit sees with macros off: each project sheet's status line, and on the cover a row per listed
    sheet, the total over every project sheet (a sheet copied by hand included) and a line saying it is unlisted."""
    rs = load_ruleset("shanghai-2020")
    faulty = project(rs, sheet="项目2", name="")
    wb = build_workbook(unit(rs, project(rs), faulty))
    copy = wb.copy_worksheet(wb["项目2"])  # a copy made by hand, moved in among the project sheets
    wb.move_sheet(copy, offset=-(len(wb.sheetnames) - 4))
    path = tmp_path / "t.xlsx"
    save(wb, path)
    (recalculated,) = convert_all(soffice, [path], "xlsx", tmp_path / "lo", recalc=True)
    values = openpyxl.load_workbook(recalculated, data_only=True)
    assert values["项目1"][livelayout.PROJECT_STATUS_CELL].value == "实时检查：本表未发现问题（提交前请点“校验”）"
    assert values["项目2"][livelayout.PROJECT_STATUS_CELL].value == "实时检查：本表错误 1 处（红色，须修改）"
    cover = values[layout.COVER_SHEET]
    assert cover[f"A{livelayout.COVER_LIVE_TITLE_ROW}"].value == TITLE
    slot = livelayout.COVER_LIVE_FIRST_SLOT_ROW
    assert [cover.cell(slot, c).value for c in range(1, 6)] == ["项目1", project(rs).name, 0, 0, "通过"]
    assert [cover.cell(slot + 1, c).value for c in range(1, 6)] == ["项目2", "（未填写项目名称）", 1, 0, "需修改"]
    total = livelayout.COVER_LIVE_TOTAL_ROW
    assert [cover.cell(total, c).value for c in range(1, 6)] == [ALL_SHEETS, "已填写 3 张", 2, 0, "需修改"]
    assert "另有 1 张已填写的项目表不在下表中" in str(cover[f"A{livelayout.COVER_LIVE_MISSING_ROW}"].value)
    grids = read_grids(recalculated)
    assert totals(grids.sheets[copy.title].rows)["error"] == 1
    assert {f.code for f in read_flags(grids.sheets["项目2"].rows) if f.count} == {"field.required"}


def test_template_takes_a_bureaus_own_rule_set(soffice: str, tmp_path: Path) -> None:
    """`xlgoals template --rules own.toml`: the cover names the file's framework, the sheets take its form and its
    live checks, which agree with `validate --rules own.toml` on a word only that file calls vague."""
    own = tmp_path / "own.toml"
    text = builtin_path("national").read_text(encoding="utf-8")
    text = text.replace('name = "national"', 'name = "own-bureau"', 1).replace('"全国（财政部）"', '"某市（2024）"', 1)
    own.write_text(text.replace('words = ["很多",', 'words = ["差不多", "很多",', 1), encoding="utf-8")
    path = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["template", "-o", str(path), "--rules", str(own)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(path)
    assert wb[layout.COVER_SHEET][layout.COVER_FIELD["framework"].value_cell].value == "某市（2024）"
    rs = load_ruleset(own)
    base = project(rs)
    ws = wb["项目1"]
    for spec in layout.project_fields("national"):
        ws[spec.value_cell] = base.model_dump()[spec.key] if spec.kind != "money" else 60
    for row, ind in enumerate(base.indicators, start=layout.INDICATOR_FIRST_ROW):
        for part, value in (("level1", ind.level1), ("level2", ind.level2), ("name", ind.name), ("target", ind.value)):
            ws[layout.indicator_cell(row, part)] = value
            ws[layout.indicator_cell(row, part)].data_type = "s"
    ws[layout.indicator_cell(layout.INDICATOR_FIRST_ROW, "target")] = "差不多"
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    checked = check_file(filled, rules=own)
    vague = {(f.sheet, f.cell) for f in checked.report.findings if f.code == "target.vague"}
    assert vague == {("项目1", f"D{layout.INDICATOR_FIRST_ROW}")}
    (recalculated,) = convert_all(soffice, [filled], "xlsx", tmp_path / "lo", recalc=True)
    flags = read_flags(read_grids(recalculated).sheets["项目1"].rows)
    assert {("项目1", f.cell) for f in flags if f.code == "target.vague" and f.count} == vague


def test_imported_workbook_carries_the_live_checks(sample_xlsx: Path) -> None:
    grids = read_grids(sample_xlsx)
    for name in ("项目1", "项目2", "项目3", layout.PROJECT_TEMPLATE_SHEET):
        assert read_flags(grids.sheets[name].rows), name  # the entries describe themselves


def test_printing_is_as_before(soffice: str, tmp_path: Path) -> None:
    """The status line and the cover's table stand outside the print areas: the printout has the same pages and
    none of their text."""
    import subprocess

    rs = load_ruleset("shanghai-2020")
    base = unit(rs, project(rs), project(rs, sheet="项目2", name=""))
    paths = []
    for live in (True, False):
        path = tmp_path / f"{'live' if live else 'plain'}.xlsx"
        save(build_workbook(base, live=live), path)
        paths.append(path)
    pdfs = convert_all(soffice, paths, "pdf", tmp_path / "pdf", recalc=True)
    texts = [subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True).stdout for p in pdfs]
    pages = [len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", p.read_bytes())) for p in pdfs]
    assert pages[0] == pages[1]
    assert "实时检查" not in texts[0] and "（未填写项目名称）" not in texts[0]
    assert re.sub(r"\s+", "", texts[0]) == re.sub(r"\s+", "", texts[1])


def test_the_formula_scan_does_not_look_at_the_live_area(tmp_path: Path) -> None:
    """The live checks' formulas (saved without values by the template) are no unusable cells and cost the
    readers' scan one look a row; a formula typed into a data cell beside them is still found."""
    from xlgoals.io.container import check_container

    wb = build_workbook(projects=1)
    wb["项目1"]["B4"] = "=1/0"
    path = tmp_path / "t.xlsx"
    save(wb, path)
    container = check_container(path)
    member = "xl/worksheets/sheet2.xml"
    found = container.unusable(member)
    assert "B4" in found
    assert not [c for c in found if livelayout.in_live_area(layout.split_address(c)[1])]
    scan = container.parts[member].formulas
    assert scan is not None and scan.looked_at < 60  # the form's own few formulas, not the ~600 of the live area
