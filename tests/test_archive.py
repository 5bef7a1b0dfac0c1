"""The DuckDB archive: idempotent adds, supersede with history, schema migrations, bad files, queries, the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

from tests.test_real_tables import REAL
from xlgoals.core import layout
from xlgoals.department.archive.export import export_parquet
from xlgoals.department.archive.ingest import add_paths
from xlgoals.department.archive.schema import APP, META, SCHEMA_VERSION, ArchiveError, connect, migrate
from xlgoals.department.archive.store import dataframe, listing, sql
from xlgoals.department.consolidate import consolidate
from xlgoals.importing.importer import import_file
from xlgoals.shells.cli import app
from xlgoals.unit.pipeline import check_file
from xlgoals.workbooks.template import write_unit

TABLES = ("units", "projects", "indicators", "findings", "supersessions")
SAMPLE_TOTAL = Decimal("5989200.00")


def _counts(db: Path) -> dict[str, int]:
    return {t: sql(db, f"SELECT count(*) FROM {t}").rows[0][0] for t in TABLES}


def test_adding_the_same_file_twice_changes_nothing(sample_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    first, entries = add_paths([sample_xlsx], db, jobs=1)
    assert (first.added, first.unchanged, [e.outcome for e in entries]) == (1, 0, ["新增"])
    counts = _counts(db)
    assert counts == {"units": 1, "projects": 3, "indicators": 30, "findings": counts["findings"], "supersessions": 0}
    copy = tmp_path / "copy.xlsx"
    shutil.copy(sample_xlsx, copy)  # same content under another name
    again, entries = add_paths([sample_xlsx, copy], db, jobs=1)
    assert (again.added, again.unchanged, [e.outcome for e in entries]) == (0, 2, ["未变", "未变"])
    assert _counts(db) == counts
    row = sql(db, "SELECT unit, year, sha256, file_name FROM current_units").rows[0]
    assert row[:2] == ("上海市生物医药科技产业促进中心（上海新药研究开发中心）", 2020) and len(row[2]) == 64
    assert sql(db, "SELECT sum(budget_year) FROM current_projects").rows[0][0] == SAMPLE_TOTAL


def _revised(sample_xlsx: Path, tmp_path: Path, amount: int) -> Path:
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["项目1"][layout.PROJECT_FIELD["budget_year"].value_cell] = amount
    path = tmp_path / f"revised_{amount}.xlsx"
    wb.save(path)
    return path


def test_each_project_row_counts_its_own_findings(sample_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    add_paths([sample_xlsx], db, jobs=1)
    report = check_file(sample_xlsx).report
    want = {sheet: (c["error"], c["warning"], c["info"]) for sheet, c in report.per_project().items()}
    rows = sql(db, "SELECT sheet, errors, warnings, infos FROM current_projects").rows
    assert {sheet: tuple(counts) for sheet, *counts in rows} == want
    assert any(any(c) for c in want.values())  # the sample has findings: a row of zeros would not pass
    by_sheet = dict(sql(db, "SELECT sheet, count(*) FROM current_findings WHERE project IS NOT NULL GROUP BY ALL").rows)
    assert by_sheet == {sheet: sum(c) for sheet, c in want.items() if any(c)}


def test_national_form_fields_are_stored(tmp_path: Path) -> None:
    unit = import_file(REAL / "nanyue_2018_fupin_jichusheshi.txt").unit
    path = tmp_path / "national.xlsx"
    write_unit(unit, path)
    db = tmp_path / "a.duckdb"
    add_paths([path], db, jobs=1)
    p = unit.projects[0]
    (row,) = sql(
        db,
        "SELECT project_department, implementer, manager, phone, budget_fiscal, budget_other, budget_year"
        " FROM current_projects",
    ).rows
    assert row == (p.department, p.implementer, p.manager, p.phone, p.budget_fiscal, p.budget_other, p.budget_year)
    assert row[4] == Decimal(100_000) and row[5] == Decimal(0)
    lines = dict(sql(db, "SELECT line, amount FROM current_budgets").rows)
    assert (lines["budget_fiscal"], lines["budget_other"], lines["budget_year"]) == (row[4], row[5], row[6])
    export_parquet(db, tmp_path / "lake")
    exported = ds.dataset(tmp_path / "lake" / "projects", format="parquet", partitioning="hive").to_table()
    (record,) = exported.select(["project_department", "budget_fiscal", "budget_other"]).to_pylist()
    assert tuple(record.values()) == row[:1] + row[4:6]


def test_a_newer_file_supersedes_and_the_older_stays_as_history(sample_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    add_paths([sample_xlsx], db, jobs=1)
    revised = _revised(sample_xlsx, tmp_path, 500_000)
    summary, entries = add_paths([revised], db, jobs=1)
    assert (summary.added, summary.superseded, entries[0].outcome) == (1, 1, "替换旧版本")
    assert sql(db, "SELECT count(*) FROM current_units").rows[0][0] == 1
    assert sql(db, "SELECT sum(budget_year) FROM current_projects").rows[0][0] == SAMPLE_TOTAL - 100_000
    # The old version is still there, marked as superseded by the new one.
    versions = sql(db, "SELECT file_name, current, superseded_by IS NOT NULL FROM versions ORDER BY seq").rows
    assert versions == [("unit.xlsx", False, True), (revised.name, True, False)]
    assert sql(db, "SELECT sum(budget_year) FROM projects").rows[0][0] == 2 * SAMPLE_TOTAL - 100_000
    assert listing(db).rows[0][-1] == 2  # 版本数
    # Adding the first file again does not bring it back: the same content is stored once.
    again, _ = add_paths([sample_xlsx], db, jobs=1)
    assert (again.added, again.unchanged) == (0, 1)
    assert sql(db, "SELECT file_name FROM current_units").rows == [(revised.name,)]


def test_consolidate_db_stores_what_it_read(sample_xlsx: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sample_xlsx, inbox / "a.xlsx")
    shutil.copy(sample_xlsx, inbox / "b.xlsx")  # a duplicate: not read, so not stored twice
    (inbox / "broken.xlsx").write_bytes(b"not a workbook")
    db = tmp_path / "a.duckdb"
    result = consolidate([inbox], tmp_path / "s.xlsx", archive=db, jobs=1)
    assert result.archived is not None and result.archived.to_dict()["added"] == 1
    assert _counts(db)["projects"] == result.total.projects == 3
    assert sql(db, "SELECT file_name FROM units").rows == [("a.xlsx",)]
    assert sql(db, "SELECT count(*) FROM findings").rows[0][0] == sum(result.total.counts.values())


def test_a_damaged_or_foreign_file_gets_a_clear_message(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(ArchiveError, match="文件已损坏或不是 DuckDB 数据库"):
        connect(damaged)
    foreign = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(foreign)) as con:
        con.execute("CREATE TABLE sales (amount INTEGER)")
    with pytest.raises(ArchiveError, match="不是 xlgoals 历史库"):
        connect(foreign, read_only=True)
    result = CliRunner().invoke(app, ["archive", "list", "--db", str(damaged)])
    assert result.exit_code == 2 and "damaged.duckdb" in result.output and "Traceback" not in result.output


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    connect(db).close()
    with duckdb.connect(str(db)) as con:
        con.execute(f"UPDATE {META} SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ArchiveError, match="更新版本的 xlgoals"):
        connect(db)


def test_an_older_schema_is_migrated_keeping_its_rows(sample_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        assert migrate(con, str(db), upto=1) == 1
        con.execute("INSERT INTO units (sha256, unit, year, added_at, seq) VALUES ('x', '单位', 2019, now(), 1)")
    con = connect(db, read_only=True)  # a reader brings it up to date first
    try:
        meta = dict(con.execute(f"SELECT key, value FROM {META}").fetchall())
        assert meta == {"app": APP, "schema_version": str(SCHEMA_VERSION)}
        assert con.execute("SELECT unit FROM current_units").fetchall() == [("单位",)]
    finally:
        con.close()
    add_paths([sample_xlsx], db, jobs=1)
    assert _counts(db)["units"] == 2
    # Version 2's columns reach the views that version 1 made.
    columns = sql(db, "SELECT * FROM current_projects LIMIT 0").columns
    assert {"project_department", "budget_fiscal", "budget_other"} <= set(columns)


def test_sql_is_read_only_and_python_callers_get_a_dataframe(sample_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    add_paths([sample_xlsx], db, jobs=1)
    query = "SELECT sheet, budget_year FROM current_projects ORDER BY sheet"
    frame = dataframe(db, query)
    assert list(frame.columns) == ["sheet", "budget_year"]
    assert [tuple(r) for r in frame.itertuples(index=False)] == sql(db, query).rows
    with pytest.raises(ArchiveError, match="查询无法执行"):
        sql(db, "DELETE FROM units")
    assert _counts(db)["units"] == 1


def test_budgets_view_has_the_four_money_lines(sample_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    add_paths([sample_xlsx], db, jobs=1)
    rows = dict(sql(db, "SELECT line, sum(amount) FROM current_budgets GROUP BY line").rows)
    assert rows["budget_year"] == SAMPLE_TOTAL and set(rows) == {
        "budget_total",
        "budget_year",
        "last_year_budget",
        "last_year_executed",
    }


def test_archive_commands(sample_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    runner = CliRunner()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nope")
    added = runner.invoke(app, ["archive", "add", str(sample_xlsx), str(bad), "--db", str(db), "-j", "1"])
    assert added.exit_code == 1, added.output  # one file could not be read
    assert "新增 1 个" in added.output and "已拒绝" in added.output
    listed = runner.invoke(app, ["archive", "list", "--db", str(db)])
    assert listed.exit_code == 0 and "共 1 份申报，年度：2020。" in listed.output
    listed = runner.invoke(app, ["archive", "list", "--db", str(db), "-f", "json"])
    assert '"当年预算": "5989200.00"' in listed.output and '"版本数": 1' in listed.output
    asked = runner.invoke(
        app, ["archive", "sql", "SELECT count(*) AS n FROM indicators", "--db", str(db), "-f", "json"]
    )
    assert asked.exit_code == 0 and '"n": 30' in asked.output
    # Data with brackets is printed as is, never read as terminal markup.
    marked = runner.invoke(app, ["archive", "sql", "SELECT '[red]x[/red]' AS t", "--db", str(db)])
    assert "[red]x[/red]" in marked.output
    wrong = runner.invoke(app, ["archive", "sql", "SELEC 1", "--db", str(db)])
    assert wrong.exit_code == 2 and "查询无法执行" in wrong.output


def test_the_lean_paths_import_neither_duckdb_nor_pandas() -> None:
    code = (
        "import sys, xlgoals.unit.pipeline, xlgoals.excel, xlgoals.department.archive; "
        "import xlgoals.department.archive.history; "
        "print(sorted(m for m in ('duckdb', 'pandas', 'pyarrow', 'distributed') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_consolidate_db_on_the_command_line(sample_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    (tmp_path / "~$unit.xlsx").write_bytes(b"lock")  # Excel's owner file: skipped, not a failure
    args = ["consolidate", str(sample_xlsx), "-o", str(tmp_path / "s.xlsx"), "--db", str(db), "-j", "1"]
    result = CliRunner().invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert '"archived": {' in result.output and '"added": 1' in result.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "新增0个，已存在未变1个" in "".join(again.output.split())
    added = CliRunner().invoke(
        app, ["archive", "add", str(sample_xlsx), str(tmp_path / "~$unit.xlsx"), "--db", str(db)]
    )
    assert added.exit_code == 0 and "锁定文件" in added.output
