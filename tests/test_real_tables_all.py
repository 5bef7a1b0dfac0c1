"""Every table in samples/real: its money in yuan to the fen, its indicators as printed, its form, what was not placed.

Each expected amount is read off the source text by hand (the line is quoted beside it), never taken from the
importer; the (indicator, value) pairs are samples/real/values.tsv, written as the tables print them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.test_real_tables import REAL, expected_values, pairs
from xlgoals.core.errors import ImportTextError
from xlgoals.core.model import Unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.importing.cells import simplified
from xlgoals.importing.importer import ImportResult, import_file, write_import
from xlgoals.validation.rules import validate

D = Decimal
TABLES = [
    "yueyangxian_2022_gaobiaozhun_nongtian",
    "nanyue_2018_fupin_jichusheshi",
    "chizhou_tangxi_2022_weituoyewu_ziping",
    "fengjie_2023_yunwu_jiagongyuan",
    "xiangtan_2023_wupaoche",
    "qingjian_2021_guoyuanlu",
    "ezhou_2021_shenpiju_shiminzhongxin_ziping",
    "ezhou_2022_jiguanshiwu_binhudasha",
    "zhongjiang_2022_shuibiaochi_ziping",
    "nanhua_yejunjiagong_ziping",
    "daying_2020_shuangxin_wenming_ziping",
    "yueyanglou_2023_jiagerending_zhengti",
    "ningde_2023_rencaiyizhan_ziping",
    "dyrmt_132779_fragment",
]
# Text that holds no table to import: said so, not imported as something it is not.
PROSE = ["tongxin_2022_shangyuan_renjuhuanjing_gongshi", "tongxin_2023_huangjinmi_gongshi"]
EMPTY_TABLE = "ningxiang_batang_2021_jichusheshi"
# Reposts in traditional characters: the importer reads them as the simplified text they were published in.
TRADITIONAL = {"yueyanglou_2023_jiagerending_zhengti", "ningde_2023_rencaiyizhan_ziping"}


def load(stem: str) -> ImportResult:
    return import_file(REAL / f"{stem}.txt")


def written_pairs(stem: str) -> list[tuple[str, str]]:
    """values.tsv's pairs for a table (its source column names it, with a remark in brackets for some)."""
    by_source = expected_values()
    (source,) = [s for s in by_source if s.split(" ")[0] == stem]
    rows = by_source[source]
    return [(simplified(n), simplified(v)) for n, v in rows] if stem in TRADITIONAL else rows


@pytest.mark.parametrize("stem", TABLES)
def test_every_indicator_and_value_as_written(stem: str) -> None:
    assert pairs(load(stem).unit) == written_pairs(stem)


# Per table: the form, the number of indicator rows the stored text prints, and each money field in yuan.
# The amounts are the source's lines (quoted), converted by hand: 万元 x 10,000.
MONEY: dict[str, tuple[str, int, dict[str, Decimal | None]]] = {
    # 资金情况 (万元) / 年度资金总额: / 854万(高标准农田建设400万元,...)
    # 其中:财政拨款 / 854万854万(...) / 其他资金 (blank)
    "yueyangxian_2022_gaobiaozhun_nongtian": (
        "申报表", 12, {"budget_year": D("8540000"), "budget_fiscal": D("8540000"), "budget_other": None}
    ),
    # 资金情况(万元) 年度资金总额: 10 / 其中:财政拨款 10 / 其他资金 0
    "nanyue_2018_fupin_jichusheshi": (
        "申报表", 16, {"budget_year": D("100000"), "budget_fiscal": D("100000"), "budget_other": D("0")}
    ),
    # 项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 / 年度资金总额: 0 0 0 10 0 0
    # 其中:本年财政拨款 90 89.974 89.974
    "chizhou_tangxi_2022_weituoyewu_ziping": (
        "自评表", 9,
        {
            "budget_year": D("0"), "budget_initial": D("0"), "budget_adjusted": D("0"), "budget_executed": D("0"),
            "execution_points": D("10"), "execution_score": D("0"), "budget_fiscal": D("900000"),
        },
    ),
    # 金额单位:万元 / 项目总预算 65 / 当年年度预算 65 / 其中:财政资金 65 / 其中:其它资金 0
    "fengjie_2023_yunwu_jiagongyuan": (
        "审批表", 1,
        {"budget_total": D("650000"), "budget_year": D("650000"), "budget_fiscal": D("650000"), "budget_other": D("0")},
    ),
    # 单位:万元 / 年度本级 预算金额 | 250万 (该项目支出上级资金 | 0: a part with no field of its own)
    "xiangtan_2023_wupaoche": ("申报表", 7, {"budget_year": D("2500000"), "budget_fiscal": None}),
    # 资金情况 | 年度资金总额: | 500 | 其中:财政拨款 | 500 — no unit in the table; the notice above it says
    # "现将产业建设资金500万元下达你们"
    "qingjian_2021_guoyuanlu": ("申报表", 5, {"budget_year": D("5000000"), "budget_fiscal": D("5000000")}),
    # 项目资金 (万元) | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
    # 年度资金总额 | 150万 | 150万 | 125.25万 | 100 | 83.5% | 98 / 其中:当年财政拨款 | 150万 | ... / 其他资金 | 0
    "ezhou_2021_shenpiju_shiminzhongxin_ziping": (
        "自评表", 6,
        {
            "budget_year": D("1500000"), "budget_initial": D("1500000"), "budget_adjusted": D("1500000"),
            "budget_executed": D("1252500"), "execution_points": D("100"), "execution_score": D("98"),
            "budget_fiscal": D("1500000"), "budget_other": D("0"),
        },
    ),
    # 项目预算成本构成金额 ... 合计814662.98794.55 — no unit stated anywhere: not placed (quoted at the cell, below)
    "ezhou_2022_jiguanshiwu_binhudasha": ("目标表", 6, {"budget_year": None}),
    # 资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:202010100.00%10
    # (20 | 20 | 10 | 100.00% | 10); 其中:本年财政拨款2020 (20 | 20); 总分100100 (分值 100, 得分 100)
    "zhongjiang_2022_shuibiaochi_ziping": (
        "自评表", 9,
        {
            "budget_year": D("200000"), "budget_initial": None, "budget_adjusted": D("200000"),
            "budget_executed": D("200000"), "execution_points": D("10"), "execution_score": D("10"),
            "budget_fiscal": D("200000"), "total_score": D("100"),
        },
    ),
    # 项目资金 (万元) | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
    # 年度资金总额 | 1100 | 1100 | 1100 | 10 | 100% | 10 / 其中:当年财政拨款 | 1100 | 1100 | 1100 | — | 100% | —
    "nanhua_yejunjiagong_ziping": (
        "自评表", 5,
        {
            "budget_year": D("11000000"), "budget_initial": D("11000000"), "budget_adjusted": D("11000000"),
            "budget_executed": D("11000000"), "execution_points": D("10"), "execution_score": D("10"),
            "budget_fiscal": D("11000000"), "budget_other": None,
        },
    ),
    # No money table in the stored part; the report says "批复下达预算资金10万元"
    "daying_2020_shuangxin_wenming_ziping": ("自评表", 6, {"budget_year": D("100000")}),
    # A department's table: no money line in the stored part
    "yueyanglou_2023_jiagerending_zhengti": ("部门整体支出绩效目标表", 5, {"budget_year": None}),
    # The report says "本項目累計安排資金10萬元"
    "ningde_2023_rencaiyizhan_ziping": ("自评表", 7, {"budget_year": D("100000")}),
    # The tail of a table: no money in it
    "dyrmt_132779_fragment": ("自评表", 4, {"budget_year": None}),
}  # fmt: skip


@pytest.mark.parametrize("stem", TABLES)
def test_form_count_and_money_in_yuan(stem: str) -> None:
    unit = load(stem).unit
    (p,) = unit.projects
    form, count, money = MONEY[stem]
    assert (p.form, len(p.indicators)) == (form, count)
    assert {k: getattr(p, k) for k in money} == money
    # What the sheet shows: an amount in its cell, never text over it (a field read is not also unparsed).
    assert not {k for k, v in money.items() if v is not None} & set(p.unparsed)


def test_an_amount_without_a_unit_is_quoted_at_the_budget_cell() -> None:
    """ezhou 2022 prints 合计814662.98794.55 (three figures run together) and no unit anywhere: not 814 元."""
    unit = load("ezhou_2022_jiguanshiwu_binhudasha").unit
    (p,) = unit.projects
    assert p.unparsed["budget_year"].startswith("814662.98794.55")
    findings = [f for f in validate(unit, load_ruleset(unit.framework)).findings if f.field == "budget_year"]
    assert [(f.code, f.cell) for f in findings] == [("money.invalid", "D9")]
    assert "814662.98794.55" in findings[0].value


def test_self_evaluation_columns_fill_their_fields() -> None:
    # 池州: 基建工程委托业务项目数量 | ≥50个 | 50 | 8 | 8
    first = load("chizhou_tangxi_2022_weituoyewu_ziping").unit.projects[0].indicators[0]
    assert (first.value, first.actual, first.points, first.score) == ("≥50个", "50", D(8), D(8))
    # 鄂州 2021: 预算执行率 | 100% | 83.5% | 20 | 18
    e = load("ezhou_2021_shenpiju_shiminzhongxin_ziping").unit.projects[0].indicators[0]
    assert (e.name, e.value, e.actual, e.points, e.score) == ("预算执行率", "100%", "83.5%", D(20), D(18))
    # 中江: 项目(工程)验收合格率20100%100%20 (分值 20, 年度指标值 100%, 全年实际值 100%, 得分 20)
    z = load("zhongjiang_2022_shuibiaochi_ziping").unit.projects[0].indicators[2]
    assert (z.name, z.points, z.value, z.actual, z.score) == ("项目(工程)验收合格率", D(20), "100%", "100%", D(20))
    # 南华: 配套电力设施1250KVA变压器3台 | 3 | 9.3 | 9.3 — the 实际完成值 cell left blank
    n = load("nanhua_yejunjiagong_ziping").unit.projects[0].indicators[2]
    assert (n.value, n.actual, n.points, n.score) == ("3", "", D("9.3"), D("9.3"))
    # 宁德: 當年人才驛站組織活動數量>=28次40次143% (目标值, 实际完成值, 累计完成率)
    q = load("ningde_2023_rencaiyizhan_ziping").unit.projects[0].indicators[1]
    assert (q.value, q.actual, q.extra) == (">=28次", "40次", {"累计完成率": "143%"})


def test_levels_other_forms_print_are_mapped_and_said() -> None:
    daying = load("daying_2020_shuangxin_wenming_ziping")
    levels = [(i.level1, i.level2) for i in daying.unit.projects[0].indicators]
    # 项目决策 (sic) has no counterpart in the framework: kept as printed, for validation to question
    assert levels[0] == ("项目决策", "数量指标")
    assert ("效益指标", "社会效益指标") in levels  # printed 项目效益 / 社会效益 指标
    said = [n.reason for n in daying.notes if n.kind == "info"]
    assert any("“项目效益”按本指标体系的“效益指标”导入" in r for r in said)
    ningde = load("ningde_2023_rencaiyizhan_ziping").unit.projects[0]
    assert {(i.level1, i.level2) for i in ningde.indicators[:5]} == {("产出指标", "数量指标"), ("产出指标", "质量指标")}
    assert ningde.extra["二级指标“数量目标”"] == "按“数量指标”导入"


def test_a_department_table_is_one_project_named_for_the_department() -> None:
    result = load("yueyanglou_2023_jiagerending_zhengti")
    (p,) = result.unit.projects
    assert result.unit.name == "岳阳楼区价格认证鉴定中心"  # 部門(單位)名稱 | 岳陽樓區價格認證鑒定中心
    assert p.name == "岳阳楼区价格认证鉴定中心部门整体支出"
    assert p.extra["部门(单位)职责"] == "负责价格认定工作"
    (said,) = [n for n in result.notes if n.text == "部门整体支出绩效目标表"]
    assert "不是项目的申报表" in said.reason and "部门(单位)职责" in said.reason
    # 社會成本指標 | 定量 | 100 | %: the 三级指标 cell is blank, so the level-2 names the row
    cost = p.indicators[3]
    assert (cost.level1, cost.level2, cost.name, cost.value) == ("成本指标", "社会成本指标", "社会成本指标", "100")
    # 經濟效益指標 | 未達指標值酌情扣分: a row with only its scoring rule is no indicator, and says so
    assert any(n.text == "未达指标值酌情扣分" and "没有指标名称和指标值" in n.reason for n in result.notes)


@pytest.mark.parametrize("stem", PROSE)
def test_prose_is_refused_as_prose(stem: str) -> None:
    with pytest.raises(ImportTextError) as info:
        load(stem)
    assert "这是一段文字" in info.value.message and "不是表格" in info.value.message
    if stem.endswith("huangjinmi_gongshi"):
        # 附件:下马关镇设施农业黄金蜜(葡萄)种植项目绩效目标设定表.xlsx
        assert "下马关镇设施农业黄金蜜(葡萄)种植项目绩效目标设定表.xlsx" in info.value.message


def test_a_table_whose_indicator_rows_hold_nothing_says_so() -> None:
    result = load(EMPTY_TABLE)
    (p,) = result.unit.projects
    assert p.name == "镇域内基础设施建设" and p.indicators == []
    # 总额10606.7522万元 / 财政拨款:6923.3552万元 / 三、其他:3683.3970万元 (二、自有资金:0万元 as written)
    assert (p.budget_year, p.budget_fiscal, p.budget_other) == (D("106067522"), D("69233552"), D("36833970"))
    assert p.extra["二、自有资金"] == "0万元"
    assert any("读不出任何一条指标" in n.reason for n in result.notes)
    assert any("88100" in n.text and "数字" in n.reason for n in result.notes)


def test_sign_off_lines_are_the_forms_not_page_noise() -> None:
    # 填表人: 宋云花 联系电话:16607326331 填报日期: 单位负责人签字:
    result = load("xiangtan_2023_wupaoche")
    extra = result.unit.projects[0].extra
    assert (extra["填表人"], extra["联系电话（签署栏）"]) == ("宋云花", "16607326331")
    assert result.unit.projects[0].phone == ""  # not the project's phone
    assert not any("宋云花" in n.text for n in result.notes)


def _cells_of_record(path: Path) -> list[str]:
    import openpyxl

    ws = openpyxl.load_workbook(path)["导入记录"]
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def _structure(word: str) -> bool:
    """A word the import read as the form's own: a title, a label, a column header, a level name, a year."""
    from xlgoals.importing.columns import column_of
    from xlgoals.importing.labels import find_label, fragment
    from xlgoals.importing.levels import level1_name, level2_name
    from xlgoals.importing.money import head_of
    from xlgoals.importing.titles import title, year_only

    tests = (find_label, column_of, level1_name, level2_name, head_of, title, year_only, fragment)
    return any(test(word) for test in tests)


@pytest.mark.parametrize("stem", TABLES)
def test_no_line_is_dropped_without_a_reason(stem: str, tmp_path: Path) -> None:
    """Every line of the source that no note names was read: each of its words is the form's own (a title, a
    label, a header, a level name) or stands in the model or in 导入记录 — whole, or as the runs of characters
    and digits it was cut into (a name and a phone run together, a value after its name)."""
    import re

    from xlgoals.importing.glued import cut, glued
    from xlgoals.importing.noise import clean
    from xlgoals.importing.titles import ends_table

    result = load(stem)
    path = tmp_path / "u.xlsx"
    write_import(result, path, f"{stem}.txt")
    told = {n.line for n in result.notes}
    kept = simplified(result.unit.model_dump_json()) + " ".join(_cells_of_record(path))
    text, _ = clean((REAL / f"{stem}.txt").read_text(encoding="utf-8"))
    for number, line in enumerate(text.splitlines(), start=1):
        if number in told:
            continue
        words = simplified(line).replace("|", " ").split()
        # A line the importer found glued has every word cut at the forms' words, as the importer cuts them.
        pieces = [p for w in words for p in cut(w)] if any(glued(w) for w in words) else words
        for k, piece in enumerate(pieces):
            joined = ("".join(pieces[k - 1 : k + 1]), "".join(pieces[k : k + 2]))  # a label wrapped in two
            whole = _structure(piece) or any(map(_structure, joined)) or ends_table(piece) or piece in kept
            runs = re.findall(r"[\u4e00-\u9fff]{2,}|[0-9]{2,}", piece)
            assert whole or all(r in kept or _structure(r) for r in runs), (number, piece)


def test_the_written_workbook_keeps_every_self_evaluation_figure(tmp_path: Path) -> None:
    """A self-evaluation is written on a 自评 sheet: each figure in its cell (money in 万元 as printed), none of them
    left to 导入记录."""
    import openpyxl

    result = load("ezhou_2021_shenpiju_shiminzhongxin_ziping")
    path = tmp_path / "e.xlsx"
    write_import(result, path, "e.txt")
    ws = openpyxl.load_workbook(path)["项目1"]
    # 年初预算数, 全年预算数, 全年执行数 (万元), 预算执行率的分值 and the 得分 printed beside the rules'.
    assert [ws[c].value for c in ("B7", "C7", "D7", "F7", "I7")] == [150, 150, 125.25, 100, 98]
    # 预算执行率 as an indicator: 实际完成值, 分值, and the 得分 printed (原表得分).
    assert [ws[c].value for c in ("C12", "D12", "E12", "F12", "I12")] == ["预算执行率", "100%", "83.5%", 20, 18]
    assert not {"实际完成值", "分值", "得分", "年初预算数（元）"} & set(_cells_of_record(path))


def test_every_table_validates_without_a_traceback() -> None:
    for stem in [*TABLES, EMPTY_TABLE]:
        unit: Unit = load(stem).unit
        validate(unit, load_ruleset(unit.framework or "national"))


@pytest.mark.parametrize("stem", [*TABLES, EMPTY_TABLE])
def test_no_field_is_both_read_and_unparsed(stem: str) -> None:
    """The sheet writes an unparsed text over a field's cell: a field read from one line is never overwritten by
    another line's text (a sentence in 实际完成情况 saying 财政拨款为150万元 is not a second 财政拨款)."""
    for p in load(stem).unit.projects:
        assert not {k for k in p.unparsed if getattr(p, k, None) not in (None, "")}
