"""The hidden lists sheet and the drop-downs (data validations) that read it."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import layout
from xlgoals.core.layout import quote_sheet
from xlgoals.core.ruleset import DEFAULT, RuleSet, builtin_named, builtin_rulesets

COVER = quote_sheet(layout.COVER_SHEET)
LISTS = quote_sheet(layout.LISTS_SHEET)


def _cover_ref(key: str) -> str:
    row, col = layout.split_address(layout.COVER_FIELD[key].value_cell)
    return f"{COVER}!${layout.column_letters(col)}${row}"


YEAR_REF, UNIT_REF, FRAMEWORK_REF = _cover_ref("year"), _cover_ref("name"), _cover_ref("framework")


LEVEL2_KEY_SEP = "·"


def level2_key(rs: RuleSet, level1: str) -> str:
    """The lists sheet's key of a level-1's level-2 list: the framework's title and the level-1."""
    return f"{rs.title}{LEVEL2_KEY_SEP}{level1}"


def list_range(col: int, count: int) -> str:
    letters = layout.column_letters(col)
    return f"{LISTS}!${letters}${layout.LIST_FIRST_ROW}:${letters}${layout.LIST_FIRST_ROW + max(count, 1) - 1}"


class Lists:
    """Where each dropdown list sits on the hidden lists sheet, and the formulas that read them."""

    def __init__(self, rulesets: Sequence[RuleSet]) -> None:
        self.rulesets = list(rulesets)
        self.category = list(dict.fromkeys(c for rs in rulesets for c in rs.choices.category))
        self.perf_type = list(dict.fromkeys(c for rs in rulesets for c in rs.choices.perf_type))
        self.frameworks = [rs.title for rs in rulesets]
        default = builtin_named(DEFAULT)
        self.default_framework = default.title if default and default.title in self.frameworks else self.frameworks[0]
        self.level2_first_col = layout.LEVEL1_FIRST_COL + len(rulesets) + 1
        self.level1_names = [lv.name for rs in rulesets for lv in rs.level1]

    @classmethod
    def offering(cls, rs: RuleSet) -> Lists:
        """The built-in rule sets' lists, a bureau's own `rs` first: the cover's 指标体系 dropdown offers its title."""
        builtins = builtin_rulesets()
        return cls(builtins if any(r is rs for r in builtins) else [rs, *builtins])

    def _span(self, first: int, n: int, row: int) -> str:
        a, b = layout.column_letters(first), layout.column_letters(first + n - 1)
        return f"{LISTS}!${a}${row}:${b}${row}"

    def _dependent(self, first: int, n: int, key_ref: str) -> str:
        """OFFSET over the column whose row-2 key equals key_ref: a dependent dropdown without named ranges."""
        keys = self._span(first, n, layout.LIST_KEY_ROW)
        counts = self._span(first, n, layout.LIST_COUNT_ROW)
        origin = f"{LISTS}!${layout.column_letters(first)}${layout.LIST_FIRST_ROW}"
        match = f"MATCH({key_ref},{keys},0)"
        return f"OFFSET({origin},0,{match}-1,INDEX({counts},{match}),1)"

    def level1_formula(self) -> str:
        return self._dependent(layout.LEVEL1_FIRST_COL, len(self.rulesets), FRAMEWORK_REF)

    def level2_formula(self, level1_cell: str) -> str:
        # Keyed by framework and level-1: 产出指标 lists other level-2s in the 2015 form than in the 2021 one.
        key = f'{FRAMEWORK_REF}&"{LEVEL2_KEY_SEP}"&{level1_cell}'
        return self._dependent(self.level2_first_col, len(self.level1_names), key)

    def write(self, ws: Worksheet) -> None:
        ws[layout.LISTS_MARKER_CELL] = layout.MARKER
        ws[layout.LISTS_VERSION_CELL] = layout.TEMPLATE_VERSION
        columns: list[tuple[int, str, list[str]]] = [
            (layout.YES_NO_COL, "是否", ["是", "否"]),
            (layout.CATEGORY_COL, "项目类别", self.category),
            (layout.PERF_TYPE_COL, "绩效类型", self.perf_type),
            (layout.FRAMEWORK_COL, "指标体系", self.frameworks),
        ]
        columns += [
            (layout.LEVEL1_FIRST_COL + i, rs.title, [lv.name for lv in rs.level1]) for i, rs in enumerate(self.rulesets)
        ]
        level2 = [(level2_key(rs, lv.name), lv.level2) for rs in self.rulesets for lv in rs.level1]
        columns += [(self.level2_first_col + i, name, items) for i, (name, items) in enumerate(level2)]
        for col, key, items in columns:
            ws.cell(layout.LIST_KEY_ROW, col, key)
            ws.cell(layout.LIST_COUNT_ROW, col, len(items))
            for i, item in enumerate(items):
                ws.cell(layout.LIST_FIRST_ROW + i, col, item)
            ws.column_dimensions[layout.column_letters(col)].width = 18


def add_validation(ws: Worksheet, formula: str, cells: str, prompt: str, *, strict: bool = True) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.error = prompt
    dv.errorTitle = "请从下拉列表选择"
    dv.prompt = prompt
    dv.showInputMessage = True
    dv.showErrorMessage = True
    # Warning style lets a unit keep a name the list lacks; the validator then flags it for review.
    dv.errorStyle = "stop" if strict else "warning"
    dv.add(cells)
    ws.add_data_validation(dv)


def set_messages(dv: DataValidation, title: str, prompt: str, error: str) -> None:
    """A Chinese hint on entering the cell and a warning (not a refusal) on a wrong entry: the validator
    explains anything kept, and a unit is never stuck on a value the form cannot take."""
    dv.promptTitle, dv.prompt, dv.showInputMessage = title, prompt, True
    dv.errorTitle, dv.error, dv.showErrorMessage, dv.errorStyle = title, error, True, "warning"
