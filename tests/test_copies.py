"""The copies case: sheets copied, renamed or repeated are each read as their own project, never lost or merged."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.test_consolidate import _records
from tests.test_excel import _content, _remote
from xlgoals import excel
from xlgoals.core import errors, layout, livelayout
from xlgoals.core.order import natural_key
from xlgoals.department.consolidate import (
    FINDING_DETAILS_SHEET,
    INDICATORS_SHEET,
    LEDGER_SHEET,
    PROJECTS_SHEET,
    REJECTED,
    consolidate,
)
from xlgoals.io.cellstyle import put
from xlgoals.io.files import read_grids
from xlgoals.io.reader import read
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.rollup import roll_up
from xlgoals.unit.summarysheet import PROJECT_HEADER_ROW, PROJECT_HEADERS
from xlgoals.unit.summarysheet import write_back as rollup_write_back
from xlgoals.validation import marks
from xlgoals.validation.findings import Severity
from xlgoals.validation.writeback import write_back

Counts = dict[str, int]
# What the copies case adds to the sample's three projects, in tab order after them.
COPIES = ("项目1 (2)", "_项目模板 (2)", "孵化器")
SHEETS = ("项目1", "项目2", "项目3", *COPIES)
# Every listing (the report, 校验结果, the summary's tables) shows them in natural order of their sheets.
LISTED = tuple(sorted(SHEETS, key=natural_key))
TEMPLATE_COPY_NAME = "上海中医药与天然药物国际交流推广（二期）"
# 项目1 gets a warning of its own after it was copied: the copy must not show it, nor 项目1 the copy's error.
EXECUTED = layout.PROJECT_FIELD["last_year_executed"].value_cell
NAME = layout.PROJECT_FIELD["name"].value_cell


def _counts(record: dict[Any, Any]) -> Counts:
    """A table row's 错误/警告/提示 as counts (CSV gives them as text)."""
    return {s: int(record[zh]) for s, zh in (("error", "错误"), ("warning", "警告"), ("info", "提示"))}


def _plus(counts: Counts, severity: Severity) -> Counts:
    return {**counts, severity.value: counts[severity.value] + 1}


@pytest.fixture(scope="module")
def base_counts(sample_xlsx: Path) -> dict[str, Counts]:
    return check_file(sample_xlsx).report.per_project()


@pytest.fixture(scope="module")
def expected(base_counts: dict[str, Counts]) -> dict[str, Counts]:
    """Each sheet's own counts: its source's, plus what was done to it alone."""
    return {
        "项目1": _plus(base_counts["项目1"], Severity.WARNING),  # money.executed-over-budget
        "项目2": base_counts["项目2"],
        "项目3": base_counts["项目3"],
        "项目1 (2)": _plus(base_counts["项目1"], Severity.ERROR),  # project.duplicate-name
        "_项目模板 (2)": base_counts["项目2"],  # 项目2's content under a name of its own
        "孵化器": _plus(base_counts["项目3"], Severity.ERROR),  # project.duplicate-name
    }


# --- two ways of making the copies ------------------------------------------------------------------------


def _by_openpyxl(sample: Path, out: Path) -> None:
    """As a user does it in Excel: copy sheets, fill a copy of the hidden template, rename a copy."""
    wb = openpyxl.load_workbook(sample)
    wb.copy_worksheet(wb["项目1"]).title = "项目1 (2)"
    filled = wb.copy_worksheet(wb[layout.PROJECT_TEMPLATE_SHEET])
    filled.title = "_项目模板 (2)"
    for row in wb["项目2"].iter_rows():
        for cell in row:
            if cell.value is not None:
                put(filled[cell.coordinate], cell.value)  # '=100' stays the text typed, as a paste keeps it
    filled[NAME] = TEMPLATE_COPY_NAME
    wb.copy_worksheet(wb["项目3"]).title = "孵化器"
    wb["项目1"][EXECUTED] = 650000
    wb.create_sheet("备注")["A1"] = "内部说明，不是项目"
    wb.copy_worksheet(wb[layout.PROJECT_TEMPLATE_SHEET]).title = "项目4"  # a blank project sheet
    wb.save(out)


def _set_cell(xml: str, ref: str, value: str | int) -> str:
    content = f"<v>{value}</v>" if isinstance(value, int) else f"<is><t>{value}</t></is>"
    kind = "n" if isinstance(value, int) else "inlineStr"
    cell = re.compile(rf'<c r="{ref}"( s="\d+")?[^>]*>.*?</c>', re.S)
    assert cell.search(xml), ref
    return cell.sub(lambda m: f'<c r="{ref}"{m.group(1) or ""} t="{kind}">{content}</c>', xml, count=1)


class _Package:
    """A workbook's zip members, edited as Excel writes a copied sheet: a new part, relationship and entry."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self.members = {i.filename: zf.read(i) for i in zf.infolist()}

    def text(self, name: str) -> str:
        return self.members[name].decode()

    def part(self, sheet: str) -> str:
        rid = re.search(rf'<sheet name="{re.escape(sheet)}" [^>]*r:id="(\w+)"', self.text("xl/workbook.xml"))
        assert rid, sheet
        target = re.search(rf'Target="/?([^"]+)" Id="{rid.group(1)}"', self.text("xl/_rels/workbook.xml.rels"))
        assert target
        return target.group(1) if target.group(1).startswith("xl/") else "xl/" + target.group(1)

    def copy(self, source: str, name: str, *, hidden: bool = False) -> str:
        n = 1 + sum(m.startswith("xl/worksheets/sheet") for m in self.members)
        part = f"xl/worksheets/sheet{n}.xml"
        self.members[part] = self.members[self.part(source)]
        rid = f"rIdCopy{n}"
        workbook = self.text("xl/workbook.xml")
        sheet_id = 1 + max(int(i) for i in re.findall(r'sheetId="(\d+)"', workbook))
        state = "hidden" if hidden else "visible"
        entry = f'<sheet name="{name}" sheetId="{sheet_id}" state="{state}" r:id="{rid}" />'
        self.members["xl/workbook.xml"] = workbook.replace("</sheets>", entry + "</sheets>").encode()
        rel = f'<Relationship Type="{_WORKSHEET_REL}" Target="/{part}" Id="{rid}" />'
        rels = self.text("xl/_rels/workbook.xml.rels").replace("</Relationships>", rel + "</Relationships>")
        self.members["xl/_rels/workbook.xml.rels"] = rels.encode()
        override = f'<Override PartName="/{part}" ContentType="{_WORKSHEET_TYPE}" />'
        types = self.text("[Content_Types].xml").replace("</Types>", override + "</Types>")
        self.members["[Content_Types].xml"] = types.encode()
        return part

    def set(self, sheet: str, ref: str, value: str | int) -> None:
        part = self.part(sheet)
        self.members[part] = _set_cell(self.text(part), ref, value).encode()

    def save(self, out: Path) -> None:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.members.items():
                zf.writestr(name, data)


_WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _by_xml(sample: Path, out: Path) -> None:
    """The same copies made in the file's XML, as Excel stores a copied sheet (the template copy hidden)."""
    pkg = _Package(sample)
    pkg.copy("项目1", "项目1 (2)")
    pkg.copy("项目2", "_项目模板 (2)", hidden=True)
    pkg.set("_项目模板 (2)", NAME, TEMPLATE_COPY_NAME)
    pkg.copy("项目3", "孵化器")
    pkg.set("项目1", EXECUTED, 650000)
    pkg.copy(layout.LISTS_SHEET, "备注")
    pkg.copy(layout.PROJECT_TEMPLATE_SHEET, "项目4")
    pkg.save(out)


@pytest.fixture(scope="module", params=[_by_openpyxl, _by_xml], ids=["openpyxl", "xml"])
def copies(request: pytest.FixtureRequest, sample_xlsx: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    make: Callable[[Path, Path], None] = request.param
    path = tmp_path_factory.mktemp("copies") / "单位_副本.xlsx"
    make(sample_xlsx, path)
    path.chmod(0o444)
    return path


# --- reading ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_every_copy_is_read_as_its_own_project(copies: Path, engine: Any) -> None:
    unit = read(copies, engine)
    assert [p.sheet for p in unit.projects] == list(SHEETS)
    names = {p.sheet: p.name for p in unit.projects}
    assert names["项目1 (2)"] == names["项目1"] and names["孵化器"] == names["项目3"]
    assert names["_项目模板 (2)"] == TEMPLATE_COPY_NAME
    assert unit.other_sheets == ["备注"] and unit.blank_sheets == ["项目4"]
    budgets = {p.sheet: p.budget_year for p in unit.projects}
    assert budgets["_项目模板 (2)"] == budgets["项目2"] and budgets["孵化器"] == budgets["项目3"]


def test_the_report_keeps_each_sheets_counts(copies: Path, expected: dict[str, Counts]) -> None:
    report = check_file(copies).report
    assert report.per_project() == expected
    duplicates = sorted(f.sheet or "" for f in report.findings if f.code == "project.duplicate-name")
    assert duplicates == ["孵化器", "项目1 (2)"]
    assert [(f.code, f.severity) for f in report.findings if f.sheet == "备注"] == [("sheet.unread", Severity.WARNING)]
    assert [(f.code, f.severity) for f in report.findings if f.sheet == "项目4"] == [
        ("sheet.blank-project", Severity.INFO)
    ]


def test_validate_json_lists_projects_by_sheet(copies: Path, expected: dict[str, Counts]) -> None:
    result = CliRunner().invoke(app, ["validate", str(copies), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    projects = data["projects"]
    assert [p["sheet"] for p in projects] == list(LISTED)
    assert {p["sheet"]: p["counts"] for p in projects} == expected
    names = {p["sheet"]: p["name"] for p in projects}
    assert names["项目1 (2)"] == names["项目1"] != ""
    # Every finding is counted once: under its project, or at the unit level (cover, unread sheets).
    project_total = sum(sum(c.values()) for c in expected.values())
    assert sum(data["counts"].values()) == project_total + sum(1 for f in data["findings"] if "project" not in f)


def _status_rows(ws: Any) -> dict[str, tuple[Any, ...]]:
    """校验结果's status table: sheet -> (status, project name, errors, warnings, infos, link)."""
    rows = list(ws.iter_rows())
    width = len(marks.STATUS_HEADERS)
    start = next(i for i, r in enumerate(rows) if tuple(c.value for c in r[:width]) == marks.STATUS_HEADERS)
    out = {}
    for r in rows[start + 1 :]:
        if r[0].value is None:
            break
        link = r[2].hyperlink.location if r[2].hyperlink else None
        # The counts read as one text, "错误 N，警告 N，提示 N", under the findings table's 问题说明.
        counts = [int(n) for n in re.findall(r"\d+", str(r[4].value))]
        assert str(r[4].value) == marks.counts_text(dict(zip(("error", "warning", "info"), counts, strict=True)))
        out[r[2].value] = (r[1].value, r[3].value, *counts, link)
    return out


def test_results_sheet_has_a_row_per_sheet(copies: Path, expected: dict[str, Counts], tmp_path: Path) -> None:
    out = tmp_path / "checked.xlsx"
    checked = check_file(copies)
    write_back(copies, out, checked.report, checked.ruleset.title)
    rows = _status_rows(openpyxl.load_workbook(out)[marks.RESULTS_TITLE])
    assert list(rows) == list(LISTED)
    names = {p.sheet: p.name for p in checked.unit.projects}
    for sheet, c in expected.items():
        status, name, *counts, link = rows[sheet]
        assert (name, *counts) == (names[sheet], c["error"], c["warning"], c["info"])
        assert status == marks.project_status(c) and link == marks.link_location(sheet, "A1")
    # Excel's 校验全部 button writes the same sheet, cell for cell; besides, it lists the project sheets on the
    # cover's live table anew (the copies made by hand among them), which a file's write-back leaves as it was.
    wb, _ = _remote(copies, excel.validate_all)
    first = livelayout.COVER_LIVE_FIRST_SLOT_ROW
    slots = range(first, first + livelayout.COVER_LIVE_SLOTS)

    def outside_slots(content: dict[tuple[str, str], tuple[object, ...]]) -> dict[tuple[str, str], tuple[object, ...]]:
        return {
            (sheet, cell): v
            for (sheet, cell), v in content.items()
            if sheet != layout.COVER_SHEET or not cell or int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) not in slots
        }

    assert outside_slots(_content(wb)) == outside_slots(_content(openpyxl.load_workbook(out)))
    listed = {wb[layout.COVER_SHEET][f"A{r}"].value for r in slots} - {None}
    assert set(names) <= listed


def test_rollup_rows_and_summary_sheet_per_sheet(copies: Path, expected: dict[str, Counts], tmp_path: Path) -> None:
    checked = check_file(copies)
    r = roll_up(checked.unit, checked.report)
    assert {p.sheet: p.findings for p in r.projects} == expected
    out = tmp_path / "summary.xlsx"
    rollup_write_back(copies, out, r)
    # 汇总's figures are formulas over the project sheets; the values stored with them are what readers see.
    ws = openpyxl.load_workbook(out, data_only=True)[layout.SUMMARY_SHEET]
    header = [c.value for c in ws[PROJECT_HEADER_ROW]]
    assert tuple(header[: len(PROJECT_HEADERS)]) == PROJECT_HEADERS
    last = PROJECT_HEADER_ROW + len(SHEETS)
    cells = ws.iter_rows(min_row=PROJECT_HEADER_ROW + 1, max_row=last, values_only=True)
    rows = [dict(zip(header, r, strict=True)) for r in cells]
    assert {row["工作表"]: _counts(row) for row in rows} == expected
    budget = {p.sheet: p.budget_year for p in checked.unit.projects}
    assert {row["工作表"]: Decimal(str(row["项目当年预算（元）"])) for row in rows} == budget
    # Excel's 汇总 button writes the same 汇总 sheet.
    wb, _ = _remote(copies, excel.rollup)
    assert {k: v for k, v in _content(wb).items() if k[0] == layout.SUMMARY_SHEET} == {
        k: v for k, v in _content(openpyxl.load_workbook(out)).items() if k[0] == layout.SUMMARY_SHEET
    }


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_consolidation_rows_per_sheet(copies: Path, expected: dict[str, Counts], tmp_path: Path) -> None:
    out, csv_dir = tmp_path / "部门汇总.xlsx", tmp_path / "csv"
    run = consolidate([copies], out, csv_dir=csv_dir, jobs=1)
    assert run.total.projects == len(SHEETS)
    book = _records(out, PROJECTS_SHEET)
    text = _csv(csv_dir / f"{PROJECTS_SHEET}.csv")
    for table in (book, text):
        assert [r["工作表"] for r in table] == list(LISTED)
        assert {r["工作表"]: _counts(r) for r in table} == expected
    unit = read(copies)
    per_sheet = {p.sheet: len(p.indicators) for p in unit.projects}
    csv_sheets = [r["工作表"] for r in _csv(csv_dir / f"{INDICATORS_SHEET}.csv")]
    for sheets in ([r["工作表"] for r in _records(out, INDICATORS_SHEET)], csv_sheets):
        assert {s: sheets.count(s) for s in SHEETS} == per_sheet and len(sheets) == sum(per_sheet.values())


# --- duplicate sheet names inside the file ----------------------------------------------------------------


def _renamed(sample: Path, out: Path, renames: dict[str, str]) -> Path:
    """The sample with sheets renamed in workbook.xml only: two entries may then share a name."""
    pkg = _Package(sample)
    workbook = pkg.text("xl/workbook.xml")
    for old, new in renames.items():
        workbook = workbook.replace(f'<sheet name="{old}"', f'<sheet name="{new}"')
    pkg.members["xl/workbook.xml"] = workbook.encode()
    pkg.save(out)
    return out


@pytest.mark.parametrize(
    ("renames", "shown"),
    [({"项目2": "项目1"}, "“项目1”"), ({"项目1": "Project", "项目2": "PROJECT"}, "“Project”和“PROJECT”")],
    ids=["same", "case"],
)
def test_duplicate_sheet_names_refuse_the_file(
    sample_xlsx: Path, tmp_path: Path, renames: dict[str, str], shown: str
) -> None:
    path = _renamed(sample_xlsx, tmp_path / "同名.xlsx", renames)
    # What the readers themselves do: calamine lists both and hands back the first for either name.
    from python_calamine import CalamineWorkbook

    names = CalamineWorkbook.from_path(str(path)).sheet_names
    assert len({n.casefold() for n in names}) == len(names) - 1
    for engine in ("calamine", "openpyxl"):
        with pytest.raises(errors.DuplicateSheetError) as e:
            read_grids(path, engine)  # type: ignore[arg-type]
        assert e.value.file == str(path) and shown in e.value.message
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["validate", str(path), "--write-back", str(out)])
    assert result.exit_code == 2 and "同名.xlsx" in result.output and shown in result.output
    assert "Traceback" not in result.output and not out.exists()
    run = consolidate([path], tmp_path / "dept.xlsx", jobs=1)
    (entry,) = run.ledger
    assert entry.status == REJECTED and entry.code == "workbook.duplicate-sheet" and shown in entry.reason


def test_unused_names_never_hide_a_sheet(copies: Path) -> None:
    """Reading is by layout: no sheet of the copies case is dropped, whatever its name or visibility."""
    book = read_grids(copies)
    unit = read(copies)
    accounted = {*(p.sheet for p in unit.projects), *unit.other_sheets, *unit.blank_sheets, *layout.SYSTEM_SHEETS}
    assert set(book.names()) <= accounted


def test_a_pasted_summary_table_is_listed_not_read_as_a_project(sample_xlsx: Path, tmp_path: Path) -> None:
    """A copy of 汇总 has 项目名称 and budget headers in one row: not a project form, so an unread sheet."""
    checked = check_file(sample_xlsx)
    summary = tmp_path / "summary.xlsx"
    rollup_write_back(sample_xlsx, summary, roll_up(checked.unit, checked.report))
    wb = openpyxl.load_workbook(summary)
    wb.copy_worksheet(wb[layout.SUMMARY_SHEET]).title = "汇总 (2)"
    path = tmp_path / "pasted.xlsx"
    wb.save(path)
    unit = read(path)
    assert [p.sheet for p in unit.projects] == ["项目1", "项目2", "项目3"] and unit.other_sheets == ["汇总 (2)"]
    report = check_file(path).report
    (unread,) = [f for f in report.findings if f.code == "sheet.unread"]
    assert unread.sheet == "汇总 (2)" and "汇总 (2)" in unread.message and unread.cell is None


def test_blank_template_says_its_project_sheet_is_blank(tmp_path: Path) -> None:
    from xlgoals.workbooks.template import build_workbook

    path = tmp_path / "blank.xlsx"
    build_workbook().save(path)
    report = check_file(path).report
    assert [(f.code, f.sheet) for f in report.findings if f.code.startswith("sheet.")] == [
        ("sheet.blank-project", "项目1")
    ]
    assert layout.PROJECT_TEMPLATE_SHEET not in {f.sheet for f in report.findings}
    # A rows-shifted project form is still recognised, and refused with the cell its label moved to.
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["项目1"]).title = "孵化器"
    wb["孵化器"][NAME] = "孵化器运行"
    wb["孵化器"].insert_rows(3)
    wb.save(path)
    with pytest.raises(errors.LayoutError) as e:
        read(path)
    assert e.value.sheet == "孵化器" and "A5" in e.value.message


def test_ledger_counts_every_project_of_the_copies(copies: Path, tmp_path: Path) -> None:
    run = consolidate([copies], tmp_path / "dept.xlsx", jobs=1)
    (entry,) = _records(tmp_path / "dept.xlsx", LEDGER_SHEET)
    assert entry["读取项目数"] == len(SHEETS) == run.total.projects


@pytest.mark.parametrize(
    ("active", "says"),
    [
        ("_项目模板 (2)", "错误 0 项"),
        ("孵化器", "错误 1 项"),
        ("备注", "请先切换到要校验的项目表"),
        ("项目4", "还没有填写内容"),
    ],
)
def test_validate_active_on_any_project_sheet(copies: Path, active: str, says: str) -> None:
    """校验本表 works on a project sheet whatever its name, and explains itself elsewhere."""
    wb, events = _remote(copies, excel.validate_active, active_sheet=active)
    alerts = [e["args"][0] for e in events if e["func"] == "alert"]
    assert len(alerts) == 1 and says in alerts[0]
    marked = marks.recorded(wb[layout.MARKS_SHEET].iter_rows(values_only=True)) if says.startswith("错误") else set()
    assert {sheet for sheet, _ in marked} <= {active}
    assert (active == "孵化器") == bool(marked)  # its duplicate name is marked on its own sheet only


def test_a_spreadsheet_program_keeps_the_copies(
    sample_xlsx: Path, expected: dict[str, Counts], soffice: str, tmp_path: Path
) -> None:
    """The XML-made copies, opened and saved by LibreOffice, still read as six projects with their own counts."""
    from tests.office import convert

    made = tmp_path / "copies.xlsx"
    _by_xml(sample_xlsx, made)
    saved = convert(soffice, made, "xlsx", tmp_path / "lo")
    assert check_file(saved).report.per_project() == expected


def test_typing_into_the_hidden_template_is_said(sample_xlsx: Path, tmp_path: Path) -> None:
    """With macros blocked a user may unhide _项目模板 and fill it in: not a project, but never silent."""
    wb = openpyxl.load_workbook(sample_xlsx)
    wb[layout.PROJECT_TEMPLATE_SHEET][NAME] = "新增的孵化项目"
    path = tmp_path / "template_filled.xlsx"
    wb.save(path)
    checked = check_file(path)
    assert [p.sheet for p in checked.unit.projects] == ["项目1", "项目2", "项目3"]
    (said,) = [f for f in checked.report.findings if f.sheet == layout.PROJECT_TEMPLATE_SHEET]
    assert said.code == "sheet.template-filled" and said.severity is Severity.WARNING and said.cell is None
    assert "sheet.template-filled" not in check_file(sample_xlsx).report.counts_by_code()


@pytest.mark.parametrize("reserved", [layout.SUMMARY_SHEET, layout.RESULTS_SHEET, layout.IMPORT_SHEET])
def test_a_project_sheet_under_a_reserved_name_is_an_error_not_a_loss(
    sample_xlsx: Path, tmp_path: Path, reserved: str
) -> None:
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["项目2"].title = reserved
    path = tmp_path / "reserved.xlsx"
    wb.save(path)
    checked = check_file(path)
    assert [p.sheet for p in checked.unit.projects] == ["项目1", "项目3"]
    (finding,) = [f for f in checked.report.findings if f.sheet == reserved]
    assert (finding.code, finding.severity, finding.cell) == ("sheet.reserved-name", Severity.ERROR, None)
    assert f"“{reserved}”" in finding.message and "“项目2”" in finding.message  # the free name to give it
    result = CliRunner().invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1 and json.loads(result.output)["counts_by_code"]["sheet.reserved-name"] == 1
    # The department's summary lists it among the unit's problems, under the sheet it names.
    summary = tmp_path / "summary.xlsx"
    consolidate([path], summary, jobs=1)
    problems = _records(summary, FINDING_DETAILS_SHEET)
    assert [(r["工作表"], r["代码"]) for r in problems if r["代码"] == "sheet.reserved-name"] == [
        (reserved, "sheet.reserved-name")
    ]
    assert len(_records(summary, PROJECTS_SHEET)) == 2
    # The 校验本表 button on it says why instead of asking for a project sheet.
    wb = openpyxl.load_workbook(path)
    wb.active = wb.sheetnames.index(reserved)
    wb.save(path)
    _, events = _remote(path, excel.validate_active)
    assert [e["args"][0] for e in events if e["func"] == "alert"] == [finding.message]
