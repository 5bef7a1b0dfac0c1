"""selfeval: the 自评 workbook of a declaration, from its workbook or from the archive."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xlgoals.core import layout
from xlgoals.io.presentation import format_percent
from xlgoals.shells.cli.common import (
    RULES_HELP,
    SERVER_HELP,
    TOKEN_FILE_HELP,
    _sibling,
    app,
    friendly,
    next_steps,
    out,
    server_address,
    token_header,
    unit_title,
)

if TYPE_CHECKING:
    from rich.table import Table


@app.command()
@friendly
def selfeval(
    source: Annotated[
        Path | None, typer.Argument(help="已申报的单位工作簿（.xlsx/.xlsm）；用 --from-archive 时不填")
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="输出的自评工作簿（.xlsx，或 --xlsm 时 .xlsm）")
    ] = Path("自评.xlsx"),
    from_archive: Annotated[bool, typer.Option("--from-archive", help="从历史库取申报（需 --year 和 --unit）")] = False,
    year: Annotated[int | None, typer.Option("--year", help="申报的年度（--from-archive 时）")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位名称（--from-archive 时）")] = None,
    db: Annotated[Path, typer.Option("--db", help="历史库文件")] = Path("xlgoals.duckdb"),
    rules: Annotated[str | None, typer.Option("--rules", help=RULES_HELP)] = None,
    xlsm: Annotated[bool, typer.Option("--xlsm", help="生成带“校验”按钮和宏的 .xlsm")] = False,
    server: Annotated[str, typer.Option("--server", help=SERVER_HELP + "；不给时沿用申报表封面的地址")] = "",
    token_file: Annotated[Path | None, typer.Option("--token-file", help=TOKEN_FILE_HELP)] = None,
) -> None:
    """生成项目支出绩效自评表：年度指标值由申报带入并锁定，得分由公式即时计算。"""
    from rich.table import Table

    from xlgoals.department.archive.units import selfeval_from_archive
    from xlgoals.unit.selfeval import Buttons, selfeval_from_file

    buttons = Buttons(xlsm, server_address(server), token_header(token_file))
    if from_archive:
        if year is None or not unit:
            raise typer.BadParameter("--from-archive 需要同时给出 --year（年度）和 --unit（单位名称）。")
        result = selfeval_from_archive(db, year, unit, output, rules, buttons)
    elif source is None:
        raise typer.BadParameter("请给出已申报的单位工作簿，或用 --from-archive 从历史库生成。")
    else:
        result = selfeval_from_file(source, output, rules, buttons)
    u = result.unit
    table = Table(title=f"{unit_title(u.name, u.year, u.framework)} · 自评表 → {output}")
    for col in ("工作表", "项目名称", "指标数", "分值合计"):
        table.add_column(col, justify="right" if col in ("指标数", "分值合计") else "left")
    for (name, score), project in zip(result.sheets, u.projects, strict=True):
        table.add_row(name, project.name, str(len(project.indicators)), f"{score.points_total:.2f}")
    out.print(table)
    out.print(f"计分规则：{result.ruleset.title}（预算执行率和各一级指标的分值见规则集的 [scoring]）。")
    next_steps(
        f"在各项目表的浅黄色单元格填写全年预算数、全年执行数、实际完成值和偏差原因（封面为“{layout.COVER_SHEET}”），然后校验：",
        f"xlgoals validate {output} --write-back {_sibling(output, '校验后')}",
    )


def selfeval_table(r: Any) -> Table:
    """A 自评 workbook's roll-up: per project 执行率, 总分 and grade, the unit's mean and 执行率."""
    from rich.table import Table

    f = r.selfeval
    table = Table(title=f"{unit_title(r.unit, r.year)} · 自评汇总")
    table.add_column("工作表：项目名称", overflow="fold", min_width=12, ratio=1)
    for col in ("执行率", "总分", "等级", "未完成/未说明"):
        table.add_column(col, justify="right", no_wrap=True)
    for p in f.projects:
        rate = format_percent(None if p.rate is None else round(p.rate * 100, 2), signed=False)
        table.add_row(f"{p.sheet}：{p.name}", rate, f"{p.total}", p.grade, f"{p.shortfalls}/{p.unexplained}")
    rate = format_percent(None if f.rate is None else round(f.rate * 100, 2), signed=False)
    mean = f"{f.mean}" if f.mean is not None else "—"
    table.add_row(f"合计（{len(f.projects)} 个项目，总分为平均）", rate, mean, "", f"{f.shortfalls}/{f.unexplained}")
    return table
