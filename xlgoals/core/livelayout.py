"""Where the live checks sit: the hidden live area of each sheet, its counts, the cover's live table."""

from __future__ import annotations

from xlgoals.core.layout import INDICATOR_HEADER_ROW, READ_MAX_COLUMN

# The live checks (issue 20) are formulas generated from the rule set.
# Their helpers and flags sit in each sheet's live area, hidden columns from K, inside the read bounds (none of it
# is unread) and right of every data cell: the readers take data only from the forms' value cells and columns A:D
# of the indicator table, so no live cell, nor the status line or the cover's table, becomes a value or a finding.
# Their lists (names, words, characters) sit once on the lists sheet, in LIVE_LISTS_COLUMN.
LIVE_FIRST_COLUMN = 11  # K: E:J stay free beside the form (F holds the buttons and the status line)
LIVE_LAST_COLUMN = READ_MAX_COLUMN  # BH: the area may grow up to here
LIVE_ENTRY_COLUMNS = 3  # flag entries of single cells ("code|cell|severity", count, undecided) in K:M from row 2
LIVE_LISTS_COLUMN = READ_MAX_COLUMN  # on LISTS_SHEET
# A project sheet's live counts, the same cells on every one: the cover adds them up over the sheets between it
# and the hidden template (a 3-D reference). AD is past every column the other sheets there fill in rows 1-7.
LIVE_TOTALS_COLUMN = 30  # AD
LIVE_ERRORS_CELL, LIVE_WARNINGS_CELL, LIVE_INFOS_CELL = "AD1", "AD2", "AD3"
LIVE_FILLED_CELL = "AD4"  # 1 when the sheet is a project (not blank), as the reader decides
LIVE_GATE_CELL = "AD5"  # 1 when the cover's 指标体系 names the rule set the checks were generated from
LIVE_UNDECIDED_CELL = "AD6"  # cells whose verdict the formulas leave to the Python check (校验)
LIVE_ON_CELL = "AD7"  # filled and gate: the flags count only then
# Above the indicator table each per-row column names what it holds; the row below holds where it starts from.
LIVE_FLAG_HEADER_ROW = INDICATOR_HEADER_ROW - 1
PROJECT_STATUS_CELL = "F1"  # one line per project sheet, right of the printed form (never printed)
# A 自评 sheet's live area starts past its own scoring helpers (T:Z) and buttons (K), at AE; its counts are the
# same AD1:AD7 as a project sheet's. Its status line sits beside the title, right of the printed form (A:I).
SELFEVAL_LIVE_FIRST_COLUMN = 31  # AE
SELFEVAL_STATUS_CELL = "J1"


def in_live_area(column: int) -> bool:
    """Whether a column (1-based) is past every data cell of every form: the live checks' helpers sit there, and
    the formula scan of the readers (io/formulacells.py) does not look at its cells."""
    return column >= LIVE_FIRST_COLUMN


# The cover's live table, below the cover's help text (rows 13-19) and d-remote's server row (12): a title,
# the cover's own line, a header, the total over every project sheet, a line naming sheets missing from the
# table, then one slot row per project sheet (filled by the template, the importer and 新增项目).
COVER_LIVE_TITLE_ROW = 22
COVER_LIVE_COVER_ROW = 23
COVER_LIVE_HEADER_ROW = 24
COVER_LIVE_TOTAL_ROW = 25
COVER_LIVE_MISSING_ROW = 26
COVER_LIVE_FIRST_SLOT_ROW = 27
COVER_LIVE_SLOTS = 300
# A slot's columns: sheet, project name, errors, warnings, status; then the sheet's filled flag, not shown.
COVER_LIVE_COLUMNS = ("A", "B", "C", "D", "E")
COVER_LIVE_FILLED_COLUMN = "F"
