"""Field labels of published tables, found with or without a colon, and the money written after them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from xlgoals.importing.cells import ENUMERATOR

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
    add("project.implementer", "text", "实施单位", "项目实施单位", "项目单位")
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
        "年度总体绩效目标",
    )
    add(
        "project.budget_year",
        "money",
        "年度资金总额", "当年年度预算", "年度本级预算金额", "本年度预算", "年度预算", "当年资金总额", "资金总额",
        "项目资金", "项目金额", "项目预算金额", "项目资金总额", "预算金额", "总额", "年度资金",
    )  # fmt: skip
    add("project.budget_total", "money", "项目总预算", "项目总金额", "总预算")
    add(
        "project.budget_fiscal",
        "money",
        "财政拨款", "本年财政拨款", "当年财政拨款", "财政资金", "财政资金预算", "申请财政资金", "财政拨款资金",
    )  # fmt: skip
    add("project.budget_other", "money", "其他资金", "其它资金")
    # A self-evaluation's budget execution, written as labels rather than as a block's columns.
    add("project.budget_initial", "money", "年初预算数", "年初预算")
    add("project.budget_adjusted", "money", "全年预算数", "调整后预算数", "调整后预算", "全年预算")
    add("project.budget_executed", "money", "全年执行数", "执行数", "实际执行数")
    add("project.total_score", "number", "总分", "自评总分", "自评得分")
    # Parts of the year's money with no field of their own: kept as written.
    add(
        "money.part",
        "money",
        "上年结转资金", "上年结转", "该项目支出上级资金", "上级资金", "上级财政资金", "本级财政", "本级财政资金",
        "一般公共预算", "一般公共预算拨款", "一般公共预算资金", "政府性基金", "政府性基金预算", "政府性基金预算拨款",
        "国有资本经营预算", "国有资本经营预算拨款", "事业收入", "经营收入", "经营性收入", "自筹资金", "单位自筹",
        "纳入财政专户管理的收入", "未纳入财政专户管理的收入", "上年结余收入",
    )  # fmt: skip
    # 单位自有资金: the 其他资金 of the national form where it is the only part besides 财政拨款.
    add("money.self", "money", "自有资金", "单位自有资金")
    add("unit.name", "text", "预算单位", "填报单位", "申报单位", "申报单位名称", "单位名称", "部门(单位)名称")
    add("unit.money", "unit", "金额单位", "单位")
    add(
        "extra",
        "text",
        "财政资金预算分类", "财政资金科目代码", "年度预算执行率", "实际完成情况", "项目属性", "资金用途",
        "部门(单位)职责", "部门职责", "项目性质", "主管部门编码", "评价结论", "存在问题", "改进措施", "合计",
    )  # fmt: skip
    add(
        "heading",
        "text",
        "资金情况", "项目资金预算执行", "年度总体目标", "年度总体目标完成情况", "绩效指标", "本年度绩效指标",
        "年度绩效目标表", "年度绩效指标", "资金总额及构成", "项目资金申请", "资金来源",
    )  # fmt: skip
    # The form's sign-off block: facts of the form, kept with the project.
    add(
        "signoff",
        "text",
        "填表人", "填报人", "填报日期", "填表日期", "单位负责人签字", "单位负责人", "财务负责人", "审核人", "经办人",
        "制表人", "项目负责人签字", "单位负责人(签字)", "单位公章",
    )  # fmt: skip
    # Page furniture around a table on a web page or a document-sharing site.
    add(
        "noise",
        "text",
        "来源", "发布时间", "发布日期", "发文日期", "发文时间", "日期", "归档时间", "浏览量", "浏览次数", "点击数",
        "点击量", "阅读次数", "作者", "附件", "字号", "索引号", "发文字号", "文号", "发文单位", "发布机构", "主题分类",
        "效力状态", "有效性", "公开方式", "公开时间", "资源ID", "资源大小", "资源格式", "标题", "打印本页", "关闭窗口",
        "扫一扫在手机打开当前页", "扫一扫在手机上查看当前页面", "相关解读", "分享到",
    )  # fmt: skip
    return table


LABELS = _labels()
_SCORE = re.compile(r"[(（][0-9.\-~—～]+分?[)）]分?$|[0-9.]+分$")
_MONEY_UNIT = re.compile(r"[(（](?:单位:?)?(万元|元|千元|亿元)[)）]")
# Only as a numbered line of a money block is '其他' a label: anywhere else it is a word.
_NUMBERED_ONLY = {"其他": Label("project.budget_other", "money"), "其它": Label("project.budget_other", "money")}
_REVIEW = re.compile(r"^.{0,20}(?:审核|初审|审批|复核|审查)意见(?:\(盖章\))?$")


# No label is longer: a longer text is a value, and matching it against the patterns below would cost time in
# proportion to its length squared.
LONGEST_LABEL = 60


def _match(candidate: str) -> tuple[Label, str] | None:
    if len(candidate) > LONGEST_LABEL:
        return None
    numbered = ENUMERATOR.match(candidate)
    if numbered is not None:
        rest = candidate[numbered.end() :]
        only = _NUMBERED_ONLY.get(key(rest))
        found = (only, "") if only is not None else _plain(rest)
        if found is not None:
            return found
    if _REVIEW.match(key(candidate)):
        return Label("signoff"), ""
    return _plain(candidate)


def _plain(candidate: str) -> tuple[Label, str] | None:
    """A label as the table writes it, with its bracketed unit or weight and a block's '小计'."""
    unit = ""
    m = _MONEY_UNIT.search(candidate)
    if m:
        unit = m.group(1)
        exact = LABELS.get(key(candidate))  # '项目当年预算(元)' is a label with its unit
        if exact is not None:
            return exact, unit
        candidate = candidate[: m.start()] + candidate[m.end() :]
    k = key(_SCORE.sub("", candidate)).removesuffix("(盖章)")
    found = LABELS.get(k) or LABELS.get(k.removesuffix("小计").removesuffix("合计"))
    return (found, unit) if found is not None else None


_FIRSTS = frozenset(k[0] for k, label in LABELS.items() if label.target in ("heading", "project.goals_overall"))


def fragment(text: str) -> bool:
    """One character left of a heading printed vertically in a merged cell: '总' of 总体目标, '绩' of 绩效指标."""
    return len(text) == 1 and text in _FIRSTS


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
