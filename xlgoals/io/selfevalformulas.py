"""The 自评 sheet's scoring formulas, generated from the same row rules and parameters Python scores with.

Each step sits in a hidden helper column of its own (selfevallayout.SELFEVAL_HELPERS), so no formula repeats another's
text: the actual cleaned as core/actuals.clean does, its sign taken off, the unit it ends with, its digits, its
number, the share of the target achieved, the points that count. Only functions Excel 2010, WPS and LibreOffice
compute alike: SUBSTITUTE, LEFT, RIGHT, MID, LEN, EXACT, FIND, VALUE, CHOOSE, SUMPRODUCT, ROUND, MIN, MAX.
"""

from __future__ import annotations

from decimal import Decimal

from xlgoals.core import actuals, layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.ruleset import Scoring
from xlgoals.core.scoring import Levels, Quantity, RowRule
from xlgoals.core.selfevallayout import selfeval_cell
from xlgoals.io.cellstyle import writable_text
from xlgoals.io.sheetplan import excel_number


def text(value: str) -> str:
    """A string literal, of what a cell can hold: control characters as the written cells have them (U+FFFD)."""
    return '"' + writable_text(value).replace('"', '""') + '"'


def number(value: Decimal) -> str:
    """A number literal: integers as written, fractions as the double Excel would store."""
    return repr(excel_number(value))


def _clean(cell: str) -> str:
    expr = f'{cell}&""'
    for char, folded in actuals.FOLDED.items():
        expr = f"SUBSTITUTE({expr},{text(char)},{text(folded)})"
    for char in actuals.REMOVED:
        literal = {"\t": "CHAR(9)", "\n": "CHAR(10)", "\r": "CHAR(13)"}.get(char) or text(char)
        expr = f'SUBSTITUTE({expr},{literal},"")'
    return expr


def _unsigned(t: str) -> str:
    two = ",".join(f"LEFT({t},2)={text(s)}" for s in actuals.SIGNS_2)
    one = ",".join(f"LEFT({t},1)={text(s)}" for s in actuals.SIGNS_1)
    return f"IF(OR({two}),MID({t},3,32767),IF(OR({one}),MID({t},2,32767),{t}))"


def _suffix(u: str, rule: Quantity) -> str:
    expr = "0"
    for i, s in reversed(list(enumerate(rule.suffixes, start=1))):
        expr = f"IF(EXACT(RIGHT({u},{len(s.text)}),{text(s.text)}),{i},{expr})"
    return expr


def _choose(v: str, values: list[int]) -> str:
    return f"CHOOSE({v}+1,{','.join(map(str, values))})"


def _plain(w: str) -> str:
    """The digits are digits, with at most one point between them (core/actuals.is_plain): nothing is left once
    the ten digits and the point are taken out (no array formula: LibreOffice's FIND refuses an empty text)."""
    rest = w
    for char in "0123456789.":
        rest = f'SUBSTITUTE({rest},"{char}","")'
    return (
        f"AND(LEN({w})>=1,LEN({w})<={actuals.MAX_DIGITS},LEN({rest})=0,"
        f'LEN({w})-LEN(SUBSTITUTE({w},".",""))<=1,LEFT({w},1)<>".",RIGHT({w},1)<>".")'
    )


def _share(x: str, rule: Quantity) -> str:
    """validation/scoring.share as a formula over the actual's number `x`."""
    t = number(rule.target)
    if rule.compare == "range":
        high = number(rule.high if rule.high is not None else rule.target)
        return f"IF(AND({x}>={t},{x}<={high}),1,0)"
    if rule.compare == "eq":
        return f"IF({x}={t},1,0)"
    if rule.compare == "ge":
        return f"IF({x}>={t},1,0)" if rule.target <= 0 else f"MIN(1,MAX(0,{x}/{t}))"
    return f"IF({x}<={t},1,0)" if rule.target <= 0 else f"IF({x}<={t},1,{t}/{x})"


def _levels(t: str, rule: Levels) -> str:
    words = "{" + ",".join(text(w) for w, _ in rule.words) + "}"
    shares = [(Decimal(1) if f == 1 else Decimal(0)) if rule.deadline else f for _, f in rule.words]
    fractions = "{" + ",".join(number(f) for f in shares) + "}"
    found = f'IF(SUMPRODUCT(--EXACT({t},{words}))>0,SUMPRODUCT(EXACT({t},{words})*{fractions}),"")'
    echo = f"IF(EXACT({t},{text(rule.echo)}),1,{found})" if rule.echo else found
    return f'IF({t}="","",{echo})'


def _run(masked: str, start: str) -> str:
    """How many digits follow from `start` in the masked text (digits masked as spaces, and no other space: the
    cleaned text has none): up to the first character that is not a space."""
    tail = f"MID({masked},{start},32767)"
    return f'IF(TRIM({tail})="",LEN({tail}),FIND(LEFT(TRIM({tail}),1),{tail})-1)'


def claim_formulas(row: int, rule: Quantity) -> dict[str, str]:
    """core/actuals.first_number and the share it achieves (validation/rules/selfeval._claimed_short) as formulas:
    the first run of digits (with one inner point) in the cleaned actual, followed by one of the target's units or by
    the sentence's end or punctuation, in the target's written unit; its share of the target."""
    t = selfeval_cell(row, "clean")
    masked, claimed = selfeval_cell(row, "masked"), selfeval_cell(row, "claimed")
    digits = t
    for char in "0123456789":
        digits = f'SUBSTITUTE({digits},"{char}"," ")'
    start = f'FIND(" ",{masked}&" ")'
    end = f"{start}+{_run(masked, start)}"
    point = f'AND(MID({t},{end},1)=".",MID({masked},{end}+1,1)=" ")'
    after = _run(masked, f"{end}+1")
    length = f"{_run(masked, start)}+IF({point},1+{after},0)"
    rest = f"MID({t},{start}+LEN({claimed}),32767)"
    value = f"VALUE({claimed})"
    ends = f"ISNUMBER(FIND(LEFT({rest},1),{text(actuals.SENTENCE_BREAK)}))"
    expr = f'IF({rest}="",{_share(value, rule)},IF({ends},{_share(value, rule)},""))'
    for s in reversed(rule.suffixes):
        x = f"{value}*{s.mul}/{s.div}"
        expr = f"IF(EXACT(LEFT({rest},{len(s.text)}),{text(s.text)}),{_share(x, rule)},{expr})"
    return {
        masked: digits,
        claimed: f'IF({start}>LEN({t}),"",IF({length}>{actuals.MAX_DIGITS},"",MID({t},{start},{length})))',
        selfeval_cell(row, "claim_share"): f'IF({claimed}="","",{expr})',
    }


def row_formulas(row: int, rule: RowRule, default_points: Decimal | None) -> dict[str, str]:
    """Address -> formula (without '=') of each helper of an indicator row and of its 得分."""
    cell = {part: selfeval_cell(row, part) for part in ("actual", "points", "score")}
    h = {part: selfeval_cell(row, part) for part in ("clean", "unsigned", "suffix", "digits", "number")}
    fraction, points = selfeval_cell(row, "fraction"), selfeval_cell(row, "counted")
    out = {h["clean"]: _clean(cell["actual"])}
    if isinstance(rule, Levels):
        out[fraction] = _levels(h["clean"], rule)
    else:
        u, v, w = h["unsigned"], h["suffix"], h["digits"]
        lengths = [0, *(len(s.text) for s in rule.suffixes)]
        muls = [1, *(s.mul for s in rule.suffixes)]
        divs = [1, *(s.div for s in rule.suffixes)]
        out[u] = _unsigned(h["clean"])
        out[v] = _suffix(u, rule)
        out[w] = f"LEFT({u},LEN({u})-{_choose(v, lengths)})"
        out[h["number"]] = f'IF({_plain(w)},VALUE({w})*{_choose(v, muls)}/{_choose(v, divs)},"")'
        x = h["number"]
        out[fraction] = f'IF({x}="","",{_share(x, rule)})'
        out.update(claim_formulas(row, rule))
    fallback = number(default_points) if default_points is not None else '""'
    out[points] = f"IF(ISNUMBER({cell['points']}),{cell['points']},{fallback})"
    out[cell["score"]] = f'IF(OR({fraction}="",{points}=""),"",ROUND({fraction}*{points},2))'
    return out


def execution_formulas(budget: str, executed: str, points_cell: str, scoring: Scoring) -> dict[str, str]:
    """执行率, the points that count and the score of the budget-execution row (scoring.score_execution)."""
    rate, score = slayout.SELFEVAL_RATE_CELL, slayout.SELFEVAL_EXEC_SCORE_CELL
    points = f"{slayout.SELFEVAL_HELPERS['counted']}{layout.split_address(rate)[0]}"
    full = number(scoring.execution.full_from_percent / 100)
    return {
        rate: f'IF(AND(ISNUMBER({budget}),ISNUMBER({executed})),IF({budget}>0,{executed}/{budget},""),"")',
        points: f"IF(ISNUMBER({points_cell}),{points_cell},{number(scoring.execution.points)})",
        score: f'IF({rate}="","",ROUND(IF({rate}>={full},1,MIN(1,MAX(0,{rate})))*{points},2))',
    }


def total_formulas(first: int, last: int, points_cell: str, score_cell: str) -> dict[str, str]:
    """The 总分 row: the points that count and the scores, summed with budget execution's."""
    exec_row = layout.split_address(slayout.SELFEVAL_RATE_CELL)[0]
    z, g = slayout.SELFEVAL_HELPERS["counted"], slayout.SELFEVAL_COLUMNS["score"]
    indicators = f"{g}{first}:{g}{last}" if last >= first else None
    helper = f"{z}{first}:{z}{last}" if last >= first else None
    return {
        points_cell: f"SUM({', '.join(x for x in (helper, f'{z}{exec_row}') if x)})".replace(", ", ","),
        score_cell: f"ROUND(SUM({','.join(x for x in (indicators, slayout.SELFEVAL_EXEC_SCORE_CELL) if x)}),2)",
    }
