"""Last year's declaration of a unit, from the archive, as the model the year-over-year checks compare with."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from xlgoals.core import layout
from xlgoals.core.errors import XlgoalsError
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import DEFAULT_QUALITATIVE, parse_target_cached
from xlgoals.jobs.archive import sidecar
from xlgoals.jobs.archive.schema import connect
from xlgoals.validation.rules.registry import History


def last_year(db: str | os.PathLike[str], unit: Unit, words: frozenset[str] = DEFAULT_QUALITATIVE) -> History:
    """The current archived version of the same unit (same name) for the year before; previous=None without one.

    Read from the archive's sidecar when it is in step with the archive (no duckdb needed), else from the
    archive itself: the same rows either way (jobs/archive/sidecar.py)."""
    path = os.fspath(db)
    if unit.year is None or not unit.name.strip():
        return History(path, None)
    key = (unit.name.strip(), unit.year - 1)
    found = sidecar.read(path, *key)
    if found is None:
        con = connect(path, read_only=True)
        try:
            found = sidecar.declarations(con, [key]).get(key, sidecar.MISSING)
        finally:
            con.close()
    if isinstance(found, sidecar.Missing):
        return History(path, None)
    return History(path, _declared(found, words))


def _declared(found: sidecar.Declaration, words: frozenset[str]) -> Unit:
    projects: dict[str | None, Project] = {}
    for sheet, name, previous_name, total, year_budget, last_budget, executed in found.projects:
        projects[sheet] = Project(
            sheet=sheet,
            name=name or "",
            previous_name=previous_name or "",
            budget_total=_money(total),
            budget_year=_money(year_budget),
            last_year_budget=_money(last_budget),
            last_year_executed=_money(executed),
        )
    for sheet, level1, level2, name, value in found.indicators:
        project = projects.get(sheet)
        if project is not None:
            project.indicators.append(
                Indicator(
                    level1=level1,
                    level2=level2,
                    name=name,
                    value=value,
                    target=parse_target_cached(value, name, words),
                )
            )
    _, year, unit_name, department = found.unit
    return Unit(name=unit_name or "", year=year, department=department or "", projects=[*projects.values()])


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def cover_archive(unit: Unit, book_path: str | None) -> Path | None:
    """The archive a cover's 历史库 names; a relative path is taken from the workbook's folder."""
    text = unit.history.strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.is_absolute() and book_path:
        path = Path(book_path).parent / path
    if not path.is_file():
        raise XlgoalsError(
            f"单位信息表“历史库”填写的文件“{text}”不存在，"
            "请改为历史库文件（如 xlgoals.duckdb）的完整路径，或清空该格。",
            sheet=layout.COVER_SHEET,
            cell=layout.COVER_FIELD["history"].value_cell,
        )
    return path
