"""The archive's DuckDB schema, its version and migrations, and opening a file safely with Chinese errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from xlgoals.core.errors import XlgoalsError

if TYPE_CHECKING:
    import duckdb

DEFAULT_DB = "xlgoals.duckdb"
APP = "xlgoals-archive"
META = "xlgoals_meta"
INSTALL_HINT = "请在部门电脑上安装：pip install 'xlgoals[department]'（单位填报电脑不需要历史库）。"

_KEY = "sha256 VARCHAR NOT NULL, year INTEGER, unit VARCHAR, department VARCHAR, file VARCHAR"
_MONEY = "DECIMAL(18, 2)"
_POINTS, _SCORE = "DECIMAL(9, 4)", "DECIMAL(9, 2)"

# Each migration is applied once, in order, in one transaction with the version bump; never edit a released
# one: add the next. Tables keep every stored version (history); the current_* views hide superseded ones.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        f"CREATE TABLE {META} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        f"""CREATE TABLE units ({_KEY}, framework VARCHAR, contact VARCHAR, phone VARCHAR, file_name VARCHAR,
            size BIGINT, projects INTEGER, indicators INTEGER, errors INTEGER, warnings INTEGER, infos INTEGER,
            added_at TIMESTAMP NOT NULL, seq BIGINT NOT NULL,
            PRIMARY KEY (sha256))""",
        f"""CREATE TABLE projects ({_KEY}, sheet VARCHAR, name VARCHAR, previous_name VARCHAR,
            category VARCHAR, start_date DATE, end_date DATE, gov_purchase BOOLEAN, perf_type VARCHAR,
            budget_total {_MONEY}, budget_year {_MONEY}, last_year_budget {_MONEY}, last_year_executed {_MONEY},
            indicators INTEGER, errors INTEGER, warnings INTEGER, infos INTEGER, overview VARCHAR,
            basis VARCHAR, necessity VARCHAR, safeguards VARCHAR, plan VARCHAR, goals VARCHAR)""",
        f"""CREATE TABLE indicators ({_KEY}, sheet VARCHAR, project VARCHAR, position INTEGER,
            level1 VARCHAR, level2 VARCHAR, name VARCHAR, value VARCHAR, kind VARCHAR, operator VARCHAR,
            number DOUBLE, target_unit VARCHAR, cell VARCHAR)""",
        f"""CREATE TABLE findings ({_KEY}, sheet VARCHAR, project VARCHAR, cell VARCHAR, code VARCHAR,
            severity VARCHAR, message VARCHAR, value VARCHAR)""",
        """CREATE TABLE supersessions (sha256 VARCHAR NOT NULL, by_sha256 VARCHAR NOT NULL,
            superseded_at TIMESTAMP NOT NULL)""",
    ),
    (
        # What is current: every stored version not superseded by a later one of the same unit and year.
        """CREATE VIEW versions AS SELECT u.*, s.by_sha256 AS superseded_by, s.superseded_at,
            s.sha256 IS NULL AS current FROM units u LEFT JOIN supersessions s USING (sha256)""",
        "CREATE VIEW current_units AS SELECT * FROM units WHERE sha256 NOT IN (SELECT sha256 FROM supersessions)",
        """CREATE VIEW current_projects AS SELECT * FROM projects
            WHERE sha256 NOT IN (SELECT sha256 FROM supersessions)""",
        """CREATE VIEW current_indicators AS SELECT * FROM indicators
            WHERE sha256 NOT IN (SELECT sha256 FROM supersessions)""",
        """CREATE VIEW current_findings AS SELECT * FROM findings
            WHERE sha256 NOT IN (SELECT sha256 FROM supersessions)""",
        # The four money lines of each project as rows: one (project, line, amount) per figure.
        """CREATE VIEW budgets AS SELECT sha256, year, unit, department, file, sheet, name AS project, line, amount
            FROM projects UNPIVOT (amount FOR line IN (budget_total, budget_year, last_year_budget,
            last_year_executed))""",
        """CREATE VIEW current_budgets AS SELECT * FROM budgets
            WHERE sha256 NOT IN (SELECT sha256 FROM supersessions)""",
    ),
    (
        # The national form's own fields, which version 1 left out (older rows keep NULL there). 主管部门 of a
        # project sheet is project_department: `department` is the cover's.
        "ALTER TABLE projects ADD COLUMN project_department VARCHAR",
        "ALTER TABLE projects ADD COLUMN implementer VARCHAR",
        "ALTER TABLE projects ADD COLUMN manager VARCHAR",
        "ALTER TABLE projects ADD COLUMN phone VARCHAR",
        "ALTER TABLE projects ADD COLUMN goals_overall VARCHAR",
        f"ALTER TABLE projects ADD COLUMN budget_fiscal {_MONEY}",
        f"ALTER TABLE projects ADD COLUMN budget_other {_MONEY}",
        # The money lines gain the national form's two parts of 年度资金总额 (a blank amount is no row).
        """CREATE OR REPLACE VIEW budgets AS SELECT sha256, year, unit, department, file, sheet, name AS project,
            line, amount FROM projects UNPIVOT (amount FOR line IN (budget_total, budget_year, last_year_budget,
            last_year_executed, budget_fiscal, budget_other))""",
    ),
    (
        # Self-evaluations (自评) beside declarations: a unit's 自评 of a year is a workbook of its own kind, which
        # supersedes only an earlier 自评 of the same unit and year. Older rows are declarations.
        "ALTER TABLE units ADD COLUMN kind VARCHAR DEFAULT 'declaration'",
        "ALTER TABLE projects ADD COLUMN form VARCHAR",
        *(
            f"ALTER TABLE projects ADD COLUMN {name} {_MONEY}"
            for name in ("budget_initial", "budget_adjusted", "budget_executed")
        ),
        # 执行率 as a fraction; points and scores as the rule set gives them (the 自评 sheet's formulas agree), and
        # the 总分 a published table printed beside them.
        "ALTER TABLE projects ADD COLUMN execution_rate DOUBLE",
        f"ALTER TABLE projects ADD COLUMN execution_points {_POINTS}",
        f"ALTER TABLE projects ADD COLUMN execution_score {_SCORE}",
        f"ALTER TABLE projects ADD COLUMN total_score {_SCORE}",
        f"ALTER TABLE projects ADD COLUMN printed_total_score {_SCORE}",
        "ALTER TABLE projects ADD COLUMN goals_achieved VARCHAR",
        "ALTER TABLE projects ADD COLUMN execution_reason VARCHAR",
        "ALTER TABLE indicators ADD COLUMN actual VARCHAR",
        "ALTER TABLE indicators ADD COLUMN reason VARCHAR",
        f"ALTER TABLE indicators ADD COLUMN points {_POINTS}",
        "ALTER TABLE indicators ADD COLUMN achieved DOUBLE",
        f"ALTER TABLE indicators ADD COLUMN score {_SCORE}",
        f"ALTER TABLE indicators ADD COLUMN printed_score {_SCORE}",
        """CREATE OR REPLACE VIEW budgets AS SELECT sha256, year, unit, department, file, sheet, name AS project,
            line, amount FROM projects UNPIVOT (amount FOR line IN (budget_total, budget_year, last_year_budget,
            last_year_executed, budget_fiscal, budget_other, budget_initial, budget_adjusted, budget_executed))""",
        # Views over `units u.*` list the columns they were made with: made again, they show `kind` too.
        """CREATE OR REPLACE VIEW versions AS SELECT u.*, s.by_sha256 AS superseded_by, s.superseded_at,
            s.sha256 IS NULL AS current FROM units u LEFT JOIN supersessions s USING (sha256)""",
        """CREATE OR REPLACE VIEW current_units AS SELECT * FROM units
            WHERE sha256 NOT IN (SELECT sha256 FROM supersessions)""",
        """CREATE OR REPLACE VIEW current_projects AS SELECT * FROM projects
            WHERE sha256 NOT IN (SELECT sha256 FROM supersessions)""",
        """CREATE OR REPLACE VIEW current_indicators AS SELECT * FROM indicators
            WHERE sha256 NOT IN (SELECT sha256 FROM supersessions)""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class ArchiveError(XlgoalsError):
    """An archive that cannot be used: missing, damaged, foreign, too new, busy, or duckdb not installed."""

    code = "archive.unusable"


def require_duckdb() -> None:
    """Fail with a Chinese message where the lean unit install has no duckdb."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        raise ArchiveError(f"使用历史库需要 duckdb，本机没有安装。{INSTALL_HINT}") from None


def version_of(con: duckdb.DuckDBPyConnection, path: str) -> int:
    """The schema version of an open database: 0 when empty; ArchiveError when it is not an archive of ours."""
    import duckdb

    try:
        # The one query an archive of ours answers; information_schema would cost a lookup validate can feel.
        meta = dict(con.execute(f"SELECT key, value FROM {META}").fetchall())
    except duckdb.Error:
        if not con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()[0][0]:
            return 0
        raise ArchiveError(
            f"这是一个 DuckDB 数据库，但不是 xlgoals 历史库（没有 {META} 表）；请另选文件名，不要覆盖别的数据库。",
            file=path,
        ) from None
    if meta.get("app") != APP or not str(meta.get("schema_version", "")).isdigit():
        raise ArchiveError("该数据库的版本信息不是 xlgoals 历史库的，无法使用；请另选文件名。", file=path)
    return int(meta["schema_version"])


def migrate(con: duckdb.DuckDBPyConnection, path: str, upto: int = SCHEMA_VERSION) -> int:
    """Apply the migrations the database lacks (each in a transaction); the version it ends at."""
    current = version_of(con, path)
    if current > SCHEMA_VERSION:
        raise ArchiveError(
            f"该历史库由更新版本的 xlgoals 建立（结构版本 {current}，"
            f"本程序支持到 {SCHEMA_VERSION}），请先升级 xlgoals。",
            file=path,
        )
    for version in range(current + 1, upto + 1):
        con.begin()
        try:
            for statement in MIGRATIONS[version - 1]:
                con.execute(statement)
            con.execute(f"INSERT OR REPLACE INTO {META} VALUES ('app', ?), ('schema_version', ?)", [APP, str(version)])
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return max(current, upto)


def _opened(path: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    import duckdb

    from xlgoals.department.archive.diagnosis import open_failed, waiting_for_lock

    try:
        # A running add holds the file's lock until it commits: wait for it a bounded time.
        return waiting_for_lock(lambda: duckdb.connect(path, read_only=read_only))
    except duckdb.Error as e:
        raise ArchiveError(open_failed(path, e, writing=not read_only), file=path) from e


def connect(db: str | os.PathLike[str], *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An archive connection, created or brought up to the current schema as needed.

    Read-only opening is for lookups (validate --history, sql, list, export): several may run at once.
    A read-only open of an older schema migrates through a short read-write open first.
    """
    require_duckdb()
    path = os.fspath(db)
    if read_only and not Path(path).is_file():
        raise ArchiveError("找不到历史库文件；请先用 xlgoals archive add 建立，或检查路径。", file=path)
    if not read_only and Path(path).is_dir():
        raise ArchiveError("这是一个文件夹，请给出历史库文件的路径（如 xlgoals.duckdb）。", file=path)
    con = _opened(path, read_only)
    try:
        version = version_of(con, path)
        if version != SCHEMA_VERSION:
            if read_only and version < SCHEMA_VERSION:
                con.close()
                rw = _opened(path, False)
                try:
                    migrate(rw, path)
                finally:
                    rw.close()
                con = _opened(path, True)
            else:
                migrate(con, path)
    except BaseException:
        con.close()
        raise
    return con
