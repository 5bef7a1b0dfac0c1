"""jobs/archive/units.py and records.py: a workbook as archive rows (built without a database, as a worker sends
them), and a stored workbook back as the model: the declaration as read, every stored field; its 自评 apart."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.builders.selfeval_years import stored_2020
from xlgoals.department.archive.ingest import add_paths
from xlgoals.department.archive.records import Record, record_of
from xlgoals.department.archive.units import stored_unit
from xlgoals.io.reader import read
from xlgoals.unit.pipeline import check_file


def _fields(unit: object) -> list[tuple[object, ...]]:
    return [
        (p.sheet, p.name, p.budget_total, p.budget_year, [(i.level1, i.level2, i.name, i.value) for i in p.indicators])
        for p in unit.projects  # type: ignore[attr-defined]
    ]


def test_a_record_holds_the_unit_its_projects_and_indicators(sample_xlsx: Path) -> None:
    checked = check_file(sample_xlsx)
    sha = hashlib.sha256(sample_xlsx.read_bytes()).hexdigest()
    record = record_of(checked.unit, checked.report, sha256=sha, size=123, path=str(sample_xlsx))
    assert isinstance(record, Record) and record.kind == "declaration"
    assert (record.sha256, record.unit_name, record.year) == (sha, checked.unit.name, 2020)
    assert len(record.rows["projects"]) == 3
    assert len(record.rows["indicators"]) == sum(len(p.indicators) for p in checked.unit.projects)
    assert len(record.rows["findings"]) == len(checked.report.findings)


def test_the_stored_declaration_reads_back_as_read(sample_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "xlgoals.duckdb"
    add_paths([sample_xlsx], db, jobs=1)
    unit = read(sample_xlsx)
    back = stored_unit(db, unit.name, 2020, "declaration")
    assert back is not None and back.name == unit.name and back.year == 2020
    assert _fields(back) == _fields(unit)
    assert stored_unit(db, unit.name, 2020, "selfeval") is None
    assert stored_unit(db, unit.name, 2019, "declaration") is None


def test_a_stored_selfeval_keeps_its_actuals(tmp_path: Path) -> None:
    selfeval, _, db = stored_2020(tmp_path)
    unit = read(selfeval)
    back = stored_unit(db, unit.name, 2020, "selfeval")
    assert back is not None
    assert [i.actual for i in back.projects[0].indicators] == [i.actual for i in unit.projects[0].indicators]
    assert [i.reason for i in back.projects[0].indicators] == [i.reason for i in unit.projects[0].indicators]
