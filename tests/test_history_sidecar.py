"""The archive's sidecar: last year's declaration and 自评 as the archive gives them, trusted only while in step."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from decimal import Decimal
from functools import partial
from pathlib import Path

import duckdb
import pytest

from tests.test_selfeval_archive import SAMPLE, selfeval_2020, stored_2020
from xlgoals.core.model import Unit
from xlgoals.core.ruleset import load_ruleset
from xlgoals.department.archive import sidecar
from xlgoals.department.archive.history import last_year
from xlgoals.department.archive.ingest import add_paths
from xlgoals.department.archive.store import ArchiveWriter
from xlgoals.importing.importer import import_file
from xlgoals.io.reader import read
from xlgoals.unit.pipeline import check_file
from xlgoals.workbooks.selfevalbook import write_selfeval_workbook
from xlgoals.workbooks.template import write_unit

ROOT = Path(__file__).resolve().parent.parent
REAL = sorted((ROOT / "samples" / "real").glob("*.txt"))[:4]


@contextmanager
def _sidecar_away(db: Path) -> Iterator[None]:
    """The sidecar moved out of the way: what duckdb answers."""
    side = sidecar.path_of(db)
    hidden = side.with_name(side.name + ".away")
    side.rename(hidden)
    try:
        yield
    finally:
        hidden.rename(side)


def _from_archive(db: Path, unit: Unit) -> Unit | None:
    """last_year as duckdb answers it."""
    with _sidecar_away(db):
        return last_year(db, unit).previous


def _next_year(unit: Unit) -> Unit:
    return unit.model_copy(update={"year": (unit.year or 2020) + 1})


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Unit]]:
    """The real tables of other offices and the Shanghai sample, each stored as a unit workbook."""
    root = tmp_path_factory.mktemp("archive")
    units = [import_file(SAMPLE).unit]
    units += [import_file(path).unit for path in REAL]
    paths = []
    for i, unit in enumerate(units):
        unit.name = unit.name or f"单位{i}"
        unit.year = unit.year or 2022
        path = root / f"u{i}.xlsx"
        write_unit(unit, path)
        paths.append(path)
    db = root / "xlgoals.duckdb"
    add_paths(paths, db, jobs=1)
    return db, [read(p) for p in paths]


def test_the_sidecar_gives_what_the_archive_gives(archive: tuple[Path, list[Unit]]) -> None:
    db, units = archive
    assert sidecar.path_of(db).is_file()
    for unit in units:
        key = (unit.name.strip(), unit.year or 0)
        assert set(sidecar.read(db, *key) or {}) == {"declaration"}, key  # read from the sidecar
        previous = last_year(db, _next_year(unit)).previous
        assert previous is not None and previous.projects
        assert previous == _from_archive(db, _next_year(unit))
        money = [p.budget_year for p in previous.projects if p.budget_year is not None]
        assert all(isinstance(m, Decimal) for m in money)
    nobody = Unit(name="不在库中的单位", year=2030)
    assert sidecar.read(db, "不在库中的单位", 2029) == {}  # in step, and the archive has none
    assert last_year(db, nobody).previous is None


def test_an_archive_changed_behind_its_back_is_asked_itself(archive: tuple[Path, list[Unit]], tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    shutil.copyfile(archive[0], db)
    shutil.copyfile(sidecar.path_of(archive[0]), sidecar.path_of(db))
    os.utime(db, ns=(os.stat(archive[0]).st_atime_ns, os.stat(archive[0]).st_mtime_ns))
    unit = archive[1][0]
    key = (unit.name.strip(), unit.year or 0)
    assert set(sidecar.read(db, *key) or {}) == {"declaration"}  # a copy of both, times kept: in step
    # A writer that knows nothing of the sidecar (an older xlgoals, a hand-made SQL change) renames the unit.
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE units SET unit = '改名单位' WHERE unit = ?", [key[0]])
    assert sidecar.read(db, *key) is None
    assert last_year(db, _next_year(unit)).previous is None  # what the archive now says
    # The next writer finds the sidecar out of step and rebuilds it whole.
    writer = ArchiveWriter(db)
    writer.commit()
    assert sidecar.read(db, *key) == {}
    found = sidecar.read(db, "改名单位", key[1])
    assert found is not None and found["declaration"].unit[2] == "改名单位"


def test_a_newer_version_stored_in_step_replaces_the_older(archive: tuple[Path, list[Unit]], tmp_path: Path) -> None:
    db = tmp_path / "y.duckdb"
    first = archive[1][0]
    path = tmp_path / "v1.xlsx"
    write_unit(first, path)
    add_paths([path], db, jobs=1)
    newer = first.model_copy(deep=True)
    newer.projects[0].budget_year = Decimal("123.45")
    newer.projects = newer.projects[:2]
    path2 = tmp_path / "v2.xlsx"
    write_unit(newer, path2)
    add_paths([path2], db, jobs=1)
    previous = last_year(db, _next_year(first)).previous
    assert previous is not None and len(previous.projects) == 2
    assert previous.projects[0].budget_year == Decimal("123.45")
    assert previous == _from_archive(db, _next_year(first))


def test_a_write_ahead_log_or_a_missing_archive_is_never_trusted(
    archive: tuple[Path, list[Unit]], tmp_path: Path
) -> None:
    db, units = archive
    key = (units[0].name.strip(), units[0].year or 0)
    wal = Path(f"{db}.wal")
    wal.write_bytes(b"")
    try:
        assert sidecar.read(db, *key) is None
    finally:
        wal.unlink()
    gone = tmp_path / "gone.duckdb"
    shutil.copyfile(sidecar.path_of(db), sidecar.path_of(gone))
    assert sidecar.read(gone, *key) is None


def test_history_reads_without_importing_duckdb(archive: tuple[Path, list[Unit]], tmp_path: Path) -> None:
    """A whole `validate --history` process: duckdb never imported while the sidecar is in step."""
    db, units = archive
    path = tmp_path / "next.xlsx"
    write_unit(_next_year(units[0]), path)
    _history_codes_without_duckdb(path, db)


def _history_codes_without_duckdb(path: Path, db: Path) -> list[str]:
    """The history.* codes `validate --history` gives in a process of its own, which must not import duckdb."""
    code = (
        "import sys\n"
        "from functools import partial\n"
        "from xlgoals.department.archive.history import last_year\n"
        "from xlgoals.unit.pipeline import check_file\n"
        f"checked = check_file({str(path)!r}, history=partial(last_year, {str(db)!r}))\n"
        "assert 'duckdb' not in sys.modules, 'duckdb imported'\n"
        "print(' '.join(sorted({f.code for f in checked.report.findings if f.code.startswith('history.')})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("damage", ["garbage", "folder"])
def test_a_damaged_sidecar_never_costs_the_archive_or_the_answer(
    archive: tuple[Path, list[Unit]], tmp_path: Path, damage: str
) -> None:
    db = tmp_path / "z.duckdb"
    side = sidecar.path_of(db)
    if damage == "garbage":
        side.write_bytes(b"not a database" * 100)
    else:
        side.mkdir()
    unit = archive[1][0]
    path = tmp_path / "u.xlsx"
    write_unit(unit, path)
    summary, _ = add_paths([path], db, jobs=1)
    assert summary.added == 1
    key = (unit.name.strip(), unit.year or 0)
    assert sidecar.read(db, *key) is None
    previous = last_year(db, _next_year(unit)).previous
    assert previous is not None and previous == last_year(archive[0], _next_year(unit)).previous


@pytest.fixture(scope="module")
def with_selfeval(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample's 2020 declaration and its filled 自评 stored, and its 2021 declaration (as in
    tests/test_selfeval_archive.py: a target set below last year's actual, a missed indicator dropped)."""
    _, next_year, db = stored_2020(tmp_path_factory.mktemp("selfeval_sidecar"))
    return next_year, db


def _history_findings(path: Path, db: Path) -> list[tuple[str, str | None, str | None, str]]:
    found = check_file(path, history=partial(last_year, db)).report.findings
    return [(f.code, f.sheet, f.cell, f.message) for f in found if f.code.startswith("history.")]


def test_last_years_selfeval_comes_from_the_sidecar_as_from_the_archive(with_selfeval: tuple[Path, Path]) -> None:
    next_year, db = with_selfeval
    unit = read(next_year)
    found = sidecar.read(db, unit.name.strip(), (unit.year or 0) - 1)
    assert found is not None and set(found) == {"declaration", "selfeval"}  # both kinds, from the sidecar
    ours = last_year(db, unit)
    with _sidecar_away(db):
        theirs = last_year(db, unit)
    assert ours == theirs  # the declaration and the 自评, every field (actuals, points, printed scores, budgets …)
    assert ours.selfeval is not None and ours.previous is not None
    first = ours.selfeval.projects[0]
    assert [i.actual for i in first.indicators][5:7] == ["72", "620"] and first.indicators[5].reason == "原因已说明"
    assert first.indicators[5].points == Decimal("5.0000") and first.budget_executed == first.budget_adjusted
    # validate --history answers the same, the checks against last year's actuals included.
    findings = _history_findings(next_year, db)
    with _sidecar_away(db):
        assert _history_findings(next_year, db) == findings
    codes = {code for code, *_ in findings}
    assert {"history.target-below-actual", "history.indicator-dropped-after-miss"} <= codes


def test_a_newer_selfeval_replaces_only_the_selfeval(with_selfeval: tuple[Path, Path], tmp_path: Path) -> None:
    next_year, source = with_selfeval
    db = tmp_path / "s.duckdb"
    shutil.copyfile(source, db)
    shutil.copyfile(sidecar.path_of(source), sidecar.path_of(db))
    os.utime(db, ns=(os.stat(source).st_atime_ns, os.stat(source).st_mtime_ns))
    unit = read(next_year)
    before = last_year(db, unit)
    assert before.selfeval is not None
    newer = selfeval_2020()
    audience = next(i for i in newer.projects[0].indicators if i.name == "参会观众数")
    audience.actual = "580"  # 参会观众数 now short of 600: the 2021 target of >=600 is no longer below it
    path = tmp_path / "2020_自评_v2.xlsx"
    write_selfeval_workbook(newer, load_ruleset("shanghai-2020"), path)
    summary, _ = add_paths([path], db, jobs=1)
    assert (summary.added, summary.superseded) == (1, 1)
    assert set(sidecar.read(db, unit.name.strip(), (unit.year or 0) - 1) or {}) == {"declaration", "selfeval"}
    after = last_year(db, unit)
    assert after.previous == before.previous  # the declaration stands
    assert after.selfeval is not None
    assert next(i for i in after.selfeval.projects[0].indicators if i.name == "参会观众数").actual == "580"
    with _sidecar_away(db):
        assert last_year(db, unit) == after
    codes = [code for code, *_ in _history_findings(next_year, db)]
    assert "history.target-below-actual" not in codes and "history.indicator-dropped-after-miss" in codes


def test_history_against_a_selfeval_reads_without_importing_duckdb(with_selfeval: tuple[Path, Path]) -> None:
    """A whole `validate --history` process finding the checks against last year's 自评, duckdb never imported."""
    next_year, db = with_selfeval
    codes = _history_codes_without_duckdb(next_year, db)
    assert "history.target-below-actual" in codes and "history.indicator-dropped-after-miss" in codes


def test_a_sidecar_of_the_format_before_selfeval_is_rebuilt(with_selfeval: tuple[Path, Path], tmp_path: Path) -> None:
    """A sidecar an xlgoals before 自评 kept (declarations alone, its own format) is never read, and the next
    writer replaces its rows whole."""
    next_year, source = with_selfeval
    db = tmp_path / "old.duckdb"
    shutil.copyfile(source, db)
    side = sqlite3.connect(sidecar.path_of(db))
    side.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    side.execute("CREATE TABLE declarations (unit TEXT NOT NULL, year INTEGER NOT NULL, data TEXT NOT NULL)")
    side.execute("INSERT INTO meta VALUES ('format', '0123456789abcdef'), ('archive', ?)", [sidecar.identity(db)])
    side.commit()
    side.close()
    unit = read(next_year)
    key = (unit.name.strip(), (unit.year or 0) - 1)
    assert sidecar.read(db, *key) is None
    ArchiveWriter(db).commit()
    assert set(sidecar.read(db, *key) or {}) == {"declaration", "selfeval"}
    with closing(sqlite3.connect(sidecar.path_of(db))) as con:
        tables = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert sorted(name for (name,) in tables) == ["meta", "units"]
