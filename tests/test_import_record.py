"""导入记录: what a published table holds beyond the project sheets' cells is kept in the workbook, not dropped."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.conftest import SAMPLE_TXT
from tests.office import convert
from tests.test_real_tables import REAL, STEMS
from xlgoals.core import layout
from xlgoals.core.errors import ImportTextError
from xlgoals.core.model import Project, is_selfeval
from xlgoals.core.selfevallayout import SELFEVAL_FIELDS, SELFEVAL_FIRST_ROW
from xlgoals.core.values import format_money
from xlgoals.importing.importer import ImportResult, _as_cells, import_file, import_text, placed_selfeval, write_import
from xlgoals.importing.record import (
    MAX_SHOWN,
    MONEY,
    SAID,
    SELF_EVALUATION,
    UNPLACED,
    _text,
    indicator_columns,
)
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file, choose_ruleset
from xlgoals.validation.writeback import write_back
from xlgoals.workbooks.selfevalbook import write_selfeval_workbook


def _imported(stem: str, tmp_path: Path) -> tuple[ImportResult, Path]:
    result = import_file(REAL / f"{stem}.txt")
    path = tmp_path / f"{stem}.xlsx"
    assert write_import(result, path, f"{stem}.txt")
    return result, path


def _rows(path: Path) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path)[layout.IMPORT_SHEET]
    return [tuple("" if v is None else v for v in r) for r in ws.iter_rows(values_only=True)]


def _section(rows: list[tuple[Any, ...]], title: str) -> list[tuple[Any, ...]]:
    """The rows under a section title, header first, up to the blank row that ends the section."""
    titles = [i for i, r in enumerate(rows) if r[0] == title]
    if not titles:
        return []
    start = titles[0] + 1
    end = next((i for i in range(start, len(rows)) if not any(rows[i])), len(rows))
    return rows[start:end]


def _off_selfeval_sheet(p: Project) -> set[tuple[str, str]]:
    """The header fields a 自评 sheet has no cell for (the declaration's amounts, say), as the record writes them."""
    on_sheet = {spec.key for spec in SELFEVAL_FIELDS}
    out = set()
    for key, spec in layout.ANY_PROJECT_FIELD.items():
        value = p.unparsed.get(key) or getattr(p, key)
        if key not in on_sheet and value not in (None, ""):
            out.add((layout.yuan_label(spec) if spec.kind == "money" else spec.label, _text(value)))
    return out


@pytest.mark.parametrize("stem", STEMS)
def test_everything_the_sheets_have_no_cell_for_is_in_the_record(stem: str, tmp_path: Path) -> None:
    result, path = _imported(stem, tmp_path)
    rows = _rows(path)
    assert rows[1][0] == f"来源：{stem}.txt"
    # A published self-evaluation is written on a 自评 sheet: its 自评 facts and columns have cells there (its
    # 年度总体目标 and 实际完成情况 too), the declaration's amounts do not.
    (p,) = placed_selfeval(result.unit).projects
    selfeval = is_selfeval(p)
    facts = {(r[2], r[3]) for r in _section(rows, "项目表没有位置的表头内容")[1:]}
    assert facts == {
        *(() if p.form in ("", "申报表") or selfeval else [("表样", p.form)]),
        *(
            (title, format_money(v) if key in MONEY else str(v))
            for key, title in SELF_EVALUATION
            if (v := getattr(p, key)) is not None and not selfeval
        ),
        *(_off_selfeval_sheet(p) if selfeval else ()),
        *((f"一级指标“{k}”的分值", v) for k, v in p.level1_scores.items()),
        *p.extra.items(),
    }
    if not any(indicator_columns(i, selfeval) for i in p.indicators):
        assert _section(rows, "指标表的其他列") == []
    else:
        header, *body = _section(rows, "指标表的其他列")
        columns = list(header[3:])
        # Each row names the cell of its indicator on 项目1, and carries every further column as written.
        sheet = openpyxl.load_workbook(path)["项目1"]
        kept = {(r[1], tuple(r[3 : 3 + len(columns)])) for r in body}
        want = set()
        first = SELFEVAL_FIRST_ROW if selfeval else layout.INDICATOR_FIRST_ROW
        for row, ind in enumerate(p.indicators, start=first):
            if indicator_columns(ind, selfeval):
                cell = layout.indicator_cell(row, "name")
                assert sheet[cell].value == ind.name
                want.add((cell, tuple(indicator_columns(ind, selfeval).get(c, "") for c in columns)))
        assert kept == want
    for title, kind in ((UNPLACED, "unplaced"), (SAID, "info")):
        notes = _section(rows, title)[1:]
        assert [(r[0], r[1]) for r in notes] == [(n.line, n.reason) for n in result.notes if n.kind == kind]


def test_the_record_changes_nothing_a_check_reads(tmp_path: Path) -> None:
    result, path = _imported("chizhou_tangxi_2022_weituoyewu_ziping", tmp_path)
    plain = tmp_path / "plain.xlsx"
    unit = placed_selfeval(result.unit)  # a self-evaluation: its workbook is a 自评 workbook
    write_selfeval_workbook(_as_cells(unit), choose_ruleset(unit), plain)
    with_record, without = check_file(path), check_file(plain)
    assert with_record.unit.model_dump(exclude={"source"}) == without.unit.model_dump(exclude={"source"})
    assert with_record.report.counts_by_code() == without.report.counts_by_code()
    assert not [f for f in with_record.report.findings if f.sheet == layout.IMPORT_SHEET]
    # A write-back keeps it, where it was: after the project sheets.
    checked = tmp_path / "checked.xlsx"
    write_back(path, checked, with_record.report, with_record.ruleset.title)
    names = openpyxl.load_workbook(checked).sheetnames
    assert names.index(layout.IMPORT_SHEET) == names.index("项目1") + 1
    assert _rows(checked) == _rows(path)


@pytest.mark.parametrize(
    ("framework", "fields", "want"),
    [
        # A Shanghai declaration has no cells for the national form's 实施单位 and 其他资金 …
        (
            "shanghai-2020",
            {"implementer": "区农业农村局", "budget_other": D(20_000)},
            {("实施单位", "区农业农村局"), ("其他资金（元）", "20,000")},
        ),
        # … and the national form none for Shanghai's 项目设立的必要性 or 是否含有政府购买服务.
        (
            "national",
            {"necessity": "补齐短板。", "gov_purchase": True},
            {("项目设立的必要性", "补齐短板。"), ("是否含有政府购买服务", "是")},
        ),
    ],
)
def test_fields_the_other_form_has_are_kept(
    framework: str, fields: dict[str, Any], want: set[tuple[str, str]], tmp_path: Path
) -> None:
    result = import_file(SAMPLE_TXT)
    unit = result.unit.model_copy(update={"framework": framework})
    unit.projects = [unit.projects[0].model_copy(update=fields)]
    path = tmp_path / "u.xlsx"
    assert write_import(ImportResult(unit), path, "u.txt")
    facts = {(r[2], r[3]) for r in _section(_rows(path), "项目表没有位置的表头内容")[1:]}
    assert want <= facts
    # Nothing else than fields the sheet's form lacks: the sample's other fields all have cells on Shanghai's.
    on_sheet = {spec.label for spec in layout.FORM_FIELDS["national" if framework == "national" else "shanghai"]}
    assert not {what for what, _ in facts} & on_sheet
    if framework == "shanghai-2020":
        assert facts == want


def test_a_table_with_nothing_left_over_gets_no_record(tmp_path: Path) -> None:
    assert not write_import(import_file(SAMPLE_TXT), tmp_path / "sample.xlsx", SAMPLE_TXT.name)
    assert layout.IMPORT_SHEET not in openpyxl.load_workbook(tmp_path / "sample.xlsx").sheetnames


def test_a_very_long_unplaced_line_is_cut_and_its_length_said(tmp_path: Path) -> None:
    noise = "页眉" * 2000
    result = import_text(f"{noise}\n项目名称 道路\n一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 里程 ≥5公里\n")
    assert write_import(result, tmp_path / "u.xlsx", "u.txt")
    (note,) = _section(_rows(tmp_path / "u.xlsx"), "未能归入任何字段的原文（未导入）")[1:]
    assert note[2].startswith(noise[:MAX_SHOWN]) and note[2].endswith("（共 4,000 字，以下从略）")


def test_import_command_says_where_the_rest_went(tmp_path: Path) -> None:
    out = tmp_path / "c.xlsx"
    stem = "chizhou_tangxi_2022_weituoyewu_ziping"
    result = CliRunner().invoke(app, ["import", str(REAL / f"{stem}.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"已原样保留在“{layout.IMPORT_SHEET}”表" in "".join(result.output.split())
    assert layout.IMPORT_SHEET in openpyxl.load_workbook(out).sheetnames


def test_the_record_prints_across_the_page(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or pdftotext is not installed")
    _, path = _imported("chizhou_tangxi_2022_weituoyewu_ziping", tmp_path)
    pdf = convert(soffice, path, "pdf", tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    # The record prints after the cover and the project sheet, on two pages at most.
    first = next(i for i, page in enumerate(pages) if "来源：chizhou_tangxi_2022_weituoyewu_ziping.txt" in page)
    record = pages[first:]
    assert len(record) <= 2, len(record)
    # The self-evaluation's columns (实际完成值, 分值, 得分) print on its 自评 sheet, in their cells, not here.
    lines = "\n".join(record).splitlines()
    assert not any("实际完成值" in line for line in lines)
    assert any("实际完成值" in page and "原表得分" in page for page in pages[:first])
    assert any("公众满" in line for line in lines)  # the last unplaced line, at the end of the last section


_NATIONAL = st.sampled_from(
    [
        " ", "\n", "|", "\t", "项目名称 ", "主管部门 ", "实施单位 ", "年度资金总额 ", "其中：财政拨款 ",
        "上年结转资金 ", "财政资金科目代码 ",
        "一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施\n",
        "产出指标(50分) ", "数量指标 ", "质量指标 ", "成本指标 ", "满意度指标(10分) ", "≥50个 ", "达成预期指标 ", "8 ",
        "=SUM(A1) ", "\x07", "\u200b", "自评表", "（2022年度）", "90 ",
    ]
)  # fmt: skip


# A project and a scored table's header, then lines of table words, noise and stray characters.
_HEAD = "项目名称 道路\n一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分\n"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.one_of(_NATIONAL, st.text(max_size=4)), min_size=1, max_size=8).map("".join), max_size=12).map(
        "\n".join
    )
)
def test_any_imported_text_writes_a_workbook_whose_record_reads_back(tmp_path_factory: Any, text: str) -> None:
    try:
        result = import_text(_HEAD + text)
    except ImportTextError:
        return
    path = tmp_path_factory.mktemp("any") / "u.xlsx"
    recorded = write_import(result, path, "u.txt")
    wb = openpyxl.load_workbook(path)
    assert (layout.IMPORT_SHEET in wb.sheetnames) == recorded
    if recorded:
        notes = _section(_rows(path), UNPLACED)[1:]
        said = _section(_rows(path), SAID)[1:]
        assert (len(notes), len(said)) == (
            sum(n.kind == "unplaced" for n in result.notes),
            sum(n.kind != "unplaced" for n in result.notes),
        )
        # Text that looks like a formula ('=SUM(A1)') stays text.
        assert all(c.data_type != "f" for row in wb[layout.IMPORT_SHEET].iter_rows() for c in row)
    report = check_file(path).report
    assert not [f for f in report.findings if f.sheet == layout.IMPORT_SHEET]


def test_excel_validate_all_leaves_the_record_as_it_was(tmp_path: Path) -> None:
    from tests.test_excel import _content, _remote
    from xlgoals import excel

    _, path = _imported("chizhou_tangxi_2022_weituoyewu_ziping", tmp_path)
    wb, _ = _remote(path, excel.validate_all)
    before = {k: v for k, v in _content(openpyxl.load_workbook(path)).items() if k[0] == layout.IMPORT_SHEET}
    assert {k: v for k, v in _content(wb).items() if k[0] == layout.IMPORT_SHEET} == before
    # The click marks what the command line marks: the record draws nothing of its own.
    cli = tmp_path / "cli.xlsx"
    checked = check_file(path)
    write_back(path, cli, checked.report, checked.ruleset.title)
    assert _content(wb) == _content(openpyxl.load_workbook(cli))
