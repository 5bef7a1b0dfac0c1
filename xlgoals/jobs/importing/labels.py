"""Field labels of published tables, found with or without a colon, and the money written after them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from xlgoals.core.values import ParseError, parse_money

_SPACES = re.compile(r"\s+")


def key(text: str) -> str:
    """Text as compared with labels: width-folded, without spaces, a leading '其中' or a trailing colon."""
    k = _SPACES.sub("", unicodedata.normalize("NFKC", text)).rstrip(":")
    k = k.removeprefix("其中:").removeprefix("其中")
    return k.lstrip("*★")


@dataclass(frozen=True)
class Label:
    """What a label fills: `target` is 'project.<field>', 'unit.<field>', 'extra', 'heading' or 'noise'."""

    target: str
    kind: str = "text"  # text | long | money | unit | period


def _labels() -> dict[str, Label]:
    table: dict[str, Label] = {}

    def add(target: str, kind: str, *names: str) -> None:
        for name in names:
            table[key(name)] = Label(target, kind)

    from xlgoals.core import layout

    # The Shanghai declaration's own labels, as the template writes them.
    for spec in layout.PROJECT_FIELDS:
        add(f"project.{spec.key}", spec.kind if spec.kind in ("money", "long", "date", "yesno") else "text", spec.label)
    add("project.name", "text", "项目名称", "项目支出名称", "项目(支出)名称")
    add("project.department", "text", "主管部门", "业务主管部门", "预算部门", "主管单位", "部门名称")
    add("project.implementer", "text", "实施单位", "项目实施单位")
    add("project.manager", "text", "项目负责人", "项目负责人及电话", "项目负责人及联系电话")
    add("project.phone", "text", "联系电话")
    add("project.category", "text", "项目分类", "项目类别", "项目类型")
    add("project.period", "period", "建设周期", "项目支出实施期", "项目实施期", "实施期", "项目周期", "项目期限")
    add("project.basis", "long", "项目审批", "立项依据")
    add("project.overview", "long", "项目总体概况", "项目概况", "项目基本情况")
    add("project.goals_overall", "long", "总体目标", "实施期绩效目标", "实施期目标", "中长期目标")
    add(
        "project.goals",
        "long",
        "年度目标",
        "本年度绩效目标",
        "年度绩效目标",
        "年度主要目标和成果",
        "预期目标",
        "年度主要目标",
        "当年绩效目标",
    )
    add("project.budget_year", "money", "年度资金总额", "当年年度预算", "年度本级预算金额", "本年度预算", "年度预算")
    add("project.budget_total", "money", "项目总预算", "项目总金额", "总预算")
    add("project.budget_fiscal", "money", "财政拨款", "本年财政拨款", "财政资金", "财政资金预算")
    add("project.budget_other", "money", "其他资金", "其它资金")
    add("unit.name", "text", "预算单位", "填报单位", "申报单位", "申报单位名称", "单位名称")
    add("unit.money", "unit", "金额单位", "单位")
    add(
        "extra",
        "text",
        "财政资金预算分类",
        "财政资金科目代码",
        "上年结转资金",
        "该项目支出上级资金",
        "年度预算执行率",
        "实际完成情况",
        "项目属性",
        "资金用途",
    )
    add(
        "heading",
        "text",
        "资金情况",
        "项目资金",
        "项目资金预算执行",
        "年度总体目标",
        "年度总体目标完成情况",
        "绩效指标",
        "本年度绩效指标",
        "年度绩效目标表",
        "年度绩效指标",
    )
    add("noise", "text", "来源", "发布时间", "日期", "归档时间", "浏览量", "作者", "附件", "字号", "点击数", "填报日期")
    add("noise", "text", "填表人", "单位负责人签字", "单位负责人", "审核人", "扫一扫在手机打开当前页")
    return table


LABELS = _labels()
_SCORE = re.compile(r"[(（][0-9.\-~—～]+分?[)）]分?$|[0-9.]+分$")
_MONEY_UNIT = re.compile(r"[(（](?:单位:?)?(万元|元|千元|亿元)[)）]")
_LEADING_MONEY = re.compile(r"^[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?:千万|百万|千|万|亿)?元?")


def _match(candidate: str) -> tuple[Label, str] | None:
    unit = ""
    m = _MONEY_UNIT.search(candidate)
    if m:
        unit = m.group(1)
        exact = LABELS.get(key(candidate))  # '项目当年预算(元)' is a label with its unit
        if exact is not None:
            return exact, unit
        candidate = candidate[: m.start()] + candidate[m.end() :]
    found = LABELS.get(key(_SCORE.sub("", candidate)))
    return (found, unit) if found is not None else None


def find_label(text: str) -> tuple[Label, str, str] | None:
    """(label, its bracketed money unit, inline value) when `text` is 'label', 'label:' or 'label:value'."""
    folded = unicodedata.normalize("NFKC", text)
    whole = _match(folded)
    if whole is not None:
        return (*whole, "")
    head, sep, _ = folded.partition(":")
    if sep:
        found = _match(head)
        if found is not None:
            # The value as written (NFKC would turn its full-width brackets into ASCII ones).
            return (*found, text[len(head) + 1 :].strip())
    return None


MULTIPLIER = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}


def money(text: str, unit: str) -> Decimal | None:
    """Yuan for a money cell of a table kept in `unit`; a number's own 万/元 overrides the table's unit.

    Only the leading amount counts: '854万(高标准农田建设400万元,...)' is 8,540,000 yuan.
    """
    m = _LEADING_MONEY.match(unicodedata.normalize("NFKC", text).replace(" ", ""))
    if m is None:
        return None
    written = m.group(0)
    try:
        amount = parse_money(written)
    except ParseError:
        return None
    if amount is None:
        return None
    if re.search(r"[千万亿元]$", written):
        return amount
    return (amount * MULTIPLIER.get(unit, Decimal(1))).quantize(Decimal("0.01"))
