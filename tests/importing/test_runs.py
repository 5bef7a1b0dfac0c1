"""jobs/importing/runs.py: cells run together with nothing between them, cut by what each column holds; a money
line's figures cut where they agree with each other (执行率 = 执行数 ÷ 预算数, a score near points × rate)."""

from __future__ import annotations

from decimal import Decimal

from xlgoals.importing.runs import cut_figures, cut_rows, figures_by_head

MONEY = ["adjusted", "executed", "points", "rate", "score"]


def test_rows_run_together_are_cut_by_their_columns() -> None:
    rows, rest = cut_rows("举办活动场次≥3场参会人数≥500人", ["name", "value"])
    assert rows == [["举办活动场次", "≥3场"], ["参会人数", "≥500人"]] and rest == ""
    rows, rest = cut_rows("举办活动场次≥3场参会人数≥500人尚余文字", ["name", "value"])
    assert len(rows) == 2 and rest == "尚余文字"  # where the table ends
    assert cut_rows("字" * 5000, ["name", "value"]) == ([], "字" * 5000)  # too long for a table: left as it is


def test_figures_cut_where_they_agree() -> None:
    parts = cut_figures("100951095%9.5", MONEY)
    assert parts == ["100", "95", "10", "95%", "9.5"]
    assert figures_by_head(MONEY, parts) == {
        "adjusted": Decimal(100),
        "executed": Decimal(95),
        "points": Decimal(10),
        "rate": Decimal(95),
        "score": Decimal("9.5"),
    }
    assert cut_figures("10080108.0%8", MONEY) is None  # no cut agrees: nothing is guessed
