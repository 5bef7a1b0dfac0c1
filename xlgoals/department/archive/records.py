"""One workbook as archive rows: plain tuples a worker process can send back, no database needed to build them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlgoals.core.model import Unit, is_selfeval
from xlgoals.unit.rollup import project_key
from xlgoals.validation.findings import Report

if TYPE_CHECKING:
    from xlgoals.core.ruleset import RuleSet
    from xlgoals.core.scoring import ProjectScore

Row = tuple[Any, ...]

# Every table starts with these: the stored file (its content hash and path), and what partitions and joins need.
KEY_COLUMNS = ("sha256", "year", "unit", "department", "file")
UNIT_COLUMNS = (
    *KEY_COLUMNS,
    "framework",
    "contact",
    "phone",
    "file_name",
    "size",
    "projects",
    "indicators",
    "errors",
    "warnings",
    "infos",
    # Schema 3: a declaration (申报) or a self-evaluation (自评) workbook.
    "kind",
)
PROJECT_COLUMNS = (
    *KEY_COLUMNS,
    "sheet",
    "name",
    "previous_name",
    "category",
    "start_date",
    "end_date",
    "gov_purchase",
    "perf_type",
    "budget_total",
    "budget_year",
    "last_year_budget",
    "last_year_executed",
    "indicators",
    "errors",
    "warnings",
    "infos",
    "overview",
    "basis",
    "necessity",
    "safeguards",
    "plan",
    "goals",
    # The national form's own fields (schema 2); 主管部门 of the project sheet, beside the cover's `department`.
    "project_department",
    "implementer",
    "manager",
    "phone",
    "goals_overall",
    "budget_fiscal",
    "budget_other",
    # Schema 3: the self-evaluation (自评) of the project, scored by the rule set.
    "form",
    "budget_initial",
    "budget_adjusted",
    "budget_executed",
    "execution_rate",
    "execution_points",
    "execution_score",
    "total_score",
    "printed_total_score",
    "goals_achieved",
    "execution_reason",
)
INDICATOR_COLUMNS = (
    *KEY_COLUMNS,
    "sheet",
    "project",
    "position",
    "level1",
    "level2",
    "name",
    "value",
    "kind",
    "operator",
    "number",
    "target_unit",
    "cell",
    # Schema 3: the indicator's 自评 (actual, reason, the points that count, the share achieved, the score).
    "actual",
    "reason",
    "points",
    "achieved",
    "score",
    "printed_score",
)
FINDING_COLUMNS = (
    *KEY_COLUMNS,
    "sheet",
    "project",
    "cell",
    "code",
    "severity",
    "message",
    "value",
)
TABLES: dict[str, tuple[str, ...]] = {
    "projects": PROJECT_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "findings": FINDING_COLUMNS,
}


@dataclass
class Record:
    """Everything the archive keeps of one read workbook: its unit row and its projects, indicators, findings."""

    sha256: str
    unit_name: str
    year: int | None
    unit: Row
    rows: dict[str, list[Row]] = field(default_factory=dict)
    # 'declaration' or 'selfeval': a 自评 supersedes only the same unit's earlier 自评 of the year.
    kind: str = "declaration"


def _blank_none(text: str) -> str | None:
    return text.strip() or None


_POINT = Decimal("0.0001")


def _points(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_POINT)


def _fraction(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def record_of(
    unit: Unit, report: Report, *, sha256: str, size: int | None, path: str, ruleset: RuleSet | None = None
) -> Record:
    """The archive rows of a unit as read from `path`, with the report its rule set gave (and, for 自评
    projects, the scores that rule set gives)."""
    from xlgoals.core.scoring import score_project

    name = unit.name.strip()
    kind = "selfeval" if any(is_selfeval(p) for p in unit.projects) else "declaration"
    key: Row = (sha256, unit.year, name or None, _blank_none(unit.department), path)
    counts = report.counts()
    per_project = report.per_project()
    projects: list[Row] = []
    indicators: list[Row] = []
    for p in unit.projects:
        c = per_project.get(project_key(p), {})
        score: ProjectScore | None = score_project(p, ruleset) if ruleset is not None and is_selfeval(p) else None
        projects.append(
            (
                *key,
                p.sheet,
                p.name,
                _blank_none(p.previous_name),
                _blank_none(p.category),
                p.start,
                p.end,
                p.gov_purchase,
                _blank_none(p.perf_type),
                p.budget_total,
                p.budget_year,
                p.last_year_budget,
                p.last_year_executed,
                len(p.indicators),
                c.get("error", 0),
                c.get("warning", 0),
                c.get("info", 0),
                p.overview,
                p.basis,
                p.necessity,
                p.safeguards,
                p.plan,
                p.goals,
                _blank_none(p.department),
                _blank_none(p.implementer),
                _blank_none(p.manager),
                _blank_none(p.phone),
                _blank_none(p.goals_overall),
                p.budget_fiscal,
                p.budget_other,
                _blank_none(p.form),
                p.budget_initial,
                p.budget_adjusted,
                p.budget_executed,
                *(
                    (
                        _fraction(score.execution.rate),
                        _points(score.execution.points),
                        score.execution.score,
                        score.total,
                    )
                    if score is not None
                    else (None, _points(p.execution_points), None, None)
                ),
                p.total_score,
                _blank_none(p.goals_achieved),
                _blank_none(p.execution_reason),
            )
        )
        for i, ind in enumerate(p.indicators, start=1):
            t = ind.target
            s = score.indicators[i - 1] if score is not None else None
            indicators.append(
                (
                    *key,
                    p.sheet,
                    p.name,
                    i,
                    ind.level1,
                    ind.level2,
                    ind.name,
                    ind.value,
                    t.kind.value if t is not None else None,
                    t.operator.value if t is not None and t.operator is not None else None,
                    float(t.number) if t is not None and t.number is not None else None,
                    t.unit if t is not None else None,
                    ind.cells.get("target"),
                    _blank_none(ind.actual),
                    _blank_none(ind.reason),
                    _points(s.points if s is not None else ind.points),
                    _fraction(s.fraction) if s is not None else None,
                    s.score if s is not None else None,
                    ind.score,
                )
            )
    findings = [
        (*key, f.sheet, f.project, f.cell, f.code, f.severity.value, f.message, f.value) for f in report.findings
    ]
    unit_row: Row = (
        *key,
        _blank_none(unit.framework),
        _blank_none(unit.contact),
        _blank_none(unit.phone),
        Path(path).name,
        size,
        len(unit.projects),
        len(indicators),
        counts["error"],
        counts["warning"],
        counts["info"],
        kind,
    )
    return Record(
        sha256,
        name,
        unit.year,
        unit_row,
        {"projects": projects, "indicators": indicators, "findings": findings},
        kind,
    )
