"""The archive as Hive-partitioned Parquet (year=…/department=…): what Spark, DuckDB and pyarrow read as is."""

from __future__ import annotations

import os
from pathlib import Path

from xlgoals.core.oserrors import fault
from xlgoals.department.archive.diagnosis import os_errno
from xlgoals.department.archive.schema import ArchiveError, connect
from xlgoals.io.outputs import temp_beside

EXPORTED = ("units", "projects", "indicators", "findings")
# Hive partitions cannot tell a missing department from the text 'NULL'; a blank one is named.
NO_DEPARTMENT = "（未填主管部门）"


def export_parquet(db: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> dict[str, int]:
    """Every table, every stored version, with a `current` column; rows written per table.

    The folder appears whole or not at all: it is written beside (under a name no input walk reads, removed by
    the janitor if the run is killed), then swapped in. An existing folder is replaced only when it holds
    nothing but an earlier export. A full disk is a Chinese message naming the folder asked for.
    """
    import duckdb

    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(p.name not in EXPORTED for p in out.iterdir())):
        raise ArchiveError("输出文件夹已存在且含有其他文件；请给出一个新的或空的文件夹。", file=str(out))
    con = connect(db, read_only=True)
    counts: dict[str, int] = {}
    try:
        with temp_beside(out, folder=True) as tmp:
            for table in EXPORTED:
                target = (tmp / table).as_posix().replace("'", "''")
                row = con.execute(
                    f"""COPY (SELECT * EXCLUDE (department), coalesce(department, '{NO_DEPARTMENT}') AS department,
                            sha256 NOT IN (SELECT sha256 FROM supersessions) AS current
                        FROM {table}) TO '{target}' (FORMAT parquet, PARTITION_BY (year, department))"""
                ).fetchone()
                counts[table] = int(row[0]) if row else 0
            con.close()
            with temp_beside(out, folder=True) as old:
                if out.exists():
                    old.rmdir()
                    out.rename(old)
                tmp.rename(out)
    except duckdb.Error as e:
        # Never the temporary folder's name: the output the user asked for, and why it could not be written.
        code = os_errno(e)
        if code is None:
            raise ArchiveError(f"导出失败（{type(e).__name__}），输出文件夹未改动。", file=str(out)) from None
        raise fault(OSError(code, os.strerror(code)), out, "导出到该文件夹") from None
    finally:
        con.close()
    return counts
