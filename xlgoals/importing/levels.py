"""Level names as tables write them (weights, wrapped cells, '指标') and other forms' names for them."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from xlgoals.importing.labels import LONGEST_LABEL, key

# A weight printed in the level-1 cell: '(50分)', '(0-20)分', '（40-50）分', '10分'.
_SCORE = re.compile(r"^(?P<name>.+?)\s*(?P<score>[(（][0-9.]+(?:[-~—～][0-9.]+)?分?[)）]分?|[0-9.]+分)$")
SCORE_ONLY = re.compile(r"^[(（]?[0-9.]+(?:[-~—～][0-9.]+)?[)）]?分$|^[(（][0-9.]+(?:[-~—～][0-9.]+)?分[)）]$")

# Level-1 names other forms print for a national level-1: the mapping is certain, so the table's rows are
# filed under the framework's name (the printed one is kept in the import log).
LEVEL1_ALIASES = {
    "项目完成指标": "产出指标",
    "完成指标": "产出指标",
    "预期产出指标": "产出指标",
    "项目产出指标": "产出指标",
    "项目产出": "产出指标",
    "产出": "产出指标",
    "产出目标": "产出指标",
    "项目效益指标": "效益指标",
    "项目效益": "效益指标",
    "预期效益指标": "效益指标",
    "效果指标": "效益指标",
    "效益": "效益指标",
    "效益目标": "效益指标",
    "预算(或投资规模)控制指标": "成本指标",
    "预算控制指标": "成本指标",
    "成本控制指标": "成本指标",
    "成本目标": "成本指标",
    "满意度目标": "满意度指标",
}
# Levels of the evaluation framework (决策 / 过程 / 产出 / 效益) with no counterpart in a target framework: read
# as level-1 cells, kept as printed, and left for validation to question.
LEVEL1_UNMAPPED = frozenset(
    {"决策", "项目决策", "决策指标", "过程", "项目过程", "过程指标", "项目管理", "管理", "投入", "投入指标"}
)
LEVEL2_ALIASES = {
    "环境效益指标": "生态效益指标",
    "环境效益": "生态效益指标",
    "满意度目标": "服务对象满意度指标",
    "服务对象满意度目标": "服务对象满意度指标",
}
_GOAL_SUFFIX = re.compile(r"^(?P<stem>.+?)目标$")


@cache
def _names() -> tuple[frozenset[str], frozenset[str]]:
    from xlgoals.core.ruleset import builtin_rulesets

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
    m = _SCORE.match(folded) if len(folded) <= LONGEST_LABEL else None
    if m is None:
        return key(folded), ""
    score = m["score"].replace("(", "").replace(")", "")
    return key(m["name"]), score if score.endswith("分") else score + "分"


def level1_name(text: str) -> str | None:
    """The level-1 name as printed (without its weight) when the cell is a level-1 of some form."""
    name = split_score(text)[0]
    if name in _names()[0] or name in LEVEL1_ALIASES or name in LEVEL1_UNMAPPED:
        return name
    return None


def level2_name(text: str) -> str | None:
    """The framework's spelling of a level-2 cell: '经济效益' -> '经济效益指标' where that is the name;
    another form's name ('数量目标', '环境效益指标') as printed."""
    name = key(text)
    known = _names()[1]
    if name in known or name in LEVEL2_ALIASES:
        return name
    if name + "指标" in known:
        return name + "指标"
    m = _GOAL_SUFFIX.match(name)
    if m is not None and m["stem"] + "指标" in known:
        return name  # '数量目标': Fujian's name for 数量指标
    return None


def reads_as_level1(text: str, nxt: str | None) -> bool:
    """Whether a name both forms use (成本指标 is a level-1 in the 2021 form, a level-2 of 产出指标 in older ones)
    stands as a level-1 here: a weight in it or after it, or another level-2 after it, says so."""
    if split_score(text)[1] or (nxt is not None and SCORE_ONLY.match(nxt) is not None):
        return True
    after = level2_name(nxt) if nxt is not None else None
    # '成本指标' / '成本': the same name again is the indicator under it, not a level-2 of its own.
    return after is not None and _stem(after) != _stem(split_score(text)[0]) and not ambiguous(nxt or "")


def _stem(name: str) -> str:
    return name.removesuffix("指标").removesuffix("目标")


@cache
def _trees() -> tuple[dict[str, tuple[str, ...]], ...]:
    from xlgoals.core.ruleset import builtin_rulesets

    return tuple({l1: tuple(l2s) for l1, l2s in rs.level2_by_level1.items()} for rs in builtin_rulesets())


def fits(level2: str, level1: str) -> bool:
    """Whether some framework files this level-2 under this level-1 (other forms' names mapped)."""
    if not level2 or not level1:
        return False
    for tree in _trees():
        l1 = level1_in(level1, frozenset(tree))
        if l1 in tree and level2_in(level2, frozenset(n for ns in tree.values() for n in ns)) in tree[l1]:
            return True
    return False


def truncated(text: str) -> bool:
    """A level's name cut short where a stored copy ends: '数量指' of 数量指标."""
    name = key(text)
    if len(name) < 2 or level1_name(name) or level2_name(name):
        return False
    level1, level2 = _names()
    return any(n.startswith(name) for n in (*level1, *level2))


def ambiguous(text: str) -> bool:
    """A name that is a level-1 in one form and a level-2 in another (成本指标, 满意度指标)."""
    name = split_score(text)[0]
    return level1_name(name) is not None and level2_name(name) is not None


def level1_in(name: str, framework: frozenset[str]) -> str:
    """The framework's level-1 for a printed name: itself, or the certain alias; the name when neither fits."""
    if name in framework:
        return name
    alias = LEVEL1_ALIASES.get(name)
    return alias if alias is not None and alias in framework else name


def level2_in(name: str, framework: frozenset[str]) -> str:
    """The framework's level-2 for a printed name ('数量目标' -> '数量指标'); the name when none fits."""
    if name in framework:
        return name
    for candidate in (LEVEL2_ALIASES.get(name), name + "指标", _goal_stem(name)):
        if candidate is not None and candidate in framework:
            return candidate
    return name


def _goal_stem(name: str) -> str | None:
    m = _GOAL_SUFFIX.match(name)
    return m["stem"] + "指标" if m is not None else None
