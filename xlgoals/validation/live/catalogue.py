"""The lists the live formulas look up (names, words, characters), once per workbook on the hidden lists sheet."""

from __future__ import annotations

from collections.abc import Sequence

from xlgoals.core import layout, livelayout
from xlgoals.core.layout import quote_sheet
from xlgoals.core.ruleset import RuleSet
from xlgoals.validation.live import formulas as fx
from xlgoals.validation.rules import CHECKS

# The reader's own yes/no words (io/reader.py: YES), not the rule set's: a value outside them is what it reports.
YES_NO = ("是", "否")


KEY = "实时检查"
PREFIX = "xg_"


def vague_list(code: str) -> str:
    return f"vague:{code}"


class Catalogue:
    """Every list a rule set's live checks may use, in a fixed order, stacked down LIVE_LISTS_COLUMN of the lists
    sheet; control characters are computed there by their cells (=CHAR(9) …)."""

    def __init__(self, rs: RuleSet) -> None:
        level1 = [lv.name for lv in rs.level1]
        level2 = list(rs.level1_by_level2)
        lists: dict[str, Sequence[str | int]] = {
            "edge": fx.EDGE,
            "rare": fx.RARE,
            "digits": fx.DIGITS,
            "ascii_digits": fx.ASCII_DIGITS,
            "digits_point": (*fx.DIGITS, "."),
            "unit_chars": fx.UNIT_CHARS,
            "word_ops": fx.WORD_OPS,
            "suffix_ops": fx.SUFFIX_OPS,
            "punct": fx.PUNCT_ENDS,
            "yes_no": YES_NO,
            "level1": level1,
            "level2": level2,
            "allowed": [int(name in rs.level2_by_level1[l1]) for name in level2 for l1 in level1],
            "category": rs.choices.category,
            "perf_type": rs.choices.perf_type,
        }
        for rule in rs.rules:
            if rule.check == "target_vague":
                words = {**CHECKS[rule.check].defaults, **rule.params}["words"]
                lists[vague_list(rule.code)] = [str(w) for w in words]
        self.lists = {name: items for name, items in lists.items() if items}
        self.rows: dict[str, tuple[int, int]] = {}
        row = layout.LIST_FIRST_ROW
        for name, items in self.lists.items():
            self.rows[name] = (row, row + len(items) - 1)
            row += len(items)
        self.column = layout.column_letters(livelayout.LIVE_LISTS_COLUMN)
        # xg_edge, xg_level1, … (a rule's own word list: xg_vague1, xg_vague2 …).
        self.names: dict[str, str] = {}
        for name in self.lists:
            short = name.split(":")[0]
            taken = sum(1 for n in self.names if n.split(":")[0] == short)
            self.names[name] = f"{PREFIX}{short}{taken + 1 if short == 'vague' else ''}"

    def ref(self, name: str) -> str:
        """The list as the formulas name it: a defined name of the workbook (short, so the formulas that repeat
        it stay small where a spreadsheet stores each formula whole)."""
        return self.names[name]

    def defined_names(self) -> dict[str, str]:
        """Each list's defined name and the range it stands for on the lists sheet."""
        return {
            self.names[name]: f"{quote_sheet(layout.LISTS_SHEET)}!${self.column}${first}:${self.column}${last}"
            for name, (first, last) in self.rows.items()
        }

    def before(self, name: str) -> int:
        """The sheet row before the list's first item: ROW(list) minus it numbers the items from 1."""
        return self.rows[name][0] - 1

    def cells(self) -> tuple[dict[str, str | int], dict[str, str]]:
        """The lists as (values, formulas) for the lists sheet: a control character, which the file cannot hold
        as text, is computed by its cell (CHAR)."""
        # Laid out as the lists sheet's other columns: a key, the number of items, then the items.
        values: dict[str, str | int] = {f"{self.column}{layout.LIST_KEY_ROW}": KEY}
        values[f"{self.column}{layout.LIST_COUNT_ROW}"] = sum(len(items) for items in self.lists.values())
        formulas: dict[str, str] = {}
        for name, items in self.lists.items():
            first, _ = self.rows[name]
            for i, item in enumerate(items):
                address = f"{self.column}{first + i}"
                if isinstance(item, str) and any(ord(c) < 32 for c in item):
                    formulas[address] = fx.lit(item)
                else:
                    values[address] = item
        return values, formulas
