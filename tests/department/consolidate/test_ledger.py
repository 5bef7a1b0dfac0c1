"""jobs/consolidate/ledger.py: the 台账's closed sets of statuses and reasons, each reason's code and Chinese text,
a reader's refusal said with its sheet and cell, and a row as printed (path relative, hash short, code last)."""

from __future__ import annotations

import re

from xlgoals.core.errors import XlgoalsError
from xlgoals.department.consolidate.ledger import SHORT_SHA, STATUSES, LedgerEntry, Reason, Status, error_reason


def test_statuses_are_the_ledgers_words() -> None:
    assert [str(s) for s in STATUSES] == ["已读取", "已拒绝", "重复", "锁定文件"]


def test_every_reason_has_a_code_and_chinese_text_with_its_details_filled() -> None:
    for reason in Reason:
        fields = set(re.findall(r"{(\w+)}", reason.value[1]))
        text = reason.text(**{f: f"<{f}>" for f in fields})
        assert "{" not in text and re.search(r"[\u4e00-\u9fff]", text), reason
        assert reason.code == "" or re.fullmatch(r"[a-z]+\.[a-z]+", reason.code), reason
    assert Reason.TIMEOUT.text(seconds=60).startswith("读取超过 60 秒")


def test_a_refusal_says_where() -> None:
    assert (
        error_reason(XlgoalsError("金额无法识别", sheet="项目1", cell="C5")) == "工作表 项目1，单元格 C5：金额无法识别"
    )
    assert error_reason(XlgoalsError("不是工作簿")) == "不是工作簿"


def test_a_row_on_paper_and_in_the_data() -> None:
    entry = LedgerEntry(
        3,
        "/inbox/区县/单位.xlsx",
        Status.READ,
        unit="单位",
        year=2020,
        sha256="ab" * 32,
        projects=2,
        label="区县/单位.xlsx",
    )
    printed = entry.sheet_row()
    assert (
        printed[:3] == (3, "区县/单位.xlsx", Status.READ)
        and printed[-2] == ("ab" * 32)[:SHORT_SHA]
        and printed[-1] is None
    )
    assert entry.row()[:3] == (3, "/inbox/区县/单位.xlsx", Status.READ) and "ab" * 32 in entry.row()
    assert LedgerEntry(1, "a.xlsx", Status.LOCK).shown == "a.xlsx"
