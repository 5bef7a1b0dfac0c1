"""A sheet's live checks as plain data: helper cells, flag cells, conditional formats and the status line.

A form declares its cells (`LiveForm`); the checks (checks.py, indicators.py) describe formulas over named
helpers; this module places them in the sheet's live area (layout.LIVE_*) and resolves the names into addresses:
- entries: one row per (rule, cell) flag of a single cell: "code|cell|severity", count, undecided count;
- scratch: named helper cells, e.g. a money cell's parsed amount;
- row columns: one helper per row of the indicator table, and flag columns in which each row's flags of every
  rule are digits of one number (a count per rule, 0-9), named in the row above the table, so a recalculated
  workbook can be read without this code (flags.py) while a sheet gains one cell a row, not one per rule;
- the counts at fixed cells (layout.LIVE_*_CELL); the lists on the lists sheet (catalogue.py).
Formulas name what they use as {s:NAME} (scratch cell), {r:NAME} / {p:NAME} (row column at this row / the row
above), {c:NAME} (the whole row column), {k:NAME} / {kb:NAME} (a list / the row before its first item),
{x:PART} (the table's data cell of this row), {i} (this row's place in the table, from 1) and {on}. A row
column's formulas below its first row differ only by the row, so the file shares them (one text per column).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from xlgoals.core import layout, livelayout
from xlgoals.core.layout import FieldSpec
from xlgoals.validation.findings import Severity
from xlgoals.validation.live.catalogue import Catalogue
from xlgoals.validation.rules.registry import Form

SCRATCH_ROWS = 47
DIGITS_PER_CELL = 15  # the integers a double holds exactly
FLAGS = "flags"
# The status line's fill when the live checks find nothing (Excel's "good" green).
PASSED_RGB = (198, 239, 206)


@dataclass(frozen=True)
class Table:
    """An indicator table a form declares: its rows, the column of each part, and where findings about the
    table as a whole sit (the section title)."""

    first_row: int
    last_row: int
    columns: dict[str, str]
    section_cell: str
    # Columns a form computes beside the table (the 自评 sheet's scoring steps): {x:PART} reads them too, but a
    # row is blank by its data columns alone.
    helpers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveForm:
    """What a sheet form declares for its live checks: header fields, an indicator table, the status line."""

    fields: tuple[FieldSpec, ...]
    table: Table | None
    status_cell: str | None
    # Which project sheets it is (the checks that run on it, as registry.check's `forms`), and where its live
    # area starts (the 自评 sheet's own helpers and buttons sit in K:Z).
    kind: Form = "declaration"
    first_column: int = livelayout.LIVE_FIRST_COLUMN
    # The cells (or columns of the table, by part) whose filling shows the unit has begun the sheet; none: any
    # cell of the form, as the reader decides a sheet is a project.
    begun: tuple[str, ...] = ()

    def field(self, key: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.key == key), None)


def project_form(form: layout.Form, last_row: int = layout.INDICATOR_LAST_ROW) -> LiveForm:
    """The live declaration of a project sheet (Shanghai's declaration or the national form)."""
    table = Table(layout.INDICATOR_FIRST_ROW, last_row, dict(layout.INDICATOR_COLUMNS), layout.INDICATOR_SECTION_CELL)
    return LiveForm(layout.project_fields(form), table, livelayout.PROJECT_STATUS_CELL)


@dataclass(frozen=True)
class CondFormat:
    """A conditional fill: `cells` take `rgb` where `formula` (relative to the range's first cell) is true."""

    cells: str
    formula: str
    rgb: tuple[int, int, int]


@dataclass
class LivePlan:
    """Everything to write: constants (text stays text), formulas (without '='), conditional fills, the row
    ranges whose formulas the file may share; the rules that run live, those left to 校验 with the reason."""

    values: dict[str, str | int] = field(default_factory=dict)
    formulas: dict[str, str] = field(default_factory=dict)
    formats: list[CondFormat] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    live: list[str] = field(default_factory=list)
    offline: dict[str, str] = field(default_factory=dict)
    # Columns a button writes into on a protected sheet (the cover's table slots).
    unlocked: list[str] = field(default_factory=list)
    # The first column of the live area, hidden with the rest of it up to LIVE_LAST_COLUMN.
    first_column: int = livelayout.LIVE_FIRST_COLUMN


@dataclass(frozen=True)
class Digit:
    """One rule's count on one part of each row: a digit of a flag column."""

    code: str
    part: str
    severity: Severity
    undecided: bool


def absolute(cell: str) -> str:
    """'AD7' -> '$AD$7'."""
    row, col = layout.split_address(cell)
    return f"${layout.column_letters(col)}${row}"


def describe(digits: list[Digit]) -> str:
    """A flag column's header: each digit's rule, part and severity, the undecided ones marked '?'."""
    return (
        FLAGS + "|" + "|".join(("?" if d.undecided else "") + f"{d.code}:{d.part}:{d.severity.value}" for d in digits)
    )


def unless_blank(form: LiveForm, formula: str, blank: str) -> str:
    """`formula`, or `blank` on a row of the table whose cells are all empty: most of a table's rows are, and a
    spreadsheet then skips the formula's work (IF evaluates one branch). A cell holding only spaces, or an
    error, takes the full formula."""
    assert form.table is not None
    cells = "&".join("{x:" + part + "}" for part in form.table.columns)
    return f"IF(IFERROR(LEN({cells}),1)=0,{blank},{formula})"


_REF = re.compile(r"\{(s|r|p|c|k|kb|x):([^{}]+)\}|\{(on|i)\}")


class Builder:
    """Collects a form's helpers, flags and lists by name; `plan()` places them and writes the formulas."""

    def __init__(self, form: LiveForm, catalogue: Catalogue, totals: bool = True) -> None:
        self.form = form
        self.catalogue = catalogue
        # A project sheet keeps its counts at layout.LIVE_*_CELL; the cover must leave those cells empty (the
        # cover is the first sheet of the 3-D range that adds them up).
        self.with_totals = totals
        self.entries: list[tuple[str, Severity, str, str, str]] = []
        self.scratch: dict[str, str] = {}
        self.rows: dict[str, str] = {}
        self.seeds: dict[str, int] = {}
        self.digits: list[tuple[Digit, str]] = []
        self.totals: dict[str, str] = {}

    def scratch_cell(self, name: str, formula: str) -> str:
        self.scratch.setdefault(name, formula)
        return "{s:" + name + "}"

    def row(self, name: str, formula: str, seed: int = 0) -> str:
        """A helper column over the table's rows; {p:NAME} on its first row reads `seed` in the row above."""
        self.rows.setdefault(name, formula)
        self.seeds.setdefault(name, seed)
        return "{r:" + name + "}"

    def constants(self, name: str) -> str:
        assert name in self.catalogue.lists, f"no list {name} in the catalogue"
        return "{k:" + name + "}"

    def entry(self, code: str, severity: Severity, cell: str, count: str, undecided: str = "0") -> None:
        self.entries.append((code, severity, cell, count, undecided))

    def row_flag(self, code: str, severity: Severity, part: str, formula: str, undecided: str | None = None) -> None:
        """A per-row count (0-9) of rule `code` on `part`, and optionally of the rows it leaves undecided."""
        self.digits.append((Digit(code, part, severity, False), formula))
        if undecided is not None:
            self.digits.append((Digit(code, part, severity, True), undecided))

    def plan(self, status: str | None) -> LivePlan:
        return _Placer(self).place(status)


class _Placer:
    def __init__(self, b: Builder) -> None:
        self.b = b
        first = min(b.form.first_column, livelayout.LIVE_TOTALS_COLUMN)
        self.out = LivePlan(first_column=first)
        col = b.form.first_column + livelayout.LIVE_ENTRY_COLUMNS
        self.scratch_at: dict[str, str] = {}
        for i, name in enumerate(b.scratch):
            pair, row = divmod(i, SCRATCH_ROWS)
            self.scratch_at[name] = absolute(layout.address(row + 1, col + pair))
        col += -(-len(b.scratch) // SCRATCH_ROWS)
        flag_cells = -(-len(b.digits) // DIGITS_PER_CELL)
        names = [*b.rows, *(f"{FLAGS}{i}" for i in range(flag_cells))]
        self.row_col: dict[str, str] = {}
        for name in names:
            col += col == livelayout.LIVE_TOTALS_COLUMN
            self.row_col[name] = layout.column_letters(col)
            col += 1
        if col - 1 > livelayout.LIVE_LAST_COLUMN:
            raise ValueError(f"the live area has no room for {len(names)} row columns")
        self.groups = [b.digits[i : i + DIGITS_PER_CELL] for i in range(0, len(b.digits), DIGITS_PER_CELL)]

    def resolve(self, formula: str, row: int | None = None) -> str:
        catalogue, table = self.b.catalogue, self.b.form.table

        def one(m: re.Match[str]) -> str:
            kind, name, bare = m.group(1), m.group(2), m.group(3)
            if bare == "on":
                return absolute(livelayout.LIVE_ON_CELL) if self.b.with_totals else "1"
            if bare == "i":
                assert table is not None
                return f"(ROW()-{table.first_row - 1})"
            if kind == "s":
                return self.scratch_at[name]
            if kind == "k":
                return catalogue.ref(name)
            if kind == "kb":
                return str(catalogue.before(name))
            assert table is not None
            if kind == "x":
                return f"{table.columns.get(name) or table.helpers[name]}{row}"
            col = self.row_col[name]
            if kind == "c":
                return f"${col}${table.first_row}:${col}${table.last_row}"
            assert row is not None
            return f"${col}{row if kind == 'r' else row - 1}"

        return _REF.sub(one, formula)

    def place(self, status: str | None) -> LivePlan:
        b, out = self.b, self.out
        first = b.form.first_column
        head, count_c, und_c = (layout.column_letters(first + i) for i in range(livelayout.LIVE_ENTRY_COLUMNS))
        out.values[f"{head}1"] = "规则|单元格|级别"
        out.values[f"{count_c}1"], out.values[f"{und_c}1"] = "计数", "待校验"
        for i, (code, severity, cell, count, undecided) in enumerate(b.entries, start=2):
            out.values[f"{head}{i}"] = f"{code}|{cell}|{severity.value}"
            out.formulas[f"{count_c}{i}"] = self.resolve(count)
            out.formulas[f"{und_c}{i}"] = self.resolve(undecided)
        for name, formula in b.scratch.items():
            out.formulas[self.scratch_at[name].replace("$", "")] = self.resolve(formula)
        rows = dict(b.rows)
        for i, group in enumerate(self.groups):
            digits = "+".join(f"({formula})*{10**k}" for k, (_, formula) in enumerate(group))
            rows[f"{FLAGS}{i}"] = unless_blank(b.form, digits, "0")
        table = b.form.table
        for name, text in rows.items():
            assert table is not None
            col = self.row_col[name]
            is_flags = name.startswith(FLAGS)
            out.values[f"{col}{table.first_row - 2}"] = (
                describe([d for d, _ in self.groups[int(name[len(FLAGS) :])]]) if is_flags else name
            )
            out.values[f"{col}{table.first_row - 1}"] = b.seeds.get(name, 0)
            for r in range(table.first_row, table.last_row + 1):
                out.formulas[f"{col}{r}"] = self.resolve(text, r)
            if table.last_row > table.first_row:
                out.shared.append(f"{col}{table.first_row}:{col}{table.last_row}")
        if b.with_totals:
            self._totals(count_c, und_c, len(b.entries) + 1)
        for key, formula in b.totals.items():
            out.formulas[key] = self.resolve(formula)
        if status and b.form.status_cell:
            out.formulas[b.form.status_cell] = self.resolve(status)
        self._formats(count_c, head)
        return out

    def _digit_sums(self, keep: Callable[[Digit], bool]) -> list[str]:
        table = self.b.form.table
        sums = []
        for i, group in enumerate(self.groups):
            assert table is not None
            col = self.row_col[f"{FLAGS}{i}"]
            rng = f"${col}${table.first_row}:${col}${table.last_row}"
            sums += [f"SUMPRODUCT(MOD(INT({rng}/{10**k}),10))" for k, (d, _) in enumerate(group) if keep(d)]
        return sums

    def _totals(self, count_c: str, und_c: str, last: int) -> None:
        end = max(last, 2)
        head = layout.column_letters(self.b.form.first_column)

        def total(severity: Severity) -> str:
            # The severity is the text after the entry's last '|': its last characters, of known length.
            n = len(severity.value) + 1
            entries = (
                f'SUMPRODUCT((RIGHT(${head}$2:${head}${end},{n})="|{severity.value}")*${count_c}$2:${count_c}${end})'
            )
            return "+".join([entries, *self._digit_sums(lambda d: d.severity is severity and not d.undecided)])

        self.out.formulas[livelayout.LIVE_ERRORS_CELL] = total(Severity.ERROR)
        self.out.formulas[livelayout.LIVE_WARNINGS_CELL] = total(Severity.WARNING)
        self.out.formulas[livelayout.LIVE_INFOS_CELL] = total(Severity.INFO)
        undecided = [f"SUM(${und_c}$2:${und_c}${end})", *self._digit_sums(lambda d: d.undecided)]
        self.out.formulas[livelayout.LIVE_UNDECIDED_CELL] = "+".join(undecided)

    def _formats(self, count_c: str, head: str) -> None:
        from xlgoals.validation.marks import FILL_RGB

        b = self.b
        by_cell: dict[tuple[str, Severity], list[str]] = {}
        for i, (_, severity, cell, _, _) in enumerate(b.entries, start=2):
            by_cell.setdefault((cell, severity), []).append(f"${count_c}${i}")
        table = b.form.table
        by_column: dict[tuple[str, Severity], list[str]] = {}
        for i, group in enumerate(self.groups):
            assert table is not None
            col = self.row_col[f"{FLAGS}{i}"]
            for k, (d, _) in enumerate(group):
                if not d.undecided:
                    term = f"MOD(INT(${col}{table.first_row}/{10**k}),10)"
                    letter = table.columns.get(d.part) or table.helpers[d.part]
                    by_column.setdefault((letter, d.severity), []).append(term)
        status = b.form.status_cell
        for severity in (Severity.ERROR, Severity.WARNING):
            rgb = FILL_RGB[severity]
            if status and b.with_totals:
                total = livelayout.LIVE_ERRORS_CELL if severity is Severity.ERROR else livelayout.LIVE_WARNINGS_CELL
                self.out.formats.append(CondFormat(status, f"{absolute(total)}>0", rgb))
            for (cell, sev), refs in by_cell.items():
                if sev is severity:
                    self.out.formats.append(CondFormat(cell, "(" + "+".join(refs) + ")>0", rgb))
            for (col, sev), terms in by_column.items():
                if sev is severity:
                    assert table is not None
                    cells = f"{col}{table.first_row}:{col}{table.last_row}"
                    self.out.formats.append(CondFormat(cells, "(" + "+".join(terms) + ")>0", rgb))
        if status and b.with_totals:
            self.out.formats.append(CondFormat(status, f"{absolute(livelayout.LIVE_ON_CELL)}=1", PASSED_RGB))
