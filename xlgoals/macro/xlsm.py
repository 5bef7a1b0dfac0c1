"""The macro-enabled template: the .xlsx template plus our VBA project and a button column per sheet."""

from __future__ import annotations

import os
from pathlib import Path

from xlgoals.core import layout
from xlgoals.core import selfevallayout as slayout
from xlgoals.core.errors import XlgoalsError
from xlgoals.core.ruleset import DEFAULT, RuleSet
from xlgoals.io.janitor import temp_folder
from xlgoals.io.outputs import atomic_output
from xlgoals.macro.vba import BUTTONS
from xlgoals.macro.xlsmpackage import make_xlsm
from xlgoals.workbooks.template import write_template

# Which buttons each kind of sheet carries (by Sub name); the project template sheet carries the
# project buttons so a sheet copied from it by 新增项目 has them too.
PROJECT_BUTTONS = ("ValidateActiveSheet", "ValidateAll", "AddProject")
COVER_BUTTONS = ("ValidateAll", "AddProject", "RollUp", "ExportSummary", "ConsolidateFolder")
# A 自评 workbook has one sheet per declared project: nothing to add, so no 新增项目.
SELFEVAL_PROJECT_BUTTONS = ("ValidateActiveSheet", "ValidateAll")
SELFEVAL_COVER_BUTTONS = ("ValidateAll", "RollUp", "ExportSummary", "ConsolidateFolder")


def _column(subs: tuple[str, ...], column: str = layout.PROJECT_BUTTON_COLUMN) -> list[tuple[str, str, str]]:
    caption = {sub: cap for cap, sub, _ in BUTTONS}
    return [
        (f"{column}{layout.BUTTON_FIRST_ROW + i * layout.BUTTON_ROW_STEP}", caption[sub], sub)
        for i, sub in enumerate(subs)
    ]


def button_plan(projects: int = 1) -> dict[str, list[tuple[str, str, str]]]:
    """Sheet -> [(anchor cell, caption, Sub)] for the blank template with `projects` project sheets."""
    return {
        layout.COVER_SHEET: _column(COVER_BUTTONS),
        **{layout.project_sheet_name(i): _column(PROJECT_BUTTONS) for i in range(1, max(1, projects) + 1)},
        layout.PROJECT_TEMPLATE_SHEET: _column(PROJECT_BUTTONS),
    }


def write_xlsm_template(
    path: str | os.PathLike[str],
    projects: int = 1,
    framework: str = DEFAULT,
    server: str = "",
    authorization: str = "",
    checks: RuleSet | None = None,
) -> None:
    target = Path(path)
    if target.suffix.lower() != ".xlsm":
        raise XlgoalsError("带宏的模板必须保存为 .xlsm 文件，请修改输出文件名。", file=str(target))
    with temp_folder("xlgoals-xlsm-") as tmp:
        xlsx = tmp / "template.xlsx"
        write_template(xlsx, projects, framework, server, authorization, checks=checks)
        with atomic_output(target, keep_suffix=True) as out:
            make_xlsm(xlsx, out, button_plan(projects))


def write_selfeval_xlsm(xlsx: Path, out: str | os.PathLike[str], sheets: list[str]) -> None:
    """A 自评 workbook (.xlsx) as .xlsm with the 校验 buttons, right of what prints."""
    plan = {
        layout.COVER_SHEET: _column(SELFEVAL_COVER_BUTTONS),
        **{name: _column(SELFEVAL_PROJECT_BUTTONS, slayout.SELFEVAL_BUTTON_COLUMN) for name in sheets},
    }
    with atomic_output(Path(out), keep_suffix=True) as tmp:
        make_xlsm(xlsx, tmp, plan)
