"""Run a rule set over a unit: each enabled rule's check yields hits, rendered into findings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from xlgoals.findings import Finding, Report, render, template_fields
from xlgoals.model import Unit
from xlgoals.rules import checks as _checks  # noqa: F401  (registers the built-in checks)
from xlgoals.rules.registry import CHECKS, CheckInfo, Context, Hit
from xlgoals.ruleset import RuleSet, RuleSetError, RuleSpec

# Placeholders every message may use, filled by the engine from where the hit is.
COMMON_PLACEHOLDERS = frozenset({"project", "sheet", "cell", "value", "indicator", "level1", "level2", "field"})


def check_ruleset(rs: RuleSet) -> None:
    """Reject unknown checks, parameters and placeholders, naming the file and the rule."""
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


def _finding(rule: RuleSpec, ctx: Context, hit: Hit) -> Finding:
    project = hit.project or ctx.project
    ind = ctx.indicator
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
    )


def _contexts(info: CheckInfo, unit: Unit, rs: RuleSet) -> Iterator[Context]:
    if info.scope == "unit":
        yield Context(unit, rs)
        return
    for project in unit.projects:
        if info.scope == "project":
            yield Context(unit, rs, project)
        else:
            for indicator in project.indicators:
                yield Context(unit, rs, project, indicator)


def run_rules(unit: Unit, rs: RuleSet) -> Iterator[Finding]:
    for rule in rs.rules:
        if not rule.enabled:
            continue
        info = CHECKS[rule.check]
        params: Mapping[str, Any] = {**info.defaults, **rule.params}
        for ctx in _contexts(info, unit, rs):
            for hit in info.fn(ctx, params):
                yield _finding(rule, ctx, hit)


def validate(unit: Unit, rs: RuleSet, *, file: str | None = None) -> Report:
    """Every finding of every enabled rule; collection never stops early."""
    findings = list(run_rules(unit, rs))
    if file:
        findings = [f.model_copy(update={"file": file}) for f in findings]
    names = [p.name or p.sheet or "" for p in unit.projects]
    return Report.build(findings, file=file, ruleset=rs.name, projects=names)


__all__ = ["CHECKS", "Context", "Hit", "check_ruleset", "run_rules", "validate"]
