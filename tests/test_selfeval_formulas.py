"""The 自评 sheet's formulas, really computed by LibreOffice, give the scores Python gives, over generated cases."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from tests.office import convert_all
from xlgoals.core import layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.model import SELFEVAL_FORM, Indicator, Project, Unit
from xlgoals.core.ruleset import RuleSet, load_ruleset
from xlgoals.core.scoring import score_project
from xlgoals.core.targets import parse_target_cached
from xlgoals.io.reader import read
from xlgoals.workbooks.selfevalbook import write_selfeval_workbook

RULESETS = ("shanghai-2020", "national", "national-2015")
UNITS = ("", "%", "人", "个", "万元", "万人", "天", "平方米", "百分比", "km")
WORDS = ("达成", "部分达成", "未达成", "达成预期指标", "已完成", "基本完成", "否", "完成", "很好", "")
TEXTS = ("合规", "健全", "达标", "建立长效机制,为后续奠定基础", "", "2020年12月前", "1-12月")
# What a unit may type around a number: spaces of every kind the formulas remove, full-width forms they fold.
SPACES = ("", " ", "\u3000", "\u00a0")


def _decimal(places: int = 2, top: int = 2000) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=top, places=places, allow_nan=False, allow_infinity=False)


def _written(number: Decimal) -> str:
    return format(number.normalize(), "f") if number == number.to_integral_value() else format(number, "f")


@st.composite
def _target(draw: st.DrawFn) -> tuple[str, str]:
    """(indicator name, target value)."""
    if draw(st.booleans()):
        return draw(st.sampled_from(("管理制度健全性", "工作完成时限"))), draw(st.sampled_from(TEXTS))
    op = draw(st.sampled_from((">=", ">", "<=", "<", "=", "", "≥", "≤")))
    unit = draw(st.sampled_from(UNITS))
    number = _written(draw(_decimal()))
    if draw(st.integers(0, 9)) == 0:  # a range: met inside, missed outside
        high = _written(Decimal(number) + draw(_decimal(0, 20)))
        return "办结时限", f"{number}-{high}{unit or '天'}"
    if unit and draw(st.booleans()) and not unit.startswith("万"):
        return f"参会人数({unit})", f"{op}{number}"  # the unit in the name, as Shanghai writes it
    return "参会人数", f"{op}{number}{unit}"


def _decorated(draw: st.DrawFn, number: str, unit: str) -> str:
    """A number as a unit may type it: full-width, with a thousands separator, a sign, spaces, a unit."""
    if draw(st.integers(0, 6)) == 0:
        number = "".join(chr(ord(c) + 0xFEE0) for c in number)  # full-width digits and point
    elif draw(st.integers(0, 4)) == 0 and len(number) > 4 and "." not in number:
        number = f"{number[:-3]},{number[-3:]}"
    sign = draw(st.sampled_from(("", "", "", ">=", "≥", "=", "≤")))
    space = draw(st.sampled_from(SPACES))
    return f"{space}{sign}{number}{draw(st.sampled_from(SPACES))}{unit}{space}"


@st.composite
def _actual(draw: st.DrawFn, target: str) -> str:
    """Mostly an actual that fits the target (a number near it, its unit or none; a level word), else anything."""
    if draw(st.integers(0, 3)) == 0:
        junk = ("已完成480人", "1.2.3", ".5", "5.", "abc", "--", "1e3", "=100", "约500", "480人次")
        return draw(st.sampled_from(junk + WORDS))
    parsed = parse_target_cached(target, "", frozenset())
    if parsed is None or parsed.number is None:
        return draw(st.sampled_from((*WORDS, target)))
    written = re.match(r"[^0-9]*([0-9]+(?:\.[0-9]+)?)(.*)", target)
    assert written is not None
    number, unit = Decimal(written.group(1)), written.group(2)
    if "-" in unit:  # a range's top: the unit follows it
        unit = re.sub(r"^-[0-9.]+", "", unit)
    near = number * draw(st.sampled_from((Decimal(0), Decimal("0.5"), Decimal("0.9"), Decimal(1), Decimal("1.2"))))
    near += draw(_decimal(1, 5))
    return _decorated(draw, _written(near.quantize(Decimal("0.01"))), draw(st.sampled_from((unit, "", unit))))


@dataclass(frozen=True)
class Case:
    level: int
    name: str
    target: str
    actual: str
    points: Decimal | str | None


@st.composite
def _case(draw: st.DrawFn) -> Case:
    name, target = draw(_target())
    points: Decimal | str | None = draw(st.one_of(st.none(), _decimal(2, 30), st.just("五分")))
    return Case(draw(st.integers(0, 20)), name, target, draw(_actual(target)), points)


def _unit(rs: RuleSet, cases: list[Case], money: tuple[Decimal | None, Decimal | None]) -> Unit:
    levels = [(lv.name, l2) for lv in rs.level1 for l2 in lv.level2]
    indicators = []
    for c in cases:
        level1, level2 = levels[c.level % len(levels)]
        ind = Indicator(
            level1=level1,
            level2=level2,
            name=c.name,
            value=c.target,
            target=parse_target_cached(c.target, c.name, rs.qualitative_words),
            actual=c.actual,
            points=c.points if isinstance(c.points, Decimal) else None,
        )
        if isinstance(c.points, str):
            ind.unparsed["points"] = c.points
        indicators.append(ind)
    project = Project(
        name="生成的项目",
        sheet="项目1",
        form=SELFEVAL_FORM,
        budget_adjusted=money[0],
        budget_executed=money[1],
        indicators=indicators,
    )
    return Unit(name="生成的单位", year=2020, framework=rs.name, projects=[project])


def _uncached(path: Path) -> None:
    """Saved again by openpyxl, which keeps the formulas and drops every value they cached: what LibreOffice shows
    afterwards it computed itself."""
    wb = openpyxl.load_workbook(path)
    wb.save(path)


def _computed(path: Path) -> list[list[object]]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        rows: list[list[object]] = book.get_sheet_by_name("项目1").to_python()
        return rows
    finally:
        book.close()


def _same(shown: object, expected: Decimal | None) -> bool:
    if expected is None:
        return shown in ("", None)
    return isinstance(shown, int | float) and abs(Decimal(repr(shown)) - expected) < Decimal("0.000001")


@pytest.fixture(scope="module")
def soffice_path() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    return exe


BATCH = 3


# No shrinking: each example costs a LibreOffice start, and a failure names its rows (target, actual, both scores).
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(RULESETS),
            st.lists(_case(), min_size=40, max_size=40),
            st.tuples(_decimal(2, 10**7), st.one_of(st.none(), _decimal(2, 10**7))),
        ),
        min_size=BATCH,
        max_size=BATCH,
    )
)
def test_formulas_computed_by_libreoffice_equal_python(
    soffice_path: str, tmp_path_factory: pytest.TempPathFactory, batch: list[tuple[str, list[Case], tuple]]
) -> None:
    folder = tmp_path_factory.mktemp("formulas")
    paths, scores = [], []
    for i, (rs_name, cases, money) in enumerate(batch):
        path = folder / f"case{i}.xlsx"
        write_selfeval_workbook(_unit(load_ruleset(rs_name), cases, money), load_ruleset(rs_name), path)
        _uncached(path)
        paths.append(path)
        project = read(path).projects[0]  # Python reads what the unit's file holds, as validate would
        scores.append((project, score_project(project, load_ruleset(rs_name))))
    # Mostly scored rows, so the two agree on numbers and not only on blanks.
    assume(sum(s.score is not None for _, score in scores for s in score.indicators) > BATCH * 40 // 2)
    computed = convert_all(soffice_path, paths, "xlsx", folder / "lo", recalc=True)
    first, g = slayout.SELFEVAL_FIRST_ROW, layout.column_index(slayout.SELFEVAL_COLUMNS["score"]) - 1
    for (project, score), lo in zip(scores, computed, strict=True):
        rows = _computed(lo)
        wrong = [
            (ind.value, ind.actual, rows[first - 1 + i][g], s.score)
            for i, (ind, s) in enumerate(zip(project.indicators, score.indicators, strict=True))
            if not _same(rows[first - 1 + i][g], s.score)
        ]
        assert wrong == [], wrong
        total_row = first + len(project.indicators) - 1
        rate_row, rate_col = layout.split_address(slayout.SELFEVAL_RATE_CELL)
        assert _same(rows[rate_row - 1][rate_col - 1], score.execution.rate)
        assert _same(rows[rate_row - 1][g], score.execution.score)
        assert _same(rows[total_row][g], score.total)
        assert _same(rows[total_row][g - 1], score.points_total)
