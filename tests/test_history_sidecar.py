"""The archive's sidecar: last year's declaration as the archive itself gives it, trusted only while in step."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from xlgoals.core.model import Unit
from xlgoals.io.reader import read
from xlgoals.io.template import write_unit
from xlgoals.jobs.archive import sidecar
from xlgoals.jobs.archive.history import last_year
from xlgoals.jobs.archive.ingest import add_paths
from xlgoals.jobs.archive.store import ArchiveWriter
from xlgoals.jobs.importer import import_file

ROOT = Path(__file__).resolve().parent.parent
REAL = sorted((ROOT / "samples" / "real").glob("*.txt"))[:4]


def _from_archive(db: Path, unit: Unit) -> Unit | None:
    """last_year as duckdb answers it: the sidecar moved out of the way for the call."""
    side = sidecar.path_of(db)
    hidden = side.with_name(side.name + ".away")
    side.rename(hidden)
    try:
        return last_year(db, unit).previous
    finally:
        hidden.rename(side)


def _next_year(unit: Unit) -> Unit:
    return unit.model_copy(update={"year": (unit.year or 2020) + 1})


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Unit]]:
    """The real tables of other offices and the Shanghai sample, each stored as a unit workbook."""
    root = tmp_path_factory.mktemp("archive")
    units = [import_file(ROOT / "samples" / "002_de489847e14864e5.txt").unit]
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
        assert isinstance(sidecar.read(db, *key), sidecar.Declaration), key  # read from the sidecar
        previous = last_year(db, _next_year(unit)).previous
        assert previous is not None and previous.projects
        assert previous == _from_archive(db, _next_year(unit))
        money = [p.budget_year for p in previous.projects if p.budget_year is not None]
        assert all(isinstance(m, Decimal) for m in money)
    nobody = Unit(name="不在库中的单位", year=2030)
    assert sidecar.read(db, "不在库中的单位", 2029) is sidecar.MISSING
    assert last_year(db, nobody).previous is None


def test_an_archive_changed_behind_its_back_is_asked_itself(archive: tuple[Path, list[Unit]], tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    shutil.copyfile(archive[0], db)
    shutil.copyfile(sidecar.path_of(archive[0]), sidecar.path_of(db))
    os.utime(db, ns=(os.stat(archive[0]).st_atime_ns, os.stat(archive[0]).st_mtime_ns))
    unit = archive[1][0]
    key = (unit.name.strip(), unit.year or 0)
    assert isinstance(sidecar.read(db, *key), sidecar.Declaration)  # a copy of both, times kept: in step
    # A writer that knows nothing of the sidecar (an older xlgoals, a hand-made SQL change) renames the unit.
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE units SET unit = '改名单位' WHERE unit = ?", [key[0]])
    assert sidecar.read(db, *key) is None
    assert last_year(db, _next_year(unit)).previous is None  # what the archive now says
    # The next writer finds the sidecar out of step and rebuilds it whole.
    writer = ArchiveWriter(db)
    writer.commit()
    assert sidecar.read(db, *key) is sidecar.MISSING
    found = sidecar.read(db, "改名单位", key[1])
    assert isinstance(found, sidecar.Declaration) and found.unit[2] == "改名单位"


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
    code = (
        "import sys\n"
        "from xlgoals.jobs.pipeline import check_file\n"
        f"checked = check_file({str(path)!r}, history={str(db)!r})\n"
        "assert 'duckdb' not in sys.modules, 'duckdb imported'\n"
        "print(sum(f.code.startswith('history.') for f in checked.report.findings))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


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
