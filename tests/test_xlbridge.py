"""The xlwings bridge is faithful: payloads read back as their cells, actions land as Excel would."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from tests.builders.xlbridge import (
    NOTE_AUTHOR,
    SUPPORTED_ACTIONS,
    UNSUPPORTED_ACTIONS,
    apply_actions,
    payload_from_workbook,
    run_remote,
)

import xlwings as xw  # isort: skip  (after the bridge, which sets the license key xlwings reads on import)


def make_workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "单位信息"
    cover["A1"] = "申报单位名称"
    cover["B1"] = "上海市生物医药科技产业促进中心"
    cover["A2"] = "年度"
    cover["B2"] = 2020
    cover["A3"] = "金额"
    cover["B3"] = 1234.5
    cover["C3"] = 3.0
    cover["A4"] = "计划开始日期"
    cover["B4"] = dt.date(2020, 1, 2)
    cover["C4"] = dt.datetime(2020, 8, 30, 17, 45, 10)
    cover["A5"] = "是否含有政府购买服务"
    cover["B5"] = False
    # D6 is the far corner; B6 and C6 stay empty between.
    cover["D6"] = "末"
    cover["A1"].comment = Comment("已有批注", "tester")
    few = wb.create_sheet("S 1")
    few["D2"] = "右上"
    few["C5"] = 5
    wb.create_sheet("空")
    wb.defined_names["年度"] = DefinedName("年度", attr_text="单位信息!$B$2")
    return wb


def actions_of(wb: openpyxl.Workbook, entry: Any) -> list[dict[str, Any]]:
    """The actions an entry point returns, without applying them."""
    book = xw.Book(json=payload_from_workbook(wb, book_name="t.xlsx"))
    try:
        entry(book)
        return list(json.loads(json.dumps(book.json()))["actions"])
    finally:
        book.close()


# --- payload ---------------------------------------------------------------------------------------


def test_payload_has_the_office_js_shape() -> None:
    payload = payload_from_workbook(make_workbook(), book_name="单位.xlsx", active_sheet="S 1", selection="B2")

    assert payload["client"] == "Office.js"
    assert payload["version"] == xw.__version__
    assert payload["book"] == {
        "name": "单位.xlsx",
        "active_sheet_index": 1,
        "selection": "B2",
        "calculation": "Automatic",
    }
    cover, few, empty = payload["sheets"]
    assert [sheet["name"] for sheet in payload["sheets"]] == ["单位信息", "S 1", "空"]
    assert cover["values"][0] == ["申报单位名称", "上海市生物医药科技产业促进中心", "", ""]
    assert cover["values"][3] == ["计划开始日期", "2020-01-02T00:00:00.000Z", "2020-08-30T17:45:10.000Z", ""]
    assert cover["values"][5] == ["", "", "", "末"]
    # JavaScript's JSON turns 3.0 into 3
    assert cover["values"][2] == ["金额", 1234.5, 3, ""]
    assert type(cover["values"][2][2]) is int
    assert cover["notes"] == [{"address": "A1"}]
    assert cover["used_range_address"] == "A1:D6"
    # Values always start at A1, so a sheet used from C2 still sends rows and columns before it.
    assert few["values"] == [
        ["", "", "", ""],
        ["", "", "", "右上"],
        ["", "", "", ""],
        ["", "", "", ""],
        ["", "", 5, ""],
    ]
    assert few["used_range_address"] == "C2:D5"
    assert empty["values"] == [[""]]
    assert empty["used_range_address"] is None
    assert payload["names"] == [
        {
            "name": "年度",
            "sheet_index": 0,
            "address": "B2",
            "book_scope": True,
            "scope_sheet_name": None,
            "scope_sheet_index": None,
            "refers_to": "=单位信息!$B$2",
        }
    ]


def test_payload_round_trip_reads_back_every_cell() -> None:
    wb = make_workbook()
    seen: dict[str, dict[str, Any]] = {}

    def entry(book: xw.Book) -> None:
        for ws in wb.worksheets:
            sheet = book.sheets[ws.title]
            seen[ws.title] = {
                f"{get_column_letter(col)}{row}": sheet.range((row, col)).value
                for row in range(1, 8)
                for col in range(1, 6)
            }
        seen["blocks"] = {
            "cover": book.sheets["单位信息"].range("A1:B2").value,
            "used": book.sheets["S 1"].used_range.address,
            "empty": book.sheets["空"].used_range.address,
            "name": book.sheets["单位信息"].range("年度").value,
        }

    run_remote(wb, entry)

    for ws in wb.worksheets:
        for address, value in seen[ws.title].items():
            # _cells, because indexing the sheet would create the cell being checked.
            cell = ws._cells.get(coordinate_to_tuple(address))
            expected = cell.value if cell is not None else None
            if type(expected) is dt.date:
                # The client only knows datetimes: a date comes back at midnight.
                expected = dt.datetime.combine(expected, dt.time())
            assert value == expected, f"{ws.title}!{address}"
            assert type(value) is type(expected) or {type(value), type(expected)} <= {int, float}
    assert seen["blocks"] == {
        "cover": [["申报单位名称", "上海市生物医药科技产业促进中心"], ["年度", 2020]],
        "used": "$C$2:$D$5",
        "empty": "$A$1",
        "name": 2020,
    }


def test_formula_cells_need_their_calculated_values() -> None:
    wb = make_workbook()
    wb["单位信息"]["E1"] = "=B2+1"
    with pytest.raises(ValueError, match=r"单位信息!E1 holds a formula"):
        payload_from_workbook(wb, book_name="t.xlsx")

    cached = make_workbook()
    cached["单位信息"]["E1"] = 2021
    payload = payload_from_workbook(wb, book_name="t.xlsx", values_from=cached)
    assert payload["sheets"][0]["values"][0][4] == 2021


def test_time_and_serial_dates_follow_the_clients_arithmetic() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = dt.time(12, 30)
    ws["A2"] = 45000
    ws["A2"].number_format = "yyyy-mm-dd"
    ws["A3"] = dt.datetime(2024, 1, 5, 10, 0, 0, 123456)
    values = payload_from_workbook(wb, book_name="t.xlsx")["sheets"][0]["values"]
    assert values == [
        ["1899-12-30T12:30:00.000Z"],
        ["2023-03-15T00:00:00.000Z"],
        ["2024-01-05T10:00:00.123Z"],
    ]


def test_vba_client_sends_null_for_empty_cells_and_has_no_notes() -> None:
    wb = make_workbook()
    payload = payload_from_workbook(wb, book_name="t.xlsx", client="VBA")
    cover = payload["sheets"][0]
    assert payload["client"] == "VBA"
    assert cover["values"][0][2] is None
    assert cover["values"][3][2] == "2020-08-30T17:45:10.000Z"
    assert "notes" not in cover
    assert payload["sheets"][2]["values"] == [[]]

    def entry(book: xw.Book) -> None:
        book.sheets[0]["B1"].add_note("x")

    with pytest.raises(NotImplementedError, match=r"Office\.js"):
        run_remote(wb, entry, client="VBA")


# --- actions ---------------------------------------------------------------------------------------


def test_setting_values_writes_cells_as_excel_parses_them() -> None:
    wb = make_workbook()
    wb["S 1"]["F1"].number_format = "@"

    def entry(book: xw.Book) -> None:
        sheet = book.sheets["S 1"]
        sheet["A1"].value = [["项目", 7, 2.5, True, None]]
        sheet["A3"].value = [["00123", "'00123", "=C5*2", "-说明", "110101199001011234", "12.5%"]]
        sheet["F1"].value = "00123"
        sheet["D2"].value = None

    wb, events = run_remote(wb, entry)

    ws = wb["S 1"]
    assert [ws.cell(1, col).value for col in range(1, 6)] == ["项目", 7, 2.5, True, None]
    assert ws["F1"].value == "00123"
    assert ws["F1"].data_type == "s"
    assert ws["D2"].value is None
    assert events == []
    row3 = [ws.cell(3, col).value for col in range(1, 7)]
    # Excel turns "00123" into a number, keeps text after an apostrophe, reads "-..." as a formula and
    # keeps only 15 significant digits of a long number.
    assert row3 == [123, "00123", "=C5*2", "=-说明", 1.10101199001011e17, 0.125]
    assert ws["B3"].quotePrefix
    assert ws["F3"].number_format == "0.00%"


def test_date_values_arrive_as_dates() -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        book.sheets["S 1"]["A1"].value = [[dt.date(2024, 2, 3), dt.datetime(2024, 2, 3, 8, 15)]]

    wb, _ = run_remote(wb, entry)
    ws = wb["S 1"]
    assert ws["A1"].value == dt.datetime(2024, 2, 3)
    assert ws["A1"].is_date
    assert ws["B1"].value == dt.datetime(2024, 2, 3, 8, 15)


def test_value_shape_mismatch_and_merged_cells_are_rejected() -> None:
    wb = make_workbook()
    wb["S 1"].merge_cells("A1:B1")
    action = {
        "func": "setValues",
        "args": [None],
        "values": [["x", "y"]],
        "sheet_position": 1,
        "start_row": 0,
        "start_column": 0,
        "row_count": 1,
        "column_count": 2,
    }
    with pytest.raises(ValueError, match="merged"):
        apply_actions(wb, [action])
    with pytest.raises(ValueError, match="shaped"):
        apply_actions(wb, [{**action, "values": [["x"]]}])
    apply_actions(wb, [{**action, "values": [["x", ""]]}])
    assert wb["S 1"]["A1"].value == "x"


def test_color_clear_and_clear_contents() -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        cover = book.sheets["单位信息"]
        cover["B2:C2"].color = (255, 0, 0)
        cover["B3"].color = (255, 0, 0)
        cover["B3"].clear_contents()
        cover["C3"].color = "#00ff00"
        cover["C3"].color = None
        cover["A1"].clear()

    wb, _ = run_remote(wb, entry)
    ws = wb["单位信息"]
    assert ws["B2"].fill.fgColor.rgb == "FFFF0000"
    assert ws["C2"].fill.fill_type == "solid"
    assert ws["B3"].value is None
    assert ws["B3"].fill.fgColor.rgb == "FFFF0000"
    assert ws["C3"].fill.fill_type is None
    assert ws["A1"].value is None
    assert ws["A1"].comment is None


def test_clearing_formats_unmerges_but_clearing_contents_does_not() -> None:
    wb = make_workbook()
    cover = wb["单位信息"]
    cover.merge_cells("A8:B8")
    cover.merge_cells("A9:B9")
    cover["A8"] = "合并"
    cover["A9"].font = Font(bold=True)

    def entry(book: xw.Book) -> None:
        book.sheets["单位信息"]["A8"].clear_contents()
        book.sheets["单位信息"]["A9"].clear_formats()

    wb, _ = run_remote(wb, entry)
    assert cover["A8"].value is None
    assert [str(rng) for rng in cover.merged_cells.ranges] == ["A8:B8"]
    assert not cover["A9"].font.b


def test_notes_add_replace_and_delete() -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        cover = book.sheets["单位信息"]
        cover["B2"].add_note("请填写年度")
        # The payload tells xlwings A1 already has a note, so it can be edited and deleted.
        existing = cover["A1"].note
        assert existing is not None
        existing.text = "改过的批注"
        cover["C3"].add_note("先加").delete()

    wb, _ = run_remote(wb, entry)
    ws = wb["单位信息"]
    assert ws["B2"].comment.text == "请填写年度"
    assert ws["B2"].comment.author == NOTE_AUTHOR
    assert ws["A1"].comment.text == "改过的批注"
    assert ws["C3"].comment is None


def test_a_second_note_on_a_cell_is_rejected_on_both_sides() -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        book.sheets["单位信息"]["A1"].add_note("again")

    with pytest.raises(ValueError, match="already has a note"):
        run_remote(wb, entry)
    action = {
        "func": "addNote",
        "args": ["$A$1", "again"],
        "sheet_position": 0,
        "start_row": 0,
        "start_column": 0,
        "row_count": 1,
        "column_count": 1,
    }
    with pytest.raises(ValueError, match="already has a note"):
        apply_actions(wb, [action])


def test_hyperlinks_internal_and_external() -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        cover = book.sheets["单位信息"]
        cover["E1"].add_hyperlink("#'S 1'!A1", "去 S 1", "跳转")
        cover["E2"].add_hyperlink("https://example.org/a")

    wb, _ = run_remote(wb, entry)
    ws = wb["单位信息"]
    assert ws["E1"].hyperlink.location == "'S 1'!A1"
    assert ws["E1"].hyperlink.target is None
    assert ws["E1"].hyperlink.tooltip == "跳转"
    assert ws["E1"].value == "去 S 1"
    assert ws["E2"].hyperlink.target == "https://example.org/a"
    assert ws["E2"].value == "https://example.org/a"


def test_sheets_add_rename_activate_and_alert() -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        new = book.sheets.add("项目1", after=book.sheets["单位信息"])
        new["A1"].value = "新"
        book.sheets["S 1"].name = "项目 2"
        book.sheets["空"].activate()
        book.app.alert("已添加", title="提示")

    wb, events = run_remote(wb, entry)
    assert wb.sheetnames == ["单位信息", "项目1", "项目 2", "空"]
    assert wb["项目1"]["A1"].value == "新"
    assert wb.active is not None
    assert wb.active.title == "空"
    assert [ws.sheet_view.tabSelected for ws in wb.worksheets] == [False, False, False, True]
    assert [event["func"] for event in events] == ["activateSheet", "alert"]
    assert events[1]["args"] == ["已添加", "提示", "ok", "", ""]


def test_renaming_a_sheet_rewrites_names_that_point_at_it() -> None:
    wb = make_workbook()
    wb.defined_names["右上"] = DefinedName("右上", attr_text="'S 1'!$D$2")

    def entry(book: xw.Book) -> None:
        book.sheets["单位信息"].name = "封面"
        book.sheets["S 1"].name = "项目 2"

    wb, _ = run_remote(wb, entry)
    assert wb.defined_names["年度"].attr_text == "封面!$B$2"
    assert wb.defined_names["右上"].attr_text == "'项目 2'!$D$2"


def test_add_sheet_keeps_the_active_sheet_and_rejects_duplicates() -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        book.sheets.add("新表", before=book.sheets[0])

    wb, _ = run_remote(wb, entry)
    assert wb.sheetnames[0] == "新表"
    assert wb.active is not None
    assert wb.active.title == "单位信息"

    duplicate = {"func": "addSheet", "args": [0, "s 1"]}
    with pytest.raises(ValueError, match="already exists"):
        apply_actions(wb, [duplicate])


def test_sheet_copy_renames_positions_and_carries_the_template() -> None:
    wb = make_workbook()
    template = wb.create_sheet("_项目模板", 1)
    template["A1"] = "项目名称"
    template["B1"].fill = PatternFill("solid", fgColor="FFFFFF00")
    template.merge_cells("B2:D2")
    template["B2"] = "长文本"
    validation = DataValidation(type="list", formula1='"是,否"')
    validation.add("B3")
    template.add_data_validation(validation)
    template.freeze_panes = "A2"
    template["A1"].comment = Comment("模板批注", "tester")

    def entry(book: xw.Book) -> None:
        copied = book.sheets["_项目模板"].copy(before=book.sheets["S 1"], name="项目1")
        copied["B1"].value = "第一个项目"

    wb, _ = run_remote(wb, entry)
    assert wb.sheetnames == ["单位信息", "_项目模板", "项目1", "S 1", "空"]
    ws = wb["项目1"]
    assert ws["A1"].value == "项目名称"
    assert ws["B1"].value == "第一个项目"
    assert template["B1"].value is None
    assert ws["B1"].fill.fgColor.rgb == "FFFFFF00"
    assert [str(rng) for rng in ws.merged_cells.ranges] == ["B2:D2"]
    assert [str(dv.sqref) for dv in ws.data_validations.dataValidation] == ["B3"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].comment.text == "模板批注"
    assert wb.active is not None
    assert wb.active.title == "单位信息"


def test_sheet_delete_and_visibility() -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        book.sheets["空"].delete()
        book.sheets["S 1"].visible = False

    wb, _ = run_remote(wb, entry)
    assert wb.sheetnames == ["单位信息", "S 1"]
    assert wb["S 1"].sheet_state == "hidden"

    hide_last = {"func": "setSheetVisibility", "args": ["Hidden"], "sheet_position": 0}
    with pytest.raises(ValueError, match="only visible sheet"):
        apply_actions(wb, [hide_last])


def test_formats_fonts_borders_and_layout() -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        cover = book.sheets["单位信息"]
        cover["B3"].number_format = "#,##0.00"
        cover["A1"].font.bold = True
        cover["A1"].font.color = (0, 0, 255)
        cover["A1"].font.name = "宋体"
        cover["A1"].font.size = 14
        cover["A1:B2"].borders.line_style = "continuous"
        cover["A1:B2"].borders["edge_bottom"].weight = "thick"
        cover["A1"].wrap_text = True
        cover["A1"].horizontal_alignment = "center"
        cover["B6:D6"].merge()
        cover.freeze_panes.freeze_at("1:1")
        cover["2:2"].row_height = 30

    wb, _ = run_remote(wb, entry)
    ws = wb["单位信息"]
    assert ws["B3"].number_format == "#,##0.00"
    assert (ws["A1"].font.b, ws["A1"].font.color.rgb, ws["A1"].font.name, ws["A1"].font.sz) == (
        True,
        "FF0000FF",
        "宋体",
        14,
    )
    assert (ws["A1"].border.top.style, ws["A1"].border.right.style, ws["A1"].border.bottom.style) == (
        "thin",
        "thin",
        "thin",
    )
    assert (ws["B2"].border.bottom.style, ws["B2"].border.left.style, ws["B2"].border.top.style) == (
        "thick",
        "thin",
        "thin",
    )
    assert ws["A1"].alignment.wrap_text
    assert ws["A1"].alignment.horizontal == "center"
    assert [str(rng) for rng in ws.merged_cells.ranges] == ["B6:D6"]
    assert ws.freeze_panes == "A2"
    assert ws.row_dimensions[2].height == 30


def test_data_validation_lists_keep_their_prompts() -> None:
    wb = make_workbook()
    lists = wb.create_sheet("_lists")
    for row, text in enumerate(["其他一次性项目", "经常性项目"], start=1):
        lists.cell(row, 1, text)
    wb.defined_names["项目类别"] = DefinedName("项目类别", attr_text="_lists!$A$1:$A$2")
    old = DataValidation(
        type="whole", operator="between", formula1="1", formula2="9", prompt="请选择", promptTitle="提示"
    )
    old.add("B5:B7")
    wb["单位信息"].add_data_validation(old)

    def entry(book: xw.Book) -> None:
        cover = book.sheets["单位信息"]
        cover["B5"].data_validation.set_list(["是", "否"])
        cover["C5"].data_validation.set_list(book.sheets["_lists"]["A1:A2"])
        cover["D5"].data_validation.set_list(book.names["项目类别"])

    wb, _ = run_remote(wb, entry)
    rules = {str(dv.sqref): dv for dv in wb["单位信息"].data_validations.dataValidation}
    assert set(rules) == {"B6:B7", "B5", "C5", "D5"}
    assert (rules["B5"].type, rules["B5"].formula1, rules["B5"].prompt) == ("list", '"是,否"', "请选择")
    assert rules["B5"].showDropDown is False
    assert rules["C5"].formula1 == "_lists!$A$1:$A$2"
    assert rules["D5"].formula1 == "项目类别"
    assert rules["D5"].showErrorMessage
    assert rules["B6:B7"].type == "whole"


def test_result_survives_a_save_and_reload(tmp_path: Path) -> None:
    wb = make_workbook()

    def entry(book: xw.Book) -> None:
        cover = book.sheets["单位信息"]
        cover["B2"].add_note("批注")
        cover["E1"].add_hyperlink("#'S 1'!A1", "去")
        cover["B5"].data_validation.set_list(["是", "否"])
        book.sheets.add("项目1")

    wb, _ = run_remote(wb, entry)
    path = tmp_path / "out.xlsx"
    wb.save(path)
    again = openpyxl.load_workbook(path)
    ws = again["单位信息"]
    assert ws["B2"].comment.text == "批注"
    assert ws["E1"].hyperlink.location == "'S 1'!A1"
    assert [dv.formula1 for dv in ws.data_validations.dataValidation] == ['"是,否"']
    assert again.sheetnames[-1] == "项目1"


def test_unknown_and_unreproducible_actions_raise() -> None:
    wb = make_workbook()
    with pytest.raises(NotImplementedError, match="'frobnicate'"):
        apply_actions(wb, [{"func": "frobnicate", "args": [None]}])

    def entry(book: xw.Book) -> None:
        book.sheets["单位信息"]["3:3"].insert("down", "format_from_left_or_above")

    with pytest.raises(NotImplementedError, match="'rangeInsert'"):
        run_remote(wb, entry)


def test_values_the_client_could_not_receive_fail_like_the_server_would() -> None:
    def entry(book: xw.Book) -> None:
        book.sheets[0]["A1"].value = dt.time(8, 0)

    with pytest.raises(TypeError, match="not JSON serializable"):
        run_remote(make_workbook(), entry)


def test_every_action_xlwings_can_emit_is_known_to_the_bridge() -> None:
    source = Path(xw.__file__).parent.joinpath("pro", "_xlremote.py").read_text(encoding="utf-8")
    # Action names are camelCase literals; the client's read calls (get..., findRange) aren't actions.
    names = set(re.findall(r'"([a-z]+[A-Z][A-Za-z]+)"', source))
    reads = {name for name in names if name.startswith("get")} | {"findRange", "sheetIndex"}
    emitted = names - reads
    assert {"setValues", "addNote", "copySheet", "setDataValidationList"} <= emitted
    assert emitted - SUPPORTED_ACTIONS - UNSUPPORTED_ACTIONS == set()
    assert SUPPORTED_ACTIONS.isdisjoint(UNSUPPORTED_ACTIONS)


def test_actions_match_what_the_lead_relies_on() -> None:
    # The Excel layer is written against these exact spellings; a change in xlwings must show up here.
    actions = actions_of(
        make_workbook(),
        lambda book: (
            book.sheets[0]["B2"].add_note("x"),
            book.sheets[0].copy(after=book.sheets[-1], name="项目1"),
            book.app.alert("m"),
        ),
    )
    assert [(a["func"], a["args"]) for a in actions] == [
        ("addNote", ["$B$2", "x"]),
        ("copySheet", ["After", 2, "单位信息 (2)"]),
        ("setSheetName", ["项目1"]),
        ("alert", ["m", "", "ok", "", ""]),
    ]
