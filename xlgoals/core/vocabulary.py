"""The Chinese labels every renderer shares (tables, the CLI, worksheet functions), one place for each word."""

from __future__ import annotations

from xlgoals.core.targets import TargetKind

# An indicator's kind in a table cell or a count; 'unparsed' is a value filled in that did not parse.
KIND_ZH: dict[str, str] = {
    "quantitative": "定量",
    "qualitative": "定性",
    "descriptive": "描述",
    "schedule": "期限",
    "empty": "空白",
    "unparsed": "无法识别",
}
# The same kinds as a verdict on one cell (=XLGOALS_TARGET), where there is room to say what they mean.
KIND_VERDICT_ZH: dict[TargetKind, str] = {
    TargetKind.QUANTITATIVE: "定量",
    TargetKind.QUALITATIVE: "定性",
    TargetKind.DESCRIPTIVE: "描述（未量化）",
    TargetKind.SCHEDULE: "期限或期间",
    TargetKind.EMPTY: "未填写",
}
# A money line as a column title (the amounts are in 元).
MONEY_ZH: dict[str, str] = {
    "budget_total": "项目总预算（元）",
    "budget_year": "项目当年预算（元）",
    "last_year_budget": "上年预算额（元）",
    "last_year_executed": "上年执行数（元）",
}

# What a blank required field reads as in a title or a list.
NOT_FILLED = "未填写"
# What a cell that holds an error value or a formula never computed reads as in a title or a list.
UNREADABLE = "（无法读取）"
