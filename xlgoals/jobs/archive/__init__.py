"""The department's memory across years: an embedded DuckDB archive of declarations, its queries and exports.

Nothing here imports duckdb, pyarrow or pandas at import time: the unit's lean install never needs them.
"""

from xlgoals.jobs.archive.export import export_parquet
from xlgoals.jobs.archive.history import last_year
from xlgoals.jobs.archive.ingest import AddEntry, add_paths
from xlgoals.jobs.archive.schema import DEFAULT_DB, SCHEMA_VERSION, ArchiveError, connect
from xlgoals.jobs.archive.store import AddSummary, ArchiveWriter, Table, dataframe, listing, sql

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
