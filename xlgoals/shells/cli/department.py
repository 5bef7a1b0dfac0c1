"""The department's commands: consolidate a folder of unit workbooks, serve the web page."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from xlgoals.core.errors import XlgoalsError
from xlgoals.io.presentation import MoneyUnit
from xlgoals.shells.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    RULES_HELP,
    SCHEDULER_HELP,
    Format,
    Progress,
    app,
    friendly,
    next_steps,
    out,
    print_json,
)


class GroupBy(StrEnum):
    department = "department"
    folder = "folder"


@app.command()
@friendly
def consolidate(
    paths: Annotated[list[Path], typer.Argument(help="单位工作簿或文件夹（文件夹递归读取）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="汇总工作簿（.xlsx）")],
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="另存每张表为 CSV（UTF-8 带 BOM）到此文件夹")] = None,
    parquet_dir: Annotated[Path | None, typer.Option("--parquet", help="另存每张表为 Parquet 到此文件夹")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    group_by: Annotated[GroupBy | None, typer.Option("--group-by", help="按主管部门或子文件夹分组小计")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="并行进程数（至少 1），默认 CPU 核数")] = None,
    rules: Annotated[str | None, typer.Option("--rules", help=RULES_HELP)] = None,
    db: Annotated[Path | None, typer.Option("--db", help="同时把读取的申报存入此历史库（如 xlgoals.duckdb）")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help=SCHEDULER_HELP)] = None,
    unit: Annotated[
        MoneyUnit, typer.Option("--unit", help="金额单位（汇总工作簿和这里的表格）：元 或 万元（CSV/Parquet 仍为元）")
    ] = MoneyUnit.YUAN,
    prefer: Annotated[
        list[Path] | None,
        typer.Option(
            "--prefer",
            help="同一单位同一年度有几份内容不同的工作簿时，以这一份为准（可重复）；默认以工作簿保存时间较新的为准",
        ),
    ] = None,
) -> None:
    """合并多个单位工作簿为汇总表，台账记录每个文件。退出码 0 全部读取，1 有拒绝、重复或漏计金额，2 参数无法使用。"""
    from xlgoals.department.consolidate import DEPARTMENT_TOTAL, DUPLICATE, REJECTED
    from xlgoals.department.consolidate import consolidate as run
    from xlgoals.io.presentation import format_amount, format_percent, year_on_year_lines

    if jobs is not None and jobs < 1:
        raise XlgoalsError(f"--jobs 应为至少 1 的整数（并行读取的进程数），现在是 {jobs}。")
    progress = Progress(enabled=fmt is Format.table)
    try:
        result = run(
            paths,
            output,
            csv_dir=csv_dir,
            parquet_dir=parquet_dir,
            group_by=group_by.value if group_by else None,
            jobs=jobs,
            rules=rules,
            progress=progress,
            archive=db,
            scheduler=scheduler,
            money_unit=unit,
            prefer=prefer or (),
        )
    finally:
        progress.stop()
    if fmt is Format.json:
        print_json({**result.to_dict(), **({"archived": result.archived.to_dict()} if result.archived else {})})
    else:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        # Fits an 80-column console; every figure is in --format json and in the 单位汇总 sheet. Year on year
        # stands on its base: this year and last year of the projects that had a budget both years.
        table = Table(title=f"汇总（{unit}）→ {output}", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
        table.add_column("分组", overflow="fold", min_width=8, ratio=1)
        for col in ("单位", "项目", "当年预算", "可比当年", "可比上年", "同比", "错/警"):
            table.add_column(col, justify="right", no_wrap=True)
        for g in [*result.groups, result.total]:
            yoy = g.year_on_year
            table.add_row(
                g.label,
                str(g.units),
                str(g.projects),
                format_amount(g.totals["budget_year"], unit),
                format_amount(yoy.this_year if yoy.compared else None, unit),
                format_amount(yoy.last_year if yoy.compared else None, unit),
                format_percent(yoy.percent),
                f"{g.counts['error']}/{g.counts['warning']}",
            )
        out.print(table)
        for line in year_on_year_lines(result.total.year_on_year, unit):
            out.print(f"{DEPARTMENT_TOTAL}：{line}。")
        counts = "，".join(f"{s} {n}" for s, n in result.status_counts().items())
        out.print(f"共 {len(result.ledger)} 个文件：{counts}。")
        for note in result.notes:
            out.print(Text.assemble(("注意：", "yellow"), note))
        if result.archived is not None:
            out.print(f"已存入历史库 {result.archived.db}：{result.archived.describe()}。", markup=False)
        problems = [e for e in result.ledger if e.status in (REJECTED, DUPLICATE)]
        if problems:
            listing = Table(title="未计入汇总的文件（详见“台账”表）")
            for col in ("文件", "状态", "原因"):
                listing.add_column(col, overflow="fold")
            for e in problems[:20]:
                listing.add_row(e.shown, e.status, e.reason)
            out.print(listing)
            if len(problems) > 20:
                out.print(f"……其余 {len(problems) - 20} 个见“台账”表。")
        for e in result.uncounted[:20]:
            out.print(Text.assemble(("金额未全部计入：", "bold yellow"), f"{e.path}：{e.reason}"))
        if len(result.uncounted) > 20:
            out.print(f"……其余 {len(result.uncounted) - 20} 个文件见“台账”表。")
        if problems or result.uncounted:
            next_steps(
                f"请相关单位按“台账”表的原因修正被拒绝的文件和无法读取的金额后重新报送，再次汇总；汇总结果见 {output}。"
            )
        else:
            next_steps(f"打开 {output}：“单位汇总”为各单位合计，“校验问题”列出需各单位核对的问题。")
    raise typer.Exit(EXIT_OK if result.complete else EXIT_FINDINGS)
