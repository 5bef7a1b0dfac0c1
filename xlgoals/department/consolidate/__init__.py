"""Consolidate many unit workbooks into one summary, accounting for every input file.

inputs (walk, hash, lock files) → worker (one file → rows, in a process of its own) → pool (order, dying
readers) → run (duplicates, streaming, ledger) → reconcile (figures add up) → the workbook and exports.
"""

from xlgoals.core.layout import (
    FINDING_DETAILS_SHEET,
    FINDINGS_SHEET,
    INDICATORS_SHEET,
    LEDGER_SHEET,
    OVERVIEW_SHEET,
    PROJECTS_SHEET,
    SUMMARY_SHEETS,
    UNITS_SHEET,
)
from xlgoals.department.consolidate.exports import csv_safe
from xlgoals.department.consolidate.inputs import InputFile, collect_inputs, is_lock_file
from xlgoals.department.consolidate.ledger import DUPLICATE, LOCK, READ, REJECTED, STATUSES, LedgerEntry, Reason, Status
from xlgoals.department.consolidate.pool import CHUNK, map_files
from xlgoals.department.consolidate.reconcile import Aggregate, ReconciliationError, UnitSummary
from xlgoals.department.consolidate.run import Consolidation, consolidate, consolidate_units
from xlgoals.department.consolidate.tables import (
    COLUMNS,
    DEPARTMENT_TOTAL,
    EXPORT_COLUMNS,
    NO_DEPARTMENT,
    SUBTOTAL,
    GroupBy,
)
from xlgoals.department.consolidate.worker import FileResult, ProgressFn, Task, process_file, process_unit

SHEETS = SUMMARY_SHEETS

__all__ = [
    "CHUNK",
    "COLUMNS",
    "DEPARTMENT_TOTAL",
    "DUPLICATE",
    "EXPORT_COLUMNS",
    "FINDINGS_SHEET",
    "FINDING_DETAILS_SHEET",
    "INDICATORS_SHEET",
    "LEDGER_SHEET",
    "LOCK",
    "NO_DEPARTMENT",
    "OVERVIEW_SHEET",
    "PROJECTS_SHEET",
    "READ",
    "REJECTED",
    "SHEETS",
    "STATUSES",
    "SUBTOTAL",
    "UNITS_SHEET",
    "Aggregate",
    "Consolidation",
    "FileResult",
    "GroupBy",
    "InputFile",
    "LedgerEntry",
    "ProgressFn",
    "Reason",
    "ReconciliationError",
    "Status",
    "Task",
    "UnitSummary",
    "collect_inputs",
    "consolidate",
    "consolidate_units",
    "csv_safe",
    "is_lock_file",
    "map_files",
    "process_file",
    "process_unit",
]
