"""io/selfevalformulas.py: the 自评 sheet's formulas, spelled from the same grammar and rules Python scores by
(core/actuals.py, validation/scoring.py); LibreOffice computing them is tests/io/test_selfeval_formulas.py."""

from __future__ import annotations

from decimal import Decimal

from tests.builders.units import indicator
from xlgoals.core import actuals
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.ruleset import load_ruleset
from xlgoals.core.scoring import Levels, Quantity, row_rule
from xlgoals.io.selfevalformulas import execution_formulas, number, row_formulas, text, total_formulas

ROW = 12


def test_literals() -> None:
    assert text('说"明"') == '"说""明"""'
    assert number(Decimal("5")) == "5" and number(Decimal("0.1")) == "0.1" and number(Decimal("2.50")) == "2.5"


def test_a_quantity_rows_helpers_follow_the_grammar() -> None:
    rs = load_ruleset("shanghai-2020")
    rule = row_rule(indicator("产出指标", "数量指标", "参会观众数", ">=500人"), rs)
    assert isinstance(rule, Quantity) and rule.target == 500
    cells = row_formulas(ROW, rule, Decimal(5))
    clean = cells[slayout.selfeval_cell(ROW, "clean")]
    # Every folded and removed character of the grammar is in the cleaning formula, none other.
    assert clean.count("SUBSTITUTE(") == len(actuals.FOLDED) + len(actuals.REMOVED)
    assert all(text(sign) in cells[slayout.selfeval_cell(ROW, "unsigned")] for sign in actuals.SIGNS_2)
    assert text("人") in cells[slayout.selfeval_cell(ROW, "suffix")]
    assert (
        "MIN(1,MAX(0," in cells[slayout.selfeval_cell(ROW, "fraction")]
        and "/500)" in cells[slayout.selfeval_cell(ROW, "fraction")]
    )
    score = cells[slayout.selfeval_cell(ROW, "score")]
    assert score.startswith("IF(OR(") and "ROUND(" in score and score.endswith(",2))")
    assert cells[slayout.selfeval_cell(ROW, "counted")].endswith(",5)")  # the default points when none typed


def test_a_level_row_is_judged_by_its_words() -> None:
    rs = load_ruleset("shanghai-2020")
    rule = row_rule(indicator("效益指标", "社会效益指标", "合作机制", "建立"), rs)
    assert isinstance(rule, Levels)
    fraction = row_formulas(ROW, rule, None)[slayout.selfeval_cell(ROW, "fraction")]
    assert all(text(word) in fraction for word, _ in rule.words)
    assert text(rule.echo) in fraction
    assert row_formulas(ROW, rule, None)[slayout.selfeval_cell(ROW, "counted")].endswith(',"")')


def test_execution_and_totals() -> None:
    scoring = load_ruleset("shanghai-2020").scoring
    assert scoring is not None
    rate = execution_formulas("C7", "D7", "F7", scoring)[slayout.SELFEVAL_RATE_CELL]
    assert "ISNUMBER(C7)" in rate and "D7/C7" in rate
    totals = total_formulas(12, 20, "F30", "G30")
    assert totals["F30"].startswith("SUM(") and "12:" in totals["F30"] and totals["G30"].startswith("ROUND(SUM(")
    empty = total_formulas(12, 11, "F30", "G30")  # no indicator rows: budget execution alone
    assert ":" not in empty["F30"] and slayout.SELFEVAL_EXEC_SCORE_CELL in empty["G30"]
