"""The department's memory across years: an embedded DuckDB archive of declarations, its queries and exports.

Nothing here imports duckdb, pyarrow or pandas at import time: the unit's lean install never needs them.
"""

from xlgoals.archive.schema import DEFAULT_DB, SCHEMA_VERSION, ArchiveError

__all__ = ["DEFAULT_DB", "SCHEMA_VERSION", "ArchiveError"]
