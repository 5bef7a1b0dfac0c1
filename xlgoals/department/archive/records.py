"""One workbook as archive rows: plain tuples a worker process can send back, no database needed to build them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlgoals.core.model import Unit, is_selfeval
from xlgoals.department.archive.units import INDICATOR_FIELDS, PROJECT_FIELDS
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
# The columns that hold a field of the model come in their tables' order (units.py keeps the one map).
assert [c for c in PROJECT_COLUMNS if c in PROJECT_FIELDS] == [*PROJECT_FIELDS]
assert [c for c in INDICATOR_COLUMNS if c in INDICATOR_FIELDS] == [*INDICATOR_FIELDS]
# Text fields stored as NULL when blank; the project's long texts (and its name and sheet) are kept as written.
_BLANK_AS_NULL = frozenset(
    {
        "previous_name",
        "category",
        "perf_type",
        "project_department",
        "implementer",
        "manager",
        "phone",
        "goals_overall",
        "form",
        "goals_achieved",
        "execution_reason",
        "actual",
        "reason",
    }
)


def _stored(fields: dict[str, str], item: object) -> dict[str, Any]:
    """The field columns of a project or an indicator as stored."""
    out = {}
    for column, name in fields.items():
        value = getattr(item, name)
        out[column] = _blank_none(value) if column in _BLANK_AS_NULL else value
    return out


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
    keys = dict(zip(KEY_COLUMNS, key, strict=True))
    counts = report.counts()
    per_project = report.per_project()
    projects: list[Row] = []
    indicators: list[Row] = []
    for p in unit.projects:
        c = per_project.get(project_key(p), {})
        score: ProjectScore | None = score_project(p, ruleset) if ruleset is not None and is_selfeval(p) else None
        computed = (
            {
                "execution_rate": _fraction(score.execution.rate),
                "execution_points": _points(score.execution.points),
                "execution_score": score.execution.score,
                "total_score": score.total,
            }
            if score is not None
            else {"execution_rate": None, "execution_points": _points(p.execution_points)}
        )
        project = {
            **keys,
            **_stored(PROJECT_FIELDS, p),
            "indicators": len(p.indicators),
            "errors": c.get("error", 0),
            "warnings": c.get("warning", 0),
            "infos": c.get("info", 0),
            "execution_score": None,
            "total_score": None,
            **computed,
        }
        projects.append(tuple(project[column] for column in PROJECT_COLUMNS))
        for i, ind in enumerate(p.indicators, start=1):
            t = ind.target
            s = score.indicators[i - 1] if score is not None else None
            indicator = {
                **keys,
                **_stored(INDICATOR_FIELDS, ind),
                "sheet": p.sheet,
                "project": p.name,
                "position": i,
                "kind": t.kind.value if t is not None else None,
                "operator": t.operator.value if t is not None and t.operator is not None else None,
                "number": float(t.number) if t is not None and t.number is not None else None,
                "target_unit": t.unit if t is not None else None,
                "cell": ind.cells.get("target"),
                "points": _points(s.points if s is not None else ind.points),
                "achieved": _fraction(s.fraction) if s is not None else None,
                "score": s.score if s is not None else None,
            }
            indicators.append(tuple(indicator[column] for column in INDICATOR_COLUMNS))
    findings = [
        (*key, f.sheet, f.project, f.cell, f.code, f.severity.value, f.message, f.value) for f in report.findings
    ]
    unit_row = {
        **keys,
        "framework": _blank_none(unit.framework),
        "contact": _blank_none(unit.contact),
        "phone": _blank_none(unit.phone),
        "file_name": Path(path).name,
        "size": size,
        "projects": len(unit.projects),
        "indicators": len(indicators),
        "errors": counts["error"],
        "warnings": counts["warning"],
        "infos": counts["info"],
        "kind": kind,
    }
    return Record(
        sha256,
        name,
        unit.year,
        tuple(unit_row[column] for column in UNIT_COLUMNS),
        {"projects": projects, "indicators": indicators, "findings": findings},
        kind,
    )
