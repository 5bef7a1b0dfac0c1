"""What an import settles once the text is read: units, money and indicators from sentences, level names.

The unit of amounts their table left out, money and indicators a report's sentences state, other forms'
level names, and a department's whole-spending table."""

from __future__ import annotations

from decimal import Decimal

from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import parse_target
from xlgoals.core.values import ParseError
from xlgoals.importing.cells import Cell, ImportNote, note_of
from xlgoals.importing.money import amount, prose_budget, unit_stated
from xlgoals.importing.prose import stated


def add_stated(unit: Unit, cells: list[Cell], words: frozenset[str]) -> list[ImportNote]:
    """A report's sentences stating indicators its table left out ('人才驿站补助资金到位时间绩效目标值是
    2023年12月前'), added after the table's, as each sentence wrote them; those the table has are not."""
    if len(unit.projects) != 1:
        return []
    project = unit.projects[0]
    known = {ind.name for ind in project.indicators}
    notes = []
    for cell in cells:
        for s in stated(cell.text):
            if s.name in known:
                continue
            known.add(s.name)
            ind = Indicator(level1=s.level1, level2=s.level2, name=s.name, value=s.value, actual=s.actual)
            if s.rate:
                ind.extra["目标完成率"] = s.rate
            try:
                ind.target = parse_target(s.value, s.name, words)
            except ParseError:
                ind.target = None
            project.indicators.append(ind)
            reason = "表中没有这条指标，按正文句子所述导入（指标值、实际完成值如句中所写）"
            notes.append(ImportNote(cell.line, s.words, reason, "info"))
    return notes


def settle_money(
    unit: Unit, pending: list[tuple[Project, str, Cell]], own_funds: dict[int, list[Decimal]], text: str
) -> list[ImportNote]:
    """Amounts whose unit their table does not state take the unit the text writes the same number with
    elsewhere; without one they cannot be placed: the budget cell quotes them and validation asks. A sole
    自有资金 line is the 其他资金; a project whose tables state no year's amount takes the one a report's
    sentence gives."""
    notes = []
    for project, name, cell in pending:
        written = unit_stated(cell.text, text)
        value = amount(cell.text, written)[0] if written is not None else None
        if value is not None and written is not None:
            setattr(project, name, value)
            project.money_unit = project.money_unit or written
            reason = f"表中金额未注明单位，正文中同一数字写作“{cell.text}{written}”，按{written}导入"
            notes.append(note_of(cell, reason, "info"))
        else:
            project.unparsed[name] = f"{cell.text}（原表未注明金额单位）"
            reason = "表中金额未注明单位，正文中也找不到，未能换算为元：已写入预算格并由校验提示"
            notes.append(note_of(cell, reason, "info"))
    for project in unit.projects:
        others = own_funds.get(id(project), [])
        if project.budget_other is None and "budget_other" not in project.unparsed and len(others) == 1:
            project.budget_other = others[0]
        found = prose_budget(text) if len(unit.projects) == 1 else None
        if project.budget_year is None and "budget_year" not in project.unparsed and found is not None:
            project.budget_year, words = found
            project.extra["年度资金总额（取自正文）"] = words
            notes.append(ImportNote(0, words, "表中没有年度资金总额，按正文所述的金额导入", "info"))
    return notes


def map_levels(unit: Unit, lines: dict[int, int]) -> list[ImportNote]:
    """Other forms' level names filed under the framework's, each printed name kept among the project's facts;
    said once per name (`lines`: an indicator's id -> the line it came from)."""
    from xlgoals.importing.frameworks import map_levels as mapped

    said: set[tuple[str, str, str]] = set()
    notes = []
    for project in unit.projects:
        for ind, m in mapped(project.indicators, unit.framework):
            if m.printed:
                project.extra[f"{m.level}“{m.printed}”"] = f"按“{m.mapped}”导入"
                reason = f"{m.level}“{m.printed}”按本指标体系的“{m.mapped}”导入（原表的名称保留在表头内容中）"
            else:
                reason = f"原表没有填{m.level}，按二级指标“{ind.level2}”所属的“{m.mapped}”导入"
            if (m.level, m.printed, m.mapped) not in said:
                said.add((m.level, m.printed, m.mapped))
                notes.append(ImportNote(lines.get(id(ind), 0), m.printed or ind.level2, reason, "info"))
    return notes


def department(unit: Unit, project: Project) -> ImportNote:
    """A department's whole-spending table: one project named for the department, and a statement of what
    the project sheets cannot hold."""
    who = unit.name or project.department or project.implementer
    project.name = project.name or f"{who}部门整体支出"
    unit.name = unit.name or who
    kept = "、".join(project.extra) or "无"
    return ImportNote(
        0,
        project.form,
        f"这是{project.form}，不是项目的申报表：它的指标表按一个项目“{project.name}”导入，部门名称作为单位名称；"
        f"项目表没有部门职责、部门预算收支等栏目，这些内容（{kept}）保留在导入记录的表头内容中。",
        "info",
    )
