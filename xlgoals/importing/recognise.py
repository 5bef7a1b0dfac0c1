"""The recogniser: walk a stream of cells, find titles, labels and indicator tables, and build the unit from them."""

from __future__ import annotations

import re
from collections import Counter

from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import DEFAULT_QUALITATIVE
from xlgoals.importing.cells import Cell, ImportNote, split_words
from xlgoals.importing.fields import FieldPlacer, LabelItem
from xlgoals.importing.glued import unglue
from xlgoals.importing.header import Header, header_at, implicit_header
from xlgoals.importing.indicators import indicator
from xlgoals.importing.labels import Label, find_label, fragment, key
from xlgoals.importing.merged import settle
from xlgoals.importing.money import Head, Line, heads_at, read_block
from xlgoals.importing.settle import add_stated, department, map_levels, settle_money
from xlgoals.importing.table import Row, read_table
from xlgoals.importing.titles import DEPARTMENT, ends_table, page_mark, title, year_only

# Labels that end an indicator table where they stand: the form goes on past it.
_ENDS_TABLE = frozenset({"project.name", "noise", "unit.name", "extra", "signoff", "project.total_score"})
_SECTION = re.compile(r"(?:(?P<y>[0-9]{4})年度?)?(?:项目)?绩效目标")


class _Recogniser(FieldPlacer):
    def __init__(self, unit: Unit, words: frozenset[str]) -> None:
        super().__init__(unit)
        self.words = words
        self.subjects: dict[int, str] = {}
        # Titles printed again at a page's top inside a table.
        self.page_headers: set[Cell] = set()
        self.per_row: Counter[int] | None = None
        # Each imported indicator with the line it came from: where a note about it points.
        self.lines: list[tuple[Indicator, int]] = []
        # The row of the last sign-off label (填表人 …): a 联系电话 on it is the signer's.
        self.signoff_row = -1
        # Where a table cut out of a glued text ends: the text after its last row.
        self.ends: set[Cell] = set()
        # A flat table's project columns as their project's first row printed them.
        self.flat_first: dict[tuple[int, str], str] = {}

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
        if cell in self.ends:
            return True
        if self.skips_in_table(cell):
            return False
        if ends_table(cell.text) or title(cell.text) is not None:
            return True
        found = find_label(cell.text)
        return found is not None and found[0].target in _ENDS_TABLE

    def walk(self, cells: list[Cell]) -> None:
        self.find_page_headers(cells)
        i = 0
        while i < len(cells):
            cell = cells[i]
            header = header_at(cells, i) or implicit_header(cells, i)
            if header is not None:
                i = self._table(cells, header)
                continue
            block = heads_at(cells, i)
            if block is not None:
                i = self._money_block(cells, i, *block)
                continue
            if fragment(cell.text):
                self.note(cell, "竖排表头留下的单字（如“总体目标”“绩效指标”的首字），不是内容，已跳过")
                i += 1
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
                if label.target == "signoff":
                    self.signoff_row = cell.row
                elif label.target == "project.phone" and cell.row == self.signoff_row:
                    label = Label("signoff", "phone")  # the phone of whoever signs, not the project's
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
                project.extra.setdefault("原表标题", cell.text)
                # A more particular form ('绩效目标申报表') names it better than a generic '…绩效表' before it.
                project.form = t.form if project.form in ("", "目标表") else project.form
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
            if ends_table(cell.text) and not self.run:
                self.note(cell, "表下的注释或审核栏，不是表中的字段，未导入")
            elif self.run and not ends_table(cell.text):
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

    def _money_block(self, cells: list[Cell], i: int, heads: list[Head], start: int) -> int:
        """A money block under column heads; a total labelled just before the heads takes the figures that
        stand before the block's first line."""
        waiting = self.run[-1] if self.run and self.run[-1].label.kind == "money" and not self.run[-1].values else None
        if waiting is not None:
            self.run.pop()
        self.resolve()
        if self.per_row is None:
            self.per_row = Counter(c.row for c in cells)
        marked = 2 <= self.per_row[cells[i].row] <= len(heads) + 3
        lines, end, loose = read_block(cells, start, heads, marked)
        if waiting is not None:
            if loose:
                lines.insert(0, Line(waiting.cell, waiting.label, list(zip(heads, loose, strict=False))))
                loose = loose[len(heads) :]
            else:
                self.run.append(waiting)
                self.resolve()
        self.place_block(lines, loose, "", len(heads))
        return end

    def _table(self, cells: list[Cell], header: Header) -> int:
        self.resolve()
        project = self.current()
        if self.per_row is None:
            self.per_row = Counter(c.row for c in cells)
        result = read_table(cells, header, self.stops_table, self.skips_in_table, self.per_row)
        settle(result.rows)
        flat = frozenset(c.slot for c in header.columns if c.part in ("project", "field", "money"))
        if any(c.part == "actual" or c.part == "score" for c in header.columns):
            project.form = project.form or "自评表"
        for row in result.rows:
            if flat:
                project = self._flat_project(row, header, project)
            if row.name is None and not row.level2:
                for cell in row.cells.values():
                    self.note(cell, "这一行只有指标值等内容，没有指标名称，也没有二级指标可作名称，未导入")
                continue
            if row.name is None and row.value is not None:
                self.note(row.value, f"这一行的三级指标为空，以二级指标“{row.level2}”作为指标名称导入", "info")
            ind = indicator(row, self.words, flat)
            self.lines.append((ind, row.line))
            project.indicators.append(ind)
        project.level1_scores.update(result.scores)
        for cell in result.stray:
            self.note(cell, "疑似页码，已忽略" if page_mark(cell.text) else "重复的标题（分页处的页眉），已忽略")
        for cell, reason in result.unplaced:
            self.note(cell, reason)
        if result.cut_at is not None:
            self.note(result.cut_at, "文本在指标表中间中断：此处之后的内容缺失，已保留之前的指标")
        if not result.rows:
            at = cells[min(header.end, len(cells)) - 1]
            self.note(at, "这张指标表有表头，但读不出任何一条指标（指标名称或指标值为空，或数字连在一起）", "info")
        return result.consumed

    def _flat_project(self, row: Row, header: Header, project: Project) -> Project:
        """A flat table of several projects: a row naming another project starts it; its columns fill it."""
        name = row.cells.get("project")
        if name is not None and project.indicators and name.text != project.name:
            form = project.form
            self.new_project()
            project = self.current()
            project.form = form  # the table's title is every project's
        for column in header.columns:
            cell = row.cells.get(column.slot)
            if cell is None or column.part not in ("project", "field", "money"):
                continue
            field = (column.field or "project.name").removeprefix("project.")
            if getattr(project, field, None) not in (None, ""):
                # Printed again on each of the project's rows: the first row's is the project's.
                first = self.flat_first.setdefault((id(project), column.header), cell.text)
                if cell.text != first:
                    self.note(cell, f"同一项目各行的“{column.header}”不一致，已保留第一行的“{first}”")
                continue
            self.flat_first[(id(project), column.header)] = cell.text
            kind = "money" if column.part == "money" else "text"
            label = Label(column.field or "project.name", kind)
            self.apply(LabelItem(Cell(column.header, cell.line, cell.row), label, column.unit), [cell])
        return project

    def finish(self) -> None:
        for project in self.unit.projects:
            if not project.name and id(project) in self.subjects:
                project.name = self.subjects[id(project)]
            if project.form.startswith(DEPARTMENT):
                self.notes.append(department(self.unit, project))
        self.unit.projects = [p for p in self.unit.projects if p.name or p.indicators]
        first = self.unit.projects[0] if self.unit.projects else None
        if first is not None:
            self.unit.department = self.unit.department or first.department
            self.unit.name = self.unit.name or first.implementer or first.department
        self.notes = _merged(self.notes)


def _merged(notes: list[ImportNote]) -> list[ImportNote]:
    """Unplaced words of one line, for one reason, as one note: a line is what a person looks for."""
    out: list[ImportNote] = []
    for n in sorted(notes, key=lambda n: n.line):
        last = out[-1] if out else None
        if last is not None and last.line == n.line and last.reason == n.reason and last.kind == n.kind:
            out[-1] = ImportNote(n.line, f"{last.text} {n.text}", n.reason, n.kind)
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
    from xlgoals.importing.frameworks import framework_of

    unit = Unit(source=source)
    r = _Recogniser(unit, qualitative_words)
    written = list(cells)
    cells, r.ends = unglue(_pre_split(cells))
    r.walk(cells)
    r.finish()
    notes = r.notes
    notes += add_stated(unit, written, qualitative_words)
    unit.framework = framework_of(unit)
    notes += settle_money(unit, r.pending, r.own_funds, " ".join(c.text for c in cells))
    notes += map_levels(unit, {id(ind): line for ind, line in r.lines})
    _place_on_sheets(unit)
    return unit, _merged(notes)


def _place_on_sheets(unit: Unit) -> None:
    """Header fields point where the unit workbook will hold them, so findings name the right cells."""
    from xlgoals.core import layout
    from xlgoals.core.ruleset import builtin_named

    rs = builtin_named(unit.framework)
    fields = layout.project_fields(rs.form if rs is not None else "shanghai")
    for project in unit.projects:
        project.cells = {spec.key: spec.value_cell for spec in fields}
