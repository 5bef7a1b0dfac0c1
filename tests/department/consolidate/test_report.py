"""jobs/consolidate/report.py: the summary as a report: each sheet's title block (主管部门, 年度, 金额单位, 制表日期,
规则集), the data sheets' note, and 概况's headline figures each beside what it is made of."""

from __future__ import annotations

from datetime import date

from tests.builders.summaries import unit_summary
from xlgoals.department.consolidate.ledger import LedgerEntry, Status
from xlgoals.department.consolidate.reconcile import Aggregate
from xlgoals.department.consolidate.report import RunFacts, data_note, info_line, overview_rows, title_block
from xlgoals.department.consolidate.tables import UNITS_SHEET
from xlgoals.io.presentation import MoneyUnit

UNITS = [unit_summary("甲", "一区", 100, 1), unit_summary("乙", "一区", 250, 2, department="上海市财政局")]


def test_the_title_blocks_second_line() -> None:
    facts = RunFacts(MoneyUnit.WAN, folder="2020年申报", made=date(2026, 12, 7))
    line = info_line(facts, UNITS)
    assert line.split("　") == [
        "主管部门：上海市科学技术委员会、上海市财政局",
        "年度：2020",
        "金额单位：万元",
        "制表日期：2026-12-07",
        "规则集：按各单位封面所选指标体系：上海市",
        "文件夹：2020年申报",
    ]
    bare = info_line(RunFacts(MoneyUnit.YUAN, rules="national", made=date(2026, 1, 1)), [])
    assert bare.split("　") == [
        "主管部门：未填写",
        "年度：未填写",
        "金额单位：元",
        "制表日期：2026-01-01",
        "规则集：全国（财政部）（--rules national）",
    ]


def test_copies_and_the_data_note() -> None:
    facts = RunFacts(MoneyUnit.YUAN, csv_dir="/srv/out/csv/", parquet_dir="pq")
    assert facts.copies_of("项目清单") == ["csv/项目清单.csv", "pq/项目清单.parquet"]
    note = data_note("项目清单", 12345, 20, facts.copies_of("项目清单"))
    assert "12,345 行 × 20 列" in note and "已另存为 csv/项目清单.csv、pq/项目清单.parquet" in note
    assert "--csv" in data_note("项目清单", 1, 2, [])
    block = title_block(UNITS_SHEET, "信息")
    assert block.title.startswith("部门项目支出绩效目标汇总 · ") and block.info == "信息"


def test_the_overview_adds_up_on_the_page() -> None:
    groups = [Aggregate.of("一区小计", "一区", UNITS)]
    total = Aggregate.of("部门合计", "", groups)
    ledger = [
        LedgerEntry(1, "甲.xlsx", Status.READ),
        LedgerEntry(2, "乙.xlsx", Status.READ),
        LedgerEntry(3, "~$甲.xlsx", Status.LOCK),
    ]
    rows = {r[0]: r[1:] for r in overview_rows(total, ledger, UNITS, groups, MoneyUnit.YUAN)}
    assert rows["收到的文件"][0] == "3 个" and "已读取 2，锁定文件 1" in rows["收到的文件"][1]
    assert rows["汇总的单位"][0] == "2 个" and "分 1 组小计：一区" in rows["汇总的单位"][1]
    assert rows["项目"][0] == "3 个" and rows["绩效指标"][0] == "9 条"
    assert rows["项目当年预算"][0] == "350"
