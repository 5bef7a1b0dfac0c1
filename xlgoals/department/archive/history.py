"""Last year's declaration and 自评 of a unit from the archive, as the models the year-over-year checks compare with."""

from __future__ import annotations

import os
from pathlib import Path

from xlgoals.core import layout
from xlgoals.core.errors import XlgoalsError
from xlgoals.core.model import Unit
from xlgoals.core.targets import DEFAULT_QUALITATIVE
from xlgoals.department.archive import sidecar
from xlgoals.department.archive.schema import connect
from xlgoals.department.archive.units import current_rows, unit_of
from xlgoals.validation.rules.registry import History


def last_year(db: str | os.PathLike[str], unit: Unit, words: frozenset[str] = DEFAULT_QUALITATIVE) -> History:
    """The current archived declaration of the same unit (same name) for the year before, and its 自评 of that year
    where stored; previous=None without a declaration.

    Read from the archive's sidecar when it is in step with the archive (no duckdb needed), else from the
    archive itself: the same rows either way (department/archive/sidecar.py)."""
    path = os.fspath(db)
    if unit.year is None or not unit.name.strip():
        return History(path, None)
    key = (unit.name.strip(), unit.year - 1)
    found = sidecar.read(path, *key)
    if found is None:
        con = connect(path, read_only=True)
        try:
            found = current_rows(con, [key]).get(key, {})
        finally:
            con.close()
    previous, selfeval = (found.get(kind) for kind in ("declaration", "selfeval"))
    return History(
        path,
        None if previous is None else unit_of(previous, words),
        None if selfeval is None else unit_of(selfeval, words),
    )


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
