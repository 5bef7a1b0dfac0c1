"""The recogniser: walk a stream of cells, find titles, labels and indicator tables, and build the unit from them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from xlgoals.core.model import Indicator, Unit
from xlgoals.core.targets import DEFAULT_QUALITATIVE, parse_target
from xlgoals.core.values import ParseError
from xlgoals.jobs.importing.cells import Cell, ImportNote, split_words
from xlgoals.jobs.importing.fields import FieldPlacer, LabelItem
from xlgoals.jobs.importing.labels import find_label, key
from xlgoals.jobs.importing.table import header_part, read_table
from xlgoals.jobs.importing.titles import ends_table, page_mark, title, year_only

_SECTION = re.compile(r"(?:(?P<y>[0-9]{4})年度?)?(?:项目)?绩效目标")


class _Recogniser(FieldPlacer):
    def __init__(self, unit: Unit, words: frozenset[str]) -> None:
        super().__init__(unit)
        self.words = words
        self.subjects: dict[int, str] = {}
        # Titles printed again at a page's top inside a table.
        self.page_headers: set[Cell] = set()
        self.per_row: Counter[int] | None = None

    # -- the walk ---------------------------------------------------------------------------------------

    def repeats_title(self, cell: Cell) -> bool:
        """A title printed again at the top of a page inside a project's table, not the next project's."""
        return cell in self.page_headers

    def skips_in_table(self, cell: Cell) -> bool:
        return page_mark(cell.text) or self.repeats_title(cell)

    def find_page_headers(self, cells: list[Cell]) -> None:
        """Titles that repeat an earlier one and are not followed by a project's fields: page headers."""
        seen: set[str] = set()
        for i, cell in enumerate(cells):
            if title(cell.text) is None:
                continue
            k = key(cell.text)
            if k in seen:
                j = i + 1
                while j < len(cells) and (year_only(cells[j].text) is not None or title(cells[j].text) is not None):
                    j += 1
                found = find_label(cells[j].text) if j < len(cells) else None
                if found is None or found[0].target in ("noise", "heading"):
                    self.page_headers.add(cell)
            seen.add(k)

    def stops_table(self, cell: Cell) -> bool:
        if self.skips_in_table(cell):
            return False
        if ends_table(cell.text) or title(cell.text) is not None:
            return True
        found = find_label(cell.text)
        return found is not None and found[0].target in ("project.name", "noise", "unit.name")

    def walk(self, cells: list[Cell]) -> None:
        self.find_page_headers(cells)
        i = 0
        while i < len(cells):
            cell = cells[i]
            if self._header(cells, i) is not None:
                i = self._table(cells, i)
                continue
            found = find_label(cell.text)
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            joined = find_label(cell.text + nxt.text) if nxt is not None else None
            if (
                joined is not None
                and not joined[2]
                and nxt is not None
                and (found is None or find_label(nxt.text) is None)
            ):
                # A label wrapped over two cells: '年度主要目标' / '和成果'.
                found, cell = joined, Cell(cell.text + nxt.text, cell.line, cell.row, cell.where)
                i += 1
            if found is not None:
                label, unit, inline = found
                if label.target == "project.name" and self.project is not None and self.project.name:
                    self.new_project()
                item = LabelItem(cell, label, unit)
                if inline and label.target != "noise":
                    item.values.append(Cell(inline, cell.line, cell.row, cell.where))
                if label.target == "noise":
                    self.note(cell, "页面信息（来源、日期、浏览量等），不属于绩效目标表，已跳过")
                self.run.append(item)
                i += 1
                continue
            t = title(cell.text)
            if t is not None:
                self.resolve()
                if self.repeats_title(cell):
                    self.note(cell, "重复的标题（分页处的页眉），已忽略")
                    i += 1
                    continue
                if self.project is not None and self.project.indicators:
                    self.new_project()
                project = self.current()
                project.form = project.form or t.form
                if t.subject:
                    self.subjects.setdefault(id(project), t.subject)
                if t.year is not None:
                    self._year(t.year, cell)
                i += 1
                continue
            m = _SECTION.fullmatch(key(cell.text))
            if m is not None:
                # '2020年绩效目标': the indicator table's section title, its year the table's.
                self.resolve()
                if m["y"]:
                    self._year(int(m["y"]), cell)
                i += 1
                continue
            if page_mark(cell.text):
                self.note(cell, "疑似页码，已忽略")
                i += 1
                continue
            y = year_only(cell.text)
            if y is not None:
                self._year(y, cell)
                i += 1
                continue
            if self.run:
                self.run[-1].values.append(cell)
            else:
                self.note(cell, "不是字段、标题或指标表的内容，未导入")
            i += 1
        self.resolve()

    def _year(self, year: int, cell: Cell) -> None:
        if self.unit.year is None:
            self.unit.year = year
        elif self.unit.year != year:
            self.note(cell, f"年度与前文（{self.unit.year}年度）不一致，已保留前文")

    def _header(self, cells: list[Cell], i: int) -> tuple[int, list[str]] | None:
        """(index after the header, its columns after the name) when cells[i:] open an indicator header."""
        parts: list[str] = []
        j = i
        while j < len(cells):
            part = header_part(cells[j].text)
            if part is None and j + 1 < len(cells):
                # A header cell wrapped over two cells: '一级' / '指标'.
                part = header_part(cells[j].text + cells[j + 1].text)
                if part is not None:
                    j += 1
            if part is None or part in parts:
                break
            parts.append(part)
            j += 1
        if not {"level1", "level2", "name", "target"} <= set(parts):
            return None
        return j, [p for p in parts[parts.index("name") + 1 :] if p not in ("level1", "level2")]

    def _table(self, cells: list[Cell], i: int) -> int:
        header = self._header(cells, i)
        assert header is not None
        start, columns = header
        self.resolve()
        project = self.current()
        stop: Callable[[Cell], bool] = self.stops_table
        if self.per_row is None:
            self.per_row = Counter(c.row for c in cells)
        result = read_table(cells, start, columns, stop, self.skips_in_table, self.per_row)
        for row in result.rows:
            value = row.value.text if row.value is not None else ""
            extra = row.extra
            indicator = Indicator(level1=row.level1, level2=row.level2, name=row.name.text, value=value, extra=extra)
            try:
                indicator.target = parse_target(_with_columns(value, extra), indicator.name, self.words)
            except ParseError:
                indicator.target = None
            project.indicators.append(indicator)
        project.level1_scores.update(result.scores)
        for cell in result.stray:
            self.note(cell, "疑似页码，已忽略" if page_mark(cell.text) else "重复的标题（分页处的页眉），已忽略")
        if result.cut_at is not None:
            self.note(result.cut_at, "文本在指标表中间中断：此处之后的内容缺失，已保留之前的指标")
        return result.consumed

    def finish(self) -> None:
        for project in self.unit.projects:
            if not project.name and id(project) in self.subjects:
                project.name = self.subjects[id(project)]
        self.unit.projects = [p for p in self.unit.projects if p.name or p.indicators]
        first = self.unit.projects[0] if self.unit.projects else None
        if first is not None:
            self.unit.department = self.unit.department or first.department
            self.unit.name = self.unit.name or first.implementer or first.department
        self.notes = _merged(self.notes)


_OPERATOR_COLUMNS = ("指标方向", "指标性质", "运算符号", "指标值类型")
_UNIT_COLUMNS = ("计量单位", "度量单位", "单位")


def _with_columns(value: str, extra: dict[str, str]) -> str:
    """A bare number with its comparison and unit from their own columns: '95' + '≥' + '%' -> '≥95%'."""
    if not value or not value[0].isdigit():
        return value
    op = next((extra[c] for c in _OPERATOR_COLUMNS if c in extra and extra[c][:1] in "<>=≥≤＜＞＝"), "")
    unit = next((extra[c] for c in _UNIT_COLUMNS if c in extra), "")
    if unit and value[-1:].isdigit():
        value += unit
    return op + value


def _merged(notes: list[ImportNote]) -> list[ImportNote]:
    """Unplaced words of one line, for one reason, as one note: a line is what a person looks for."""
    out: list[ImportNote] = []
    for n in sorted(notes, key=lambda n: n.line):
        last = out[-1] if out else None
        if last is not None and last.line == n.line and last.reason == n.reason:
            out[-1] = ImportNote(n.line, f"{last.text} {n.text}", n.reason)
        else:
            out.append(n)
    return out


def _pre_split(cells: list[Cell]) -> list[Cell]:
    """A sheet cell holding 'label:value label:value' is several cells."""
    out: list[Cell] = []
    for cell in cells:
        words = split_words(cell.text)
        labelled = sum(1 for w in words if find_label(w) is not None)
        if len(words) > 1 and (labelled >= 2 or (labelled and find_label(cell.text) is None)):
            out.extend(Cell(w, cell.line, cell.row, cell.where) for w in words)
        else:
            out.append(cell)
    return out


def recognise(
    cells: list[Cell], source: str, *, qualitative_words: frozenset[str] = DEFAULT_QUALITATIVE
) -> tuple[Unit, list[ImportNote]]:
    """The unit in a published table's cells, and every cell that could not be placed."""
    from xlgoals.jobs.importing.frameworks import framework_of

    unit = Unit(source=source)
    r = _Recogniser(unit, qualitative_words)
    r.walk(_pre_split(cells))
    r.finish()
    unit.framework = framework_of(unit)
    _place_on_sheets(unit)
    return unit, r.notes


def _place_on_sheets(unit: Unit) -> None:
    """Header fields point where the unit workbook will hold them, so findings name the right cells."""
    from xlgoals.core import layout
    from xlgoals.validation.ruleset import builtin_named

    rs = builtin_named(unit.framework)
    fields = layout.project_fields(rs.form if rs is not None else "shanghai")
    for project in unit.projects:
        project.cells = {spec.key: spec.value_cell for spec in fields}
