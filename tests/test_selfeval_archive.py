"""自评 in the archive: kept beside the declaration with actuals, scores and reasons; the next year's checks against
it; a 自评 workbook made from the archive; an archive of the previous schema migrating on open."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from xlgoals.core.model import SELFEVAL_FORM, Unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.core.targets import parse_target
from xlgoals.department.archive.history import last_year
from xlgoals.department.archive.ingest import add_paths
from xlgoals.department.archive.schema import SCHEMA_VERSION, connect, migrate
from xlgoals.department.archive.store import listing, sql
from xlgoals.importing.importer import import_file
from xlgoals.io.reader import read
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file
from xlgoals.workbooks.selfevalbook import write_selfeval_workbook
from xlgoals.workbooks.template import write_unit

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "002_de489847e14864e5.txt"
# 项目1's actuals for 2020 (as tests/test_selfeval_sample.py fills them): 邀请演讲专家数 72 of >=80 and
# 研讨会议程活动完成率 90% of >=95 missed, 参会观众数 620 of >=500 exceeded; the others as their targets.
ACTUALS = ["100", "达成", "规范", "部分达成", "达成", "72", "620", "3", "达成", "90%", "达成", "85", "达成", "达成"]
ACTUALS += ["部分达成", "3"]


def selfeval_2020() -> Unit:
    unit = import_file(SAMPLE).unit
    for i, project in enumerate(unit.projects, start=1):
        project.form, project.sheet = SELFEVAL_FORM, f"项目{i}"
        project.budget_adjusted = project.budget_executed = project.budget_year
        for ind in project.indicators:
            ind.actual = ind.value  # met, as the target is written
    for ind, actual in zip(unit.projects[0].indicators, ACTUALS, strict=True):
        ind.actual, ind.reason = actual, "原因已说明"
    return unit


def _declaration_2021() -> Unit:
    """2021: 参会观众数 set at >=600 (below the 620 achieved), the missed 完成率 and the met 专业媒体数 dropped."""
    unit = import_file(SAMPLE).unit
    unit.year = 2021
    p1 = unit.projects[0]
    audience = next(i for i in p1.indicators if i.name == "参会观众数")
    audience.value, audience.target = ">=600", parse_target(">=600", audience.name)
    p1.indicators = [i for i in p1.indicators if i.name not in ("研讨会议程活动完成率(%)", "专业媒体数")]
    return unit


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return stored_2020(tmp_path_factory.mktemp("selfeval_archive"))


def stored_2020(root: Path) -> tuple[Path, Path, Path]:
    """In `root`: the 2020 declaration and its 自评 stored in an archive, and the 2021 declaration beside them;
    the 自评 workbook, the 2021 workbook and the archive."""
    declared, selfeval, next_year = root / "2020.xlsx", root / "2020_自评.xlsx", root / "2021.xlsx"
    write_unit(import_file(SAMPLE).unit, declared)
    write_selfeval_workbook(selfeval_2020(), load_ruleset("shanghai-2020"), selfeval)
    write_unit(_declaration_2021(), next_year)
    db = root / "xlgoals.duckdb"
    summary, _ = add_paths([declared, selfeval], db, jobs=1)
    assert (summary.added, summary.superseded) == (2, 0)  # a declaration and its 自评 are both current
    return selfeval, next_year, db


def test_the_archive_keeps_actuals_scores_and_reasons_with_the_year(archive: tuple[Path, Path, Path]) -> None:
    _, _, db = archive
    assert [row[2] for row in listing(db).rows] == ["申报", "自评"]
    rows = sql(
        db,
        "SELECT i.name, i.actual, i.points, i.score, i.reason, i.year FROM current_indicators i "
        "JOIN current_units u USING (sha256) WHERE u.kind = 'selfeval' AND i.sheet = '项目1' ORDER BY i.position",
    ).rows
    assert rows[5] == ("邀请演讲专家数", "72", Decimal("5.0000"), Decimal("4.50"), "原因已说明", 2020)
    totals = sql(db, "SELECT sheet, total_score, execution_rate FROM current_projects WHERE form = '自评表'").rows
    assert totals[0] == ("项目1", Decimal("93.74"), 1.0)  # tests/test_selfeval_sample.py's scores, execution 10


def test_next_years_targets_are_checked_against_last_years_actuals(archive: tuple[Path, Path, Path]) -> None:
    _, next_year, db = archive
    without = {f.model_dump_json() for f in check_file(next_year).report.findings}
    added = [
        (f.code, f.cell, f.message)
        for f in check_file(next_year, history=partial(last_year, db)).report.findings
        if f.model_dump_json() not in without
    ]
    assert [(code, cell) for code, cell, _ in added] == [
        ("history.indicator-dropped", "C23"),  # 专业媒体数: met last year, dropped (its level-2 starts at row 23)
        ("history.indicator-dropped-after-miss", "C23"),  # 研讨会议程活动完成率: missed (90%), then dropped
        ("history.target-below-actual", "D24"),  # 参会观众数 >=600 against 620 achieved
    ]
    assert "专业媒体数" in added[0][2]
    assert "研讨会议程活动完成率(%)" in added[1][2] and "实际“90%”" in added[1][2]
    assert "“>=600”比 2020 年度自评的实际完成值“620”要求更低" in added[2][2]


def test_a_selfeval_workbook_from_the_archive(archive: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, _, db = archive
    out = tmp_path / "自评.xlsx"
    name = import_file(SAMPLE).unit.name
    result = CliRunner().invoke(
        app, ["selfeval", "--from-archive", "--year", "2020", "--unit", name, "--db", str(db), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    unit = read(out)
    assert [p.name for p in unit.projects] == [p.name for p in import_file(SAMPLE).unit.projects]
    assert [len(p.indicators) for p in unit.projects] == [16, 8, 6] and unit.year == 2020
    assert unit.projects[0].budget_initial == Decimal(600000)  # 年初预算数: the declared 当年预算
    missing = CliRunner().invoke(
        app, ["selfeval", "--from-archive", "--year", "2019", "--unit", name, "--db", str(db), "-o", str(out)]
    )
    assert missing.exit_code == 2 and "没有" in missing.output and "2019" in missing.output


def test_an_archive_of_the_previous_schema_migrates_on_open(archive: tuple[Path, Path, Path], tmp_path: Path) -> None:
    selfeval, _, _ = archive
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        assert migrate(con, str(db), upto=SCHEMA_VERSION - 1) == SCHEMA_VERSION - 1
        con.execute("INSERT INTO units (sha256, unit, year, added_at, seq) VALUES ('x', '单位', 2019, now(), 1)")
    connect(db).close()
    assert sql(db, "SELECT unit, kind FROM current_units").rows == [("单位", "declaration")]
    add_paths([selfeval], db, jobs=1)
    assert sorted(r[0] for r in sql(db, "SELECT kind FROM versions").rows) == ["declaration", "selfeval"]
