"""xlgoals archive: the history database (DuckDB) — add declarations, list, query, export Parquet."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xlgoals.shells.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    RULES_HELP,
    SCHEDULER_HELP,
    Format,
    Progress,
    app,
    friendly,
    out,
    print_json,
)

archive_app = typer.Typer(
    help="历史库（DuckDB 文件，默认 xlgoals.duckdb）：存入各年度申报、查询、导出 Parquet。", no_args_is_help=True
)
app.add_typer(archive_app, name="archive")
DbOption = Annotated[Path, typer.Option("--db", help="历史库文件")]
if TYPE_CHECKING:
    from rich.table import Table

# xlgoals.department.archive.DEFAULT_DB, without importing the archive for every command
ARCHIVE_DB = Path("xlgoals.duckdb")


def _plain_table(title: str, columns: list[str], rows: list[tuple[Any, ...]]) -> Table:
    """A table of data as it is: values never read as rich markup."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title))
    for col in columns:
        table.add_column(Text(str(col)), overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    return table


@archive_app.command("add")
@friendly
def archive_add(
    paths: Annotated[list[Path], typer.Argument(help="单位工作簿或文件夹（文件夹递归读取）")],
    db: DbOption = ARCHIVE_DB,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="并行进程数，默认 CPU 核数")] = None,
    rules: Annotated[str | None, typer.Option("--rules", help=RULES_HELP)] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help=SCHEDULER_HELP)] = None,
) -> None:
    """读取并校验工作簿，存入历史库；同一文件再存不变，同一单位同一年度的新文件替换旧版本（旧版本留作历史）。
    退出码 0 全部存入，1 有文件未能读取，2 无法使用。"""
    from xlgoals.department.archive.ingest import add_paths

    progress = Progress(enabled=fmt is Format.table)
    try:
        summary, entries = add_paths(paths, db, jobs=jobs, rules=rules, progress=progress, scheduler=scheduler)
    finally:
        progress.stop()
    # Lock files Excel leaves beside open books are no declarations: skipping them is not a failure.
    fine = {"新增", "未变", "替换旧版本", "锁定文件"}
    unread = sum(e.outcome not in fine for e in entries)
    if fmt is Format.json:
        print_json({**summary.to_dict(), "files": [asdict(e) for e in entries]})
    else:
        rows = [(e.path, e.outcome, e.unit, e.year, e.reason) for e in entries]
        out.print(_plain_table(f"存入历史库 {db}", ["文件", "结果", "单位", "年度", "原因"], rows))
        out.print(f"{summary.describe()}；未能读取 {unread} 个。", markup=False)
    raise typer.Exit(EXIT_FINDINGS if unread else EXIT_OK)


@archive_app.command("list")
@friendly
def archive_list(
    db: DbOption = ARCHIVE_DB, fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table
) -> None:
    """历史库中各年度、各单位的当前版本：项目数、指标数、当年预算合计、问题数、版本数。"""
    from xlgoals.department.archive.store import listing

    table = listing(db)
    if fmt is Format.json:
        print_json([dict(zip(table.columns, row, strict=True)) for row in table.rows])
        return
    out.print(_plain_table(f"历史库 {db}", table.columns, table.rows))
    years = sorted({row[0] for row in table.rows if row[0] is not None})
    out.print(f"共 {len(table.rows)} 份申报，年度：{'、'.join(map(str, years)) or '（无）'}。", markup=False)


@archive_app.command("sql")
@friendly
def archive_sql(
    query: Annotated[
        str, typer.Argument(help='只读 SQL，如 "SELECT year, sum(budget_year) FROM current_projects GROUP BY year"')
    ],
    db: DbOption = ARCHIVE_DB,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """对历史库执行只读 SQL 并以表格输出（表与视图见 README）。"""
    from xlgoals.department.archive.store import sql

    table = sql(db, query)
    if fmt is Format.json:
        print_json([dict(zip(table.columns, row, strict=True)) for row in table.rows])
        return
    out.print(_plain_table(query, table.columns, table.rows))


@archive_app.command("export")
@friendly
def archive_export(
    parquet: Annotated[Path, typer.Option("--parquet", help="输出文件夹：按 year=…/department=… 分区的 Parquet")],
    db: DbOption = ARCHIVE_DB,
) -> None:
    """把历史库导出为 Hive 分区的 Parquet（units/projects/indicators/findings，含 current 列），
    供 Spark、DuckDB 等读取。"""
    from xlgoals.department.archive.export import export_parquet

    counts = export_parquet(db, parquet)
    out.print(f"已导出到 {parquet}：" + "，".join(f"{t} {n} 行" for t, n in counts.items()), markup=False)
