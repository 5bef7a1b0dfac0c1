"""Store read workbooks in the archive (idempotent, newer versions supersede older ones) and ask it questions."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from xlgoals.department.archive.diagnosis import write_failed
from xlgoals.department.archive.records import TABLES, UNIT_COLUMNS, Record, Row
from xlgoals.department.archive.schema import ArchiveError, connect
from xlgoals.department.archive.sidecar import Keeper

if TYPE_CHECKING:
    import duckdb
    import pandas

Outcome = Literal["新增", "未变", "替换旧版本"]
ADDED: Outcome = "新增"
UNCHANGED: Outcome = "未变"
SUPERSEDED: Outcome = "替换旧版本"
# Rows held before one insert: large enough that DuckDB's per-statement cost vanishes, small enough for memory.
FLUSH_ROWS = 50_000


@dataclass
class AddSummary:
    """What one run stored: files new to the archive, files already there, older versions now superseded."""

    db: str
    added: int = 0
    unchanged: int = 0
    superseded: int = 0
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"db": self.db, "added": self.added, "unchanged": self.unchanged, "superseded": self.superseded}

    def describe(self) -> str:
        return f"新增 {self.added} 个，已存在未变 {self.unchanged} 个，替换旧版本 {self.superseded} 个"


class ArchiveWriter:
    """One transaction of additions: nothing is visible to others, or kept, until commit(). A new archive is
    built under a temporary name beside it and renamed when it is complete: a creation that fails (a full
    disk, a killed run) leaves nothing under the archive's name."""

    def __init__(self, db: str | os.PathLike[str]) -> None:
        self.path = os.fspath(db)
        # Taken before the archive opens, so no other writer comes between the archive and its sidecar.
        self.sidecar = Keeper(self.path)
        self.summary = AddSummary(self.path)
        self._creating = ExitStack()
        self._new: Path | None = None
        if not Path(self.path).exists():
            from xlgoals.io.janitor import tracked
            from xlgoals.io.outputs import temp_beside

            self._new = self._creating.enter_context(temp_beside(self.path))
            self._creating.enter_context(tracked(_wal(self._new)))
            self._creating.callback(_wal(self._new).unlink, missing_ok=True)
            self._new.unlink()  # DuckDB creates its own file; the name stays reserved and tracked
        try:
            self.con = connect(self._new or self.path)
        except ArchiveError as e:
            self._creating.close()
            self.sidecar.abort()
            e.file = self.path  # the archive asked for, never its temporary name
            raise
        except BaseException:
            self._creating.close()
            self.sidecar.abort()
            raise
        con = self.con
        self._shas = {r[0] for r in con.execute("SELECT sha256 FROM units").fetchall()}
        # A declaration and a 自评 of the same unit and year are both current: each supersedes only its own kind.
        self._current: dict[tuple[str, int | None, str], str] = {
            (unit, year, kind): sha
            for sha, unit, year, kind in con.execute(
                "SELECT sha256, unit, year, kind FROM current_units WHERE unit IS NOT NULL"
            ).fetchall()
        }
        self._seq: int = con.execute("SELECT coalesce(max(seq), 0) FROM units").fetchone()[0]  # type: ignore[index]
        self._now = datetime.now().replace(microsecond=0)
        self._buffers: dict[str, list[Row]] = {"units": [], **{t: [] for t in TABLES}}
        self._supersessions: list[Row] = []
        self._changed: set[tuple[str, int]] = set()  # (unit, year) whose current declaration or 自评 this run set
        self._held = 0
        self._committed = False
        con.begin()

    def add(self, record: Record, path: str = "") -> Outcome:
        """Store one workbook's rows unless the same content is already there; it supersedes the unit's year."""
        if record.sha256 in self._shas:
            self.summary.unchanged += 1
            outcome = UNCHANGED
        else:
            self._shas.add(record.sha256)
            self._seq += 1
            self._buffers["units"].append((*record.unit, self._now, self._seq))
            for table, rows in record.rows.items():
                self._buffers[table].extend(rows)
                self._held += len(rows)
            outcome = ADDED
            self.summary.added += 1
            if record.unit_name:
                key = (record.unit_name, record.year, record.kind)
                older = self._current.get(key)
                self._current[key] = record.sha256
                if record.year is not None:
                    self._changed.add((record.unit_name, record.year))
                if older is not None:
                    self._supersessions.append((older, record.sha256, self._now))
                    self.summary.superseded += 1
                    outcome = SUPERSEDED
            if self._held >= FLUSH_ROWS:
                self.flush()
        self.summary.outcomes[path or record.sha256] = outcome
        return outcome

    def flush(self) -> None:
        with self._writing():
            self._flush()

    def _flush(self) -> None:
        columns = {
            "units": (*UNIT_COLUMNS, "added_at", "seq"),
            **TABLES,
            "supersessions": ("sha256", "by_sha256", "superseded_at"),
        }
        self._buffers["supersessions"] = self._supersessions
        for table, rows in self._buffers.items():
            if rows:
                _insert(self.con, table, columns[table], rows)
        self._buffers = {"units": [], **{t: [] for t in TABLES}}
        self._supersessions = []
        self._held = 0

    def commit(self) -> AddSummary:
        try:
            with self._writing():
                self._flush()
                self.con.commit()
                self._committed = True
                self.sidecar.update(self.con, self._changed)  # never fails the archive
                if self._new is not None:
                    self.con.execute("CHECKPOINT")  # the new file whole, with no write-ahead log beside it
                self.con.close()
                if self._new is not None:
                    if _wal(self._new).exists():
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self._new))
                    _claim(self._new, Path(self.path))
            self.sidecar.finish()  # the archive under its name, closed: its size and time are final
        finally:
            self._creating.close()
            self.sidecar.abort()  # nothing left to do once finished
        return self.summary

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A failure while storing (a full disk, read-only storage) rolls back and says what happened to the
        archive: an ArchiveError, exit 2, never a traceback."""
        import duckdb

        try:
            yield
        except (duckdb.Error, OSError) as e:
            self._committed = False
            self.close()
            raise ArchiveError(write_failed(self.path, e, new=self._new is not None), file=self.path) from None

    def close(self) -> None:
        """Without commit(), nothing of this run stays in the archive (nor a new archive's file)."""
        import duckdb

        try:
            if not self._committed:
                with suppress(duckdb.Error):  # a failed commit has already ended the transaction
                    self.con.rollback()
                with suppress(duckdb.Error):
                    self.con.close()
                wal = _wal(Path(self.path))
                with suppress(OSError):
                    if self._new is None and wal.stat().st_size == 0:
                        wal.unlink()  # left by a rolled-back run on a full disk: it carries nothing
        finally:
            self._creating.close()
            self.sidecar.abort()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _claim(new: Path, final: Path) -> None:
    """A complete new archive takes its name, unless another run created one there meanwhile."""
    try:
        os.link(new, final)
    except FileExistsError:
        raise ArchiveError("另一个程序同时建立了这个历史库；本次未存入，请重新运行。", file=str(final)) from None
    except OSError:  # no hard links here (FAT, some shares): a rename, after a last look
        if final.exists():
            raise ArchiveError("另一个程序同时建立了这个历史库；本次未存入，请重新运行。", file=str(final)) from None
        os.replace(new, final)


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], rows: list[Row]) -> None:
    """Rows into a table through one Arrow batch: DuckDB's fast path, where executemany goes row by row."""
    import pyarrow as pa

    batch = pa.table(
        {name: pa.array(list(values)) for name, values in zip(columns, zip(*rows, strict=True), strict=True)}
    )
    con.register("xlgoals_batch", batch)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM xlgoals_batch")
    finally:
        con.unregister("xlgoals_batch")


@dataclass(frozen=True)
class Table:
    """A query's answer as plain rows, for the terminal and for JSON."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def _run(db: str | os.PathLike[str], query: str, params: list[Any] | None = None) -> Any:
    import duckdb

    con = connect(db, read_only=True)
    try:
        try:
            return con, con.execute(query, params or [])
        except duckdb.Error as e:
            con.close()
            raise ArchiveError(f"查询无法执行：{e}", file=os.fspath(db)) from e
    except BaseException:
        con.close()
        raise


def sql(db: str | os.PathLike[str], query: str, params: list[Any] | None = None) -> Table:
    """An ad-hoc read-only query; the archive cannot be changed through it."""
    con, cursor = _run(db, query, params)
    try:
        columns = [d[0] for d in cursor.description or []]
        return Table(columns, cursor.fetchall())
    finally:
        con.close()


def dataframe(db: str | os.PathLike[str], query: str, params: list[Any] | None = None) -> pandas.DataFrame:
    """The same query as a pandas DataFrame, for Python callers (pandas is imported only here)."""
    con, cursor = _run(db, query, params)
    try:
        frame: pandas.DataFrame = cursor.df()
        return frame
    finally:
        con.close()


LIST_QUERY = """
SELECT u.year AS 年度, u.unit AS 单位, CASE u.kind WHEN 'selfeval' THEN '自评' ELSE '申报' END AS 类型,
       u.department AS 主管部门, u.file_name AS 文件,
       u.projects AS 项目数, u.indicators AS 指标数, coalesce(p.budget_year, 0) AS 当年预算,
       u.errors AS 错误, u.warnings AS 警告, v.versions AS 版本数
FROM current_units u
LEFT JOIN (SELECT sha256, sum(budget_year) AS budget_year FROM projects GROUP BY sha256) p USING (sha256)
LEFT JOIN (SELECT unit, year, kind, count(*) AS versions FROM units GROUP BY unit, year, kind) v
       ON v.unit IS NOT DISTINCT FROM u.unit AND v.year IS NOT DISTINCT FROM u.year AND v.kind = u.kind
ORDER BY u.year, u.unit, u.seq
"""


def listing(db: str | os.PathLike[str]) -> Table:
    """The current version of every unit, year and kind (申报 / 自评), with counts, this year's budget total and how
    many versions."""
    return sql(db, LIST_QUERY)
