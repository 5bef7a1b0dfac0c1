"""Import a published performance-target table (text in any layout, or a foreign .xlsx) into the model.

The Shanghai declaration's text form (tab-separated, labels with colons) has its own line reader
(`xlgoals.importing.shanghai_text`); every other layout goes through the layout-free recogniser.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from xlgoals.core import layout
from xlgoals.core.errors import ImportTextError, WorkbookError
from xlgoals.core.model import Project, Unit, is_selfeval
from xlgoals.core.targets import DEFAULT_QUALITATIVE
from xlgoals.importing import ImportNote, cells_from_grid, cells_from_text, recognise
from xlgoals.importing.noise import COMMENT, clean
from xlgoals.importing.shanghai_text import read_lines
from xlgoals.io.container import OLE_MAGIC, read_input

__all__ = ["ImportNote", "ImportResult", "import_file", "import_text", "import_workbook", "write_import"]


@dataclass
class ImportResult:
    unit: Unit
    notes: list[ImportNote] = field(default_factory=list)


# A declaration's text is well under a megabyte; anything this large is not one, and reading it whole
# would only exhaust memory.
MAX_BYTES = 16 * 1024 * 1024
# The longest paragraph of a real declaration is a few thousand characters; a line of megabytes is some other
# file, and would only cost seconds of parsing.
MAX_LINE_CHARS = 100_000


def _is_blank(project: Project) -> bool:
    """Nothing filled in: no field, no indicator (a bare table header in the text)."""
    filled = any(getattr(project, spec.key) not in (None, "") for spec in layout.ANY_PROJECT_FIELD.values())
    return not (filled or project.indicators or project.unparsed)


def import_text(
    text: str, source: str = "<text>", *, qualitative_words: frozenset[str] = DEFAULT_QUALITATIVE
) -> ImportResult:
    """The unit in a declaration's text; ImportTextError when the text holds no project at all."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportTextError("文本为空，没有可导入的内容。", file=source)
    text, notices = clean(text)
    unit, notes = read_lines(text, source, qualitative_words) if "\t" in text else (Unit(), [])
    if not _complete(unit):
        # Not the Shanghai text form: the layout-free recogniser reads the table from its cells.
        unit, notes = recognise(cells_from_text(text), source, qualitative_words=qualitative_words)
    said = [ImportNote(n.line, n.text, n.reason, "unplaced" if n.reason == COMMENT else "info") for n in notices]
    notes = sorted([*said, *notes], key=lambda n: n.line)
    # A project with nothing filled in (a bare table header) would be written as a blank sheet, which is
    # no project at all: say so rather than report it as imported.
    unit.projects = [p for p in unit.projects if not _is_blank(p)]
    if not unit.projects:
        raise ImportTextError(_nothing_found(text), file=source)
    return ImportResult(unit, notes)


_ATTACHMENT = re.compile(r"附件[:：]?\s*([^\s:：]+?\.(?:xlsx|xls|docx|doc|pdf|wps|et))", re.IGNORECASE)
_PROSE_LEVELS = re.compile(r"(?:产出|效益|满意度|数量|质量|时效|成本)(?:指标|目标)[:：]")


def _nothing_found(text: str) -> str:
    """Why a text holds no table: prose that describes the targets (a notice, a report), or something else."""
    if _PROSE_LEVELS.search(text):
        where = _ATTACHMENT.search(text)
        attached = f"表格本身在附件“{where.group(1)}”中，请取得该附件再导入。" if where else "请取得表格本身再导入。"
        return (
            "这是一段文字（绩效目标的公示、通知或报告），不是表格：文中用句子列出指标，没有“项目名称”等字段，"
            f"也没有指标表的表头（一级指标、二级指标、三级指标、指标值），无法按表导入。{attached}"
        )
    return "文本中找不到任何项目（没有“项目名称”等字段或指标表）。请确认这是财政项目支出绩效目标表的文本。"


def _complete(unit: Unit) -> bool:
    """Whether the line reader understood the text: it found projects, each with its name."""
    return bool(unit.projects) and all(p.name for p in unit.projects)


def _decode(data: bytes, shown: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif data.startswith(b"%PDF-"):
        raise ImportTextError("这是 PDF 文件，请先把它转换（提取）为文本再导入。", file=shown)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        # GB18030 decodes almost any bytes; NULs betray a binary file (or UTF-16 without a BOM).
        if "\x00" not in text:
            return text
    raise ImportTextError("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的文本文件。", file=shown)


def import_file(
    path: str | os.PathLike[str], *, qualitative_words: frozenset[str] = DEFAULT_QUALITATIVE
) -> ImportResult:
    """import_text of a file: UTF-8 (with or without BOM), else GB18030; errors name the file."""
    shown = str(path)
    try:
        # A regular file only, capped before reading: a FIFO or device is refused without waiting on it.
        data = read_input(Path(path), MAX_BYTES)
    except WorkbookError as e:
        raise ImportTextError(e.message, file=shown) from None
    if data.startswith((b"PK\x03\x04", OLE_MAGIC)):  # a workbook (an .xls gets read_grids' own message)
        return import_workbook(path, qualitative_words=qualitative_words)
    text = _decode(data, shown)
    longest = max(map(len, text.splitlines()), default=0)
    if longest > MAX_LINE_CHARS:
        raise ImportTextError(
            f"文本中有一行长达 {longest} 个字符（上限 {MAX_LINE_CHARS}），不像绩效目标表的文本，已拒绝导入。",
            file=shown,
        )
    return import_text(text, shown, qualitative_words=qualitative_words)


def import_workbook(
    path: str | os.PathLike[str], *, qualitative_words: frozenset[str] = DEFAULT_QUALITATIVE
) -> ImportResult:
    """A foreign .xlsx whose sheets hold published tables, read cell by cell through the same recogniser."""
    from xlgoals.io.files import read_grids

    shown = str(path)
    book = read_grids(path)
    if layout.COVER_SHEET in book.sheets and layout.LISTS_SHEET in book.sheets:
        raise ImportTextError("这已经是 xlgoals 单位工作簿，无需导入，请直接用 validate 校验。", file=shown)
    cells = [cell for name in book.names() for cell in cells_from_grid(book.sheets[name].rows, name)]
    unit, notes = recognise(cells, shown, qualitative_words=qualitative_words)
    if not unit.projects:
        raise ImportTextError("工作簿中找不到绩效目标表（没有“项目名称”等字段或指标表）。", file=shown)
    return ImportResult(unit, notes)


def _as_cells(unit: Unit) -> Unit:
    """The unit as the project sheets hold it: a value whose comparison and unit stood in columns of their own
    ('100' beside '=' and '%') is written whole ('=100%'), so the sheet's one value cell checks as the table
    meant; the columns stay in 导入记录 as written."""
    from xlgoals.importing.indicators import composed

    shown = unit.model_copy(deep=True)
    for project in shown.projects:
        for ind in project.indicators:
            ind.value = composed(ind.value, ind.extra)
    return shown


def write_import(result: ImportResult, path: str | os.PathLike[str], source: str) -> bool:
    """The unit workbook of an import; what the table held beyond the project sheets' cells (and the lines that
    fitted nowhere) goes to a 导入记录 sheet after the project sheets. True when that sheet was written.

    A published self-evaluation (自评表) becomes a 自评 workbook: its actuals, points, printed scores and reasons
    in their cells, scored by the rule set of its framework beside what it printed."""
    from xlgoals.importing.record import import_record_plan
    from xlgoals.io.planrender import render_plan
    from xlgoals.workbooks.template import build_workbook, form_of_unit, save

    unit = placed_selfeval(result.unit)
    if unit.projects and all(is_selfeval(p) for p in unit.projects):
        from xlgoals.unit.pipeline import choose_ruleset
        from xlgoals.workbooks.selfevalbook import build_selfeval_workbook

        wb, _ = build_selfeval_workbook(_as_cells(unit), choose_ruleset(unit))
        before = layout.LISTS_SHEET
    else:
        wb, before = build_workbook(_as_cells(unit)), layout.PROJECT_TEMPLATE_SHEET
    plan = import_record_plan(unit, result.notes, source, form_of_unit(unit))
    if plan is not None:
        render_plan(wb, plan, index=wb.sheetnames.index(before))
    save(wb, path)
    return plan is not None


# Where published 自评表 print 年度总体目标 and what became of it, as labelled facts the 自评 sheet has cells for.
_GOALS = ("年度总体目标", "年初设定目标", "预期目标")
_ACHIEVED = ("实际完成情况", "年度总体目标完成情况")


def placed_selfeval(unit: Unit) -> Unit:
    """The unit with each 自评 project's 年度总体目标 and its 实际完成情况, read as labelled facts, in the fields the
    自评 sheet has cells for (no longer among the facts 导入记录 keeps)."""
    placed = unit.model_copy(deep=True)
    for project in placed.projects:
        if not is_selfeval(project):
            continue
        for labels, key in ((_GOALS, "goals"), (_ACHIEVED, "goals_achieved")):
            found = next((label for label in labels if project.extra.get(label)), None)
            if found is not None and not getattr(project, key):
                setattr(project, key, project.extra.pop(found))
    return placed
