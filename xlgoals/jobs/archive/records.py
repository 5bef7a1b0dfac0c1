"""One workbook as archive rows: plain tuples a worker process can send back, no database needed to build them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlgoals.core.model import Unit
from xlgoals.jobs.rollup import project_key
from xlgoals.validation.findings import Report

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


def _blank_none(text: str) -> str | None:
    return text.strip() or None


def record_of(unit: Unit, report: Report, *, sha256: str, size: int | None, path: str) -> Record:
    """The archive rows of a unit as read from `path`, with the report its rule set gave."""
    name = unit.name.strip()
    key: Row = (sha256, unit.year, name or None, _blank_none(unit.department), path)
    counts = report.counts()
    per_project = report.per_project()
    projects: list[Row] = []
    indicators: list[Row] = []
    for p in unit.projects:
        c = per_project.get(project_key(p), {})
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
            )
        )
        for i, ind in enumerate(p.indicators, start=1):
            t = ind.target
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
    )
    return Record(
        sha256, name, unit.year, unit_row, {"projects": projects, "indicators": indicators, "findings": findings}
    )
