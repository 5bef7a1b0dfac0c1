"""A button's click on a workbook file through xlwings' remote engine, and what the user then sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from tests.builders.xlbridge import run_remote


def remote_click(path: Path, entry: Any, **kwargs: Any) -> tuple[openpyxl.Workbook, list[dict[str, Any]]]:
    wb = openpyxl.load_workbook(path)
    return run_remote(
        wb, entry, book_name=path.name, values_from=openpyxl.load_workbook(path, data_only=True), **kwargs
    )


def visible_content(wb: openpyxl.Workbook) -> dict[tuple[str, str], tuple[object, ...]]:
    """What a user sees per cell: value, fill colour, note text and link; plus each sheet's visibility."""
    out: dict[tuple[str, str], tuple[object, ...]] = {}
    for ws in wb.worksheets:
        out[(ws.title, "")] = (ws.sheet_state,)
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None
                note = c.comment.text if c.comment else None
                link = c.hyperlink.location if c.hyperlink else None
                if c.value is not None or fill or note or link:
                    out[(ws.title, c.coordinate)] = (c.value, fill, note, link)
    return out


def alerts_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["args"][0] for e in events if e["func"] == "alert"]
