"""实际完成值 read the way the 自评 form's formulas read it: folded, cleaned, a sign and a unit taken off, a number.

The 自评 sheet scores each indicator by spreadsheet formulas as the unit types, and Python scores the same
cells: the two must agree on every input. So this grammar is deliberately narrow and spelled out in terms a
formula can follow exactly (SUBSTITUTE, LEFT, RIGHT, EXACT, VALUE): anything outside it is not comparable, for
both. The formulas are generated from these same constants (io/selfevalformulas.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Full-width forms folded to ASCII, and characters removed outright (whitespace of every kind a cell may hold,
# thousands separators), in that order; nothing else is changed.
FOLDED: dict[str, str] = {
    **{chr(0xFF10 + d): str(d) for d in range(10)},
    "．": ".",
    "％": "%",
    "＞": ">",
    "＜": "<",
    "＝": "=",
}
REMOVED: tuple[str, ...] = (" ", "\u3000", "\u00a0", "\t", "\n", "\r", ",", "，")
# A comparison sign a unit may put before the number it achieved ('≥100%'): two-character signs first.
SIGNS_2: tuple[str, ...] = (">=", "<=")
SIGNS_1: tuple[str, ...] = ("≥", "≤", ">", "<", "=")
# Digits with at most one inner point, at most this long: what VALUE reads alike everywhere and a double holds.
MAX_DIGITS = 15
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_TABLE = str.maketrans({**FOLDED, **dict.fromkeys(REMOVED)})


@dataclass(frozen=True)
class Suffix:
    """A unit an actual may end with, and how its number converts to the unit the target is written in:
    number × mul ÷ div ('人' for a target in 万人: × 1 ÷ 10000)."""

    text: str
    mul: int = 1
    div: int = 1


def clean(text: str) -> str:
    """Full-width digits and signs folded, whitespace and thousands separators removed."""
    return text.translate(_TABLE)


def unsigned(cleaned: str) -> str:
    """A leading comparison sign taken off."""
    if cleaned[:2] in SIGNS_2:
        return cleaned[2:]
    if cleaned[:1] in SIGNS_1:
        return cleaned[1:]
    return cleaned


def suffix_index(text: str, suffixes: tuple[Suffix, ...]) -> int:
    """1 + the index of the first suffix `text` ends with (case and all, as EXACT compares), 0 for none."""
    for i, s in enumerate(suffixes, start=1):
        if text.endswith(s.text):
            return i
    return 0


def is_plain(digits: str) -> bool:
    """Digits with at most one point between them, and not too many of them."""
    return len(digits) <= MAX_DIGITS and _PLAIN.fullmatch(digits) is not None


def number(actual: str, suffixes: tuple[Suffix, ...]) -> Decimal | None:
    """The actual as a number in the target's written unit; None when it is not one (blank, text, another unit)."""
    text = unsigned(clean(actual))
    index = suffix_index(text, suffixes)
    digits = text[: len(text) - len(suffixes[index - 1].text)] if index else text
    if not is_plain(digits):
        return None
    suffix = suffixes[index - 1] if index else Suffix("")
    return Decimal(digits) * suffix.mul / suffix.div


_LEADING_NUMBER = re.compile(r"([0-9]+(?:\.[0-9]+)?)(.*)")


def unit_after_number(actual: str) -> str | None:
    """What follows the number of an actual written as number + unit ('480人次' -> '人次'); None when the actual
    does not start with a number or has nothing after it."""
    m = _LEADING_NUMBER.fullmatch(unsigned(clean(actual)))
    return m.group(2) or None if m else None


_ANY_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


# What may follow a bare number in a sentence without making it a number of some other unit.
SENTENCE_BREAK = "，。、；;,.:：）)]】"
_SENTENCE_BREAK = re.compile("$|[" + re.escape(SENTENCE_BREAK) + "]")


def first_number(actual: str, suffixes: tuple[Suffix, ...]) -> Decimal | None:
    """The first number written anywhere in an actual ('已完成480人' -> 480), in the target's written unit: followed
    by one of the target's units, or by nothing but the sentence's end or punctuation. None where another unit
    follows it ('已完成100%' for a target in 万元): what a sentence claims, for the check that it does not say
    完成 falsely."""
    text = clean(actual)
    m = _ANY_NUMBER.search(text)
    if m is None or len(m.group(0)) > MAX_DIGITS:
        return None
    rest = text[m.end() :]
    for s in suffixes:
        if rest.startswith(s.text):
            return Decimal(m.group(0)) * s.mul / s.div
    return Decimal(m.group(0)) if _SENTENCE_BREAK.match(rest) else None
