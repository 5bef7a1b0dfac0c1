"""xlgoals: template, validation, roll-up and consolidation of 财政项目支出绩效目标表 workbooks."""

from xlgoals.core.errors import LayoutError, NotOurWorkbookError, WorkbookError, XlgoalsError
from xlgoals.core.model import Indicator, Project, Unit
from xlgoals.core.targets import Target, parse_target
from xlgoals.core.values import ParseError, parse_date, parse_money
from xlgoals.io.reader import read
from xlgoals.validation.findings import Finding, Report, Severity
from xlgoals.validation.ruleset import RuleSet, RuleSetError, load_ruleset

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
