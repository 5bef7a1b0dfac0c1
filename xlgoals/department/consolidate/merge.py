"""The parent's side of a run: duplicates and revisions decided in input order, rows streamed out, pages made."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from xlgoals.core.layout import (
    FINDING_DETAILS_SHEET,
    FINDINGS_SHEET,
    INDICATORS_SHEET,
    LEDGER_SHEET,
    OVERVIEW_SHEET,
    PROJECTS_SHEET,
    UNITS_SHEET,
)
from xlgoals.core.model import MONEY_FIELDS
from xlgoals.department.consolidate.exports import Export
from xlgoals.department.consolidate.inputs import InputFile
from xlgoals.department.consolidate.ledger import DUPLICATE, LOCK, READ, LedgerEntry, Reason
from xlgoals.department.consolidate.reconcile import Aggregate, UnitSummary, reconcile
from xlgoals.department.consolidate.report import RunFacts, data_note, info_line, overview_rows, title_block
from xlgoals.department.consolidate.revisions import Candidate, choose, is_preferred
from xlgoals.department.consolidate.selfevaltables import PROJECT_COLUMNS as SELFEVAL_PROJECT_COLUMNS
from xlgoals.department.consolidate.selfevaltables import PROJECTS_SHEET as SELFEVAL_PROJECTS
from xlgoals.department.consolidate.selfevaltables import UNIT_COLUMNS as SELFEVAL_UNIT_COLUMNS
from xlgoals.department.consolidate.selfevaltables import UNITS_SHEET as SELFEVAL_UNITS
from xlgoals.department.consolidate.selfevaltables import UnitRow, unit_rows
from xlgoals.department.consolidate.tables import COLUMNS, DEPARTMENT_TOTAL, SUBTOTAL, ZERO, GroupBy
from xlgoals.department.consolidate.worker import FileResult
from xlgoals.io.rowxml import Row, in_wan
from xlgoals.io.xlsxstream import StreamBook
from xlgoals.validation.findings import SEVERITY_ZH, Severity

# The sheets each accepted file streams its own rows into (worker-rendered, dropped whole if it stops counting).
_STREAMED = (PROJECTS_SHEET, INDICATORS_SHEET, FINDING_DETAILS_SHEET)
_SEVERITY_RANK = {SEVERITY_ZH[s]: i for i, s in enumerate(Severity)}


class Merge:
    """Decides duplicates and revisions in input order and streams each accepted file's rows into the outputs."""

    def __init__(
        self,
        inputs: list[InputFile],
        book: StreamBook,
        exports: dict[str, Export],
        labels: dict[str, str] | None = None,
        prefer: frozenset[str] = frozenset(),
        wan: bool = False,
    ) -> None:
        self.inputs, self.book, self.exports, self.wan = inputs, book, exports, wan
        self.labels = labels or {}
        self.prefer = prefer
        self.ledger: list[LedgerEntry] = []
        self.accepted: list[UnitSummary] = []
        self.by_sha: dict[str, LedgerEntry] = {}
        # (unit, year, kind) -> the ledger entry of the file that counts for it now: a unit's declaration and its
        # 自评 are different kinds, never each other's duplicate.
        self.by_unit: dict[tuple[str, int | None, str], LedgerEntry] = {}
        self.selfeval: dict[int, UnitRow] = {}
        self.project_sums = dict.fromkeys(MONEY_FIELDS, ZERO)
        self.project_rows = 0
        self.project_rows_by_file: dict[str, int] = {}
        self.issues: dict[int, list[Row]] = {}
        # What each accepted file added to the reconciliation's figures, so a file dropped takes it back.
        self._added: dict[int, tuple[dict[str, Decimal], int]] = {}

    def label(self, path: str) -> str:
        return self.labels.get(path, path)

    def _same_content(self, r: FileResult) -> tuple[str, str] | None:
        """(file it repeats, why) when `r` has the bytes of an earlier file."""
        first = self.by_sha.get(r.sha256) if r.sha256 and r.status != LOCK else None
        if first is None:
            return None
        why = Reason.SAME_CONTENT.text(first=first.shown)
        if first.status != READ:
            why += f"该文件状态为“{first.status}”：{first.reason}"
        return first.path, why

    def add(self, r: FileResult) -> None:
        status, reason, code, dup_of = r.status, r.reason, r.code, None
        duplicate = self._same_content(r)
        if duplicate is not None:
            status, code, (dup_of, reason) = DUPLICATE, Reason.SAME_CONTENT.code, duplicate
        if status == READ and r.uncounted:
            reason = Reason.UNCOUNTED.text(count=len(r.uncounted), amounts="；".join(r.uncounted))
            code = Reason.UNCOUNTED.code
        entry = LedgerEntry(
            r.index,
            r.path,
            status,
            reason,
            code,
            dup_of,
            r.unit,
            r.year,
            r.sha256,
            len(r.projects) if status == READ else 0,
            r.size,
            self.label(r.path),
        )
        key = (r.unit.strip(), r.year, r.kind)
        if status == READ and key[0] and key in self.by_unit:
            entry = self._revision(entry, r, self.by_unit[key])
        elif status == READ:
            self._accept(r, entry)
        self.ledger.append(entry)
        if r.sha256 and r.status != LOCK:
            self.by_sha.setdefault(r.sha256, entry)

    def _revision(self, entry: LedgerEntry, r: FileResult, earlier: LedgerEntry) -> LedgerEntry:
        """Two different files of one unit and year: one counts (--prefer, else the later saved, else the first
        read); the other is a 重复 whose reason says which one counted and how to make it count instead."""
        first = Candidate(earlier.index, earlier.path, earlier.sha256, is_preferred(earlier.path, self.prefer))
        second = Candidate(entry.index, entry.path, entry.sha256, is_preferred(entry.path, self.prefer))
        choice = choose(first, second)
        unit, year = entry.unit.strip(), entry.year or ""
        kept = earlier if choice.kept is first else entry
        lost = entry if kept is earlier else earlier

        def as_lost(e: LedgerEntry) -> LedgerEntry:
            why = Reason.REVISION.text(unit=unit, year=year, kept=kept.shown, rule=choice.rule, path=f'"{e.path}"')
            return replace(
                e, status=DUPLICATE, reason=why, code=Reason.REVISION.code, duplicate_of=kept.path, projects=0
            )

        note = Reason.REVISED.text(other=lost.shown, rule=choice.rule)

        def noted(e: LedgerEntry) -> LedgerEntry:
            return replace(e, reason=f"{e.reason}{note}" if e.reason else note)

        if kept is earlier:
            self._replace(noted(earlier))
            return as_lost(entry)
        self._drop(earlier)
        self._replace(as_lost(earlier))
        winner = noted(entry)
        self._accept(r, winner)
        return winner

    def _replace(self, entry: LedgerEntry) -> None:
        for i, e in enumerate(self.ledger):
            if e.index == entry.index:
                self.ledger[i] = entry
        if entry.sha256 and self.by_sha.get(entry.sha256, entry).index == entry.index:
            self.by_sha[entry.sha256] = entry
        for key, e in self.by_unit.items():
            if e.index == entry.index:
                self.by_unit[key] = entry

    def _accept(self, r: FileResult, entry: LedgerEntry) -> None:
        self.by_unit[(r.unit.strip(), r.year, r.kind)] = entry
        if r.selfeval is not None:
            self.selfeval[r.index] = UnitRow(r.group, r.unit, r.year, r.path, r.selfeval)
        for name, amount in r.project_sums.items():
            self.project_sums[name] += amount
        self._added[r.index] = (dict(r.project_sums), len(r.projects))
        self.project_rows += len(r.projects)
        self.project_rows_by_file[r.path] = self.project_rows_by_file.get(r.path, 0) + len(r.projects)
        # The workers rendered the rows (group column included): the sheets only copy them.
        counts = {
            PROJECTS_SHEET: len(r.projects),
            INDICATORS_SHEET: r.n_indicators,
            FINDING_DETAILS_SHEET: r.n_findings,
        }
        for name in _STREAMED:
            self.book[name].add(r.xml[name], counts[name], key=r.index)
        if self.exports:
            copies = {PROJECTS_SHEET: r.projects, INDICATORS_SHEET: r.indicators, FINDING_DETAILS_SHEET: r.findings}
            for name in _STREAMED:
                self.exports[name].extend(copies[name], r.index)
        self.issues[r.index] = r.issues
        self.accepted.append(
            UnitSummary(
                r.group,
                r.unit,
                r.year,
                r.framework,
                r.department,
                r.path,
                len(r.projects),
                r.n_indicators,
                r.totals,
                r.counts,
                r.year_on_year,
                r.kinds,
                self.label(r.path),
            )
        )

    def _drop(self, entry: LedgerEntry) -> None:
        """Take an accepted file out again: its rows, its sums, its unit row."""
        for name in _STREAMED:
            self.book[name].drop(entry.index)
            if self.exports:
                self.exports[name].drop(entry.index)
        self.issues.pop(entry.index, None)
        self.selfeval.pop(entry.index, None)
        sums, rows = self._added.pop(entry.index)
        for name, amount in sums.items():
            self.project_sums[name] -= amount
        self.project_rows -= rows
        self.project_rows_by_file[entry.path] -= rows
        if not self.project_rows_by_file[entry.path]:
            del self.project_rows_by_file[entry.path]
        self.accepted = [u for u in self.accepted if not (u.file == entry.path and u.unit == entry.unit)]

    def _table(self, name: str, rows: list[Row], exported: list[Row] | None = None) -> None:
        self.book[name].add_rows(rows)
        if self.exports and name in self.exports:
            for row in rows if exported is None else exported:
                self.exports[name].append(row)

    def close(self, group_by: GroupBy | None, facts: RunFacts) -> tuple[list[Aggregate], Aggregate]:
        """Units (with subtotals), the 校验问题 digest, the ledger and 概况 into their sheets; every sheet's title
        block; then the reconciliation."""
        groups: list[Aggregate] = []
        units = self.book[UNITS_SHEET]
        export = self.exports.get(UNITS_SHEET)

        def add_units(members: list[UnitSummary]) -> None:
            units.add_rows([u.row(shown=True) for u in members])
            if export is not None:
                for u in members:
                    export.append(u.row())

        def emphasised(a: Aggregate, variant: str) -> None:
            units.add_emphasised(a.row(), variant)
            if export is not None:
                export.append(a.row())

        if group_by is not None:
            for g in dict.fromkeys(u.group for u in self.accepted):
                members = [u for u in self.accepted if u.group == g]
                add_units(members)
                groups.append(Aggregate.of(f"{g} {SUBTOTAL}", g, members))
                emphasised(groups[-1], "subtotal")
        else:
            add_units(self.accepted)
        total = Aggregate.of(DEPARTMENT_TOTAL, "", groups or self.accepted)
        emphasised(total, "total")
        # Errors of every unit first, then warnings, then notes; units in input order within each (the sort is
        # stable, and the files' rows come in input order).
        ranked = sorted(
            (row for index in sorted(self.issues) for row in self.issues[index]),
            key=lambda row: _SEVERITY_RANK[str(row[2])],
        )
        self._table(FINDINGS_SHEET, [(i, *row[1:]) for i, row in enumerate(ranked, start=1)])
        self._table(LEDGER_SHEET, [e.sheet_row() for e in self.ledger], [e.row() for e in self.ledger])
        if self.selfeval:
            # The 自评 view right after 单位汇总: written at the end, when every unit's figures are in (a revision
            # that lost is out of self.selfeval by then, so out of the sheets and their copies alike).
            selfeval = list(self.selfeval.values())
            for name, columns, rows in (
                (SELFEVAL_PROJECTS, SELFEVAL_PROJECT_COLUMNS, [r for u in selfeval for r in u.project_rows()]),
                (SELFEVAL_UNITS, SELFEVAL_UNIT_COLUMNS, unit_rows(selfeval)),
            ):
                self.book.add_sheet(name, in_wan(columns) if self.wan else columns, after=UNITS_SHEET)
                self._table(name, rows)
        self.book[OVERVIEW_SHEET].add_rows(overview_rows(total, self.ledger, self.accepted, groups, facts.money_unit))
        info = info_line(facts, self.accepted)
        for name, sheet in self.book.sheets.items():
            note = (
                data_note(name, sheet.rows, len(COLUMNS[name]), facts.copies_of(name)) if sheet.printing.data else None
            )
            if name in (SELFEVAL_UNITS, SELFEVAL_PROJECTS) and facts.copies_of(name):
                note = f"本表数据已另存为 {'、'.join(facts.copies_of(name))}（金额以元计）。"
            sheet.title = title_block(name, info, note)
        reconcile(
            self.accepted,
            groups,
            total,
            self.project_sums,
            self.project_rows,
            self.project_rows_by_file,
            self.ledger,
            len(self.inputs),
        )
        return groups, total
