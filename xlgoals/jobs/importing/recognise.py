"""The recogniser: walk a stream of cells, place labelled fields, titles and indicator tables in the model."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.schedules import parse_period
from xlgoals.core.targets import DEFAULT_QUALITATIVE, parse_target
from xlgoals.core.values import ParseError, parse_date
from xlgoals.jobs.importing.cells import Cell, ImportNote, split_words
from xlgoals.jobs.importing.labels import Label, find_label, key, money
from xlgoals.jobs.importing.table import header_part, read_table
from xlgoals.jobs.importing.titles import ends_table, page_mark, title, year_only

# Cells that name no field and hold none of the table: the sign-off block, stamps, page furniture.
_SIGN_OFF = frozenset({"(盖章)", "盖章", "-", "/"})
_YES_NO = {"是": True, "否": False}
_SECTION = re.compile(r"(?:(?P<y>[0-9]{4})年度?)?(?:项目)?绩效目标")
_PHONE = re.compile(r"(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")


@dataclass
class _Item:
    """A label and the cells that followed it."""

    cell: Cell
    label: Label
    unit: str
    values: list[Cell] = field(default_factory=list)


class _Recogniser:
    def __init__(self, unit: Unit, words: frozenset[str]) -> None:
        self.unit = unit
        self.words = words
        self.notes: list[ImportNote] = []
        self.project: Project | None = None
        self.money_unit = ""
        self.run: list[_Item] = []
        self.subjects: dict[int, str] = {}
        # Titles printed again at a page's top inside a table.
        self.page_headers: set[Cell] = set()
        self.per_row: Counter[int] | None = None

    # -- notes and projects -----------------------------------------------------------------------------

    def note(self, cell: Cell, reason: str) -> None:
        text = f"{cell.where}：{cell.text}" if cell.where else cell.text
        self.notes.append(ImportNote(cell.line, text, reason))

    def current(self) -> Project:
        if self.project is None:
            self.project = Project(money_unit=self.money_unit)
            self.unit.projects.append(self.project)
        return self.project

    def new_project(self) -> None:
        self.resolve()
        self.project = None

    # -- labelled fields --------------------------------------------------------------------------------

    def resolve(self) -> None:
        """Pair the values of a run of labels: a header row of labels is followed by its values in order."""
        run, self.run = self.run, []
        group: list[_Item] = []
        for item in run:
            group.append(item)
            if item.values:
                self._assign(group)
                group = []
        if group:
            self._assign(group)

    def _assign(self, group: list[_Item]) -> None:
        for item in group:
            if item.label.target == "noise":
                for v in item.values:
                    self.note(v, "页面信息（来源、日期、浏览量等），不属于绩效目标表，已跳过")
        fields = [g for g in group if g.label.target not in ("heading", "noise")]
        # A heading's cells fill the labels before it (总体目标 / 年度目标 / 年度总体目标完成情况 over one text);
        # with no label before it they are the heading's own column titles, kept as they are.
        values = [
            v for g in group for v in g.values if g.label.target != "noise" and (fields or g.label.target != "heading")
        ]
        for g in group:
            if g.label.target == "heading" and g.unit:
                self.money_unit = g.unit
                if self.project is not None:
                    self.project.money_unit = g.unit
            if g.label.target == "heading" and g.values and not fields and self.project is not None:
                self.current().extra[key(g.cell.text)] = " ".join(v.text for v in g.values)
        if not fields or not values:
            for g in fields:
                self.apply(g, [])
            return
        if len(values) >= len(fields):
            pairs = [(f, [v]) for f, v in zip(fields[:-1], values, strict=False)]
            pairs.append((fields[-1], values[len(fields) - 1 :]))
        else:
            # Fewer values than labels: the values sit under the last labels that can hold them.
            takers = [f for f in fields if f.label.kind != "money" or any(money(v.text, "") for v in values)]
            takers = takers[-len(values) :] if takers else fields[-len(values) :]
            pairs = [(f, [v]) for f, v in zip(takers[:-1], values, strict=False)]
            pairs.append((takers[-1], values[len(takers) - 1 :]))
        taken = {id(f) for f, _ in pairs}
        for f in fields:
            if id(f) not in taken:
                self.apply(f, [])
        for f, vs in pairs:
            self.apply(f, vs)

    def apply(self, item: _Item, values: list[Cell]) -> None:
        label = item.label
        text = " ".join(v.text for v in values).strip()
        if label.target == "unit.money":
            if text:
                self.money_unit = key(text).removeprefix("金额单位")
                if self.project is not None and not self.project.money_unit:
                    self.project.money_unit = self.money_unit
            return
        if label.target == "unit.name":
            if text and text not in _SIGN_OFF and not self.unit.name:
                self.unit.name = text
            return
        project = self.current()
        if label.target == "extra":
            if text:
                project.extra[key(item.cell.text)] = text
            return
        name = label.target.removeprefix("project.")
        if not text:
            return
        if label.kind == "money":
            unit = item.unit or project.money_unit or self.money_unit
            amount = money(values[0].text, unit)
            if amount is None:
                project.unparsed[name] = text
                return
            setattr(project, name, amount)
            project.money_unit = project.money_unit or unit or "元"
            if len(values) > 1 or not re.fullmatch(r"[0-9,.]+", text):
                project.extra[key(item.cell.text)] = text
            return
        if label.kind in ("date", "yesno"):
            try:
                setattr(project, name, parse_date(text) if label.kind == "date" else _YES_NO[text])
            except (ParseError, KeyError):
                project.unparsed[name] = text
            return
        if label.kind == "period":
            project.extra[key(item.cell.text)] = text
            try:
                period = parse_period(text)
            except ParseError:
                period = None
            if period is not None:
                project.start, project.end = period
            return
        if name == "manager":
            # '项目负责人及电话' holds both: '郭铁梅18932106863'.
            m = _PHONE.search(text)
            if m is not None and m.start() > 0:
                text, project.phone = text[: m.start()].strip(), project.phone or m.group(0)
        current = getattr(project, name)
        if current and current != text:
            self.note(values[0], f"“{key(item.cell.text)}”与前文（{current}）不一致，已保留前文")
            return
        setattr(project, name, text)

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
                item = _Item(cell, label, unit)
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
