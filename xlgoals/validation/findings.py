"""Findings and the validation report: machine code, severity, location and a Chinese message."""

from __future__ import annotations

import json
import string
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from xlgoals.core.layout import split_address
from xlgoals.core.order import natural_key
from xlgoals.core.ruleset import Severity as Severity

SEVERITY_ZH: dict[Severity, str] = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
SEVERITY_ORDER: dict[Severity, int] = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Finding(BaseModel):
    """One problem a reviewer would raise, pinned to the cell it concerns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    severity: Severity
    message: str
    # The project's name as shown (its sheet while the name is blank); set on every finding about a
    # project, whose identity is `sheet`: two projects may share a name.
    project: str | None = None
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None
    value: str | None = None
    file: str | None = None

    @property
    def location(self) -> str:
        """'sheet!cell' as a reviewer writes it, or whatever part is known."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""


class _SafeFormatter(string.Formatter):
    """Renders a rule-set message; a placeholder the check does not supply stays visible, never raises."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "{" + key + "}")
        return super().get_value(key, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        try:
            return str(super().format_field(value, format_spec))
        except (ValueError, TypeError):
            return str(value)


_FORMATTER = _SafeFormatter()


def render(template: str, params: Mapping[str, Any]) -> str:
    """The one place a message template meets its parameters."""
    plain = _plain(template)
    if plain is not None:
        return "".join(
            literal if name is None else format(params[name], "") if name in params else "{" + name + "}"
            for literal, name in plain
        )
    try:
        return _FORMATTER.vformat(template, (), params)
    except (ValueError, IndexError):
        # A malformed template (stray brace) is shown as written rather than losing the finding.
        return template


@lru_cache(maxsize=1024)
def _plain(template: str) -> tuple[tuple[str, str | None], ...] | None:
    """A template as literal texts and bare placeholder names ('{label}'), parsed once; None when a placeholder
    has a format, a conversion, an index or an attribute, which the formatter renders instead."""
    parts: list[tuple[str, str | None]] = []
    try:
        for literal, name, spec, conversion in _FORMATTER.parse(template):
            if name is not None and (spec or conversion or not name.isidentifier()):
                return None
            if literal:
                parts.append((literal, None))
            if name is not None:
                parts.append(("", name))
    except ValueError:
        return None
    return tuple(parts)


def template_fields(template: str) -> set[str]:
    """Placeholder names a template uses; the rule-set loader checks them against what a check supplies."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def sort_key(f: Finding) -> tuple[object, int, int, str, str]:
    """Sheets in natural order (项目2 before 项目10), then row, column, code and message."""
    row, col = split_address(f.cell) if f.cell else (0, 0)
    return (natural_key(f.sheet), row, col, f.code, f.message)


class ProjectRef(BaseModel):
    """A project in a report: its sheet is who it is, its name is what it is called."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sheet: str
    name: str = ""


class ProjectCounts(BaseModel):
    """One project's findings per severity, the row of a status table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sheet: str
    name: str
    counts: dict[str, int]


def zero_counts() -> dict[str, int]:
    return {s.value: 0 for s in Severity}


class Report(BaseModel):
    """All findings for one workbook, in sheet and cell order."""

    model_config = ConfigDict(extra="forbid")

    findings: list[Finding]
    file: str | None = None
    ruleset: str | None = None
    projects: list[ProjectRef] = []

    @classmethod
    def build(
        cls, findings: Iterable[Finding], *, file: str | None, ruleset: str, projects: Sequence[ProjectRef]
    ) -> Report:
        return cls(findings=sorted(findings, key=sort_key), file=file, ruleset=ruleset, projects=list(projects))

    @property
    def valid(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity.value for f in self.findings)
        return {s.value: c.get(s.value, 0) for s in Severity}

    def counts_by_code(self) -> dict[str, int]:
        return dict(sorted(Counter(f.code for f in self.findings).items()))

    def per_project(self) -> dict[str, dict[str, int]]:
        """Sheet -> errors / warnings / infos of the project on it, every project listed even when clean."""
        out = {p.sheet: zero_counts() for p in self.projects}
        for f in self.findings:
            if f.project is not None:
                out.setdefault(f.sheet or "", zero_counts())[f.severity.value] += 1
        return out

    def project_counts(self) -> list[ProjectCounts]:
        """Per project, sheets in natural order: sheet, name and counts (the status table's rows and the JSON's)."""
        per = self.per_project()
        ordered = sorted(self.projects, key=lambda p: natural_key(p.sheet))
        return [ProjectCounts(sheet=p.sheet, name=p.name, counts=per[p.sheet]) for p in ordered]

    def flatten(self, columns: Sequence[str]) -> list[list[Any]]:
        """Plain rows of the chosen Finding fields, for tests and CSV."""
        return [[getattr(f, c) for c in columns] for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "ruleset": self.ruleset,
            "valid": self.valid,
            "counts": self.counts(),
            "counts_by_code": self.counts_by_code(),
            "projects": [p.model_dump() for p in self.project_counts()],
            "findings": [f.model_dump(mode="json", exclude_none=True) for f in self.findings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
