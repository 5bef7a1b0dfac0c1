"""The indicator table's live checks: levels as the reader fills them down, coverage, names and target values.

The reader fills a blank level-1 from the row above and a blank level-2 too unless the row names a level-1; a
level cell holding an error value starts a level of its own that nothing knows (io/reader.py). The helper
columns carry the same, as numbers: the index into the framework's list (1, 2 …), 0 for a name not in it,
BLANK for no name at all, UNUSABLE under an error value.
"""

from __future__ import annotations

from xlgoals.core.ruleset import RuleSet, RuleSpec
from xlgoals.validation.live import formulas as fx
from xlgoals.validation.live.catalogue import vague_list
from xlgoals.validation.live.checks import live
from xlgoals.validation.live.plan import Builder, unless_blank
from xlgoals.validation.rules import CHECKS

BLANK, UNUSABLE = 1000, 1001
PARTS = ("level1", "level2", "name", "target")


def _nw(b: Builder, part: str) -> str:
    """An expression: the non-whitespace characters of this row's `part` cell."""
    return fx.nonspace("{x:" + part + "}", b.constants("edge"))


def _error(part: str) -> str:
    return "ISERROR({x:" + part + "})"


def isrow(b: Builder) -> str:
    """An expression true on a row the reader takes as an indicator (any of its four cells filled, or holding
    an error value), told by the row's level-1 column: negative on other rows."""
    levels(b)
    return "({r:eff1}>=0)"


def _names(rs: RuleSet) -> tuple[list[str], list[str]]:
    return [lv.name for lv in rs.level1], list(rs.level1_by_level2)


def _back(prev: str) -> str:
    """The level a row carries on from the row above (stored as -1-level on a row that is no indicator)."""
    return f"IF({prev}<0,-1-{prev},{prev})"


def levels(b: Builder) -> None:
    """Row columns eff1 and eff2: on an indicator row its level-1 and level-2 as the reader takes them;
    elsewhere -1 minus the level carried on. Both start from BLANK (the seed row above the table)."""
    cells = "&".join("{x:" + p + "}" for p in PARTS)
    row = f"OR({fx.nonspace(cells, b.constants('edge'))}>0,{','.join(_error(p) for p in PARTS)})"
    nw1, nw2 = _nw(b, "level1"), _nw(b, "level2")
    i1 = fx.index_of("{x:level1}", nw1, b.constants("level1"), "{kb:level1}")
    i2 = fx.index_of("{x:level2}", nw2, b.constants("level2"), "{kb:level2}")
    p1, p2 = _back("{p:eff1}"), _back("{p:eff2}")
    e1, e2 = _error("level1"), _error("level2")
    level1 = f"IF({e1},{UNUSABLE},IF({nw1}>0,{i1},{p1}))"
    level2 = f"IF({e2},{UNUSABLE},IF({nw2}>0,{i2},IF(OR({e1},{nw1}>0),{BLANK},{p2})))"
    b.row("eff1", unless_blank(b.form, f"IF({row},{level1},-1-{p1})", f"-1-{p1}"), seed=BLANK)
    b.row("eff2", unless_blank(b.form, f"IF({row},{level2},-1-{p2})", f"-1-{p2}"), seed=BLANK)


def _known(eff: str, count: int) -> str:
    return f"AND({eff}>=1,{eff}<={count})"


def _plain_levels(rs: RuleSet) -> bool:
    level1, level2 = _names(rs)
    return all(fx.plain_text(n) for n in (*level1, *level2))


WHITESPACE_NAMES = "一级或二级名称含空白字符，公式无法逐字比对"


def _level_flag(b: Builder, rule: RuleSpec, rs: RuleSet, part: str, formula: str) -> str | None:
    """A per-row flag over the filled-down levels; None, or why the rule runs only on 校验."""
    if not _plain_levels(rs):
        return WHITESPACE_NAMES
    levels(b)
    b.row_flag(rule.code, rule.severity, part, formula)
    return None


@live("level1_filled")
def level1_filled(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    return _level_flag(b, rule, rs, "level1", f"{{on}}*({{r:eff1}}={BLANK})")


@live("level2_filled")
def level2_filled(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    return _level_flag(b, rule, rs, "level2", f"{{on}}*({{r:eff2}}={BLANK})")


@live("level1_known")
def level1_known(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    return _level_flag(b, rule, rs, "level1", "{on}*({r:eff1}=0)")


@live("level2_known")
def level2_known(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    known = _known("{r:eff1}", len(rs.level1))
    return _level_flag(b, rule, rs, "level2", f"{{on}}*IF({known},--({{r:eff2}}=0),0)")


@live("level2_placement")
def level2_placement(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    at = f"INDEX({b.constants('allowed')},({{r:eff2}}-1)*{len(rs.level1)}+{{r:eff1}})"
    both = f"AND({_known('{r:eff1}', len(rs.level1))},{_known('{r:eff2}', len(rs.level1_by_level2))})"
    return _level_flag(b, rule, rs, "level2", f"{{on}}*IF({both},1-{at},0)")


def _judged(col: str = "{c:eff1}") -> str:
    """No level-1 cell of the table holds an error value: the coverage checks judge only then (the level missing
    may be the one in it)."""
    return f"(SUMPRODUCT(--({col}={UNUSABLE}))=0)"


def _section(b: Builder) -> str:
    assert b.form.table is not None
    return b.form.table.section_cell


@live("level1_present")
def level1_present(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    if not _plain_levels(rs):
        return WHITESPACE_NAMES
    levels(b)
    r1 = "{c:eff1}"
    missing = [f"(SUMPRODUCT(--({r1}={k}))=0)" for k, lv in enumerate(rs.level1, start=1) if lv.required]
    b.entry(rule.code, rule.severity, _section(b), "{on}*" + _judged() + "*(" + ("+".join(missing) or "0") + ")")
    return None


@live("level1_expected")
def level1_expected(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    name = str({**CHECKS[rule.check].defaults, **rule.params}["level1"])
    level1, _ = _names(rs)
    if not _plain_levels(rs):
        return WHITESPACE_NAMES
    if name not in level1:
        return f"“{name}”不是本指标体系的一级名称，公式无从比对"
    levels(b)
    k = level1.index(name) + 1
    rows = "SUMPRODUCT(--({c:eff1}>=0))"
    count = f"{{on}}*{_judged()}*({rows}>0)*(SUMPRODUCT(--({{c:eff1}}={k}))=0)"
    b.entry(rule.code, rule.severity, _section(b), count)
    return None


@live("level2_present")
def level2_present(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    if not _plain_levels(rs):
        return WHITESPACE_NAMES
    if any(len(lv.required_level2) > 9 for lv in rs.level1):
        return "一个一级下要求的二级多于 9 个"
    levels(b)
    r1, r2 = "{c:eff1}", "{c:eff2}"
    _, level2 = _names(rs)
    terms = []
    for k, lv in enumerate(rs.level1, start=1):
        if not lv.required_level2:
            continue
        absent = "+".join(f"(SUMPRODUCT(({r1}={k})*({r2}={level2.index(n) + 1}))=0)" for n in lv.required_level2)
        # Not judged under this level-1 where one of its level-2 cells holds an error value.
        unusable2 = f"(SUMPRODUCT(({r1}={k})*({r2}={UNUSABLE}))=0)"
        miss = b.scratch_cell(f"level2-missing:{k}", f"{_judged()}*(SUMPRODUCT(--({r1}={k}))>0)*{unusable2}*({absent})")
        # Reported once per missing name, at the level-1 cell of the first row under that level-1.
        terms.append(f"IFERROR(--(MATCH({k},{r1},0)={{i}}),0)*{miss}")
    b.row_flag(rule.code, rule.severity, "level1", "{on}*(" + ("+".join(terms) or "0") + ")")
    return None


@live("indicator_named")
def indicator_named(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    b.row_flag(rule.code, rule.severity, "name", f"{{on}}*{isrow(b)}*({_nw(b, 'name')}=0)*NOT({_error('name')})")
    return None


@live("target_present")
def target_present(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    b.row_flag(rule.code, rule.severity, "target", f"{{on}}*{isrow(b)}*({_nw(b, 'target')}=0)*NOT({_error('target')})")
    return None


# --- target values --------------------------------------------------------------------------------------------


def target_text(b: Builder) -> dict[str, str]:
    """Row helpers over a target value: the text as parse_target folds it (common whitespace, width forms of
    signs), whether it starts with a comparison sign and where its run of signs ends (-1: not a valid operator),
    what follows the operator and sign, and how many of its characters are digits or points."""
    d = "{x:target}"
    t = b.row("t", f"TRIM({fx.substitute(d, fx.TARGET_MAP)})")
    s = fx.lit(fx.SENTINEL)
    op = fx.char_in(f"LEFT({t}&{s},1)", fx.OPS)
    second = f'IF(MID({t},2,1)=" ",3,2)'
    has2 = fx.char_in(f"MID({t}&{s}&{s}&{s},{second},1)", fx.OPS)
    third = f'IF(MID({t},{second}+1,1)=" ",{second}+2,{second}+1)'
    has3 = fx.char_in(f"MID({t}&{s}&{s}&{s}&{s}&{s},{third},1)", fx.OPS)
    pair = fx.one_of(f"LEFT({t},1)&MID({t},{second},1)", fx.VALID_OP_PAIRS)
    single = fx.char_in(f"LEFT({t}&{s},1)", "".join(fx.VALID_OPS))
    run = f"IF(NOT({op}),0,IF({has2},IF({has3},-1,IF({pair},{second},-1)),IF({single},1,-1)))"
    run_ref = b.row("oprun", run)
    rest = f"TRIM(MID({t},{run_ref}+1,999))"
    after = b.row("number", f'IF(OR(LEFT({rest},1)="+",LEFT({rest},1)="-"),TRIM(MID({rest},2,999)),{rest})')
    digdot = b.constants("digits_point")
    count = f"({fx.count_of(after, digdot)})"
    return {"t": t, "op": op, "run": run_ref, "after": after, "count": count, "digdot": digdot}


def _number_then_unit(b: Builder, h: dict[str, str]) -> str:
    """After the operator: digits with at most one point, then optionally 万/亿 and a unit the formula can vouch
    for (%, ‰, ‱ or letters from UNIT_CHARS, at most 8), exactly the forms of targets._BODY it decides."""
    after, n, digdot = h["after"], h["count"], h["digdot"]
    head = f"LEFT({after},{n})"
    digits = "".join(fx.DIGITS)
    number = (
        f'AND({fx.count_of(head, digdot)}={n},LEN({head})-LEN(SUBSTITUTE({head},".",""))<=1,'
        f"{fx.char_in(f'RIGHT({fx.lit(fx.SENTINEL)}&{head},1)', digits)})"
    )
    numok = f"IF({number},1,0)"
    tail = f"TRIM(MID({after},{n}+1,999))"
    text = f"IF({fx.char_in(f'LEFT({tail}&{fx.lit(fx.SENTINEL)},1)', fx.MULTIPLIERS)},TRIM(MID({tail},2,999)),{tail})"
    unit = b.row("unit", text)
    letters = b.constants("unit_chars")
    unit_ok = (
        f'OR({unit}="",{fx.one_of(unit, ("%", "‰", "‱"))},AND(LEN({unit})<=8,{fx.count_of(unit, letters)}=LEN({unit})))'
    )
    return f"AND({numok}=1,{unit_ok})"


@live("target_parses")
def target_parses(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    h = target_text(b)
    t = h["t"]
    rare = fx.any_of("{x:target}", b.constants("rare"))
    digit = fx.any_of("{x:target}", b.constants("digits"))
    starts = fx.starts_with_any(t, b.constants("word_ops"))
    ends = f"OR({fx.ends_with_any(t, b.constants('suffix_ops'))},{fx.ends_with_any(t, b.constants('punct'))})"
    first_digit = fx.char_in(f"LEFT({h['after']}&{fx.lit(fx.SENTINEL)},1)", "".join(fx.DIGITS))
    symbol = f"IF({h['run']}<0,1,IF(NOT({first_digit}),1,IF({_number_then_unit(b, h)},0,2)))"
    # Without a leading sign only a word operator contradicted by a suffix ('不低于95%以下') is malformed.
    words = f"IF(OR(NOT({digit}),NOT({starts}),NOT({ends})),0,2)"
    decision = f"IF({_nw(b, 'target')}=0,0,IF({rare},2,IF({h['op']},{symbol},{words})))"
    d = b.row("malformed", unless_blank(b.form, f"IFERROR({decision},0)", "0"))
    b.row_flag(rule.code, rule.severity, "target", f"{{on}}*({d}=1)", f"{{on}}*({d}=2)")
    return None


@live("target_vague")
def target_vague(b: Builder, rule: RuleSpec, rs: RuleSet) -> str | None:
    words = [str(w) for w in {**CHECKS[rule.check].defaults, **rule.params}["words"]]
    if not words:
        b.row_flag(rule.code, rule.severity, "target", "0")
        return None
    if not all(fx.plain_text(w) for w in words):
        return "模糊词中有含空白的词，公式无法逐字比对"
    h = target_text(b)
    vague = fx.any_of("{x:target}", b.constants(vague_list(rule.code)))
    rare = fx.any_of("{x:target}", b.constants("rare"))
    digit = fx.any_of("{x:target}", b.constants("digits"))
    # A word among digits may sit in a quantity ('10多个'): parse_target decides that; with a leading sign and no
    # digit the value is malformed, not vague.
    decision = f"IF(NOT({vague}),0,IF(OR({rare},{digit}),2,IF({h['op']},0,1)))"
    d = b.row(f"vague:{rule.code}", unless_blank(b.form, f"IFERROR({decision},0)", "0"))
    b.row_flag(rule.code, rule.severity, "target", f"{{on}}*({d}=1)", f"{{on}}*({d}=2)")
    return None
