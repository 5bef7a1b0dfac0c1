"""xlwings' RunServerPython (xlwings/addin/Remote.bas, xlwings 0.37.8) in Python, line by line: the request a
button sends, and what Excel then does with the answer. Line numbers are Remote.bas' (CRLF file, 1-based);
the JSON text is VBA-Web's (WebHelpers.bas ConvertToJson, json_Encode, json_StringIsLargeNumber, ConvertToIso),
the transport VBA-Web's WebClient (WinHttp, its error mapping). Where this mirror meets a case the workbooks of
these tests never hold (pictures, ListObjects), it raises instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.worksheet import Worksheet

from tests.builders.paths import ROOT
from tests.builders.vba_modules import XLWINGS
from tests.builders.xlbridge import apply_actions
from tests.builders.xlbridge.sheets import sheet_ref

# xlwings.bas line 66: Public Const XLWINGS_VERSION As String = "0.37.8" (what Remote.bas line 92 sends).
XLWINGS_VERSION = re.search(
    r'XLWINGS_VERSION As String = "([^"]+)"', (XLWINGS / "xlwings.bas").read_text(encoding="ascii")
).group(1)  # type: ignore[union-attr]
# WebHelpers.bas: Public Const WebUserAgent; WebRequest.Prepare sets it with Accept, Content-Type/-Length.
USER_AGENT = "VBA-Web v4.1.6 (https://github.com/VBA-tools/VBA-Web)"
DEFAULT_TIMEOUT_MS = 30000  # Remote.bas line 298
# What our buttons pass instead (macros/XlgoalsButtons.bas: SERVER_TIMEOUT_MS).
BUTTON_TIMEOUT_MS = int(
    re.search(r"SERVER_TIMEOUT_MS As Long = (\d+)", (ROOT / "macros" / "XlgoalsButtons.bas").read_text()).group(1)  # type: ignore[union-attr]
)


@dataclass
class Desk:
    """What the button's Excel has at hand: the workbook, where the user stands, the xlwings.conf files."""

    wb: openpyxl.Workbook
    values: openpyxl.Workbook | None = None  # the same file loaded with data_only: Excel sends computed values
    book_name: str = "单位.xlsm"
    active_sheet: str | None = None
    selection: str | None = "A1"
    directory_conf: dict[str, str] = field(default_factory=dict)  # xlwings.conf beside the workbook
    user_conf: dict[str, str] = field(default_factory=dict)  # %USERPROFILE%\.xlwings\xlwings.conf


def desk_for(path: Path, **kwargs: Any) -> Desk:
    """A desk holding the workbook at `path`, its formulas and the values Excel last computed."""
    return Desk(
        openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True), book_name=path.name, **kwargs
    )


@dataclass
class Outcome:
    """What the user sees: the actions Excel ran in order, or the message box Remote.bas showed."""

    status: int
    actions: list[dict[str, Any]]
    message_box: str | None


def get_config(desk: Desk, key: str, default: str = "") -> str:
    """xlwings.bas GetConfig: the xlwings.conf sheet (A = key, B = value), the directory file, the user file."""
    if "xlwings.conf" in desk.wb.sheetnames:
        ws = desk.wb["xlwings.conf"]
        sheet = {str(row[0]).upper(): "" if row[1] is None else str(row[1]) for row in ws.iter_rows(values_only=True)}
        if key in sheet:
            return sheet[key]
    for conf in (desk.directory_conf, desk.user_conf):
        found = {k.lower(): v for k, v in conf.items()}.get(key.lower())
        if found is not None:
            return found
    return default


def build_payload(desk: Desk, exclude: str = "") -> dict[str, Any]:
    """Remote.bas lines 89-258: the Dictionary that becomes the request body."""
    wb = desk.wb
    exclude_array = exclude.split(",") if exclude else []  # lines 35-41 (include is not used by our buttons)
    sheets = list(wb.worksheets)
    active = wb[desk.active_sheet] if desk.active_sheet else wb.active
    payload: dict[str, Any] = {"client": "VBA", "version": XLWINGS_VERSION}  # lines 90-92
    payload["book"] = {  # lines 94-101
        "name": desk.book_name,
        "active_sheet_index": sheets.index(active),  # ActiveSheet.Index - 1
        "selection": desk.selection,  # Selection.Address(False, False), or Null when a shape is selected
    }
    payload["names"] = _names(wb)  # lines 103-152
    sheet_dicts = []
    for ws in sheets:  # lines 156-257
        if ws.tables:
            raise NotImplementedError("ListObjects: lines 188-226 are not mirrored")
        if getattr(ws, "_images", None):
            raise NotImplementedError("pictures: lines 161-186 are not mirrored")
        sheet_dicts.append(
            {
                "name": ws.title,  # line 159
                "pictures": [],  # line 185: no msoPicture shapes (form buttons are msoFormControl)
                "tables": [],  # line 225
                "values": [[]] if ws.title.strip() in exclude_array else _used_values(ws, desk.values),  # 228-255
            }
        )
    payload["sheets"] = sheet_dicts
    return payload


def _names(wb: openpyxl.Workbook) -> list[dict[str, Any]]:
    """Lines 104-152: every name whose RefersToRange works, in wb.Names' order (workbook names, then local)."""
    titles = [ws.title for ws in wb.worksheets]
    found: list[dict[str, Any]] = []

    def add(name: str, sheet: str, address: str, scope: str | None) -> None:
        entry: dict[str, Any] = {"name": name if scope is None else f"{sheet_ref(scope)}!{name}"}
        entry["sheet_index"] = titles.index(sheet)  # line 126
        entry["address"] = address.replace("$", "")  # line 127: Address(False, False)
        entry["book_scope"] = scope is None  # line 128
        entry["scope_sheet_name"] = scope  # lines 129-135
        entry["scope_sheet_index"] = None if scope is None else titles.index(scope)
        found.append(entry)

    for defined in wb.defined_names.values():
        destinations = list(defined.destinations) if defined.type == "RANGE" else []
        if len(destinations) == 1 and destinations[0][0] in titles:
            add(defined.name, destinations[0][0], destinations[0][1], None)
    for ws in wb.worksheets:
        if ws.print_area:  # Excel keeps these as the sheet's local names Print_Area / Print_Titles
            add("Print_Area", ws.title, ws.print_area.rsplit("!", 1)[-1], ws.title)
        if ws.print_title_rows:
            add("Print_Titles", ws.title, ws.print_title_rows, ws.title)
    return found


def _used_values(ws: Worksheet, values: openpyxl.Workbook | None) -> list[list[Any]]:
    """Lines 229-255: A1 to the used range's last cell; an empty sheet is Array(Array())."""
    used = [
        (row, col)
        for (row, col), cell in ws._cells.items()
        if cell.value is not None or cell.has_style or cell.comment is not None
    ]
    if not used:
        return [[]]  # line 233: IsEmpty(UsedRange.Value)
    last_row, last_col = max(r for r, _ in used), max(c for _, c in used)
    cached = values[ws.title] if values is not None else None
    rows = [[_cell_value(ws, cached, r, c) for c in range(1, last_col + 1)] for r in range(1, last_row + 1)]
    if last_row == 1 and last_col == 1 and rows[0][0] is None:
        return [[]]  # a lone empty cell: UsedRange.Value is Empty
    return rows


def _cell_value(ws: Worksheet, cached: Worksheet | None, row: int, col: int) -> Any:
    """Range.Value of one cell as a Python stand-in for its VBA type."""
    cell = ws._cells.get((row, col))
    if cell is None or isinstance(cell, MergedCell):
        return None  # Empty
    value = cell.value
    if cell.data_type == "f":  # Excel sends what the formula computed; no cache (openpyxl wrote it) is Empty
        value = cached.cell(row, col).value if cached is not None else None
    return value


# --- WebHelpers.ConvertToJson ------------------------------------------------------------------------------


def vba_json(value: Any) -> str:
    """ConvertToJson(payload) with JsonOptions left at their defaults (large numbers as text, no \\/ escape)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):  # vbDate: ConvertToIso, local time with a literal Z
        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        return '"' + moment.strftime("%Y-%m-%dT%H:%M:%S") + '.000Z"'
    if isinstance(value, dt.time):
        return (
            '"'
            + dt.datetime(1899, 12, 30, value.hour, value.minute, value.second).strftime("%Y-%m-%dT%H:%M:%S")
            + '.000Z"'
        )
    if isinstance(value, int | float):  # a cell's number is a Double: VBA.Replace(CStr(x), ",", ".")
        return _cstr(float(value))
    if isinstance(value, str):
        if _is_large_number(value):  # json_StringIsLargeNumber: 16-100 characters of . 0-9 E e, unquoted
            return value
        return '"' + "".join(_encode(unit) for unit in _utf16_units(value)) + '"'
    if isinstance(value, dict):
        return "{" + ",".join(f'"{key}":{vba_json(item)}' for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(vba_json(item) for item in value) + "]"
    raise TypeError(f"no VBA value for {type(value).__name__}")


def _cstr(number: float) -> str:
    # CStr keeps 15 significant digits and writes exponents as E+20 / E-07.
    text = f"{number:.15G}"
    if "E" in text:
        mantissa, exponent = text.split("E")
        text = f"{mantissa}E{exponent[0]}{exponent[1:].lstrip('0').rjust(2, '0')}"
    return text


def _is_large_number(text: str) -> bool:
    return 16 <= len(text) <= 100 and all(ch in ".0123456789Ee" for ch in text)


def _utf16_units(text: str) -> list[int]:
    data = text.encode("utf-16-le")
    return [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]


def _encode(unit: int) -> str:
    escapes = {34: '\\"', 92: "\\\\", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t"}
    if unit in escapes:
        return escapes[unit]
    if unit < 32 or unit >= 127:
        return f"\\u{unit:04X}"  # "\u" & Right$("0000" & Hex$(code), 4)
    return chr(unit)


# --- the request and the answer ----------------------------------------------------------------------------


def run_server_python(
    desk: Desk,
    url: str,
    *,
    vba_subs: set[str],
    auth: str = "",
    timeout: int = 0,
    transport: httpx.BaseTransport | None = None,
) -> Outcome:
    """RunServerPython(url, auth:=…, timeout:=…) from one click to the last action Excel ran."""
    if timeout == 0:  # lines 58-60
        timeout = int(get_config(desk, "TIMEOUT", "0") or 0)
    if auth == "":  # lines 85-87
        auth = get_config(desk, "AUTH", "")
    body = vba_json(build_payload(desk, exclude=get_config(desk, "EXCLUDE"))).encode("ascii")
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = auth  # line 285
    seconds = (timeout or DEFAULT_TIMEOUT_MS) / 1000  # lines 295-299: SetTimeouts for each phase
    try:
        with httpx.Client(transport=transport, timeout=httpx.Timeout(seconds)) as client:
            response = client.post(url, content=body, headers=headers)  # lines 290-325, WebClient.Execute
    except (httpx.TimeoutException, httpx.ConnectError) as e:
        # WebClient.Execute maps WinHttp 12002/12007/12029 to 408 with an empty Content (lines 350-360).
        return Outcome(408, [], f"Request Timeout: {type(e).__name__} (408)")
    content = response.content.decode("utf-8")  # WebResponse.CreateFromHttp: web_UTF8ToUni(ResponseBody)
    if response.status_code != 200:  # lines 333-339
        return Outcome(response.status_code, [], content or f"{response.reason_phrase} ({response.status_code})")
    actions = response.json()["actions"]
    lowered = {sub.lower() for sub in vba_subs}
    for action in actions:  # lines 328-332: Application.Run action("func"), wb, action
        if str(action["func"]).lower() not in lowered:
            raise LookupError(f"Excel: Cannot run the macro '{action['func']}' (no such Sub in the VBA project)")
    return Outcome(200, actions, None)


def apply(desk: Desk, outcome: Outcome) -> list[dict[str, Any]]:
    """The actions Excel ran, applied to the workbook (by the test bridge); the UI events (alerts …) returned."""
    return apply_actions(desk.wb, outcome.actions)


def vba_subs_of(xlsm: Path) -> set[str]:
    """Every Sub Application.Run can call with (wb, action) in the workbook's VBA project, as olevba reads it."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(xlsm))
    try:
        code = "\n".join(source for _f, _s, _n, source in parser.extract_macros())
    finally:
        parser.close()
    return set(
        re.findall(r"(?im)^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*wb As Workbook,\s*action As Dictionary\s*\)", code)
    )
