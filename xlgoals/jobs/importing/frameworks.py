"""Which built-in framework a table's levels follow: the one under which most indicators sit rightly."""

from __future__ import annotations

from xlgoals.core.model import Unit


def framework_of(unit: Unit) -> str:
    """The built-in rule set whose level-1/level-2 pairs fit most indicators; ties go to the earlier one."""
    from xlgoals.validation.ruleset import builtin_rulesets

    pairs = [(ind.level1, ind.level2) for p in unit.projects for ind in p.indicators]
    best, best_count = "", 0
    for rs in builtin_rulesets():
        known = rs.level2_by_level1
        count = sum(1 for l1, l2 in pairs if l2 in known.get(l1, ()))
        count += sum(1 for l1, _ in pairs if l1 in known)
        if count > best_count:
            best, best_count = rs.name, count
    return best
