"""Two years of the sample: the 2020 declaration and its 自评 stored in an archive, the 2021 declaration beside them."""

from __future__ import annotations

from pathlib import Path

from tests.builders.paths import SAMPLE_TXT as SAMPLE
from xlgoals.core.model import SELFEVAL_FORM, Unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.core.targets import parse_target
from xlgoals.department.archive.ingest import add_paths
from xlgoals.importing.importer import import_file
from xlgoals.workbooks.selfevalbook import write_selfeval_workbook
from xlgoals.workbooks.template import write_unit

# 项目1's actuals for 2020 (as tests/builders/selfeval_sample.py fills them): 邀请演讲专家数 72 of >=80 and
# 研讨会议程活动完成率 90% of >=95 missed, 参会观众数 620 of >=500 exceeded; the others as their targets.
ACTUALS = [
    *("100", "达成", "规范", "部分达成", "达成", "72", "620", "3", "达成", "90%", "达成", "85", "达成", "达成"),
    *("部分达成", "3"),
]


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


def declaration_2021() -> Unit:
    """2021: 参会观众数 set at >=600 (below the 620 achieved), the missed 完成率 and the met 专业媒体数 dropped."""
    unit = import_file(SAMPLE).unit
    unit.year = 2021
    p1 = unit.projects[0]
    audience = next(i for i in p1.indicators if i.name == "参会观众数")
    audience.value, audience.target = ">=600", parse_target(">=600", audience.name)
    p1.indicators = [i for i in p1.indicators if i.name not in ("研讨会议程活动完成率(%)", "专业媒体数")]
    return unit


def stored_2020(root: Path) -> tuple[Path, Path, Path]:
    """In `root`: the 2020 declaration and its 自评 stored in an archive, and the 2021 declaration beside them;
    the 自评 workbook, the 2021 workbook and the archive."""
    declared, selfeval, next_year = root / "2020.xlsx", root / "2020_自评.xlsx", root / "2021.xlsx"
    write_unit(import_file(SAMPLE).unit, declared)
    write_selfeval_workbook(selfeval_2020(), load_ruleset("shanghai-2020"), selfeval)
    write_unit(declaration_2021(), next_year)
    db = root / "xlgoals.duckdb"
    summary, _ = add_paths([declared, selfeval], db, jobs=1)
    assert (summary.added, summary.superseded) == (2, 0)  # a declaration and its 自评 are both current
    return selfeval, next_year, db
