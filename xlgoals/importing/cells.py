"""Grid sources: text in any of the layouts offices publish, or a sheet's cells, as one stream of cells."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from xlgoals.core.values import GridValue, cell_text, shown_text
from xlgoals.importing.titles import page_mark

if TYPE_CHECKING:
    import opencc


@dataclass(frozen=True)
class ImportNote:
    """A line (or part of one) and what became of it; `reason` is Chinese for the budget officer.

    `kind` is 'unplaced' for text that was not imported, 'info' for what the import did with text it did
    import (a level name mapped to the framework, a unit taken from elsewhere, pinyin glosses removed)."""

    line: int
    text: str
    reason: str
    kind: str = "unplaced"


def note_of(cell: Cell, reason: str, kind: str = "unplaced") -> ImportNote:
    """A note about a cell, naming its sheet cell where it came from a workbook."""
    text = f"{cell.where}：{cell.text}" if cell.where else cell.text
    return ImportNote(cell.line, text, reason, kind)


@dataclass(frozen=True)
class Cell:
    """One cell's text; `row` groups the cells of one table row, `line` is where a note points."""

    text: str
    line: int
    row: int
    where: str = ""
    # Set off by '|', a tab or a sheet's cell border: a table cell, not a word of a line split at its spaces.
    boxed: bool = False


_OPEN = "([（【〔《“‘"
_CLOSE = ")]）】〕》”’"
_PIPES_ONLY = re.compile(r"^[\s|]*\|[\s|]*$")
# The number of a numbered line: '（一）', '(1)', '二、', '1、', '3.'.
ENUMERATOR = re.compile(r"(?:[(（]?[一二三四五六七八九十]{1,3}[)）、.．]|[(（][0-9]{1,2}[)）]|[0-9]{1,2}[、.．])\s*")
# A numbered heading of a report: '3.分析评价申报内容…', '(三)项目自评步骤及方法', '二、项目资金…'.
SECTION = re.compile(ENUMERATOR.pattern + r"\S{6,}")
_LEADING_PIPE = re.compile(r"^\s*\|[^|]*$")
_BRACKET_ONLY = re.compile(r"^[(（][^()（）]*[)）]$")


@cache
def _converter() -> opencc.OpenCC:
    import opencc  # loaded on the first non-ASCII text only: a validation click never needs it

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters read as simplified (萬 -> 万, 項目 -> 项目); simplified text is unchanged."""
    if text.isascii():
        return text
    result: str = _converter().convert(text)
    return result


# Only ASCII-letter tag names: '<=30天' is a target value, not markup.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:[\s/][^<>\n]*)?>")


def _without_markup(text: str) -> str:
    """Tags leaked from a web page or PDF extractor become spaces; entities their characters."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    return html.unescape(text) if "&" in text else text


def split_words(text: str) -> list[str]:
    """Whitespace-separated words, except inside brackets: '数量( ≥**个 )' stays one word."""
    words: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if ch.isspace() and depth == 0:
            if current:
                words.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        words.append("".join(current))
    # A bracket on its own qualifies the word before it: '资金情况 (万元)'.
    out: list[str] = []
    for word in words:
        if out and _BRACKET_ONLY.match(word) and not re.search(r"[0-9]{4}年", word):
            out[-1] += word
        else:
            out.append(word)
    return out


def cells_from_text(text: str) -> list[Cell]:
    """Cells of a text in any layout: tabs, '|' cells, runs of spaces, one cell per line, or one long line.

    A line of tabs or '|' is a row of cells; a line of only '|' closes a row whose cells were printed one
    per line (web tables copied as text). Elsewhere a line is a row of whitespace-separated words.
    """
    text = simplified(_without_markup(text.replace("\r\n", "\n").replace("\r", "\n")))
    cells: list[Cell] = []
    row = 0
    open_pipe_row = False
    # A row printed as its first cell, then '| cell' lines: a line without a pipe inside it continues a cell.
    leading_pipes = False
    last = ""
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        previous, last = last, raw
        if _PIPES_ONLY.match(raw):
            # A lone '|' right after a cell ('— |') is a blank cell of that row, not the row's end.
            if not (
                open_pipe_row
                and raw.strip() == "|"
                and previous.rstrip().endswith("|")
                and previous.strip() != "|"
                and not _PIPES_ONLY.match(previous)
            ):
                row += 1
            open_pipe_row = True
            leading_pipes = False
            continue
        if _LEADING_PIPE.match(raw) or (leading_pipes and "|" not in raw and "\t" not in raw):
            if not leading_pipes:
                # The row's first cell was printed without a pipe before it: a table cell all the same.
                cells = [replace(c, boxed=True) if c.row == row else c for c in cells]
            leading_pipes = True
            part = cell_text(raw.replace("|", "", 1))
            if part:
                cells.append(Cell(part, number, max(row, 1), boxed=True))
            continue
        if "\t" in raw:
            parts = [cell_text(p) for p in raw.split("\t")]
        elif "|" in raw:
            parts = [cell_text(p) for p in raw.split("|")]
            if open_pipe_row:
                # A cell of a row printed one cell per line: same row as the lines before it.
                cells.extend(Cell(p, number, row, boxed=True) for p in parts if p)
                continue
        else:
            # '第 3 页' and '- 3 -' are one mark however they are spaced.
            parts = [raw.strip()] if page_mark(raw) else split_words(raw)
            open_pipe_row = False
        row += 1
        boxed = "\t" in raw or "|" in raw
        cells.extend(Cell(p, number, row, boxed=boxed) for p in parts if p)
    return cells


def cells_from_grid(grid: Sequence[Sequence[GridValue]], sheet: str) -> list[Cell]:
    """Cells of a worksheet, row by row; notes point at the sheet's row."""
    from xlgoals.core import layout

    cells: list[Cell] = []
    for r, values in enumerate(grid, start=1):
        for c, value in enumerate(values, start=1):
            text = simplified(shown_text(value))
            if text:
                cells.append(Cell(text, r, r, f"{sheet}!{layout.address(r, c)}", boxed=True))
    return cells
