"""What RunServerPython (xlwings' Remote.bas) posts, read as Excel meant it; its answers as Remote.bas reads them.

Remote.bas builds the payload with VBA-Web's JSON writer (WebHelpers.ConvertToJson), whose quirks are read
back here, so a cell arrives as the unit typed it: a text cell of 16 to 100 characters made only of digits,
dots and E (a project code, an ID number) is written without quotes, as a number, whether it is one or not.
"""

from __future__ import annotations

import json
import re
from typing import Any

# A JSON string, or a bare run of 16-100 of the characters VBA-JSON's json_StringIsLargeNumber lets through
# unquoted, standing as a value (its writer puts no spaces between tokens).
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|(?<=[\[,:])[0-9.Ee]{16,100}(?=[,\]}])')
_JSON_NUMBER = re.compile(rb"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][0-9]+)?")
# VBA writes a Double with at most 15 significant digits (CStr), so a longer integer was text.
_DOUBLE_DIGITS = 15

VERSION_MISMATCH = (
    "工作簿里的 xlwings 宏是 {client} 版，服务器的 xlwings 是 {server} 版，二者须一致。"
    "请向主管部门索取用服务器生成的新模板（xlgoals template --xlsm），把项目表复制过去后再校验。"
)


def parse_vba_json(body: bytes) -> Any:
    """The payload as Python values, each cell as Excel held it; ValueError if it is not JSON even so."""
    repaired = _TOKEN.sub(_quote_text, body)
    return json.loads(repaired, parse_int=_integer_or_text)


def _quote_text(match: re.Match[bytes]) -> bytes:
    token = match.group()
    if token.startswith(b'"') or _JSON_NUMBER.fullmatch(token):
        return token
    return b'"' + token + b'"'  # e.g. 0012345678901234567 or 1.2.3.4.5.6.7.8: text no number parser takes


def _integer_or_text(literal: str) -> int | str:
    return literal if len(literal.lstrip("-")) > _DOUBLE_DIGITS else int(literal)


def as_engine_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload in the shape xlwings' remote engine reads: Remote.bas reports no sheet visibility, which the
    engine looks up when a sheet's `visible` is read; our reader keeps the flag but decides nothing on it."""
    for sheet in payload.get("sheets", []):
        if isinstance(sheet, dict):
            sheet.setdefault("visibility", "Visible")
    return payload


def version_problem(payload: dict[str, Any], server: str) -> str | None:
    """The Chinese message for a workbook whose xlwings VBA is another release than the server's xlwings."""
    client = payload.get("version")
    if isinstance(client, str) and client != server:
        return VERSION_MISMATCH.format(client=client[:20], server=server)
    return None


def vba_answer(actions: dict[str, Any]) -> bytes:
    """The actions as ASCII JSON: VBA-JSON decodes \\uXXXX itself, whatever the PC's code page."""
    return json.dumps(actions, ensure_ascii=True, separators=(",", ":")).encode("ascii")
