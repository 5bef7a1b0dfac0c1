"""The 自评 sheet's live checks agree with `xlgoals validate`, rule by rule and cell by cell, as LibreOffice
computes them; a 自评 workbook carrying them reads, scores, validates, rolls up and prints as one without."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from tests.builders import unit
from tests.office import convert_all
from tests.selfeval_live_corpus import Case, build, filled
from tests.test_live_agreement import live, report, tally, validate
from xlgoals.core import layout, livelayout
from xlgoals.core.ruleset import load_ruleset
from xlgoals.department.consolidate import consolidate
from xlgoals.io.files import read_grids
from xlgoals.io.reader import read
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.rollup import roll_up
from xlgoals.validation.live import selfeval_plan
from xlgoals.validation.live.flags import read_flags, totals
from xlgoals.validation.live.formulas import FUNCTIONS, functions_in
from xlgoals.validation.writeback import write_back
from xlgoals.workbooks.selfevalbook import build_selfeval_workbook
from xlgoals.workbooks.template import save

RULESETS = ("shanghai-2020", "national", "national-2015")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, list[Case]]]:
    """Per rule set: the 自评 corpus workbook, its recalculation by LibreOffice, its cases."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    tmp = tmp_path_factory.mktemp("selflive")
    made = {name: (tmp / f"{name}.xlsx", build(load_ruleset(name), tmp / f"{name}.xlsx")) for name in RULESETS}
    sources = [path for path, _ in made.values()]
    outs = convert_all(soffice, sources, "xlsx", tmp / "recalculated", recalc=True)
    return {name: (path, out, cases) for (name, (path, cases)), out in zip(made.items(), outs, strict=True)}


def test_selfeval_live_flags_agree_with_validate_rule_by_rule(
    corpus: dict[str, tuple[Path, Path, list[Case]]],
) -> None:
    tables: dict[str, dict[str, Counter[str]]] = {}
    missing = []
    for name, (original, recalculated, _) in corpus.items():
        codes = set(selfeval_plan(load_ruleset(name), 6, printed=True).live)
        tally(tables.setdefault(name, {}), validate(original), live(recalculated), codes)
        # Every live rule of the rule set is planted.
        missing += [f"{name} {code}: not in the corpus" for code in codes - set(tables[name])]
    problems = report(tables)
    assert not problems + missing, problems + missing


def test_undecided_cells_are_the_ones_the_corpus_plants(corpus: dict[str, tuple[Path, Path, list[Case]]]) -> None:
    for name, (_, recalculated, cases) in corpus.items():
        book = read_grids(recalculated)
        for i, case in enumerate(cases, start=1):
            rows = book.sheets[layout.project_sheet_name(i)].rows
            undecided = {f.cell for f in read_flags(rows) if f.undecided}
            assert bool(undecided) == ("待校验" in case.name), (name, case.name, undecided)
            counts = totals(rows)
            assert counts["filled"] == counts["gate"] == 1, (name, case.name)
            if "待校验" not in case.name:  # an undecided sheet shows what else it has, here nothing
                assert (counts["error"] + counts["warning"] == 0) == (case.name in CLEAN), (name, case.name, counts)


# The corpus' sheets on which neither 校验 nor the live checks find anything of the live rules.
CLEAN = {
    "全部达成",
    "实际完成值带比较符与全角",
    "实际完成值是数字单元格",
    "定性指标照抄目标",
    "定性指标部分达成有原因",
    "未达到目标有原因",
    "超过目标",
    "分值是错误值",
    "执行率偏低有说明",
    "执行率恰为 90%",
    "执行数等于预算",
    "全年预算数为零",
    "原表得分相符",
}


def test_the_cover_lists_every_selfeval_sheet_with_its_counts(corpus: dict[str, tuple[Path, Path, list[Case]]]) -> None:
    _, recalculated, cases = corpus["national"]
    book = read_grids(recalculated)
    cover = book.sheets[layout.COVER_SHEET].rows
    first = livelayout.COVER_LIVE_FIRST_SLOT_ROW
    errors = 0
    for i, case in enumerate(cases):
        sheet, name, err, warn, status = cover[first + i - 1][:5]
        counts = totals(book.sheets[str(sheet)].rows)
        assert (err, warn) == (counts["error"], counts["warning"]), case.name
        assert name == "项目名称示例" or (isinstance(name, str) and name)
        assert status == ("需修改" if counts["error"] else "请核对" if counts["warning"] else "通过"), case.name
        assert (status == "通过") == (case.name in CLEAN or ("待校验" in case.name and err == warn == 0)), case.name
        errors += counts["error"]
    total = cover[livelayout.COVER_LIVE_TOTAL_ROW - 1]
    assert total[2] == errors and total[1] == f"已填写 {len(cases)} 张"


def test_live_formulas_use_only_the_named_function_set() -> None:
    for name in RULESETS:
        plan = selfeval_plan(load_ruleset(name), 30, printed=True)
        for address, formula in plan.formulas.items():
            assert functions_in(formula) <= FUNCTIONS, (address, functions_in(formula) - FUNCTIONS)
            assert len(formula) <= 8192 and formula.count("(") <= 8192


def _pair(tmp_path: Path, name: str) -> tuple[Path, Path]:
    rs = load_ruleset(name)
    projects = [filled(rs, layout.project_sheet_name(i), printed=i == 2) for i in (1, 2)]
    projects[0].indicators[2].actual = "很多"  # a finding of a live rule and a score that changes
    projects[0].budget_executed = projects[0].budget_executed and projects[0].budget_executed / 2
    paths = []
    for live_checks in (True, False):
        wb, _ = build_selfeval_workbook(unit(rs, *projects), rs, live=live_checks)
        paths.append(tmp_path / f"{name}-{live_checks}.xlsx")
        save(wb, paths[-1])
    return paths[0], paths[1]


@pytest.mark.parametrize("name", RULESETS)
def test_a_selfeval_workbook_with_live_checks_reads_validates_and_rolls_up_as_one_without(
    name: str, tmp_path: Path
) -> None:
    """The live area, the status line and the cover's table are never data: the same 自评 workbook with and
    without them reads into the same model (scores included), draws the same findings, rolls up and consolidates
    to the same figures; a write-back keeps the live checks and the score formulas."""
    paths = dict(zip((True, False), _pair(tmp_path, name), strict=True))
    with_live, without = (check_file(paths[flag]) for flag in (True, False))
    assert with_live.unit.model_dump(exclude={"source"}) == without.unit.model_dump(exclude={"source"})
    key = [(f.code, f.sheet, f.cell, f.message) for f in without.report.findings]
    assert [(f.code, f.sheet, f.cell, f.message) for f in with_live.report.findings] == key
    codes = {f.code for f in with_live.report.findings}
    assert "selfeval.actual-not-number" in codes and not {"sheet.unread-cells", "cell.uncomputed"} & codes
    rollups = [replace(roll_up(c.unit, c.report), source="") for c in (with_live, without)]
    assert rollups[0] == rollups[1] and rollups[0].totals
    sums = [consolidate([paths[flag]], tmp_path / f"summary-{flag}.xlsx", jobs=1) for flag in (True, False)]
    assert sums[0].total == sums[1].total
    out = tmp_path / "checked.xlsx"
    write_back(paths[True], out, with_live.report, load_ruleset(name).title)
    before, after = openpyxl.load_workbook(paths[True])["项目1"], openpyxl.load_workbook(out)["项目1"]
    for address in (livelayout.LIVE_ERRORS_CELL, livelayout.SELFEVAL_STATUS_CELL, "G12", "G7", "AF2", "AH1"):
        assert after[address].value == before[address].value and str(after[address].value).startswith("="), address
    assert after.conditional_formatting and after.column_dimensions["AD"].hidden
    assert read(out).model_dump(exclude={"source"}) == read(paths[False]).model_dump(exclude={"source"})


def test_printing_a_selfeval_sheet_leaves_the_live_area_out(soffice: str, tmp_path: Path) -> None:
    """Same pages, same text with and without the live checks: neither the status line nor the helpers print."""
    with_live, without = _pair(tmp_path, "shanghai-2020")
    pdfs = convert_all(soffice, [with_live, without], "pdf", tmp_path / "pdf", recalc=True)
    texts = [subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True).stdout for p in pdfs]
    assert texts[0].count("\f") == texts[1].count("\f")
    assert "实时检查" not in texts[0] and "项目支出绩效自评表" in texts[0]
    assert texts[0] == texts[1]


def test_a_sheet_the_unit_has_not_begun_shows_nothing_until_it_does(soffice: str, tmp_path: Path) -> None:
    """A 自评 sheet comes prefilled (the declaration's facts, points, 年初预算数): its live checks wait until the unit
    fills one of its own cells, then show what 校验 finds (here every blank actual). 校验 reports them at once."""
    from tests.builders import project

    rs = load_ruleset("national")
    wb, _ = build_selfeval_workbook(unit(rs, project(rs, sheet="项目1"), project(rs, sheet="项目2")), rs)
    wb["项目2"]["E12"] = "按计划推进"
    path = tmp_path / "fresh.xlsx"
    save(wb, path)
    (recalculated,) = convert_all(soffice, [path], "xlsx", tmp_path / "lo", recalc=True)
    book = read_grids(recalculated)
    fresh, begun = (totals(book.sheets[name].rows) for name in ("项目1", "项目2"))
    assert fresh["filled"] == 0 and fresh["error"] == fresh["warning"] == 0
    status = book.sheets["项目1"].rows[0][layout.column_index("J") - 1]
    assert status == "实时检查：本表尚未填写"
    python = validate(path)
    assert any(key[1] == "项目1" and key[0] == "selfeval.actual-missing" for key in python)
    flags = {(f.code, "项目2", f.cell): f.count for f in read_flags(book.sheets["项目2"].rows) if f.count}
    live_codes = set(selfeval_plan(rs, 6).live)
    assert begun["filled"] == 1 and ("selfeval.actual-not-number", "项目2", "E12") in flags
    assert flags == {key: n for key, n in python.items() if key[1] == "项目2" and key[0] in live_codes}
