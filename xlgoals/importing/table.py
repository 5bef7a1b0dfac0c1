"""The indicator table's rows, level by level, whether or not the source kept its rows."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from xlgoals.importing.cells import SECTION, Cell
from xlgoals.importing.columns import column_of
from xlgoals.importing.header import Header
from xlgoals.importing.labels import find_label, key
from xlgoals.importing.levels import (
    SCORE_ONLY,
    level1_name,
    level2_name,
    reads_as_level1,
    split_score,
    truncated,
)
from xlgoals.importing.rows import NUMBER, OPERATOR_CELL, RowContext, looks_like_value, place
from xlgoals.importing.titles import page_mark, title

_LEVELS = ("level1", "level2")


@dataclass
class Row:
    """One indicator row: its levels, its name cell and its other cells by column (Column.slot)."""

    level1: str
    level2: str
    name: Cell | None
    cells: dict[str, Cell] = field(default_factory=dict)
    pos: int = 0  # the stream reader's next column after the name
    other: list[str] = field(default_factory=list)
    # The level cells printed on this row (or just above it), not carried over from an earlier row.
    printed1: bool = False
    printed2: bool = False
    first: Cell | None = None

    @property
    def value(self) -> Cell | None:
        return self.cells.get("target")

    @property
    def line(self) -> int:
        cell = self.first or self.name or self.value
        return cell.line if cell is not None else 0


@dataclass
class TableResult:
    rows: list[Row] = field(default_factory=list)
    scores: dict[str, str] = field(default_factory=dict)
    # Page furniture met inside the table (page marks, a repeated title or heading): skipped, and reported.
    stray: list[Cell] = field(default_factory=list)
    # Cells of a row that held neither a name nor a value (a level's row of scoring rules): reported.
    unplaced: list[tuple[Cell, str]] = field(default_factory=list)
    # The last cell read when the text stops mid-row: where a cut-off table ends.
    cut_at: Cell | None = None
    consumed: int = 0


def _heading(text: str) -> bool:
    found = find_label(text)
    return found is not None and found[0].target == "heading" and not found[2] and "指标" in key(text)


class _Reader:
    def __init__(self, cells: list[Cell], header: Header, per_row: Counter[int]) -> None:
        self.cells = cells
        self.header = header
        self.per_row = per_row
        self.result = TableResult()
        self.level1 = self.level2 = ""
        self.printed1 = self.printed2 = False
        self.row: Row | None = None
        self.ctx = RowContext(header.columns)
        # Whether the source kept this table's rows: then a numbered sentence alone on a line ends it.
        self.kept_rows = False

    # -- rows ---------------------------------------------------------------------------------------------

    def flush(self) -> None:
        if self.row is not None:
            self.result.rows.append(self.row)
            self.row = None

    def new_row(self, name: Cell | None, first: Cell) -> Row:
        row = Row(self.level1, self.level2, name, printed1=self.printed1, printed2=self.printed2, first=first)
        self.printed1 = self.printed2 = False
        return row

    def set_level1(self, text: str, nxt: Cell | None) -> int:
        """Take a level-1 cell; the number of cells used (a weight wrapped into the next cell)."""
        name, score = split_score(text)
        used = 1
        if not score and nxt is not None and SCORE_ONLY.match(nxt.text):
            score, used = split_score(name + nxt.text)[1], 2
        self.level1 = level1_name(name) or name
        self.level2 = ""
        if score:
            self.result.scores[self.level1] = score
        self.printed1 = True
        return used

    def set_level2(self, text: str) -> None:
        l2 = level2_name(text) or key(text)
        self.level2 = l2 if not self.level1.endswith("指标") or not level2_name(l2 + "指标") else l2 + "指标"
        self.printed2 = True

    def marked(self, cell: Cell) -> bool:
        """Whether the source kept this cell's row: a few cells, no more than the header's width allows."""
        return 2 <= self.per_row[cell.row] <= self.header.width + 2

    # -- a row the source kept ----------------------------------------------------------------------------

    def read_marked(self, row_cells: list[Cell]) -> None:
        self.flush()
        self.kept_rows = True
        joined = _joined(row_cells)
        placed, other = place(joined, self.ctx)
        columns = self.header.columns
        by_part: dict[str, Cell] = {}
        row_cells_by_slot: dict[str, Cell] = {}
        for j, cell in sorted(placed.items()):
            by_part.setdefault(columns[j].part, cell)
            row_cells_by_slot[columns[j].slot] = cell
        if "level1" in by_part:
            self.set_level1(by_part["level1"].text, None)
        if "level2" in by_part:
            self.set_level2(by_part["level2"].text)
        name = by_part.get("name")
        values = {s: c for s, c in row_cells_by_slot.items() if s not in ("level1", "level2", "name")}
        if name is None and "target" not in values:
            kept = [c for s, c in values.items() if s not in ("project", "seq")]
            for cell in [*kept, *other]:
                self.result.unplaced.append((cell, _no_indicator(self.level1, self.level2)))
            if "project" in values:
                self.row = self.new_row(None, row_cells[0])
                self.row.cells.update(values)
                self.flush()
            return
        row = self.new_row(name, row_cells[0])
        row.cells.update(values)
        row.other = [c.text for c in other]
        self.row = row
        self.flush()

    # -- cells without rows -------------------------------------------------------------------------------

    def read_stream(self, i: int, stop: Callable[[Cell], bool]) -> int:
        """Read the cell at i (and a wrapped one after it) in a text that kept no rows; the next index."""
        cells = self.cells
        cell = cells[i]
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        text = cell.text
        # A name wrapped over two cells: '经济效益' / '指标'.
        if (
            nxt is not None
            and level2_name(nxt.text) is None
            and level1_name(nxt.text) is None
            and (level2_name(text + nxt.text) or level1_name(text + nxt.text)) is not None
        ):
            text, i = text + nxt.text, i + 1
            nxt = cells[i + 1] if i + 1 < len(cells) else None
        l1 = level1_name(text)
        l2 = level2_name(text)
        if l1 is not None and l2 is not None and not reads_as_level1(text, nxt.text if nxt is not None else None):
            l1 = None
        if l1 is not None:
            self.flush()
            return i + self.set_level1(text, nxt)
        national = self.level2.endswith(("指标", "目标")) and not key(text).endswith(("指标", "目标"))
        if l2 is not None and national and self.row is None and nxt is not None and looks_like_value(nxt.text):
            # Right after a level-2 and before a value, a shorter form's level-2 word is the indicator's name:
            # '服务对象满意度指标 / 满意度 / ≥90%' (but '数量指标 / 质量指标 / 88100' is the next level-2).
            l2 = None
        if l2 is not None:
            self.flush()
            self.set_level2(text)
            return i + 1
        if self.row is None or not self._place(self.row, cell, nxt, stop):
            self.flush()
            if _FIGURES_ONLY.match(cell.text):
                # A bare number where a name should stand: figures run together ('88100'), no indicator.
                self.result.unplaced.append((cell, _NO_NAME))
                return i + 1
            self.row = self.new_row(cell, cell)
        return i + 1

    def _place(self, row: Row, cell: Cell, nxt: Cell | None, stop: Callable[[Cell], bool]) -> bool:
        """Put `cell` in the row's next column that can hold it; False when it starts the next row."""
        columns = self.header.after_name
        while row.pos < len(columns):
            column = columns[row.pos]
            row.pos += 1
            if column.part != "target" and not _fits(column.kind, cell, nxt, stop):
                continue  # that column was left blank
            row.cells[column.slot] = cell
            return True
        return False


def _fits(kind: str, cell: Cell, nxt: Cell | None, stop: Callable[[Cell], bool]) -> bool:
    """Whether a cell can be the content of a column of this kind, when rows are not marked."""
    text = cell.text
    if kind == "number":
        return bool(NUMBER.match(text))
    if kind == "operator":
        return bool(OPERATOR_CELL.fullmatch(text))
    if kind == "unit":
        return len(text) <= 8 and not any(ch.isdigit() for ch in text) and not (level2_name(text) or level1_name(text))
    if kind == "prose":
        # Without row boundaries a sentence column is only taken when the next cell cannot be a value.
        return nxt is None or level1_name(nxt.text) is not None or level2_name(nxt.text) is not None or stop(nxt)
    return True


def _joined(cells: list[Cell]) -> list[Cell]:
    """A row's cells with a level name wrapped over two cells ('社会效益' / '指标') and a level-1's weight
    printed in the next cell ('产出指标' / '(50分)') joined."""
    out: list[Cell] = []
    for cell in cells:
        if out:
            last = out[-1]
            both = last.text + cell.text
            wrapped = level2_name(cell.text) is None and level1_name(cell.text) is None
            if (wrapped and (level2_name(both) or level1_name(both))) or (
                level1_name(last.text) and SCORE_ONLY.match(cell.text)
            ):
                out[-1] = Cell(both, last.line, last.row, last.where)
                continue
        out.append(cell)
    return out


# Digits alone ('88100', '88100…'): figures, no name.
_FIGURES_ONLY = re.compile(r"^[0-9][0-9.,]*[…。.]*$")
_NO_NAME = "指标名称处只有数字（可能是几列数字连在一起），无法确定指标名称和指标值，未导入"


def _starts_another(text: str) -> bool:
    found = find_label(text)
    return found is not None and found[0].target in ("noise", "project.name")


def _no_indicator(level1: str, level2: str) -> str:
    where = "／".join(x for x in (level1, level2) if x)
    return f"“{where}”这一行没有指标名称和指标值，这些内容未导入" if where else "这一行没有指标名称和指标值，未导入"


def read_table(
    cells: list[Cell],
    header: Header,
    stop: Callable[[Cell], bool],
    skip: Callable[[Cell], bool] = lambda cell: page_mark(cell.text),
    per_row: Counter[int] | None = None,
) -> TableResult:
    """Rows from cells[header.end:] until `stop(cell)` says the table ended; cells may or may not mark rows.

    A column that repeats one text row after row (计划标准, 未达指标值酌情扣分) is read twice: the second time its
    text is never taken for a name or a value where a row left out the cells before it."""
    per_row = per_row if per_row is not None else Counter(c.row for c in cells)
    first = _read(cells, header, stop, skip, per_row, {})
    repeated = _repeated(first, header)
    return _read(cells, header, stop, skip, per_row, repeated) if repeated else first


def _repeated(result: TableResult, header: Header) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for column in header.columns:
        if column.part != "extra" or column.kind not in ("prose", "value"):
            continue
        counts = Counter(r.cells[column.slot].text for r in result.rows if column.slot in r.cells)
        texts = frozenset(t for t, n in counts.items() if n >= 2 and len(t) >= 4 and not looks_like_value(t))
        if texts:
            out[column.slot] = texts
    return out


def _read(
    cells: list[Cell],
    header: Header,
    stop: Callable[[Cell], bool],
    skip: Callable[[Cell], bool],
    per_row: Counter[int],
    repeated: dict[str, frozenset[str]],
) -> TableResult:
    reader = _Reader(cells, header, per_row)
    reader.ctx.boilerplate = repeated
    result = reader.result
    i = header.end
    while i < len(cells):
        cell = cells[i]
        if stop(cell):
            break
        if skip(cell) or _heading(cell.text):
            result.stray.append(cell)
            i += 1
            continue
        again = column_of(cell.text)
        if again is not None and again.part in (*_LEVELS, "name") and again in header.columns:
            # The header printed again after a page break: it and its columns are not rows.
            i += 1
            while i < len(cells) and column_of(cells[i].text) is not None:
                i += 1
            continue
        starts_row = i == header.end or cells[i - 1].row != cell.row
        if starts_row and reader.kept_rows and per_row[cell.row] == 1 and SECTION.match(cell.text):
            break  # '3.分析评价申报内容是否…' alone on its line after the table's rows: the report goes on
        if starts_row and reader.marked(cell):
            j = i
            while j < len(cells) and cells[j].row == cell.row and not stop(cells[j]) and not skip(cells[j]):
                j += 1
            reader.read_marked(cells[i:j])
            i = j
            continue
        nxt = cells[i + 1].text if i + 1 < len(cells) else ""
        if (
            reader.row is None
            and truncated(cell.text)
            and not (level1_name(cell.text + nxt) or level2_name(cell.text + nxt))
        ):
            result.cut_at = cell  # '数量指': the copy was cut inside a level's name; what follows is not this table
            break
        i = reader.read_stream(i, stop)
    result.consumed = i
    row = reader.row
    if result.cut_at is not None:
        reader.flush()
        return result
    # The text ends, or another table or page begins, right after a name: the stored copy was cut there.
    cut = i >= len(cells) or title(cells[i].text) is not None or _starts_another(cells[i].text)
    if row is not None:
        if row.value is None and not row.cells and cut:
            result.cut_at = row.name
        else:
            result.rows.append(row)
    elif i >= len(cells) and (reader.printed1 or reader.printed2) and i > header.end:
        # The text ends on a level's name: the rest of the table is missing.
        result.cut_at = cells[i - 1]
    return result
