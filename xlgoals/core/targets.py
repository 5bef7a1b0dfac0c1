"""Parse an indicator's target value (指标目标值): quantities with operator and unit, grades, schedules."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel

from xlgoals.core.schedules import DASH, schedule
from xlgoals.core.values import CellValue, ParseError, cell_text, float_decimal, fold, plain_decimal


class Operator(StrEnum):
    GE = ">="
    GT = ">"
    EQ = "="
    LE = "<="
    LT = "<"


class TargetKind(StrEnum):
    QUANTITATIVE = "quantitative"
    QUALITATIVE = "qualitative"
    DESCRIPTIVE = "descriptive"
    # A deadline or a period ('2023年12月前', '2023.07-2024.01', '1-12月'): `start`/`end` where the year is known.
    SCHEDULE = "schedule"
    EMPTY = "empty"


class Target(BaseModel, frozen=True):
    """A parsed 指标目标值: `raw` is the text as written; the other fields are for quantitative targets."""

    raw: str
    kind: TargetKind
    operator: Operator | None = None
    number: Decimal | None = None
    unit: str | None = None
    unit_source: Literal["value", "name"] | None = None
    # '1-3个工作日': number 1, high 3.
    high: Decimal | None = None
    # '较上年提高5%': the comparison the number is relative to ('较上年提高').
    basis: str | None = None
    start: date | None = None
    end: date | None = None

    # A post-init check, not an `after` model validator: pydantic runs those again on every Target instance
    # validated into an Indicator (tens of thousands a consolidation); a post-init runs only when one is built.
    def model_post_init(self, context: Any, /) -> None:
        if self.kind is TargetKind.QUANTITATIVE:
            if self.number is None:
                raise ValueError("a quantitative target needs a number")
        elif self.kind is TargetKind.SCHEDULE:
            if self.number is not None or self.high is not None:
                raise ValueError("a schedule has dates, not numbers")
        elif (self.operator, self.number, self.unit) != (None, None, None):
            raise ValueError(f"a {self.kind} target has no operator, number or unit")
        if (self.unit is None) != (self.unit_source is None):
            raise ValueError("unit and unit_source go together")


DEFAULT_QUALITATIVE: frozenset[str] = frozenset(
    {
        # grade words as reviewers accept them
        "合规", "合法", "规范", "健全", "完善", "完备", "齐全", "符合", "稳定", "达标", "有效", "良好",
        "优良", "优秀", "较好", "及时", "准确", "合格", "完成", "满意", "显著", "提升", "提高", "明显",
        "持续", "到位", "落实", "安全", "可靠", "完整", "通过", "改善", "增强", "是", "否", "有", "无",
        "按时完成", "按期完成", "全部完成", "基本完成", "基本满意", "比较满意", "非常满意", "基本达标",
        "明显提升", "显著提升", "明显提高", "显著提高", "有所提升", "有所提高", "逐步提升", "持续提升",
        "符合要求", "符合规定", "符合标准", "达到要求", "达到预期", "规范有序", "运行良好", "运转正常",
        # longer set phrases: beyond the 4-character grade-word rule, still not a sentence to a reviewer
        "达到预期目标", "达到预期效果", "按计划完成", "按计划执行", "符合相关规定", "符合国家标准",
        "符合行业标准", "符合合同约定", "无安全事故", "无重大安全事故", "无违规违纪", "无审计问题",
    }
)  # fmt: skip

_OP_CHARS = "<>=≥≤≧≦⩾⩽≮≯≠≈"
# Text recognition reads '=' as the numeral 二: '二100' at the head of a value, right before the digits, is
# '=100' (no value is written '二' then Arabic digits).
_OCR_EQUALS = re.compile(r"^二(?=[0-9])")
_SYMBOL_OPS = {
    ">=": Operator.GE,
    "=>": Operator.GE,
    "≥": Operator.GE,
    "≧": Operator.GE,
    "⩾": Operator.GE,
    "≮": Operator.GE,  # 'not less than', used in Chinese engineering specs
    ">": Operator.GT,
    "=": Operator.EQ,
    "==": Operator.EQ,
    "<=": Operator.LE,
    "=<": Operator.LE,
    "≤": Operator.LE,
    "≦": Operator.LE,
    "⩽": Operator.LE,
    "≯": Operator.LE,
    "<": Operator.LT,
}
_WORD_OPS = {
    "大于或等于": Operator.GE,
    "大于等于": Operator.GE,
    "不低于": Operator.GE,
    "不少于": Operator.GE,
    "不小于": Operator.GE,
    "至少": Operator.GE,
    # '达到95%' means 'reach at least 95%' to a reviewer, not 'exactly 95%'.
    "达到": Operator.GE,
    "小于或等于": Operator.LE,
    "小于等于": Operator.LE,
    "不高于": Operator.LE,
    "不超过": Operator.LE,
    "不大于": Operator.LE,
    "不多于": Operator.LE,
    "至多": Operator.LE,
    "最多": Operator.LE,
    "大于": Operator.GT,
    "超过": Operator.GT,
    "高于": Operator.GT,
    "多于": Operator.GT,
    "小于": Operator.LT,
    "低于": Operator.LT,
    "少于": Operator.LT,
    "不足": Operator.LT,
    "等于": Operator.EQ,
}
# By Chinese legal convention (民法典 第1259条) 以上/以下/以内 include the number itself.
_SUFFIX_OPS = {
    "及以上": Operator.GE,
    "或以上": Operator.GE,
    "以上": Operator.GE,
    "及以下": Operator.LE,
    "或以下": Operator.LE,
    "以下": Operator.LE,
    "以内": Operator.LE,
    "之内": Operator.LE,
    "内": Operator.LE,
}
_TARGET_EXP = {"万": 4, "亿": 8, "萬": 4, "億": 8}


def _alternation(words: dict[str, Operator]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_UNIT = r"%|‰|‱|/?(?:[^\W\d_]|[\u3380-\u33ff℃°])(?:[^\W\d_]|[\u3380-\u33ff℃°²³/·]){0,7}?"
_BODY = re.compile(
    r"(?P<sign>[-+])? ?(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
    rf" ?(?P<mult>万|亿|萬|億)? ?(?P<unit>(?![万亿萬億])(?:{_UNIT}))? ?(?P<suffix>{_alternation(_SUFFIX_OPS)})?"
)
_SYMBOL_RUN = re.compile(rf"[{_OP_CHARS}](?: ?[{_OP_CHARS}])*")
_WORD_OP = re.compile(_alternation(_WORD_OPS))
# '(%)', '（单位：人）', and the blank templates forms print for the value: '(≥**%)', '数≥**人'.
_UNIT_NAME = re.compile(
    rf"(?:[(\[【〔] ?(?:单位 ?: ?)?(?:[{_OP_CHARS}]{{0,2}} ?\*+ ?)?(?P<unit>{_UNIT}) ?[)\]】〕]"
    rf"|[{_OP_CHARS}]{{1,2}} ?\*+ ?(?P<bare>{_UNIT}))$"
)
# Words that name a unit another way.
_UNIT_SYNONYMS = {"百分比": "%", "百分之": "%"}


def _grade_word(text: str) -> bool:
    """One to four CJK ideographs (extension A, unified, compatibility): a grade word to a reviewer. A
    character class this wide costs a regex a millisecond to compile at every start; the test costs nothing."""
    return 1 <= len(text) <= 4 and all(
        "\u3400" <= c <= "\u4dbf" or "\u4e00" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text
    )


# Letters a hurried typist puts for 0 and 1: '=1OO' is 100 mistyped, not 1 of a unit 'OO'.
_LOOKALIKES = frozenset("OoIl")
_TRAILING_PUNCT = "。；;，,！!"
_EXAMPLE = "例如“>=95%”或“=100”"


def unit_from_name(name: str) -> str | None:
    """The unit in a trailing bracket of an indicator name: '资金到位率(%)' -> '%', '（单位：人）' -> '人'."""
    m = _UNIT_NAME.search(fold(name))
    return (m["unit"] or m["bare"]) if m else None


def split_unit(unit: str) -> tuple[Decimal, str]:
    """A unit's multiplier and base unit: '万元' -> (10000, '元'), '%' -> (1, '%').

    parse_target scales '50万元' to 500000 '元' while a name may say '（万元）'; compare the base units.
    """
    if unit[:1] in _TARGET_EXP:
        return Decimal(10) ** _TARGET_EXP[unit[0]], unit[1:]
    return Decimal(1), unit


def _malformed(raw: str, message: str) -> ParseError:
    return ParseError("target.malformed", raw, message)


def _lookalike(body: re.Match[str]) -> bool:
    unit = body["unit"]
    return bool(unit) and unit[0] in _LOOKALIKES


def _quantity(body: re.Match[str], raw: str, operator: Operator | None, name: str) -> Target:
    suffix = body["suffix"]
    if suffix:
        implied = _SUFFIX_OPS[suffix]
        if operator is not None and operator is not implied:
            raise _malformed(raw, f"目标值“{raw}”中的比较符与“{suffix}”相互矛盾，{_EXAMPLE}。")
        operator = implied
    digits = body["num"].replace(",", "")
    # Shifting the exponent is exact at any length, and '1.5万' comes out as 15000, not 15000.0.
    if body["mult"]:
        digits = plain_decimal(Decimal(f"{digits}E{_TARGET_EXP[body['mult']]}"))
    number = Decimal(digits)
    if body["sign"] == "-":
        number = number.copy_negate()
    return _with_unit(raw, operator, number, body["unit"], name)


def _with_unit(
    raw: str,
    operator: Operator | None,
    number: Decimal,
    unit: str | None,
    name: str,
    *,
    high: Decimal | None = None,
    basis: str | None = None,
) -> Target:
    """A quantitative target; without a unit in the value, the indicator name's bracket supplies one."""
    unit = _UNIT_SYNONYMS.get(unit, unit) if unit else unit
    source: Literal["value", "name"] | None = "value" if unit else None
    if not unit:
        unit = unit_from_name(name) if name else None
        source = "name" if unit else None
    return Target(
        raw=raw,
        kind=TargetKind.QUANTITATIVE,
        operator=operator,
        number=number,
        unit=unit,
        unit_source=source,
        high=high,
        basis=basis,
    )


_NUM = r"[0-9]+(?:\.[0-9]+)?"
_RANGE = re.compile(rf"(?P<lo>{_NUM}) ?(?P<u1>%|‰)?{DASH}(?P<hi>{_NUM}) ?(?P<unit>{_UNIT})?")
_CHANGE = re.compile(
    r"(?P<basis>(?:较|比|相比|同比|环比)(?:上年度?|去年|上一年度?|基期|上期)?(?:同期)?"
    r"(?P<dir>提高|增长|增加|上升|提升|降低|下降|减少))(?:了)? ?(?P<rest>.+)"
)
_DONE = re.compile(r"(?P<rest>.+?) ?(?:完成|达成|完成率)$")


def _special(raw: str, text: str, name: str, words: frozenset[str]) -> Target | None:
    """Forms real tables write beyond 'operator number unit': schedules, ranges, changes, '100%完成'."""
    dates = schedule(text)
    if dates is not None:
        return Target(raw=raw, kind=TargetKind.SCHEDULE, start=dates[0], end=dates[1])
    m = _RANGE.fullmatch(text)
    if m is not None and Decimal(m["lo"]) <= Decimal(m["hi"]) and m["u1"] in (None, m["unit"]):
        return _with_unit(raw, None, Decimal(m["lo"]), m["unit"], name, high=Decimal(m["hi"]))
    m = _CHANGE.fullmatch(text)
    if m is not None:
        try:
            inner = parse_target(m["rest"], name, words)
        except ParseError:
            return None
        if inner.kind is TargetKind.QUANTITATIVE and inner.number is not None:
            return _with_unit(raw, inner.operator or Operator.GE, inner.number, inner.unit, name, basis=m["basis"])
        return None
    m = _DONE.fullmatch(text)
    if m is not None:
        body = _BODY.fullmatch(m["rest"])
        if body is not None and not _lookalike(body):
            return _quantity(body, raw, None, name)
    return None


def parse_target(value: CellValue, name: str = "", qualitative_words: frozenset[str] = DEFAULT_QUALITATIVE) -> Target:
    """Classify and parse a 指标目标值; the unit comes from the value, else from the indicator `name`.

    '万'/'亿' scale the number: '1.5万人' -> 15000 '人', '50万元' -> 500000 '元' (see split_unit).
    ParseError('target.malformed') only for text that starts with a comparison sign but does not go on as a
    number and a short unit, for contradictory operators ('<=95%以上'), and for NaN/infinite numbers.
    """
    raw = cell_text(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = float_decimal(value) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise _malformed(raw, f"目标值“{raw}”不是有效数值，{_EXAMPLE}。")
        return _with_unit(raw, None, number, None, name)
    if not raw:
        return Target(raw="", kind=TargetKind.EMPTY)
    text = _OCR_EQUALS.sub("=", fold(raw).rstrip(_TRAILING_PUNCT).rstrip())

    sym = _SYMBOL_RUN.match(text)
    if sym is not None:
        # A comparison sign is a promise of a number: anything else is a typing error to report, not prose.
        written = sym.group(0).replace(" ", "")
        operator = _SYMBOL_OPS.get(written)
        if operator is None:
            raise _malformed(
                raw, f"目标值“{raw}”中的比较符“{written}”无法识别，请使用 >=、>、=、<=、< 之一，{_EXAMPLE}。"
            )
        rest = text[sym.end() :].lstrip()
        if not rest:
            raise _malformed(raw, f"目标值“{raw}”只有比较符“{written}”，缺少数值，{_EXAMPLE}。")
        body = _BODY.fullmatch(rest)
        if body is None:
            raise _malformed(raw, f"目标值“{raw}”中比较符“{written}”后应为数值加单位，{_EXAMPLE}。")
        if _lookalike(body):
            raise _malformed(raw, f"目标值“{raw}”的数值中疑似把数字0或1写成了字母，{_EXAMPLE}。")
        return _quantity(body, raw, operator, name)

    special = _special(raw, text, name, qualitative_words)
    if special is not None:
        return special

    # Word operators also open ordinary sentences ('达到预期效果'), so a failed match here is prose.
    word = _WORD_OP.match(text)
    operator = _WORD_OPS[word.group(0)] if word else None
    body = _BODY.fullmatch(text[word.end() :].lstrip() if word else text)
    if body is not None and not _lookalike(body):
        return _quantity(body, raw, operator, name)

    if text in qualitative_words or raw in qualitative_words or _grade_word(text):
        return Target(raw=raw, kind=TargetKind.QUALITATIVE)
    return Target(raw=raw, kind=TargetKind.DESCRIPTIVE)


def format_target(target: Target) -> str:
    """Canonical text: '>=95%', '=100' (a unit from the name is not repeated), '合规', a sentence as is."""
    if target.kind is not TargetKind.QUANTITATIVE or target.number is None:
        return target.raw
    op = target.operator.value if target.operator else ""
    unit = target.unit if target.unit_source == "value" and target.unit else ""
    return f"{op}{plain_decimal(target.number)}{unit}"


# parse_target of a text is a pure function of (text, name, words) and Target is frozen, so a department's
# thousand workbooks, which repeat the same few hundred targets, parse each one once per process.
_TARGETS: dict[tuple[str, str, frozenset[str]], Target | None] = {}
_TARGETS_MAX = 20_000
_TARGETS_TEXT_MAX = 200  # longer texts are prose, parsed quickly and seldom repeated


def parse_target_cached(value: CellValue, name: str, words: frozenset[str]) -> Target | None:
    """parse_target, None where it does not parse; texts are remembered (numbers are cheap and typed).

    The one cache of parsed targets: the reader, the rules and the archive all ask it.
    """
    if type(value) is not str or len(value) + len(name) > _TARGETS_TEXT_MAX:
        try:
            return parse_target(value, name, words)
        except ParseError:
            return None
    key = (value, name, words)
    try:
        return _TARGETS[key]
    except KeyError:
        pass
    try:
        target: Target | None = parse_target(value, name, words)
    except ParseError:
        target = None
    if len(_TARGETS) >= _TARGETS_MAX:
        _TARGETS.clear()
    _TARGETS[key] = target
    return target
