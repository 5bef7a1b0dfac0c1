"""Errors for input that cannot be used at all: each names the file and, where known, the sheet and cell."""

from __future__ import annotations


class XlgoalsError(Exception):
    """Base: `message` is Chinese for the budget officer, `code` is stable for programs and logs."""

    code = "xlgoals.error"

    def __init__(self, message: str, *, file: str | None = None, sheet: str | None = None, cell: str | None = None):
        self.message, self.file, self.sheet, self.cell = message, file, sheet, cell
        super().__init__(message)

    def __str__(self) -> str:
        return self.user_message

    @property
    def user_message(self) -> str:
        where = "，".join(
            part
            for part in (
                f"文件 {self.file}" if self.file else "",
                f"工作表 {self.sheet}" if self.sheet else "",
                f"单元格 {self.cell}" if self.cell else "",
            )
            if part
        )
        return f"{where}：{self.message}" if where else self.message


class WorkbookError(XlgoalsError):
    """The file cannot be read as a workbook of ours."""

    code = "workbook.unreadable"


class NotFoundError(WorkbookError):
    code = "workbook.not-found"


class CorruptWorkbookError(WorkbookError):
    code = "workbook.corrupt"


class LegacyFormatError(WorkbookError):
    code = "workbook.xls"


class ForeignFormatError(WorkbookError):
    """A spreadsheet in another format (.ods, .xlsb): saved as .xlsx it can be read."""

    code = "workbook.other-format"


class EncryptedWorkbookError(WorkbookError):
    code = "workbook.encrypted"


class UnsafeWorkbookError(WorkbookError):
    code = "workbook.unsafe"


class NotOurWorkbookError(WorkbookError):
    code = "workbook.not-ours"


class DuplicateSheetError(WorkbookError):
    """Two sheets share a name (Excel compares names ignoring case): which is which project is unknowable."""

    code = "workbook.duplicate-sheet"


class LayoutError(WorkbookError):
    """A sheet of ours whose labels are not where the template put them (rows moved, sheet renamed)."""

    code = "workbook.layout"


class ImportTextError(XlgoalsError):
    code = "import.unreadable"
