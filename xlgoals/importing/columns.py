"""The indicator table's columns: the header names that open each, and what each column's cells may hold."""

from __future__ import annotations

import re
from dataclasses import dataclass

from xlgoals.importing.labels import key


@dataclass(frozen=True)
class Column:
    """A column of an indicator table as its header named it.

    `part` is what the column fills: level1, level2, name, target, actual, points, score, reason (the model's
    own fields), extra (kept under `header` in Indicator.extra), project / field / money (a flat table's
    per-row project facts, `field` naming the model field) or seq (a row number). `kind` is what its cells
    hold: level, name, value, number, prose, unit, operator, text, amount."""

    part: str
    kind: str
    header: str
    field: str = ""
    unit: str = ""  # a money column's unit, from its header: '项目金额（万元）'

    @property
    def slot(self) -> str:
        """The key a row keeps this column's cell under."""
        return self.header if self.part in ("extra", "field", "money") else self.part


def _columns() -> dict[str, Column]:
    table: dict[str, Column] = {}

    def add(part: str, kind: str, *names: str) -> None:
        for name in names:
            table[key(name)] = Column(part, kind, key(name))

    add("level1", "level", "一级指标", "一级目标", "评价内容")
    add("level2", "level", "二级指标", "二级目标")
    add("name", "name", "三级指标", "三级目标", "指标名称", "三级指标名称", "指标内容", "具体指标", "绩效内容")
    add(
        "target",
        "value",
        "指标值", "指标值及单位", "年度指标值", "绩效目标值", "目标值", "指标目标值", "年度目标值", "绩效指标值",
        "预期指标值", "计划指标值", "全年指标值", "预期目标值", "全年目标值", "当年预期实现值", "预期实现值",
        "年度指标目标值", "本年指标值",
    )  # fmt: skip
    # 实施进度: what a report states as done against each target ('已完成100%').
    add(
        "actual",
        "value",
        "实际完成值", "全年实际值", "实际值", "实际完成情况", "全年完成值", "实际完成指标值", "实施进度",
    )  # fmt: skip
    add("points", "number", "分值", "权重", "指标分值", "标准分值", "权重分值")
    add("score", "number", "得分", "自评得分", "评价得分")
    add(
        "reason",
        "prose",
        "偏差原因分析及改进措施", "偏差原因", "偏差原因分析", "未完成原因分析", "未完成原因及拟采取的改进措施",
        "未完成原因分析及改进措施", "未完成原因",
    )  # fmt: skip
    add("extra", "value", "绩效标准", "累计完成率", "完成率", "目标完成率", "完成情况")
    # A value of another period beside the year's: kept under its header, the year's is the target.
    add("extra", "value", "半年指标值", "半年目标值", "上半年指标值", "中期指标值", "中期目标值", "实施期指标值")
    add("extra", "unit", "计量单位", "度量单位", "单位", "指标单位")
    add("extra", "operator", "指标值类型", "指标性质", "指标方向", "运算符号", "计算符号", "指标类型")
    add(
        "extra",
        "prose",
        "评分标准", "评(扣)分标准", "扣分标准", "评分细则", "评分规则", "指标解释", "指标说明", "备注",
        "指标计算方法", "保障绩效目标实现措施",
    )  # fmt: skip
    add("seq", "number", "序号")
    return table


COLUMNS = _columns()
# Sub-headers under a value column splitting it by period: the year's is the target, the others kept apart.
PERIODS = {key(n): n for n in ("半年", "上半年", "全年", "中期", "年度", "1-6月", "1-12月")}
ANNUAL = frozenset({"全年", "年度", "1-12月"})
# Column headers a flat table of several projects adds before its indicator columns: label -> model field.
ROW_FIELDS = {
    "project.name": "project",
    "project.department": "field",
    "project.implementer": "field",
    "unit.name": "field",
}
_NOTE_IN_BRACKETS = re.compile(r"\([^()]*\)$")


def column_of(text: str) -> Column | None:
    """The indicator-table column a header cell opens; a bracketed note after the header
    ('指标值(包含数字及文字描述)') does not change the column."""
    k = key(text)
    for candidate in (k, _NOTE_IN_BRACKETS.sub("", k)):
        if candidate in COLUMNS:
            return COLUMNS[candidate]
    return _row_field(text)


def _row_field(text: str) -> Column | None:
    """A flat table's project columns: 项目名称, 主管部门, 项目金额（元）…"""
    from xlgoals.importing.labels import find_label

    found = find_label(text)
    if found is None or found[2]:
        return None
    label, unit = found[0], found[1]
    if label.kind == "money":
        return Column("money", "amount", key(text), label.target, unit)
    part = ROW_FIELDS.get(label.target)
    return Column(part, "text", key(text), label.target) if part is not None else None


def period_of(text: str) -> str | None:
    """The period a value column's sub-header names ('半年', '全年' …)."""
    return PERIODS.get(key(text))
