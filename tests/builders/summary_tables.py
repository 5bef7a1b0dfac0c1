"""The department summary's sheets as tests read them: the table under each sheet's title block."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from xlgoals.core import layout

HEADER_ROW = layout.SUMMARY_TABLE_HEADER_ROW


_SAVED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def saved_at(path: Path, moment: str | None) -> None:
    """Rewrite the workbook's own record of when it was last saved (docProps/core.xml); None leaves none."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = _SAVED.sub(rb"\g<1>" + moment.encode() + rb"\g<2>", data) if moment else _SAVED.sub(b"", data)
            zf.writestr(info, data)


_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?")


def amount(text: str) -> Decimal:
    """'94,104,200' or '+43.52%' as a number."""
    m = _NUMBER.search(text)
    assert m is not None, text
    return Decimal(m.group().replace(",", ""))


def title(text: Any) -> Any:
    """A header cell as the column's title: a long title breaks before its unit on the sheet ('…\\n（元）')."""
    return text.replace("\n", "") if isinstance(text, str) else text


def table(path: Path, name: str) -> list[tuple[Any, ...]]:
    """The sheet's header (titles joined again) and rows, below the title block."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [tuple(r) for r in wb[name].iter_rows(min_row=HEADER_ROW, values_only=True)]
    finally:
        wb.close()
    if not rows:
        return rows
    return [tuple(title(t) for t in rows[0]), *rows[1:]]


def records(path: Path, name: str) -> list[dict[str, Any]]:
    header, *rows = table(path, name)
    return [dict(zip(header, r, strict=True)) for r in rows]
