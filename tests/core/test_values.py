"""Tests for xlgoals.core.values: real sample inputs first, then each accepted format, then properties."""

from __future__ import annotations

import pickle
import re
import sys
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pydantic
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl.utils.datetime import from_excel

from tests.builders.paths import REAL
from tests.builders.paths import SAMPLE_TXT as SAMPLE
from xlgoals.core.targets import (
    DEFAULT_QUALITATIVE,
    Operator,
    Target,
    TargetKind,
    format_target,
    parse_target,
    split_unit,
    unit_from_name,
)
from xlgoals.core.values import EDGE_CHARS, ParseError, cell_text, format_date, format_money, parse_date, parse_money

D = Decimal
Q = TargetKind.QUANTITATIVE


def fullwidth(text: str) -> str:
    """The full-width twin of ASCII text, written independently of the module's fold table."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def quantity(t: Target) -> tuple[TargetKind, Operator | None, Decimal | None, str | None, str | None]:
    return (t.kind, t.operator, t.number, t.unit, t.unit_source)


# --- the sample declaration ---------------------------------------------------------------------------


def sample_indicator_rows() -> list[tuple[str, str]]:
    """(三级目标, 指标目标值) of every indicator row in the sample's three projects."""
    rows: list[tuple[str, str]] = []
    inside = False
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if cells[:4] == ["一级目标", "二级目标", "三级目标", "指标目标值"]:
            inside = True
        elif inside and len(cells) == 4 and cells[2] and cells[3]:
            rows.append((cells[2], cells[3]))
        elif inside and line.strip():
            inside = False
    return rows


SAMPLE_QUANTITATIVE = {
    "=100": (Operator.EQ, D(100), None),
    ">=80": (Operator.GE, D(80), None),
    ">=500": (Operator.GE, D(500), None),
    ">=3": (Operator.GE, D(3), None),
    ">=95": (Operator.GE, D(95), None),
    ">=85": (Operator.GE, D(85), None),
    ">=400": (Operator.GE, D(400), None),
    ">=90": (Operator.GE, D(90), None),
    "=100%": (Operator.EQ, D(100), "%"),
    ">=95%": (Operator.GE, D(95), "%"),
    ">=98%": (Operator.GE, D(98), "%"),
}
SAMPLE_QUALITATIVE = {"合规", "规范", "健全", "符合", "稳定"}
SAMPLE_DESCRIPTIVE = {
    "吸引来自国内外的、生物医药产业各界代表参与会议,搭建交流合作平台,拓展合作渠道",
    "建立长效会议组织机制,为后续会议举办奠定基础",
    "与合作单位形成有效的合作交流机制",
}


def test_sample_has_every_indicator_row() -> None:
    rows = sample_indicator_rows()
    assert len(rows) == 16 + 8 + 6
    assert {v for _, v in rows} == set(SAMPLE_QUANTITATIVE) | SAMPLE_QUALITATIVE | SAMPLE_DESCRIPTIVE


@pytest.mark.parametrize(("name", "value"), sample_indicator_rows())
def test_sample_targets(name: str, value: str) -> None:
    t = parse_target(value, name)
    assert t.raw == value
    if value in SAMPLE_QUANTITATIVE:
        op, number, unit = SAMPLE_QUANTITATIVE[value]
        assert (t.kind, t.operator, t.number) == (Q, op, number)
        if unit:
            assert (t.unit, t.unit_source) == (unit, "value")
        elif name.endswith("(%)"):
            assert (t.unit, t.unit_source) == ("%", "name")
        else:
            assert (t.unit, t.unit_source) == (None, None)
        assert format_target(t) == value
    elif value in SAMPLE_QUALITATIVE:
        assert t.kind is TargetKind.QUALITATIVE
        assert format_target(t) == value
    else:
        assert value in SAMPLE_DESCRIPTIVE
        assert t.kind is TargetKind.DESCRIPTIVE
        assert format_target(t) == value


def test_sample_target_kind_counts() -> None:
    kinds = [parse_target(v, n).kind for n, v in sample_indicator_rows()]
    assert kinds.count(TargetKind.DESCRIPTIVE) == 3
    assert kinds.count(TargetKind.QUALITATIVE) == 8
    assert kinds.count(Q) == 19


def test_sample_money_and_dates() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    this_year = [parse_money(m) for m in re.findall(r"项目当年预算（元）：\t([0-9,]+)", text)]
    assert this_year == [D("600000.00"), D("400000.00"), D("4989200.00")]
    assert sum(a for a in this_year if a is not None) == D("5989200")
    starts = [parse_date(m) for m in re.findall(r"计划开始日期：\t(\S+)", text)]
    ends = [parse_date(m) for m in re.findall(r"计划完成日期：\t(\S+)", text)]
    assert starts == [date(2020, 1, 2), date(2020, 6, 3), date(2020, 1, 2)]
    assert ends == [date(2020, 8, 30), date(2020, 12, 16), date(2020, 12, 16)]


# --- cell_text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  合规 \n", "合规"),
        ("\u200b\ufeff合规\u3000", "合规"),
        ("a  b", "a  b"),
        (600000, "600000"),
        (600000.0, "600000"),
        (0.95, "0.95"),
        (0.1 + 0.2, "0.3"),
        (-0.0, "0"),
        (1e20, "100000000000000000000"),
        (1e-7, "0.0000001"),
        (D("600000.00"), "600000.00"),
        (D("1E+5"), "100000"),
        (True, "TRUE"),
        (False, "FALSE"),
        (date(2020, 1, 2), "2020-01-02"),
        (datetime(2020, 1, 2), "2020-01-02"),
        (datetime(2020, 1, 2, 8, 30), "2020-01-02 08:30:00"),
        (time(8, 30), "08:30:00"),
        (timedelta(hours=1), "1:00:00"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text  # type: ignore[arg-type]


# What cell_text strips, as a pattern: whitespace and zero-width characters at either end.
_EDGES = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$")


def test_edge_chars_are_exactly_what_the_pattern_strips() -> None:
    stripped = {c for c in map(chr, range(sys.maxunicode + 1)) if _EDGES.fullmatch(c)}
    assert stripped == set(EDGE_CHARS)


@given(st.text(st.one_of(st.sampled_from(EDGE_CHARS), st.sampled_from("合规 a\n1"), st.characters())))
@example("\u200b \ufeff合 规\u3000\n")
@example(" \u200b ")
def test_cell_text_strips_as_the_pattern(text: str) -> None:
    assert cell_text(text) == _EDGES.sub("", text)


# --- money --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (600000, "600000.00"),
        (600000.0, "600000.00"),
        (D("600000"), "600000.00"),
        ("600,000", "600000.00"),
        ("600000", "600000.00"),
        ("600000.00", "600000.00"),
        ("600,000.00元", "600000.00"),
        ("600000元", "600000.00"),
        ("60万元", "600000.00"),
        ("60万", "600000.00"),
        ("60 万元", "600000.00"),
        ("1.5亿", "150000000.00"),
        ("5千元", "5000.00"),
        ("1千万", "10000000.00"),
        ("￥600,000", "600000.00"),
        ("¥600,000", "600000.00"),
        ("¥ 600 000", "600000.00"),
        ("人民币600,000元", "600000.00"),
        ("RMB 600,000", "600000.00"),
        ("６０万元", "600000.00"),
        ("６００，０００", "600000.00"),
        ("６００，０００．５０元", "600000.50"),
        ("-100", "-100.00"),
        ("−1,200", "-1200.00"),
        ("－１２００", "-1200.00"),
        ("-¥100", "-100.00"),
        ("¥-100", "-100.00"),
        ("+100", "100.00"),
        ("0.005", "0.01"),
        (0.1 + 0.2, "0.30"),
        ("  600,000  ", "600000.00"),
        ("\u200b600,000", "600000.00"),
    ],
)
def test_parse_money(value: str | int | float | Decimal, amount: str) -> None:
    result = parse_money(value)
    assert result == D(amount)
    assert result is not None and result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_parse_money_blank(value: str | None) -> None:
    assert parse_money(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "六十万",
        "60万5",
        "1,00,0",
        "1,0000",
        "abc",
        "600,000美元",
        "1e5",
        "--1",
        "-¥-1",
        "600,000.",
        ".5",
        "60万万",
        "9" * 40,
        float("nan"),
        float("inf"),
        float("-inf"),
        D("NaN"),
        D("Infinity"),
        True,
        False,
        date(2020, 1, 2),
        datetime(2020, 1, 2),
        time(8, 0),
    ],
)
def test_parse_money_rejects(value: object) -> None:
    with pytest.raises(ParseError) as info:
        parse_money(value)  # type: ignore[arg-type]
    assert info.value.code == "money.invalid"
    assert info.value.text == cell_text(value)  # type: ignore[arg-type]
    assert "金额" in info.value.message and "600,000" in info.value.message


def test_money_message_names_date_formatted_cell() -> None:
    with pytest.raises(ParseError) as info:
        parse_money(date(2020, 1, 2))
    assert "日期" in info.value.message


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("600000", "600,000"),
        ("600000.00", "600,000"),
        ("600000.5", "600,000.50"),
        ("600000.505", "600,000.51"),
        ("-1200", "-1,200"),
        ("-1200.10", "-1,200.10"),
        ("0", "0"),
        ("-0.00", "0"),
        ("-0.001", "0"),
        ("999", "999"),
        ("1E+40", "10,000,000,000,000,000,000,000,000,000,000,000,000,000"),
    ],
)
def test_format_money(amount: str, text: str) -> None:
    assert format_money(D(amount)) == text


def test_format_money_refuses_nan() -> None:
    with pytest.raises(ValueError):
        format_money(D("NaN"))


# --- dates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2020, 1, 2), date(2020, 1, 2)),
        (datetime(2020, 1, 2, 23, 59), date(2020, 1, 2)),
        (43832, date(2020, 1, 2)),
        (43832.0, date(2020, 1, 2)),
        (43832.99, date(2020, 1, 2)),
        (D("43832.5"), date(2020, 1, 2)),
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (20200102, date(2020, 1, 2)),
        ("2020-01-02", date(2020, 1, 2)),
        ("2020-1-2", date(2020, 1, 2)),
        ("2020/1/2", date(2020, 1, 2)),
        ("2020/01/02", date(2020, 1, 2)),
        ("2020年1月2日", date(2020, 1, 2)),
        ("2020 年 1 月 2 日", date(2020, 1, 2)),
        ("2020年01月02号", date(2020, 1, 2)),
        ("2020.01.02", date(2020, 1, 2)),
        ("2020-01-02 00:00:00", date(2020, 1, 2)),
        ("2020-01-02T08:30", date(2020, 1, 2)),
        ("２０２０－０１－０２", date(2020, 1, 2)),
        ("２０２０年１月２日", date(2020, 1, 2)),
        ("20200102", date(2020, 1, 2)),
        ("2020-02-29", date(2020, 2, 29)),
        (" 2020-08-30 ", date(2020, 8, 30)),
    ],
)
def test_parse_date(value: object, expected: date) -> None:
    result = parse_date(value)  # type: ignore[arg-type]
    assert result == expected
    assert type(result) is date


@pytest.mark.parametrize("value", [None, "", "  "])
def test_parse_date_blank(value: str | None) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "2020-02-30",
        "2019-02-29",
        "2020-13-01",
        "2020-00-10",
        "20201301",
        "2020-01/02",
        "2020年1月",
        "2020",
        "20-1-2",
        "43832",
        "abc",
        "二〇二〇年一月二日",
        "2020-01-02 25:00",
        "3020-01-01",
        "1899-12-31",
        0,
        -1,
        60,
        0.5,
        10**9,
        20201301,
        float("nan"),
        float("inf"),
        D("NaN"),
        D("1E+999999"),
        True,
        time(8, 0),
        timedelta(days=1),
        date(1899, 12, 31),
        date(2201, 1, 1),
    ],
)
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(ParseError) as info:
        parse_date(value)  # type: ignore[arg-type]
    assert info.value.code == "date.invalid"
    assert info.value.text == cell_text(value)  # type: ignore[arg-type]
    assert "日期" in info.value.message


def test_date_messages_say_what_is_wrong() -> None:
    with pytest.raises(ParseError, match="不存在"):
        parse_date("2020-02-30")
    with pytest.raises(ParseError, match="范围"):
        parse_date("3020-01-01")
    with pytest.raises(ParseError, match="2020-01-02"):
        parse_date("abc")


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2020, 1, 2), "2020-01-02"),
        (datetime(2020, 12, 16, 9, 0), "2020-12-16"),
        (date(1900, 1, 1), "1900-01-01"),
    ],
)
def test_format_date(d: date, text: str) -> None:
    assert format_date(d) == text


# --- units --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("资金到位率(%)", "%"),
        ("参会人数（人）", "人"),
        ("满意度（％）", "%"),
        ("满意度 ( % )", "%"),
        ("参会人数（单位：人）", "人"),
        ("项目资金（万元）", "万元"),
        ("培训人次【人次】", "人次"),
        ("资金到位率", None),
        ("(%)资金到位率", None),
        ("", None),
        ("说明（请填写具体的完整句子内容）", None),
    ],
)
def test_unit_from_name(name: str, unit: str | None) -> None:
    assert unit_from_name(name) == unit


@pytest.mark.parametrize(
    ("unit", "split"),
    [("万元", (D(10000), "元")), ("亿元", (D(100000000), "元")), ("%", (D(1), "%")), ("人", (D(1), "人"))],
)
def test_split_unit(unit: str, split: tuple[Decimal, str]) -> None:
    assert split_unit(unit) == split


# --- targets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        ("=100", "资金到位率(%)", (Q, Operator.EQ, D(100), "%", "name")),
        (">=95%", "", (Q, Operator.GE, D(95), "%", "value")),
        (">=95%", "满意度(%)", (Q, Operator.GE, D(95), "%", "value")),
        ("≥95%", "", (Q, Operator.GE, D(95), "%", "value")),
        ("＞＝95％", "", (Q, Operator.GE, D(95), "%", "value")),
        (">＝95", "", (Q, Operator.GE, D(95), None, None)),
        ("=>95", "", (Q, Operator.GE, D(95), None, None)),
        ("⩾95", "", (Q, Operator.GE, D(95), None, None)),
        (">90", "", (Q, Operator.GT, D(90), None, None)),
        ("＞90", "", (Q, Operator.GT, D(90), None, None)),
        ("=100", "", (Q, Operator.EQ, D(100), None, None)),
        ("＝100", "", (Q, Operator.EQ, D(100), None, None)),
        ("==100", "", (Q, Operator.EQ, D(100), None, None)),
        ("<=3天", "", (Q, Operator.LE, D(3), "天", "value")),
        ("≤3天", "", (Q, Operator.LE, D(3), "天", "value")),
        ("＜＝3", "", (Q, Operator.LE, D(3), None, None)),
        ("<5%", "", (Q, Operator.LT, D(5), "%", "value")),
        ("＜5%", "", (Q, Operator.LT, D(5), "%", "value")),
        ("不低于95%", "", (Q, Operator.GE, D(95), "%", "value")),
        ("不少于500人", "", (Q, Operator.GE, D(500), "人", "value")),
        ("大于等于95%", "", (Q, Operator.GE, D(95), "%", "value")),
        ("不高于5%", "", (Q, Operator.LE, D(5), "%", "value")),
        ("不超过30天", "", (Q, Operator.LE, D(30), "天", "value")),
        ("小于等于5", "", (Q, Operator.LE, D(5), None, None)),
        ("大于90%", "", (Q, Operator.GT, D(90), "%", "value")),
        ("超过100场", "", (Q, Operator.GT, D(100), "场", "value")),
        ("小于5%", "", (Q, Operator.LT, D(5), "%", "value")),
        ("低于5%", "", (Q, Operator.LT, D(5), "%", "value")),
        ("等于100%", "", (Q, Operator.EQ, D(100), "%", "value")),
        ("达到95%", "", (Q, Operator.GE, D(95), "%", "value")),
        ("95%以上", "", (Q, Operator.GE, D(95), "%", "value")),
        ("95%及以上", "", (Q, Operator.GE, D(95), "%", "value")),
        ("5%以下", "", (Q, Operator.LE, D(5), "%", "value")),
        ("3个工作日内", "", (Q, Operator.LE, D(3), "个工作日", "value")),
        ("不低于95%以上", "", (Q, Operator.GE, D(95), "%", "value")),
        (">=95%以上", "", (Q, Operator.GE, D(95), "%", "value")),
        ("100%", "", (Q, None, D(100), "%", "value")),
        ("500人", "", (Q, None, D(500), "人", "value")),
        ("500", "参会人数（人）", (Q, None, D(500), "人", "name")),
        ("1.5万人", "", (Q, None, D(15000), "人", "value")),
        ("50万元", "", (Q, None, D(500000), "元", "value")),
        (">=1万", "参会人数（人）", (Q, Operator.GE, D(10000), "人", "name")),
        (">=1,000人", "", (Q, Operator.GE, D(1000), "人", "value")),
        ("1" + "0" * 40 + "万", "", (Q, None, D(10) ** 44, None, None)),
        (">=99.5%", "", (Q, Operator.GE, D("99.5"), "%", "value")),
        (">=-5%", "", (Q, Operator.GE, D(-5), "%", "value")),
        (">= 95 %", "", (Q, Operator.GE, D(95), "%", "value")),
        ("> = 95", "", (Q, Operator.GE, D(95), None, None)),
        ("  >=95%。 ", "", (Q, Operator.GE, D(95), "%", "value")),
        ("＞＝９５％", "", (Q, Operator.GE, D(95), "%", "value")),
        (">=2个百分点", "", (Q, Operator.GE, D(2), "个百分点", "value")),
        (">=500人次", "", (Q, Operator.GE, D(500), "人次", "value")),
        (95, "满意度（％）", (Q, None, D(95), "%", "name")),
        (95.0, "", (Q, None, D(95), None, None)),
        (0.95, "", (Q, None, D("0.95"), None, None)),
        (D("100"), "", (Q, None, D(100), None, None)),
    ],
)
def test_parse_target_quantitative(value: object, name: str, expected: tuple[object, ...]) -> None:
    t = parse_target(value, name)  # type: ignore[arg-type]
    assert quantity(t) == expected
    assert t.raw == cell_text(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("=100", "=100"),
        ("＞＝95％", ">=95%"),
        ("≥ 95 %", ">=95%"),
        ("不低于95%", ">=95%"),
        ("95%以上", ">=95%"),
        ("1.5万人", "15000人"),
        ("500人", "500人"),
        ("合规", "合规"),
        ("  合规 ", "合规"),
        ("与合作单位形成有效的合作交流机制", "与合作单位形成有效的合作交流机制"),
        (None, ""),
        (95.0, "95"),
    ],
)
def test_format_target(value: str | float | None, canonical: str) -> None:
    assert format_target(parse_target(value, "满意度(%)")) == canonical


def test_unit_from_name_is_not_repeated_in_canonical_text() -> None:
    t = parse_target("=100", "资金到位率(%)")
    assert (t.unit, format_target(t)) == ("%", "=100")


@pytest.mark.parametrize(
    "value",
    [
        "合规",
        "规范",
        "健全",
        "符合",
        "稳定",
        "达标",
        "有效",
        "较好",
        "按时完成",
        "达到预期效果",
        "符合国家标准",
        "无重大安全事故",
        "合规。",
        "是",
    ],
)
def test_parse_target_qualitative(value: str) -> None:
    t = parse_target(value)
    assert (t.kind, t.raw, t.operator, t.number, t.unit) == (TargetKind.QUALITATIVE, value, None, None, None)


def test_default_qualitative_words_cover_the_usual_grades() -> None:
    usual = "合规 规范 健全 符合 稳定 达标 有效 完善 良好 及时 准确 合格 完成 满意 显著 提升 提高 明显 持续"
    assert set(usual.split()) <= DEFAULT_QUALITATIVE


@pytest.mark.parametrize("value", ["合规", "基本合规", "优", "较为稳定"])
def test_short_grade_word_is_qualitative_without_a_word_list(value: str) -> None:
    assert parse_target(value, qualitative_words=frozenset()).kind is TargetKind.QUALITATIVE


@pytest.mark.parametrize("value", ["合规性良好", "合规95", "合规？", "“合规”", "ok"])
def test_grade_word_rule_needs_four_cjk_characters_at_most(value: str) -> None:
    assert parse_target(value, qualitative_words=frozenset()).kind is TargetKind.DESCRIPTIVE


def test_qualitative_words_are_configurable() -> None:
    phrase = "通过第三方机构验收评审"
    assert parse_target(phrase).kind is TargetKind.DESCRIPTIVE
    assert parse_target(phrase, qualitative_words=DEFAULT_QUALITATIVE | {phrase}).kind is TargetKind.QUALITATIVE


@pytest.mark.parametrize(
    "value",
    [
        "吸引来自国内外的、生物医药产业各界代表参与会议,搭建交流合作平台,拓展合作渠道",
        "建立长效会议组织机制,为后续会议举办奠定基础",
        "约500人",
        "95%-100人",
        "满意度≥90%",
        "1OO%",
        "良好 合规",
        "A级",
        "TRUE",
        "1万万",
    ],
)
def test_parse_target_descriptive(value: str) -> None:
    t = parse_target(value)
    assert (t.kind, t.raw, t.number) == (TargetKind.DESCRIPTIVE, value, None)


@pytest.mark.parametrize("value", [None, "", "  ", "\u3000"])
def test_parse_target_empty(value: str | None) -> None:
    assert parse_target(value, "资金到位率(%)") == Target(raw="", kind=TargetKind.EMPTY)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (">=", "缺少数值"),
        ("≥", "缺少数值"),
        (">=abc", "数值加单位"),
        ("≥95%%", "数值加单位"),
        (">=95%（含）", "数值加单位"),
        (">=95.", "数值加单位"),
        (">=1,00,0", "数值加单位"),
        (">=上年水平", "数值加单位"),
        (">=1万万", "数值加单位"),
        ("=1OO", "字母"),
        ("=1OO%", "数值加单位"),
        ("≠5", "无法识别"),
        ("<>5", "无法识别"),
        ("≥=95", "无法识别"),
        ("> > 5", "无法识别"),
        ("<=95%以上", "矛盾"),
        ("大于95%以下", "矛盾"),
        (float("nan"), "有效数值"),
        (D("Infinity"), "有效数值"),
    ],
)
def test_parse_target_malformed(value: str | float | Decimal, hint: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_target(value)
    assert info.value.code == "target.malformed"
    assert info.value.text == cell_text(value)
    assert hint in info.value.message
    assert ">=95%" in info.value.message  # every message shows how to write it


def test_parse_error_fields_and_pickle() -> None:
    err = ParseError("money.invalid", "六十万", "金额无法识别")
    assert isinstance(err, ValueError)
    assert (err.code, err.text, err.message, str(err)) == (
        "money.invalid",
        "六十万",
        "金额无法识别",
        "金额无法识别",
    )
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), back.code, back.text, back.message) == (ParseError, err.code, err.text, err.message)


def test_target_is_frozen_and_consistent() -> None:
    t = parse_target(">=95%")
    with pytest.raises(pydantic.ValidationError):
        t.number = D(1)  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        Target(raw="x", kind=Q)
    with pytest.raises(pydantic.ValidationError):
        Target(raw="合规", kind=TargetKind.QUALITATIVE, number=D(1))
    with pytest.raises(pydantic.ValidationError):
        Target(raw="5", kind=Q, number=D(5), unit="%")
    assert Target.model_validate_json(t.model_dump_json()) == t


# --- properties ---------------------------------------------------------------------------------------

MONEY = st.decimals(min_value=D("-1e12"), max_value=D("1e12"), places=2, allow_nan=False, allow_infinity=False)
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
EPOCH = date(1899, 12, 30)
MAX_SERIAL = (date(2200, 12, 31) - EPOCH).days
UNITS = [None, "%", "人", "天", "个", "场", "次", "人次", "个百分点", "元", "km"]
NUMBERS = st.integers(0, 3).flatmap(
    lambda p: st.decimals(min_value=D(-(10**6)), max_value=D(10**7), places=p, allow_nan=False, allow_infinity=False)
)
OP_SPELLINGS = {
    Operator.GE: [">=", "≥", "＞＝", ">＝", "=>", "不低于", "不少于", "大于等于"],
    Operator.GT: [">", "＞", "大于", "超过"],
    Operator.EQ: ["=", "＝", "==", "等于"],
    Operator.LE: ["<=", "≤", "＜＝", "不高于", "不超过", "小于等于"],
    Operator.LT: ["<", "＜", "小于", "低于"],
}
FRAGMENTS = [
    ">=", "≥", "＞＝", "=", "<", "≤", "≠", "==", "95", "100", "1,000", "0.5", ".", ",", "，", "１", "９",
    "%", "％", "%%", "万", "亿", "元", "人", "天", "以上", "以下", "内", "不低于", "达到", "¥", "￥", "-",
    "−", "+", "年", "月", "日", "/", "T", ":", " ", "\u3000", "\u200b", "O", "l", "合规", "（", "）", "(",
    "%)", "e", "9" * 30,
]  # fmt: skip
ANY_TEXT = st.one_of(
    st.text(),
    st.text(st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF)),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)),
    st.text(st.sampled_from("0123456789０１２３４５６７８９,.，．%％万亿元人以上内<>=≥≤＞＜＝ -年月日/")),
    st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join),
)
ANY_CELL = st.one_of(
    ANY_TEXT,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)


@given(MONEY)
@example(D("-0.01"))
@example(D("1000000.10"))
def test_money_round_trip(amount: Decimal) -> None:
    assert parse_money(format_money(amount)) == amount


@given(MONEY)
def test_money_full_width_and_decorated_variants(amount: Decimal) -> None:
    plain = format_money(amount)
    for variant in (plain, f"{plain}元", f"¥{plain}", f"￥{plain}", f"{amount}", fullwidth(f"{plain}元")):
        assert parse_money(variant) == amount, variant
    assert parse_money(format(amount / 10000, "f") + "万元") == amount


@given(DATES)
def test_date_round_trip(d: date) -> None:
    assert parse_date(format_date(d)) == d


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2200, 12, 31)), st.floats(0, 0.999))
def test_excel_serial_round_trip(d: date, fraction: float) -> None:
    serial = (d - EPOCH).days
    assert parse_date(serial) == d
    assert parse_date(serial + fraction) == d


@given(st.integers(1, MAX_SERIAL).filter(lambda n: n != 60))
@example(1)
@example(59)
@example(61)
def test_excel_serial_agrees_with_openpyxl(serial: int) -> None:
    assert parse_date(serial) == from_excel(serial).date()


@given(DATES)
def test_date_spellings_and_full_width(d: date) -> None:
    y, m, dd = d.year, d.month, d.day
    spellings = [
        f"{y}-{m:02d}-{dd:02d}",
        f"{y}/{m}/{dd}",
        f"{y}.{m:02d}.{dd:02d}",
        f"{y}年{m}月{dd}日",
        f"{y}{m:02d}{dd:02d}",
        f"{y}-{m:02d}-{dd:02d} 00:00:00",
    ]
    for text in spellings:
        assert parse_date(text) == d, text
        assert parse_date(fullwidth(text)) == d, text


@given(st.sampled_from([None, *Operator]), NUMBERS, st.sampled_from(UNITS))
def test_quantitative_target_round_trip(op: Operator | None, number: Decimal, unit: str | None) -> None:
    t = Target(raw="x", kind=Q, operator=op, number=number, unit=unit, unit_source="value" if unit else None)
    text = format_target(t)
    back = parse_target(text)
    assert (back.kind, back.operator, back.number, back.unit) == (Q, op, number, unit)
    assert format_target(back) == text


@given(st.sampled_from(list(Operator)), st.data(), NUMBERS, st.sampled_from(UNITS))
def test_operator_spellings_full_width_and_spaces(
    op: Operator, data: st.DataObject, number: Decimal, unit: str | None
) -> None:
    spelling = data.draw(st.sampled_from(OP_SPELLINGS[op]))
    ascii_text = f"{op.value}{number:f}{unit or ''}"
    expected = quantity(parse_target(ascii_text, "完成率(%)"))
    assert expected[:3] == (Q, op, number)
    for variant in (
        f"{spelling}{number:f}{unit or ''}",
        f"{spelling} {number:f} {unit or ''}",
        fullwidth(ascii_text),
        unicodedata.normalize("NFKC", fullwidth(ascii_text)),
    ):
        assert quantity(parse_target(variant, "完成率(%)")) == expected, variant


@given(ANY_CELL)
def test_parse_money_only_raises_parse_error(value: object) -> None:
    try:
        amount = parse_money(value)  # type: ignore[arg-type]
    except ParseError as e:
        assert e.code == "money.invalid"
        assert e.text == cell_text(value)  # type: ignore[arg-type]
    else:
        assert amount is None or amount.as_tuple().exponent == -2


@given(ANY_CELL)
def test_parse_date_only_raises_parse_error(value: object) -> None:
    try:
        d = parse_date(value)  # type: ignore[arg-type]
    except ParseError as e:
        assert e.code == "date.invalid"
        assert e.text == cell_text(value)  # type: ignore[arg-type]
    else:
        assert d is None or (type(d) is date and date(1900, 1, 1) <= d <= date(2200, 12, 31))


@given(ANY_CELL, st.sampled_from(["", "资金到位率(%)", "参会人数（人）"]))
@example("1" + "0" * 60 + "万", "")  # once overflowed the scaling context
@example("1万万", "")  # once read as 10000 of the unit '万', which did not round-trip
def test_parse_target_only_raises_parse_error(value: object, name: str) -> None:
    try:
        t = parse_target(value, name)  # type: ignore[arg-type]
    except ParseError as e:
        assert e.code == "target.malformed"
        assert e.text == cell_text(value)  # type: ignore[arg-type]
    else:
        assert t.raw == cell_text(value)  # type: ignore[arg-type]
        assert (t.kind is TargetKind.EMPTY) == (t.raw == "")
        if t.kind is Q:
            assert parse_target(format_target(t), name).number == t.number


@given(ANY_TEXT)
def test_full_width_twin_parses_the_same(text: str) -> None:
    """Whatever an ASCII text means (or fails with), its full-width twin means the same."""
    ascii_text = "".join(c for c in text if c.isascii())
    twin = fullwidth(ascii_text)
    for parse in (parse_money, parse_date):
        try:
            expected: object = parse(ascii_text)
        except ParseError as e:
            expected = e.code
        try:
            got: object = parse(twin)
        except ParseError as e:
            got = e.code
        assert got == expected, parse.__name__
    try:
        t_expected: object = quantity(parse_target(ascii_text))
    except ParseError as e:
        t_expected = e.code
    try:
        t_got: object = quantity(parse_target(twin))
    except ParseError as e:
        t_got = e.code
    assert t_got == t_expected


# --- the grammar of real published tables ----------------------------------------------------------------

REAL_VALUES = REAL / "values.tsv"
# Values of values.tsv that really are prose: sentences a reviewer reads, with nothing to count or date.
PROSE = {
    "吸引来自国内外的、生物医药产业各界代表参与会议,搭建交流合作平台,拓展合作渠道": "a sentence about channels",
    "建立长效会议组织机制,为后续会议举办奠定基础": "a sentence about a mechanism",
    "与合作单位形成有效的合作交流机制": "a sentence about cooperation",
    "严格执行相关制度规定": "a sentence: 'strictly follow the rules'",
    "在项目计划完成时间内完成": "a sentence: 'finish within the planned time', no date given",
    # The tables added later (samples/real/README.md, second list):
    "至少全年完成2次宣传": "a sentence with a count inside: 'at least two campaigns in the whole year'",
    "按质按量完成": "a phrase: 'done to quality and quantity'",
    "生态修复功能提高": "a phrase: 'ecological repair improved'",
}


def test_every_real_value_parses_into_a_kind_except_the_prose() -> None:
    rows = [line.split("\t") for line in REAL_VALUES.read_text(encoding="utf-8").splitlines()[1:]]
    assert len(rows) > 60
    descriptive = set()
    for _, name, value in rows:
        target = parse_target(value, name)
        assert target.kind is not TargetKind.EMPTY
        if target.kind is TargetKind.DESCRIPTIVE:
            descriptive.add(value)
    assert descriptive == set(PROSE)


@pytest.mark.parametrize(
    ("value", "end"),
    [
        ("2023年12月前", date(2023, 12, 31)),
        ("2020年12月底前", date(2020, 12, 31)),
        ("2020年12月底前完成", date(2020, 12, 31)),
        ("2024年6月30日前", date(2024, 6, 30)),
        ("12月31日前", None),
        ("年底前", None),
    ],
)
def test_deadlines(value: str, end: date | None) -> None:
    t = parse_target(value)
    assert (t.kind, t.end, t.number) == (TargetKind.SCHEDULE, end, None)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2023.07-2024.01", date(2023, 7, 1), date(2024, 1, 31)),
        ("2023年4月-2024年2月", date(2023, 4, 1), date(2024, 2, 29)),
        ("2023-01至2023-12", date(2023, 1, 1), date(2023, 12, 31)),
        ("1-12月", None, None),
    ],
)
def test_periods(value: str, start: date | None, end: date | None) -> None:
    t = parse_target(value)
    assert (t.kind, t.start, t.end) == (TargetKind.SCHEDULE, start, end)


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        ("1-3个工作日", "", (None, D(1), D(3), "个工作日", None)),
        ("1-3项", "", (None, D(1), D(3), "项", None)),
        ("95%-100%", "", (None, D(95), D(100), "%", None)),
        ("较上年提高5%", "", (Operator.GE, D(5), None, "%", "较上年提高")),
        ("比上年度增长10万元", "", (Operator.GE, D(100_000), None, "元", "比上年度增长")),
        ("100%完成", "", (None, D(100), None, "%", None)),
        ("≥100百分比", "", (Operator.GE, D(100), None, "%", None)),
        ("≥2萬人", "", (Operator.GE, D(20_000), None, "人", None)),
        ("<=1.5億元", "", (Operator.LE, D(150_000_000), None, "元", None)),
        ("≤28.40/株", "", (Operator.LE, D("28.40"), None, "/株", None)),
        ("=95", "成活率(≥**%)", (Operator.EQ, D(95), None, "%", None)),
        (">=4", "景点开发数量( ≥**个 )", (Operator.GE, D(4), None, "个", None)),
        (">=29", "受益建档立卡贫困人口数≥**人", (Operator.GE, D(29), None, "人", None)),
    ],
)
def test_real_table_forms(value: str, name: str, expected: tuple[object, ...]) -> None:
    t = parse_target(value, name)
    assert t.kind is Q
    assert (t.operator, t.number, t.high, t.unit, t.basis) == expected


def test_traditional_money() -> None:
    assert parse_money("12萬元") == D(120_000)
    assert parse_money("1.2億") == D(120_000_000)


@given(st.integers(1990, 2100), st.integers(1, 12), st.sampled_from(["前", "之前", "底前", "以前", ""]))
def test_deadline_property(year: int, month: int, suffix: str) -> None:
    t = parse_target(f"{year}年{month}月{suffix}")
    assert t.kind is TargetKind.SCHEDULE and t.end is not None
    assert (t.end.year, t.end.month) == (year, month)
    assert (t.end + timedelta(days=1)).day == 1  # the last day of that month


@given(st.dates(date(1990, 1, 1), date(2100, 12, 1)), st.integers(0, 36), st.sampled_from([".", "-", "/"]))
def test_period_property(first: date, months: int, sep: str) -> None:
    y, m = divmod(first.month - 1 + months, 12)
    last_year, last_month = first.year + y, m + 1
    t = parse_target(f"{first.year}{sep}{first.month:02d}-{last_year}{sep}{last_month:02d}")
    assert t.kind is TargetKind.SCHEDULE and t.start is not None and t.end is not None
    assert (t.start.year, t.start.month, t.start.day) == (first.year, first.month, 1)
    assert (t.end.year, t.end.month) == (last_year, last_month)
    assert t.start <= t.end


@given(
    st.decimals(0, 10_000, places=2, allow_nan=False),
    st.decimals(0, 10_000, places=2, allow_nan=False),
    st.sampled_from(["个工作日", "天", "项", "%", "人次"]),
)
def test_range_property(a: Decimal, b: Decimal, unit: str) -> None:
    lo, hi = sorted((a, b))
    t = parse_target(f"{lo}-{hi}{unit}")
    assert (t.kind, t.number, t.high, t.unit) == (Q, lo, hi, unit)


@given(
    st.sampled_from(["较上年", "比上年", "同比", "较上年度"]),
    st.sampled_from(["提高", "增长", "下降", "减少"]),
    st.decimals(0, 1000, places=1, allow_nan=False),
    st.sampled_from(["%", "人", "万元"]),
)
def test_change_property(basis: str, direction: str, number: Decimal, unit: str) -> None:
    t = parse_target(f"{basis}{direction}{number}{unit}")
    assert t.kind is Q and t.basis == basis + direction
    scale = D(10_000) if unit == "万元" else D(1)
    assert t.number == number * scale


@given(st.sampled_from(["很多", "大幅提高", "大量", "较多"]))
def test_vague_words_are_not_numbers(word: str) -> None:
    t = parse_target(word)
    assert t.kind is not Q and t.number is None
