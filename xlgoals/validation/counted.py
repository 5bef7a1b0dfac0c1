"""The rule sets that count where a check runs: the built-ins, or those the department registered (XLGOALS_RULES).

A cover's 指标体系 is resolved among these by name or title, never as a path: what a unit types into its workbook
cannot point the check at a file of its choosing. The department's server takes its list from `xlgoals serve
--rules` (or the environment); a desk with Python from its xlwings.conf (beside the workbook, then the user's).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlgoals.core import layout
from xlgoals.core.builtin import DEFAULT
from xlgoals.core.errors import XlgoalsError
from xlgoals.core.ruleset import RuleSet, RuleSetError, builtin_named, builtin_rulesets, load_ruleset
from xlgoals.validation.rules import check_ruleset

ENV = "XLGOALS_RULES"
# xlwings.conf holds one setting a line, "KEY","VALUE" (as xlwings' own read_user_config reads it).
_CONF_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"')

# Where a check runs, as the refusal names it, and what the unit should do there.
Where = tuple[str, str]
ON_SERVER: Where = ("校验服务器", "请联系主管部门在校验服务器上登记该规则集（xlgoals serve --rules 规则集文件）")
ON_DESK: Where = (
    "本机",
    "请把主管部门发来的规则集文件的路径写入本工作簿所在文件夹或用户目录 .xlwings 下的 xlwings.conf"
    f'（一行："{ENV}","文件路径"），或联系主管部门',
)
ON_COMMAND: Where = ("本机", f"请用 --rules 规则集文件 指定，或把它的路径写入环境变量 {ENV}")


class RuleSetMissing(XlgoalsError):
    """The cover names a rule set this checker does not have: no check runs rather than one by another set."""

    code = "ruleset.missing"

    def __init__(self, framework: str, titles: Sequence[str], where: Where, file: str | None = None) -> None:
        shown = "、".join(f"“{t}”" for t in titles)
        super().__init__(
            f"封面“指标体系”为“{framework}”，但{where[0]}没有这个规则集，未作校验（不会改用其他规则集代替）。"
            f"{where[0]}的指标体系有：{shown}。如果“{framework}”是本局自定的规则集，{where[1]}；"
            "否则请在封面从下拉列表重新选择本单位适用的指标体系后重试。",
            file=file,
            sheet=layout.COVER_SHEET,
            cell=layout.COVER_FIELD["framework"].value_cell,
        )


@dataclass(frozen=True)
class Counted:
    """The rule sets that count: `entries` (built-in names or .toml paths), or every built-in when empty.
    The built-ins are known by their files' heads, so naming one parses that file alone (a click's start)."""

    entries: tuple[str, ...] = ()

    def sets(self) -> list[RuleSet]:
        """Every rule set that counts, parsed and its rules checked; a name or title two of them share is refused."""
        if not self.entries:
            return builtin_rulesets()
        sets = [check_ruleset(load_ruleset(e)) for e in self.entries]
        seen: dict[str, RuleSet] = {}
        for rs in sets:
            for key in dict.fromkeys((rs.name, rs.title)):
                other = seen.setdefault(key, rs)
                if other is not rs:
                    clash = f"“{key}”与 {other.source or other.name} 的名称或标题相同，封面无法区分指的是哪一个"
                    raise RuleSetError(rs.source or rs.name, "name/title", clash)
        return sets

    def find(self, framework: str) -> RuleSet | None:
        """The rule set a cover's 指标体系 names, by name or title; never a file the cover names."""
        key = framework.strip()
        if not self.entries:
            return builtin_named(key)
        return next((rs for rs in self.sets() if key in (rs.name, rs.title)), None)

    def default(self) -> RuleSet:
        """A cover without a 指标体系: the built-in default where it counts, else the first listed."""
        if not self.entries:
            return load_ruleset(DEFAULT)
        return self.find(DEFAULT) or self.sets()[0]

    def titles(self) -> list[str]:
        return [rs.title for rs in self.sets()]


def counted(spec: str | None = None) -> Counted:
    """The rule sets `spec` lists, ';'-separated (None: the XLGOALS_RULES environment variable)."""
    text = os.environ.get(ENV, "") if spec is None else spec
    return Counted(tuple(e.strip() for e in text.split(";") if e.strip()))


def desk_spec(folder: Path | None, user_conf: Path) -> str | None:
    """The desk's XLGOALS_RULES: from the xlwings.conf beside the workbook, else the user's xlwings.conf, else the
    environment (None); relative paths are taken from the conf file's folder. The workbook's own xlwings.conf
    sheet is not read: a unit could edit it."""
    for conf in ([folder / "xlwings.conf"] if folder is not None else []) + [user_conf]:
        value = _conf_value(conf, ENV)
        if value is not None:
            paths = [e.strip() for e in value.split(";") if e.strip()]
            return ";".join(_beside(conf.parent, p) for p in paths)
    return None


def _beside(folder: Path, entry: str) -> str:
    path = Path(os.path.expandvars(entry)).expanduser()
    return str(folder / path) if entry.lower().endswith(".toml") and not path.is_absolute() else entry


def _conf_value(conf: Path, key: str) -> str | None:
    try:
        lines = conf.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        m = _CONF_LINE.match(line)
        if m and m.group(1).strip().upper() == key:
            return m.group(2)
    return None
