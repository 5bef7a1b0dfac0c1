"""The archive as Hive-partitioned Parquet (year=…/department=…): what Spark, DuckDB and pyarrow read as is."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from xlgoals.jobs.archive.schema import ArchiveError, connect

EXPORTED = ("units", "projects", "indicators", "findings")
# Hive partitions cannot tell a missing department from the text 'NULL'; a blank one is named.
NO_DEPARTMENT = "（未填主管部门）"


def export_parquet(db: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> dict[str, int]:
    """Every table, every stored version, with a `current` column; rows written per table.

    The folder appears whole or not at all: it is written beside, then swapped in. An existing folder is
    replaced only when it holds nothing but an earlier export.
    """
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(p.name not in EXPORTED for p in out.iterdir())):
        raise ArchiveError("输出文件夹已存在且含有其他文件；请给出一个新的或空的文件夹。", file=str(out))
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
    con = connect(db, read_only=True)
    counts: dict[str, int] = {}
    try:
        tmp.mkdir(parents=True)
        for table in EXPORTED:
            target = (tmp / table).as_posix().replace("'", "''")
            row = con.execute(
                f"""COPY (SELECT * EXCLUDE (department), coalesce(department, '{NO_DEPARTMENT}') AS department,
                        sha256 NOT IN (SELECT sha256 FROM supersessions) AS current
                    FROM {table}) TO '{target}' (FORMAT parquet, PARTITION_BY (year, department))"""
            ).fetchone()
            counts[table] = int(row[0]) if row else 0
        con.close()
        old = out.with_name(f".{out.name}.{uuid.uuid4().hex}.old")
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts
