"""Formula cells through the real command line and Excel's entry points: an error value (#REF!, #N/A …) or a
formula saved without its value is a finding at its cell, never a blank, never a re-levelled row, never an
amount dropped from a total without a word.

The workbooks are built as people's files are: a script saves formulas with openpyxl (no values stored), Excel
stores an error as <c t="e"><f>…</f><v>#REF!</v></c>, and LibreOffice recalculates the script's file so the
lookup really gives #N/A.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest

from tests.builders.hostile_corpus import rezip
from tests.builders.office import convert
from tests.builders.summary_tables import records
from xlgoals.core import layout
from xlgoals.core.cellerrors import Unusable
from xlgoals.io.container import check_container
from xlgoals.io.files import read_grids, sheet_parts
from xlgoals.io.reader import read

P2 = "项目2"
# 项目2's cells the script fills with formulas: (cell, formula, what LibreOffice computes it to).
FORMULAS = {
    "B4": ('单位信息!B3&"推广"', None),  # 项目名称, required
    "D14": ("B14*1", None),  # 项目当年预算, money, required
    "B15": ('VLOOKUP("上年",_lists!A1:B3,2,FALSE)', "#N/A"),  # 同名项目上年预算额, money
    "A19": ('VLOOKUP("产出",_lists!A1:B3,2,FALSE)', "#N/A"),  # 一级目标; A20:A22 below it left blank
    "D21": ("1/0", "#DIV/0!"),  # 指标目标值, required
}
BELOW = ("A20", "A21", "A22")  # blank level-1 cells: "same as the row above", i.e. as A19
COVER_YEAR = ("B4", "YEAR(TODAY())")  # the cover's 年度, required


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", "XLWINGS_LICENSE_KEY": "noncommercial"}


def xlgoals(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xlgoals", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(),
        timeout=120,
    )


def _json(done: subprocess.CompletedProcess[str]) -> Any:
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def script_saved(tmp_path_factory: pytest.TempPathFactory, sample_xlsx: Path) -> Path:
    """The sample unit after a script wrote formulas into it with openpyxl: no value is stored with them."""
    wb = openpyxl.load_workbook(sample_xlsx)
    ws = wb[P2]
    for cell, (formula, _) in FORMULAS.items():
        ws[cell] = f"={formula}"
    for cell in BELOW:
        ws[cell] = None
    wb[layout.COVER_SHEET][COVER_YEAR[0]] = f"={COVER_YEAR[1]}"
    path = tmp_path_factory.mktemp("script") / "script_saved.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def excel_saved(tmp_path_factory: pytest.TempPathFactory, script_saved: Path) -> Path:
    """The workbook as Excel stores error results: <c t="e"> with the formula and the error as its value. The
    name and this year's budget refer to a deleted cell (#REF!); the lookups find nothing (#N/A)."""
    errors = {
        "B4": ('#REF!&"推广"', "#REF!"),
        "D14": ("#REF!*1", "#REF!"),
        "B15": (FORMULAS["B15"][0], "#N/A"),
        "A19": (FORMULAS["A19"][0], "#N/A"),
        "D21": ("1/0", "#DIV/0!"),
    }
    part = sheet_parts(check_container(script_saved))[P2]

    def excel_errors(xml: bytes) -> bytes:
        for cell, (formula, error) in errors.items():
            xml, n = re.subn(
                rf'<c r="{cell}"([^>]*?)(?: t="\w+")?([^>]*)><f>.*?</f><v\s*/>(?:</v>)?</c>'.encode(),
                f'<c r="{cell}"\\1\\2 t="e"><f>{escape(formula)}</f><v>{error}</v></c>'.encode(),
                xml,
            )
            assert n == 1, cell
        return xml

    path = tmp_path_factory.mktemp("excel") / "excel_saved.xlsx"
    path.write_bytes(rezip(script_saved.read_bytes(), {part: excel_errors}))
    return path


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory, script_saved: Path) -> Path:
    """The script's workbook opened and saved by LibreOffice, which computed every formula: the lookups give
    #N/A, 1/0 gives #DIV/0!, the others real values."""
    import shutil

    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path_factory.mktemp("lo")
    return convert(exe, script_saved, "xlsx", out)


# --- what the engines give, and what the reader makes of it ---------------------------------------------


def test_both_engines_read_an_error_and_an_uncomputed_formula_as_blank_or_text(
    excel_saved: Path, script_saved: Path
) -> None:
    """The fact the design rests on, checked against the installed libraries: python-calamine hands back ''
    for an error value and for a formula without a value (what an empty cell gives), openpyxl the error's
    text and None. Were the reader to trust them, #REF! in a budget would read as a blank budget."""
    from python_calamine import CalamineWorkbook

    for path, expected in ((excel_saved, ""), (script_saved, "")):
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(P2).to_python(skip_empty_area=False)
        assert sheet[13][3] == expected and sheet[14][1] == expected
    ro = openpyxl.load_workbook(excel_saved, read_only=True, data_only=True)[P2]
    assert ro["B15"].value == "#N/A"
    assert openpyxl.load_workbook(script_saved, read_only=True, data_only=True)[P2]["B15"].value is None


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_every_engine_gives_the_reader_the_cell_as_unusable(excel_saved: Path, engine: str) -> None:
    """Whichever engine reads the file, the grid holds the error value (with its formula) at its cell, so no
    reader path can take it for an empty cell."""
    rows = read_grids(excel_saved, engine).sheets[P2].rows  # type: ignore[arg-type]
    assert rows[14][1] == Unusable("#N/A", 'VLOOKUP("上年",_lists!A1:B3,2,FALSE)')
    assert rows[20][3] == Unusable("#DIV/0!", "1/0")


def test_a_level_cell_with_an_error_never_relevels_the_rows_under_it(recalculated: Path, sample_xlsx: Path) -> None:
    """Before: #N/A in A19 read as blank, so A19:A22 ("same as above") went under A18's 投入与管理. Now those
    rows stand under an unknown level-1 and say so; rows elsewhere keep their levels."""
    before = {ind.cells["name"]: ind for ind in read(sample_xlsx).projects[1].indicators}
    after = read(recalculated).projects[1]
    for ind in after.indicators:
        row = int(ind.cells["name"][1:])
        if 19 <= row <= 22:
            assert ind.level1 == "" and ind.unusable["level1"] == "A19", ind
        else:
            assert ind.level1 == before[ind.cells["name"]].level1 and "level1" not in ind.unusable
    assert after.unusable["A19"] == Unusable("#N/A", 'VLOOKUP("产出",_lists!A1:B3,2,FALSE())')


# --- through the command line -------------------------------------------------------------------------------

UNCOMPUTED = {("单位信息", "B4"), *((P2, c) for c in FORMULAS)}
EXCEL_ERRORS = {(P2, c) for c in FORMULAS}
LO_ERRORS = {(P2, c) for c, (_, computed) in FORMULAS.items() if computed}


@pytest.mark.parametrize(
    ("fixture", "code", "cells"),
    [
        ("script_saved", "cell.uncomputed", UNCOMPUTED),
        ("excel_saved", "cell.error-value", EXCEL_ERRORS),
        ("recalculated", "cell.error-value", LO_ERRORS),
    ],
)
def test_validate_reports_each_cell_as_what_it_is(
    request: pytest.FixtureRequest, tmp_path: Path, fixture: str, code: str, cells: set[tuple[str, str]]
) -> None:
    """`xlgoals validate`: a finding at every such cell naming the error (or saying the formula was never
    computed), and none of them called 未填写, a missing target or an unknown level: the officer is told what
    to fix, not sent to type into a cell that already holds a formula."""
    path: Path = request.getfixturevalue(fixture)
    done = xlgoals("validate", path, "--format", "json", "--write-back", tmp_path / "checked.xlsx", cwd=tmp_path)
    assert done.returncode == 1
    findings = _json(done)["findings"]
    found = {(f["sheet"], f["cell"]) for f in findings if f["code"] == code}
    assert found == cells
    for f in findings:
        if (f["sheet"], f["cell"]) in cells:
            assert f["code"] == code, f
    by_cell = {(f["sheet"], f["cell"]): f for f in findings if f["code"] == code}
    if code == "cell.uncomputed":
        assert "公式未计算，请在 Excel/WPS 中打开并保存后再提交" in by_cell[(P2, "D14")]["message"]
        assert by_cell[(P2, "D14")]["value"] == "=B14*1"
    else:
        assert "#DIV/0!" in by_cell[(P2, "D21")]["message"] and by_cell[(P2, "D21")]["value"] == "#DIV/0!"
    # The rows under A19 are not judged as 投入与管理 (nor as an unknown level-1 ""), and no level is missing.
    assert not [f for f in findings if f["sheet"] == P2 and f["code"].startswith(("level1.", "level2.missing"))]
    # The write-back marks every one of those cells.
    marked = openpyxl.load_workbook(tmp_path / "checked.xlsx")
    for sheet, cell in cells:
        assert marked[sheet][cell].comment is not None, (sheet, cell)


def _sample_amounts(sample_xlsx: Path) -> dict[str, dict[str, Any]]:
    return {p.sheet or "": p.model_dump() for p in read(sample_xlsx).projects}


def test_rollup_leaves_out_what_it_cannot_read_and_says_so(
    recalculated: Path, sample_xlsx: Path, tmp_path: Path
) -> None:
    """Before: 项目2's #N/A last-year budget read as blank, so the 上年 total dropped by its amount without a
    word and 项目2 passed for a new project. Now the total is the sum of what could be read, the amount left
    out is named with its cell, 项目2 is not new, and the exit code says the totals are incomplete."""
    done = xlgoals("rollup", recalculated, "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    r = _json(done)
    amounts = _sample_amounts(sample_xlsx)
    readable = sum(amounts[s]["last_year_budget"] for s in ("项目1", "项目3"))
    assert float(r["totals"]["last_year_budget"]) == float(readable)
    # This year's budget (=B14*1, computed by LibreOffice) is counted: only what cannot be read is left out.
    assert float(r["totals"]["budget_year"]) == float(sum(a["budget_year"] for a in amounts.values()))
    assert [(u["sheet"], u["cell"], u["error"]) for u in r["uncounted"]] == [(P2, "B15", "#N/A")]
    assert P2 not in r["new_projects"]
    table = xlgoals("rollup", recalculated, cwd=tmp_path)
    assert table.returncode == 1
    flat = re.sub(r"\s+", "", table.stdout)
    assert "无法读取，未计入合计" in flat and "（项目2!B15）是错误值#N/A" in flat


def test_consolidate_names_the_cells_in_findings_ledger_and_project_list(
    excel_saved: Path, sample_xlsx: Path, tmp_path: Path
) -> None:
    """The department's summary carries the findings in 问题明细 (their digest in 校验问题), the ledger says the
    unit's amounts are not all counted (and which), 项目清单 explains the blank amounts, and the totals add up to
    what was read."""
    out = tmp_path / "summary.xlsx"
    done = xlgoals("consolidate", excel_saved, "-o", out, "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    report = _json(done)
    assert report["status"]["已读取"] == 1 and len(report["uncounted"]) == 1
    findings = records(out, "问题明细")
    assert {(r["工作表"], r["单元格"]) for r in findings if r["代码"] == "cell.error-value"} == EXCEL_ERRORS
    (ledger,) = records(out, "台账")
    assert ledger["状态"] == "已读取" and ledger["代码"] == "money.uncounted"
    assert "项目2!D14" in str(ledger["原因"]) and "项目2!B15" in str(ledger["原因"])
    row = next(r for r in records(out, "项目清单") if r["工作表"] == P2)
    assert row["项目当年预算（元）"] is None
    assert "错误值 #REF!（D14，未计入合计）" in row["未能识别的填写"]
    amounts = _sample_amounts(sample_xlsx)
    assert float(report["total"]["totals"]["budget_year"]) == float(
        sum(amounts[s]["budget_year"] for s in ("项目1", "项目3"))
    )


def test_a_formula_outside_the_form_is_not_a_finding(sample_xlsx: Path, tmp_path: Path) -> None:
    """Formulas the workbook itself carries (titles, live checks, helper cells) are not the form's data: only
    the cells the layout reads can be findings, so a generated workbook's own formulas never are."""
    wb = openpyxl.load_workbook(sample_xlsx)
    wb[P2]["F3"] = "=1/0"  # beside the form, where the buttons and status lines go
    wb[P2]["A1"] = '="项目："&B4'  # the title row
    path = tmp_path / "helpers.xlsx"
    wb.save(path)
    done = xlgoals("validate", path, "--format", "json", cwd=tmp_path)
    codes = {f["code"] for f in _json(done)["findings"]}
    assert not codes & {"cell.error-value", "cell.uncomputed"}


# --- Excel's entry points -------------------------------------------------------------------------------------


def _remote(path: Path, entry: Any, **kwargs: Any) -> tuple[openpyxl.Workbook, list[str]]:
    """Run an entry on a remote-engine Book built from what Excel sends for `path`: the calculated values, an
    error as its text (#N/A), as Office.js and the VBA client send it."""
    from tests.builders.xlbridge import run_remote

    values = openpyxl.load_workbook(path, data_only=True)
    wb, events = run_remote(openpyxl.load_workbook(path), entry, book_name=path.name, values_from=values, **kwargs)
    return wb, [e["args"][0] for e in events if e["func"] == "alert"]


def test_validate_all_in_excel_marks_each_error_cell(recalculated: Path) -> None:
    """校验全部 on the remote engine: xlwings turns '#N/A' into None unless asked for errors as text, which would
    make the level-1 cell blank again; each error cell is marked and listed in 校验结果 instead."""
    from xlgoals import excel
    from xlgoals.validation import marks

    payload = openpyxl.load_workbook(recalculated, data_only=True)[P2]
    assert payload["A19"].value == "#N/A"  # what the client sends
    wb, alerts = _remote(recalculated, excel.validate_all)
    for _, cell in LO_ERRORS:
        assert wb[P2][cell].comment is not None and "错误值" in wb[P2][cell].comment.text, cell
        assert wb[P2][cell].fill.fgColor.rgb.endswith(marks.rgb_hex(marks.FILL_RGB[marks.Severity.ERROR])[-6:])
    listed = {(r[2] or "") for r in wb[marks.RESULTS_TITLE].iter_rows(values_only=True)}
    assert any(f"{P2}!A19" in text for text in listed)
    assert "错误" in alerts[0]


def test_rollup_in_excel_says_what_it_could_not_count(recalculated: Path) -> None:
    """汇总 on the remote engine: the message names the amount left out and its cell, and the 汇总 sheet's
    formulas show 无法读取 for it (an error value is never turned into a blank there either)."""
    from xlgoals import excel

    wb, alerts = _remote(recalculated, excel.rollup)
    assert "无法读取" in alerts[0] and "项目2!B15" in alerts[0] and "#N/A" in alerts[0]
    summary = wb[layout.SUMMARY_SHEET]
    formulas = [str(c.value) for row in summary.iter_rows() for c in row if str(c.value).startswith("=")]
    assert any("ISERROR('项目2'!B15)" in f and "无法读取" in f for f in formulas)
    assert any(f.startswith("=IF(COUNTIF(") for f in formulas)  # the live note under the table


def test_classic_xlwings_is_asked_for_errors_as_text() -> None:
    """Classic (COM) xlwings returns an error cell as None unless the range is read with err_to_str=True, and
    the errors it does not name (#SPILL!, #CALC! …) as COM's error number: the grid gets them as errors."""
    from xlgoals import excel

    class Range:
        def __init__(self, grid: list[list[Any]]) -> None:
            self.grid, self.err_to_str = grid, False

        def options(self, **options: Any) -> Range:
            self.err_to_str = bool(options.get("err_to_str"))
            return self

        @property
        def value(self) -> list[list[Any]]:
            # What xlwings' COM engine hands over: numbers as floats, errors as None or their text.
            return [[v if not str(v).startswith("#") or self.err_to_str else None for v in r] for r in self.grid]

    class Sheet:
        name, visible = P2, True

        def __init__(self, grid: list[list[Any]]) -> None:
            self.grid = grid
            self.used_range = type("Used", (), {"last_cell": type("Cell", (), {"row": 2, "column": 2})})

        def range(self, *corners: Any) -> Range:
            return Range(self.grid)

    spill = 0x800A07FD - (1 << 32)  # #SPILL! as COM gives it: xlwings does not name it
    book = type("Book", (), {"name": "b.xlsx", "sheets": [Sheet([[600000.0, "#N/A"], [spill, "文字"]])]})()
    rows = excel.book_grid(book).sheets[P2].rows
    assert rows == [[600000.0, Unusable("#N/A")], [Unusable("#SPILL!"), "文字"]]


def test_the_summary_sheet_recalculated_leaves_out_the_error_and_counts_it(
    excel_saved: Path, soffice: str, tmp_path: Path
) -> None:
    """The 汇总 sheet's formulas, recalculated by LibreOffice after the unit broke another budget: the broken
    amount shows 无法读取, 合计 is the sum of the others (as the command line says), and the note under the
    table counts the amounts left out; before, ISNUMBER turned the error into "" and the total silently shrank."""
    from tests.builders.office import convert_all
    from xlgoals.unit.pipeline import check_file
    from xlgoals.unit.rollup import roll_up
    from xlgoals.unit.summarysheet import TOTAL_LABEL
    from xlgoals.unit.summarysheet import write_back as rollup_write_back

    checked = check_file(excel_saved)
    rolled = tmp_path / "rolled.xlsx"
    rollup_write_back(excel_saved, rolled, roll_up(checked.unit, checked.report))
    wb = openpyxl.load_workbook(rolled)
    wb["项目3"]["D14"] = "=#REF!*1"  # the unit breaks a third amount after the sheet was made
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    (recalc,) = convert_all(soffice, [edited], "xlsx", tmp_path / "lo")
    ws = openpyxl.load_workbook(recalc, data_only=True)[layout.SUMMARY_SHEET]
    rows = list(ws.iter_rows(min_row=layout.SUMMARY_HEADER_ROW, values_only=True))
    by_sheet = {r[1]: r for r in rows if r[1]}
    assert by_sheet[P2][4] == "（无法读取）" and by_sheet["项目3"][4] == "（无法读取）"
    total = next(r for r in rows if r[2] == TOTAL_LABEL)
    assert total[4] == by_sheet["项目1"][4]  # 项目1's is the only budget that reads
    notes = [str(r[0]) for r in rows if r[0] and str(r[0]).startswith("注意")]
    note = "注意：有 3 项金额无法读取（错误值、未计算的公式或以文字填写的金额），未计入合计与同比，"
    note += "见标为“无法读取”的单元格。"
    assert notes == [note]


def test_the_archive_stores_the_findings_and_says_what_it_stored_empty(excel_saved: Path, tmp_path: Path) -> None:
    """`archive add` reads through the consolidation's worker: the findings are stored at their cells (a
    department's later query sees why an amount is NULL), and the command says which amounts were stored
    empty."""
    pytest.importorskip("duckdb")
    db = tmp_path / "a.duckdb"
    done = xlgoals("archive", "add", excel_saved, "--db", db, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    (entry,) = _json(done)["files"]
    assert "存为空" in entry["reason"] and "项目2!D14" in entry["reason"]
    sql = "SELECT sheet, cell FROM findings WHERE code = 'cell.error-value'"
    rows = _json(xlgoals("archive", "sql", sql, "--db", db, "--format", "json", cwd=tmp_path))
    assert {(r["sheet"], r["cell"]) for r in rows} == EXCEL_ERRORS


def test_a_blank_level_is_said_to_be_blank_not_an_unknown_name(sample_xlsx: Path, tmp_path: Path) -> None:
    """A level-2 left blank under a new level-1 was called the unknown name “”; it is said to be empty, at its
    cell, and so is a level-1 with nothing above it."""
    wb = openpyxl.load_workbook(sample_xlsx)
    ws = wb[P2]
    ws["B20"] = None  # A20 starts 产出目标: its level-2 is blank, with nothing to take over
    ws["A18"] = None  # the table's first row: no level-1 above it
    path = tmp_path / "blank_levels.xlsx"
    wb.save(path)
    findings = _json(xlgoals("validate", path, "--format", "json", cwd=tmp_path))["findings"]
    on_p2 = {(f["code"], f["cell"]): f["message"] for f in findings if f["sheet"] == P2}
    assert "B20 的二级目标未填写" in on_p2[("level2.empty", "B20")]
    assert "A18 的一级目标未填写" in on_p2[("level1.empty", "A18")]
    assert not [m for m in on_p2.values() if "“”" in m]


def test_export_from_excel_says_which_amounts_it_left_out(excel_saved: Path, tmp_path: Path) -> None:
    """导出汇总 on the open workbook goes through the consolidation: the unit's summary carries the amounts it
    could not count, which the button's message repeats."""
    from xlgoals import excel

    out, result = excel.export_unit_summary(read(excel_saved), tmp_path / "单位.xlsx")
    (entry,) = result.uncounted
    assert out.exists() and "项目2!D14" in entry.reason and not result.complete
