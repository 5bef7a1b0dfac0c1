"""The five original samples reshaped into each layout real tables come in: the same model comes back.

The originals are the Shanghai sample and the first five real tables (samples/real/README.md), as imported
from their own text. Each test writes their projects again in one kind of layout the importer must read —
money under other labels and in blocks, level-1 names printed otherwise, no level columns, operator/number/unit
in columns of their own, a half-year column beside the year's, several projects in one flat table, several
tables in one text, noise of real sources, a self-evaluation, a department's table — and compares.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLE_TXT
from tests.test_real_tables import REAL, STEMS, laid_out
from xlgoals.core.model import Indicator, Project
from xlgoals.core.values import format_money
from xlgoals.importing.importer import import_file, import_text

D = Decimal
MARKED = ["tabs", "pipes", "spaces"]  # layouts that keep a table's rows
ANY = [*MARKED, "cell-per-line", "one-line"]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def originals() -> tuple[Project, ...]:
    """The six originals' projects: the Shanghai sample's three and one of each first real table."""
    projects = list(import_file(SAMPLE_TXT).unit.projects)
    projects += [import_file(REAL / f"{stem}.txt").unit.projects[0] for stem in STEMS]
    return tuple(projects)


PROJECTS = st.sampled_from(range(len(originals())))


def rows_of(p: Project) -> list[tuple[str, str, str, str]]:
    return [(i.level1, i.level2, i.name, i.value) for i in p.indicators]


def one(text: str) -> Project:
    (project,) = import_text(text, "reshaped.txt").unit.projects
    return project


def header_rows(p: Project) -> list[list[str]]:
    return [["项目名称", p.name]]


def table_rows(p: Project, first: str = "指标值") -> list[list[str]]:
    rows = [["一级指标", "二级指标", "三级指标", first]]
    rows += [[i.level1, i.level2, i.name, i.value] for i in p.indicators]
    return rows


# --- money under other labels and in blocks ---------------------------------------------------------------

YEAR_LABELS = ["年度资金总额", "当年资金总额", "资金总额", "项目资金", "项目金额", "项目预算金额"]


def _written(amount: Decimal, unit: str, separators: bool) -> str:
    value = amount / (10_000 if unit in ("万元", "萬元") else 1)
    text = format_money(value) if separators else format(value.normalize(), "f")
    return text.replace(",", "") if not separators else text


@st.composite
def money_layouts(draw: st.DrawFn, p: Project) -> tuple[list[list[str]], dict[str, Decimal | None]]:
    """The project's year amount (and its parts where it has them) under another label, the unit stated in
    the label, the block's header or the cell, as a block of numbered lines or as label: value lines."""
    year = p.budget_year
    assert year is not None
    unit = draw(st.sampled_from(["元", "万元", "萬元"]))
    where = draw(st.sampled_from(["label", "header", "cell"]))
    separators = unit == "元" and draw(st.booleans())
    label = draw(st.sampled_from(YEAR_LABELS))

    def amount(a: Decimal) -> str:
        return _written(a, unit, separators) + (unit if where == "cell" else "")

    head = f"{label}（{unit}）" if where == "label" else label
    rows: list[list[str]] = [[f"资金情况（{unit}）"]] if where == "header" else []
    want: dict[str, Decimal | None] = {"budget_year": year}
    if draw(st.booleans()):
        # The national block: a 金额 column and numbered sub-lines (the issue's own lines).
        rows.append([head, f"金额（{unit}）" if where != "cell" else "金额"])
        rows.append(["合计" if draw(st.booleans()) else label, amount(year)])
        fiscal = p.budget_fiscal if p.budget_fiscal is not None else year
        rows.append(["（一）财政拨款小计", amount(fiscal)])
        rows.append(["1、一般公共预算", amount(fiscal)])
        rows.append(["2、政府性基金", amount(D(0))])
        rows.append(["（二）自有资金小计", amount(year - fiscal)])
        want |= {"budget_fiscal": fiscal, "budget_other": year - fiscal}
    else:
        rows.append([head + "：", amount(year)])
        if p.budget_fiscal is not None:
            rows.append(["其中：财政拨款", amount(p.budget_fiscal)])
            want["budget_fiscal"] = p.budget_fiscal
    return rows, want


@SETTINGS
@given(st.data(), PROJECTS, st.sampled_from(MARKED))
def test_money_under_other_labels_and_in_blocks(data: st.DataObject, k: int, layout: str) -> None:
    p = originals()[k]
    money, want = data.draw(money_layouts(p))
    got = one(laid_out(header_rows(p) + money + table_rows(p), layout))
    assert {f: getattr(got, f) for f in want} == want and not set(want) & set(got.unparsed)
    assert rows_of(got) == rows_of(p)


# --- level-1 names printed otherwise ------------------------------------------------------------------------

ALIASES = {
    "产出指标": ["项目完成指标", "预期产出指标", "项目产出"],
    "效益指标": ["项目效益指标", "效果指标", "项目效益"],
    "满意度指标": ["满意度目标"],
}


def blocks(p: Project) -> list[list[Indicator]]:
    out: list[list[Indicator]] = []
    for ind in p.indicators:
        if out and out[-1][-1].level1 == ind.level1:
            out[-1].append(ind)
        else:
            out.append([ind])
    return out


@SETTINGS
@given(st.data(), PROJECTS, st.sampled_from(MARKED), st.sampled_from(["top", "middle", "wrapped", "alias"]))
def test_level1_names_printed_otherwise(data: st.DataObject, k: int, layout: str, how: str) -> None:
    """A level-1 printed once for its block (on its first or its middle row), wrapped over two cells, or under
    another form's name for it: every row files under the framework's level-1."""
    p = originals()[k]
    rows = [["一级指标", "二级指标", "三级指标", "指标值"]]
    for block in blocks(p):
        level1 = block[0].level1
        shown = level1
        if how == "alias" and level1 in ALIASES:
            shown = data.draw(st.sampled_from(ALIASES[level1]))
        at = (len(block) - 1) // 2 if how == "middle" else 0
        for j, ind in enumerate(block):
            cells = [shown if j == at else "", ind.level2, ind.name, ind.value]
            if how == "wrapped" and j == at and len(shown) > 2:
                cells[0:1] = [shown[:2], shown[2:]]  # '产出' / '指标', as a narrow merged cell prints it
            rows.append([c for c in cells if c])
    got = one(laid_out(header_rows(p) + rows, layout))
    assert rows_of(got) == rows_of(p)


# --- tables without level columns ----------------------------------------------------------------------------


@SETTINGS
@given(PROJECTS, st.sampled_from(ANY))
def test_tables_without_level_columns(k: int, layout: str) -> None:
    from xlgoals.core.ruleset import load_ruleset
    from xlgoals.validation.rules import validate

    p = originals()[k]
    rows = [["指标名称", "指标值"]] + [[i.name, i.value] for i in p.indicators]
    result = import_text(laid_out(header_rows(p) + rows, layout), "reshaped.txt")
    (got,) = result.unit.projects
    assert [(i.level1, i.level2, i.name, i.value) for i in got.indicators] == [
        ("", "", i.name, i.value) for i in p.indicators
    ]
    # Validation asks for the levels at their cells (the first indicator row is 18), it does not skip them.
    findings = validate(result.unit, load_ruleset("national")).findings
    assert any(f.code.startswith("level1.") and f.cell == "A18" for f in findings)


# --- operator, number and unit in columns of their own ---------------------------------------------------------

_SPLIT = re.compile(r"^(?P<op>>=|<=|≥|≤|=|>|<)?(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<unit>%|[^\d<>=≥≤]{1,4})?$")


@SETTINGS
@given(st.data(), PROJECTS, st.sampled_from(MARKED))
def test_operator_number_and_unit_in_their_own_columns(data: st.DataObject, k: int, layout: str) -> None:
    """'≥95%' written as 指标性质 ≥ / 指标值 95 / 度量单位 %, the columns in any order (the unit before the
    operator too): the same target."""
    p = originals()[k]
    order = data.draw(st.permutations(["op", "number", "unit"]))
    titles = {"op": data.draw(st.sampled_from(["指标性质", "运算符号"])), "number": "指标值"}
    titles["unit"] = data.draw(st.sampled_from(["度量单位", "计量单位"]))
    rows = [["一级指标", "二级指标", "三级指标", *(titles[c] for c in order)]]
    split = []
    for i in p.indicators:
        m = _SPLIT.match(i.value)
        parts = m.groupdict() if m is not None and m["op"] else {"op": "", "number": i.value, "unit": ""}
        split.append(parts)
        rows.append([i.level1, i.level2, i.name, *((parts[c] or "") for c in order)])
    got = one(laid_out(header_rows(p) + rows, layout))
    assert [(i.level1, i.level2, i.name) for i in got.indicators] == [
        (i.level1, i.level2, i.name) for i in p.indicators
    ]
    for ind, want, parts in zip(got.indicators, p.indicators, split, strict=True):
        assert ind.value == parts["number"]
        if parts["op"] and want.target is not None and ind.target is not None:
            assert (ind.target.operator, ind.target.number) == (want.target.operator, want.target.number)


# --- a half-year or mid-term column beside the year's ------------------------------------------------------------


@SETTINGS
@given(st.data(), PROJECTS, st.sampled_from(MARKED))
def test_half_year_and_mid_term_columns(data: st.DataObject, k: int, layout: str) -> None:
    """半年 / 全年 (as sub-headers under 指标值, or as columns of their own) and 中期 / 年度: the year's value is
    the target, the other kept under its header."""
    p = originals()[k]
    style = data.draw(st.sampled_from(["sub", "columns", "mid-term"]))
    other, year = {
        "sub": ("半年", "全年"),
        "columns": ("半年指标值", "全年指标值"),
        "mid-term": ("中期指标值", "年度指标值"),
    }[style]
    first_other = data.draw(st.booleans())
    pair = [other, year] if first_other else [year, other]
    head = ["一级指标", "二级指标", "三级指标"]
    rows = [[*head, "指标值"], pair] if style == "sub" else [[*head, *pair]]
    for i in p.indicators:
        values = {year: i.value, other: "已完成一半"}
        rows.append([i.level1, i.level2, i.name, *(values[c] for c in pair)])
    got = one(laid_out(header_rows(p) + rows, layout))
    assert rows_of(got) == rows_of(p)
    assert all(i.extra.get(other) == "已完成一半" for i in got.indicators)


# --- several projects in one flat table -------------------------------------------------------------------------


# One office's projects follow one framework: the Shanghai sample's three, or the national tables'.
SAME_FRAMEWORK = st.sampled_from([range(0, 3), range(3, 8)]).flatmap(
    lambda ks: st.lists(st.sampled_from(list(ks)), min_size=2, max_size=4, unique=True)
)


@SETTINGS
@given(SAME_FRAMEWORK, st.sampled_from(MARKED), st.booleans())
def test_several_projects_in_one_flat_table(ks: list[int], layout: str, merged: bool) -> None:
    """A 项目名称 column repeated on each row (or printed once, merged), amounts in 元 with separators."""
    projects = [originals()[k] for k in ks]
    rows = [["序号", "项目名称", "项目金额（元）", "一级指标", "二级指标", "三级指标", "指标值"]]
    n = 0
    for p in projects:
        assert p.budget_year is not None
        for j, i in enumerate(p.indicators):
            n += 1
            shown = ["", ""] if merged and j else [p.name, format_money(p.budget_year)]
            rows.append([str(n), *shown, i.level1, i.level2, i.name, i.value])
    unit = import_text(laid_out([["2023年项目支出绩效目标表"], *rows], layout), "flat.txt").unit
    assert [(q.name, q.budget_year) for q in unit.projects] == [(p.name, p.budget_year) for p in projects]
    assert [rows_of(q) for q in unit.projects] == [rows_of(p) for p in projects]


# --- several tables one after another -------------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(st.permutations(STEMS), st.sampled_from(["\n", "\n\n第 3 页\n\n"]))
def test_several_tables_one_after_another(stems: list[str], between: str) -> None:
    text = between.join((REAL / f"{s}.txt").read_text(encoding="utf-8") for s in stems)
    unit = import_text(text, "all.txt").unit
    want = {p.name: p for p in originals()[3:]}
    assert [p.name for p in unit.projects] == [import_file(REAL / f"{s}.txt").unit.projects[0].name for s in stems]
    for p in unit.projects:
        assert (p.budget_year, rows_of(p)) == (want[p.name].budget_year, rows_of(want[p.name]))


# --- noise of real sources ---------------------------------------------------------------------------------------

# A few characters with the pinyin a re-publishing site inserts after them.
_GLOSSES = {"项": "xiàng", "目": "mù", "指": "zhǐ", "标": "biāo", "产": "chǎn", "出": "chū", "效": "xiào", "数": "shù"}
_OCR = {"=": "二", "≥": "≧", ">=": "＞＝", "<=": "≦"}


def _glossed(text: str) -> str:
    return "".join(ch + (f"({_GLOSSES[ch]})" if ch in _GLOSSES else "") for ch in text)


def _misread(value: str) -> str:
    """An operator as text recognition reads it: '=' as 二, '≥' as ≧, '>=' in full width."""
    for sign, seen in _OCR.items():
        if value.startswith(sign) and value[len(sign) : len(sign) + 1].isdigit():
            return seen + value[len(sign) :]
    return value


@SETTINGS
@given(st.data(), PROJECTS, st.sampled_from(MARKED))
def test_noise_of_real_sources(data: st.DataObject, k: int, layout: str) -> None:
    """Pinyin glosses after characters, misread operators, page chrome around the table and a sign-off block
    under it: the same indicators and targets, the chrome reported, the sign-off kept with the project."""
    p = originals()[k]
    gloss = data.draw(st.booleans())
    chrome = [["来源:", "某县财政局", "2023-05-16"], ["浏览量:", "12"]]
    rows = [r for r in chrome if data.draw(st.booleans())] + header_rows(p) + table_rows(p)
    rows = [[_glossed(c) if gloss else c for c in r] for r in rows]
    rows = [r[:3] + [_misread(c) for c in r[3:]] for r in rows]
    rows += [["填表人:", "张三", "联系电话:", "13900000000", "填报日期:", "2023-05-20"]]
    result = import_text(laid_out(rows, layout), "noisy.txt")
    (got,) = result.unit.projects
    assert [(i.level1, i.level2, i.name) for i in got.indicators] == [
        (i.level1, i.level2, i.name) for i in p.indicators
    ]
    assert [i.target for i in got.indicators] == [
        i.target.model_copy(update={"raw": j.value}) if i.target else None
        for i, j in zip(p.indicators, got.indicators, strict=True)
    ]
    assert (got.extra["填表人"], got.extra["联系电话（签署栏）"], got.extra["填报日期"]) == (
        "张三",
        "13900000000",
        "2023-05-20",
    )
    assert not any("张三" in n.text for n in result.notes)
    for row in rows[: len([r for r in rows if r[0] in ("来源:", "浏览量:")])]:
        assert any(row[1] in n.text and "页面信息" in n.reason for n in result.notes)
    if gloss:
        assert any("拼音" in n.reason for n in result.notes)


@SETTINGS
@given(st.data(), PROJECTS, st.sampled_from(MARKED))
def test_lost_characters_and_masked_digits_are_imported_as_written_and_said(
    data: st.DataObject, k: int, layout: str
) -> None:
    p = originals()[k]
    at = data.draw(st.integers(0, len(p.indicators) - 1))
    table = table_rows(p)
    name = table[at + 1][2]
    lost = name[:2] + "??" + name[4:] if len(name) > 4 else "??" + name
    table[at + 1][2] = lost
    rows = [*header_rows(p), ["联系电话", "139****1234"], *table]
    result = import_text(laid_out(rows, layout), "lost.txt")
    (got,) = result.unit.projects
    assert got.indicators[at].name == lost and got.phone == "139****1234"
    assert any("字符丢失" in n.reason for n in result.notes)
    assert any("遮盖" in n.reason for n in result.notes)


# --- a self-evaluation and a department's table ----------------------------------------------------------------


@st.composite
def scored(draw: st.DrawFn, p: Project) -> list[tuple[str, Decimal, Decimal, str]]:
    """(实际完成值, 分值, 得分, 偏差原因) for each indicator: some met, some short with a reason."""
    out = []
    for i in p.indicators:
        points = D(draw(st.integers(1, 20)))
        score = D(draw(st.integers(0, int(points))))
        short = score < points
        out.append((i.value if not short else "未完成", points, score, "资金未到位，下半年补足" if short else ""))
    return out


@SETTINGS
@given(st.data(), PROJECTS, st.sampled_from(MARKED))
def test_a_self_evaluation(data: st.DataObject, k: int, layout: str) -> None:
    """Recognised by its title and columns; actuals, points, scores and reasons in their fields, the budget
    execution block's figures in the project's."""
    p = originals()[k]
    assert p.budget_year is not None
    marks = data.draw(scored(p))
    executed = data.draw(st.integers(0, int(p.budget_year / 10_000))) * D(10_000)
    rate = f"{executed / p.budget_year * 100:.2f}%" if p.budget_year else "0%"
    yuan = [format_money(a) for a in (p.budget_year, p.budget_year, executed)]
    rows = [
        ["项目支出绩效自评表"],
        *header_rows(p),
        ["项目资金（元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", *yuan, "10", rate, "9"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    ]
    for i, (actual, points, score, reason) in zip(p.indicators, marks, strict=True):
        rows.append([i.level1, i.level2, i.name, i.value, actual, str(points), str(score), reason])
    got = one(laid_out(rows, layout))
    assert got.form == "自评表"
    assert rows_of(got) == rows_of(p)
    assert [(i.actual, i.points, i.score, i.reason) for i in got.indicators] == marks
    assert (got.budget_initial, got.budget_adjusted, got.budget_executed) == (p.budget_year, p.budget_year, executed)
    assert (got.execution_points, got.execution_score, got.budget_year) == (D(10), D(9), p.budget_year)


@SETTINGS
@given(PROJECTS, st.sampled_from(ANY))
def test_a_department_table(k: int, layout: str) -> None:
    """Recognised by its title: its indicator table imported as one project named for the department."""
    p = originals()[k]
    rows = [
        ["某区城市管理局2023年度部门整体支出绩效目标表"],
        ["部门(单位)名称", "某区城市管理局"],
        ["部门(单位)职责", "负责城市管理工作"],
        *table_rows(p),
    ]
    result = import_text(laid_out(rows, layout), "dept.txt")
    (got,) = result.unit.projects
    assert (got.name, got.form, result.unit.name) == (
        "某区城市管理局部门整体支出",
        "部门整体支出绩效目标表",
        "某区城市管理局",
    )
    assert rows_of(got) == rows_of(p)
    assert any("不是项目的申报表" in n.reason for n in result.notes)
