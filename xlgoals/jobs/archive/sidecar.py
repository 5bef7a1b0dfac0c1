"""Each unit's current declaration beside the archive, readable without duckdb: a SQLite file kept in step.

`validate --history` needs one unit's rows of one year; importing duckdb and opening the archive costs more
than the whole validation. Every archive writer keeps `<archive>.history` up to date in the same run: the rows
the history queries below give for each current (unit, year), and the archive file's size and modification
time as they were when the rows were taken. A reader trusts the file only when the archive still has that
size and time and no write-ahead log; anything else (no file, an older writer, a crash between the two
writes, a copy of the archive alone) sends it to the archive itself, so what it gets is what duckdb would give.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

# The rows a unit's declaration is rebuilt from (jobs/archive/history.py builds the model from them), in the
# order it reads them: its current version, its projects in stored order, its indicators by sheet and position.
UNIT_COLUMNS = "sha256, year, unit, department"
PROJECT_COLUMNS = "sheet, name, previous_name, budget_total, budget_year, last_year_budget, last_year_executed"
INDICATOR_COLUMNS = "sheet, level1, level2, name, value"
_ORDER = ("rowid", "sheet, position, rowid")
# Rows stored with other columns are never read: a change of columns is a change of format.
FORMAT = hashlib.sha256("\0".join((UNIT_COLUMNS, PROJECT_COLUMNS, INDICATOR_COLUMNS, *_ORDER)).encode()).hexdigest()[
    :16
]
LOCK_WAIT_SECONDS = 10.0

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Declaration:
    """What the history queries give for one unit and year: its current version's row, projects, indicators."""

    unit: Row
    projects: list[Row]
    indicators: list[Row]


def path_of(db: str | os.PathLike[str]) -> Path:
    return Path(f"{os.fspath(db)}.history")


def identity(db: str | os.PathLike[str]) -> str | None:
    """The archive file as it stands (size, modification time); None while a write-ahead log holds changes."""
    try:
        st = os.stat(db)
    except OSError:
        return None
    if os.path.exists(f"{os.fspath(db)}.wal"):
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def declarations(
    con: duckdb.DuckDBPyConnection, keys: Collection[tuple[str, int]] | None = None
) -> dict[tuple[str, int], Declaration]:
    """The rows of each (unit, year) (of every current one for None) through an open archive connection: the one
    way both the sidecar's writer and a reader without the sidecar take them. Keys with no current version are
    left out."""
    if keys is not None and not keys:
        return {}
    if keys is None:
        wanted, params = "SELECT DISTINCT unit, year FROM current_units", []
    else:
        wanted = "VALUES " + ", ".join("(?, ?)" for _ in keys)
        params = [value for key in keys for value in key]
    units = con.execute(
        f"WITH wanted(unit, year) AS ({wanted}) SELECT {UNIT_COLUMNS}, seq FROM current_units"
        " JOIN wanted USING (unit, year) ORDER BY seq",
        params,
    ).fetchall()
    latest = {(row[2], row[1]): tuple(row[:-1]) for row in units}  # ascending seq: the last one stands
    by_sha: dict[str, tuple[list[Row], list[Row]]] = {row[0]: ([], []) for row in latest.values()}
    shas = list(by_sha)
    for index, (table, columns, order) in enumerate(
        (("projects", PROJECT_COLUMNS, _ORDER[0]), ("indicators", INDICATOR_COLUMNS, _ORDER[1]))
    ):
        rows = con.execute(
            f"SELECT sha256, {columns} FROM {table} WHERE sha256 IN (SELECT UNNEST(?)) ORDER BY sha256, {order}",
            [shas],
        ).fetchall()
        for row in rows:
            by_sha[row[0]][index].append(tuple(row[1:]))
    return {key: Declaration(row, *by_sha[row[0]]) for key, row in latest.items()}


class Missing:
    """The sidecar is in step and holds no such unit and year: the archive has none either."""


MISSING = Missing()


def read(db: str | os.PathLike[str], unit: str, year: int) -> Declaration | Missing | None:
    """One unit's declaration from the sidecar; None when the sidecar cannot be trusted (ask the archive)."""
    path = path_of(db)
    if not path.is_file():
        return None
    before = identity(db)
    if before is None:
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
    except sqlite3.Error:
        return None
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT or meta.get("archive") != before:
            return None
        row = con.execute("SELECT data FROM declarations WHERE unit = ? AND year = ?", [unit, year]).fetchone()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    if identity(db) != before:
        return None  # written to while we read
    if row is None:
        return MISSING
    data = json.loads(row[0])
    return Declaration(
        _decoded(data["unit"]), [_decoded(r) for r in data["projects"]], [_decoded(r) for r in data["indicators"]]
    )


class Keeper:
    """An archive writer's hold on the sidecar: taken before the archive opens, released once it is in step."""

    def __init__(self, db: str | os.PathLike[str]) -> None:
        self.db = os.fspath(db)
        self.con: sqlite3.Connection | None = None
        self.in_step = False
        self.created = not path_of(db).exists()
        if self.created:  # removed if this run is killed before the archive is in step with it
            from xlgoals.io import janitor

            for name in self._files():
                janitor.track(name)
        try:
            con = sqlite3.connect(path_of(db), timeout=LOCK_WAIT_SECONDS, isolation_level=None)
            con.execute("BEGIN IMMEDIATE")  # one writer at a time: waits for another's run to end
            con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            con.execute(
                "CREATE TABLE IF NOT EXISTS declarations"
                " (unit TEXT NOT NULL, year INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (unit, year))"
            )
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            now = identity(db)
            # A new archive beside an old sidecar (the archive deleted, the sidecar left) starts it afresh too.
            self.in_step = meta.get("format") == FORMAT and now is not None and meta.get("archive") == now
            con.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", [FORMAT])
            self.con = con
        except sqlite3.Error:
            self.con = None  # no sidecar this run: readers find it out of step and ask the archive
            self._forget()

    def update(self, con: duckdb.DuckDBPyConnection, changed: Iterable[tuple[str, int]]) -> None:
        """After the archive's commit, before it closes: the rows of what changed (of everything, when the
        sidecar was out of step)."""
        if self.con is None:
            return
        keys = set(changed) if self.in_step else None
        try:
            rows = declarations(con, keys)
            if keys is None:
                self.con.execute("DELETE FROM declarations")
            self.con.executemany(
                "INSERT OR REPLACE INTO declarations VALUES (?, ?, ?)",
                [(unit, year, _encoded(d)) for (unit, year), d in rows.items()],
            )
            gone = [key for key in keys or () if key not in rows]
            self.con.executemany("DELETE FROM declarations WHERE unit = ? AND year = ?", gone)
        except Exception:  # the archive is committed whatever befalls its sidecar, which then stays out of step
            self.abort()

    def finish(self) -> None:
        """After the archive closed: stamp its size and time, and let others in."""
        if self.con is None:
            return
        try:
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('archive', ?)", [identity(self.db) or ""])
            self.con.execute("COMMIT")
        except sqlite3.Error:
            self.abort()
        finally:
            self.close()
            self._release()

    def abort(self) -> None:
        if self.con is not None:
            with contextlib.suppress(sqlite3.Error):
                self.con.execute("ROLLBACK")
            self.close()
            self._forget()

    def _forget(self) -> None:
        """A sidecar this run made beside an archive that did not come to be goes too."""
        if self.created and not os.path.exists(self.db):
            for name in self._files():
                with contextlib.suppress(OSError):
                    name.unlink()
        self._release()

    def _files(self) -> tuple[Path, Path]:
        side = path_of(self.db)
        return side, side.with_name(side.name + "-journal")

    def _release(self) -> None:
        if self.created:
            from xlgoals.io import janitor

            for name in self._files():
                janitor.release(name)
            self.created = False

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


def _encoded(d: Declaration) -> str:
    return json.dumps(
        {
            "unit": _plain(d.unit),
            "projects": [_plain(r) for r in d.projects],
            "indicators": [_plain(r) for r in d.indicators],
        },
        ensure_ascii=False,
    )


def _plain(row: Sequence[Any]) -> list[Any]:
    """JSON values; decimals and dates tagged so they come back as they were."""
    out: list[Any] = []
    for value in row:
        if isinstance(value, Decimal):
            out.append({"decimal": str(value)})
        elif isinstance(value, datetime):
            out.append({"datetime": value.isoformat()})
        elif isinstance(value, date):
            out.append({"date": value.isoformat()})
        else:
            out.append(value)
    return out


def _decoded(row: Sequence[Any]) -> Row:
    out: list[Any] = []
    for value in row:
        if isinstance(value, dict):
            kind, text = next(iter(value.items()))
            out.append(
                Decimal(text) if kind == "decimal" else (datetime if kind == "datetime" else date).fromisoformat(text)
            )
        else:
            out.append(value)
    return tuple(out)
