"""The department's memory across years: an embedded DuckDB archive of declarations, its queries and exports.

Nothing here imports duckdb, pyarrow or pandas at import time: the unit's lean install never needs them.
"""

from xlgoals.department.archive.export import export_parquet
from xlgoals.department.archive.history import last_year
from xlgoals.department.archive.ingest import AddEntry, add_paths
from xlgoals.department.archive.schema import DEFAULT_DB, SCHEMA_VERSION, ArchiveError, connect
from xlgoals.department.archive.store import AddSummary, ArchiveWriter, Table, dataframe, listing, sql

__all__ = [
    "DEFAULT_DB",
    "SCHEMA_VERSION",
    "AddEntry",
    "AddSummary",
    "ArchiveError",
    "ArchiveWriter",
    "Table",
    "add_paths",
    "connect",
    "dataframe",
    "export_parquet",
    "last_year",
    "listing",
    "sql",
]
