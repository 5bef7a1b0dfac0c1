"""Each kind of layout issue 22 names, read from a real line: the tables' own or the issue's quotation of one.

The reshaped originals (test_import_reshaped.py) show each kind as a general rule; these show it on the lines
real offices printed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.test_real_tables import REAL
from xlgoals.core.ruleset import load_ruleset
from xlgoals.core.targets import Operator
from xlgoals.importing.importer import import_text
from xlgoals.validation.rules import validate

D = Decimal
# nanyue's first rows, as printed ("产出指标 数量指标 贫困地区旅游基础设施建设工程 >=20平方米")
NANYUE_ROWS = [
    ("产出指标", "数量指标", "贫困地区旅游基础设施建设工程", ">=20平方米"),
    ("产出指标", "数量指标", "流转土地", ">=60亩"),
    ("产出指标", "时效指标", "贫困地区基础设施建设按期完成率(≥**%)", ">=95%"),
]
TABLE = "一级指标\t二级指标\t三级指标\t指标值\n" + "".join("\t".join(r) + "\n" for r in NANYUE_ROWS)


def project(text: str) -> object:
    (p,) = import_text(text, "kind.txt").unit.projects
    return p


# --- money under other labels and in blocks --------------------------------------------------------------


def test_the_issues_money_block_with_numbered_sub_lines() -> None:
    # The issue's lines: 年度资金总额 with a 金额（万元） column; （一）财政拨款小计 / 1、一般公共预算 /
    # 2、政府性基金 / （二）自有资金小计.
    text = (
        "项目名称\t高标准农田建设\n资金情况\t年度资金总额\t金额（万元）\n"
        "\t854\n（一）财政拨款小计\t695\n1、一般公共预算\t400\n2、政府性基金\t295\n（二）自有资金小计\t159\n" + TABLE
    )
    result = import_text(text, "block.txt")
    (p,) = result.unit.projects
    # 854 / 695 / 159 万元
    assert (p.budget_year, p.budget_fiscal, p.budget_other) == (D(8_540_000), D(6_950_000), D(1_590_000))
    # The sub-lines with no field of their own, as written, for 导入记录
    assert (p.extra["1、一般公共预算"], p.extra["2、政府性基金"]) == ("400", "295")


@pytest.mark.parametrize(
    ("line", "yuan"),
    [
        ("当年资金总额：120万元", D(1_200_000)),
        ("资金总额 1,234,567.89元", D("1234567.89")),
        ("项目资金：50萬元", D(500_000)),
        ("项目金额（元） 2,500,000.00", D(2_500_000)),
        ("项目预算金额（万元） 28.8", D(288_000)),
    ],
)
def test_the_year_amount_under_the_labels_the_issue_lists(line: str, yuan: Decimal) -> None:
    p = project(f"项目名称 道路\n{line}\n" + TABLE)
    assert p.budget_year == yuan  # type: ignore[attr-defined]


def test_a_self_evaluations_execution_written_as_labels() -> None:
    # 年初预算数 / 全年预算数 / 调整后预算数 / 全年执行数 as label: value lines
    text = (
        "项目支出绩效自评表\n项目名称 道路\n资金情况（万元）\n年初预算数：150\n调整后预算数：140\n全年执行数：125.25\n"
        + TABLE
    )
    p = project(text)
    assert (p.budget_initial, p.budget_adjusted, p.budget_executed) == (  # type: ignore[attr-defined]
        D(1_500_000), D(1_400_000), D(1_252_500)
    )  # fmt: skip


def test_ezhous_execution_block_as_printed() -> None:
    lines = (REAL / "ezhou_2021_shenpiju_shiminzhongxin_ziping.txt").read_text(encoding="utf-8").splitlines()
    block = "\n".join(lines[14:36])  # from '项目资金 (万元) |' to the 其他资金 line
    p = project("项目名称 |\n市民中心运行维护费 |\n" + block + "\n" + TABLE)
    # 年度资金总额 | 150万 | 150万 | 125.25万 | 100 | 83.5% | 98
    assert (p.budget_year, p.budget_executed, p.execution_score) == (D(1_500_000), D(1_252_500), D(98))  # type: ignore[attr-defined]


def test_an_amount_that_cannot_be_placed_is_a_finding_at_the_budget_cell() -> None:
    # A masked amount: nothing to convert, the cell quotes it
    result = import_text("项目名称 道路\n年度资金总额: ****万元\n" + TABLE, "masked.txt")
    (p,) = result.unit.projects
    assert p.budget_year is None and p.unparsed["budget_year"] == "****万元"
    (hit,) = [f for f in validate(result.unit, load_ruleset("national")).findings if f.field == "budget_year"]
    assert (hit.code, hit.cell, hit.value) == ("money.invalid", "D9", "****万元")


# --- level-1 names wrapped, in the middle of their block, or named otherwise ----------------------------------


def test_the_issues_wrapped_level1_and_other_names() -> None:
    # '项目完成 / 指标' wrapped over two lines; 项目效益指标 for 效益指标
    text = (
        "项目名称 道路\n一级指标\t二级指标\t三级指标\t指标值\n项目完成\n指标\t数量指标\t里程\t≥5公里\n"
        "项目效益指标\t社会效益指标\t受益人数\t≥500人\n"
    )
    result = import_text(text, "levels.txt")
    rows = [(i.level1, i.level2) for i in result.unit.projects[0].indicators]
    assert rows == [("产出指标", "数量指标"), ("效益指标", "社会效益指标")]
    said = " ".join(n.reason for n in result.notes if n.kind == "info")
    assert "“项目完成指标”按本指标体系的“产出指标”导入" in said and "“项目效益指标”" in said


def test_a_level1_printed_on_the_middle_row_of_its_block() -> None:
    # nanyue's three 产出指标 rows with the merged cell's text on the middle one
    rows = ["\t".join(r[1:]) if k != 1 else "\t".join(r) for k, r in enumerate(NANYUE_ROWS)]
    text = (
        "项目名称 道路\n一级指标\t二级指标\t三级指标\t指标值\n"
        + "\n".join(rows)
        + "\n满意度指标\t服务对象满意度指标\t游客满意度(≥**%)\t>=90%\n"
    )
    inds = project(text).indicators  # type: ignore[attr-defined]
    assert [i.level1 for i in inds] == ["产出指标", "产出指标", "产出指标", "满意度指标"]


# --- a table without level columns ------------------------------------------------------------------------------


def test_a_table_of_names_and_values_only() -> None:
    text = "项目名称 道路\n指标名称\t指标值\n" + "".join(f"{r[2]}\t{r[3]}\n" for r in NANYUE_ROWS)
    result = import_text(text, "names.txt")
    inds = result.unit.projects[0].indicators
    assert [(i.level1, i.level2, i.name, i.value) for i in inds] == [("", "", r[2], r[3]) for r in NANYUE_ROWS]
    cells = {f.cell for f in validate(result.unit, load_ruleset("national")).findings if f.code.startswith("level")}
    assert {"A18", "A19", "A20"} <= cells  # the rule set asks for each row's level-1 at its cell


# --- operator, number and unit in their own cells ----------------------------------------------------------------


def test_the_issues_operator_number_and_unit_columns() -> None:
    # 指标性质 = / 指标值 100 / 度量单位 %; and the unit before the operator
    for header, row in (("指标性质\t指标值\t度量单位", "=\t100\t%"), ("度量单位\t指标性质\t指标值", "%\t=\t100")):
        text = f"项目名称 道路\n一级指标\t二级指标\t三级指标\t{header}\n产出指标\t质量指标\t验收合格率\t{row}\n"
        (ind,) = project(text).indicators  # type: ignore[attr-defined]
        assert ind.value == "100" and ind.target is not None
        assert (ind.target.operator, ind.target.number, ind.target.unit) == (Operator.EQ, D(100), "%")


def test_yueyanglous_value_type_and_unit_columns() -> None:
    # 質量指標 | 業務工作支出到位率 | 定量 | 100 | % | …
    (ind,) = [
        i
        for i in project((REAL / "yueyanglou_2023_jiagerending_zhengti.txt").read_text()).indicators
        if i.name == "业务工作支出到位率"
    ]  # type: ignore[attr-defined]
    assert (ind.value, ind.extra["指标值类型"], ind.extra["计量单位"]) == ("100", "定量", "%")
    assert ind.target is not None and (ind.target.number, ind.target.unit) == (D(100), "%")


# --- several projects in one flat table ------------------------------------------------------------------------


def test_a_flat_table_of_two_projects_with_amounts_in_yuan() -> None:
    text = "项目名称\t项目金额（元）\t一级指标\t二级指标\t三级指标\t指标值\n" + "".join(
        f"{name}\t{amount}\t{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\n"
        for name, amount, r in (
            ("旅游基础设施", "100,000.00", NANYUE_ROWS[0]),
            ("旅游基础设施", "100,000.00", NANYUE_ROWS[1]),
            ("按期完成", "2,861,000.50", NANYUE_ROWS[2]),
        )
    )
    unit = import_text(text, "flat.txt").unit
    assert [(p.name, p.budget_year, len(p.indicators)) for p in unit.projects] == [
        ("旅游基础设施", D("100000.00"), 2),
        ("按期完成", D("2861000.50"), 1),
    ]


# --- noise of real sources ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["二100%", "≧95%", "﹦100%", "＞＝95%"])
def test_the_issues_misread_operators(value: str) -> None:
    (ind,) = project(f"项目名称 道路\n一级指标 二级指标 三级指标 指标值\n产出指标 质量指标 合格率 {value}\n").indicators  # type: ignore[attr-defined]
    assert ind.value == value and ind.target is not None and ind.target.operator is not None


def test_the_issues_pinyin_glosses_lost_characters_and_masked_digits() -> None:
    # 項(xiàng)目 re-published with pinyin; ?? where characters were lost; a masked phone
    text = (
        "項(xiàng)目(mù)名稱(chēng) 道路??硬化\n项目负责人 李四 联系电话 139****1234\n"
        "一級(jí)指標(biāo) 二级指标 三级指标 指标值\n"
        "產(chǎn)出指標(biāo) 数量指标 里程 ≥5公里\n"
    )
    result = import_text(text, "noise.txt")
    (p,) = result.unit.projects
    assert (p.name, p.phone, p.indicators[0].level1) == ("道路??硬化", "139****1234", "产出指标")
    reasons = " ".join(n.reason for n in result.notes)
    assert "拼音注音" in reasons and "字符丢失" in reasons and "遮盖" in reasons


def test_page_chrome_is_reported_and_sign_off_is_kept() -> None:
    # yueyangxian's chrome ('来源:岳阳县农业农村局   2022-05-16', '浏览量:1 | | | |') and xiangtan's sign-off line
    text = "来源:岳阳县农业农村局   2022-05-16\n浏览量:1 | | | |\n项目名称 道路\n" + TABLE
    text += "填表人: 宋云花 联系电话:16607326331 填报日期: 单位负责人签字:\n财务负责人: 王五\n"
    result = import_text(text, "chrome.txt")
    (p,) = result.unit.projects
    assert (p.extra["填表人"], p.extra["联系电话（签署栏）"], p.extra["财务负责人"]) == (
        "宋云花",
        "16607326331",
        "王五",
    )
    chrome = [n for n in result.notes if "页面信息" in n.reason]
    assert {n.line for n in chrome} == {1, 2}


def test_a_paragraph_that_mentions_money_labels_stays_whole() -> None:
    # chizhou's own 预期目标 sentence, in a goals cell: not cut at the words a glued table would be cut at
    goal = "本项目共申请预算资金90万元。其中:30万元用于基建工程项目预算编制;资金总额及财政资金按进度拨付。"
    p = project(f"项目名称 道路\n年度目标\t{goal}\n年度资金总额：90万元\n" + TABLE)
    assert (p.goals, p.budget_year) == (goal, D(900_000))  # type: ignore[attr-defined]
