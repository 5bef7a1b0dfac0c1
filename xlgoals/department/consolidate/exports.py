"""The summary's CSV and Parquet copies, one per sheet, and the check that every output may be written."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from xlgoals.department.consolidate.selfevaltables import EXPORT_COLUMNS as SELFEVAL_EXPORTS
from xlgoals.department.consolidate.tables import EXPORT_COLUMNS
from xlgoals.io.rowxml import Column, ColumnKind

# Every table copied: the summary's, then the 自评 view's.
EXPORTED = {**EXPORT_COLUMNS, **SELFEVAL_EXPORTS}

_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + text if text.startswith(_CSV_RISKY) else text


_TEXT_KINDS = frozenset({"text", "code", "figure"})


def _csv_value(value: Any, kind: ColumnKind) -> str:
    if value is None:
        return ""
    if kind in _TEXT_KINDS:
        return csv_safe(str(value))
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else csv_safe(str(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@dataclass(frozen=True)
class Copy:
    """Where one copy goes: its temporary file, and the output it becomes (which messages name)."""

    tmp: Path
    target: Path


@contextmanager
def _writing(copy: Copy | None) -> Iterator[None]:
    """An OSError writing a copy (a full disk) names that output, never its temporary file."""
    try:
        yield
    except OSError as e:
        from xlgoals.core.oserrors import fault

        raise fault(e, copy.target if copy else None, "写入") from None


class Export:
    """One table's CSV and/or parquet copy (the workbook sheets are _Sheet)."""

    def __init__(self, columns: tuple[Column, ...], csv_copy: Copy | None, parquet_copy: Copy | None) -> None:
        self.columns, self.rows = columns, 0
        self._csv_copy, self._parquet_copy = csv_copy, parquet_copy
        # utf-8-sig: Excel on Chinese Windows opens BOM-less UTF-8 as GBK and garbles every name.
        self._csv_file: IO[str] | None = None
        self._csv: Any = None
        if csv_copy is not None:
            with _writing(csv_copy):
                self._csv_file = csv_copy.tmp.open("w", encoding="utf-8-sig", newline="")
                self._csv = csv.writer(self._csv_file)
                self._csv.writerow([c.title for c in columns])
        self._parquet_path = parquet_copy.tmp if parquet_copy else None
        # Which rows each file brought (by key), and the files dropped after all (a revision that lost).
        self._ranges: dict[int, tuple[int, int]] = {}
        self._dropped: list[tuple[int, int]] = []
        self._parquet: Any = None
        self._buffer: list[list[Any]] = [[] for _ in columns]
        self._kinds = [c.kind for c in columns]

    def append(self, values: Sequence[Any]) -> None:
        self.rows += 1
        if self._csv is not None:
            with _writing(self._csv_copy):
                self._csv.writerow([_csv_value(v, k) for v, k in zip(values, self._kinds, strict=True)])
        if self._parquet_path is not None:
            for buf, v in zip(self._buffer, values, strict=True):
                buf.append(v)
            if len(self._buffer[0]) >= 20_000:
                with _writing(self._parquet_copy):
                    self._flush_parquet()

    def extend(self, rows: Sequence[Sequence[Any]], key: int) -> None:
        """A file's rows, remembered as its own so that drop() can take them out again."""
        start = self.rows
        for row in rows:
            self.append(row)
        self._ranges[key] = (start, self.rows)

    def drop(self, key: int) -> None:
        if key in self._ranges:
            self._dropped.append(self._ranges.pop(key))

    def finish(self) -> None:
        if self._csv_file is not None:
            with _writing(self._csv_copy):
                self._csv_file.close()
            self._csv_file = None
        if self._parquet_path is not None:
            with _writing(self._parquet_copy):
                self._flush_parquet(final=True)
        if self._dropped:
            with _writing(self._csv_copy or self._parquet_copy):
                self._rewrite_without(self._dropped)

    def _rewrite_without(self, ranges: list[tuple[int, int]]) -> None:
        """Rewrite the copies leaving out rows of dropped files: rare (a later revision of a unit counted), so the
        rows stream out as they come and are taken out here, by their numbers."""

        def kept(i: int) -> bool:
            return not any(start <= i < end for start, end in ranges)

        if self._csv_copy is not None:
            path = self._csv_copy.tmp
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = [row for i, row in enumerate(csv.reader(fh), start=-1) if i < 0 or kept(i)]
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                csv.writer(fh).writerows(rows)
        if self._parquet_path is not None:
            import pyarrow.parquet as pq

            table = pq.read_table(str(self._parquet_path))
            table = table.take([i for i in range(table.num_rows) if kept(i)])
            pq.write_table(table, str(self._parquet_path))
        self.rows -= sum(end - start for start, end in ranges)

    def abort(self) -> None:
        """On failure: let go of the temporary files before they are removed."""
        if self._csv_file is not None:
            with suppress(OSError):
                self._csv_file.close()
            self._csv_file = None
        if self._parquet is not None:
            with suppress(OSError):
                self._parquet.close()
            self._parquet = None

    def _schema(self) -> Any:
        import pyarrow as pa

        types = {
            "text": pa.string(),
            "code": pa.string(),
            "figure": pa.string(),
            "int": pa.int64(),
            "count": pa.int64(),
            # Exact cents: a finance bureau's sums must match the workbook to the fen.
            "money": pa.decimal128(38, 2),
            "percent": pa.decimal128(9, 2),
            "number": pa.float64(),
            "date": pa.date32(),
        }
        return pa.schema([pa.field(c.title, types[c.kind]) for c in self.columns])

    def _flush_parquet(self, final: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = self._schema()
        if self._parquet is None:
            assert self._parquet_path is not None
            self._parquet = pq.ParquetWriter(str(self._parquet_path), schema)
        if self._buffer[0] or (final and self.rows == 0):
            columns = [
                pa.array(
                    [_parquet_value(v, c.kind) for v in buf],
                    type=schema.field(i).type,
                )
                for i, (buf, c) in enumerate(zip(self._buffer, self.columns, strict=True))
            ]
            self._parquet.write_table(pa.Table.from_arrays(columns, schema=schema))
            self._buffer = [[] for _ in self.columns]
        if final:
            self._parquet.close()
            self._parquet = None


def _parquet_value(value: Any, kind: ColumnKind) -> Any:
    if value is None:
        return None
    if kind in _TEXT_KINDS:
        return str(value)
    if kind == "number":
        return float(value)
    if kind == "date" and not isinstance(value, date):
        return None
    return value


def open_exports(stack: ExitStack, csv_dir: Path | None, parquet_dir: Path | None) -> dict[str, Export]:
    """The CSV/parquet copies asked for, one per table; none when neither was asked for."""
    from xlgoals.io.outputs import atomic_output

    exports: dict[str, Export] = {}
    if csv_dir is None and parquet_dir is None:
        return exports
    for name, columns in EXPORTED.items():
        copies: list[Copy | None] = []
        for folder, suffix in ((csv_dir, ".csv"), (parquet_dir, ".parquet")):
            target = folder / f"{name}{suffix}" if folder is not None else None
            copies.append(Copy(stack.enter_context(atomic_output(target)), target) if target is not None else None)
        exports[name] = Export(columns, *copies)
        # On failure the writers must let go of their temp files before atomic_output removes them.
        stack.callback(exports[name].abort)
    return exports


def check_outputs(
    output: Path, csv_dir: str | os.PathLike[str] | None, parquet_dir: str | os.PathLike[str] | None, inputs: list[str]
) -> None:
    """Every output path is writable as asked and none of them is an input, before any file is read."""
    from xlgoals.io.outputs import check_output

    check_output(output, inputs)
    for folder, suffix in ((csv_dir, ".csv"), (parquet_dir, ".parquet")):
        if folder is not None:
            check_output(folder, folder=True)
            for name in EXPORTED:
                check_output(Path(folder) / f"{name}{suffix}", inputs)
