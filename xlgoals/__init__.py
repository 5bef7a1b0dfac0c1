"""xlgoals: template, validation, roll-up and consolidation of 财政项目支出绩效目标表 workbooks."""

from xlgoals.errors import LayoutError, NotOurWorkbookError, WorkbookError, XlgoalsError
from xlgoals.findings import Finding, Report, Severity
from xlgoals.model import Indicator, Project, Unit
from xlgoals.reader import read
from xlgoals.ruleset import RuleSet, RuleSetError, load_ruleset
from xlgoals.values import ParseError, Target, parse_date, parse_money, parse_target

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
