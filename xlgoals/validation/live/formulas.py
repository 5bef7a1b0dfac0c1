"""Formula text for the live checks: functions Excel 2010+, WPS and LibreOffice compute alike, and the lists.

The set below is all a live formula may call. It leaves out what the three disagree on or what costs a desk
its speed: criteria matching (COUNTIF, SUMIF, MATCH on text, SEARCH), whose wildcards or regular expressions
depend on settings stored in the file; FIND with an empty needle (Excel answers 1, LibreOffice an error);
numbers from text through arithmetic ("--" on text depends on LibreOffice's conversion setting: VALUE is used on
plain digits only); dynamic arrays, LAMBDA, and volatile functions (INDIRECT, OFFSET, CELL, NOW). A boolean is
told apart before a number: LibreOffice stores TRUE as the number 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from xlgoals.core.targets import _OP_CHARS, _SUFFIX_OPS, _SYMBOL_OPS, _TARGET_EXP, _TRAILING_PUNCT, _WORD_OPS
from xlgoals.core.values import EDGE_CHARS, fold

FUNCTIONS = frozenset(
    {
        "ABS", "AND", "CHAR", "DATE", "DAY", "EXACT", "FIND", "IF", "IFERROR", "INDEX", "INT", "ISERROR", "ISLOGICAL",
        "ISNUMBER", "LEFT", "LEN", "MATCH", "MID", "MOD", "N", "NOT", "OR", "RIGHT", "ROUND", "ROW", "SUBSTITUTE",
        "SUM", "SUMPRODUCT", "TRIM", "UPPER", "VALUE",
    }
)  # fmt: skip

# cell_text strips these from both ends (whitespace and the zero-width characters web pages leave).
EDGE = tuple(dict.fromkeys(EDGE_CHARS))
# The whitespace the target and money formulas turn into spaces; TRIM then does what fold does with them.
COMMON_SPACE = (" ", "\t", "\n", "\r", "\xa0", "\u3000")
# Characters fold removes (zero-width, soft hyphen) or turns into a space that the formulas do not map: a value
# holding one is left to the Python check.
RARE = tuple(c for c in (*EDGE, "\xad") if c not in COMMON_SPACE)
_FOLDED = [chr(c) for c in (*range(0xFF01, 0xFF5F), *range(0xFE50, 0xFE70), *range(0xFFE0, 0xFFE7), 0x2212)]


def folded_to(targets: str) -> list[tuple[str, str]]:
    """(character, what fold makes of it) for the width forms fold turns into one of `targets`."""
    return [(c, fold(c)) for c in _FOLDED if fold(c) != c and fold(c) in targets]


ASCII_DIGITS = tuple("0123456789")
DIGITS = (*ASCII_DIGITS, *(c for c, _ in folded_to("0123456789")))
OPS = _OP_CHARS
VALID_OPS = tuple(op for op in _SYMBOL_OPS if len(op) == 1)
VALID_OP_PAIRS = tuple(op for op in _SYMBOL_OPS if len(op) == 2)
WORD_OPS = tuple(_WORD_OPS)
SUFFIX_OPS = tuple(_SUFFIX_OPS)
MULTIPLIERS = "".join(_TARGET_EXP)
PUNCT_ENDS = (*_TRAILING_PUNCT, *(c for c, _ in folded_to(_TRAILING_PUNCT)))
# Letters a unit of a target value may be made of, whose verdict a formula can give: no multiplier (万亿), none of
# the letters 以上/以下/以内 are made of (a suffix changes the operator), no Latin letter (=1OO is a typing error).
UNIT_CHARS = tuple(
    dict.fromkeys(
        "人个次天项场家户份篇件台套册所名期批亩公里米吨斤克座栋间床辆处条部本章门课节类种株棵头只张页月年日周时"
        "分秒度倍级星位岗班组单例元笔宗起"
    )
)
_SUFFIX_LETTERS = frozenset("".join(SUFFIX_OPS))
assert all(c.isalpha() and c not in MULTIPLIERS and c not in _SUFFIX_LETTERS for c in UNIT_CHARS)
# Target values after these canonical forms of comparison signs, signs, points and percent.
TARGET_MAP = [*((c, " ") for c in COMMON_SPACE[1:]), *folded_to("<>=+-.%")]
# Money after digits, signs, separators and the currency letters are folded as fold folds them.
MONEY_MAP = [*((c, " ") for c in COMMON_SPACE[1:]), *folded_to("0123456789+-,.¥RMBCNYrmbcny")]
# A sentinel appended where a text may be empty: FIND never gets an empty needle.
SENTINEL = "¶"


def lit(text: str) -> str:
    """A string literal; control characters (which a formula cannot hold) as CHAR(n), joined with &."""
    parts: list[str] = []
    run = ""
    for ch in text:
        if ord(ch) < 32:
            if run:
                parts.append('"' + run.replace('"', '""') + '"')
                run = ""
            parts.append(f"CHAR({ord(ch)})")
        else:
            run += ch
    if run or not parts:
        parts.append('"' + run.replace('"', '""') + '"')
    return "&".join(parts)


def substitute(ref: str, mapping: Iterable[tuple[str, str]]) -> str:
    """`ref` with each (old, new) of `mapping` replaced, as nested SUBSTITUTEs."""
    out = ref
    for old, new in mapping:
        out = f"SUBSTITUTE({out},{lit(old)},{lit(new)})"
    return out


def count_of(ref: str, chars: str) -> str:
    """How many characters of `ref` are among the characters listed in range `chars`."""
    return f'SUMPRODUCT(LEN({ref})-LEN(SUBSTITUTE({ref},{chars},"")))'


def nonspace(ref: str, edge: str) -> str:
    """How many characters of `ref` are not whitespace (range `edge`): 0 for a blank cell or an error value."""
    return f"IFERROR(LEN({ref})-{count_of(ref, edge)},0)"


def any_of(ref: str, needles: str) -> str:
    """Whether `ref` contains any of the texts in range `needles` (never empty)."""
    return f"(SUMPRODUCT(--ISNUMBER(FIND({needles},{ref})))>0)"


def index_of(ref: str, nonspace_ref: str, names: str, before: str) -> str:
    """The 1-based index in range `names` (starting after sheet row `before`) of the name `ref` holds with only
    whitespace around it, 0 for none. A name without whitespace is found in `ref` and `ref` has no other
    non-whitespace character: exactly `ref` stripped equal to the name."""
    return f"SUMPRODUCT(ISNUMBER(FIND({names},{ref}))*(LEN({names})={nonspace_ref})*(ROW({names})-{before}))"


def starts_with_any(ref: str, words: str) -> str:
    return f"(SUMPRODUCT(--EXACT(LEFT({ref},LEN({words})),{words}))>0)"


def ends_with_any(ref: str, words: str) -> str:
    return f"(SUMPRODUCT(--EXACT(RIGHT({ref},LEN({words})),{words}))>0)"


def one_of(ref: str, texts: Sequence[str]) -> str:
    """Whether `ref` is exactly one of `texts` (a short fixed list, case kept as EXACT keeps it)."""
    return "OR(" + ",".join(f"EXACT({ref},{lit(t)})" for t in texts) + ")"


def char_in(char_ref: str, chars: str) -> str:
    """Whether the one character `char_ref` is among `chars` (a literal; the sentinel is never among them)."""
    return f"ISNUMBER(FIND({char_ref},{lit(chars)}))"


_NAME = re.compile(r"\b([A-Z][A-Z0-9.]*)\(")


def functions_in(formula: str) -> set[str]:
    """The function names a formula calls (text inside string literals left out)."""
    return set(_NAME.findall(re.sub(r'"(?:[^"]|"")*"', '""', formula)))


def plain_text(text: str) -> bool:
    """A list item a formula can find exactly: not empty, no whitespace, no character beyond the BMP (LEN counts
    such a character as two in Excel and one in LibreOffice)."""
    return bool(text) and not any(c in EDGE or c == "\xad" or ord(c) > 0xFFFF for c in text)
