"""`xlgoals selfeval`: a unit's declaration (its workbook, or the archive's copy) becomes its 自评 workbook.

The archive's copy is found by `department/archive/units.selfeval_from_archive`, which hands it to `write_selfeval`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.model import Unit
from xlgoals.core.ruleset import RuleSet
from xlgoals.core.scoring import ProjectScore


@dataclass(frozen=True)
class Buttons:
    """How the 自评 workbook's buttons work, as `xlgoals template` sets them for a declaration: `xlsm` with the
    校验 buttons; `server` for the cover's 校验服务器 (blank: the declaration's own); `authorization`, the
    department token's header, in the hidden xlwings.conf sheet."""

    xlsm: bool = False
    server: str = ""
    authorization: str = ""


@dataclass(frozen=True)
class SelfevalBook:
    """What was written: the unit, the rule set that scores it, and each sheet with its scores as written."""

    unit: Unit
    ruleset: RuleSet
    sheets: list[tuple[str, ProjectScore]]


def write_selfeval(
    unit: Unit, out: str | os.PathLike[str], rules: str | None = None, buttons: Buttons = Buttons()
) -> SelfevalBook:
    """The 自评 workbook of a unit's declared projects, scored by the rule set its cover names (or `rules`),
    its buttons as `buttons` says."""
    from xlgoals.unit.pipeline import Among, choose_ruleset
    from xlgoals.validation.counted import ON_COMMAND
    from xlgoals.workbooks.selfevalbook import write_selfeval_workbook

    if not unit.projects:
        raise XlgoalsError("工作簿中没有项目，无法生成自评表；请先填写申报表的项目。", file=unit.source)
    # The rule set scores every row and fixes the form: a cover naming one not at hand is refused, never scored
    # by the default.
    rs = choose_ruleset(unit, rules, Among(refuse=ON_COMMAND))
    if buttons.server:
        unit = unit.model_copy(update={"server": buttons.server})
    if not buttons.xlsm:
        return SelfevalBook(unit, rs, write_selfeval_workbook(unit, rs, out, buttons.authorization))
    from xlgoals.io.janitor import temp_folder
    from xlgoals.macro.xlsm import write_selfeval_xlsm

    if Path(out).suffix.lower() != ".xlsm":
        raise XlgoalsError("带宏的自评表必须保存为 .xlsm 文件，请修改输出文件名。", file=os.fspath(out))
    with temp_folder("xlgoals-selfeval-") as tmp:
        xlsx = tmp / "selfeval.xlsx"
        sheets = write_selfeval_workbook(unit, rs, xlsx, buttons.authorization)
        write_selfeval_xlsm(xlsx, out, [name for name, _ in sheets])
    return SelfevalBook(unit, rs, sheets)


def selfeval_from_file(
    path: str | os.PathLike[str], out: str | os.PathLike[str], rules: str | None = None, buttons: Buttons = Buttons()
) -> SelfevalBook:
    """A unit workbook's declaration (or an earlier 自评 workbook, whose values are kept) as its 自评 workbook."""
    from xlgoals.io.outputs import check_output
    from xlgoals.io.reader import read

    check_output(Path(out), [Path(path)])
    unit = read(path)
    return write_selfeval(unit, out, rules, buttons)
