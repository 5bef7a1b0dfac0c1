"""Grid sources: text in any of the layouts offices publish, or a sheet's cells, as one stream of cells."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from xlgoals.core.values import GridValue, cell_text, shown_text

if TYPE_CHECKING:
    import opencc


@dataclass(frozen=True)
class ImportNote:
    """A line (or part of one) the importer could not place; `reason` is Chinese for the budget officer."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Cell:
    """One cell's text; `row` groups the cells of one table row, `line` is where a note points."""

    text: str
    line: int
    row: int
    where: str = ""


_OPEN = "([（【〔《“‘"
_CLOSE = ")]）】〕》”’"
_PIPES_ONLY = re.compile(r"^[\s|]*\|[\s|]*$")
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
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        if _PIPES_ONLY.match(raw):
            row += 1
            open_pipe_row = True
            continue
        if "\t" in raw:
            parts = [cell_text(p) for p in raw.split("\t")]
        elif "|" in raw:
            parts = [cell_text(p) for p in raw.split("|")]
            if open_pipe_row:
                # A cell of a row printed one cell per line: same row as the lines before it.
                cells.extend(Cell(p, number, row) for p in parts if p)
                continue
        else:
            parts = split_words(raw)
            open_pipe_row = False
        row += 1
        cells.extend(Cell(p, number, row) for p in parts if p)
    return cells


def cells_from_grid(grid: Sequence[Sequence[GridValue]], sheet: str) -> list[Cell]:
    """Cells of a worksheet, row by row; notes point at the sheet's row."""
    from xlgoals.core import layout

    cells: list[Cell] = []
    for r, values in enumerate(grid, start=1):
        for c, value in enumerate(values, start=1):
            text = simplified(shown_text(value))
            if text:
                cells.append(Cell(text, r, r, f"{sheet}!{layout.address(r, c)}"))
    return cells
