"""自评 figures of projects and units: 总分 and its grade, 执行率, projects under 80 and 60, unexplained shortfalls.

For the unit's 汇总, the department summary and the web page alike; every score is the rule set's (Python's, from
the inputs), never one a sheet shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xlgoals.core.model import Project, Unit, is_selfeval
from xlgoals.core.ruleset import RuleSet
from xlgoals.core.scoring import score_project

# 财预〔2020〕10号: 90（含）-100 优, 80（含）-90 良, 60（含）-80 中, below 60 差.
GRADES: tuple[tuple[Decimal, str], ...] = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"))
LOWEST_GRADE = "差"
GOOD, PASS = Decimal(80), Decimal(60)
_CENT = Decimal("0.01")


def grade(total: Decimal) -> str:
    return next((name for floor, name in GRADES if total >= floor), LOWEST_GRADE)


@dataclass(frozen=True)
class ProjectSelfeval:
    """One project's 自评 in figures (money in yuan, 执行率 a fraction)."""

    sheet: str
    name: str
    budget: Decimal | None
    executed: Decimal | None
    rate: Decimal | None
    execution_score: Decimal | None
    total: Decimal
    shortfalls: int
    unexplained: int
    # Indicators whose actual is missing or not comparable: not scored.
    unscored: int
    # What the 汇总 sheet's formulas need to point into the project's 自评 sheet: its 总分 row comes after the
    # indicators, its money is typed in 元 or 万元.
    indicators: int = 0
    money_unit: str = ""

    @property
    def indicator_score(self) -> Decimal:
        return self.total - (self.execution_score or Decimal(0))

    @property
    def grade(self) -> str:
        return grade(self.total)


def project_selfeval(project: Project, rs: RuleSet) -> ProjectSelfeval:
    score = score_project(project, rs)
    short = [(ind, s) for ind, s in zip(project.indicators, score.indicators, strict=True) if s.short]
    return ProjectSelfeval(
        sheet=project.sheet or "",
        name=project.name,
        budget=project.budget_adjusted,
        executed=project.budget_executed,
        rate=score.execution.rate,
        execution_score=score.execution.score,
        total=score.total,
        shortfalls=len(short),
        unexplained=sum(1 for ind, _ in short if not ind.reason.strip()),
        unscored=sum(1 for s in score.indicators if s.fraction is None),
        indicators=len(project.indicators),
        money_unit=project.money_unit,
    )


@dataclass(frozen=True)
class UnitSelfeval:
    """A unit's (or a department's) 自评: its projects, money summed, 执行率 over the sums, the mean 总分."""

    projects: list[ProjectSelfeval]

    @property
    def budget(self) -> Decimal:
        return sum((p.budget or Decimal(0) for p in self.projects), Decimal(0))

    @property
    def executed(self) -> Decimal:
        return sum((p.executed or Decimal(0) for p in self.projects), Decimal(0))

    @property
    def rate(self) -> Decimal | None:
        return self.executed / self.budget if self.budget > 0 else None

    @property
    def mean(self) -> Decimal | None:
        """The projects' mean 总分 (each project counts once, whatever its budget)."""
        if not self.projects:
            return None
        mean = sum((p.total for p in self.projects), Decimal(0)) / len(self.projects)
        return mean.quantize(_CENT, rounding=ROUND_HALF_UP)

    @property
    def lowest(self) -> Decimal | None:
        return min((p.total for p in self.projects), default=None)

    def under(self, floor: Decimal) -> int:
        return sum(1 for p in self.projects if p.total < floor)

    @property
    def shortfalls(self) -> int:
        return sum(p.shortfalls for p in self.projects)

    @property
    def unexplained(self) -> int:
        return sum(p.unexplained for p in self.projects)

    def to_dict(self) -> dict[str, Any]:
        """As JSON shows it: figures as strings (no binary floats), 执行率 as a fraction."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "budget": text(self.budget),
            "executed": text(self.executed),
            "execution_rate": text(self.rate),
            "mean_total": text(self.mean),
            "lowest_total": text(self.lowest),
            "under_80": self.under(GOOD),
            "under_60": self.under(PASS),
            "shortfalls": self.shortfalls,
            "unexplained": self.unexplained,
            "projects": [
                {
                    "sheet": p.sheet,
                    "name": p.name,
                    "execution_rate": text(p.rate),
                    "execution_score": text(p.execution_score),
                    "total": str(p.total),
                    "grade": p.grade,
                    "shortfalls": p.shortfalls,
                    "unexplained": p.unexplained,
                }
                for p in self.projects
            ],
        }


def unit_selfeval(unit: Unit, rs: RuleSet) -> UnitSelfeval | None:
    """The unit's 自评 projects in figures; None when it has none (a declaration)."""
    projects = [project_selfeval(p, rs) for p in unit.projects if is_selfeval(p)]
    return UnitSelfeval(projects) if projects else None


def merged(units: Sequence[UnitSelfeval]) -> UnitSelfeval:
    """Several units' 自评 as one (a department's)."""
    return UnitSelfeval([p for u in units for p in u.projects])
