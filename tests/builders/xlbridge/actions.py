"""Run an entry point as xlwings' server would and apply the actions it returns, as the Office.js client does."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import openpyxl
import xlwings as xw

from tests.builders.xlbridge.cells import (
    HORIZONTAL,
    VERTICAL,
    add_hyperlink,
    add_note,
    clear,
    clear_all,
    clear_format,
    clear_value,
    delete_note,
    merge,
    set_alignment,
    set_autofit,
    set_border_property,
    set_column_width,
    set_font_property,
    set_formula,
    set_formula_array,
    set_hidden,
    set_note_text,
    set_number_format,
    set_range_color,
    set_range_colors,
    set_row_height,
    set_sheet_autofit,
    set_values,
    set_wrap_text,
    unmerge,
)
from tests.builders.xlbridge.common import UI_ACTIONS, Handler
from tests.builders.xlbridge.payload import payload_from_workbook
from tests.builders.xlbridge.sheets import (
    activate_sheet,
    add_sheet,
    copy_sheet,
    freeze_at,
    name_delete,
    names_add,
    set_name_refers_to,
    set_print_area,
    set_range_name,
    set_sheet_name,
    set_sheet_position,
    set_sheet_visibility,
    set_show_gridlines,
    sheet_delete,
    unfreeze,
)
from tests.builders.xlbridge.validation import (
    delete_data_validation,
    range_select,
    set_calculation,
    set_data_validation_list,
    set_data_validation_rule,
    ui_only,
)


def run_remote(
    wb: openpyxl.Workbook, entry: Callable[[xw.Book], None], **payload_kwargs: Any
) -> tuple[openpyxl.Workbook, list[dict[str, Any]]]:
    """Call `entry` the way xlwings' server would for this workbook, then apply its actions to `wb`.

    Returns `wb` (changed in place) and the UI events (alerts, activation, selection, ...) in order.
    """
    if "remote" not in [engine.name for engine in xw.engines]:
        raise RuntimeError(
            "xlwings' remote engine isn't registered: XLWINGS_LICENSE_KEY must be set before xlwings "
            "is first imported (import this module first)"
        )
    payload_kwargs.setdefault("book_name", "Book1.xlsx")
    payload = payload_from_workbook(wb, **payload_kwargs)
    book = xw.Book(json=payload)
    try:
        entry(book)
        # The client gets the actions as JSON: anything that wouldn't survive that must fail here too.
        actions: list[dict[str, Any]] = json.loads(json.dumps(book.json(), allow_nan=False))["actions"]
    finally:
        book.close()
    return wb, apply_actions(wb, actions)


def apply_actions(wb: openpyxl.Workbook, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply xlwings' actions to `wb` in order, as the Office.js client applies them to Excel.

    Returns the actions that are (also) UI events. An action the bridge can't reproduce raises
    NotImplementedError naming it, so a test never passes by silently skipping one.
    """
    events: list[dict[str, Any]] = []
    for action in actions:
        func = action.get("func")
        handler = _HANDLERS.get(func) if isinstance(func, str) else None
        if handler is None:
            reason = _UNSUPPORTED.get(func, "the test bridge doesn't know this action") if func else "no func"
            raise NotImplementedError(f"xlwings action {func!r} isn't supported by the test bridge: {reason}")
        handler(wb, action)
        if func in UI_ACTIONS:
            events.append(action)
    return events


_HANDLERS: dict[str, Handler] = {
    "setValues": set_values,
    "setFormula": set_formula,
    "setFormulaArray": set_formula_array,
    "rangeClearContents": clear(clear_value, whole_sheet=False),
    "rangeClearFormats": clear(clear_format, whole_sheet=False),
    "rangeClear": clear(clear_all, whole_sheet=False),
    "sheetClearContents": clear(clear_value, whole_sheet=True),
    "sheetClearFormats": clear(clear_format, whole_sheet=True),
    "sheetClear": clear(clear_all, whole_sheet=True),
    "setRangeColor": set_range_color,
    "setRangeColors": set_range_colors,
    "setNumberFormat": set_number_format,
    "setFontProperty": set_font_property,
    "setBorderProperty": set_border_property,
    "setWrapText": set_wrap_text,
    "setHorizontalAlignment": set_alignment("horizontal", HORIZONTAL.__getitem__),
    "setVerticalAlignment": set_alignment("vertical", VERTICAL.__getitem__),
    "rangeMerge": merge,
    "rangeUnmerge": unmerge,
    "setColumnWidth": set_column_width,
    "setRowHeight": set_row_height,
    "setRowHidden": set_hidden("rows"),
    "setColumnHidden": set_hidden("columns"),
    "setAutofit": set_autofit,
    "setSheetAutofit": set_sheet_autofit,
    "addNote": add_note,
    "setNoteText": set_note_text,
    "deleteNote": delete_note,
    "addHyperlink": add_hyperlink,
    "addSheet": add_sheet,
    "setSheetName": set_sheet_name,
    "activateSheet": activate_sheet,
    "setSheetVisibility": set_sheet_visibility,
    "sheetDelete": sheet_delete,
    "setSheetPosition": set_sheet_position,
    "copySheet": copy_sheet,
    "setShowGridlines": set_show_gridlines,
    "freezePaneAtRange": freeze_at,
    "freezePaneUnfreeze": unfreeze,
    "setPrintArea": set_print_area,
    "namesAdd": names_add,
    "nameDelete": name_delete,
    "setNameRefersTo": set_name_refers_to,
    "setRangeName": set_range_name,
    "setDataValidationList": set_data_validation_list,
    "setDataValidationRule": set_data_validation_rule,
    "deleteDataValidation": delete_data_validation,
    "setCalculation": set_calculation,
    "rangeSelect": range_select,
    "alert": ui_only,
    "save": ui_only,
    "calculate": ui_only,
    "setScreenUpdating": ui_only,
}

# Why the rest of what _xlremote can emit isn't reproduced; anything else is unknown.
_SHIFTS = "openpyxl doesn't shift formulas, names, merges and validations the way Excel does"
_OBJECTS = "charts, pictures, shapes, tables and pivot tables aren't modelled"
_UNSUPPORTED: dict[str, str] = {
    "rangeInsert": _SHIFTS,
    "rangeDelete": _SHIFTS,
    "moveRange": _SHIFTS,
    "copyRange": "Excel's paste adjusts references and formats in ways the bridge doesn't model",
    "copyFromRange": "Excel's paste adjusts references and formats in ways the bridge doesn't model",
    "rangeAutofill": "needs Excel's fill-series logic",
    "rangeSort": "needs Excel's sort (collation, formulas)",
    "rangeRemoveDuplicates": "needs Excel's comparison rules",
    "rangeReplaceAll": "needs Excel's find/replace rules",
    "rangeGroup": "outlines aren't modelled",
    "rangeUngroup": "outlines aren't modelled",
    "rangeAdjustIndent": "indents aren't modelled",
    "rangeToPng": "needs Excel's renderer",
    "chartToPng": "needs Excel's renderer",
    "runMacro": "the macro runs in the client and could change anything",
    "addComment": "threaded comments aren't modelled (openpyxl only knows notes)",
    "addCommentReply": "threaded comments aren't modelled",
    "setCommentText": "threaded comments aren't modelled",
    "setCommentResolved": "threaded comments aren't modelled",
    "deleteComment": "threaded comments aren't modelled",
    "addConditionalFormat": "conditional formats aren't modelled",
    "setConditionalFormat": "conditional formats aren't modelled",
    "deleteConditionalFormat": "conditional formats aren't modelled",
    "clearConditionalFormats": "conditional formats aren't modelled",
    "applyAutoFilterRange": "autofilters aren't modelled",
    "applyAutoFilterTable": "autofilters aren't modelled",
    "clearAutoFilterRange": "autofilters aren't modelled",
    "clearAutoFilterTable": "autofilters aren't modelled",
    **dict.fromkeys(
        [
            "addChart",
            "deleteChart",
            "setChartAxis",
            "setChartLegend",
            "setChartName",
            "setChartPlotBy",
            "setChartPosition",
            "setChartSeries",
            "setChartSourceData",
            "setChartStyle",
            "setChartTitle",
            "setChartType",
            "setChartXAxisValues",
            "addPicture",
            "updatePicture",
            "deletePicture",
            "setPictureName",
            "setPictureLeft",
            "setPictureTop",
            "setPictureWidth",
            "setPictureHeight",
            "setPictureLockAspectRatio",
            "deleteShape",
            "scaleShape",
            "setShapeName",
            "setShapeText",
            "setShapeLeft",
            "setShapeTop",
            "setShapeWidth",
            "setShapeHeight",
            "setShapeFontProperty",
            "addTable",
            "setTableName",
            "setTableStyle",
            "resizeTable",
            "tableSort",
            "addTableRow",
            "deleteTableRow",
            "addTableColumn",
            "deleteTableColumn",
            "showAutofilterTable",
            "showHeadersTable",
            "showTotalsTable",
            "showTableStyleFirstColumn",
            "showTableStyleLastColumn",
            "showTableStyleRowStripes",
            "showTableStyleColumnStripes",
            "addPivotTable",
            "deletePivotTable",
            "refreshPivotTable",
            "setPivotTableName",
            "setPivotLayout",
            "addPivotField",
            "removePivotField",
            "addPivotValueField",
            "removePivotValueField",
            "setPivotValueField",
        ],
        _OBJECTS,
    ),
}

SUPPORTED_ACTIONS = frozenset(_HANDLERS)
# Named here so a test can tell when an xlwings upgrade emits an action nobody has looked at yet.
UNSUPPORTED_ACTIONS = frozenset(_UNSUPPORTED)
