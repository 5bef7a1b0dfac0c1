"""What the department and the unit print, through LibreOffice: pages, scale, colours and words on each page.

The 20-unit department of benchmarks/make_department.py prints its readable sheets legibly (pages counted,
the scale measured from the printed glyphs); a finished declaration prints without its input shading, its
empty indicator rows, or the tool's own settings, and ends with its sign-off block; 汇总's chart shows every
project's label on one page at 3 and at 60 projects."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.office import convert, convert_all
from tests.summary_tables import make_department
from xlgoals.core import layout, signoff
from xlgoals.core.model import Unit
from xlgoals.department.consolidate import consolidate
from xlgoals.io.reader import read
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.rollup import roll_up
from xlgoals.unit.summarysheet import PROJECT_HEADER_ROW, summary_plan
from xlgoals.unit.summarysheet import write_back as rollup_write_back
from xlgoals.validation.writeback import write_back
from xlgoals.workbooks.template import write_template, write_unit

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
# The sheets a director reads; the data sheets print a one-page note each.
READABLE = ("概况", "单位汇总", "校验问题", "台账")
BODY_POINTS = 11  # the summary's text and headers are set in 11-point faces


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _pages(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]


def _text(pdf: Path, page: int) -> str:
    return _run("pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-")


def _words(pdf: Path, page: int) -> list[tuple[str, float]]:
    """Each word on a page with its printed width in points."""
    xml = _run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    return [
        (m.group(3), float(m.group(2)) - float(m.group(1)))
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>', xml)
    ]


def _scale(pdf: Path, page: int) -> float | None:
    """The scale a page printed at: a Chinese character is one em wide, so a word of n of them in an 11-point
    face is 11·n points wide at full scale. Measured on the header's pure-Chinese titles."""
    ratios = [
        width / (len(word) * BODY_POINTS)
        for word, width in _words(pdf, page)
        if 2 <= len(word) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in word)
    ]
    ratios.sort()
    return ratios[len(ratios) // 2] if ratios else None


@pytest.fixture(scope="module")
def department_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    root = tmp_path_factory.mktemp("paper")
    make_department(root / "dept", units=20, seed=1)
    out = root / "summary.xlsx"
    consolidate([root / "dept"], out, group_by="department", jobs=2)
    return out, convert(soffice, out, "pdf", root / "pdf")


def test_twenty_units_print_in_twelve_legible_pages(department_pdf: tuple[Path, Path]) -> None:
    _, pdf = department_pdf
    pages = _pages(pdf)
    assert pages <= 12
    by_sheet: dict[str, list[int]] = {}
    for page in range(1, pages + 1):
        # The footer names the sheet at its left: '概况  第 1 页，共 9 页  部门项目支出绩效目标汇总 · 概况'.
        footer = [line for line in _text(pdf, page).splitlines() if "第 " in line and " 页，共 " in line][-1]
        by_sheet.setdefault(footer.split()[0], []).append(page)
    assert set(READABLE) <= set(by_sheet), by_sheet
    for name in ("项目清单", "指标明细", "问题明细"):
        (page,) = by_sheet[name]  # a data sheet prints its note, one page
        assert "本表为数据表" in _text(pdf, page) and "CSV" in _text(pdf, page)
    for name in READABLE:
        for page in by_sheet[name]:
            scale = _scale(pdf, page)
            assert scale is not None and scale >= 0.8, (name, page, scale)
    first = _text(pdf, by_sheet["单位汇总"][0])
    for fact in ("主管部门：", "年度：2020", "金额单位：元", "制表日期：", "规则集："):
        assert fact in first, fact


def test_the_summary_reads_as_a_report(department_pdf: tuple[Path, Path]) -> None:
    out, _ = department_pdf
    wb = openpyxl.load_workbook(out)
    units = wb["单位汇总"]
    header = layout.SUMMARY_TABLE_HEADER_ROW
    rows = list(units.iter_rows(min_row=header + 1))
    total = next(r for r in rows if r[0].value == "部门合计")
    subtotal = next(r for r in rows if str(r[0].value).endswith("小计"))
    plain = rows[0]
    # 小计 and 部门合计 bold and ruled (部门合计 with a double rule under it); units' rows not.
    assert all(c.font.b for c in subtotal[:13]) and all(c.font.b for c in total[:13]) and not plain[1].font.b
    assert subtotal[5].border.top.style == "thin" and total[5].border.bottom.style == "double"
    # The faces are Chinese, the title heavier than the body.
    assert units["A1"].font.name == "黑体" and units["A1"].font.b and plain[0].font.name == "宋体"
    assert units["A1"].value.startswith("部门项目支出绩效目标汇总")
    ledger = wb["台账"]
    titles = [c.value.replace("\n", "") for c in ledger[header]]
    codes = [r[-1] for r in ledger.iter_rows(min_row=header + 1) if r[-1].value]
    assert titles[-1] == "代码" and codes and all(c.font.sz == 8 for c in codes)  # the code last and small
    size = ledger.cell(header + 1, titles.index("大小（字节）") + 1)
    assert size.number_format == "#,##0" and isinstance(size.value, int)
    sha = ledger.cell(header + 1, titles.index("SHA-256（前 12 位）") + 1).value
    assert re.fullmatch(r"[0-9a-f]{12}", sha)
    with zipfile.ZipFile(out) as zf:
        assert b"<dc:language>zh-CN</dc:language>" in zf.read("docProps/core.xml")


def _yellow_pixels(pdf: Path, page: int, folder: Path) -> int:
    """Pixels of the input shading (255, 253, 231) on a page rendered at 40 dpi."""
    stem = folder / f"p{page}"
    _run("pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem))
    data = stem.with_suffix(".ppm").read_bytes()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    assert m is not None
    pixels = data[m.end() :]
    return sum(
        1
        for i in range(0, len(pixels) - 2, 3)
        if abs(pixels[i] - 255) <= 2 and abs(pixels[i + 1] - 253) <= 2 and abs(pixels[i + 2] - 231) <= 3
    )


def test_a_finished_declaration_prints_as_the_form(sample_xlsx: Path, soffice: str, tmp_path: Path) -> None:
    checked = tmp_path / "checked.xlsx"
    report = check_file(sample_xlsx)
    write_back(sample_xlsx, checked, report.report, report.ruleset.title)
    blank, finished = tmp_path / "blank.xlsx", tmp_path / "finished.xlsx"
    write_template(blank, projects=1)
    shutil.copyfile(sample_xlsx, finished)
    pdf, blank_pdf, finished_pdf = convert_all(soffice, [checked, blank, finished], "pdf", tmp_path / "pdf")
    texts = [_text(pdf, p) for p in range(1, _pages(pdf) + 1)]
    # The cover prints the declaration's facts, not the tool's settings or its help.
    cover = texts[0]
    assert "申报单位名称" in cover and not any(w in cover for w in ("汇总文件夹", "历史库", "汇总金额单位", "填表说明"))
    sheets = openpyxl.load_workbook(checked)
    for p in range(1, len(texts) + 1):
        if "三级目标" in texts[p - 1] and "项目概况" not in texts[p - 1]:
            # A continuation page of a project names it at its top.
            sheet = next(s for s in ("项目1", "项目2", "项目3") if f"{s} · " in texts[p - 1])
            assert str(sheets[sheet]["B4"].value) in texts[p - 1]
    # Each project ends with its sign-off block, and only filled indicator rows print.
    signoffs = [t for t in texts if "单位负责人：" in t and "财务负责人：" in t and "单位（盖章）：" in t]
    assert len(signoffs) == 3
    for sheet in ("项目1", "项目2", "项目3"):
        ws = sheets[sheet]
        hidden = [
            r for r in range(layout.INDICATOR_FIRST_ROW, layout.INDICATOR_LAST_ROW + 1) if ws.row_dimensions[r].hidden
        ]
        filled = len(read(checked).projects[int(sheet[-1]) - 1].indicators)
        assert hidden == list(range(layout.INDICATOR_FIRST_ROW + filled, layout.INDICATOR_LAST_ROW + 1))
    # A finished form prints no input shading; a blank one shows where to fill.
    assert all(_yellow_pixels(finished_pdf, p, tmp_path) == 0 for p in range(1, _pages(finished_pdf) + 1))
    assert _yellow_pixels(blank_pdf, 2, tmp_path) > 100


def test_the_signoff_block_is_never_read_as_indicators(sample_unit: Unit, tmp_path: Path) -> None:
    many = sample_unit.model_copy(deep=True)
    many.projects[0].indicators = many.projects[0].indicators * 3  # past the template's 30 rows
    path = tmp_path / "unit.xlsx"
    write_unit(many, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["项目1"]
    rows = len(many.projects[0].indicators)
    first_signoff = signoff.signoff_first_row(layout.INDICATOR_FIRST_ROW + rows - 1)
    assert (ws[f"A{first_signoff}"].value, ws[f"C{first_signoff}"].value) == signoff.SIGNOFF_LABELS[0]
    assert ws.print_area == f"'项目1'!$A$1:$D${first_signoff + len(signoff.SIGNOFF_LABELS) - 1}"
    # Names typed beside the labels stay the unit's; none of it becomes an indicator.
    ws[f"B{first_signoff}"], ws[f"D{first_signoff + 1}"] = "张三", "2020-03-01"
    wb.save(path)
    for engine in ("calamine", "openpyxl"):
        unit = read(path, engine)  # type: ignore[arg-type]
        assert [len(p.indicators) for p in unit.projects] == [len(p.indicators) for p in many.projects]
    assert not [
        f
        for f in check_file(path).report.findings
        if f.cell and f.cell[1:].isdigit() and int(f.cell[1:]) >= first_signoff
    ]


def test_a_national_template_presets_wan(tmp_path: Path) -> None:
    path = tmp_path / "national.xlsx"
    write_template(path, framework="national")
    assert openpyxl.load_workbook(path)[layout.COVER_SHEET][layout.COVER_MONEY_UNIT_CELL].value == "万元"
    write_template(tmp_path / "sh.xlsx")
    assert openpyxl.load_workbook(tmp_path / "sh.xlsx")[layout.COVER_SHEET][layout.COVER_MONEY_UNIT_CELL].value == "元"


@pytest.mark.parametrize("copies", [1, 20])
def test_the_chart_shows_every_project_on_one_page(
    sample_unit: Unit, soffice: str, tmp_path: Path, copies: int
) -> None:
    """3 and 60 projects: horizontal bars, a label for each; more bars than a page holds take more charts,
    each whole on its page."""
    unit = sample_unit.model_copy(deep=True)
    unit.projects = []
    for _ in range(copies):
        for p in sample_unit.projects:
            q = p.model_copy(deep=True)
            q.name = f"示范项目{len(unit.projects) + 1:02d}号" if copies > 1 else p.name
            unit.projects.append(q)
    src, out = tmp_path / "unit.xlsx", tmp_path / "rolled.xlsx"
    write_unit(unit, src)
    checked = check_file(src)
    rolled = roll_up(checked.unit, checked.report)
    rollup_write_back(src, out, rolled)
    charts = summary_plan(rolled).charts
    assert len(charts) == (1 if copies == 1 else 2)
    pdf = convert(soffice, out, "pdf", tmp_path / "pdf")
    pages = ["".join(_text(pdf, p).split()) for p in range(1, _pages(pdf) + 1)]
    for chart in charts:
        names = [
            "".join(p.name.split())
            for p in rolled.projects[chart.first_row - PROJECT_HEADER_ROW - 1 : chart.last_row - PROJECT_HEADER_ROW]
        ]
        title = "".join(chart.title.split())
        # Some page shows the chart's title with every one of its labels under it: nothing cut off, none skipped.
        assert any(title in page and all(n in page[page.index(title) :] for n in names) for page in pages), chart.title


def test_rule_codes_stay_out_of_the_readers_way(sample_xlsx: Path, tmp_path: Path) -> None:
    """The terminal's table shows codes only with --codes (the JSON always has them); 校验结果 and the
    summary's 校验问题 put them last, in a small face."""
    import json

    from typer.testing import CliRunner

    from xlgoals.shells.cli import app
    from xlgoals.validation import marks

    runner = CliRunner()
    codes = {f.code for f in check_file(sample_xlsx).report.findings}
    plain = runner.invoke(app, ["validate", str(sample_xlsx)], env={"COLUMNS": "200"}).stdout
    shown = runner.invoke(app, ["validate", str(sample_xlsx), "--codes"], env={"COLUMNS": "200"}).stdout
    assert codes and not any(c in plain for c in codes) and all(c in shown for c in codes)
    data = json.loads(runner.invoke(app, ["validate", str(sample_xlsx), "--format", "json"]).stdout)
    assert {f["code"] for f in data["findings"]} == codes
    checked = tmp_path / "checked.xlsx"
    report = check_file(sample_xlsx)
    write_back(sample_xlsx, checked, report.report, report.ruleset.title)
    results = openpyxl.load_workbook(checked)[marks.RESULTS_TITLE]
    header = next(r for r in results.iter_rows() if tuple(c.value for c in r[:7]) == marks.RESULTS_HEADERS)
    code_cells = [results.cell(r, len(marks.RESULTS_HEADERS)) for r in range(header[0].row + 1, results.max_row + 1)]
    assert header[-1].value == "规则代码" and all(c.font.sz == 8 for c in code_cells if c.value)
    summary = tmp_path / "summary.xlsx"
    consolidate([sample_xlsx], summary, jobs=1)
    digest = openpyxl.load_workbook(summary)["校验问题"]
    last = digest.cell(layout.SUMMARY_TABLE_HEADER_ROW, digest.max_column)
    assert last.value == "代码" and digest.cell(last.row + 1, last.column).font.sz == 8
