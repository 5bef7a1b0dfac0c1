"""Consolidation: every input file in the ledger, totals that reconcile, and outputs other tools can open."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from tests.summary_tables import HEADER_ROW, records, saved_at, table
from tests.summary_tables import title as joined_title
from xlgoals.core import layout
from xlgoals.core.model import Unit
from xlgoals.department import consolidate as cons
from xlgoals.department.consolidate import (
    DEPARTMENT_TOTAL,
    DUPLICATE,
    FINDING_DETAILS_SHEET,
    FINDINGS_SHEET,
    INDICATORS_SHEET,
    LEDGER_SHEET,
    LOCK,
    OVERVIEW_SHEET,
    PROJECTS_SHEET,
    READ,
    REJECTED,
    SHEETS,
    UNITS_SHEET,
    Consolidation,
    ReconciliationError,
    consolidate,
    csv_safe,
    worker,
)
from xlgoals.io import rowxml, xlsxstream
from xlgoals.shells.cli import app
from xlgoals.unit import pipeline
from xlgoals.unit.pipeline import check_unit
from xlgoals.workbooks.template import write_unit

ROOT = Path(__file__).resolve().parent.parent
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HYPERLINK = '=HYPERLINK("http://example.invalid/x","点击")'
SAMPLE_BUDGET_YEAR = Decimal(5_989_200)


@dataclass
class Inbox:
    root: Path
    sample: Unit
    second: Unit
    expected: dict[str, str]  # path relative to root -> status


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, sample_unit: Unit, sample_xlsx: Path) -> Inbox:
    root = tmp_path_factory.mktemp("inbox")
    (root / "a").mkdir()
    (root / "b").mkdir()
    shutil.copyfile(sample_xlsx, root / "a" / "unit.xlsx")
    second = sample_unit.model_copy(deep=True)
    second.name = "上海市第二测试中心"
    second.department = "上海市科学技术委员会"
    for i, p in enumerate(second.projects, start=1):
        assert p.budget_year is not None and p.budget_total is not None
        p.budget_year += 1_000 * i
        p.budget_total += 1_000 * i
    second.projects[0].name = HYPERLINK
    second.projects[1].last_year_executed = Decimal("-100.00")  # a real negative number, not text
    write_unit(second, root / "b" / "second.xlsx")
    (root / "corrupt.xlsx").write_bytes(sample_xlsx.read_bytes()[:2000])
    (root / "notes.txt").write_text("请各单位于3月底前报送。\n", encoding="utf-8")
    (root / "old.xls").write_bytes(OLE_MAGIC + bytes(504))
    shutil.copyfile(sample_xlsx, root / "b" / "copy_of_unit.xlsx")
    (root / "a" / "~$unit.xlsx").write_bytes(b"\x06owner" + bytes(159))
    again = sample_unit.model_copy(deep=True)
    assert again.projects[0].budget_year is not None
    again.projects[0].budget_year += 1
    write_unit(again, root / "b" / "resubmitted.xlsx")
    # An earlier revision of the same declaration (its workbook says so): the original counts.
    saved_at(root / "b" / "resubmitted.xlsx", "2000-01-01T00:00:00Z")
    expected = {
        "a/unit.xlsx": READ,
        "b/second.xlsx": READ,
        "corrupt.xlsx": REJECTED,
        "notes.txt": REJECTED,
        "old.xls": REJECTED,
        "b/copy_of_unit.xlsx": DUPLICATE,
        "a/~$unit.xlsx": LOCK,
        "b/resubmitted.xlsx": DUPLICATE,
    }
    return Inbox(root, sample_unit, second, expected)


@dataclass
class Run:
    result: Consolidation
    out: Path
    csv_dir: Path
    parquet_dir: Path


@pytest.fixture(scope="module")
def run(inbox: Inbox, tmp_path_factory: pytest.TempPathFactory) -> Run:
    where = tmp_path_factory.mktemp("out")
    out, csv_dir, parquet_dir = where / "summary.xlsx", where / "csv", where / "parquet"
    result = consolidate([inbox.root], out, csv_dir=csv_dir, parquet_dir=parquet_dir, jobs=2)
    return Run(result, out, csv_dir, parquet_dir)


_sheet, _records = table, records


def _all_files(root: Path) -> set[str]:
    return {str(Path(d) / f) for d, _, fs in os.walk(root) for f in fs}


def test_ledger_accounts_for_every_file(inbox: Inbox, run: Run) -> None:
    ledger = _records(run.out, LEDGER_SHEET)
    files = _all_files(inbox.root)
    assert len(ledger) == len(files) == len(inbox.expected)
    # On paper a path is relative to the folder consolidated; the exports keep it as given, hash in full.
    assert sorted(r["文件"] for r in ledger) == sorted(os.path.relpath(f, inbox.root) for f in files)
    assert {r["文件"]: r["状态"] for r in ledger} == inbox.expected
    assert [r["序号"] for r in ledger] == list(range(1, len(ledger) + 1))
    with (run.csv_dir / f"{LEDGER_SHEET}.csv").open(encoding="utf-8-sig", newline="") as fh:
        exported = list(csv.DictReader(fh))
    for r, x in zip(ledger, exported, strict=True):
        path = Path(x["文件"])
        assert path == inbox.root / r["文件"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert x["SHA-256"] == digest and r["SHA-256（前 12 位）"] == digest[:12]
        assert r["大小（字节）"] == path.stat().st_size == int(x["大小（字节）"])


def test_ledger_reasons(inbox: Inbox, run: Run) -> None:
    by_name = {str(Path(e.path).relative_to(inbox.root)): e for e in run.result.ledger}
    assert by_name["old.xls"].code == "workbook.xls" and ".xls" in by_name["old.xls"].reason
    for name in ("corrupt.xlsx", "notes.txt"):
        assert by_name[name].code == "workbook.corrupt"
        assert "不是有效的 Excel 工作簿" in by_name[name].reason
    original = str(inbox.root / "a" / "unit.xlsx")
    copy = by_name["b/copy_of_unit.xlsx"]
    assert copy.duplicate_of == original and "SHA-256" in copy.reason
    # Another declaration of the same unit and year: a revision, not a silent duplicate. Its workbook says it
    # was saved before the original, so the original counts; the ledger says so, and how to make it count.
    resubmitted = by_name["b/resubmitted.xlsx"]
    assert resubmitted.duplicate_of == original and inbox.sample.name in resubmitted.reason
    assert resubmitted.code == "file.revision" and f'--prefer "{resubmitted.path}"' in resubmitted.reason
    assert "a/unit.xlsx" in resubmitted.reason and "保存时间" in resubmitted.reason
    assert "锁定文件" in by_name["a/~$unit.xlsx"].reason
    assert "b/resubmitted.xlsx" in by_name["a/unit.xlsx"].reason
    assert all(e.duplicate_of is None for e in run.result.ledger if e.status == READ)
    assert by_name["b/second.xlsx"].reason == ""
    assert [e.projects for e in run.result.ledger if e.status == READ] == [3, 3]
    assert not run.result.complete


def test_totals_reconcile(inbox: Inbox, run: Run) -> None:
    units = _records(run.out, UNITS_SHEET)
    *unit_rows, total = units
    assert total["单位"] == DEPARTMENT_TOTAL
    assert [u["单位"] for u in unit_rows] == [inbox.sample.name, inbox.second.name]
    projects = _records(run.out, PROJECTS_SHEET)
    for field, title in (
        ("budget_total", "项目总预算（元）"),
        ("budget_year", "项目当年预算（元）"),
        ("last_year_budget", "上年预算额（元）"),
        ("last_year_executed", "上年执行数（元）"),
    ):
        expected = inbox.sample.money_totals()[field] + inbox.second.money_totals()[field]
        label = next(s.label for s in layout.PROJECT_FIELDS if s.key == field)
        assert Decimal(str(total[title])) == expected
        assert sum(Decimal(str(u[title])) for u in unit_rows) == expected
        assert sum(Decimal(str(p[label] or 0)) for p in projects) == expected
        assert run.result.total.totals[field] == expected
    assert Decimal(str(unit_rows[0]["项目当年预算（元）"])) == SAMPLE_BUDGET_YEAR
    assert total["项目数"] == len(projects) == 6


def test_every_project_listed(inbox: Inbox, run: Run) -> None:
    projects = _records(run.out, PROJECTS_SHEET)
    got = sorted((p["单位"], p["项目名称"], p["工作表"]) for p in projects)
    want = sorted(
        (u.name, p.name, f"项目{i}") for u in (inbox.sample, inbox.second) for i, p in enumerate(u.projects, start=1)
    )
    assert got == want
    third = next(p for p in projects if p["单位"] == inbox.sample.name and p["工作表"] == "项目3")
    assert third["项目当年预算（元）"] == 4_989_200 and third["同名项目上年预算额（元）"] == 5_286_280
    assert third["计划开始日期"] is not None and third["是否含有政府购买服务"] in ("是", "否")


def test_indicators_long_table(inbox: Inbox, run: Run) -> None:
    rows = _records(run.out, INDICATORS_SHEET)
    assert len(rows) == sum(len(p.indicators) for u in (inbox.sample, inbox.second) for p in u.projects)
    mine = [r for r in rows if r["单位"] == inbox.sample.name]
    assert [(r["一级目标"], r["二级目标"], r["三级目标"], r["指标目标值"]) for r in mine] == [
        (i.level1, i.level2, i.name, i.value or None) for p in inbox.sample.projects for i in p.indicators
    ]
    used = next(r for r in mine if r["三级目标"] == "使用合理")  # the sample's third project, under 数量
    assert (used["比较符"], used["数值"], used["计量单位"], used["类型"]) == ("=", 100, "%", "定量")


def test_findings_sheet(inbox: Inbox, run: Run) -> None:
    rows = _records(run.out, FINDING_DETAILS_SHEET)
    reports = [check_unit(u).report for u in (inbox.sample, inbox.second)]
    assert len(rows) == sum(len(r.findings) for r in reports)
    assert {r["代码"] for r in rows} == {f.code for r in reports for f in r.findings}
    assert "money.negative" in {r["代码"] for r in rows if r["单位"] == inbox.second.name}
    assert all(r["文件"] and r["级别"] in ("错误", "警告", "提示") and r["问题说明"] for r in rows)
    assert list(rows[0])[-1] == "代码"  # the code last, for whoever needs it
    counts = {s: sum(r.counts()[s] for r in reports) for s in ("error", "warning", "info")}
    assert run.result.total.counts == counts
    # 校验问题, the digest to read: one row per unit and rule, its places counted, errors first.
    digest = _records(run.out, FINDINGS_SHEET)
    per_kind = {
        (u.name, f.code) for u, r in zip((inbox.sample, inbox.second), reports, strict=True) for f in r.findings
    }
    assert {(d["单位"], d["代码"]) for d in digest} == per_kind and len(digest) == len(per_kind)
    assert sum(d["处数"] for d in digest) == len(rows)
    levels = [d["级别"] for d in digest]
    assert levels == sorted(levels, key=["错误", "警告", "提示"].index)
    assert [d["序号"] for d in digest] == list(range(1, len(digest) + 1))
    for d in digest:
        mine = [r for r in rows if (r["单位"], r["代码"]) == (d["单位"], d["代码"])]
        assert d["问题说明（同类问题举一例）"] == mine[0]["问题说明"] and d["处数"] == len(mine)
        assert all(f"{r['工作表']}!" in d["位置"] for r in mine[:3] if r["单元格"])


def test_reopens_with_calamine(run: Run) -> None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(run.out))
    assert wb.sheet_names == list(SHEETS)
    units = wb.get_sheet_by_name(UNITS_SHEET).to_python()[HEADER_ROW - 1 :]
    total = next(r for r in units if r[0] == DEPARTMENT_TOTAL)
    header = [joined_title(t) for t in units[0]]
    assert Decimal(str(total[header.index("项目当年预算（元）")])) == run.result.total.totals["budget_year"]
    ledger = wb.get_sheet_by_name(LEDGER_SHEET).to_python()[HEADER_ROW - 1 :]
    assert len(ledger) - 1 == len(run.result.ledger)


def test_csv_bom_and_injection(inbox: Inbox, run: Run) -> None:
    assert set(cons.EXPORT_COLUMNS) == set(SHEETS) - {OVERVIEW_SHEET}
    for name in cons.EXPORT_COLUMNS:
        raw = (run.csv_dir / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        with (run.csv_dir / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            assert len(list(csv.reader(fh))) == len(_sheet(run.out, name))
    with (run.csv_dir / f"{PROJECTS_SHEET}.csv").open(encoding="utf-8-sig", newline="") as fh:
        projects = list(csv.DictReader(fh))
    names = [p["项目名称"] for p in projects]
    assert "'" + HYPERLINK in names and HYPERLINK not in names
    executed = [p["同名项目上年预算执行数（元）"] for p in projects if p["单位"] == inbox.second.name]
    assert "-100.00" in executed  # numeric: never given an apostrophe
    with (run.csv_dir / f"{INDICATORS_SHEET}.csv").open(encoding="utf-8-sig", newline="") as fh:
        values = [r["指标目标值"] for r in csv.DictReader(fh)]
    assert "'=100%" in values and "=100%" not in values and ">=95%" in values


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 21", "'+86 21"),
        ("-5%", "'-5%"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (">=95%", ">=95%"),
        ("上海", "上海"),
        ("", ""),
    ],
)
def test_csv_safe(text: str, safe: str) -> None:
    assert csv_safe(text) == safe


def test_parquet_round_trip(inbox: Inbox, run: Run) -> None:
    import pandas as pd

    for name in cons.EXPORT_COLUMNS:
        frame = pd.read_parquet(run.parquet_dir / f"{name}.parquet")
        assert len(frame) == len(_sheet(run.out, name)) - 1
        assert list(frame.columns) == [c.title for c in cons.EXPORT_COLUMNS[name]]
    projects = pd.read_parquet(run.parquet_dir / f"{PROJECTS_SHEET}.parquet")
    assert sum(projects["项目当年预算（元）"]) == run.result.total.totals["budget_year"]
    assert HYPERLINK in set(projects["项目名称"])  # parquet keeps the text exactly; only CSV is escaped
    assert set(projects["单位"]) == {inbox.sample.name, inbox.second.name}


def test_cli_exit_codes(inbox: Inbox, sample_xlsx: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "s.xlsx"
    result = runner.invoke(app, ["consolidate", str(inbox.root), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert DEPARTMENT_TOTAL in result.stdout and out.exists()

    clean = tmp_path / "clean"
    clean.mkdir()
    shutil.copyfile(sample_xlsx, clean / "unit.xlsx")
    result = runner.invoke(app, ["consolidate", str(clean), "-o", str(tmp_path / "c.xlsx"), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"budget_year": "5989200.00"' in result.stdout

    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["consolidate", str(empty), "-o", str(tmp_path / "e.xlsx")]).exit_code == 2
    assert runner.invoke(app, ["consolidate", "-o", str(tmp_path / "e.xlsx")]).exit_code == 2
    assert not (tmp_path / "e.xlsx").exists()


def test_missing_path_is_in_the_ledger(sample_xlsx: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.xlsx"
    result = consolidate([sample_xlsx, missing], tmp_path / "s.xlsx", jobs=1)
    assert [(e.path, e.status) for e in result.ledger] == [(str(sample_xlsx), READ), (str(missing), REJECTED)]
    assert "找不到" in result.ledger[1].reason


def test_group_subtotals(inbox: Inbox, tmp_path: Path) -> None:
    for group_by, groups in (
        ("folder", ["a", "b"]),
        ("department", [cons.NO_DEPARTMENT, inbox.second.department]),
    ):
        out = tmp_path / f"{group_by}.xlsx"
        result = consolidate([inbox.root], out, group_by=group_by, jobs=1)  # type: ignore[arg-type]
        assert [g.group for g in result.groups] == groups
        units = _records(out, UNITS_SHEET)
        subtotals = [u for u in units if u["单位"].endswith(cons.SUBTOTAL)]
        assert [u["单位"] for u in subtotals] == [f"{g} {cons.SUBTOTAL}" for g in groups]
        assert [u["分组"] for u in subtotals] == groups
        total = units[-1]
        for title in ("项目当年预算（元）", "项目总预算（元）", "项目数"):
            assert sum(Decimal(str(u[title])) for u in subtotals) == Decimal(str(total[title]))
        assert Decimal(str(total["项目当年预算（元）"])) == result.total.totals["budget_year"]


def test_nothing_written_when_figures_do_not_reconcile(
    inbox: Inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read the wrong column as this year's budget: the project list no longer adds up to the unit totals.
    real = worker.project_money
    monkeypatch.setattr(worker, "project_money", lambda p: {**real(p), "budget_year": real(p)["last_year_budget"]})
    out, csv_dir = tmp_path / "bad" / "s.xlsx", tmp_path / "bad" / "csv"
    with pytest.raises(ReconciliationError, match="项目当年预算"):
        consolidate([inbox.root], out, csv_dir=csv_dir, jobs=1)
    assert not out.exists()
    assert [p.name for p in out.parent.rglob("*") if p.is_file()] == []


def test_output_must_not_replace_an_input(inbox: Inbox) -> None:
    from xlgoals.core.errors import XlgoalsError

    with pytest.raises(XlgoalsError):
        consolidate([inbox.root], inbox.root / "a" / "unit.xlsx", jobs=1)


def _libreoffice(soffice: str, src: Path, fmt: str, outdir: Path, infilter: str | None = None) -> Path:
    profile = Path("/tmp") / f"xlgoals-lo-{uuid.uuid4().hex}"
    cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    try:
        subprocess.run(
            [*cmd, "--convert-to", fmt, "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / f"{src.stem}.{fmt.split(':')[0]}"
    assert out.exists(), f"LibreOffice produced no {fmt} for {src.name}"
    return out


def test_libreoffice_opens_the_csv(soffice: str, inbox: Inbox, run: Run, tmp_path: Path) -> None:
    src = tmp_path / "projects.csv"  # an ASCII name: the converted file is looked up by it
    shutil.copyfile(run.csv_dir / f"{PROJECTS_SHEET}.csv", src)
    # Comma separator, double quotes, UTF-8 (76), from line 1: how a bureau imports the file by hand.
    converted = _libreoffice(soffice, src, "xlsx", tmp_path, infilter="CSV:44,34,76,1")
    ws = openpyxl.load_workbook(converted).active
    assert ws is not None
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:6] == ("分组", "单位", "年度", "文件", "工作表", "项目名称")
    body = [dict(zip(header, r, strict=False)) for r in rows[1:]]
    assert {r["单位"] for r in body} == {inbox.sample.name, inbox.second.name}
    budgets = sorted(r["项目当年预算（元）"] for r in body if r["单位"] == inbox.sample.name)
    assert budgets == [400_000, 600_000, 4_989_200]  # numbers, not text
    escaped = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert escaped.data_type != "f"  # the apostrophe kept it from becoming a formula

    pdf = _libreoffice(soffice, src, "pdf", tmp_path, infilter="CSV:44,34,76,1")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_generated_department(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_department", ROOT / "benchmarks" / "make_department.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_department"] = mod
    spec.loader.exec_module(mod)
    entries = mod.make_department(tmp_path / "dept", units=4, seed=7, jobs=1)
    again = mod.make_department(tmp_path / "dept2", units=4, seed=7, jobs=1)
    digest = [hashlib.sha256(Path(e.path).read_bytes()).hexdigest() for e in entries]
    assert digest == [hashlib.sha256(Path(e.path).read_bytes()).hexdigest() for e in again]

    result = consolidate([tmp_path / "dept"], tmp_path / "s.xlsx", jobs=2)
    assert {e.path: e.status for e in result.ledger} == {e.path: e.status for e in entries}
    read = [e for e in entries if e.status == READ]
    assert sum(u.projects for u in result.units) == sum(e.projects for e in read)


def test_linked_folders_are_followed_once(sample_xlsx: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "units").mkdir(parents=True)
    shutil.copyfile(sample_xlsx, root / "units" / "unit.xlsx")
    (root / "units" / "loop").symlink_to(root, target_is_directory=True)  # a share linked into itself
    outside = tmp_path / "share"
    outside.mkdir()
    (outside / "other.txt").write_text("x", encoding="utf-8")
    (root / "share").symlink_to(outside, target_is_directory=True)
    inputs = [f.path for f in cons.collect_inputs([root])]
    assert inputs == [str(root / "share" / "other.txt"), str(root / "units" / "unit.xlsx")]


def test_unlistable_folder_is_in_the_ledger(sample_xlsx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "root"
    (root / "locked").mkdir(parents=True)
    shutil.copyfile(sample_xlsx, root / "unit.xlsx")
    real_walk = os.walk

    def walk(top: Any, onerror: Any = None, followlinks: bool = False) -> Any:
        # What os.walk does when a folder cannot be listed (root can list anything, so it is simulated).
        for dirpath, dirnames, filenames in real_walk(top, onerror=onerror, followlinks=followlinks):
            if "locked" in dirnames:
                dirnames.remove("locked")
                onerror(PermissionError(13, "Permission denied", str(Path(dirpath) / "locked")))
            yield dirpath, dirnames, filenames

    monkeypatch.setattr(os, "walk", walk)
    result = consolidate([root], tmp_path / "s.xlsx", jobs=1)
    locked = next(e for e in result.ledger if e.path == str(root / "locked"))
    assert (locked.status, locked.code) == (REJECTED, "folder.unreadable")
    assert "文件夹" in locked.reason and len(result.ledger) == 2


def test_same_inputs_same_bytes(inbox: Inbox, run: Run, tmp_path: Path) -> None:
    # Workers render rows in any order and on any process; the workbook must not depend on it.
    again = tmp_path / "again.xlsx"
    consolidate([inbox.root], again, csv_dir=tmp_path / "csv", parquet_dir=tmp_path / "parquet", jobs=1)
    assert again.read_bytes() == run.out.read_bytes()


# --- the summary workbook writer ------------------------------------------------------------------------

TRICKY = (
    "=1+1",
    HYPERLINK,
    "@SUM(A1)",
    "+86 21",
    "-5%",
    "a\x01b\x07c\x1f",
    "第一行\r\n第二行",
    "tab\there",
    "  前后有空格  ",
    "x_x0041_y",
    "<b>&amp;</b>",
    "上海市科学技术委员会（2020）",
    "𠀀𪚥 😀",
)
TRICKY_COLUMNS = (
    rowxml.Column("文本"),
    rowxml.Column("整数", "int"),
    rowxml.Column("金额", "money"),
    rowxml.Column("日期", "date"),
    rowxml.Column("数值", "number"),
)


def _tricky_rows() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [
        (t, i, Decimal("-100.00") + i, date(2020, 1, 1 + i), 0.5 * i) for i, t in enumerate(TRICKY)
    ]
    rows.append((None, None, None, "2020年13月", None))  # a date that did not parse stays text
    rows.append(("长" * 40_000, 2**40, Decimal("123456789012.34"), date(1900, 3, 1), 1e-7))
    return rows


def _write_book(path: Path, sheets: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    book = xlsxstream.StreamBook()
    try:
        for name, rows in sheets.items():
            book.add_sheet(name, TRICKY_COLUMNS).add_rows(rows)
        book.save(path)
    finally:
        book.close()
    return book.worksheet_names()


@pytest.mark.parametrize(
    ("text", "xml"),
    [
        ("上海市（2020）", "上海市（2020）"),
        ("a<b & c>d", "a&lt;b &amp; c&gt;d"),
        ('say "hi"', 'say "hi"'),
        ("a\x00b\x08c\x0bd\x0ce\x1ff", "a_x0000_b_x0008_c_x000B_d_x000C_e_x001F_f"),
        ("a\r\nb\tc", "a_x000D_\nb\tc"),  # a bare CR would be lost to XML's line-end normalisation
        ("x_x0041_y", "x_x005F_x0041_y"),  # literal text that Excel would otherwise decode
        ("x_x41_y", "x_x41_y"),
        ("\ufffe", "_xFFFE_"),
        ("=SUM(A1:A3)", "=SUM(A1:A3)"),
    ],
)
def test_xml_text(text: str, xml: str) -> None:
    assert rowxml.xml_text(text) == xml


def test_cap_text_counts_like_excel() -> None:
    assert len(rowxml.cap_text("长" * 40_000)) == rowxml.MAX_CELL_CHARS
    wide = rowxml.cap_text("a" + "𠀀" * 20_000)  # outside the BMP: two UTF-16 units each, never split
    assert len(wide.encode("utf-16-le")) // 2 == rowxml.MAX_CELL_CHARS and wide == "a" + "𠀀" * 16_383
    assert rowxml.cap_text("上海") == "上海"


def test_writer_round_trip(tmp_path: Path) -> None:
    import zipfile

    from python_calamine import CalamineWorkbook

    path = tmp_path / "tricky.xlsx"
    rows = _tricky_rows()
    assert _write_book(path, {"测试": rows, "空表": []}) == ["测试", "空表"]
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None

    # calamine decodes Excel's _xHHHH_ escapes as Excel does: every text comes back exactly.
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == ["测试", "空表"]
    got = wb.get_sheet_by_name("测试").to_python()[HEADER_ROW - 1 :]
    assert got[0] == [c.title for c in TRICKY_COLUMNS]
    assert [r[0] for r in got[1 : len(TRICKY) + 1]] == list(TRICKY)
    for want, have in zip(rows, got[1:], strict=True):
        values = [None if v == "" else v for v in have]  # calamine's empty cell is ''
        money = None if want[2] is None else float(want[2])  # Excel keeps a double, as every number
        assert values[1:] == [want[1], money, *want[3:]], want
    assert got[-1][0] == "长" * rowxml.MAX_CELL_CHARS and got[-2][3] == "2020年13月"
    assert wb.get_sheet_by_name("空表").to_python()[HEADER_ROW - 1 :] == [[c.title for c in TRICKY_COLUMNS]]

    wb2 = openpyxl.load_workbook(path)
    ws = wb2["测试"]
    top = HEADER_ROW
    assert ws.freeze_panes == f"A{top + 1}" and ws.auto_filter.ref == f"A{top}:E{len(rows) + top}"
    assert ws[f"A{top}"].font.b and ws[f"A{top}"].value == "文本" and ws["A1"].value == "测试"
    assert ws.column_dimensions["A"].width == pytest.approx(12.7109375)
    for r, text in enumerate(TRICKY, start=top + 1):
        cell = ws.cell(r, 1)
        assert cell.data_type == "s"  # never a formula, whatever it starts with
        if text.isprintable() and "_x" not in text:
            assert cell.value == text
    # openpyxl does not decode Excel's escapes (Excel and calamine do): it shows them as written.
    assert ws[f"A{top + 6}"].value == "a_x0001_b_x0007_c_x001F_" and ws[f"A{top + 10}"].value == "x_x005F_x0041_y"
    money, day = ws[f"C{top + 1}"], ws[f"D{top + 1}"]
    # Whole yuan show without '.00'; cents show when there are some.
    assert money.value == -100 and money.number_format == "#,##0"
    assert ws.cell(len(rows) + top, 3).number_format == "#,##0.00"
    assert ws.print_title_rows == f"${top}:${top}" and ws.page_setup.orientation == "landscape"
    assert (
        ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    )
    assert ws[f"C{top}"].alignment.horizontal == "right" and ws[f"A{top}"].alignment.horizontal is None
    assert day.is_date and day.number_format == "yyyy-mm-dd" and day.value.date() == date(2020, 1, 1)
    assert ws.cell(len(rows) + top, 4).value.date() == date(1900, 3, 1)  # past Excel's phantom 1900-02-29
    assert ws.cell(len(rows) + top, 2).value == 2**40
    assert wb2.sheetnames == ["测试", "空表"] and wb2.active is not None and wb2.active.title == "测试"


def test_writer_continues_past_the_row_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    monkeypatch.setattr(xlsxstream, "MAX_ROWS", HEADER_ROW + 5)  # five data rows a worksheet
    rows = _tricky_rows()  # 15 rows: 5 + 5 + 5
    names = _write_book(tmp_path / "split.xlsx", {"表": rows, "短表": rows[:2]})
    assert names == ["表", "表2", "表3", "短表"]
    wb = CalamineWorkbook.from_path(str(tmp_path / "split.xlsx"))
    assert wb.sheet_names == names
    parts = [wb.get_sheet_by_name(n).to_python()[HEADER_ROW - 1 :] for n in ("表", "表2", "表3")]
    assert all(p[0] == [c.title for c in TRICKY_COLUMNS] and len(p) == 6 for p in parts)
    assert [r[0] for p in parts for r in p[1:]][: len(TRICKY)] == list(TRICKY)


def test_consolidation_continues_past_the_row_limit(
    inbox: Inbox, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    whole = {name: _sheet(run.out, name) for name in SHEETS}
    limit = 7
    monkeypatch.setattr(xlsxstream, "MAX_ROWS", limit + HEADER_ROW)
    out = tmp_path / "split.xlsx"
    result = consolidate([inbox.root], out, jobs=2)
    assert result.sheets[: len(SHEETS)] != list(SHEETS)
    assert any(n.startswith(INDICATORS_SHEET) and n != INDICATORS_SHEET for n in result.sheets)
    assert any(INDICATORS_SHEET in note and f"{INDICATORS_SHEET}2" in note for note in result.notes)
    wb = openpyxl.load_workbook(out, read_only=True)
    try:
        assert wb.sheetnames == result.sheets
    finally:
        wb.close()
    for name in SHEETS:
        pieces = [n for n in result.sheets if n == name or (n.startswith(name) and n[len(name) :].isdigit())]
        joined = [whole[name][0]]
        for n in pieces:
            rows = _sheet(out, n)
            assert rows[0] == whole[name][0] and 1 < len(rows) <= limit + 1
            joined.extend(rows[1:])
        assert joined == whole[name], name
    assert result.total == run.result.total


def test_libreoffice_opens_the_summary(soffice: str, run: Run, tmp_path: Path) -> None:
    from tests.office import convert

    src = tmp_path / "summary.xlsx"  # an ASCII name: the converted file is looked up by it
    shutil.copyfile(run.out, src)
    converted = convert(soffice, src, "xlsx", tmp_path / "lo")
    wb = openpyxl.load_workbook(converted, read_only=True)
    try:
        assert wb.sheetnames == list(SHEETS)
    finally:
        wb.close()
    for name in SHEETS:
        ours, theirs = _sheet(run.out, name), _sheet(converted, name)
        assert len(theirs) == len(ours), name
        for a, b in zip(ours, theirs, strict=True):
            # LibreOffice writes a whole number as 100 where we wrote 100.0; both are the same value.
            assert [None if v == "" else v for v in b[: len(a)]] == list(a), name

    from python_calamine import CalamineWorkbook

    tricky = tmp_path / "tricky.xlsx"
    _write_book(tricky, {"测试": _tricky_rows()})
    again = CalamineWorkbook.from_path(str(convert(soffice, tricky, "xlsx", tmp_path / "lo2")))
    text = [r[0] for r in again.get_sheet_by_name("测试").to_python()[HEADER_ROW : HEADER_ROW + len(TRICKY)]]
    assert text == [t.replace("\r\n", "\n") for t in TRICKY]  # LibreOffice makes a Windows line end one


def test_rules_file_applies_to_every_unit(inbox: Inbox, tmp_path: Path) -> None:
    from xlgoals.core.ruleset import load_ruleset

    rules = ROOT / "xlgoals" / "core" / "rulesets" / "national.toml"
    result = consolidate([inbox.root], tmp_path / "s.xlsx", rules=str(rules), jobs=2)
    reports = [check_unit(u, str(rules)).report for u in (inbox.sample, inbox.second)]
    assert result.total.counts == {s: sum(r.counts()[s] for r in reports) for s in ("error", "warning", "info")}
    # Parsed once per process while unchanged: the pipeline's choice is the loader's own object.
    assert pipeline.choose_ruleset(inbox.sample, str(rules)) is load_ruleset(str(rules))


def test_cli_table_tells_when_a_sheet_continues(inbox: Inbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xlgoals.shells.cli import app

    monkeypatch.setattr(xlsxstream, "MAX_ROWS", HEADER_ROW + 7)
    result = CliRunner().invoke(app, ["consolidate", str(inbox.root), "-o", str(tmp_path / "s.xlsx"), "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert f"“{INDICATORS_SHEET}”超过" in result.stdout and f"“{INDICATORS_SHEET}2”" in result.stdout
