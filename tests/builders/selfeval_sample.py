"""The Shanghai sample's 2020 自评 as a unit fills it: each row's actual, reason and hand-computed score, and the
budgets, totals and unit figures those give."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

D = Decimal
# Points (Shanghai rule set): 预算执行 10; the 产出 pool (投入与管理 + 产出目标) 50, the 效益 pool (效果目标 but 满意度,
# 影响力目标) 30, 满意度 10, each split evenly over its indicators.
# 项目1: 10 indicators share 产出's 50 (5 each), 5 share 效益's 30 (6 each), 参会人员满意度 has 满意度's 10.
# Each row: (实际完成值, 偏差原因, 得分 by hand).
PROJECT1 = [
    ("100", "", D("5")),  # 资金到位率(%) =100: met, 5
    ("达成", "", D("5")),  # 资金使用合规性 合规
    ("规范", "", D("5")),  # 合同签署规范性 规范: repeating the target is 达成
    ("部分达成", "制度修订中", D("2.5")),  # 财务制度健全性: 部分达成 is 50 % of 5
    ("达成", "", D("5")),
    ("72", "两位专家因故未能到场", D("4.5")),  # 邀请演讲专家数 >=80: 72 ÷ 80 × 5 = 4.5
    ("620", "", D("5")),  # 参会观众数 >=500: 620 ÷ 500 > 1, capped at 5
    ("3", "", D("5")),  # 专业媒体数 >=3
    ("达成", "", D("5")),
    ("90%", "", D("4.74")),  # 研讨会议程活动完成率(%) >=95: 90 ÷ 95 × 5 = 4.7368… → 4.74, and NO reason
    ("达成", "", D("6")),  # 拓展国内外交流合作渠道 (a sentence as target): 达成, 6
    ("92", "", D("10")),  # 参会人员满意度(%) >=85: met, 10
    ("达成", "", D("6")),
    ("达成", "", D("6")),
    ("部分达成", "合作协议尚在商谈", D("3")),  # 建立合作机制: 50 % of 6
    ("5", "", D("6")),  # 专业媒体报道数 >=3
]
# 项目2: 投入与管理 2 + 产出目标 3 share 50 (10 each); 影响力目标 2 share 30 (15 each); 满意度 10.
PROJECT2 = [
    ("达成", "", D("10")),
    ("达成", "", D("10")),
    ("380", "线下名额受限", D("9.5")),  # 参会人数 >=400: 380 ÷ 400 × 10 = 9.5
    ("100", "", D("10")),
    ("96", "", D("10")),
    ("88", "", D("10")),
    ("100", "", D("15")),
    ("90", "", D("15")),
]
# 项目3: 投入与管理 1 + 产出目标 3 share 50 (12.5 each); 影响力目标 1 has 30; 满意度 10.
PROJECT3 = [("100%", "", D("12.5"))] * 4 + [("96%", "", D("10")), ("98%", "", D("30"))]
# (全年预算数, 全年执行数, 执行偏差说明, 执行得分 by hand: 10 × 执行率, never above 10).
BUDGETS = {
    "项目1": (600000, 540000, "", D("9")),  # 540,000 ÷ 600,000 = 90 %: 9
    "项目2": (400000, 400000, "", D("10")),
    "项目3": (4989200, 4200000, "部分设备采购延至次年", D("8.42")),  # 84.18 %: 8.418… → 8.42
}
ROWS = {"项目1": PROJECT1, "项目2": PROJECT2, "项目3": PROJECT3}
# 总分 = the scores added up: 项目1 83.74 + 9 = 92.74; 项目2 89.5 + 10 = 99.5; 项目3 90 + 8.42 = 98.42.
TOTALS = {"项目1": D("92.74"), "项目2": D("99.50"), "项目3": D("98.42")}
# The unit: the mean 总分 (92.74 + 99.5 + 98.42) ÷ 3 = 96.886… → 96.89; 执行率 5,140,000 ÷ 5,989,200 = 85.82 %.
UNIT_MEAN, UNIT_RATE = 96.89, 85.82


def fill(selfeval: Path, path: Path) -> Path:
    """The sample's 自评 workbook typed into as ROWS and BUDGETS say, saved at `path`."""
    wb = openpyxl.load_workbook(selfeval)
    for sheet, rows in ROWS.items():
        ws = wb[sheet]
        budget, executed, note, _ = BUDGETS[sheet]
        ws["C7"], ws["D7"] = budget, executed
        ws["H7"] = note or None
        for i, (actual, reason, _) in enumerate(rows):
            ws[f"E{12 + i}"], ws[f"H{12 + i}"] = actual, reason or None
    wb.save(path)
    return path
