"""Live checks of the 自评 sheet: the selfeval.* rules as formulas over its inputs and its own scoring helpers.

The sheet already computes each row's reading of 实际完成值 in hidden helper columns (io/selfevalformulas.py,
held equal to validation/scoring.py by a LibreOffice test): the cleaned text (T), the number (X), the share of
the target achieved (Y). These checks read those cells, so a row is 未填写, 不是数字, 单位不同 or 未达到 for the
live check exactly when the score formula and the Python scoring say so. An actual holding an error value, a
logical, a number a spreadsheet may show another way (a fraction) or a character 校验 strips and the formulas
do not (zero-width, rare whitespace) is undecided: the live check shows nothing there, 校验 decides.
"""

from __future__ import annotations

from xlgoals.core import livelayout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.ruleset import RuleSet, RuleSpec, scoring_of
from xlgoals.io.selfevalread import MAX_POINTS
from xlgoals.validation.live import formulas as fx
from xlgoals.validation.live.checks import Live, live, nonspace
from xlgoals.validation.live.plan import Builder, LiveForm, Table
from xlgoals.validation.rules.selfeval import DONE_DEFAULTS, TOLERANCE

SELFEVAL_LIVE: dict[str, Live] = {}

# The selfeval-form checks no formula can match, with the reason README gives.
SELFEVAL_OFFLINE: dict[str, str] = {
    "score_formula_kept": "公式无法分辨单元格中是公式还是手工填写的数值（ISFORMULA 不在三种软件共同支持的函数中）",
    # The amounts of a published table (a declaration's 年度资金总额 …): a 自评 sheet has no such cells.
    "money_parses": "自评表没有申报表的金额栏；自评表的金额由 selfeval.money-invalid 检查",
    "money_non_negative": "自评表没有申报表的金额栏",
    "funding_adds_up": "自评表没有申报表的资金来源栏",
}

# A 自评 sheet comes with its declaration's facts, points and 年初预算数: the unit has begun it once it fills one
# of these (until then its status line says 尚未填写 and no cell is coloured; 校验 reports what is missing).
BEGUN = ("budget_adjusted", "budget_executed", "execution_reason", "goals_achieved", "actual", "reason")
_DATA = ("level1", "level2", "name", "target", "actual", "reason")
_HELPERS = (
    *("points", "score", "printed", "clean", "unsigned", "suffix", "digits", "number", "fraction", "counted"),
    *("masked", "claimed", "claim_share"),
)


def selfeval_form(indicators: int, printed: bool) -> LiveForm:
    """The live declaration of a 自评 sheet with `indicators` rows (and a 原表得分 column where `printed`)."""
    first = slayout.SELFEVAL_FIRST_ROW
    letters = {**slayout.SELFEVAL_COLUMNS, **slayout.SELFEVAL_HELPERS}
    helpers = {part: letters[part] for part in _HELPERS if part != "printed" or printed}
    table = Table(
        first,
        first + max(indicators, 1) - 1,
        {part: slayout.SELFEVAL_COLUMNS[part] for part in _DATA},
        slayout.SELFEVAL_SECTION_CELL,
        helpers,
    )
    return LiveForm(
        slayout.SELFEVAL_FIELDS,
        table if indicators else None,
        livelayout.SELFEVAL_STATUS_CELL,
        "selfeval",
        livelayout.SELFEVAL_LIVE_FIRST_COLUMN,
        BEGUN,
    )


def _rare(b: Builder, ref: str) -> str:
    """1 when `ref` holds a character 校验 strips or folds and the formulas keep (0 for an error value)."""
    return f"IFERROR(IF({fx.any_of(ref, b.constants('rare'))},1,0),0)"


def _undecided(b: Builder) -> str:
    """The row's actual is one the score formula may read otherwise than 校验 (see the module's docstring)."""
    a = "{x:actual}"
    number = f"IF(AND({a}=INT({a}),ABS({a})<1E+15),0,1)"
    return b.row(
        "undecided",
        f"IF(ISERROR({a}),1,IF(ISLOGICAL({a}),1,IF(ISNUMBER({a}),{number},{_rare(b, a)})))",
    )


def _table(b: Builder) -> bool:
    return b.form.table is not None


def _row_flag(b: Builder, rule: RuleSpec, part: str, flag: str, undecided: str | None = None) -> None:
    """A per-row flag decided only where the actual is read alike: IF skips the rest where it is not."""
    und = _undecided(b)
    count = f"{{on}}*IF({und}=1,0,IF({flag},1,0))"
    b.row_flag(rule.code, rule.severity, part, count, f"{{on}}*IF({und}=1,1,IF({undecided or '0'},1,0))")


# How a row's actual reads, from the sheet's scoring helpers (validation/scoring.achieved).
_FILLED = "LEN({x:clean})>0"
_QUANTITY = "ISNUMBER({x:suffix})"  # the quantity steps are written on a quantitative row only


def _unit() -> str:
    """A number followed by something else (actuals.unit_after_number): the unsigned text starts with a digit and
    is not digits with at most one inner point."""
    u = "{x:unsigned}"
    rest = u
    for char in "0123456789.":
        rest = f'SUBSTITUTE({rest},"{char}","")'
    plain = f'AND(LEN({rest})=0,LEN({u})-LEN(SUBSTITUTE({u},".",""))<=1,LEFT({u},1)<>".",RIGHT({u},1)<>".")'
    return f'AND(ISNUMBER(FIND(LEFT({u}&"{fx.SENTINEL}",1),"0123456789")),NOT({plain}))'


def _not_number() -> str:
    return f"AND({_QUANTITY},{_FILLED},NOT(ISNUMBER({{x:number}})))"


@live("actual_present", SELFEVAL_LIVE)
def actual_present(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    if _table(b):
        _row_flag(b, rule, "actual", f"NOT({_FILLED})")
    return None


def _claim(params: dict[str, list[str]]) -> str:
    """A text saying 完成 (a done word, no negation) whose first number falls short of the target (the sheet's
    claim helpers: io/selfevalformulas.claim_formulas), on a row whose actual is text or another unit."""
    said = "OR(" + ",".join(f"ISNUMBER(FIND({fx.lit(w)},{{x:clean}}))" for w in params["done_words"]) + ")"
    denied = "OR(" + ",".join(f"ISNUMBER(FIND({fx.lit(w)},{{x:clean}}))" for w in params["negations"]) + ")"
    short = "AND(ISNUMBER({x:claim_share}),N({x:claim_share})<1)"
    return f"AND({_not_number()},{said},NOT({denied}),{short})"


def _done_params(rs: RuleSet) -> dict[str, list[str]] | None:
    done = next((r for r in rs.rules if r.check == "done_claim" and r.enabled), None)
    return None if done is None else {**DONE_DEFAULTS, **done.params}


@live("actual_is_number", SELFEVAL_LIVE)
def actual_is_number(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    if not _table(b):
        return None
    text = f"AND({_not_number()},NOT({_unit()}))"
    params = _done_params(rs)
    # A text saying 完成 with a number short of the target is done_claim's (its message asks for the number).
    _row_flag(b, rule, "actual", text if params is None else f"AND({text},NOT({_claim(params)}))")
    return None


@live("done_claim", SELFEVAL_LIVE)
def done_claim(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    if _table(b):
        _row_flag(b, rule, "actual", _claim({**DONE_DEFAULTS, **rule.params}))
    return None


@live("actual_same_unit", SELFEVAL_LIVE)
def actual_same_unit(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    if _table(b):
        _row_flag(b, rule, "actual", f"AND({_not_number()},{_unit()})")
    return None


@live("actual_level", SELFEVAL_LIVE)
def actual_level(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    if _table(b):
        _row_flag(b, rule, "actual", f"AND(NOT({_QUANTITY}),{_FILLED},NOT(ISNUMBER({{x:fraction}})))")
    return None


@live("shortfall_explained", SELFEVAL_LIVE)
def shortfall_explained(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    if _table(b):
        reason = "{x:reason}"
        blank = f"{fx.nonspace(reason, b.constants('edge'))}=0"
        short = "AND(ISNUMBER({x:fraction}),N({x:fraction})<1)"
        _row_flag(b, rule, "reason", f"AND({short},{blank})", _rare(b, reason))
    return None


@live("points_valid", SELFEVAL_LIVE)
def points_valid(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    if not _table(b):
        return None
    f = "{x:points}"
    bad = f"IF(ISNUMBER({f}),IF(OR({f}<0,ABS({f})>{MAX_POINTS}),1,0),IF({fx.nonspace(f, b.constants('edge'))}>0,1,0))"
    count = f"{{on}}*IF(ISERROR({f}),0,IF(ISLOGICAL({f}),1,{bad}))"
    undecided = f"{{on}}*IF(ISNUMBER({f}),0,{_rare(b, f)})"
    b.row_flag(rule.code, rule.severity, "points", count, undecided)
    return None


@live("points_add_up", SELFEVAL_LIVE)
def points_add_up(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    table = b.form.table
    first, last = slayout.SELFEVAL_FIRST_ROW, table.last_row if table else slayout.SELFEVAL_FIRST_ROW - 1
    column = slayout.SELFEVAL_COLUMNS["points"]
    total = f"${column}${last + 1}"  # the 总分 row's points: the sheet's own sum of the points that count
    expected = scoring_of(rs).total
    count = f"{{on}}*IF(ISNUMBER({total}),IF(ROUND(ABS({total}-{expected}),9)>{TOLERANCE},1,0),0)"
    # Points beyond what a form gives: 校验 counts the default there, the sheet the number.
    cells = [slayout.SELFEVAL_EXEC_POINTS_CELL, *((f"{column}{first}:{column}{last}",) if table else ())]
    huge = "+".join(f"SUMPRODUCT(--(IFERROR(ABS({c}),0)>{MAX_POINTS}))" for c in cells)
    b.entry(rule.code, rule.severity, f"{column}{slayout.SELFEVAL_HEADER_ROW}", count, f"{{on}}*IF({huge}>0,1,0)")
    return None


def _field(key: str) -> str:
    return slayout.SELFEVAL_FIELD[key].value_cell


_MONEY = ("budget_initial", "budget_adjusted", "budget_executed")


@live("execution_money_parses", SELFEVAL_LIVE)
def execution_money_parses(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    for key in _MONEY:
        c = _field(key)
        count = f"{{on}}*IF(ISERROR({c}),0,IF(ISNUMBER({c}),0,IF({nonspace(b, c)}>0,1,0)))"
        b.entry(rule.code, rule.severity, c, count)
    return None


@live("execution_present", SELFEVAL_LIVE)
def execution_present(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    for key in ("budget_adjusted", "budget_executed"):
        c = _field(key)
        count = f"{{on}}*IF(ISERROR({c}),1,IF(ISNUMBER({c}),0,IF({nonspace(b, c)}=0,1,0)))"
        b.entry(rule.code, rule.severity, c, count)
    return None


def _both_numbers() -> str:
    return f"AND(ISNUMBER({_field('budget_adjusted')}),ISNUMBER({_field('budget_executed')}))"


@live("execution_explained", SELFEVAL_LIVE)
def execution_explained(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    budget, executed, reason = _field("budget_adjusted"), _field("budget_executed"), _field("execution_reason")
    floor = float({"floor_percent": 90.0, **rule.params}["floor_percent"])
    # rate × 100 < floor, without the division: executed × 100 < floor × budget (budget > 0).
    low = f"AND({budget}>0,ROUND({executed}*100,6)<ROUND({floor!r}*{budget},6))"
    count = f"{{on}}*IF({_both_numbers()},IF({low},IF({nonspace(b, reason)}=0,1,0),0),0)"
    b.entry(rule.code, rule.severity, reason, count)
    return None


@live("execution_within_budget", SELFEVAL_LIVE)
def execution_within_budget(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    budget, executed = _field("budget_adjusted"), _field("budget_executed")
    b.entry(rule.code, rule.severity, executed, f"{{on}}*IF({_both_numbers()},IF({executed}>{budget},1,0),0)")
    return None


def _differs(printed: str, score: str) -> str:
    within = f"AND(ISNUMBER({printed}),ISNUMBER({score}),ABS(N({printed}))<={MAX_POINTS})"
    return f"IF({within},IF(ROUND(ABS({printed}-{score}),9)>{TOLERANCE},1,0),0)"


@live("printed_score_agrees", SELFEVAL_LIVE)
def printed_score_agrees(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    table = b.form.table
    if table is None or "printed" not in table.helpers:
        return None
    _row_flag(b, rule, "printed", _differs("{x:printed}", "{x:score}"))
    printed, score = slayout.SELFEVAL_COLUMNS["printed"], slayout.SELFEVAL_COLUMNS["score"]
    exec_row = slayout.SELFEVAL_EXEC_SCORE_CELL[1:]
    execution = _differs(f"{printed}{exec_row}", f"{score}{exec_row}")
    b.entry(rule.code, rule.severity, f"{printed}{exec_row}", "{on}*" + execution)
    total = table.last_row + 1
    und = "SUMPRODUCT(--({c:undecided}>0))"
    b.entry(
        rule.code,
        rule.severity,
        f"{printed}{total}",
        f"{{on}}*IF({und}>0,0,{_differs(f'{printed}{total}', f'{score}{total}')})",
        f"{{on}}*IF({und}>0,1,0)",
    )
    return None


__all__ = ["SELFEVAL_LIVE", "SELFEVAL_OFFLINE", "selfeval_form"]
