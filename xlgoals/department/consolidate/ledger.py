"""The ledger (台账): what became of every input, as closed sets of statuses and reasons with Chinese text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from xlgoals.core.errors import XlgoalsError
from xlgoals.io.rowxml import Row

# Characters of the SHA-256 the printed 台账 shows: enough to tell files apart by eye, the whole in the exports.
SHORT_SHA = 12


class Status(StrEnum):
    """An input's fate, valued as the ledger's 状态 column says it."""

    READ = "已读取"
    REJECTED = "已拒绝"
    DUPLICATE = "重复"
    LOCK = "锁定文件"


READ, REJECTED, DUPLICATE, LOCK = Status.READ, Status.REJECTED, Status.DUPLICATE, Status.LOCK
STATUSES: tuple[Status, ...] = tuple(Status)


class Reason(Enum):
    """Why the run itself did not count a file (a reader's refusal carries its own error code and message)."""

    LOCK = ("workbook.lock", "Excel/WPS/LibreOffice 打开工作簿时生成的锁定文件，不是申报数据，已跳过。")
    TEMP = (
        "file.temporary",
        "xlgoals 写入结果时的临时文件（写入被中断时留下），不是申报数据，未读取；确认没有 xlgoals 在运行后可以删除。",
    )
    FOLDER = ("folder.unreadable", "无法列出该文件夹中的文件（可能没有读取权限），其中的工作簿未能汇总。")
    UNREADABLE = ("workbook.unreadable", "无法读取工作簿内容（{error}）。")
    INTERNAL = ("internal.error", "校验时出现程序错误（{error}），请把该文件交给系统管理员。")
    CRASHED = (
        "workbook.crashed",
        "读取时进程异常退出（{signal}）：文件可能已损坏或含有异常内容，请用 Excel/WPS 打开检查后另存再提交。",
    )
    TIMEOUT = (
        "workbook.timeout",
        "读取超过 {seconds} 秒仍未完成，已中止：文件可能含有异常内容，请用 Excel/WPS 打开检查后另存再提交。",
    )
    SAME_CONTENT = ("file.duplicate", "与 {first} 内容完全相同（SHA-256 一致），只计一次。")
    SAME_UNIT = ("file.duplicate", "单位“{unit}”{year}年度的申报已由 {first} 提交，本文件未计入汇总。")
    # Two different files of one unit and year: revisions of the declaration, one of which counts.
    REVISION = (
        "file.revision",
        "单位“{unit}”{year}年度另有一份内容不同的申报 {kept}，按{rule}，以它为准，本文件未计入汇总。"
        "如应以本文件为准，请加 --prefer {path} 重新汇总。",
    )
    REVISED = ("", "本单位本年度另有内容不同的申报 {other}，按{rule}，以本文件为准（另一份未计入，见其台账行）。")
    UNCOUNTED = (
        "money.uncounted",
        "已读取，但有 {count} 项金额无法读取，未计入合计：{amounts}。请该单位改正这些单元格"
        "（以文字填写的金额：改为阿拉伯数字；未计算的公式：在 Excel/WPS 中打开并保存）后重新报送。",
    )

    @property
    def code(self) -> str:
        return str(self.value[0])

    def text(self, **details: Any) -> str:
        return str(self.value[1]).format(**details)


def error_reason(e: XlgoalsError) -> str:
    """A reader's refusal as the ledger says it: where (sheet, cell), then what."""
    where = "，".join(p for p in (f"工作表 {e.sheet}" if e.sheet else "", f"单元格 {e.cell}" if e.cell else "") if p)
    return f"{where}：{e.message}" if where else e.message


@dataclass(frozen=True)
class LedgerEntry:
    """台账's row: one input and what became of it."""

    index: int
    path: str
    status: Status
    reason: str = ""
    code: str = ""
    duplicate_of: str | None = None
    unit: str = ""
    year: int | None = None
    sha256: str = ""
    projects: int = 0
    size: int | None = None
    # The path as the workbook shows it (relative to the folder consolidated); `path` is as given.
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.path

    def sheet_row(self) -> Row:
        """台账's row on paper: the path relative, the hash shortened, the code last."""
        return (
            self.index,
            self.shown,
            self.status,
            self.reason or None,
            self.unit or None,
            self.year,
            self.projects,
            self.size,
            self.sha256[:SHORT_SHA] or None,
            self.code or None,
        )

    def row(self) -> Row:
        return (
            self.index,
            self.path,
            self.status,
            self.reason or None,
            self.code or None,
            self.duplicate_of,
            self.unit or None,
            self.year,
            self.sha256 or None,
            self.projects,
            self.size,
        )
