"""Worksheet functions (xlwings UDFs): a target value's parse verdict, as =XLGOALS_TARGET(D18, C18)."""

from __future__ import annotations

import xlwings as xw

from xlgoals.core.cellerrors import error_of, meaning
from xlgoals.core.targets import TargetKind, parse_target
from xlgoals.core.values import ParseError
from xlgoals.core.vocabulary import KIND_VERDICT_ZH


def target_verdict(value: object, name: str = "") -> str:
    """How xlgoals reads a target value: its kind, and for a number the operator, value and unit; an error
    value is said as such, never read as blank."""
    error = error_of(value)
    if error is not None:
        return f"错误值 {error}：{meaning(error)}"
    try:
        target = parse_target(value if isinstance(value, str | int | float) else None, name or "")
    except ParseError as e:
        return f"无法识别：{e.message}"
    if target.kind is TargetKind.QUANTITATIVE:
        unit = f" {target.unit}" if target.unit else ""
        source = "（单位取自指标名称）" if target.unit_source == "name" else ""
        return f"定量：{target.operator or '（无比较符）'} {target.number}{unit}{source}"
    return KIND_VERDICT_ZH[target.kind]


@xw.func
@xw.arg("value", err_to_str=True, doc="指标目标值所在单元格")
@xw.arg("name", doc="三级指标名称所在单元格（可省略）")
def XLGOALS_TARGET(value: object, name: str = "") -> str:
    """返回 xlgoals 对指标目标值的判读：定量（比较符、数值、单位）、定性、描述或无法识别。"""
    return target_verdict(value, name)
