"""Revisions: two different workbooks of one unit and year in the inbox are never a silent duplicate.

One counts — the one named in --prefer, else the one its workbook says was saved later (docProps/core.xml),
else the first read — and the 台账 says which, why, and how to make the other count. When the one that counts
comes later in the inbox, the earlier one's rows already streamed into the summary and its copies are taken
out again, and every figure still reconciles."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.summary_tables import records, saved_at
from xlgoals.core.model import Unit
from xlgoals.department.consolidate import DUPLICATE, READ, consolidate
from xlgoals.shells.cli import app
from xlgoals.workbooks.template import write_unit


@pytest.fixture
def inbox(sample_unit: Unit, tmp_path: Path) -> tuple[Path, Path, Path, Unit]:
    """An inbox with a first declaration (a/) and its revision (b/): 项目1's budget raised by 10,000."""
    root = tmp_path / "inbox"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    first, revised = root / "a" / "unit.xlsx", root / "b" / "unit_修改版.xlsx"
    write_unit(sample_unit, first)
    revision = sample_unit.model_copy(deep=True)
    assert revision.projects[0].budget_year is not None and revision.projects[0].budget_total is not None
    revision.projects[0].budget_year += 10_000
    revision.projects[0].budget_total += 10_000
    write_unit(revision, revised)
    return root, first, revised, revision


def _by_path(result_ledger: list, path: Path):  # type: ignore[no-untyped-def]
    return next(e for e in result_ledger if e.path == str(path))


def test_the_later_saved_revision_counts_even_when_read_second(
    inbox: tuple[Path, Path, Path, Unit], sample_unit: Unit, tmp_path: Path
) -> None:
    root, first, revised, revision = inbox
    saved_at(first, "2020-03-01T09:00:00Z")
    saved_at(revised, "2020-03-05T16:30:00Z")
    out, csv_dir, parquet_dir = tmp_path / "s.xlsx", tmp_path / "csv", tmp_path / "parquet"
    result = consolidate([root], out, csv_dir=csv_dir, parquet_dir=parquet_dir, jobs=2)
    old, new = _by_path(result.ledger, first), _by_path(result.ledger, revised)
    assert (old.status, old.code, new.status) == (DUPLICATE, "file.revision", READ)
    assert "b/unit_修改版.xlsx" in old.reason and "2020-03-05 16:30" in old.reason and "2020-03-01 09:00" in old.reason
    assert f'--prefer "{first}"' in old.reason and old.duplicate_of == str(revised) and old.projects == 0
    assert "a/unit.xlsx" in new.reason and new.projects == len(revision.projects)
    # Only the revision's rows, in the workbook and in both copies; the totals are the revision's.
    expected = revision.money_totals()["budget_year"]
    assert result.total.totals["budget_year"] == expected != sample_unit.money_totals()["budget_year"]
    projects = records(out, "项目清单")
    assert {p["文件"] for p in projects} == {"b/unit_修改版.xlsx"} and len(projects) == len(revision.projects)
    assert sum(Decimal(str(p["项目当年预算（元）"])) for p in projects) == expected
    indicators = records(out, "指标明细")
    assert len(indicators) == sum(len(p.indicators) for p in revision.projects)
    details = records(out, "问题明细")
    assert {d["文件"] for d in details} == {"b/unit_修改版.xlsx"}
    with (csv_dir / "项目清单.csv").open(encoding="utf-8-sig", newline="") as fh:
        copied = list(csv.DictReader(fh))
    assert [p["文件"] for p in copied] == [str(revised)] * len(revision.projects)
    with (csv_dir / "指标明细.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(indicators)
    import pyarrow.parquet as pq

    assert pq.read_table(parquet_dir / "项目清单.parquet").column("文件").to_pylist() == [str(revised)] * len(projects)
    assert pq.read_table(parquet_dir / "指标明细.parquet").num_rows == len(indicators)
    ledger = records(out, "台账")
    assert [r["状态"] for r in ledger] == ["重复", "已读取"]


def test_the_earlier_counts_when_it_was_saved_later(inbox: tuple[Path, Path, Path, Unit], tmp_path: Path) -> None:
    root, first, revised, _ = inbox
    saved_at(first, "2020-03-09T10:00:00Z")
    saved_at(revised, "2020-03-05T16:30:00Z")
    result = consolidate([root], tmp_path / "s.xlsx", jobs=1)
    old, new = _by_path(result.ledger, first), _by_path(result.ledger, revised)
    assert (old.status, new.status, new.code) == (READ, DUPLICATE, "file.revision")
    assert f'--prefer "{revised}"' in new.reason and "保存时间" in new.reason


def test_prefer_names_the_one_that_counts(inbox: tuple[Path, Path, Path, Unit], tmp_path: Path) -> None:
    root, first, revised, revision = inbox
    saved_at(first, "2020-03-01T09:00:00Z")
    saved_at(revised, "2020-03-05T16:30:00Z")
    result = consolidate([root], tmp_path / "s.xlsx", jobs=1, prefer=[first])
    old, new = _by_path(result.ledger, first), _by_path(result.ledger, revised)
    assert (old.status, new.status) == (READ, DUPLICATE) and "--prefer 指定" in new.reason
    # From the command line too; a --prefer that names no file is refused before any work.
    runner = CliRunner()
    done = runner.invoke(
        app, ["consolidate", str(root), "-o", str(tmp_path / "c.xlsx"), "--prefer", str(revised), "-j", "1"]
    )
    assert done.exit_code == 1, done.output
    assert result.total.totals["budget_year"] != revision.money_totals()["budget_year"]
    missing = runner.invoke(app, ["consolidate", str(root), "-o", str(tmp_path / "m.xlsx"), "--prefer", "nope.xlsx"])
    assert missing.exit_code == 2 and "--prefer" in missing.output and not (tmp_path / "m.xlsx").exists()


def test_without_a_save_time_the_first_read_counts(inbox: tuple[Path, Path, Path, Unit], tmp_path: Path) -> None:
    root, first, revised, _ = inbox
    saved_at(first, None)
    saved_at(revised, None)
    result = consolidate([root], tmp_path / "s.xlsx", jobs=1)
    new = _by_path(result.ledger, revised)
    assert (_by_path(result.ledger, first).status, new.status) == (READ, DUPLICATE)
    assert "先读到" in new.reason and "保存时间取较新" not in new.reason


def test_same_content_stays_a_plain_duplicate(inbox: tuple[Path, Path, Path, Unit], tmp_path: Path) -> None:
    root, first, _, _ = inbox
    shutil.copyfile(first, root / "b" / "copy.xlsx")
    result = consolidate([root], tmp_path / "s.xlsx", jobs=1)
    copy = _by_path(result.ledger, root / "b" / "copy.xlsx")
    assert (copy.status, copy.code) == (DUPLICATE, "file.duplicate") and "SHA-256" in copy.reason
