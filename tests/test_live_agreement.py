"""The live checks agree with `xlgoals validate`, rule by rule and cell by cell, as LibreOffice computes them.

A corpus of workbooks with planted faults (tests/live_corpus.py) for each built-in rule set is recalculated by
LibreOffice headless (a profile that recalculates every formula on load); the flags read from the recalculated
files must equal the findings `xlgoals validate` reports on the same cells. Cells the formulas leave undecided
are counted apart: there the live check shows nothing and the Python check decides.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from tests.live_corpus import Case, build
from tests.office import convert_all
from xlgoals.core import layout, livelayout
from xlgoals.core.ruleset import load_ruleset
from xlgoals.io.files import read_grids
from xlgoals.io.presentation import cache_value
from xlgoals.validation.live import project_plan
from xlgoals.validation.live.flags import LiveFlag, read_flags, totals
from xlgoals.workbooks.template import build_workbook, save

RULESETS = ("shanghai-2020", "national", "national-2015")
Key = tuple[str, str, str]  # code, sheet, cell


def validate(path: Path) -> Counter[Key]:
    """The findings of `xlgoals validate --format json` by (code, sheet, cell)."""
    run = subprocess.run(
        [sys.executable, "-m", "xlgoals", "validate", str(path), "--format", "json"], capture_output=True, text=True
    )
    assert run.returncode in (0, 1), run.stderr
    findings = json.loads(run.stdout)["findings"]
    return Counter((f["code"], f["sheet"] or "", f["cell"] or "") for f in findings)


def live(path: Path) -> dict[Key, LiveFlag]:
    """The live flags of every sheet of a recalculated workbook."""
    book = read_grids(path)
    return {
        (flag.code, name, flag.cell): flag for name, sheet in book.sheets.items() for flag in read_flags(sheet.rows)
    }


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


def tally(table: dict[str, Counter[str]], python: Counter[Key], flags: dict[Key, LiveFlag], codes: set[str]) -> None:
    """Add one workbook's cells of the live rules `codes` to `table` (rule -> counts): 校验's findings, the live
    flags, the cells left undecided, the cells on which both agree."""
    for key in set(python) | set(flags):
        if key[0] not in codes:
            continue
        row = table.setdefault(key[0], Counter())
        flag, found = flags.get(key), python.get(key, 0)
        row["cells"] += 1
        if flag is None:  # a finding of a live rule on a cell the live checks do not look at
            row["python"] += found
            row["disagree"] += 1
        elif flag.undecided:
            row["undecided"] += 1
            row["python_undecided"] += found
        else:
            row["python"] += found
            row["live"] += flag.count
            row["failing"] += found > 0
            row["agree" if found == flag.count else "disagree"] += 1


def report(tables: dict[str, dict[str, Counter[str]]]) -> list[str]:
    """Print the agreement table (rule set, rule, cells, Python, live, undecided, agree); the problems: a rule
    with a disagreeing cell, or without a failing and a passing case."""
    head = f"{'rule set':<14} {'rule':<32} {'cells':>6} {'Python':>7} {'live':>5} {'undecided (校验 finds)':>22}"
    lines = [head + f" {'agree':>6}"]
    problems = []
    for name, table in tables.items():
        for code, row in sorted(table.items()):
            decided = row["agree"] + row["disagree"]
            share = row["agree"] / decided if decided else 1.0
            undecided = f"{row['undecided']} ({row['python_undecided']})"
            lines.append(
                f"{name:<14} {code:<32} {row['cells']:>6} {row['python']:>7} {row['live']:>5} "
                f"{undecided:>22} {share:>6.0%}"
            )
            if row["disagree"]:
                problems.append(f"{name} {code}")
            # A failing and a passing case for every rule: some cell it flags, some it passes.
            if not row["failing"] or row["agree"] - row["failing"] <= 0:
                problems.append(f"{name} {code}: no failing or no passing case")
    print("\n" + "\n".join(lines))
    return problems


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
