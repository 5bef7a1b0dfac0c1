"""A stored workbook back as the model: a unit's current declaration or 自评 of a year, with every stored field."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import DEFAULT_QUALITATIVE, parse_target_cached
from xlgoals.jobs.archive.schema import connect

if TYPE_CHECKING:
    import duckdb

# projects' columns -> the model's fields (where the names differ; the archive keeps the cover's 主管部门 as
# `department` and the project sheet's as `project_department`).
_PROJECT = {
    "sheet": "sheet",
    "name": "name",
    "previous_name": "previous_name",
    "category": "category",
    "start_date": "start",
    "end_date": "end",
    "gov_purchase": "gov_purchase",
    "perf_type": "perf_type",
    "budget_total": "budget_total",
    "budget_year": "budget_year",
    "last_year_budget": "last_year_budget",
    "last_year_executed": "last_year_executed",
    "overview": "overview",
    "basis": "basis",
    "necessity": "necessity",
    "safeguards": "safeguards",
    "plan": "plan",
    "goals": "goals",
    "project_department": "department",
    "implementer": "implementer",
    "manager": "manager",
    "phone": "phone",
    "goals_overall": "goals_overall",
    "budget_fiscal": "budget_fiscal",
    "budget_other": "budget_other",
    "form": "form",
    "budget_initial": "budget_initial",
    "budget_adjusted": "budget_adjusted",
    "budget_executed": "budget_executed",
    "execution_points": "execution_points",
    "printed_total_score": "total_score",
    "goals_achieved": "goals_achieved",
    "execution_reason": "execution_reason",
}
_INDICATOR = {
    "level1": "level1",
    "level2": "level2",
    "name": "name",
    "value": "value",
    "actual": "actual",
    "reason": "reason",
    "points": "points",
    "printed_score": "score",
}
_FIND = """SELECT sha256, year, unit, department, framework, contact, phone FROM current_units
WHERE unit = ? AND year = ? AND kind = ? ORDER BY seq DESC"""


def _value(field: str, value: Any) -> Any:
    if value is None:
        return Project.model_fields[field].get_default() if field in Project.model_fields else None
    return Decimal(value) if isinstance(value, Decimal) else value


def unit_in(
    con: duckdb.DuckDBPyConnection, name: str, year: int, kind: str, words: frozenset[str] = DEFAULT_QUALITATIVE
) -> Unit | None:
    """The current stored `kind` ('declaration' or 'selfeval') of unit `name` for `year`, as the model."""
    found = con.execute(_FIND, [name.strip(), year, kind]).fetchone()
    if found is None:
        return None
    sha, year, unit_name, department, framework, contact, phone = found
    columns = ", ".join(_PROJECT)
    projects: dict[str | None, Project] = {}
    for row in con.execute(f"SELECT {columns} FROM projects WHERE sha256 = ? ORDER BY rowid", [sha]).fetchall():
        values = {field: _value(field, v) for field, v in zip(_PROJECT.values(), row, strict=True)}
        projects[values["sheet"]] = Project(**{k: v for k, v in values.items() if v is not None or k == "sheet"})
    columns = ", ".join(_INDICATOR)
    query = f"SELECT sheet, {columns} FROM indicators WHERE sha256 = ? ORDER BY sheet, position"
    for sheet, *cells in con.execute(query, [sha]).fetchall():
        project = projects.get(sheet)
        if project is None:
            continue
        values = dict(zip(_INDICATOR.values(), cells, strict=True))
        values = {k: ("" if v is None and k not in ("points", "score") else v) for k, v in values.items()}
        target = parse_target_cached(values["value"], values["name"], words)
        project.indicators.append(Indicator(**values, target=target))
    return Unit(
        name=unit_name or "",
        year=year,
        department=department or "",
        framework=framework or "",
        contact=contact or "",
        phone=phone or "",
        projects=[*projects.values()],
    )


def stored_unit(
    db: str | os.PathLike[str], name: str, year: int, kind: str, words: frozenset[str] = DEFAULT_QUALITATIVE
) -> Unit | None:
    """unit_in, on an archive opened read-only for the question."""
    con = connect(db, read_only=True)
    try:
        return unit_in(con, name, year, kind, words)
    finally:
        con.close()
