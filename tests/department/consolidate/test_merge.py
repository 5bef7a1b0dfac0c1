"""jobs/consolidate/merge.py: the parent's side of a run, fed the workers' results in input order: the same bytes
twice a duplicate, a second declaration of one unit and year a revision (the later-saved counts), a lock file
and an unreadable file accounted for, the figures summed for the reconciliation."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from tests.builders.summary_tables import saved_at
from xlgoals.core.model import Unit
from xlgoals.department.consolidate.inputs import collect_inputs
from xlgoals.department.consolidate.ledger import DUPLICATE, LOCK, READ, REJECTED
from xlgoals.department.consolidate.merge import Merge
from xlgoals.department.consolidate.report import RunFacts
from xlgoals.department.consolidate.tables import PRINTING, SUMMARY_SHEETS, sheet_columns
from xlgoals.department.consolidate.worker import Task, process_file
from xlgoals.io.presentation import MoneyUnit
from xlgoals.io.xlsxstream import StreamBook
from xlgoals.workbooks.template import write_unit


def test_each_input_is_accounted_for_in_order(sample_unit: Unit, sample_xlsx: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first, again, revised = inbox / "1.xlsx", inbox / "2_copy.xlsx", inbox / "3_revised.xlsx"
    shutil.copy(sample_xlsx, first)
    shutil.copy(sample_xlsx, again)
    revision = sample_unit.model_copy(deep=True)
    assert revision.projects[0].budget_year is not None
    revision.projects[0].budget_year += 10_000
    write_unit(revision, revised)
    saved_at(first, "2020-03-01T09:00:00Z")
    shutil.copy(first, again)
    saved_at(revised, "2020-03-05T09:00:00Z")
    (inbox / "4_lock").mkdir()
    (inbox / "4_lock" / "~$1.xlsx").write_bytes(b"owner")
    (inbox / "5_broken.xlsx").write_bytes(b"PK not a zip")
    inputs = collect_inputs([inbox])
    book = StreamBook("汇总")
    try:
        for name in SUMMARY_SHEETS:
            book.add_sheet(name, sheet_columns(name, False), PRINTING[name], ruled=not PRINTING[name].data)
        merge = Merge(inputs, book, {})
        for i, f in enumerate(inputs, start=1):
            merge.add(process_file(Task(i, f.path, folder=f.folder)))
        groups, total = merge.close(None, RunFacts(MoneyUnit.YUAN))
    finally:
        book.close()
    statuses = [(Path(e.path).name, e.status, e.code) for e in merge.ledger]
    assert statuses == [
        ("1.xlsx", DUPLICATE, "file.revision"),  # saved earlier than its revision: it does not count
        ("2_copy.xlsx", DUPLICATE, "file.duplicate"),  # the same bytes as 1.xlsx
        ("3_revised.xlsx", READ, ""),
        ("5_broken.xlsx", REJECTED, "workbook.corrupt"),
        ("~$1.xlsx", LOCK, "workbook.lock"),  # a folder's files after those above it
    ]
    assert "2020-03-05" in merge.ledger[0].reason
    assert [u.file for u in merge.accepted] == [str(revised)] and groups == []
    expected = sum((p.budget_year or Decimal(0) for p in revision.projects), Decimal(0))
    assert merge.project_sums["budget_year"] == total.totals["budget_year"] == expected
    assert merge.project_rows == total.projects == len(revision.projects)
