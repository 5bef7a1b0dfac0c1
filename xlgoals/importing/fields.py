"""Labelled fields: a run of labels paired with the values after it, each value placed in the unit or project."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from xlgoals.core.model import Project, Unit
from xlgoals.core.schedules import parse_period
from xlgoals.core.values import ParseError, parse_date
from xlgoals.importing.cells import Cell, ImportNote, note_of
from xlgoals.importing.labels import Label, key
from xlgoals.importing.money import PLACEHOLDER, Line, amount, figure, first_budget

# Cells that name no field and hold none of the table: the sign-off block, stamps, page furniture.
_SIGN_OFF = frozenset({"(盖章)", "盖章", "-", "/"})
_YES_NO = {"是": True, "否": False}
# What an amount is written with: digits or Chinese numerals ('约六十万' is an amount written badly).
_AMOUNTISH = re.compile(r"(?:约|共|合计|为|人民币|¥|￥)?\s*[0-9０-９〇零一二两三四五六七八九十百千万亿—\-－/―*＊]")
_TOTAL = re.compile(r"合计|总计")
_FIGURES = re.compile(r"[0-9][0-9,.]*(?:万元|万|元)?")
# Labels only a self-evaluation prints.
SELF_EVALUATION_LABELS = frozenset({"评价结论", "存在问题", "改进措施"})
# A block's total line: its columns beyond the year's amount, in the self-evaluation's fields.
_EXECUTION = {
    "initial": "budget_initial",
    "adjusted": "budget_adjusted",
    "executed": "budget_executed",
    "points": "execution_points",
    "score": "execution_score",
}
_PHONE = re.compile(r"(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")


@dataclass
class LabelItem:
    """A label and the cells that followed it."""

    cell: Cell
    label: Label
    unit: str
    values: list[Cell] = field(default_factory=list)


def _header_row(label: Cell, values: list[Cell]) -> bool:
    """Values that are the other cells of the label's own row of table cells: column titles."""
    return label.boxed and all(v.boxed and v.row == label.row for v in values)


class FieldPlacer:
    """The unit being built, the current project and the run of labels still waiting for their values."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.notes: list[ImportNote] = []
        self.project: Project | None = None
        self.money_unit = ""
        self.run: list[LabelItem] = []
        # Amounts whose unit the table does not state where they stand: (project, field, cell), settled
        # against the rest of the text once it is read.
        self.pending: list[tuple[Project, str, Cell]] = []
        # 自有资金 lines (project -> their amounts): the 其他资金 where they are the only part besides 财政拨款.
        self.own_funds: dict[int, list[Decimal]] = {}

    # -- notes and projects -----------------------------------------------------------------------------

    def note(self, cell: Cell, reason: str, kind: str = "unplaced") -> None:
        self.notes.append(note_of(cell, reason, kind))

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
        group: list[LabelItem] = []
        for item in run:
            group.append(item)
            if item.values:
                self._assign(group)
                group = []
        if group:
            self._assign(group)

    def _assign(self, group: list[LabelItem]) -> None:
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
            if g.unit and (g.label.target == "heading" or (g.label.kind == "money" and not g.values)):
                # '项目资金(万元)' over a block: the unit of the amounts under it.
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
            takers = [
                f for f in fields if f.label.kind != "money" or any(amount(v.text, "")[0] is not None for v in values)
            ]
            takers = takers[-len(values) :] if takers else fields[-len(values) :]
            pairs = [(f, [v]) for f, v in zip(takers[:-1], values, strict=False)]
            pairs.append((takers[-1], values[len(takers) - 1 :]))
        taken = {id(f) for f, _ in pairs}
        for f in fields:
            if id(f) not in taken:
                self.apply(f, [])
        for f, vs in pairs:
            self.apply(f, vs)

    def _total_before_table(self, value: Cell) -> None:
        """'合计 814…' of a money breakdown before the project's indicator table (not a score's total after it):
        the year's amount when no line gave one."""
        project = self.current()
        figures = _FIGURES.match(value.text)
        if figures is None or project.indicators or project.budget_year is not None:
            return
        item = LabelItem(Cell("合计", value.line, value.row), Label("project.budget_year", "money"), "")
        self.place_money(project, "budget_year", item, [replace(value, text=figures.group(0))], figures.group(0))

    def place_money(self, project: Project, name: str, item: LabelItem, values: list[Cell], text: str) -> None:
        """An amount in its field, or as written among the project's facts when it is a part with no field."""
        unit = item.unit or project.money_unit or self.money_unit
        value, known = amount(values[0].text, unit)
        shown = key(item.cell.text)
        if not _AMOUNTISH.match(text):
            # Not an amount ('年初设定目标' after 其他资金): the label's cell was left blank.
            for v in values:
                self.note(v, f"“{shown}”之后的这段文字不是金额，未导入")
            return
        if name in ("money.part", "money.self") or values[0].text in PLACEHOLDER:
            project.extra[shown] = text  # a part with no field, or a dash for none: kept as written
            if name == "money.self" and value is not None:
                self.own_funds.setdefault(id(project), []).append(value)
            return
        current = getattr(project, name, None)
        if current is not None or name in project.unparsed:
            if value != current:
                before = current if current is not None else project.unparsed[name]
                self.note(values[0], f"“{shown}”与前文（{before}）不一致，已保留前文")
            return
        if value is None:
            project.unparsed[name] = text
            return
        if not known:
            self.pending.append((project, name, values[0]))
        else:
            setattr(project, name, value)
            project.money_unit = project.money_unit or unit or "元"
        if len(values) > 1 or not figure(text):
            project.extra[shown] = text  # more than the amount: '854万(高标准农田建设400万元,...)'

    def place_block(self, lines: list[Line], loose: list[Cell], unit: str, heads: int) -> None:
        """A money block's lines: the year's total, its parts and the execution figures in their fields; the
        figures with no field of their own as written, under '<line>（<column>）'."""
        project = self.current()
        for line in lines:
            target = line.target.target.removeprefix("project.")
            shown = key(line.label.text)
            year = first_budget(line.figures)
            for head, cell in line.figures:
                fields = [_EXECUTION[head.what]] if target == "budget_year" and head.what in _EXECUTION else []
                if year is not None and cell is year[1] and not target.startswith("money."):
                    fields.append(target)
                if not fields:
                    # One column: the line as written; several: which column the figure stood in.
                    project.extra[shown if heads == 1 else f"{shown}（{head.text}）"] = cell.text
                for name in fields:
                    if head.what in ("points", "score"):
                        self.apply(LabelItem(cell, Label(f"project.{name}", "number"), ""), [cell])
                    else:
                        item = LabelItem(line.label, Label(f"project.{name}", "money"), head.unit or unit)
                        self.place_money(project, name, item, [cell], cell.text)
            if target == "money.self" and year is not None:
                value, _ = amount(year[1].text, year[0].unit or unit or project.money_unit or self.money_unit)
                if value is not None:
                    self.own_funds.setdefault(id(project), []).append(value)
        for cell in loose:
            self.note(cell, "资金表中没有对应行名的数字，未导入")

    def apply(self, item: LabelItem, values: list[Cell]) -> None:
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
        if label.target == "extra" and _TOTAL.fullmatch(key(item.cell.text)) and values:
            self._total_before_table(values[0])
        if label.target in ("extra", "signoff"):
            if key(item.cell.text).partition(":")[0] in SELF_EVALUATION_LABELS:
                self.current().form = self.current().form or "自评表"
            if text:
                shown = key(item.cell.text).partition(":")[0]
                project.extra[f"{shown}（签署栏）" if label.kind == "phone" else shown] = text
            return
        name = label.target.removeprefix("project.")
        if not text:
            return
        if label.kind == "money":
            self.place_money(project, name, item, values, text)
            return
        if label.kind == "number":
            # '总分 | 100 | 98': the points, then the score; a single figure is the score.
            *points, score = [v.text for v in values]
            if points:
                project.extra[f"{key(item.cell.text)}（分值）"] = " ".join(points)
            try:
                setattr(project, name, Decimal(score.removesuffix("分")))
            except (InvalidOperation, ValueError):
                project.unparsed[name] = text
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
        if name == "name" and project.indicators and len(values) >= 2 and _header_row(item.cell, values):
            # '项目名称 | 资金计划 | 资金到位情况' after the project's own table: another table's header row.
            for v in values:
                self.note(v, "另一张表的表头行（以“项目名称”开头的一行栏目名），不是项目名称，未导入")
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
