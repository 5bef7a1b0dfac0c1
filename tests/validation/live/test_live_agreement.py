"""The live checks agree with `xlgoals validate`, rule by rule and cell by cell, as LibreOffice computes them.

A corpus of workbooks with planted faults (tests/builders/live_corpus.py) for each built-in rule set is recalculated by
LibreOffice headless (a profile that recalculates every formula on load); the flags read from the recalculated
files must equal the findings `xlgoals validate` reports on the same cells. Cells the formulas leave undecided
are counted apart: there the live check shows nothing and the Python check decides.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from tests.builders.live_agreement import live, report, tally, validate
from tests.builders.live_corpus import Case, build
from tests.builders.office import convert_all
from xlgoals.core import layout, livelayout
from xlgoals.core.ruleset import load_ruleset
from xlgoals.io.files import read_grids
from xlgoals.io.presentation import cache_value
from xlgoals.validation.live import project_plan
from xlgoals.validation.live.flags import read_flags, totals
from xlgoals.workbooks.template import build_workbook, save

RULESETS = ("shanghai-2020", "national", "national-2015")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Path, Path, list[Case]]]]:
    """Per rule set: (workbook, its recalculation by LibreOffice, cases) for the main corpus and a blank cover."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    tmp = tmp_path_factory.mktemp("live")
    made: dict[str, list[tuple[Path, list[Case]]]] = {}
    for name in RULESETS:
        rs = load_ruleset(name)
        made[name] = [
            (tmp / f"{name}.xlsx", build(rs, tmp / f"{name}.xlsx")),
            (tmp / f"{name}-cover.xlsx", build(rs, tmp / f"{name}-cover.xlsx", cover_blank=True)),
        ]
    sources = [path for runs in made.values() for path, _ in runs]
    outs = convert_all(soffice, sources, "xlsx", tmp / "recalculated", recalc=True)
    recalculated = dict(zip(sources, outs, strict=True))
    return {name: [(path, recalculated[path], cases) for path, cases in runs] for name, runs in made.items()}


def _agreement(name: str, runs: list[tuple[Path, Path, list[Case]]]) -> dict[str, Counter[str]]:
    rs = load_ruleset(name)
    codes = set(project_plan(rs.form, rs).live) | {"unit.required"}
    table: dict[str, Counter[str]] = {}
    for original, recalculated, _ in runs:
        tally(table, validate(original), live(recalculated), codes)
    return table


def test_live_flags_agree_with_validate_rule_by_rule(corpus: dict[str, list[tuple[Path, Path, list[Case]]]]) -> None:
    problems = report({name: _agreement(name, runs) for name, runs in corpus.items()})
    assert not problems, problems


def test_every_live_rule_of_each_rule_set_is_in_the_corpus(
    corpus: dict[str, list[tuple[Path, Path, list[Case]]]],
) -> None:
    for name, runs in corpus.items():
        rs = load_ruleset(name)
        plan = project_plan(rs.form, rs)
        form_fields = {spec.key for spec in layout.project_fields(rs.form)}
        table = _agreement(name, runs)
        # Rules whose cells the form lacks (the national parts on Shanghai's form …) never fire on it.
        absent = {
            "yesno.invalid": "gov_purchase",
            "money.executed-over-budget": "last_year_executed",
            "money.yoy-jump": "last_year_budget",
            "money.funding-mismatch": "budget_fiscal",
        }
        expected = {code for code in plan.live if absent.get(code, "name") in form_fields} | {"unit.required"}
        assert expected <= set(table), sorted(expected - set(table))


def test_undecided_cells_are_the_ones_the_corpus_plants(corpus: dict[str, list[tuple[Path, Path, list[Case]]]]) -> None:
    """The formulas leave a verdict to 校验 only where a value is written in a way they cannot parse exactly."""
    for name, runs in corpus.items():
        _, recalculated, cases = runs[0]
        book = read_grids(recalculated)
        for i, case in enumerate(cases, start=1):
            flags = read_flags(book.sheets[layout.project_sheet_name(i)].rows)
            undecided = {f.cell for f in flags if f.undecided}
            if "待校验" in case.name or case.name.startswith("目标值留给校验"):
                assert undecided, (name, case.name)
            else:
                assert not undecided, (name, case.name, undecided)


def test_libreoffice_recalculates_a_stale_cached_flag(soffice: str, tmp_path: Path) -> None:
    """A file may store stale values with its formulas: the recalculating profile computes them afresh, where
    LibreOffice's default for .xlsx would show what the file stored."""
    wb = build_workbook(projects=1)
    ws = wb["项目1"]
    ws[layout.PROJECT_FIELD["name"].value_cell] = "某项目"
    cache_value(ws, livelayout.LIVE_ERRORS_CELL, 999)
    src = tmp_path / "stale.xlsx"
    save(wb, src)
    assert openpyxl.load_workbook(src, data_only=True)["项目1"][livelayout.LIVE_ERRORS_CELL].value == 999
    (fresh,) = convert_all(soffice, [src], "xlsx", tmp_path / "fresh", recalc=True)
    (kept,) = convert_all(soffice, [src], "xlsx", tmp_path / "kept")
    fresh_totals = totals(read_grids(fresh).sheets["项目1"].rows)
    assert fresh_totals["filled"] == 1 and 0 < fresh_totals["error"] < 999
    assert totals(read_grids(kept).sheets["项目1"].rows)["error"] == 999


def test_the_real_sample_agrees_too(soffice: str, sample_xlsx: Path, tmp_path: Path) -> None:
    """The bundled real declaration (3 projects, imported), as it is and with faults typed into it: its live flags
    are 校验's findings of the live rules."""
    wb = openpyxl.load_workbook(sample_xlsx)
    ws = wb["项目2"]
    ws[layout.PROJECT_FIELD["name"].value_cell] = None
    ws[layout.indicator_cell(layout.INDICATOR_FIRST_ROW + 1, "target")] = "大量"
    ws[layout.indicator_cell(layout.INDICATOR_FIRST_ROW + 2, "level2")] = "满意度"
    typed = tmp_path / "typed.xlsx"
    wb.save(typed)
    outs = convert_all(soffice, [sample_xlsx, typed], "xlsx", tmp_path / "lo", recalc=True)
    rs = load_ruleset("shanghai-2020")
    codes = set(project_plan(rs.form, rs).live) | {"unit.required"}
    for original, recalculated, faults in ((sample_xlsx, outs[0], 0), (typed, outs[1], 3)):
        python = {key: n for key, n in validate(original).items() if key[0] in codes}
        flags = live(recalculated)
        undecided = {key for key, flag in flags.items() if flag.undecided}
        decided = {key: flag.count for key, flag in flags.items() if flag.count and key not in undecided}
        assert {k: n for k, n in python.items() if k not in undecided} == decided
        assert len(decided) >= faults
        sheets = read_grids(recalculated).sheets
        assert all(
            totals(sheets[name].rows)["filled"] == totals(sheets[name].rows)["gate"] == 1 for name in ("项目1", "项目3")
        )
