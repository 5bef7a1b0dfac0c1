"""Roll a unit's projects up into totals, year-on-year change, execution rate and indicator counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from xlgoals.core import layout
from xlgoals.core.cellerrors import Unusable
from xlgoals.core.model import MONEY_FIELDS, Indicator, Project, Unit
from xlgoals.core.order import natural_key
from xlgoals.core.ruleset import framework_title
from xlgoals.core.targets import TargetKind
from xlgoals.core.vocabulary import NOT_FILLED, UNREADABLE
from xlgoals.core.yearonyear import YearOnYear, change_percent, percent
from xlgoals.io.presentation import MoneyUnit, format_amount, format_percent
from xlgoals.validation.findings import Report, zero_counts

if TYPE_CHECKING:
    from xlgoals.core.ruleset import RuleSet
    from xlgoals.unit.selfevalfigures import UnitSelfeval

# 'unparsed' is a value that was filled but did not parse: the reader leaves its target as None.
KINDS: tuple[str, ...] = (*(k.value for k in TargetKind), "unparsed")


def indicator_kind(ind: Indicator) -> str:
    if "target" in ind.unusable:  # an error value or a formula never computed: filled, but not readable
        return "unparsed"
    if ind.target is None:
        return "unparsed" if ind.value.strip() else "empty"
    return ind.target.kind.value


@dataclass(frozen=True)
class IndicatorCounts:
    """How many indicators, per kind and per level-1 x kind (level-1 in order of first appearance)."""

    total: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    by_level1: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, indicators: list[Indicator]) -> IndicatorCounts:
        by_kind = dict.fromkeys(KINDS, 0)
        by_level1: dict[str, dict[str, int]] = {}
        for ind in indicators:
            kind = indicator_kind(ind)
            by_kind[kind] += 1
            level1 = ind.level1 or (UNREADABLE if "level1" in ind.unusable else "")
            by_level1.setdefault(level1, dict.fromkeys(KINDS, 0))[kind] += 1
        return cls(len(indicators), by_kind, by_level1)

    def level1_totals(self) -> dict[str, int]:
        return {name: sum(kinds.values()) for name, kinds in self.by_level1.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_kind": dict(self.by_kind),
            "by_level1": {name: {"total": sum(k.values()), **k} for name, k in self.by_level1.items()},
        }


@dataclass(frozen=True)
class Change:
    """This year's budget against last year's: the amount and, where last year is known, the percentage."""

    amount: Decimal | None
    percent: Decimal | None

    @classmethod
    def of(cls, this_year: Decimal | None, last_year: Decimal | None) -> Change:
        if this_year is None or last_year is None:
            return cls(None, None)
        return cls(this_year - last_year, change_percent(this_year, last_year))


def _dec(value: Decimal | None) -> str | None:
    # Strings, like the model's JSON: finance figures must not pass through binary floats.
    return None if value is None else str(value)


def _money_dict(money: dict[str, Decimal | None]) -> dict[str, str | None]:
    return {k: _dec(v) for k, v in money.items()}


@dataclass(frozen=True)
class Uncounted:
    """An amount that could not be counted in a total: its cell holds an error value or a formula never
    computed, or text that is no amount (`problem` is then that text: 三十万, 无). Totals leave it out and say so,
    naming the project and the cell."""

    sheet: str
    project: str
    field: str
    cell: str
    problem: Unusable | str

    @property
    def label(self) -> str:
        return layout.yuan_label(layout.field_at(self.field, self.cell) or layout.ANY_PROJECT_FIELD[self.field])

    def describe(self) -> str:
        """'项目2“同名项目上年预算额（元）”（项目2!B15）是错误值 #REF!' and the like, for every message."""
        problem = self.problem
        held = problem.describe() if isinstance(problem, Unusable) else f"无法识别为金额的“{problem}”"
        return f"{self.project or self.sheet}“{self.label}”（{self.sheet}!{self.cell}）是{held}"

    def to_dict(self) -> dict[str, str]:
        problem = self.problem
        unusable = problem if isinstance(problem, Unusable) else Unusable()
        return {
            "sheet": self.sheet,
            "project": self.project,
            "field": self.field,
            "label": self.label,
            "cell": self.cell,
            "error": unusable.error,
            "formula": unusable.formula,
            "text": "" if isinstance(problem, Unusable) else problem,
        }


def uncounted_of(project: Project, fields: tuple[str, ...] = MONEY_FIELDS) -> dict[str, Uncounted]:
    """The project's money lines whose cell could not be used, by field: an error value, a formula never computed,
    or text that is no amount (read as blank it would vanish from the totals unsaid)."""
    if not project.unusable and not project.unparsed:
        return {}
    out: dict[str, Uncounted] = {}
    for f in fields:
        cell = project.cells.get(f) or layout.ANY_PROJECT_FIELD[f].value_cell
        problem = project.unusable.get(cell) or project.unparsed.get(f)
        if problem is not None:
            out[f] = Uncounted(project.sheet or "", project.name, f, cell, problem)
    return out


@dataclass(frozen=True)
class ProjectRollup:
    name: str
    sheet: str
    money: dict[str, Decimal | None]
    # Money line -> the project sheet's cell holding it and the yuan per unit it is typed in (the national
    # form types 万元); lines the sheet's form has no cell for are absent.
    sources: dict[str, tuple[str, int]]
    change: Change
    execution_rate: Decimal | None
    indicators: IndicatorCounts
    findings: dict[str, int] | None
    # Money lines whose cell could not be used (blank in `money`, left out of every total, and said).
    uncounted: dict[str, Uncounted] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sheet": self.sheet,
            "money": _money_dict(self.money),
            **_figures(self),
            "uncounted": {f: u.to_dict() for f, u in self.uncounted.items()},
        }


@dataclass(frozen=True)
class UnitRollup:
    """A unit's roll-up: blanks count as zero in totals, but a per-project rate needs both figures."""

    unit: str
    year: int | None
    framework: str
    department: str
    source: str | None
    projects: list[ProjectRollup]
    totals: dict[str, Decimal]
    change: Change
    execution_rate: Decimal | None
    indicators: IndicatorCounts
    # None when no report was given; otherwise per severity over the whole workbook (unit-level too).
    findings: dict[str, int] | None
    # The like-for-like comparison behind `change`, new projects apart: what a 同比 shows beside it.
    year_on_year: YearOnYear = field(default_factory=YearOnYear)
    # The 自评 figures of its 自评 projects (总分, 执行率 …); None for a declaration or without a rule set.
    selfeval: UnitSelfeval | None = None

    @property
    def new_projects(self) -> list[ProjectRollup]:
        """Projects without a last-year budget: new this year, left out of the year-on-year comparison (one
        whose last-year budget could not be read is not new: it is uncounted)."""
        return [
            p for p in self.projects if p.money["last_year_budget"] is None and "last_year_budget" not in p.uncounted
        ]

    @property
    def uncounted(self) -> list[Uncounted]:
        """Every amount the totals leave out because its cell could not be used, in project order."""
        return [u for p in self.projects for u in p.uncounted.values()]

    def heading(self, unit: MoneyUnit = MoneyUnit.YUAN) -> str:
        """The line under a 汇总 sheet's title (a declaration's or a 自评 workbook's): whose, which year, how."""
        parts = [f"申报单位：{self.unit or NOT_FILLED}", f"年度：{self.year or NOT_FILLED}"]
        if self.framework:
            parts.append(f"指标体系：{framework_title(self.framework)}")
        if self.department:
            parts.append(f"主管部门：{self.department}")
        parts.append(f"金额单位：{unit}")
        return "　".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "year": self.year,
            "framework": self.framework,
            "department": self.department,
            "source": self.source,
            "totals": {k: str(v) for k, v in self.totals.items()},
            "new_projects": [p.sheet for p in self.new_projects],
            # Empty when every amount was counted; otherwise the totals leave these out.
            "uncounted": [u.to_dict() for u in self.uncounted],
            **_figures(self),
            "year_on_year": self.year_on_year.to_dict(),
            "projects": [p.to_dict() for p in self.projects],
            **({"selfeval": self.selfeval.to_dict()} if self.selfeval is not None else {}),
        }


def _figures(r: ProjectRollup | UnitRollup) -> dict[str, Any]:
    """The figures a project and a unit both report, in JSON form."""
    return {
        "change": {"amount": _dec(r.change.amount), "percent": _dec(r.change.percent)},
        "execution_rate": _dec(r.execution_rate),
        "indicators": r.indicators.to_dict(),
        "findings": r.findings,
    }


def project_key(project: Project) -> str:
    """Who a project is in a report: its sheet (two projects may share a name)."""
    return project.sheet or ""


def roll_up_project(project: Project, findings: dict[str, int] | None = None) -> ProjectRollup:
    money: dict[str, Decimal | None] = {f: getattr(project, f) for f in MONEY_FIELDS}
    return ProjectRollup(
        name=project.name,
        sheet=project.sheet or "",
        money=money,
        sources={
            f: (spec.value_cell, spec.scale)
            for f in MONEY_FIELDS
            if (spec := layout.field_at(f, project.cells.get(f))) is not None
        },
        change=Change.of(project.budget_year, project.last_year_budget),
        execution_rate=percent(project.last_year_executed, project.last_year_budget),
        indicators=IndicatorCounts.of(project.indicators),
        findings=findings,
        uncounted=uncounted_of(project),
    )


_LAST_YEAR = frozenset({"last_year_budget", "last_year_executed"})
_COMPARED = ("budget_year", "last_year_budget")


def year_on_year_of(projects: Iterable[Project]) -> YearOnYear:
    """This year against last over `projects`, new ones apart; a project whose this-year or last-year budget
    cell could not be read (an error value, a formula never computed) is in neither: it is uncounted."""
    return YearOnYear.of((p.budget_year, p.last_year_budget) for p in projects if not uncounted_of(p, _COMPARED))


def roll_up(unit: Unit, report: Report | None = None, ruleset: RuleSet | None = None) -> UnitRollup:
    """Totals over the unit's projects; findings per severity come from `report` when given, the 自评 figures of
    its 自评 projects from scoring them by `ruleset`."""
    per_project = report.per_project() if report is not None else {}
    # Sheets in natural order (项目2 before 项目10), as every listing shows them.
    ordered = sorted(unit.projects, key=lambda p: natural_key(p.sheet))
    projects = [
        roll_up_project(
            p,
            per_project.get(project_key(p), zero_counts()) if report is not None else None,
        )
        for p in ordered
    ]
    totals = unit.money_totals()
    # Year on year compares like with like: only projects that had a budget last year; new ones are apart.
    yoy = year_on_year_of(unit.projects)
    # Last year's execution over the projects whose two figures were both read: an unreadable budget beside a
    # counted execution would inflate the rate.
    rated = [p for p in projects if not _LAST_YEAR & p.uncounted.keys()]
    budgeted, executed = (
        sum((p.money[f] or Decimal(0) for p in rated), Decimal(0)) for f in ("last_year_budget", "last_year_executed")
    )
    return UnitRollup(
        unit=unit.name,
        year=unit.year,
        framework=unit.framework,
        department=unit.department,
        source=unit.source,
        projects=projects,
        totals=totals,
        change=Change(yoy.change, yoy.percent),
        execution_rate=percent(executed, budgeted),
        indicators=IndicatorCounts.of([i for p in unit.projects for i in p.indicators]),
        findings=report.counts() if report is not None else None,
        year_on_year=yoy,
        selfeval=_selfeval(unit, ruleset),
    )


def _selfeval(unit: Unit, ruleset: RuleSet | None) -> UnitSelfeval | None:
    if ruleset is None:
        return None
    from xlgoals.unit.selfevalfigures import unit_selfeval  # scoring is loaded only where a rule set is given

    return unit_selfeval(unit, ruleset)


@dataclass(frozen=True)
class RollupLine:
    """One line of the roll-up as text: a project, 合计, or the two lines 合计's 同比 stands on."""

    kind: str  # "project", "total", "compared" (可比项目) or "new" (新增项目)
    label: str
    budget_year: str
    last_year_budget: str
    change: str
    execution_rate: str
    indicators: str
    findings: str


def rollup_lines(r: UnitRollup, unit: MoneyUnit = MoneyUnit.YUAN) -> list[RollupLine]:
    """The roll-up as the terminal and the web page show it, in `unit`: each project with its 同比, then 合计
    without one, then the like-for-like line that carries 合计's 同比 and the new projects apart; the percentage
    on every line follows from the two amounts on it."""

    def counts(findings: dict[str, int] | None) -> str:
        return "" if findings is None else f"{findings.get('error', 0)}/{findings.get('warning', 0)}"

    def amount(p: ProjectRollup, f: str) -> str:
        # A cell that could not be read (an error value, a formula never computed) is said, never shown as blank.
        return "无法读取" if f in p.uncounted else format_amount(p.money[f], unit)

    short = f"，不含 {len(r.uncounted)} 项无法读取的金额" if r.uncounted else ""
    lines = [
        RollupLine(
            "project",
            f"{p.sheet}：{p.name}",
            amount(p, "budget_year"),
            amount(p, "last_year_budget"),
            format_percent(p.change.percent),
            format_percent(p.execution_rate, signed=False),
            str(p.indicators.total),
            counts(p.findings),
        )
        for p in r.projects
    ]
    yoy = r.year_on_year
    lines += [
        RollupLine(
            "total",
            f"合计（{len(r.projects)} 个项目{short}）",
            format_amount(r.totals["budget_year"], unit),
            format_amount(r.totals["last_year_budget"], unit),
            "",
            format_percent(r.execution_rate, signed=False),
            str(r.indicators.total),
            counts(r.findings),
        ),
        RollupLine(
            "compared",
            f"其中可比项目（{yoy.compared} 个，有上年预算）",
            format_amount(yoy.this_year if yoy.compared else None, unit),
            format_amount(yoy.last_year if yoy.compared else None, unit),
            format_percent(yoy.percent),
            "",
            "",
            "",
        ),
        RollupLine(
            "new",
            f"其中新增项目（{yoy.new} 个，不计入同比）",
            format_amount(yoy.new_this_year, unit),
            "—",
            "",
            "",
            "",
            "",
        ),
    ]
    return lines
