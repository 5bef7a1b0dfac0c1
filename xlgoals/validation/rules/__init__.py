"""Run a rule set over a unit: each enabled rule's check yields hits, rendered into findings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlgoals.core.model import Unit, is_selfeval
from xlgoals.core.ruleset import RuleSet, RuleSetError, RuleSpec
from xlgoals.validation.findings import Finding, ProjectRef, Report, render, template_fields
from xlgoals.validation.rules import checks as _checks  # noqa: F401  (registers the built-in checks)
from xlgoals.validation.rules.common import money_unit
from xlgoals.validation.rules.registry import CHECKS, Context, Form, History, Hit

# Placeholders every message may use, filled by the engine from where the hit is.
# 'unit' is what the project's amounts are typed in (万元 on the national form, else 元), as {value} shows them.
COMMON_PLACEHOLDERS = frozenset({"project", "sheet", "cell", "value", "indicator", "level1", "level2", "field", "unit"})


# Rule sets already checked, by identity (each kept alive so its id stays its own): loading caches a file's rule
# set, so every workbook of a consolidation brings the same object and pays one lookup, not the check.
_CHECKED: dict[int, RuleSet] = {}


def check_ruleset(rs: RuleSet) -> RuleSet:
    """The rule set, once its rules are known to the registry: unknown checks, parameters and placeholders are
    refused, naming the file and the rule. Whoever runs or builds from a rule set's rules checks it here."""
    if _CHECKED.get(id(rs)) is rs:
        return rs
    for i, rule in enumerate(rs.rules, start=1):
        key = f"rules[{i}]({rule.code})"
        info = CHECKS.get(rule.check)
        if info is None:
            raise RuleSetError(
                rs.source, f"{key}.check", f"没有名为“{rule.check}”的检查；可用：{', '.join(sorted(CHECKS))}"
            )
        unknown = sorted(set(rule.params) - set(info.defaults))
        if unknown:
            allowed = ", ".join(sorted(info.defaults)) or "（无）"
            raise RuleSetError(rs.source, f"{key}.params", f"检查“{rule.check}”不认识参数 {unknown}；可用：{allowed}")
        for p, default in info.defaults.items():
            given = rule.params.get(p)
            int_for_float = isinstance(default, float) and isinstance(given, int)
            if given is not None and default is not None and not isinstance(given, type(default)) and not int_for_float:
                raise RuleSetError(
                    rs.source,
                    f"{key}.params.{p}",
                    f"应为 {type(default).__name__}，实际是 {rule.params[p]!r}",
                )
        extra = sorted(template_fields(rule.message) - info.placeholders - COMMON_PLACEHOLDERS)
        if extra:
            raise RuleSetError(rs.source, f"{key}.message", f"提示语中的占位符 {extra} 该检查不提供")
    _CHECKED[id(rs)] = rs
    return rs


def _finding(rule: RuleSpec, ctx: Context, hit: Hit, file: str | None) -> Finding:
    project = hit.project or ctx.project
    ind = hit.indicator
    sheet = hit.sheet or (project.sheet if project else None)
    params: dict[str, Any] = {
        "project": (project.name or sheet or "") if project else "",
        "sheet": sheet or "",
        "cell": hit.cell or "",
        "value": hit.value if hit.value is not None else "",
        "field": hit.field or "",
        "indicator": ind.name if ind else "",
        "level1": ind.level1 if ind else "",
        "level2": ind.level2 if ind else "",
        "unit": money_unit(project).value,
        **hit.params,
    }
    return Finding(
        code=rule.code,
        severity=rule.severity,
        message=render(rule.message, params),
        project=(project.name or sheet) if project else None,
        sheet=sheet,
        cell=hit.cell,
        field=hit.field,
        value=hit.value,
        file=file,
    )


def run_rules(unit: Unit, rs: RuleSet, file: str | None = None, history: History | None = None) -> Iterator[Finding]:
    """Each enabled rule's findings in turn, in the order its check gives them (the report sorts them)."""
    # The places checks look at, made once per run and shared by all rules: indicator-scope checks walk a
    # project's indicators themselves.
    whole = [Context(unit, rs, history=history)]
    projects: dict[Form, list[Context]] = {"declaration": [], "selfeval": []}
    for p in unit.projects:
        projects["selfeval" if is_selfeval(p) else "declaration"].append(Context(unit, rs, p, history=history))
    for rule in rs.rules:
        if not rule.enabled:
            continue
        info = CHECKS[rule.check]
        if info.history and history is None:
            continue
        params: Mapping[str, Any] = {**info.defaults, **rule.params} if rule.params else info.defaults
        fn = info.fn
        contexts = whole if info.scope == "unit" else [c for form in info.forms for c in projects[form]]
        for ctx in contexts:
            for hit in fn(ctx, params):
                yield _finding(rule, ctx, hit, file)


def validate(unit: Unit, rs: RuleSet, *, file: str | None = None, history: History | None = None) -> Report:
    """Every finding of every enabled rule; collection never stops early. `history` enables the year-over-year
    checks (last year's declaration of the unit, from an archive)."""
    check_ruleset(rs)
    projects = [ProjectRef(sheet=p.sheet or "", name=p.name) for p in unit.projects]
    return Report.build(run_rules(unit, rs, file, history), file=file, ruleset=rs.name, projects=projects)


__all__ = ["CHECKS", "Context", "History", "Hit", "check_ruleset", "run_rules", "validate"]
