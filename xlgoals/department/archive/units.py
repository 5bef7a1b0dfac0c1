"""A stored workbook back as the model: a unit's declaration or 自评 of a year, every field; the 自评 made from it."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import DEFAULT_QUALITATIVE, parse_target_cached
from xlgoals.department.archive.schema import connect
from xlgoals.unit.selfeval import Buttons, SelfevalBook, write_selfeval

if TYPE_CHECKING:
    import duckdb

# The archive's columns that hold a field of the model (column → field), in their table's order: records.record_of
# stores the model through them and unit_of reads it back through them, the one map between the archive's layout
# and the model (the tables' other columns are keys, counts and scores, computed).
PROJECT_FIELDS: dict[str, str] = {
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
INDICATOR_FIELDS: dict[str, str] = {
    "level1": "level1",
    "level2": "level2",
    "name": "name",
    "value": "value",
    "actual": "actual",
    "reason": "reason",
    "points": "points",
    "printed_score": "score",
}
# The rows a stored unit is rebuilt from, in the order it reads them: its current version, its projects in stored
# order, its indicators by sheet and position. One query for the archive and for its sidecar (sidecar.py), which
# keeps these rows: a change of columns or order is a change of the sidecar's format.
UNIT_COLUMNS = "sha256, year, unit, department, framework, contact, phone, kind"
PROJECT_COLUMNS = ", ".join(PROJECT_FIELDS)
INDICATOR_COLUMNS = ", ".join(("sheet", *INDICATOR_FIELDS))
ORDERS = ("rowid", "sheet, position, rowid")

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Stored:
    """The rows of one stored workbook: its version's row (UNIT_COLUMNS), its projects' and its indicators'."""

    unit: Row
    projects: list[Row]
    indicators: list[Row]


def current_rows(
    con: duckdb.DuckDBPyConnection, keys: Collection[tuple[str, int]] | None = None
) -> dict[tuple[str, int], dict[str, Stored]]:
    """The rows of the current declaration and 自评 ('declaration', 'selfeval') of each (unit, year) (of every
    one for None): the one way the model, the sidecar's writer and a reader without the sidecar take them.
    Keys with nothing current are left out."""
    if keys is not None and not keys:
        return {}
    if keys is None:
        wanted, params = "SELECT DISTINCT unit, year FROM current_units", []
    else:
        wanted = "VALUES " + ", ".join("(?, ?)" for _ in keys)
        params = [value for key in keys for value in key]
    units = con.execute(
        f"WITH wanted(unit, year) AS ({wanted}) SELECT {UNIT_COLUMNS}, seq FROM current_units"
        " JOIN wanted USING (unit, year) ORDER BY seq",
        params,
    ).fetchall()
    latest = {(row[2], row[1], row[7]): tuple(row[:-1]) for row in units}  # ascending seq: the last one stands
    by_sha: dict[str, tuple[list[Row], list[Row]]] = {row[0]: ([], []) for row in latest.values()}
    for index, (table, columns, order) in enumerate(
        (("projects", PROJECT_COLUMNS, ORDERS[0]), ("indicators", INDICATOR_COLUMNS, ORDERS[1]))
    ):
        rows = con.execute(
            f"SELECT sha256, {columns} FROM {table} WHERE sha256 IN (SELECT UNNEST(?)) ORDER BY sha256, {order}",
            [list(by_sha)],
        ).fetchall()
        for row in rows:
            by_sha[row[0]][index].append(tuple(row[1:]))
    found: dict[tuple[str, int], dict[str, Stored]] = {}
    for (name, year, kind), row in latest.items():
        found.setdefault((name, year), {})[kind] = Stored(row, *by_sha[row[0]])
    return found


def _value(field: str, value: Any) -> Any:
    if value is None:
        return Project.model_fields[field].get_default() if field in Project.model_fields else None
    return Decimal(value) if isinstance(value, Decimal) else value


def unit_of(found: Stored, words: frozenset[str] = DEFAULT_QUALITATIVE) -> Unit:
    """The model of a stored workbook from its rows."""
    projects: dict[str | None, Project] = {}
    for row in found.projects:
        values = {field: _value(field, v) for field, v in zip(PROJECT_FIELDS.values(), row, strict=True)}
        projects[values["sheet"]] = Project(**{k: v for k, v in values.items() if v is not None or k == "sheet"})
    for sheet, *cells in found.indicators:
        project = projects.get(sheet)
        if project is None:
            continue
        values = dict(zip(INDICATOR_FIELDS.values(), cells, strict=True))
        values = {k: ("" if v is None and k not in ("points", "score") else v) for k, v in values.items()}
        target = parse_target_cached(values["value"], values["name"], words)
        project.indicators.append(Indicator(**values, target=target))
    _, year, unit_name, department, framework, contact, phone, _ = found.unit
    return Unit(
        name=unit_name or "",
        year=year,
        department=department or "",
        framework=framework or "",
        contact=contact or "",
        phone=phone or "",
        projects=[*projects.values()],
    )


def unit_in(
    con: duckdb.DuckDBPyConnection, name: str, year: int, kind: str, words: frozenset[str] = DEFAULT_QUALITATIVE
) -> Unit | None:
    """The current stored `kind` ('declaration' or 'selfeval') of unit `name` for `year`, as the model."""
    key = (name.strip(), year)
    found = current_rows(con, [key]).get(key, {}).get(kind)
    return None if found is None else unit_of(found, words)


def stored_unit(
    db: str | os.PathLike[str], name: str, year: int, kind: str, words: frozenset[str] = DEFAULT_QUALITATIVE
) -> Unit | None:
    """unit_in, on an archive opened read-only for the question."""
    con = connect(db, read_only=True)
    try:
        return unit_in(con, name, year, kind, words)
    finally:
        con.close()


def selfeval_from_archive(
    db: str | os.PathLike[str],
    year: int,
    unit_name: str,
    out: str | os.PathLike[str],
    rules: str | None = None,
    buttons: Buttons | None = None,
) -> SelfevalBook:
    """The archive's current declaration of `unit_name` for `year` as its 自评 workbook."""
    from xlgoals.io.outputs import check_output

    check_output(Path(out), [Path(db)])
    unit = stored_unit(db, unit_name, year, "declaration")
    if unit is None:
        raise XlgoalsError(
            f"历史库中没有“{unit_name}”{year} 年度的申报；"
            f"可用 xlgoals archive list --db {os.fspath(db)} 查看已存的单位和年度。",
            file=os.fspath(db),
        )
    return write_selfeval(unit, out, rules, buttons or Buttons())
