"""Importing the published text form: the real sample exactly, generated declarations, and bad input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLE_TXT
from xlgoals.core import layout
from xlgoals.core.errors import ImportTextError
from xlgoals.core.model import Unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.core.targets import TargetKind, parse_target
from xlgoals.core.values import format_money
from xlgoals.importing.importer import ImportNote, ImportResult, import_file, import_text
from xlgoals.io.reader import read
from xlgoals.workbooks.template import write_unit

D = Decimal
LABEL = {f.key: f.label for f in layout.PROJECT_FIELDS}
NAMES = ["上海国际生物技术与医药交流对接", "上海中医药与天然药物国际交流推广", "生物医药孵化器运行保障"]


@pytest.fixture(scope="module")
def sample() -> ImportResult:
    return import_file(SAMPLE_TXT)


# --- the real sample ------------------------------------------------------------------------------------


def test_sample_unit(sample: ImportResult) -> None:
    unit = sample.unit
    assert unit.name == "上海市生物医药科技产业促进中心（上海新药研究开发中心）"
    assert unit.year == 2020
    assert unit.framework == "shanghai-2020"
    assert unit.source == str(SAMPLE_TXT)
    assert unit.unparsed == {}


def test_sample_projects(sample: ImportResult) -> None:
    projects = sample.unit.projects
    assert [p.name for p in projects] == NAMES
    assert [len(p.indicators) for p in projects] == [16, 8, 6]
    assert [p.budget_year for p in projects] == [D(600_000), D(400_000), D(4_989_200)]
    assert [p.budget_total for p in projects] == [D(600_000), D(400_000), D(4_989_200)]
    assert [p.last_year_budget for p in projects] == [D(600_000), D(400_000), D(5_286_280)]
    assert [p.last_year_executed for p in projects] == [D(600_000), D(400_000), D(5_286_280)]
    assert [(p.start, p.end) for p in projects] == [
        (date(2020, 1, 2), date(2020, 8, 30)),
        (date(2020, 6, 3), date(2020, 12, 16)),
        (date(2020, 1, 2), date(2020, 12, 16)),
    ]
    for p in projects:
        assert (p.category, p.perf_type, p.gov_purchase) == ("其他一次性项目", "其他类", False)
        assert p.unparsed == {}
        assert all(getattr(p, key) for key in ("overview", "basis", "necessity", "safeguards", "plan", "goals"))
    assert sum(p.budget_year or 0 for p in projects) == D(5_989_200)


def test_sample_goals_joined_across_the_page_break(sample: ImportResult) -> None:
    goals = sample.unit.projects[0].goals
    assert goals.startswith("作为国内知名度最高、影响力最广")
    assert goals.endswith("并协助1-3项国内外创新技术的合作对接。")
    assert "第22届上海国际生物技术与医药药研讨会" in goals
    assert "\n" not in goals


def test_sample_paragraphs_are_lines_and_no_markup_is_left(sample: ImportResult) -> None:
    overview = sample.unit.projects[1].overview
    assert overview.split("\n")[1].startswith("1、会议的主要内容：")
    assert overview.count("\n") == 3
    dumped = sample.unit.model_dump_json()
    assert "<p" not in dumped and "</p>" not in dumped and "style=" not in dumped
    for p in sample.unit.projects:
        for key in ("overview", "basis", "necessity", "safeguards", "plan", "goals"):
            text = getattr(p, key)
            assert text == text.strip() and "\t" not in text


def test_sample_indicators(sample: ImportResult) -> None:
    first = sample.unit.projects[0].indicators
    second = first[1]
    assert (second.level1, second.level2, second.name, second.value) == (
        "投入与管理",
        "财务管理",
        "资金使用合规性",
        "合规",
    )
    assert second.target is not None and second.target.kind is TargetKind.QUALITATIVE
    # blank level-1/level-2 cells were filled from the row above
    assert [(i.level1, i.level2) for i in first[:5]] == [
        ("投入与管理", "投入管理"),
        ("投入与管理", "财务管理"),
        ("投入与管理", "财务管理"),
        ("投入与管理", "财务管理"),
        ("投入与管理", "实施管理"),
    ]
    assert first[0].value == "=100" and first[0].target is not None and first[0].target.unit == "%"
    assert first[10].target is not None and first[10].target.kind is TargetKind.DESCRIPTIVE
    last = sample.unit.projects[2].indicators[-1]
    assert (last.level1, last.level2, last.name, last.value) == ("影响力目标", "人力资源", "人员到位率", ">=98%")
    levels = {i.level1 for p in sample.unit.projects for i in p.indicators}
    assert levels == {"投入与管理", "产出目标", "效果目标", "影响力目标"}
    for p in sample.unit.projects:
        for ind in p.indicators:
            assert ind.target == parse_target(ind.value, ind.name)


def test_sample_every_line_is_placed(sample: ImportResult) -> None:
    assert sample.notes == []


# --- the workbook round trip ----------------------------------------------------------------------------

# The reader adds where each value sits and which file it came from; the import has neither.
_EXCLUDE: Any = {
    "source": True,
    "cells": True,
    "projects": {"__all__": {"sheet": True, "cells": True, "indicators": {"__all__": {"cells": True}}}},
}


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_round_trip_through_the_workbook(sample: ImportResult, tmp_path: Path, engine: str) -> None:
    path = tmp_path / "unit.xlsx"
    write_unit(sample.unit, path)
    back = read(path, engine)  # type: ignore[arg-type]
    assert back.model_dump(exclude=_EXCLUDE) == sample.unit.model_dump(exclude=_EXCLUDE)
    # The cover shows the rule set's title; the reader maps it back to the name.
    cover = openpyxl.load_workbook(path)[layout.COVER_SHEET]
    assert cover[layout.COVER_FIELD["framework"].value_cell].value == load_ruleset("shanghai-2020").title
    assert back.framework == "shanghai-2020"


# --- small cases ----------------------------------------------------------------------------------------

HEADER = "财政项目支出绩效目标表\n(2020年度)\n申报单位名称：某单位\n"
TABLE = "2020年绩效目标\n一级目标\t二级目标\t三级目标\t指标目标值\n投入与管理\t投入管理\t资金到位率(%)\t=100\n"


def test_unplaceable_line_is_reported_with_its_number() -> None:
    text = HEADER + "项目名称：\t甲项目\t项目类别：\t其他一次性项目\n这行\t不属于\t任何字段\n" + TABLE
    result = import_text(text)
    assert result.notes == [ImportNote(5, "这行\t不属于\t任何字段", result.notes[0].reason)]
    assert "无法识别" in result.notes[0].reason
    assert result.unit.projects[0].name == "甲项目"


def test_line_before_the_first_project_is_reported() -> None:
    result = import_text("关于2020年预算的公示\n" + HEADER + "项目名称：\t甲\n")
    assert [(n.line, n.text) for n in result.notes] == [(1, "关于2020年预算的公示")]


def test_field_continued_across_a_blank_line() -> None:
    text = (
        HEADER
        + "项目名称：\t甲\n总目标及阶段性目标：\t<p>第一句。举办研讨</p>\t\t\n\n会两场。\n\n立项依据：\t依据。\n"
        + TABLE
    )
    project = import_text(text).unit.projects[0]
    assert project.goals == "第一句。举办研讨会两场。"
    assert project.basis == "依据。"


def test_continuation_after_a_full_sentence_starts_a_new_line() -> None:
    text = HEADER + "项目名称：\t甲\n项目概况：\t第一段结束。\n\n第二段。\n" + TABLE
    result = import_text(text)
    assert result.unit.projects[0].overview == "第一段结束。\n第二段。"
    assert result.notes == []


def test_malformed_money_and_date_are_kept_in_unparsed() -> None:
    text = (
        HEADER + "项目名称：\t甲\n计划开始日期：\t2020年13月\t计划完成日期：\t2020-12-31\n"
        "是否含有政府购买服务：\t不确定\t绩效类型：\t其他类\n"
        "项目总预算（元）：\t约六十万\t项目当年预算（元）：\t60万元\n" + TABLE
    )
    result = import_text(text)
    p = result.unit.projects[0]
    assert p.unparsed == {"start": "2020年13月", "gov_purchase": "不确定", "budget_total": "约六十万"}
    assert (p.start, p.end, p.gov_purchase) == (None, date(2020, 12, 31), None)
    assert (p.budget_total, p.budget_year) == (None, D(600_000))
    assert result.notes == []


def test_header_glued_into_one_line_of_paragraphs() -> None:
    glued = (
        '<p style="text-align: center;">财政项目支出绩效目标表</p> <p style="text-align: center;">（2021年度）</p>'
        ' <p style="text-align: center;">申报单位名称：乙单位</p>\t\t\t\n'
    )
    result = import_text(glued + "项目名称：\t甲\n" + TABLE.replace("2020", "2021"))
    assert (result.unit.name, result.unit.year, result.notes) == ("乙单位", 2021, [])


def test_second_project_without_a_header_still_starts_a_project() -> None:
    text = HEADER + "项目名称：\t甲\n" + TABLE + "项目名称：\t乙\n" + TABLE
    projects = import_text(text).unit.projects
    assert [(p.name, len(p.indicators)) for p in projects] == [("甲", 1), ("乙", 1)]


def test_budget_lines_after_the_table_stay_with_their_project() -> None:
    text = (
        "申报单位名称：\t某单位\n年度：\t2022\n项目名称：\t甲\n项目概况：\t详见附件\n\n财政项目支出绩效目标表之附表\n"
        + TABLE
        + "项目总预算（元）：\t1,000\t项目当年预算（元）：\t800\n"
    )
    result = import_text(text)
    (project,) = result.unit.projects
    assert (project.budget_total, project.budget_year) == (D(1000), D(800))
    # Only the exact title is a title: a text line that merely mentions the form continues its field.
    assert project.overview == "详见附件财政项目支出绩效目标表之附表"
    assert (result.unit.name, result.unit.year) == ("某单位", 2022)
    assert [(n.line, n.reason) for n in result.notes] == [(7, "绩效目标年度（2020）与表头年度（2022）不一致")]


def test_indicator_rows_extra_columns_and_split_values() -> None:
    text = (
        HEADER + "项目名称：\t甲\n一级目标\t二级目标\t三级目标\t指标目标值\t分值\n"
        "效果目标\t社会效益\t拓展渠道\t吸引各界代表参与会议，搭建交流\t10\n"
        "\n"
        "合作平台\n"
        "\t满意度\t满意率(%)\t>=90\n"
    )
    result = import_text(text)
    inds = result.unit.projects[0].indicators
    assert [(i.level1, i.level2, i.name, i.value) for i in inds] == [
        ("效果目标", "社会效益", "拓展渠道", "吸引各界代表参与会议，搭建交流合作平台"),
        ("效果目标", "满意度", "满意率(%)", ">=90"),
    ]
    assert [(n.line, n.text) for n in result.notes] == [(6, "10")]


def test_level1_on_its_own_line_is_used_by_the_rows_below() -> None:
    text = HEADER + "项目名称：\t甲\n" + TABLE + "产出目标\n\t数量\t参会人数\t>=400\n"
    result = import_text(text)
    assert [(i.level1, i.level2) for i in result.unit.projects[0].indicators] == [
        ("投入与管理", "投入管理"),
        ("产出目标", "数量"),
    ]
    assert result.notes == []


def test_level1_row_nothing_uses_is_reported() -> None:
    text = HEADER + "项目名称：\t甲\n" + TABLE + "产出目标\n"
    assert [(n.line, n.text) for n in import_text(text).notes] == [(8, "产出目标")]


def test_page_numbers_and_conflicting_unit_name_are_reported() -> None:
    text = HEADER + "项目名称：\t甲\n- 2 -\n申报单位名称：别的单位\n" + TABLE
    result = import_text(text)
    assert result.unit.name == "某单位"
    assert [(n.line, n.text) for n in result.notes] == [(5, "- 2 -"), (6, "别的单位")]


def test_gb18030_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(SAMPLE_TXT.read_text(encoding="utf-8").encode("gb18030"))
    assert import_file(path).unit.model_dump(exclude={"source"}) == import_file(SAMPLE_TXT).unit.model_dump(
        exclude={"source"}
    )


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE_TXT.read_bytes().replace(b"\n", b"\r\n"))
    result = import_file(path)
    assert [p.name for p in result.unit.projects] == NAMES and result.notes == []


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "为空"),
        (b"  \n\t\n", "为空"),
        ("只是一段说明文字。\n".encode(), "找不到任何项目"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x00\x01\x02\xff\xfe\x00", "编码"),
    ],
)
def test_unusable_files_name_the_file(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "decl.txt"
    path.write_bytes(content)
    with pytest.raises(ImportTextError) as info:
        import_file(path)
    assert words in info.value.message and "decl.txt" in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ImportTextError, match=r"nope\.txt"):
        import_file(tmp_path / "nope.txt")
    with pytest.raises(ImportTextError, match="文件夹"):
        import_file(tmp_path)


# --- generated declarations -----------------------------------------------------------------------------

_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
# A paragraph that reads exactly like a section title or a column header is ambiguous in the text form
# itself; hypothesis finds those words in the importer's source, so generated text leaves them out.
_TITLE_WORDS = ("绩效目标", "资金使用情况", "一级目标", "二级目标", "三级目标")


def _plain(text: str) -> bool:
    return not any(w in text for w in _TITLE_WORDS)


_SHORT = st.text(_CJK, min_size=1, max_size=12).filter(_plain)
_SENTENCE_END = "。！？；"


@st.composite
def _paragraph(draw: st.DrawFn, last: bool) -> str:
    body = draw(st.text(st.one_of(_CJK, st.sampled_from("，、")), min_size=1, max_size=60).filter(_plain))
    body = body.lstrip("，、") or "文"
    # Paragraphs other than the last end a sentence: in the plain text form that is what marks them.
    return body + ("。" if not last or draw(st.booleans()) else "")


@st.composite
def _long_text(draw: st.DrawFn) -> list[str]:
    n = draw(st.integers(1, 3))
    return [draw(_paragraph(i == n - 1)) for i in range(n)]


_VALUES = st.one_of(
    st.sampled_from(["=100", ">=95%", "<=30天", ">=85", "合规", "健全", "规范", ""]),
    st.text(st.one_of(_CJK, st.sampled_from("，、")), min_size=5, max_size=30).filter(_plain).map(lambda s: "建" + s),
)


@dataclass
class _GenIndicator:
    level1: str
    level2: str
    name: str
    value: str


@dataclass
class _GenProject:
    fields: dict[str, Any]
    long: dict[str, list[str]]
    indicators: list[_GenIndicator] = field(default_factory=list)


@st.composite
def _indicators(draw: st.DrawFn) -> list[_GenIndicator]:
    out: list[_GenIndicator] = []
    level1s = draw(st.lists(st.one_of(st.sampled_from(["投入与管理", "产出目标", "效果目标"]), _SHORT), max_size=4))
    for l1 in level1s:
        for l2 in draw(st.lists(_SHORT, min_size=1, max_size=3)):
            for name in draw(st.lists(_SHORT, min_size=1, max_size=3)):
                out.append(_GenIndicator(l1, l2, name, draw(_VALUES)))
    return out


@st.composite
def _project(draw: st.DrawFn) -> _GenProject:
    money = st.integers(0, 10**11).map(lambda c: D(c) / 100)
    fields: dict[str, Any] = {
        "name": draw(_SHORT),
        "category": draw(st.one_of(st.sampled_from(["其他一次性项目", "经常性项目"]), _SHORT)),
        "start": draw(st.dates(date(2000, 1, 1), date(2100, 12, 31))),
        "end": draw(st.dates(date(2000, 1, 1), date(2100, 12, 31))),
        "gov_purchase": draw(st.booleans()),
        "perf_type": draw(st.one_of(st.just("其他类"), _SHORT)),
        "budget_total": draw(money),
        "budget_year": draw(money),
        "last_year_budget": draw(money),
        "last_year_executed": draw(money),
    }
    long = {key: draw(_long_text()) for key in ("overview", "basis", "necessity", "safeguards", "plan", "goals")}
    return _GenProject(fields, long, draw(_indicators()))


def _render_long(label: str, paras: list[str], wrap: bool, split: int | None) -> list[str]:
    """A long field as the PDF extract prints it, optionally cut by a page break inside a paragraph."""
    if split is not None:
        # Cut the last paragraph where no sentence ends, as a page break does; the rest opens the next page.
        last = paras[-1]
        cuts = [i for i in range(1, len(last)) if last[i - 1] not in _SENTENCE_END]
        if cuts:
            at = cuts[split % len(cuts)]
            head, tail = [*paras[:-1], last[:at]], last[at:]
            return [*_render_long(label, head, wrap, None), "", tail]
    if wrap:
        return [f"{label}：\t" + " ".join(f"<p>{p}</p>" for p in paras) + "\t\t"]
    return [f"{label}：\t{paras[0]}\t\t", *paras[1:]]


def _header(unit_name: str, year: int, style: int) -> list[str]:
    if style == 0:
        return ["", "财政项目支出绩效目标表", "", f"({year}年度)", "", f"申报单位名称：{unit_name}", ""]
    if style == 1:
        center = '<p style="text-align: center;">'
        return [
            f"{center}财政项目支出绩效目标表</p> {center}({year}年度)</p> {center}申报单位名称：{unit_name}</p>\t\t\t"
        ]
    return ["财政项目支出绩效目标表\t\t\t", f"（{year}年度）\t\t\t", f"申报单位名称：{unit_name}\t\t\t"]


def _render(unit_name: str, year: int, projects: list[_GenProject], data: st.DataObject) -> str:
    lines: list[str] = []
    for p in projects:
        f = p.fields
        if data.draw(st.booleans(), "header"):
            lines += _header(unit_name, year, data.draw(st.integers(0, 2), "header style"))
        lines += [
            f"{LABEL['name']}：\t{f['name']}\t{LABEL['category']}：\t{f['category']}",
            f"{LABEL['start']}：\t{f['start'].isoformat()}\t{LABEL['end']}：\t{f['end'].isoformat()}",
            f"{LABEL['gov_purchase']}：\t{'是' if f['gov_purchase'] else '否'}"
            f"\t{LABEL['perf_type']}：\t{f['perf_type']}",
        ]
        for key, paras in p.long.items():
            wrap = data.draw(st.booleans(), "wrap in <p>")
            split = data.draw(st.one_of(st.none(), st.integers(0, 1000)), "page break")
            lines += _render_long(LABEL[key], paras, wrap, split)
        lines += ["", "本项目上年度市级财政资金使用情况" + data.draw(st.sampled_from(["", "\t\t\t"]), "tabs")]
        money = {
            k: format_money(f[k]) for k in ("budget_total", "budget_year", "last_year_budget", "last_year_executed")
        }
        lines += [
            f"{LABEL['budget_total']}：\t{money['budget_total']}\t{LABEL['budget_year']}：\t{money['budget_year']}",
            f"{LABEL['last_year_budget']}：\t{money['last_year_budget']}"
            f"\t{LABEL['last_year_executed']}：\t{money['last_year_executed']}",
            "",
            f"{year}年绩效目标\t\t\t",
            "",
            "一级目标\t二级目标\t三级目标\t指标目标值",
        ]
        before: _GenIndicator | None = None
        for ind in p.indicators:
            show1 = before is None or ind.level1 != before.level1
            show2 = show1 or (before is not None and ind.level2 != before.level2)
            lines.append(f"{ind.level1 if show1 else ''}\t{ind.level2 if show2 else ''}\t{ind.name}\t{ind.value}")
            before = ind
        lines.append("")
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit_name=_SHORT.map(lambda s: s + "中心（分部）"),
    year=st.integers(2000, 2100),
    projects=st.lists(_project(), min_size=1, max_size=3),
    data=st.data(),
)
def test_generated_declarations_come_back_field_for_field(
    unit_name: str, year: int, projects: list[_GenProject], data: st.DataObject
) -> None:
    text = _render(unit_name, year, projects, data)
    result = import_text(text)
    assert result.notes == []
    unit = result.unit
    assert unit.name in ("", unit_name)
    assert unit.year in (None, year)
    assert len(unit.projects) == len(projects)
    for got, want in zip(unit.projects, projects, strict=True):
        for key, value in want.fields.items():
            assert getattr(got, key) == value, key
        for key, paras in want.long.items():
            assert getattr(got, key) == "\n".join(paras), key
        assert got.unparsed == {}
        assert [(i.level1, i.level2, i.name, i.value) for i in got.indicators] == [
            (i.level1, i.level2, i.name, i.value) for i in want.indicators
        ]
        for ind in got.indicators:
            assert ind.target == parse_target(ind.value, ind.name)


_FRAGMENTS = st.sampled_from(
    [
        "\t", "\n", "\r\n", "\r", " ", "：", ":", "<p>", "</p>", '<p style="x">', "<p", "&nbsp;", "&amp;", "\x0c",
        "\ufeff", "财政项目支出绩效目标表", "(2020年度)", "（2021年度）", "申报单位名称：", "年度：", "2020",
        "本项目上年度市级财政资金使用情况", "2020年绩效目标", "一级目标\t二级目标\t三级目标\t指标目标值",
        "投入与管理", "产出目标", "=100", ">=95%", "<=", "≥", "合规", "600,000", "60万元", "2020-01-02",
        "是", "否", "。", "- 3 -", *(f"{f.label}：" for f in layout.PROJECT_FIELDS),
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=6)), max_size=60).map("".join))
def test_any_text_imports_or_raises_import_text_error(text: str) -> None:
    try:
        result = import_text(text)
    except ImportTextError as e:
        assert e.message
        return
    assert isinstance(result.unit, Unit) and result.unit.projects
    n_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert all(1 <= note.line <= n_lines and note.text and note.reason for note in result.notes)
