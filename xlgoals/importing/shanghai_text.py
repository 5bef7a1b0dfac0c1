"""The Shanghai declaration's text form (tab-separated cells, labels with colons) read line by line."""

from __future__ import annotations

import re

from xlgoals.core import layout
from xlgoals.core.layout import FieldSpec
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import TargetKind, parse_target
from xlgoals.core.values import ParseError, parse_date, parse_money
from xlgoals.importing.cells import ImportNote
from xlgoals.importing.textlines import (
    BUDGET_SECTION,
    COLUMN_OF,
    DEFAULT_COLUMNS,
    PAGE_MARK,
    TABLE_SECTION,
    TITLE,
    YEAR_LINE,
    YES_NO,
    Line,
    join_text,
    label_key,
    label_of,
    text_lines,
)

# --- the importer ---------------------------------------------------------------------------------------


class _Importer:
    def __init__(self, source: str, words: frozenset[str]) -> None:
        self.unit = Unit(source=source)
        self.notes: list[ImportNote] = []
        self.words = words
        self.project: Project | None = None
        self.seen: set[str] = set()
        # The long-text field a following bare line continues (a paragraph split by a page break).
        self.open_field: str | None = None
        self.columns: dict[str, int] | None = None
        self.table_started = False
        self.level1 = self.level2 = ""
        self.last: Indicator | None = None
        # A row with only level-1/level-2 (a merged cell printed on its own line): placed only if a
        # following row inherits from it.
        self.context: tuple[Line, bool, bool] | None = None
        self.table_years: list[tuple[int, Line]] = []
        self.known_level1 = _builtin_level1()

    def note(self, line: Line, reason: str, text: str | None = None) -> None:
        self.notes.append(ImportNote(line.number, line.text if text is None else text, reason))

    # -- state ------------------------------------------------------------------------------------------

    def _drop_context(self) -> None:
        if self.context is not None:
            self.note(self.context[0], "只有一级/二级目标而没有三级目标和指标目标值，后面也没有沿用它的指标行")
            self.context = None

    def _new_project(self) -> Project:
        self._drop_context()
        self.project = Project()
        self.unit.projects.append(self.project)
        self.seen = set()
        self.columns = None
        self.table_started = False
        self.level1 = self.level2 = ""
        self.last = None
        return self.project

    def _project_for(self, key: str) -> Project:
        # A field already filled means the next project's table began (its header may have been lost at a
        # page break). A field not yet seen stays with the project even after its indicator table, as
        # some forms print the budget lines last.
        if self.project is None or key in self.seen:
            self._new_project()
        assert self.project is not None
        self.seen.add(key)
        return self.project

    # -- lines ------------------------------------------------------------------------------------------

    def feed(self, line: Line) -> None:
        filled = line.filled
        if not filled:
            return  # blank lines are page breaks as often as separators: they end nothing
        if any(label_of(c) for c in filled):
            self._pairs(line)
            return
        if len(filled) == 1 and self._single(line, label_key(filled[0]), at_start=bool(line.cells[0])):
            return
        if self._header_row(line):
            return
        if self.columns is not None:
            self._row(line)
            return
        if self.open_field is not None and self.project is not None and len(filled) == 1:
            setattr(self.project, self.open_field, join_text(getattr(self.project, self.open_field), filled[0]))
            return
        if self.project is None:
            self.note(line, "出现在第一个项目之前，不属于任何字段")
        else:
            self.note(line, "无法识别：不是字段、标题、表头或指标行")

    def _single(self, line: Line, key: str, at_start: bool) -> bool:
        """Titles and section lines; False when the line is none of them."""
        # Only at the start of a line: '\t\t\t95' is a target value, not a page number.
        if at_start and PAGE_MARK.match(key):
            self.note(line, "疑似页码，已忽略")
            return True
        m = TITLE.match(key)
        if m:
            self._leave_fields()
            if m["y"]:
                self._year(int(m["y"]), line)
            return True
        m = YEAR_LINE.match(key)
        if m:
            self._leave_fields()
            self._year(int(m["a"] or m["b"]), line)
            return True
        if BUDGET_SECTION.match(key):
            self._leave_fields()
            return True
        m = TABLE_SECTION.match(key)
        if m:
            self._start_table(None)
            if m["y"]:
                self.table_years.append((int(m["y"]), line))
            return True
        return False

    def _leave_fields(self) -> None:
        self.open_field = None
        if self.columns is not None:
            self._drop_context()
            self.columns = None

    def _year(self, year: int, line: Line) -> None:
        if self.unit.year is None:
            self.unit.year = year
        elif self.unit.year != year:
            self.note(line, f"年度与前文（{self.unit.year}年度）不一致，已保留前文")

    def _start_table(self, columns: dict[str, int] | None) -> None:
        self.open_field = None
        self._drop_context()
        if self.project is None:
            self._new_project()
        self.table_started = True
        self.columns = columns or dict(DEFAULT_COLUMNS)

    def _header_row(self, line: Line) -> bool:
        columns: dict[str, int] = {}
        for i, cell in enumerate(line.cells):
            part = COLUMN_OF.get(label_key(cell)) if cell else None
            if part is not None and part not in columns:
                columns[part] = i
        if not {"level1", "level2", "name"} <= columns.keys():
            return False
        # A header repeated after a page break continues the table: the 'same as above' levels carry on.
        self._start_table(columns)
        return True

    def _pairs(self, line: Line) -> None:
        """'label：\\tvalue\\tlabel：\\tvalue' (or 'label：value' in one cell)."""
        items: list[tuple[str, FieldSpec, list[str]]] = []
        for cell in line.cells:
            found = label_of(cell) if cell else None
            if found is not None:
                scope, spec, inline = found
                items.append((scope, spec, [inline] if inline else []))
            elif cell and items:
                items[-1][2].append(cell)
            elif cell:
                self.note(line, "位于字段标签之前，无法归入任何字段", cell)
        self.open_field = None
        for scope, spec, parts in items:
            if scope == "unit":
                self._leave_fields()
                self._unit_field(spec, parts, line)
            else:
                if self.columns is not None:
                    self._drop_context()
                    self.columns = None
                self._project_field(spec, parts, line)

    def _unit_field(self, spec: FieldSpec, parts: list[str], line: Line) -> None:
        value = parts[0] if parts else ""
        for extra in parts[1:]:
            self.note(line, f"“{spec.label}”后多余的内容", extra)
        if not value:
            return
        if spec.kind == "year":
            m = re.fullmatch(r"([0-9]{4})年?度?", label_key(value))
            if m:
                self._year(int(m.group(1)), line)
            elif "year" not in self.unit.unparsed:
                self.unit.unparsed["year"] = value
            return
        current = getattr(self.unit, spec.key)
        if not current:
            setattr(self.unit, spec.key, value)
        elif current != value:
            self.note(line, f"{spec.label}与前文（{current}）不一致，已保留前文", value)

    def _project_field(self, spec: FieldSpec, parts: list[str], line: Line) -> None:
        project = self._project_for(spec.key)
        key = spec.key
        if spec.kind == "long":
            # Separate cells of one long text are separate blocks of it.
            setattr(project, key, "\n".join(parts))
            self.open_field = key
            return
        self.open_field = None
        value = parts[0] if parts else ""
        for extra in parts[1:]:
            self.note(line, f"“{spec.label}”后多余的内容", extra)
        project.unparsed.pop(key, None)
        if spec.kind == "money" or spec.kind == "date":
            try:
                setattr(project, key, parse_money(value) if spec.kind == "money" else parse_date(value))
            except ParseError:
                setattr(project, key, None)
                project.unparsed[key] = value
        elif spec.kind == "yesno":
            if value and value not in YES_NO:
                project.unparsed[key] = value
            setattr(project, key, YES_NO.get(value))
        else:
            setattr(project, key, value)

    def _row(self, line: Line) -> None:
        """One indicator row; blank level-1/level-2 cells mean 'same as the row above'."""
        assert self.columns is not None and self.project is not None
        cells = line.cells
        by_part = dict.fromkeys(layout.INDICATOR_COLUMNS, "")
        by_part.update({part: cells[i] for part, i in self.columns.items() if i < len(cells)})
        used = set(self.columns.values())
        for i, cell in enumerate(cells):
            if cell and i not in used:
                self.note(line, "指标表中多余的列，未导入", cell)
        l1, l2, name, value = (by_part[p] for p in layout.INDICATOR_COLUMNS)
        if not (l1 or l2 or name or value):
            return
        if value and not (l1 or l2 or name):
            # Only the value column: the rest of a value that a page break split.
            if self.last is None:
                self.note(line, "指标目标值的续行，但前面没有指标行")
            else:
                self._set_value(self.last, join_text(self.last.value, value))
            return
        if l1 and not (l2 or name or value) and l1 not in self.known_level1 and self._descriptive_last():
            # A split sentence loses its leading tabs on the next page, so it lands in the first column.
            assert self.last is not None
            self._set_value(self.last, join_text(self.last.value, l1))
            return
        if self.context is not None:
            _, ctx_l1, ctx_l2 = self.context
            if not ((ctx_l1 and not l1) or (ctx_l2 and not l1 and not l2)):
                self._drop_context()
            self.context = None
        self.level2 = l2 or (self.level2 if not l1 else "")
        self.level1 = l1 or self.level1
        if not (name or value):
            self.context = (line, bool(l1), bool(l2))
            return
        if l1:
            self.known_level1.add(l1)
        indicator = Indicator(level1=self.level1, level2=self.level2, name=name)
        self._set_value(indicator, value)
        self.project.indicators.append(indicator)
        self.last = indicator

    def _descriptive_last(self) -> bool:
        target = self.last.target if self.last is not None else None
        return target is not None and target.kind is TargetKind.DESCRIPTIVE

    def _set_value(self, indicator: Indicator, value: str) -> None:
        indicator.value = value
        try:
            indicator.target = parse_target(value, indicator.name, self.words)
        except ParseError:
            indicator.target = None

    def finish(self) -> Unit:
        self._drop_context()
        if self.unit.year is None and self.table_years:
            self.unit.year = self.table_years[0][0]
        for year, line in self.table_years:
            if year != self.unit.year:
                self.note(line, f"绩效目标年度（{year}）与表头年度（{self.unit.year}）不一致")
        self.unit.framework = _framework(self.unit)
        self.notes.sort(key=lambda n: n.line)
        return self.unit


def _builtin_level1() -> set[str]:
    from xlgoals.core.ruleset import builtin_rulesets

    return {lv.name for rs in builtin_rulesets() for lv in rs.level1}


def _framework(unit: Unit) -> str:
    """The built-in rule set whose level-1 names the indicators use most; '' when none matches."""
    from xlgoals.core.ruleset import builtin_rulesets

    used = [ind.level1 for p in unit.projects for ind in p.indicators]
    best, best_count = "", 0
    for rs in builtin_rulesets():
        names = {lv.name for lv in rs.level1}
        count = sum(1 for name in used if name in names)
        if count > best_count:
            best, best_count = rs.name, count
    return best


def read_lines(text: str, source: str, words: frozenset[str]) -> tuple[Unit, list[ImportNote]]:
    """The unit the line reader finds in a text, and the lines it could not place."""
    importer = _Importer(source, words)
    for line in text_lines(text):
        importer.feed(line)
    return importer.finish(), importer.notes
