"""xlwings entry points behind the workbook's buttons: read the book's values, run the core, write results back.

Every entry takes an `xw.Book` (or finds the caller's book): the same function serves a VBA `RunPython`
button in desktop Excel and xlwings' remote engine (xlwings Server, Excel on the web). xlwings itself is
imported only inside the entries, and nothing here imports pandas: a click's cold start stays small.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from functools import partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING

from xlgoals.core import layout, livelayout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.cellerrors import Unusable, error_of
from xlgoals.core.errors import XlgoalsError
from xlgoals.core.values import GridValue
from xlgoals.excelplan import add_chart, is_remote, render_plan
from xlgoals.io.files import BookGrid, SheetGrid, trim_rows

if TYPE_CHECKING:
    import xlwings as xw

    from xlgoals.core.model import Unit
    from xlgoals.department.consolidate import Consolidation
    from xlgoals.unit.pipeline import Among, Checked
    from xlgoals.validation.marks import Mark

log = logging.getLogger("xlgoals.excel")

ALERT_TITLE = "xlgoals"
UNEXPECTED = "出现意外错误，操作未完成。请把本工作簿和 Python 日志发给技术支持。"
Entry = Callable[["xw.Book"], str]


def _caller() -> xw.Book:
    import xlwings as xw

    return xw.Book.caller()


def entry(fn: Entry) -> Callable[..., None]:
    """Run an entry on the caller's book; whatever happens, the user sees a Chinese message, never a traceback."""

    @wraps(fn)
    def run(book: xw.Book | None = None) -> None:
        # A click is our own process: no pydantic plugins to look up (a scan of every installed package's
        # metadata). Set before the first model is built, which this module's imports leave to the entries;
        # setdefault, so a deployer who does use a plugin can still name it.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        book = book if book is not None else _caller()
        title = ALERT_TITLE
        try:
            message = fn(book)
        except XlgoalsError as e:
            message, title = e.user_message, "无法完成"
        except Exception:
            log.exception("entry %s failed", fn.__name__)
            message, title = UNEXPECTED, "xlgoals 出错"
        book.app.alert(message, title=title)

    return run


def book_grid(book: xw.Book) -> BookGrid:
    """Every sheet's values from A1, the same grids a file reader produces: an error value (#REF!, #N/A …)
    is an Unusable cell, never a blank (xlwings turns errors into None unless asked for them as text)."""
    grid = BookGrid(book.name)
    for sheet in book.sheets:
        last = sheet.used_range.last_cell
        values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value
        grid.add(SheetGrid(sheet.name, _with_errors(trim_rows(values or [])), hidden=not sheet.visible))
    return grid


def _with_errors(rows: list[list[GridValue]]) -> list[list[GridValue]]:
    """Error values as Excel sends them (text such as '#N/A' from the remote engine and classic xlwings with
    err_to_str, the COM error number for the errors xlwings does not name) as Unusable cells."""
    for values in rows:
        for i, value in enumerate(values):
            error = error_of(value) if type(value) in (str, int) else None
            if error is not None:
                values[i] = Unusable(error)
    return rows


def _check(grid: BookGrid, book: xw.Book) -> Checked:
    from xlgoals.io.reader import read_unit
    from xlgoals.unit.pipeline import check_unit

    unit = read_unit(grid)  # read apart from the check: the cover names the archive the check compares with
    unit.source = book.name
    history = None
    if unit.history.strip():  # the cover's 历史库: compare with last year's declaration in that archive
        from xlgoals.department.archive.history import cover_archive, last_year

        archive = cover_archive(unit, None if is_remote(book) else book.fullname)
        history = None if archive is None else partial(last_year, archive)
    return check_unit(unit, file=book.name, history=history, among=_among(book))


def _among(book: xw.Book) -> Among:
    """The rule sets a button may check by: the server's (`xlgoals serve --rules`), or on a desk with Python those
    its xlwings.conf lists (beside the workbook, then the user's); a cover naming another is refused by name."""
    from xlgoals.unit.pipeline import Among
    from xlgoals.validation.counted import ON_DESK, ON_SERVER, counted, desk_spec

    if is_remote(book):
        return Among(counted(), ON_SERVER)
    import xlwings as xw

    folder = Path(book.fullname).parent
    spec = desk_spec(folder if folder.is_dir() and str(folder) not in ("", ".") else None, Path(xw.USER_CONFIG_FILE))
    return Among(counted(spec), ON_DESK)


def _recorded(grid: BookGrid) -> set[tuple[str, str]]:
    sheet = grid.sheets.get(layout.MARKS_SHEET)
    from xlgoals.validation import marks

    return marks.recorded(sheet.rows) if sheet else set()


def _selfeval_sheets(grid: BookGrid) -> frozenset[str]:
    """The 自评 sheets, whose cells go back to their own fills when a mark is cleared."""
    return frozenset(name for name, s in grid.sheets.items() if slayout.is_selfeval_grid(s.rows))


def _clear(book: xw.Book, cells: Iterable[tuple[str, str]], selfeval: frozenset[str] = frozenset()) -> None:
    names = {s.name for s in book.sheets}
    for sheet, address in cells:
        if sheet not in names:
            continue
        rng = book.sheets[sheet].range(address)
        rng.color = slayout.selfeval_fill(address) if sheet in selfeval else layout.template_fill(sheet, address)
        if rng.note is not None:
            rng.note.delete()


def _mark(book: xw.Book, mark_list: Iterable[Mark]) -> None:
    from xlgoals.validation import marks

    for m in mark_list:
        rng = book.sheets[m.sheet].range(m.cell)
        rng.color = marks.FILL_RGB[m.severity]
        try:
            if rng.note is not None:
                rng.note.text = m.note
            else:
                rng.add_note(m.note)
        except NotImplementedError:
            # The remote engine adds notes only for Office.js clients; the colour and 校验结果 still show it.
            log.info("notes not supported by this client; %s!%s marked by colour only", m.sheet, m.cell)


def _verdict(counts: dict[str, int], scope: str) -> str:
    head = f"{scope}：错误 {counts['error']} 项，警告 {counts['warning']} 项，提示 {counts['info']} 项。"
    if counts["error"]:
        return head + "标红的单元格必须修改，标黄的请核对；把鼠标移到单元格上可看批注。"
    if counts["warning"]:
        return head + "没有错误；标黄的单元格请核对。"
    return head + "全部通过。"


@entry
def validate_all(book: xw.Book) -> str:
    """校验全部: mark every project sheet and rewrite 校验结果."""
    from xlgoals.validation import marks

    grid = book_grid(book)
    checked = _check(grid, book)
    _clear(book, _recorded(grid), _selfeval_sheets(grid))
    mark_list = marks.marks_for(checked.report)
    _mark(book, mark_list)
    render_plan(book, marks.results_plan(checked.report, checked.ruleset.title), after=layout.COVER_SHEET)
    render_plan(book, marks.record_plan(marks.marked_cells(mark_list)))
    # The cover's live table anew: a sheet renamed or copied by hand since the last 新增项目 shows there by name.
    _list_project_sheets(book, [s.name for s in book.sheets if not layout.is_system_sheet(s.name)])
    return _verdict(checked.report.counts(), "全部项目")


@entry
def validate_active(book: xw.Book) -> str:
    """校验本表: mark only the active project sheet; other sheets keep their marks."""
    from xlgoals.validation import marks

    active = book.sheets.active.name
    grid = book_grid(book)
    checked = _check(grid, book)
    if active in checked.unit.blank_sheets:
        return f"工作表“{active}”还没有填写内容，没有可校验的项目。"
    reserved = [f.message for f in checked.report.findings if f.sheet == active and f.code == "sheet.reserved-name"]
    if reserved:
        return reserved[0]
    if active not in {p.sheet for p in checked.unit.projects}:
        return "请先切换到要校验的项目表（如“项目1”），再点击“校验本表”；要校验整个工作簿请点击“校验全部”。"
    previous = _recorded(grid)
    _clear(book, {c for c in previous if c[0] == active}, _selfeval_sheets(grid))
    mark_list = [m for m in marks.marks_for(checked.report) if m.sheet == active]
    _mark(book, mark_list)
    kept = {c for c in previous if c[0] != active}
    render_plan(book, marks.record_plan(kept | marks.marked_cells(mark_list)))
    counts = {s: 0 for s in ("error", "warning", "info")}
    for f in checked.report.findings:
        if f.sheet == active:
            counts[f.severity.value] += 1
    return _verdict(counts, f"工作表“{active}”")


@entry
def add_project(book: xw.Book) -> str:
    """新增项目: copy the hidden project template into the next free 项目N sheet and show it."""
    names = [s.name for s in book.sheets]
    if layout.PROJECT_TEMPLATE_SHEET not in names:
        raise XlgoalsError(
            f"找不到隐藏的“{layout.PROJECT_TEMPLATE_SHEET}”工作表，无法新增项目；请用最新模板重新建立工作簿。",
            file=book.name,
        )
    new = layout.next_project_sheet_name(names)
    projects = [n for n in names if not layout.is_system_sheet(n)]
    after = book.sheets[projects[-1]] if projects else book.sheets[layout.COVER_SHEET]
    sheet = book.sheets[layout.PROJECT_TEMPLATE_SHEET].copy(after=after, name=new)
    sheet.visible = True
    _list_project_sheets(book, projects, new)
    sheet.activate()
    return f"已新增工作表“{new}”，请在带边框的填写区中填写项目信息（尚未填写的必填项显示浅黄色）。"


def _list_project_sheets(book: xw.Book, names: list[str], new: str | None = None) -> None:
    """The cover's live table lists the project forms among `names` (in tab order) and the sheet `new` anew, so a
    sheet copied by hand or renamed since shows there too; a workbook made before live checks has no table."""
    from xlgoals.validation.live.cover import TITLE, slot_values

    cover = book.sheets[layout.COVER_SHEET]
    if cover.range(f"A{livelayout.COVER_LIVE_TITLE_ROW}").value != TITLE:
        return
    spec = layout.PROJECT_FIELD["name"]
    forms = [*(n for n in names if _is_form(book.sheets[n], spec)), *([new] if new else [])]
    first = livelayout.COVER_LIVE_FIRST_SLOT_ROW
    last = first + livelayout.COVER_LIVE_SLOTS - 1
    width = len(livelayout.COVER_LIVE_COLUMNS) + 1
    cover.range((first, 1), (last, width)).clear_contents()
    rows = [slot_values(n) for n in forms[: livelayout.COVER_LIVE_SLOTS]]
    if rows:
        cover.range((first, 1), (first + len(rows) - 1, width)).value = rows


def _is_form(sheet: xw.Sheet, spec: layout.FieldSpec) -> bool:
    value = sheet.range(spec.label_cell).value
    return isinstance(value, str) and layout.normalize_label(value) == layout.normalize_label(spec.label)


@entry
def rollup(book: xw.Book) -> str:
    """汇总: the unit's totals, year-on-year change, execution rate and indicator counts in the 汇总 sheet."""
    from xlgoals.io.presentation import format_amount, year_on_year_lines
    from xlgoals.unit.rollup import roll_up
    from xlgoals.unit.summarysheet import cover_money_unit, summary_plan

    grid = book_grid(book)
    checked = _check(grid, book)
    result = roll_up(checked.unit, checked.report, checked.ruleset)
    cover = grid.sheets.get(layout.COVER_SHEET)
    unit = cover_money_unit(cover.rows if cover else None)
    plan = summary_plan(result, unit)
    sheet = render_plan(book, plan, after=layout.COVER_SHEET)
    add_chart(book, sheet, plan)
    sheet.activate()
    compared, new = year_on_year_lines(result.year_on_year, unit)
    message = (
        f"已更新“{layout.SUMMARY_SHEET}”表：{len(result.projects)} 个项目，"
        f"当年预算合计 {format_amount(result.totals['budget_year'], unit)} {unit}。\n{compared}；\n{new}。"
    )
    if result.uncounted:
        message += (
            f"\n注意：有 {len(result.uncounted)} 项金额无法读取，未计入合计："
            + "；".join(u.describe() for u in result.uncounted)
            + "。请改正这些单元格后再点“汇总”。"
        )
    return message


def _book_path(book: xw.Book) -> Path:
    path = Path(book.fullname)
    if is_remote(book) or not path.parent.is_dir() or str(path.parent) in ("", "."):
        raise XlgoalsError("网页版和未保存的工作簿无法导出到本地文件夹；请先保存工作簿，并在桌面版 Excel 中操作。")
    return path


def export_unit_summary(unit: Unit, book_path: Path) -> tuple[Path, Consolidation]:
    """A unit's summary workbook beside its workbook, from the values given (the workbook is not saved)."""
    from xlgoals.department.consolidate import consolidate_units

    out = book_path.with_name(f"{book_path.stem}_汇总.xlsx")
    unit.source = str(book_path)
    return out, consolidate_units([unit], out)


def consolidate_folder_at(folder: Path) -> tuple[Path, Consolidation]:
    """Consolidate a folder into a summary beside it: inside, it would be read as an input next time."""
    from xlgoals.department.consolidate import consolidate

    out = folder.parent / f"{folder.name}_部门汇总.xlsx"
    return out, consolidate([folder], out)


@entry
def export_summary(book: xw.Book) -> str:
    """导出汇总: this workbook's projects, indicators and findings as a summary workbook beside it."""
    from xlgoals.io.reader import read_unit

    unit = read_unit(book_grid(book))
    out, result = export_unit_summary(unit, _book_path(book))
    message = f"已导出：{out}\n{len(unit.projects)} 个项目，{result.total.indicators} 条指标。"
    return message + "".join(f"\n注意：{e.reason}" for e in result.uncounted)


@entry
def consolidate_folder(book: xw.Book) -> str:
    """汇总文件夹: consolidate every unit workbook in the folder named on the cover into one summary."""
    cover = book_grid(book).sheets.get(layout.COVER_SHEET)
    spec = layout.COVER_FIELD["folder"]
    text = layout.grid_text(cover.rows, spec.value_cell) if cover else ""
    if not text:
        raise XlgoalsError(
            f"请先在“{layout.COVER_SHEET}”表 {spec.value_cell} 填写要汇总的文件夹路径。",
            sheet=layout.COVER_SHEET,
            cell=spec.value_cell,
        )
    folder = Path(text).expanduser()
    if is_remote(book) or not folder.is_dir():
        raise XlgoalsError(
            f"找不到文件夹“{text}”（网页版无法访问本地文件夹）。", sheet=layout.COVER_SHEET, cell=spec.value_cell
        )
    out, result = consolidate_folder_at(folder)
    counts = "，".join(f"{status} {n} 个" for status, n in result.status_counts().items() if n)
    uncounted = f"其中 {len(result.uncounted)} 个文件有金额无法读取、未计入合计。" if result.uncounted else ""
    return (
        f"已汇总 {len(result.ledger)} 个文件（{counts}）。{uncounted}\n汇总表：{out}\n"
        "每个文件的处理情况见其中的“台账”表。"
    )
