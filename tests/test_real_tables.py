"""Real published tables from other offices: each imports whole, in every layout, and validates cleanly."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlgoals.core.errors import ImportTextError
from xlgoals.core.model import MONEY_FIELDS, Unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.importing.cells import split_words
from xlgoals.importing.importer import import_file, import_text
from xlgoals.validation.rules import validate

REAL = Path(__file__).resolve().parents[1] / "samples" / "real"

STEMS = [
    "yueyangxian_2022_gaobiaozhun_nongtian",
    "nanyue_2018_fupin_jichusheshi",
    "chizhou_tangxi_2022_weituoyewu_ziping",
    "fengjie_2023_yunwu_jiagongyuan",
    "xiangtan_2023_wupaoche",
]
D = Decimal


def expected_values() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    with (REAL / "values.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out.setdefault(row["source"], []).append((row["indicator name"], row["value text"]))
    return out


def pairs(unit: Unit) -> list[tuple[str, str]]:
    return [(i.name, i.value) for p in unit.projects for i in p.indicators if i.value]


def load(stem: str) -> Unit:
    return import_file(REAL / f"{stem}.txt").unit


@pytest.mark.parametrize("stem", STEMS)
def test_every_indicator_value_of_values_tsv(stem: str) -> None:
    assert pairs(load(stem)) == expected_values()[stem]


# (project name, year, framework, form, year's money, fiscal money, money unit, indicator count)
FACTS = {
    "yueyangxian_2022_gaobiaozhun_nongtian": (
        "岳阳县2022年高标准农田建设项目", 2022, "national-2015", "申报表", D(8_540_000), D(8_540_000), "万元", 12,
    ),
    "nanyue_2018_fupin_jichusheshi": (
        "2018年市级专项扶贫资金基础设施(人大代表扶贫基地)", 2018, "national-2015", "申报表", D(100_000),
        D(100_000), "万元", 16,
    ),
    "chizhou_tangxi_2022_weituoyewu_ziping": (
        "委托业务项目", 2022, "national-2015", "自评表", D(0), D(900_000), "万元", 9,
    ),
    "fengjie_2023_yunwu_jiagongyuan": (
        "2023年云雾土家族乡加工园配套设施建设项目", 2023, "national", "审批表", D(650_000), D(650_000), "万元", 1,
    ),
    "xiangtan_2023_wupaoche": ("雾炮车降尘抑尘服务", 2023, "national-2015", "申报表", D(2_500_000), None, "万元", 7),
}  # fmt: skip


@pytest.mark.parametrize("stem", STEMS)
def test_project_facts_and_money_in_yuan(stem: str) -> None:
    unit = load(stem)
    assert len(unit.projects) == 1
    p = unit.projects[0]
    name, year, framework, form, year_money, fiscal, money_unit, count = FACTS[stem]
    assert (p.name, unit.year, unit.framework, p.form) == (name, year, framework, form)
    assert (p.budget_year, p.budget_fiscal, p.money_unit) == (year_money, fiscal, money_unit)
    assert len(p.indicators) == count
    assert p.department and unit.name and p.goals


def test_national_header_fields() -> None:
    p = load("nanyue_2018_fupin_jichusheshi").projects[0]
    assert (p.department, p.manager, p.phone) == ("南岳镇政府", "郭铁梅", "18932106863")
    assert p.implementer == "[610001]湖南省润山润水生态农业发展有限公司"
    assert p.budget_other == D(0)
    f = load("fengjie_2023_yunwu_jiagongyuan").projects[0]
    assert (f.budget_total, f.implementer, f.manager, f.phone) == (D(650_000), "云雾土家族乡", "徐德迁", "13452649655")
    assert f.goals.startswith("新建中药材晾晒房一座")  # '年度主要目标' / '和成果' joined into one label
    assert (f.start, f.end) == (__import__("datetime").date(2023, 4, 1), __import__("datetime").date(2024, 2, 29))


def test_levels_scores_wrapped_names_and_extra_columns() -> None:
    y = load("yueyangxian_2022_gaobiaozhun_nongtian").projects[0]
    assert {i.level2 for i in y.indicators if i.level1 == "效益指标"} == {
        "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"
    }  # fmt: skip
    c = load("chizhou_tangxi_2022_weituoyewu_ziping").projects[0]
    assert c.level1_scores == {"产出指标": "50分", "效益指标": "30分", "满意度指标": "10分"}
    first = c.indicators[0]
    assert (first.level1, first.level2) == ("产出指标", "数量指标")
    # 实际完成值 / 分值 / 得分 of a self-evaluation in the model's own fields, not among the further columns
    assert (first.actual, first.points, first.score, first.extra) == ("50", D(8), D(8), {})
    assert c.indicators[2].actual == "达成预期指标"
    assert [i.level2 for i in c.indicators if i.level1 == "产出指标"].count("成本指标") == 2
    f = load("fengjie_2023_yunwu_jiagongyuan").projects[0]
    assert f.level1_scores == {"成本指标": "0-20分", "产出指标": "40-50分"}
    cost = f.indicators[0]
    assert (cost.level1, cost.level2, cost.points, cost.extra) == ("成本指标", "经济成本指标", D(10), {})
    x = load("xiangtan_2023_wupaoche").projects[0]
    assert all(i.extra == {"绩效标准": "计划标准"} for i in x.indicators)
    assert x.indicators[-1].level2 == "社会公众或服务对象满意度指标"


@pytest.mark.parametrize(
    ("stem", "where"),
    [("chizhou_tangxi_2022_weituoyewu_ziping", "公众满"), ("fengjie_2023_yunwu_jiagongyuan", "数量指")],
)
def test_cut_off_table_says_where_it_stopped(stem: str, where: str) -> None:
    notes = import_file(REAL / f"{stem}.txt").notes
    assert any(n.text == where and "中断" in n.reason for n in notes)


def test_page_noise_is_reported_not_imported() -> None:
    result = import_file(REAL / "yueyangxian_2022_gaobiaozhun_nongtian.txt")
    texts = " ".join(n.text for n in result.notes)
    assert "浏览量" in texts and "来源" in texts
    dumped = result.unit.model_dump_json()
    assert "浏览量" not in dumped and "来源:" not in dumped
    chizhou = import_file(REAL / "chizhou_tangxi_2022_weituoyewu_ziping.txt")
    assert any("FEAB6FBF67D44AA19C24BC22CBB840E5" in n.text for n in chizhou.notes)


@pytest.mark.parametrize("stem", STEMS)
def test_validates_under_its_framework_without_unknown_levels(stem: str) -> None:
    unit = load(stem)
    report = validate(unit, load_ruleset(unit.framework))
    codes = {f.code for f in report.findings}
    assert not codes & {"level1.unknown", "level2.unknown", "level2.misplaced"}, codes


def test_funding_parts_add_up_to_the_total_except_where_the_table_says_otherwise() -> None:
    # Chizhou's self-evaluation writes 年度资金总额 as 0 beside 本年财政拨款 90 (万元): the one real mismatch.
    found = {}
    for stem in STEMS:
        unit = load(stem)
        found[stem] = [
            f for f in validate(unit, load_ruleset(unit.framework)).findings if f.code == "money.funding-mismatch"
        ]
    assert [stem for stem, hits in found.items() if hits] == ["chizhou_tangxi_2022_weituoyewu_ziping"]
    (hit,) = found["chizhou_tangxi_2022_weituoyewu_ziping"]
    # The table is in 万元, and so is the message about it.
    assert hit.message.startswith("“年度资金总额” 0 万元不等于其中各项之和（“其中：财政拨款” 90 万元，合计 90 万元）")


def test_fengjie_under_the_older_form_is_wrong_and_vice_versa() -> None:
    fengjie = load("fengjie_2023_yunwu_jiagongyuan")
    assert "level1.unknown" in {f.code for f in validate(fengjie, load_ruleset("national-2015")).findings}
    nanyue = load("nanyue_2018_fupin_jichusheshi")
    assert "level2.misplaced" in {f.code for f in validate(nanyue, load_ruleset("national")).findings} | {
        f.code for f in validate(nanyue, load_ruleset("national")).findings if f.code == "level1.unknown"
    } or "level2.unknown" in {f.code for f in validate(nanyue, load_ruleset("national")).findings}
    assert "level1.cost-missing" in {f.code for f in validate(nanyue, load_ruleset("national")).findings}


# --- the same table in every other layout ----------------------------------------------------------------


def _rows(stem: str) -> list[list[str]]:
    """The table's rows of words, as its text gives them (comments dropped)."""
    text = (REAL / f"{stem}.txt").read_text(encoding="utf-8")
    return [split_words(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def laid_out(rows: list[list[str]], layout: str) -> str:
    """Rows of cells as text in one of the layouts published tables come in."""
    if layout == "tabs":
        return "\n".join("\t".join(r) for r in rows)
    if layout == "pipes":
        return "\n".join("| " + " | ".join(r) + " |" for r in rows)
    if layout == "spaces":
        return "\n".join("   ".join(r) for r in rows)
    if layout == "cell-per-line":
        return "\n\n".join(w for r in rows for w in r)
    return " ".join(w for r in rows for w in r)  # one line


def _relaid(stem: str, layout: str) -> str:
    rows = [[w for w in r if w.strip("|")] for r in _rows(stem)]
    return laid_out([r for r in rows if r], layout)


LAYOUTS = ["tabs", "pipes", "spaces", "cell-per-line", "one-line"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("stem", STEMS)
def test_same_table_in_every_layout(stem: str, layout: str) -> None:
    unit = import_text(_relaid(stem, layout), f"{stem}.{layout}").unit
    assert pairs(unit) == expected_values()[stem]
    original = load(stem).projects[0]
    p = unit.projects[0]
    assert (p.name, p.budget_year, p.department, p.goals) == (
        original.name, original.budget_year, original.department, original.goals
    )  # fmt: skip
    assert [(i.level1, i.level2) for i in p.indicators] == [(i.level1, i.level2) for i in original.indicators]


def test_traditional_characters_read_as_simplified() -> None:
    text = "項目名稱 鄉村道路 主管部門 交通局\n一級指標 二級指標 三級指標 指標值\n產出指標 數量指標 道路里程 ≥1.5萬米\n"
    p = import_text(text).unit.projects[0]
    assert (p.name, p.department) == ("乡村道路", "交通局")
    ind = p.indicators[0]
    assert (ind.level1, ind.level2, ind.name) == ("产出指标", "数量指标", "道路里程")
    assert ind.target is not None and ind.target.number == D(15_000)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_several_projects_in_one_text_in_every_layout(layout: str) -> None:
    first, second = "xiangtan_2023_wupaoche", "chizhou_tangxi_2022_weituoyewu_ziping"
    sep = {"one-line": " ", "cell-per-line": "\n\n"}.get(layout, "\n")
    unit = import_text(_relaid(first, layout) + sep + _relaid(second, layout)).unit
    assert [p.name for p in unit.projects] == ["雾炮车降尘抑尘服务", "委托业务项目"]
    assert pairs(unit) == expected_values()[first] + expected_values()[second]
    assert [p.budget_fiscal for p in unit.projects] == [None, D(900_000)]


def test_labels_with_and_without_colons() -> None:
    for text in ("项目名称 道路", "项目名称：道路", "项目名称:道路", "项目支出名称 道路"):
        table = text + "\n一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 里程 ≥5公里\n"
        assert import_text(table).unit.projects[0].name == "道路"


def test_foreign_xlsx_imports_like_its_text(tmp_path: Path) -> None:
    stem = "nanyue_2018_fupin_jichusheshi"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "申报表"
    for r in _rows(stem):
        ws.append([re.sub(r"\s+", " ", w) for w in r])
    path = tmp_path / "other.xlsx"
    wb.save(path)
    unit = import_file(path).unit
    assert pairs(unit) == expected_values()[stem]
    assert unit.projects[0].budget_year == D(100_000)


@pytest.mark.parametrize("sep", [" | ", "   ", "\n\n"])
def test_the_shanghai_sample_re_laid_goes_through_the_same_recogniser(sep: str) -> None:
    from tests.conftest import SAMPLE_TXT

    text = SAMPLE_TXT.read_text(encoding="utf-8")
    original = import_file(SAMPLE_TXT).unit
    unit = import_text("\n".join(sep.join(line.split("\t")) for line in text.splitlines())).unit
    assert (unit.name, unit.year, unit.framework) == (original.name, original.year, original.framework)
    keys = ("name", "category", "start", "end", "gov_purchase", "perf_type", *MONEY_FIELDS)
    for p, q in zip(unit.projects, original.projects, strict=True):
        assert [getattr(p, k) for k in keys] == [getattr(q, k) for k in keys]
        assert [(i.level1, i.level2, i.name, i.value) for i in p.indicators] == [
            (i.level1, i.level2, i.name, i.value) for i in q.indicators
        ]


def test_findings_of_an_imported_national_table_point_into_the_national_form() -> None:
    unit = load("xiangtan_2023_wupaoche")
    found = {(f.code, f.cell) for f in validate(unit, load_ruleset(unit.framework)).findings}
    # no 实施单位 in the table; the service period runs into 2024
    assert found == {("field.required", "D5"), ("date.outside-year", "D6")}


def test_vague_targets_are_their_own_finding_at_the_value_cell() -> None:
    text = (
        "项目名称 道路\n一级指标 二级指标 三级指标 指标值\n"
        "产出指标 数量指标 受益人数 很多\n产出指标 质量指标 路面质量 大幅提高\n"
    )
    unit = import_text(text).unit
    vague = [f for f in validate(unit, load_ruleset("national")).findings if f.code == "target.vague"]
    assert [(f.cell, f.value) for f in vague] == [("D18", "很多"), ("D19", "大幅提高")]


def test_a_header_repeated_after_a_page_break_and_header_notes() -> None:
    text = (
        "项目名称 道路\n一级指标 二级指标 三级指标 指标值(包含数字及文字描述) 备注\n"
        "产出指标 数量指标 里程 ≥5公里 新建\n第1页\n一级指标 二级指标 三级指标 指标值(包含数字及文字描述) 备注\n"
        "质量指标 验收合格率 100% 无\n"
    )
    result = import_text(text)
    rows = [(i.level1, i.level2, i.name, i.value, i.extra) for i in result.unit.projects[0].indicators]
    assert rows == [
        ("产出指标", "数量指标", "里程", "≥5公里", {"备注": "新建"}),
        ("产出指标", "质量指标", "验收合格率", "100%", {"备注": "无"}),
    ]


def test_a_level2_word_as_an_indicator_name() -> None:
    text = (
        "项目名称 道路\n一级指标 二级指标 三级指标 指标值\n"
        "满意度指标 服务对象满意度指标 满意度 ≥90%\n成本指标 经济成本指标 成本 ≤65万元\n"
    )
    rows = [(i.level1, i.level2, i.name, i.value) for i in import_text(text).unit.projects[0].indicators]
    assert rows == [
        ("满意度指标", "服务对象满意度指标", "满意度", "≥90%"),
        ("成本指标", "经济成本指标", "成本", "≤65万元"),
    ]


@pytest.mark.parametrize(
    ("value", "flagged"), [("95%-100%", False), ("95%-120%", True), ("较上年提高150%", False), (">=120%", True)]
)
def test_percent_range_reads_ranges_and_changes(value: str, flagged: bool) -> None:
    text = f"项目名称 道路\n一级指标 二级指标 三级指标 指标值\n产出指标 质量指标 达标率 {value}\n"
    unit = import_text(text).unit
    codes = {f.code for f in validate(unit, load_ruleset("national")).findings}
    assert ("target.percent-range" in codes) is flagged


SPLIT_VALUE_TABLE = [
    ["项目名称", "道路"],
    ["一级", "指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "分值"],
    ["产出指标", "数量指标", "新建里程", "≥", "5", "公里", "20"],
    ["质量指标", "验收合格率", "=", "100", "%", "20"],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90", "%", "10"],
]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_operator_value_and_unit_in_their_own_columns(layout: str) -> None:
    inds = import_text(laid_out(SPLIT_VALUE_TABLE, layout)).unit.projects[0].indicators
    assert [(i.level2, i.name, i.value) for i in inds] == [
        ("数量指标", "新建里程", "5"),
        ("质量指标", "验收合格率", "100"),
        ("服务对象满意度指标", "群众满意度", "90"),
    ]
    assert (inds[0].extra, inds[0].points) == ({"指标性质": "≥", "度量单位": "公里"}, D(20))
    targets = [(t.operator, t.number, t.unit) for t in (i.target for i in inds) if t is not None]
    assert targets == [(">=", D(5), "公里"), ("=", D(100), "%"), (">=", D(90), "%")]


# --- generated national tables: every layout gives the same rows ---------------------------------------------

_LEVELS = {
    "成本指标": ["经济成本指标", "社会成本指标"],
    "产出指标": ["数量指标", "质量指标", "时效指标"],
    "效益指标": ["经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"],
    "满意度指标": ["服务对象满意度指标"],
}
_NAMES = ["道路里程", "受益人数", "验收合格率", "完成及时率", "建设成本", "群众满意度", "带动就业人数", "使用年限"]
_VALUES = ["≥95%", "10辆", "2023年12月前", "优良", "1-3个工作日", "≤65万元", "=100", "较上年提高5%", "效果明显"]


@st.composite
def national_tables(draw: st.DrawFn) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for level1 in draw(st.lists(st.sampled_from(list(_LEVELS)), min_size=1, max_size=4, unique=True)):
        for level2 in draw(st.lists(st.sampled_from(_LEVELS[level1]), min_size=1, max_size=3, unique=True)):
            for _ in range(draw(st.integers(1, 3))):
                rows.append((level1, level2, draw(st.sampled_from(_NAMES)), draw(st.sampled_from(_VALUES))))
    return rows


@settings(max_examples=25, deadline=None)
@given(national_tables(), st.sampled_from(LAYOUTS), st.booleans())
def test_generated_tables_read_the_same_in_every_layout(
    rows: list[tuple[str, str, str, str]], layout: str, merged: bool
) -> None:
    # merged: a level printed once for the rows under it, as merged cells print
    grid = [["项目名称", "生成项目"], ["一级指标", "二级指标", "三级指标", "指标值"]]
    before = ("", "")
    for level1, level2, name, value in rows:
        shown1 = "" if merged and level1 == before[0] else level1
        shown2 = "" if merged and (level1, level2) == before else level2
        grid.append([c for c in (shown1, shown2, name, value) if c])
        before = (level1, level2)
    project = import_text(laid_out(grid, layout)).unit.projects[0]
    assert project.name == "生成项目"
    assert [(i.level1, i.level2, i.name, i.value) for i in project.indicators] == rows


def test_a_title_repeated_as_a_page_header_continues_the_table() -> None:
    text = (REAL / "nanyue_2018_fupin_jichusheshi.txt").read_text(encoding="utf-8")
    title = "2018年市级专项扶贫资金基础设施(人大代表扶贫基地)绩效目标申报表"
    paged = text.replace("流转土地 >=60亩", f"流转土地 >=60亩\n第1页\n{title}", 1)
    result = import_text(paged)
    assert len(result.unit.projects) == 1
    assert pairs(result.unit) == expected_values()["nanyue_2018_fupin_jichusheshi"]
    assert any(n.text == title and "页眉" in n.reason for n in result.notes)


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("财政项目支出绩效目标表", ""),
        ("市级财政项目支出绩效目标表", ""),
        ("2023年部门预算项目支出绩效目标申报表", ""),
        ("2023年高标准农田建设项目支出绩效目标申报表", "高标准农田建设"),
    ],
)
def test_a_title_names_its_project_only_when_it_has_one(text: str, subject: str) -> None:
    from xlgoals.importing.titles import title

    t = title(text)
    assert t is not None and t.subject == subject


def test_a_table_of_headers_alone_imports_no_project() -> None:
    """The form's own title is no project name: a text of bare headers has nothing to import."""
    header_only = (
        "财政项目支出绩效目标表\n(2020年度)\n申报单位名称：某单位\n"
        "项目名称：\t\t项目类别：\t\n一级目标\t二级目标\t三级目标\t指标目标值\n"
    )
    with pytest.raises(ImportTextError):
        import_text(header_only)
