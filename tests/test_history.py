"""Year-over-year checks against the archive: two years of the real sample, matching, and the Excel button path."""

from __future__ import annotations

import builtins
import shutil
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from xlgoals.core import layout
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import parse_target
from xlgoals.department.archive.history import last_year
from xlgoals.department.archive.ingest import add_paths
from xlgoals.department.archive.schema import ArchiveError
from xlgoals.importing.importer import import_file
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file
from xlgoals.validation.rules.history import compare, match_project, name_key
from xlgoals.workbooks.template import write_unit

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "002_de489847e14864e5.txt"


def _next_year(**changes: Any) -> Unit:
    """The sample as its 2021 declaration: one target lowered, one indicator dropped, one budget +50 %."""
    unit = import_file(SAMPLE).unit
    unit.year = 2021
    p1, p2, p3 = unit.projects
    lowered = next(i for i in p1.indicators if i.name == "参会观众数")
    lowered.value, lowered.target = ">=300", parse_target(">=300", lowered.name)
    p2.indicators = [i for i in p2.indicators if i.name != "人员到位率"]
    assert p3.budget_year is not None
    p3.budget_year = p3.budget_total = p3.budget_year * Decimal("1.5")
    # The name gains its year, as units write it; matching drops year words.
    p1.name = "2021年" + p1.name
    for key, value in changes.items():
        setattr(unit, key, value)
    return unit


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("years")
    first, second = root / "2020.xlsx", root / "2021.xlsx"
    write_unit(import_file(SAMPLE).unit, first)
    write_unit(_next_year(), second)
    db = root / "xlgoals.duckdb"
    add_paths([first], db, jobs=1)
    return first, second, db


def _added(path: Path, db: Path) -> list[tuple[str, str | None, str | None]]:
    """The findings the archive adds to a validation: the year-over-year ones, nothing else changes."""
    without = {f.model_dump_json() for f in check_file(path).report.findings}
    return [
        (f.code, f.sheet, f.cell)
        for f in check_file(path, history=partial(last_year, db)).report.findings
        if f.model_dump_json() not in without
    ]


def test_two_years_of_the_sample_give_exactly_the_changes(two_years: tuple[Path, Path, Path]) -> None:
    _, second, db = two_years
    assert sorted(_added(second, db)) == [
        ("history.budget-up", "项目3", "D14"),
        ("history.indicator-dropped", "项目2", "C24"),  # 人员到位率's level-1 (影响力目标) starts at row 24
        ("history.target-lowered", "项目1", "D24"),
    ]
    messages = {f.code: f.message for f in check_file(second, history=partial(last_year, db)).report.findings}
    assert "“>=500”降为“>=300”" in messages["history.target-lowered"]
    assert "人员到位率" in messages["history.indicator-dropped"]
    assert "+50.0%" in messages["history.budget-up"] and "4,989,200" in messages["history.budget-up"]


def test_the_first_year_has_nothing_to_compare_and_says_so(two_years: tuple[Path, Path, Path]) -> None:
    first, _, db = two_years
    assert _added(first, db) == [("history.no-previous", layout.COVER_SHEET, "B4")]


def test_unchanged_next_year_adds_nothing(two_years: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, _, db = two_years
    same = import_file(SAMPLE).unit
    same.year = 2021
    path = tmp_path / "same.xlsx"
    write_unit(same, path)
    assert _added(path, db) == []


def test_validate_history_on_the_command_line(two_years: tuple[Path, Path, Path]) -> None:
    _, second, db = two_years
    result = CliRunner().invoke(app, ["validate", str(second), "--history", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"code": "history.target-lowered"' in result.output
    missing = CliRunner().invoke(app, ["validate", str(second), "--history", str(db.with_name("none.duckdb"))])
    assert missing.exit_code == 2 and "找不到历史库" in missing.output


def _project(name: str, *indicators: tuple[str, str], previous_name: str = "", budget: str = "100") -> Project:
    return Project(
        name=name,
        previous_name=previous_name,
        budget_year=Decimal(budget),
        sheet=name,
        indicators=[
            Indicator(level1="产出目标", level2="数量", name=n, value=v, target=parse_target(v, n))
            for n, v in indicators
        ],
    )


def test_names_match_without_year_words() -> None:
    assert name_key("2022年 上海国际(交流)") == name_key("上海国际（交流）") == "上海国际（交流）"
    assert name_key("2020-2022年度孵化器运行") == "孵化器运行"
    last = Unit(year=2020, projects=[_project("2020年孵化器运行"), _project("会议")])
    assert match_project(_project("2021年孵化器运行"), last).previous is last.projects[0]
    assert match_project(_project("新项目"), last).previous is None


def test_a_rename_matches_by_the_previous_name_and_a_wrong_one_is_reported(tmp_path: Path) -> None:
    last = Unit(year=2020, projects=[_project("旧名称"), _project("会议")])
    assert match_project(_project("新名称", previous_name="旧名称"), last).previous is last.projects[0]
    m = match_project(_project("新名称", previous_name="不存在"), last)
    assert m.previous is None and not m.candidates


def test_an_ambiguous_match_is_an_info_naming_the_candidates(tmp_path: Path) -> None:
    last = Unit(name="单位", year=2020, projects=[_project("2020年会议"), _project("会议（2020年）")])
    last.projects[1].name = "2020年度会议"
    m = match_project(_project("2021年会议"), last)
    assert m.previous is None and len(m.candidates) == 2
    db = tmp_path / "a.duckdb"
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    write_unit(last, old)
    write_unit(Unit(name="单位", year=2021, projects=[_project("2021年会议", ("参会人数", ">=5人"))]), new)
    add_paths([old], db, jobs=1)
    (finding,) = [
        f for f in check_file(new, history=partial(last_year, db)).report.findings if f.code.startswith("history.")
    ]
    assert (finding.code, finding.severity.value, finding.cell) == ("history.ambiguous", "info", "B4")
    assert "“2020年会议”（项目1）" in finding.message and "“2020年度会议”（项目2）" in finding.message


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (">=95%", ">=90%", -1),
        (">=500人", ">=300人", -1),
        ("<=30天", "<=45天", -1),
        ("=100%", ">=98%", -1),
        (">=90%", ">=95%", 1),
        (">=500人", ">=500人", 0),
        (">=500人", ">=5万元", 0),  # different units are not comparable
        (">=95%", "<=5%", 0),  # nor are opposite directions
        ("合规", ">=90%", 0),
    ],
)
def test_compare_targets(before: str, after: str, expected: int) -> None:
    assert compare(parse_target(before, "x"), parse_target(after, "x")) == expected


_TARGETS = st.builds(
    lambda op, n, unit: f"{op}{n}{unit}",
    st.sampled_from([">=", ">", "=", "<=", "<", "≥"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["", "%", "人", "天", "万元"]),
)


@given(_TARGETS, _TARGETS)
def test_compare_is_antisymmetric(before: str, after: str) -> None:
    a, b = parse_target(before, "x"), parse_target(after, "x")
    assert compare(a, b) == -compare(b, a)
    assert compare(a, a) == 0


# Names without digits (a year needs them) and not starting with 度 (which would join the year word).
_NAMES = st.text(st.characters(exclude_categories=("Nd",)), max_size=20).filter(lambda t: not t.startswith("度"))


@given(_NAMES, st.integers(min_value=1990, max_value=2099), st.sampled_from(["年", "年度", "年 "]))
def test_a_year_word_never_changes_the_key(name: str, year: int, word: str) -> None:
    assert name_key(f"{year}{word}{name}") == name_key(name)


def _findings(tmp_path: Path, last: Unit, now: Unit) -> list[tuple[str, str | None]]:
    db = tmp_path / "h.duckdb"
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    write_unit(last, old)
    write_unit(now, new)
    add_paths([old], db, jobs=1)
    return sorted(
        (f.code, f.cell)
        for f in check_file(new, history=partial(last_year, db)).report.findings
        if f.code.startswith("history.")
    )


def test_weakened_targets_and_low_execution(tmp_path: Path) -> None:
    last = Unit(
        name="单位",
        year=2020,
        projects=[_project("会议", ("验收", "合格"), ("完成情况", "完成"), ("到位率", ">=95%"), ("评价", "良好"))],
    )
    now = _project(
        "会议", ("验收", "基本合格"), ("完成情况", "基本完成"), ("到位率", "较高"), ("评价", "合格"), budget="120"
    )
    now.last_year_budget, now.last_year_executed = Decimal(100), Decimal(50)
    found = _findings(tmp_path, last, Unit(name="单位", year=2021, projects=[now]))
    assert found == [
        ("history.low-execution", "D15"),
        ("history.target-weakened", "D18"),
        ("history.target-weakened", "D19"),
        ("history.target-weakened", "D20"),
        ("history.target-weakened", "D21"),
    ]


def test_a_raised_target_or_a_new_indicator_justifies_a_larger_budget(tmp_path: Path) -> None:
    last = Unit(name="单位", year=2020, projects=[_project("会议", ("参会人数", ">=500人"))])
    raised = _project("会议", ("参会人数", ">=800人"), budget="200")
    assert _findings(tmp_path, last, Unit(name="单位", year=2021, projects=[raised])) == []
    (tmp_path / "h.duckdb").unlink()
    same = _project("会议", ("参会人数", ">=500人"), budget="200")
    assert _findings(tmp_path, last, Unit(name="单位", year=2021, projects=[same])) == [("history.budget-up", "D14")]


def _without_duckdb(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_duckdb(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "duckdb":
            raise ImportError("No module named 'duckdb'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_duckdb)


def test_without_duckdb_the_history_option_says_what_to_install(
    two_years: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, second, db = two_years
    with_duckdb = _added(second, db)
    _without_duckdb(monkeypatch)
    # An archive in step with its sidecar needs no duckdb: the same findings.
    assert _added(second, db) == with_duckdb
    # A copy of the archive alone does.
    alone = tmp_path / "copy.duckdb"
    shutil.copyfile(db, alone)
    with pytest.raises(ArchiveError, match=r"需要 duckdb.*xlgoals\[department\]"):
        check_file(second, history=partial(last_year, alone))
    result = CliRunner().invoke(app, ["validate", str(second), "--history", str(alone)])
    assert result.exit_code == 2 and "pip install" in result.output


def test_the_excel_button_uses_the_archive_the_cover_names(
    two_years: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.xlbridge import run_remote
    from xlgoals import excel

    _, second, db = two_years
    wb = openpyxl.load_workbook(second)
    wb[layout.COVER_SHEET][layout.COVER_FIELD["history"].value_cell] = str(db)
    named = tmp_path / "named.xlsx"
    wb.save(named)

    def click(path: Path) -> tuple[openpyxl.Workbook, list[dict[str, Any]]]:
        values = openpyxl.load_workbook(path, data_only=True)
        return run_remote(openpyxl.load_workbook(path), excel.validate_all, book_name=path.name, values_from=values)

    book, _ = click(named)
    assert book["项目1"]["D24"].comment is not None and "降为" in book["项目1"]["D24"].comment.text
    assert book["项目3"]["D14"].comment is not None
    # A cover naming a file that is not there: a Chinese message, no marks written.
    wb[layout.COVER_SHEET][layout.COVER_FIELD["history"].value_cell] = "不存在.duckdb"
    wb.save(named)
    _, events = click(named)
    alerts = [e["args"][0] for e in events if e["func"] == "alert"]
    assert len(alerts) == 1 and "历史库" in alerts[0] and "B10" in alerts[0]
    # The lean unit install (no duckdb) with an archive named on the cover that has no sidecar beside it: a
    # Chinese message saying what to install.
    alone = tmp_path / "alone.duckdb"
    shutil.copyfile(db, alone)
    wb[layout.COVER_SHEET][layout.COVER_FIELD["history"].value_cell] = str(alone)
    wb.save(named)
    _without_duckdb(monkeypatch)
    _, events = click(named)
    alerts = [e["args"][0] for e in events if e["func"] == "alert"]
    assert len(alerts) == 1 and "需要 duckdb" in alerts[0]


def test_a_renamed_project_is_compared_through_its_previous_name(tmp_path: Path) -> None:
    last = Unit(name="单位", year=2020, projects=[_project("旧名称", ("参会人数", ">=500人"))])
    renamed = _project("新名称", ("参会人数", ">=300人"), previous_name="旧名称")
    assert _findings(tmp_path, last, Unit(name="单位", year=2021, projects=[renamed])) == [
        ("history.target-lowered", "D18")
    ]
    (tmp_path / "h.duckdb").unlink()
    typo = _project("新名称", ("参会人数", ">=300人"), previous_name="旧明称")
    assert _findings(tmp_path, last, Unit(name="单位", year=2021, projects=[typo])) == [
        ("history.previous-missing", "D13")
    ]


@pytest.mark.parametrize("rs_name", ["shanghai-2020", "national"])
def test_every_history_rule_has_its_cases_here(rs_name: str) -> None:
    from xlgoals.core.ruleset import load_ruleset

    # The two against last year's 自评 have theirs in tests/test_selfeval_archive.py.
    here = "".join(
        (Path(__file__).parent / name).read_text(encoding="utf-8")
        for name in (Path(__file__).name, "test_selfeval_archive.py")
    )
    codes = {r.code for r in load_ruleset(rs_name).rules if r.code.startswith("history.")}
    assert len(codes) == 10 and all(f'"{code}"' in here for code in codes)
