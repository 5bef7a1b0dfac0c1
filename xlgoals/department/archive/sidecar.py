"""Each unit's current declaration and 自评 beside the archive, readable without duckdb: a SQLite file kept in step.

`validate --history` needs one unit's rows of one year; importing duckdb and opening the archive costs more
than the whole validation. Every archive writer keeps `<archive>.history` up to date in the same run: the rows
units.current_rows gives for each current (unit, year), and the archive file's size and modification
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
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlgoals.department.archive.units import (
    INDICATOR_COLUMNS,
    ORDERS,
    PROJECT_COLUMNS,
    UNIT_COLUMNS,
    Row,
    Stored,
    current_rows,
)

if TYPE_CHECKING:
    import duckdb

# Rows stored with other columns are never read: a change of columns is a change of format (units.py's rows,
# per unit and year a JSON object of the kinds stored).
FORMAT = hashlib.sha256(
    "\0".join(("kinds", UNIT_COLUMNS, PROJECT_COLUMNS, INDICATOR_COLUMNS, *ORDERS)).encode()
).hexdigest()[:16]
LOCK_WAIT_SECONDS = 10.0


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


def read(db: str | os.PathLike[str], unit: str, year: int) -> dict[str, Stored] | None:
    """One unit's current declaration and 自评 of a year, by kind, from the sidecar (empty: the archive holds
    neither); None when the sidecar cannot be trusted (ask the archive)."""
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
        row = con.execute("SELECT data FROM units WHERE unit = ? AND year = ?", [unit, year]).fetchone()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    if identity(db) != before:
        return None  # written to while we read
    if row is None:
        return {}
    return {
        kind: Stored(_decoded(d["unit"]), [_decoded(r) for r in d["projects"]], [_decoded(r) for r in d["indicators"]])
        for kind, d in json.loads(row[0]).items()
    }


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
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("format") != FORMAT:  # rows of another format (before 自评: `declarations`) go whole
                con.execute("DROP TABLE IF EXISTS declarations")
                con.execute("DROP TABLE IF EXISTS units")
            con.execute(
                "CREATE TABLE IF NOT EXISTS units"
                " (unit TEXT NOT NULL, year INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (unit, year))"
            )
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
            rows = current_rows(con, keys)
            if keys is None:
                self.con.execute("DELETE FROM units")
            self.con.executemany(
                "INSERT OR REPLACE INTO units VALUES (?, ?, ?)",
                [(unit, year, _encoded(d)) for (unit, year), d in rows.items()],
            )
            gone = [key for key in keys or () if key not in rows]
            self.con.executemany("DELETE FROM units WHERE unit = ? AND year = ?", gone)
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


def _encoded(kinds: dict[str, Stored]) -> str:
    return json.dumps(
        {
            kind: {
                "unit": _plain(d.unit),
                "projects": [_plain(r) for r in d.projects],
                "indicators": [_plain(r) for r in d.indicators],
            }
            for kind, d in kinds.items()
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
