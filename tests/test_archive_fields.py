"""The archive's one map between its columns and the model: what record_of stores through it, unit_of reads back
through it, field for field, with no database in between."""

from __future__ import annotations

from pathlib import Path

from xlgoals.core.model import SELFEVAL_FORM, Unit
from xlgoals.department.archive.records import INDICATOR_COLUMNS, PROJECT_COLUMNS, record_of
from xlgoals.department.archive.units import INDICATOR_FIELDS, PROJECT_FIELDS, Stored, unit_of
from xlgoals.importing.importer import import_file
from xlgoals.unit.pipeline import check_unit

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "002_de489847e14864e5.txt"


def _picked(rows: list[tuple[object, ...]], columns: tuple[str, ...], wanted: list[str]) -> list[tuple[object, ...]]:
    at = [columns.index(c) for c in wanted]
    return [tuple(row[i] for i in at) for row in rows]


def _round_trip(unit: Unit) -> Unit:
    checked = check_unit(unit)
    record = record_of(unit, checked.report, sha256="0" * 64, size=1, path="单位.xlsx", ruleset=checked.ruleset)
    return unit_of(
        Stored(
            (record.sha256, unit.year, unit.name, unit.department or None, unit.framework, None, None, record.kind),
            _picked(record.rows["projects"], PROJECT_COLUMNS, [*PROJECT_FIELDS]),
            _picked(record.rows["indicators"], INDICATOR_COLUMNS, ["sheet", *INDICATOR_FIELDS]),
        )
    )


def _declared() -> Unit:
    unit = import_file(SAMPLE).unit
    for i, project in enumerate(unit.projects, start=1):
        project.sheet = f"项目{i}"
    return unit


def _fields(unit: Unit, but: frozenset[str] = frozenset()) -> list[dict[str, object]]:
    kept = set(PROJECT_FIELDS.values()) - but
    return [
        {
            **{k: v for k, v in p.model_dump().items() if k in kept},
            "indicators": [{k: getattr(i, k) for k in INDICATOR_FIELDS.values() if k not in but} for i in p.indicators],
        }
        for p in unit.projects
    ]


def test_a_declaration_comes_back_through_the_map_field_for_field() -> None:
    unit = _declared()
    assert _fields(_round_trip(unit)) == _fields(unit)


def test_a_selfeval_comes_back_with_its_actuals_reasons_and_points() -> None:
    unit = _declared()
    for project in unit.projects:
        project.form, project.budget_executed, project.execution_reason = SELFEVAL_FORM, project.budget_year, "按计划"
        for ind in project.indicators:
            ind.actual, ind.reason = "达成", "无偏差"
    back = _round_trip(unit)
    # Points are stored as the rule set scores them (each level's share where the unit gave none).
    scored = frozenset({"points", "execution_points"})
    assert _fields(back, but=scored) == _fields(unit, but=scored)
    assert {i.actual for p in back.projects for i in p.indicators} == {"达成"}
    assert all(i.points is not None for p in back.projects for i in p.indicators)
    assert all(p.execution_points is not None for p in back.projects)


def test_each_column_holds_the_field_it_names() -> None:
    # The only columns named apart from their field (the cover's 主管部门 is `department`, a printed score stands
    # beside the computed one): any other pair that differs is a field stored under another's name.
    renamed = {
        "start_date": "start",
        "end_date": "end",
        "project_department": "department",
        "printed_total_score": "total_score",
        "printed_score": "score",
    }
    for fields in (PROJECT_FIELDS, INDICATOR_FIELDS):
        assert {c: f for c, f in fields.items() if c != f} == {c: f for c, f in renamed.items() if c in fields}
        assert len(set(fields.values())) == len(fields)
