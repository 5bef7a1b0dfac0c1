"""Which checks have a live form, and the formulas that decide them, each matching its Python check.

Every function here mirrors one check of validation/rules/ for the cells a form declares. A formula either
decides a cell as the Python check does or, where the value is written in a way no formula can parse exactly
(unusual whitespace, a target value's rarer forms), counts it as undecided and leaves the verdict to 校验:
a live flag is never raised where the Python check would not raise it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from xlgoals.core.ruleset import RuleSet, RuleSpec
from xlgoals.core.values import _MONEY_MULT
from xlgoals.validation.findings import Severity
from xlgoals.validation.live import formulas as fx
from xlgoals.validation.live.plan import Builder

# The last day a number can stand for (2200-12-31 as a 1900-system serial), and the first both Excel and
# LibreOffice give the same serial (1900-03-01: Excel counts a 29 February 1900 that never was).
MAX_SERIAL = (date(2200, 12, 31) - date(1899, 12, 30)).days
FIRST_SHARED_SERIAL = 61

Live = Callable[[Builder, RuleSpec, RuleSet], str | None]
LIVE: dict[str, Live] = {}


def live(check: str, registry: dict[str, Live] = LIVE) -> Callable[[Live], Live]:
    """Register `fn` as the live form of `check` (in a form's own registry: the 自评 sheet's)."""

    def register(fn: Live) -> Live:
        registry[check] = fn
        return fn

    return register


def nonspace(b: Builder, cell: str) -> str:
    """The scratch cell counting a field's non-whitespace characters (0: blank, as the reader sees it)."""
    return b.scratch_cell(f"nw:{cell}", fx.nonspace(cell, b.constants("edge")))


def _index(b: Builder, cell: str, nw: str, name: str) -> str:
    return fx.index_of(cell, nw, b.constants(name), "{kb:" + name + "}")


def _plain(items: list[str]) -> bool:
    return all(fx.plain_text(i) for i in items)


# --- fields -------------------------------------------------------------------------------------------------


@live("required_fields")
def required_fields(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    for spec in b.form.fields:
        if spec.required:
            # An error value is not 未填写: error_values says what it is.
            count = f"{{on}}*({nonspace(b, spec.value_cell)}=0)*NOT(ISERROR({spec.value_cell}))"
            b.entry(rule.code, rule.severity, spec.value_cell, count)
    return None


@live("known_choice")
def known_choice(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    lists = (("category", rs.choices.category), ("perf_type", rs.choices.perf_type))
    if not all(_plain(items) for _, items in lists):
        return "可选项中有含空白的名称"
    for key, items in lists:
        spec = b.form.field(key)
        if spec is None:
            continue
        cell, nw = spec.value_cell, nonspace(b, spec.value_cell)
        if not items:  # nothing is allowed: any filled value is reported
            b.entry(rule.code, rule.severity, cell, f"{{on}}*({nw}>0)")
            continue
        b.entry(rule.code, rule.severity, cell, f"{{on}}*({nw}>0)*({_index(b, cell, nw, key)}=0)")
    return None


@live("yes_no")
def yes_no(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    spec = b.form.field("gov_purchase")
    if spec is not None:
        cell, nw = spec.value_cell, nonspace(b, spec.value_cell)
        b.entry(rule.code, rule.severity, cell, f"{{on}}*({nw}>0)*({_index(b, cell, nw, 'yes_no')}=0)")
    return None


def date_state(b: Builder, cell: str) -> tuple[str, str]:
    """Scratch cells of a date field: its state (0 blank, 1 a date, 2 not a date, 3 undecided) and its day."""
    n = cell
    whole = f"INT({n})"
    y, m, d = f"INT({whole}/10000)", f"MOD(INT({whole}/100),100)", f"MOD({whole},100)"
    ymd = f"AND({whole}>=19000101,{whole}<=22001231)"
    real = f"AND({m}>=1,{m}<=12,{d}>=1,{d}<=DAY(DATE({y},{m}+1,0)))"
    number = (
        f"IF(OR({n}<1,{n}>=22001232),2,IF({ymd},IF({real},IF({y}<=1900,3,1),2),"
        f"IF(OR({whole}>{MAX_SERIAL},{whole}=60),2,IF({whole}<{FIRST_SHARED_SERIAL},3,1))))"
    )
    nw = nonspace(b, cell)
    state = b.scratch_cell(f"date:{cell}", f"IF(ISLOGICAL({n}),2,IF(ISNUMBER({n}),{number},IF({nw}=0,0,3)))")
    key = b.scratch_cell(f"day:{cell}", f"IF({state}=1,IF({ymd},DATE({y},{m},{d}),{whole}),0)")
    return state, key


@live("date_order")
def date_order(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    start, end = b.form.field("start"), b.form.field("end")
    if start is None or end is None:
        return None
    (s1, k1), (s2, k2) = date_state(b, start.value_cell), date_state(b, end.value_cell)
    undecided = f"{{on}}*((({s1}=3)*(({s2}=1)+({s2}=3))+({s2}=3)*({s1}=1))>0)"
    b.entry(rule.code, rule.severity, end.value_cell, f"{{on}}*({s1}=1)*({s2}=1)*({k1}>{k2})", undecided)
    return None


# --- money --------------------------------------------------------------------------------------------------


def _sign(text: str) -> str:
    return f'OR(LEFT({text},1)="+",LEFT({text},1)="-")'


def _grouped(int_part: str, digits: str, sep: str) -> str:
    """[0-9]{1,3}(SEP[0-9]{3})+ exactly, SEP being ',' or ' '."""
    g = fx.lit(sep)
    first = f"(FIND({g},{int_part}&{g})-1)"
    seps = f'(LEN({int_part})-LEN(SUBSTITUTE({int_part},{g},"")))'
    at = f"SUMPRODUCT(--(MID({int_part},{first}+1+4*{{0,1,2,3,4,5,6,7,8,9}},1)={g}))"
    return (
        f"AND({seps}>=1,{first}>=1,{first}<=3,LEN({int_part})={first}+4*{seps},"
        f"{fx.count_of(int_part, digits)}=LEN({int_part})-{seps},{at}={seps})"
    )


def money_state(b: Builder, cell: str, scale: int) -> tuple[str, str]:
    """Scratch cells of an amount: its state (0 blank, 1 an amount, 2 not one, 3 undecided) and its yuan, parsed
    as values.parse_money parses it (folded, signs, ¥/RMB/CNY/人民币, 1,000 or 1 000 groups, 千/万/百万/千万/亿, 元)."""
    if f"money:{cell}" in b.scratch:
        return "{s:money:" + cell + "}", "{s:yuan:" + cell + "}"
    m = b.scratch_cell(f"m:{cell}", f"TRIM({fx.substitute(cell, fx.MONEY_MAP)})")
    r1 = f"TRIM(MID({m},1+IF({_sign(m)},1,0),999))"
    currency = (
        f'IF(LEFT({r1},3)="人民币",3,IF(OR(UPPER(LEFT({r1},3))="RMB",UPPER(LEFT({r1},3))="CNY"),3,'
        f'IF(LEFT({r1},1)="¥",1,0)))'
    )
    r2 = b.scratch_cell(f"r2:{cell}", f"TRIM(MID({r1},1+{currency},999))")
    r3 = f"TRIM(MID({r2},1+IF({_sign(r2)},1,0),999))"
    r4 = b.scratch_cell(f"r4:{cell}", f'TRIM(LEFT({r3},LEN({r3})-IF(OR(RIGHT({r3},1)="元",RIGHT({r3},1)="圆"),1,0)))')
    two = [k for k in _MONEY_MULT if len(k) == 2]
    one = "".join(k for k in _MONEY_MULT if len(k) == 1)
    mult_len = (
        f"IF(OR({','.join(f'RIGHT({r4},2)={fx.lit(k)}' for k in two)}),2,"
        f"IF({fx.char_in(f'RIGHT({fx.lit(fx.SENTINEL)}&{r4},1)', one)},1,0))"
    )
    mult = b.scratch_cell(f"mult:{cell}", mult_len)
    core = f"TRIM(LEFT({r4},LEN({r4})-{mult}))"
    factor = "1"
    for k, v in sorted(_MONEY_MULT.items(), key=lambda kv: -len(kv[0])):
        factor = f"IF(AND({mult}={len(k)},RIGHT({r4},{len(k)})={fx.lit(k)}),{int(v)},{factor})"
    digits = b.constants("ascii_digits")
    point = f'FIND(".",{core}&".")'
    ip = b.scratch_cell(f"int:{cell}", f"LEFT({core},{point}-1)")
    fp = b.scratch_cell(f"frac:{cell}", f"MID({core},{point}+1,999)")
    dots = f'(LEN({core})-LEN(SUBSTITUTE({core},".","")))'
    frac_ok = f"OR({dots}=0,AND(LEN({fp})>0,{fx.count_of(fp, digits)}=LEN({fp})))"
    plain = f"AND(LEN({ip})>0,{fx.count_of(ip, digits)}=LEN({ip}))"
    int_ok = f"OR({plain},{_grouped(ip, digits, ',')},{_grouped(ip, digits, ' ')})"
    ok = f"AND(NOT(AND({_sign(m)},{_sign(r2)})),{dots}<=1,{frac_ok},{int_ok})"
    many = f"{fx.count_of(ip, digits)}+{fx.count_of(fp, digits)}>15"
    rare = fx.any_of(cell, b.constants("rare"))
    nw = nonspace(b, cell)
    state = b.scratch_cell(
        f"money:{cell}",
        f"IF(ISLOGICAL({cell}),2,IF(ISNUMBER({cell}),1,IF({nw}=0,0,IF({rare},3,IF(NOT({ok}),2,IF({many},3,1))))))",
    )
    whole = f'IFERROR(VALUE(SUBSTITUTE(SUBSTITUTE({ip},",","")," ","")),0)'
    value = f'({whole}+VALUE({fp}&"0")/10^(LEN({fp})+1))*{factor}'
    negative = f'OR(LEFT({m},1)="-",LEFT({r2},1)="-")'
    amount = f"IF(ISNUMBER({cell}),ROUND({cell},2),ROUND(IF({negative},-1,1)*{value},2))"
    # The national form's 万元 cells hold yuan in units of 10,000 unless the text names its own unit.
    named = 'SUMPRODUCT(--ISNUMBER(FIND({"元","千","万","亿"},' + cell + ")))>0"
    scaled = amount if scale == 1 else f"{amount}*IF(OR(ISNUMBER({cell}),NOT({named})),{scale},1)"
    yuan = b.scratch_cell(f"yuan:{cell}", f"IF({state}=1,{scaled},0)")
    return state, yuan


def _money(b: Builder, key: str) -> tuple[str, str] | None:
    spec = b.form.field(key)
    return None if spec is None else money_state(b, spec.value_cell, spec.scale)


def _each_amount(b: Builder, rule: RuleSpec, count: Callable[[str, str], str]) -> None:
    """An entry on every money field of the form: `count(state, yuan)` found, an undecided amount left."""
    for spec in b.form.fields:
        if spec.kind == "money":
            state, yuan = money_state(b, spec.value_cell, spec.scale)
            b.entry(rule.code, rule.severity, spec.value_cell, count(state, yuan), f"{{on}}*({state}=3)")


@live("money_parses")
def money_parses(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    _each_amount(b, rule, lambda state, _: f"{{on}}*({state}=2)")
    return None


@live("money_non_negative")
def money_non_negative(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    _each_amount(b, rule, lambda state, yuan: f"{{on}}*({state}=1)*({yuan}<0)")
    return None


def _both(a: str, c: str) -> str:
    """Undecided: one amount undecided and the other an amount or undecided."""
    return f"((({a}=3)*(({c}=1)+({c}=3))+({c}=3)*({a}=1))>0)"


def _exceeds(b: Builder, rule: RuleSpec, key: str, limit_key: str) -> None:
    field, limit = _money(b, key), _money(b, limit_key)
    spec = b.form.field(key)
    if field is None or limit is None or spec is None:
        return
    (s1, y1), (s2, y2) = field, limit
    count = f"{{on}}*({s1}=1)*({s2}=1)*(ROUND({y1}-{y2},2)>0)"
    b.entry(rule.code, rule.severity, spec.value_cell, count, f"{{on}}*{_both(s1, s2)}")


@live("year_within_total")
def year_within_total(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    _exceeds(b, rule, "budget_year", "budget_total")
    return None


@live("executed_within_budget")
def executed_within_budget(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    _exceeds(b, rule, "last_year_executed", "last_year_budget")
    return None


@live("funding_adds_up")
def funding_adds_up(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    total, fiscal, other = _money(b, "budget_year"), _money(b, "budget_fiscal"), _money(b, "budget_other")
    spec = b.form.field("budget_year")
    if total is None or fiscal is None or other is None or spec is None:
        return None
    (st, yt), (sf, yf), (so, yo) = total, fiscal, other
    # A part that is no amount, or holds an error value, leaves the sum unknown.
    parts = (b.form.field(key) for key in ("budget_fiscal", "budget_other"))
    errors = "".join(f"*NOT(ISERROR({part.value_cell}))" for part in parts if part is not None)
    parts_ok = f"({sf}<>2)*({so}<>2){errors}"
    count = (
        f"{{on}}*({st}=1)*{parts_ok}*({sf}<>3)*({so}<>3)*((({sf}=1)+({so}=1))>0)"
        f"*(ROUND(IF({sf}=1,{yf},0)+IF({so}=1,{yo},0)-{yt},2)<>0)"
    )
    undecided = f"{{on}}*{parts_ok}*({st}<>0)*({st}<>2)*((({sf}<>0)+({so}<>0))>0)*((({st}=3)+({sf}=3)+({so}=3))>0)"
    b.entry(rule.code, rule.severity, spec.value_cell, count, undecided)
    return None


@live("year_on_year")
def year_on_year(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    year, last, spec = _money(b, "budget_year"), _money(b, "last_year_budget"), b.form.field("budget_year")
    if year is None or last is None or spec is None:
        return None
    (sy, yy), (sl, yl) = year, last
    limit = float({**{"max_change_percent": 30.0}, **rule.params}["max_change_percent"])
    # |change| > limit, as (year - last) * 100 > limit * last in amounts to the fen: no division to round.
    count = f"{{on}}*({sy}=1)*({sl}=1)*({yl}>0)*(ROUND(ABS({yy}-{yl})*100,4)>ROUND({limit!r}*{yl},4))"
    b.entry(rule.code, rule.severity, spec.value_cell, count, f"{{on}}*{_both(sy, sl)}")
    return None


__all__ = ["LIVE", "Severity", "live", "money_state", "nonspace"]
