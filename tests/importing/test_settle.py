"""jobs/importing/settle.py: what an import settles once the text is read: indicators a report states only in
sentences added to its project, and a department's whole-spending table taken as one project."""

from __future__ import annotations

from xlgoals.core.model import Project, Unit
from xlgoals.core.ruleset import DEFAULT_QUALITATIVE
from xlgoals.core.targets import TargetKind
from xlgoals.importing.cells import cells_from_text
from xlgoals.importing.settle import add_stated, department

SENTENCE = "(1)时效目标:人才驿站补助资金到位时间绩效目标值是2023年12月前,实际完成值为2023年12月前,目标完成率为100%"


def test_a_stated_indicator_joins_the_only_project_once() -> None:
    unit = Unit(projects=[Project(name="人才驿站")])
    notes = add_stated(unit, cells_from_text(SENTENCE + "\n" + SENTENCE), DEFAULT_QUALITATIVE)
    (ind,) = unit.projects[0].indicators
    assert (ind.name, ind.value, ind.actual, ind.extra) == (
        "人才驿站补助资金到位时间",
        "2023年12月前",
        "2023年12月前",
        {"目标完成率": "100%"},
    )
    assert ind.target is not None and ind.target.kind is TargetKind.SCHEDULE
    assert len(notes) == 1 and notes[0].kind == "info" and "按正文句子所述导入" in notes[0].reason
    two = Unit(projects=[Project(name="甲"), Project(name="乙")])
    assert add_stated(two, cells_from_text(SENTENCE), DEFAULT_QUALITATIVE) == []  # whose would it be?


def test_a_departments_table_is_one_project_named_for_it() -> None:
    project = Project(form="部门整体支出绩效目标表", department="某局")
    unit = Unit(projects=[project])
    note = department(unit, project)
    assert (project.name, unit.name) == ("某局部门整体支出", "某局")
    assert note.kind == "info" and "不是项目的申报表" in note.reason
