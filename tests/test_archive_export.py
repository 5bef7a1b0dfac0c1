"""archive export --parquet: Hive partitions that DuckDB and pyarrow.dataset read back to the same totals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

from xlgoals.core import layout
from xlgoals.department.archive.export import NO_DEPARTMENT, export_parquet
from xlgoals.department.archive.ingest import add_paths
from xlgoals.department.archive.schema import ArchiveError
from xlgoals.shells.cli import app


@pytest.fixture
def archive(sample_xlsx: Path, tmp_path: Path) -> Path:
    """Three declarations: the sample (no department), its revision (supersedes it), and another department's."""
    revised, other = tmp_path / "revised.xlsx", tmp_path / "other.xlsx"
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["项目1"][layout.PROJECT_FIELD["budget_year"].value_cell] = 700000
    wb.save(revised)
    wb[layout.COVER_SHEET][layout.COVER_FIELD["name"].value_cell] = "另一单位"
    wb[layout.COVER_SHEET][layout.COVER_FIELD["department"].value_cell] = "市科委"
    wb[layout.COVER_SHEET][layout.COVER_FIELD["year"].value_cell] = 2021
    wb.save(other)
    db = tmp_path / "a.duckdb"
    add_paths([sample_xlsx, revised, other], db, jobs=1)
    return db


def test_export_reads_back_the_same_with_duckdb_and_pyarrow(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    result = CliRunner().invoke(app, ["archive", "export", "--parquet", str(out), "--db", str(archive)])
    assert result.exit_code == 0, result.output
    partitions = sorted(p.relative_to(out / "projects").parts[:2] for p in (out / "projects").rglob("*.parquet"))
    assert [(y, d.split("=")[0]) for y, d in partitions] == [("year=2020", "department"), ("year=2021", "department")]
    with duckdb.connect() as con:
        in_archive = con.execute(
            f"ATTACH '{archive}' AS a (READ_ONLY); "
            "SELECT year, coalesce(department, ?), sum(budget_year) FROM a.current_projects GROUP BY ALL ORDER BY 1",
            [NO_DEPARTMENT],
        ).fetchall()
        from_duckdb = con.execute(
            f"SELECT year, department, sum(budget_year) FROM read_parquet('{out}/projects/**/*.parquet', "
            "hive_partitioning = true) WHERE current GROUP BY ALL ORDER BY 1"
        ).fetchall()
    table = ds.dataset(out / "projects", format="parquet", partitioning="hive").to_table(
        filter=ds.field("current"), columns=["year", "department", "budget_year"]
    )
    totals: dict[tuple[int, str], Decimal] = {}
    for row in table.to_pylist():
        key = (row["year"], row["department"])
        totals[key] = totals.get(key, Decimal(0)) + row["budget_year"]
    from_pyarrow = sorted((y, d, v) for (y, d), v in totals.items())
    assert from_duckdb == from_pyarrow == in_archive
    assert from_duckdb == [
        (2020, NO_DEPARTMENT, Decimal("6089200.00")),
        (2021, "市科委", Decimal("6089200.00")),
    ]
    # History travels too: every stored version, with the flag that tells the current one.
    units = ds.dataset(out / "units", format="parquet", partitioning="hive").to_table().to_pylist()
    assert sorted(u["current"] for u in units) == [False, True, True]


def test_export_replaces_its_own_folder_but_nothing_else(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    first = export_parquet(archive, out)
    assert (
        export_parquet(archive, out)
        == first
        == {"units": 3, "projects": 9, "indicators": 90, "findings": first["findings"]}
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    with pytest.raises(ArchiveError, match="含有其他文件"):
        export_parquet(archive, other)
    assert (other / "notes.txt").read_text() == "keep"
