"""One project's sheet, Shanghai's declaration or the national form, blank or filled."""

from __future__ import annotations

from decimal import Decimal

from openpyxl.styles import Alignment, Border, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xlgoals.core import layout, signoff
from xlgoals.core.layout import FieldSpec
from xlgoals.core.model import Indicator, Project
from xlgoals.core.values import CellValue
from xlgoals.core.vocabulary import NOT_FILLED
from xlgoals.io.cellstyle import (
    BODY_FONT,
    CENTER,
    DATE_FORMAT,
    HEADER_POINTS,
    LABEL_ALIGN,
    LABEL_FONT,
    TITLE_FONT,
    UNLOCKED,
    continuation_header,
    fit_project_rows,
    fit_row_height,
    hidden_indicator_rows,
    indicator_table_end,
    merge_row,
    protect,
    put,
    shade_blank,
    sheet_text,
    signoff_row,
    style_entry,
    style_label,
)
from xlgoals.io.lists import (
    UNIT_REF,
    YEAR_REF,
    Lists,
    add_validation,
    list_range,
    set_messages,
)
from xlgoals.io.presentation import PAGE_FOOTER, money_format, print_setup

SIGNOFF_ALIGN = Alignment(horizontal="left", vertical="bottom")


def _field_value(project: Project, spec: FieldSpec) -> CellValue:
    if spec.key in project.unparsed:
        return project.unparsed[spec.key]
    value = getattr(project, spec.key)
    if spec.scale != 1 and isinstance(value, Decimal):
        return value / spec.scale
    if spec.kind == "yesno":
        return None if value is None else ("是" if value else "否")
    return value if value != "" else None


def write_project_sheet(ws: Worksheet, project: Project | None, lists: Lists, form: layout.Form = "shanghai") -> None:
    """One project's form (Shanghai's or the national one): labels, inputs, dropdowns, the indicator table."""
    national = form == "national"
    fields = layout.project_fields(form)
    by_key = {spec.key: spec for spec in fields}
    title = layout.NATIONAL_TITLE if national else "财政项目支出绩效目标表"
    merge_row(ws, layout.PROJECT_TITLE_CELL, title, TITLE_FONT, 30)
    # A blank cover reads 未填写, never "（年度）" or a stray "None".
    year = f'IF({YEAR_REF}="","（年度：{NOT_FILLED}）","（"&{YEAR_REF}&"年度）")'
    merge_row(ws, layout.PROJECT_YEAR_CELL, "=" + year, BODY_FONT)
    merge_row(ws, layout.PROJECT_UNIT_CELL, f'="申报单位名称："&IF({UNIT_REF}="","{NOT_FILLED}",{UNIT_REF})', BODY_FONT)
    ws[layout.PROJECT_UNIT_CELL].alignment = LABEL_ALIGN
    for spec in fields:
        style_label(ws[spec.label_cell], spec.label)
        cell = ws[spec.value_cell]
        style_entry(cell)
        if project is not None:
            put(cell, _field_value(project, spec))
        if spec.merge_to:
            ws.merge_cells(f"{spec.value_cell}:{spec.merge_to}")
        if spec.kind == "money":
            # 万元 to the yuan needs four decimals.
            cell.number_format = money_format(cell.value) if spec.scale == 1 else "#,##0.00##"
        elif spec.kind == "date":
            cell.number_format = DATE_FORMAT
    ws.row_dimensions[4].height = 30
    ws.row_dimensions[6].height = 30
    _fit_labels(ws, fields)
    if national:
        merge_row(ws, layout.NATIONAL_BUDGET_SECTION_CELL, layout.NATIONAL_BUDGET_SECTION_TITLE, LABEL_FONT, 20)
    else:
        merge_row(
            ws,
            layout.BUDGET_SECTION_CELL,
            layout.BUDGET_SECTION_TITLE,
            LABEL_FONT,
            20,
            layout.BUDGET_SECTION_LAST_COLUMN,
        )
    previous = by_key["previous_name"]
    fit_row_height(ws, ws[previous.value_cell].row, [(previous.value_cell, layout.PROJECT_COLUMN_WIDTHS["D"])], 20)
    merge_row(ws, layout.INDICATOR_SECTION_CELL, f'=IF({YEAR_REF}="","",{YEAR_REF}&"年")&"绩效目标"', LABEL_FONT, 20)
    headers = layout.NATIONAL_INDICATOR_HEADERS if national else layout.INDICATOR_HEADERS
    for part, col in layout.INDICATOR_COLUMNS.items():
        header = ws[f"{col}{layout.INDICATOR_HEADER_ROW}"]
        style_label(header, headers[part])
        header.alignment = CENTER
    indicators: list[Indicator] = project.indicators if project else []
    last = layout.INDICATOR_FIRST_ROW + max(layout.INDICATOR_ROWS, len(indicators)) - 1
    for row in range(layout.INDICATOR_FIRST_ROW, last + 1):
        for part in layout.INDICATOR_COLUMNS:
            cell = ws[layout.indicator_cell(row, part)]
            style_entry(cell)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws[layout.indicator_cell(row, "target")].number_format = "@"
    for row, ind in enumerate(indicators, start=layout.INDICATOR_FIRST_ROW):
        for part in ("level1", "level2", "name"):
            put(ws[layout.indicator_cell(row, part)], getattr(ind, part) or None)
        put(ws[layout.indicator_cell(row, "target")], ind.value or None)
    _shade_what_is_missing(ws, fields, last)
    _write_signoff(ws, signoff.signoff_first_row(last))
    fit_project_rows(ws)
    first = layout.INDICATOR_FIRST_ROW
    col1, col2 = layout.INDICATOR_COLUMNS["level1"], layout.INDICATOR_COLUMNS["level2"]
    add_validation(
        ws,
        lists.level1_formula(),
        f"{col1}{first}:{col1}{last}",
        "按封面所选指标体系选择一级目标",
        strict=False,
    )
    add_validation(
        ws,
        lists.level2_formula(f"${col1}{first}"),
        f"{col2}{first}:{col2}{last}",
        "先选一级目标，再选二级目标",
        strict=False,
    )
    for key, list_col, items, prompt in (
        ("category", layout.CATEGORY_COL, lists.category, "选择项目类别"),
        ("perf_type", layout.PERF_TYPE_COL, lists.perf_type, "选择绩效类型"),
    ):
        if key in by_key:
            add_validation(ws, list_range(list_col, len(items)), by_key[key].value_cell, prompt, strict=False)
    if "gov_purchase" in by_key:
        add_validation(ws, list_range(layout.YES_NO_COL, 2), by_key["gov_purchase"].value_cell, "请选择“是”或“否”")
    for key in ("start", "end"):
        dv = DataValidation(type="date", operator="between", formula1="36526", formula2="73051", allow_blank=True)
        set_messages(dv, by_key[key].label, "填写日期，如 2020-01-02。", "这不是日期，请写成 2020-01-02 的形式。")
        dv.add(by_key[key].value_cell)
        ws.add_data_validation(dv)
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    set_messages(
        dv,
        *(
            ("金额（万元）", "以万元为单位填写数字，如 60。", "金额请填写以万元为单位的数字，如 60。")
            if national
            else (
                "金额（元）",
                "以元为单位填写数字，如 600000（不写“万元”）。",
                "金额请填写以元为单位的数字，如 600000。",
            )
        ),
    )
    for spec in fields:
        if spec.kind == "money":
            dv.add(spec.value_cell)
    ws.add_data_validation(dv)
    for col, width in layout.PROJECT_COLUMN_WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = None
    protect(ws)
    print_setup(ws, landscape=False)
    fit_for_paper(ws)


def _fit_labels(ws: Worksheet, fields: tuple[FieldSpec, ...]) -> None:
    """Rows as tall as their wrapped labels print (同名项目上年预算额（元） takes two lines in column A):
    a label taller than its row prints over the next one."""
    rows: dict[int, list[tuple[str, float]]] = {}
    for spec in fields:
        cell = ws[spec.label_cell]
        rows.setdefault(cell.row, []).append((spec.label_cell, layout.PROJECT_COLUMN_WIDTHS[cell.column_letter]))
    for row, cells in rows.items():
        fit_row_height(ws, row, cells, ws.row_dimensions[row].height or 15)


def _shade_what_is_missing(ws: Worksheet, fields: tuple[FieldSpec, ...], last: int) -> None:
    """Required fields, and the name and target of an indicator row already begun, shaded while empty."""
    for spec in fields:
        if spec.required:
            shade_blank(ws, spec.value_cell, f"LEN(TRIM({spec.value_cell}))=0")
    first = layout.INDICATOR_FIRST_ROW
    a, d = layout.INDICATOR_COLUMNS["level1"], layout.INDICATOR_COLUMNS["target"]
    c = layout.INDICATOR_COLUMNS["name"]
    shade_blank(ws, f"{c}{first}:{d}{last}", f"AND(COUNTA(${a}{first}:${d}{first})>0,LEN(TRIM({c}{first}))=0)")


_SIGNATURE = Border(bottom=Side(style="thin", color="FF000000"))


def _write_signoff(ws: Worksheet, first: int) -> None:
    """单位负责人、财务负责人、填表人、填报日期 and the stamp under the indicator table, as the official form ends."""
    for i, labels in enumerate(signoff.SIGNOFF_LABELS):
        row = first + i
        for (label_col, value_col), label in zip((("A", "B"), ("C", "D")), labels, strict=True):
            if not label:
                continue
            cell = ws[f"{label_col}{row}"]
            cell.value, cell.font, cell.alignment = label, LABEL_FONT, SIGNOFF_ALIGN
            value = ws[f"{value_col}{row}"]
            value.font, value.border, value.alignment, value.protection = BODY_FONT, _SIGNATURE, SIGNOFF_ALIGN, UNLOCKED
        # Room for a signature; the last row for the stamp.
        ws.row_dimensions[row].height = 48 if i == len(signoff.SIGNOFF_LABELS) - 1 else 30


def fit_for_paper(ws: Worksheet) -> None:
    """What a project sheet prints, set from its content as written now (on writing it and on every
    write-back): the form down to its sign-off block, the indicator rows under the last filled one hidden
    (they would print empty; unhide them to add indicators), the project named on continuation pages.

    A hidden sheet (the template) gets no print area (with one LibreOffice prints it), but keeps the page
    setup so a sheet copied from it prints like the others."""
    text = sheet_text(ws)
    signoff_at = signoff_row(text, ws.max_row)
    end = indicator_table_end(text, ws.max_row)
    if ws.sheet_state != "visible":
        return
    for row, hidden in hidden_indicator_rows(text, ws.max_row).items():
        ws.row_dimensions[row].hidden = hidden
    bottom = signoff_at + len(signoff.SIGNOFF_LABELS) - 1 if signoff_at is not None else end
    ws.print_area = f"A1:{layout.PROJECT_LAST_COLUMN}{bottom}"
    ws.print_title_rows = f"{layout.INDICATOR_HEADER_ROW}:{layout.INDICATOR_HEADER_ROW}"
    # Pages after the first name the project (the first has it in its table; LibreOffice 7.4 ignores the
    # different first page and names it there too, which reads right as well); '&' is a code in headers.
    name = str(ws[layout.PROJECT_FIELD["name"].value_cell].value or "")
    ws.HeaderFooter.differentFirst = True
    header, first_footer = ws.oddHeader, ws.firstFooter
    if header is not None and header.left is not None:
        header.left.text, header.left.size = continuation_header(name), HEADER_POINTS
    if first_footer is not None and first_footer.center is not None:
        first_footer.center.text = PAGE_FOOTER
