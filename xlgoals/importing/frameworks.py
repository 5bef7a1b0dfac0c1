"""Which built-in framework a table's levels follow, and its names for the levels another form printed."""

from __future__ import annotations

from dataclasses import dataclass

from xlgoals.core.model import Indicator, Unit
from xlgoals.importing.levels import level1_in, level2_in


@dataclass(frozen=True)
class Mapping:
    """A printed level name filed under the framework's name for it."""

    level: str  # '一级指标' or '二级指标'
    printed: str
    mapped: str


def _fit(pairs: list[tuple[str, str]], known: dict[str, list[str]], l2_names: frozenset[str]) -> int:
    count = 0
    l1_names = frozenset(known)
    for l1, l2 in pairs:
        m1 = level1_in(l1, l1_names)
        if m1 in known:
            count += 1
            if level2_in(l2, l2_names) in known[m1]:
                count += 1
        elif not l1 and level2_in(l2, l2_names) in l2_names:
            count += 1  # a table printing no level-1: its level-2 names alone
    return count


def framework_of(unit: Unit) -> str:
    """The built-in rule set whose level-1/level-2 pairs fit most indicators (another form's names for its
    levels counted where the mapping is certain); ties go to the earlier one."""
    from xlgoals.core.ruleset import builtin_rulesets

    pairs = [(ind.level1, ind.level2) for p in unit.projects for ind in p.indicators]
    best, best_count = "", 0
    for rs in builtin_rulesets():
        known = rs.level2_by_level1
        count = _fit(pairs, dict(known), frozenset(n for names in known.values() for n in names))
        if count > best_count:
            best, best_count = rs.name, count
    return best


def map_levels(indicators: list[Indicator], framework: str) -> list[tuple[Indicator, Mapping]]:
    """File each indicator's printed levels under the framework's names where the mapping is certain; the
    indicators changed, each with what was mapped (level-1 first)."""
    from xlgoals.core.ruleset import builtin_named

    rs = builtin_named(framework)
    if rs is None:
        return []
    known = rs.level2_by_level1
    l1_names = frozenset(known)
    l2_names = frozenset(n for names in known.values() for n in names)
    changed: list[tuple[Indicator, Mapping]] = []
    for ind in indicators:
        l1 = level1_in(ind.level1, l1_names) if ind.level1 else ""
        # A level-2 is mapped only under a level-1 of the framework whose list holds the mapped name.
        l2 = level2_in(ind.level2, l2_names) if ind.level2 else ""
        if l2 != ind.level2 and l2 not in known.get(l1, ()):
            l2 = ind.level2
        if not l1 and l2:
            # No level-1 printed: the one level-1 the framework files this level-2 under.
            homes = [name for name, names in known.items() if level2_in(l2, l2_names) in names]
            if len(homes) == 1:
                l1 = homes[0]
                l2 = level2_in(l2, l2_names)
        if l1 != ind.level1:
            changed.append((ind, Mapping("一级指标", ind.level1, l1)))
        if l2 != ind.level2:
            changed.append((ind, Mapping("二级指标", ind.level2, l2)))
        ind.level1, ind.level2 = l1, l2
    return changed
