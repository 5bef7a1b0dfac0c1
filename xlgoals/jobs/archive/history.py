"""Last year's declaration of a unit, from the archive, as the model the year-over-year checks compare with."""

from __future__ import annotations

import os
from pathlib import Path

from xlgoals.core import layout
from xlgoals.core.errors import XlgoalsError
from xlgoals.core.model import Unit
from xlgoals.core.targets import DEFAULT_QUALITATIVE
from xlgoals.jobs.archive.schema import connect
from xlgoals.jobs.archive.units import unit_in
from xlgoals.validation.rules.registry import History


def last_year(db: str | os.PathLike[str], unit: Unit, words: frozenset[str] = DEFAULT_QUALITATIVE) -> History:
    """The current archived declaration of the same unit (same name) for the year before, and its 自评 of that year
    where stored; previous=None without a declaration."""
    path = os.fspath(db)
    if unit.year is None or not unit.name.strip():
        return History(path, None)
    con = connect(path, read_only=True)
    try:
        previous = unit_in(con, unit.name, unit.year - 1, "declaration", words)
        selfeval = unit_in(con, unit.name, unit.year - 1, "selfeval", words)
    finally:
        con.close()
    return History(path, previous, selfeval)


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
