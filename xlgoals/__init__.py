"""xlgoals: template, validation, roll-up and consolidation of 财政项目支出绩效目标表 workbooks."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlgoals.core.errors import LayoutError, NotOurWorkbookError, WorkbookError, XlgoalsError
    from xlgoals.core.model import Indicator, Project, Unit
    from xlgoals.core.ruleset import RuleSet, RuleSetError, load_ruleset
    from xlgoals.core.targets import Target, parse_target
    from xlgoals.core.values import ParseError, parse_date, parse_money
    from xlgoals.io.reader import read
    from xlgoals.validation.findings import Finding, Report, Severity

# The public API, each name with the module that defines it. They load on first use (PEP 562), so a
# click's `import xlgoals.excel` or a CLI command pays only for the modules it runs, not for all of these.
_WHERE = {
    "LayoutError": "xlgoals.core.errors",
    "NotOurWorkbookError": "xlgoals.core.errors",
    "WorkbookError": "xlgoals.core.errors",
    "XlgoalsError": "xlgoals.core.errors",
    "Indicator": "xlgoals.core.model",
    "Project": "xlgoals.core.model",
    "Unit": "xlgoals.core.model",
    "Target": "xlgoals.core.targets",
    "parse_target": "xlgoals.core.targets",
    "ParseError": "xlgoals.core.values",
    "parse_date": "xlgoals.core.values",
    "parse_money": "xlgoals.core.values",
    "read": "xlgoals.io.reader",
    "Finding": "xlgoals.validation.findings",
    "Report": "xlgoals.validation.findings",
    "Severity": "xlgoals.validation.findings",
    "RuleSet": "xlgoals.core.ruleset",
    "RuleSetError": "xlgoals.core.ruleset",
    "load_ruleset": "xlgoals.core.ruleset",
}

__all__ = [
    "Finding",
    "Indicator",
    "LayoutError",
    "NotOurWorkbookError",
    "ParseError",
    "Project",
    "Report",
    "RuleSet",
    "RuleSetError",
    "Severity",
    "Target",
    "Unit",
    "WorkbookError",
    "XlgoalsError",
    "load_ruleset",
    "parse_date",
    "parse_money",
    "parse_target",
    "read",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'xlgoals' has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
