"""Cells whose value cannot be used: an error value (#REF!, #N/A …) or a formula saved without its value."""

from __future__ import annotations

from dataclasses import dataclass

# Excel's error values as Excel, WPS and LibreOffice store them in a file and as xlwings and Office.js hand
# them over (the literals are English in every language edition), with what each means to a budget officer.
ERRORS: dict[str, str] = {
    "#NULL!": "公式中的两个区域没有交叉",
    "#DIV/0!": "公式中出现了除以零",
    "#VALUE!": "参与计算的值类型不对，例如文字参与了加减",
    "#REF!": "公式引用的单元格已被删除或移走",
    "#NAME?": "公式中有无法识别的函数或名称",
    "#NUM!": "公式算出的数值无效或超出范围",
    "#N/A": "查找不到匹配的值，常见于 VLOOKUP、MATCH 等查找公式",
    "#GETTING_DATA": "公式的数据还没有取回",
    "#SPILL!": "动态数组公式的溢出区域被其他内容占用",
    "#CALC!": "公式无法计算，例如数组为空",
    "#FIELD!": "公式引用的数据类型字段不存在",
    "#BLOCKED!": "公式需要的外部服务被阻止",
    "#CONNECT!": "公式无法连接外部服务",
    "#BUSY!": "公式仍在计算中",
    "#UNKNOWN!": "公式返回了无法识别的数据类型",
    "#EXTERNAL!": "公式引用的外部数据出错",
    "#PYTHON!": "Excel 中的 Python 公式出错",
    "#DATA!": "公式的数据出错",
}
# The error values python-calamine reads; any other one in a file makes it refuse the whole workbook, so
# such a file is read by openpyxl instead.
CALAMINE_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
# Desktop Excel hands an error to Python (through COM) as the integer 0x800A0000 + its XlCVError number.
_COM_BASE = 0x800A0000 - (1 << 32)
_COM_CODES: dict[int, str] = {
    2000: "#NULL!",
    2007: "#DIV/0!",
    2015: "#VALUE!",
    2023: "#REF!",
    2029: "#NAME?",
    2036: "#NUM!",
    2042: "#N/A",
    2043: "#GETTING_DATA",
    2045: "#SPILL!",
    2046: "#CONNECT!",
    2047: "#BLOCKED!",
    2048: "#UNKNOWN!",
    2049: "#FIELD!",
    2050: "#CALC!",
}
_COM_RANGE = range(_COM_BASE + 2000, _COM_BASE + 2100)
UNKNOWN_MEANING = "Excel 报告的错误"


@dataclass(frozen=True, slots=True)
class Unusable:
    """A cell whose value cannot be used. `error` is its error value as Excel shows it ('#REF!'), or '' for a
    formula saved without any value (as openpyxl and XlsxWriter save formulas); `formula` is the formula
    where the file holds it ('' when it is not known: a workbook open in Excel sends values only)."""

    error: str = ""
    formula: str = ""

    @property
    def uncomputed(self) -> bool:
        return not self.error

    @property
    def meaning(self) -> str:
        return meaning(self.error)

    def describe(self) -> str:
        """What the cell holds, for a message: '错误值 #REF!' or '未计算的公式'."""
        return f"错误值 {self.error}" if self.error else "未计算的公式"

    def shown(self) -> str:
        """What the finding shows as the cell's value: the error, or the formula that was never computed."""
        return self.error or (f"={self.formula}" if self.formula else "")


def meaning(error: str) -> str:
    """What an error value means, in Chinese; a generic phrase for a value Excel does not define."""
    return ERRORS.get(error, UNKNOWN_MEANING)


def error_of(value: object) -> str | None:
    """The error value a cell value stands for, or None: an error literal as text ('#N/A', as xlwings' remote
    engine and openpyxl give it) or desktop Excel's error integer (COM). Only exact literals count: text that
    merely starts with '#' is text."""
    if type(value) is str:
        return value if value in ERRORS else None
    if type(value) is int and value in _COM_RANGE:
        return _COM_CODES.get(value - _COM_BASE, f"#错误{value - _COM_BASE}")
    return None
