"""Write-backs made ours and the openpyxl way (benchmarks/naive_writeback.py), and what openpyxl sees of each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

from benchmarks import naive_writeback
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.rollup import roll_up
from xlgoals.unit.summarysheet import write_back as rollup_write_back
from xlgoals.validation.writeback import write_back

Writer = Callable[[Path, Path], None]


def ours(src: Path, out: Path) -> None:
    checked = check_file(src)
    write_back(src, out, checked.report, checked.ruleset.title, checked.grids)


def ours_rollup(src: Path, out: Path) -> None:
    checked = check_file(src)
    rollup_write_back(src, out, roll_up(checked.unit, checked.report, checked.ruleset), grids=checked.grids)


def seen_by_openpyxl(path: Path) -> dict[str, Any]:
    """What openpyxl sees of a workbook: per cell value, fill, font, format, alignment, note and link; per sheet
    its state, effective row heights, widths, merges, panes, validations, conditional formats, print setup."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None
                note = (c.comment.text, c.comment.author) if c.comment else None
                link = (c.hyperlink.location, c.hyperlink.tooltip) if c.hyperlink else None
                look = (c.font.name, c.font.b, c.font.color.rgb if c.font.color else None, c.number_format)
                # Excel's defaults said or left unsaid (openpyxl reads a cell it made for a note as unstyled).
                align = (
                    None if c.alignment.horizontal == "general" else c.alignment.horizontal,
                    None if c.alignment.vertical == "bottom" else c.alignment.vertical,
                    bool(c.alignment.wrap_text),
                )
                if c.value is not None or fill or note or link:
                    cells[c.coordinate] = (c.value, fill, note, link, look, align)
        default = ws.sheet_format.defaultRowHeight or 15
        heights = {r: ws.row_dimensions[r].height or default for r in range(1, ws.max_row + 1)}
        sheets[ws.title] = {
            "state": ws.sheet_state,
            "cells": cells,
            "heights": heights,
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1) for dv in ws.data_validations.dataValidation),
            "conditional": sorted(
                (str(rng.sqref), rule.type, tuple(rule.formula or ()))
                for rng in ws.conditional_formatting
                for rule in rng.rules
            ),
            "print": (ws.print_title_rows, ws.print_area, ws.page_setup.orientation, ws.auto_filter.ref),
            "hidden rows": [r for r, d in ws.row_dimensions.items() if d.hidden],
            "header": (ws.oddHeader.left.text, ws.oddHeader.left.size),
            "charts": len(ws._charts),
        }
    return {"order": wb.sheetnames, "sheets": sheets, "active": wb.active.title if wb.active else None}


def both_ways(src: Path, tmp: Path, mine: Writer, theirs: Writer, suffix: str = ".xlsx") -> tuple[Path, Path]:
    a, b = tmp / f"{src.stem}_ours{suffix}", tmp / f"{src.stem}_naive{suffix}"
    mine(src, a)
    theirs(src, b)
    return a, b


def as_the_openpyxl_way(src: Path, tmp: Path, kind: str) -> dict[str, Any]:
    """`kind` ('validate' or 'rollup') written back ours and the openpyxl way reads the same, once and again on
    its own output (the last run's marks cleared and marked anew, 汇总 replaced where it stood); what was seen."""
    mine, theirs = (ours, naive_writeback.validate) if kind == "validate" else (ours_rollup, naive_writeback.rollup)
    a, b = both_ways(src, tmp, mine, theirs)
    seen = seen_by_openpyxl(a)
    assert seen == seen_by_openpyxl(b)
    (tmp / "again").mkdir()
    a2, b2 = both_ways(a, tmp / "again", mine, theirs)
    assert seen_by_openpyxl(a2) == seen_by_openpyxl(b2)
    return seen
