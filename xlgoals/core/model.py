"""The data model of a performance-target declaration: a unit, its projects and their indicators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from xlgoals.core.cellerrors import Unusable
from xlgoals.core.targets import Target

MONEY_FIELDS: tuple[str, ...] = ("budget_total", "budget_year", "last_year_budget", "last_year_executed")
DATE_FIELDS: tuple[str, ...] = ("start", "end")
LONG_TEXT_FIELDS: tuple[str, ...] = ("overview", "basis", "necessity", "safeguards", "plan", "goals")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Indicator(_Model):
    """One row of the 绩效目标 table; blank level-1/level-2 cells are already filled from the row above."""

    level1: str
    level2: str
    name: str
    value: str = ""
    # None when `value` is filled but does not parse (e.g. '>=abc'); the rules say why.
    target: Target | None = None
    # Cell address of each column ('level1', 'level2', 'name', 'target') when read from a sheet.
    cells: dict[str, str] = Field(default_factory=dict)
    # Columns of published tables beyond the four (分值, 指标解释, 计量单位 ...), by header.
    extra: dict[str, str] = Field(default_factory=dict)
    # Self-evaluation (自评) columns: 实际完成值 and 偏差原因分析及改进措施 as written, 分值 and 得分 as numbers
    # (None when blank; a filled cell that does not parse keeps its text in `unparsed` under the field's name).
    actual: str = ""
    reason: str = ""
    points: Decimal | None = None
    score: Decimal | None = None
    unparsed: dict[str, str] = Field(default_factory=dict)
    # Parts ('level1', 'target' …) read blank because a cell could not be used (an error value, a formula never
    # computed) -> that cell: the row's own, or for a level the cell above it stands under (Project.unusable).
    unusable: dict[str, str] = Field(default_factory=dict)


class Project(_Model):
    """One project's table; parsed values are None when blank or when the text did not parse."""

    name: str = ""
    category: str = ""
    start: date | None = None
    end: date | None = None
    gov_purchase: bool | None = None
    perf_type: str = ""
    overview: str = ""
    basis: str = ""
    necessity: str = ""
    safeguards: str = ""
    plan: str = ""
    goals: str = ""
    budget_total: Decimal | None = None
    budget_year: Decimal | None = None
    last_year_budget: Decimal | None = None
    last_year_executed: Decimal | None = None
    # 上年项目名称: last year's name when the project was renamed (the year-over-year checks match by it).
    previous_name: str = ""
    # National-form header fields (主管部门, 实施单位, 项目负责人, 联系电话, 总体目标, 其中：财政拨款 / 其他资金).
    department: str = ""
    implementer: str = ""
    manager: str = ""
    phone: str = ""
    goals_overall: str = ""
    budget_fiscal: Decimal | None = None
    budget_other: Decimal | None = None
    # Self-evaluation (自评) budget execution, yuan: 年初预算数, 全年预算数 (after adjustments, 调整后预算数),
    # 全年执行数; the points and the score of 预算执行率 and the 总分 as the form states them.
    budget_initial: Decimal | None = None
    budget_adjusted: Decimal | None = None
    budget_executed: Decimal | None = None
    execution_points: Decimal | None = None
    execution_score: Decimal | None = None
    total_score: Decimal | None = None
    # The unit money was written in at the source ('万元'); amounts above are always yuan.
    money_unit: str = ""
    # Published-table title facts: the form (申报表 / 审批表 / 目标表 / 自评表) and the weight of each level-1
    # as its cell wrote it ('产出指标(50分)' -> {'产出指标': '50分'}).
    form: str = ""
    level1_scores: dict[str, str] = Field(default_factory=dict)
    # Labelled facts of a published table that have no field of their own (项目分类, 财政资金科目代码 ...).
    extra: dict[str, str] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(default_factory=list)
    # Text of fields that were filled but did not parse (field -> text as written): kept for the rules.
    unparsed: dict[str, str] = Field(default_factory=dict)
    sheet: str | None = None
    cells: dict[str, str] = Field(default_factory=dict)
    # Cells of the sheet's form (header fields and indicator table) whose value cannot be used, by address:
    # read as blank, reported as what they are (never as 未填写), and never counted in a total.
    unusable: dict[str, Unusable] = Field(default_factory=dict)
    # Self-evaluation (自评) beyond the contract above: 年度总体目标's 实际完成情况, the explanation of an execution
    # rate below the rule set's floor (or of a mid-year adjustment), and the cells of a 自评 sheet whose form
    # computes them by formula (得分, 执行率, 总分) but that hold a typed value (address -> the value as text).
    # `formulas_seen` is False where the reader could not tell formulas from values (a book open in Excel on the
    # web sends values only): every shown score is then listed, and only those that disagree are reported.
    goals_achieved: str = ""
    execution_reason: str = ""
    typed_over: dict[str, str] = Field(default_factory=dict)
    formulas_seen: bool = True

    def location(self, field: str) -> str | None:
        """The cell address of a header field on this project's sheet, if read from one."""
        return self.cells.get(field)


SELFEVAL_FORM = "自评表"


def is_selfeval(project: Project) -> bool:
    """A self-evaluation (项目支出绩效自评表) rather than a declaration: its own sheet, scoring and checks."""
    return project.form == SELFEVAL_FORM


class Unit(_Model):
    """A budget unit's declaration for one fiscal year: the contents of one workbook."""

    name: str = ""
    year: int | None = None
    framework: str = ""
    department: str = ""
    contact: str = ""
    phone: str = ""
    folder: str = ""
    # 历史库: the archive the Excel buttons compare against last year's declaration.
    history: str = ""
    projects: list[Project] = Field(default_factory=list)
    # Sheets that are neither ours nor project sheets: listed so nothing in a workbook goes unmentioned.
    other_sheets: list[str] = Field(default_factory=list)
    # Project sheets left blank (the template's untouched 项目1): not projects, but listed all the same.
    blank_sheets: list[str] = Field(default_factory=list)
    # The hidden template sheet filled in instead of a copy of it: not read, but said.
    template_filled: bool = False
    # Project sheets under a name the workbook's own sheets use (汇总, 校验结果 …): a write-back would replace
    # them, so they are not read as projects, but said.
    reserved_sheets: list[str] = Field(default_factory=list)
    # Sheet -> the first filled cell beyond the read bounds (layout.READ_MAX_ROW/COLUMN), which was not read.
    unread_cells: dict[str, str] = Field(default_factory=dict)
    # Text of cover fields that were filled but did not parse (e.g. a year written as 二〇二〇).
    unparsed: dict[str, str] = Field(default_factory=dict)
    cells: dict[str, str] = Field(default_factory=dict)
    source: str | None = None
    # Cover cells whose value cannot be used (error values, formulas never computed), by address.
    unusable: dict[str, Unusable] = Field(default_factory=dict)
    # 校验服务器 (cover B12): the department's `xlgoals serve` address the buttons use without a local Python.
    server: str = ""

    def money_totals(self) -> dict[str, Decimal]:
        """Sum of each money line over the projects; blanks count as zero."""
        return {f: sum((getattr(p, f) or Decimal(0) for p in self.projects), Decimal("0.00")) for f in MONEY_FIELDS}
