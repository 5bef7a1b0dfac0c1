"""Actions on data validation, calculation and selection, and the UI-only ones."""

from __future__ import annotations

from typing import Any

import openpyxl
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tests.builders.xlbridge.common import Rect, address_of, args_of, bounds_of, rect_of, sheet_of
from tests.builders.xlbridge.payload import CALC_MODE_FROM_JS
from tests.builders.xlbridge.sheets import activate, sheet_ref


def _subtract(rect: Rect, hole: Rect) -> list[Rect]:
    r1, c1, r2, c2 = rect
    h1, hc1, h2, hc2 = max(r1, hole[0]), max(c1, hole[1]), min(r2, hole[2]), min(c2, hole[3])
    if h1 > h2 or hc1 > hc2:
        return [rect]
    pieces = [(r1, c1, h1 - 1, c2), (h2 + 1, c1, r2, c2), (h1, c1, h2, hc1 - 1), (h1, hc2 + 1, h2, c2)]
    return [p for p in pieces if p[0] <= p[2] and p[1] <= p[3]]


def _remove_validation(ws: Worksheet, hole: Rect) -> DataValidation | None:
    """Take `hole` out of every validation on the sheet; return the one that covered its first cell."""
    covering = None
    for validation in list(ws.data_validations.dataValidation):
        pieces: list[Rect] = []
        for cell_range in validation.sqref.ranges:
            rect = bounds_of(cell_range.coord)
            if rect[0] <= hole[0] <= rect[2] and rect[1] <= hole[1] <= rect[3]:
                covering = validation
            pieces += _subtract(rect, hole)
        if pieces:
            validation.sqref = " ".join(address_of(piece) for piece in pieces)
        else:
            ws.data_validations.dataValidation.remove(validation)
    return covering


def _new_validation(ws: Worksheet, rect: Rect, **rule: Any) -> None:
    previous = _remove_validation(ws, rect)
    # Replacing the rule keeps the input prompt and error alert; a fresh one gets Excel's defaults.
    keep: dict[str, Any] = {"allow_blank": True, "showErrorMessage": True, "showInputMessage": True}
    if previous is not None:
        keep = {
            key: getattr(previous, key)
            for key in (
                "allow_blank",
                "showErrorMessage",
                "showInputMessage",
                "errorTitle",
                "error",
                "promptTitle",
                "prompt",
                "errorStyle",
            )
        }
    validation = DataValidation(**keep, **rule)
    validation.add(address_of(rect))
    ws.add_data_validation(validation)


def set_data_validation_list(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    source, in_cell_dropdown = args_of(action)[:2]
    if source["type"] == "literal":
        text = ",".join(source["values"])
        if len(text) > 255:
            raise ValueError("Excel rejects a literal list longer than 255 characters")
        formula = '"' + text.replace('"', '""') + '"'
    elif source["type"] == "range":
        source_sheet = wb.worksheets[source["sheet_position"]]
        rect = rect_of(source)
        prefix = "" if source_sheet is ws else sheet_ref(source_sheet.title) + "!"
        formula = prefix + address_of(rect, absolute=True)
    elif source["type"] == "name":
        formula = source["name"]
    else:
        raise NotImplementedError(f"setDataValidationList source {source['type']!r}")
    # In the file format the flag is inverted: showDropDown=True hides the arrow.
    _new_validation(ws, rect_of(action), type="list", formula1=formula, showDropDown=not in_cell_dropdown)


_RULE_TYPES = {
    "whole_number": "whole",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "text_length": "textLength",
    "custom": "custom",
}
_OPERATORS = {
    "between": "between",
    "not_between": "notBetween",
    "equal_to": "equal",
    "not_equal_to": "notEqual",
    "greater_than": "greaterThan",
    "less_than": "lessThan",
    "greater_than_or_equal": "greaterThanOrEqual",
    "less_than_or_equal": "lessThanOrEqual",
}


def set_data_validation_rule(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    rule = args_of(action)[0]
    formula2 = rule.get("formula2")
    _new_validation(
        sheet_of(wb, action),
        rect_of(action),
        type=_RULE_TYPES[rule["type"]],
        operator=_OPERATORS[rule["operator"]] if rule.get("operator") else None,
        formula1=rule["formula1"].removeprefix("="),
        formula2=formula2.removeprefix("=") if formula2 else None,
    )


def delete_data_validation(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    _remove_validation(sheet_of(wb, action), rect_of(action))


def set_calculation(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    wb.calculation.calcMode = CALC_MODE_FROM_JS[args_of(action)[0]]


def range_select(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    ws = sheet_of(wb, action)
    rect = rect_of(action)
    activate(wb, ws)
    selection = ws.sheet_view.selection[-1]
    selection.activeCell = ws.cell(rect[0], rect[1]).coordinate
    selection.sqref = address_of(rect)


def ui_only(wb: openpyxl.Workbook, action: dict[str, Any]) -> None:
    """Nothing to change in the file: the user sees it, or it needs Excel's calculation engine."""
