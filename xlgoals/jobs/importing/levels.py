"""Level-1 and level-2 names of every framework as tables write them: score suffixes, wrapped cells, '指标'."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from xlgoals.jobs.importing.labels import key

# A weight printed in the level-1 cell: '(50分)', '(0-20)分', '（40-50）分', '10分'.
_SCORE = re.compile(r"^(?P<name>.+?)\s*(?P<score>[(（][0-9.]+(?:[-~—～][0-9.]+)?分?[)）]分?|[0-9.]+分)$")
SCORE_ONLY = re.compile(r"^[(（]?[0-9.]+(?:[-~—～][0-9.]+)?[)）]?分$|^[(（][0-9.]+(?:[-~—～][0-9.]+)?分[)）]$")


@cache
def _names() -> tuple[frozenset[str], frozenset[str]]:
    from xlgoals.validation.ruleset import builtin_rulesets

    level1: set[str] = set()
    level2: set[str] = set()
    for rs in builtin_rulesets():
        for lv in rs.level1:
            level1.add(lv.name)
            level2.update(lv.level2)
    return frozenset(level1), frozenset(level2)


def split_score(text: str) -> tuple[str, str]:
    """('产出指标', '50分') for '产出指标(50分)'; the score is '' when the cell has none."""
    folded = unicodedata.normalize("NFKC", text).strip()
    m = _SCORE.match(folded)
    if m is None:
        return key(folded), ""
    score = m["score"].replace("(", "").replace(")", "")
    return key(m["name"]), score if score.endswith("分") else score + "分"


def level1_name(text: str) -> str | None:
    name = split_score(text)[0]
    return name if name in _names()[0] else None


def level2_name(text: str) -> str | None:
    """The framework's spelling of a level-2 cell: '经济效益' -> '经济效益指标' where that is the name."""
    name = key(text)
    known = _names()[1]
    if name in known:
        return name
    if name + "指标" in known:
        return name + "指标"
    return None


def ambiguous(text: str) -> bool:
    """A name that is a level-1 in one form and a level-2 in another (成本指标, 满意度指标)."""
    name = split_score(text)[0]
    return name in _names()[0] and level2_name(name) is not None
