"""Labelled fields: a run of labels paired with the values after it, each value placed in the unit or project."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xlgoals.core.model import Project, Unit
from xlgoals.core.schedules import parse_period
from xlgoals.core.values import ParseError, parse_date
from xlgoals.jobs.importing.cells import Cell, ImportNote
from xlgoals.jobs.importing.labels import Label, key, money

# Cells that name no field and hold none of the table: the sign-off block, stamps, page furniture.
_SIGN_OFF = frozenset({"(盖章)", "盖章", "-", "/"})
_YES_NO = {"是": True, "否": False}
_PHONE = re.compile(r"(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")


@dataclass
class LabelItem:
    """A label and the cells that followed it."""

    cell: Cell
    label: Label
    unit: str
    values: list[Cell] = field(default_factory=list)


class FieldPlacer:
    """The unit being built, the current project and the run of labels still waiting for their values."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.notes: list[ImportNote] = []
        self.project: Project | None = None
        self.money_unit = ""
        self.run: list[LabelItem] = []

    # -- notes and projects -----------------------------------------------------------------------------

    def note(self, cell: Cell, reason: str, kind: str = "unplaced") -> None:
        text = f"{cell.where}：{cell.text}" if cell.where else cell.text
        self.notes.append(ImportNote(cell.line, text, reason, kind))

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
