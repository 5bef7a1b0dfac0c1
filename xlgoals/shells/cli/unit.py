"""The unit's commands: template, import, read, validate and rollup."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xlgoals.core import layout
from xlgoals.core.builtin import DEFAULT as DEFAULT_FRAMEWORK
from xlgoals.io.presentation import MoneyUnit
from xlgoals.shells.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    RULES_HELP,
    SERVER_HELP,
    TOKEN_FILE_HELP,
    EngineName,
    Format,
    _sibling,
    app,
    err,
    friendly,
    next_steps,
    out,
    print_json,
    server_address,
    token_header,
    unit_title,
)

if TYPE_CHECKING:
    from rich.table import Table


def builtin_framework(text: str) -> str:
    """The title of the built-in framework `text` names; anything else is a usage error listing the choices.

    A bureau's own rule-set file goes to --rules, which also sets the cover, the form and the live checks."""
    from xlgoals.core.ruleset import builtin_named, builtin_rulesets

    rs = builtin_named(text)
    if rs is not None:
        return rs.title
    choices = "、".join(f"{r.name}（{r.title}）" for r in builtin_rulesets())
    if text.strip().lower().endswith(".toml") or Path(text).is_file():
        raise typer.BadParameter(
            f"模板的 --framework 只接受内置指标体系：{choices}；本局自己的规则集文件请用 --rules {text} 指定"
            "（封面“指标体系”即为该文件的名称，项目表和实时检查随之生成）。"
        )
    raise typer.BadParameter(f"没有指标体系“{text}”；--framework 可选：{choices}。")


@app.command()
@friendly
def template(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出路径（.xlsx 或 .xlsm）")],
    xlsm: Annotated[bool, typer.Option("--xlsm", help="生成带按钮和宏的 .xlsm 模板")] = False,
    projects: Annotated[int, typer.Option("--projects", min=1, max=200, help="预先建立的项目表数量")] = 1,
    framework: Annotated[
        str | None,
        typer.Option("--framework", help="封面预设的指标体系（内置规则集名称或标题），项目表随之采用该体系的表样"),
    ] = None,
    rules: Annotated[
        str | None,
        typer.Option(
            "--rules",
            help="本局的规则集文件（.toml）：封面“指标体系”预设为它，项目表采用它的表样，实时检查按它的规则生成",
        ),
    ] = None,
    server: Annotated[str, typer.Option("--server", help=SERVER_HELP)] = "",
    token_file: Annotated[Path | None, typer.Option("--token-file", help=TOKEN_FILE_HELP)] = None,
) -> None:
    """生成空白申报模板（带实时检查：填写时自动标出问题，不需要 Python）。"""
    from xlgoals.core.ruleset import load_ruleset
    from xlgoals.validation.rules import check_ruleset
    from xlgoals.workbooks.template import write_template

    if framework is not None and rules is not None:
        raise typer.BadParameter(
            "只能指定 --framework 或 --rules 之一：内置体系用 --framework，本局的规则集文件用 --rules。"
        )
    checks = check_ruleset(load_ruleset(rules)) if rules is not None else None
    title = checks.title if checks is not None else builtin_framework(framework or DEFAULT_FRAMEWORK)
    name = framework or DEFAULT_FRAMEWORK
    server = server_address(server)
    auth = token_header(token_file)
    if xlsm:
        from xlgoals.macro.xlsm import write_xlsm_template

        write_xlsm_template(output, projects, name, server, auth, checks=checks)
    else:
        write_template(output, projects, name, server, auth, checks=checks)
    out.print(f"已生成模板：{output}（{projects} 张项目表，指标体系：{title}）")
    check = f"xlgoals validate {output}" + (f" --rules {rules}" if rules is not None else "")
    next_steps(
        f"填写“{layout.COVER_SHEET}”页和各“项目N”页带边框的填写区（尚未填写的必填项显示浅黄色，填写时问题单元格会自动标红或标橙）"
        + ("，然后点击“校验全部”按钮，或运行：" if xlsm else "，然后运行："),
        f"{check} --write-back {_sibling(output, '校验后')}",
    )


@app.command("import")
@friendly
def import_(
    source: Annotated[Path, typer.Argument(help="公开的绩效目标表：文本（.txt，任意排版）或其他单位的工作簿（.xlsx）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的单位工作簿（.xlsx）")],
) -> None:
    """把公开的绩效目标表（文本或其他格式的 .xlsx）导入为单位工作簿。"""
    from rich.table import Table
    from rich.text import Text

    from xlgoals.core.values import format_money
    from xlgoals.importing.importer import import_file, write_import
    from xlgoals.io.outputs import check_output

    check_output(output, [source])
    result = import_file(source)
    recorded = write_import(result, output, source.name)
    unit = result.unit
    table = Table(title=f"{unit_title(unit.name, unit.year)} → {output}")
    for col in ("工作表", "项目名称", "指标数", "当年预算（元）", "总预算（元）"):
        table.add_column(col, justify="right" if "元" in col or col == "指标数" else "left")
    for i, p in enumerate(unit.projects, start=1):
        table.add_row(
            layout.project_sheet_name(i),
            p.name,
            str(len(p.indicators)),
            format_money(p.budget_year) if p.budget_year is not None else "—",
            format_money(p.budget_total) if p.budget_total is not None else "—",
        )
    totals = unit.money_totals()
    table.add_row(
        "合计",
        f"{len(unit.projects)} 个项目",
        str(sum(len(p.indicators) for p in unit.projects)),
        format_money(totals["budget_year"]),
        format_money(totals["budget_total"]),
    )
    out.print(table)
    for i, p in enumerate(unit.projects, start=1):
        if p.form and p.form != "申报表":
            # Said, not silently filed as a declaration: what the source table is.
            kept = "实际完成值、分值、得分、偏差原因和预算执行情况已读入，" if "自评" in p.form else ""
            out.print(
                Text(
                    f"{layout.project_sheet_name(i)}“{p.name}”原表是{p.form}；{kept}项目表上没有格子的内容保留在“{layout.IMPORT_SHEET}”表。"
                )
            )

    for note in result.notes:
        # The text is the user's: '[/b]' in a published table must print as written, not as markup.
        where = f"第 {note.line} 行" if note.line else "全文"
        if note.kind == "unplaced":
            err.print(Text.assemble((f"{where}未能归入任何字段：", "yellow"), f"{note.reason}：{note.text[:60]}"))
        else:
            err.print(Text.assemble((f"{where}：", "cyan"), f"{note.reason}（{note.text[:60]}）"))
    if recorded:
        out.print(
            f"原表中项目表上没有对应格子的内容，以及未能导入的原文，已原样保留在“{layout.IMPORT_SHEET}”表，可对照核对。"
        )
    next_steps("核对导入的工作簿，然后校验：", f"xlgoals validate {output} --write-back {_sibling(output, '校验后')}")


@app.command("read")
@friendly
def read_cmd(
    path: Annotated[Path, typer.Argument(help="单位工作簿")],
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    engine: Annotated[EngineName, typer.Option("--engine")] = EngineName.calamine,
) -> None:
    """读取单位工作簿并输出数据模型。"""
    from rich.table import Table

    from xlgoals.io.reader import read

    unit = read(path, engine.value)
    if fmt is Format.json:
        print_json(unit.model_dump(mode="json"))
        return
    table = Table(title=unit_title(unit.name, unit.year, unit.framework))
    for col in ("工作表", "项目名称", "开始", "完成", "当年预算（元）", "指标数"):
        table.add_column(col)
    for p in unit.projects:
        table.add_row(
            p.sheet or "",
            p.name,
            str(p.start or ""),
            str(p.end or ""),
            str(p.budget_year or ""),
            str(len(p.indicators)),
        )
    out.print(table)


def findings_table(report: Any, title: str, codes: bool = False) -> Table:
    """Every finding: level, place and what to do; the rule code last and dim, only when asked (--codes)."""
    from rich.table import Table
    from rich.text import Text

    from xlgoals.validation.findings import SEVERITY_ZH, Severity

    style = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    table = Table(title=title, show_lines=False)
    for col in ("级别", "位置", "问题说明", *(("代码",) if codes else ())):
        table.add_column(col, overflow="fold", style="dim" if col == "代码" else None)
    for f in report.findings:
        level = Text(SEVERITY_ZH[f.severity], style=style[f.severity])
        table.add_row(level, f.location, f.message, *((f.code,) if codes else ()))
    return table


def project_table(report: Any) -> Table:
    """Per project: the verdict and counts, the same rows as the status table on 校验结果."""
    from rich.table import Table
    from rich.text import Text

    from xlgoals.validation.marks import project_status

    table = Table(title="各项目校验情况")
    for col in ("状态", "工作表", "项目", "错误", "警告", "提示"):
        table.add_column(col, justify="right" if col in ("错误", "警告", "提示") else "left")
    for p in report.project_counts():
        c = p.counts
        status = project_status(c)
        style = {"需修改": "red", "请核对": "yellow"}.get(status, "green")
        table.add_row(
            Text(status, style=style),
            p.sheet,
            p.name,
            str(c["error"]),
            str(c["warning"]),
            str(c["info"]),
        )
    return table


@app.command()
@friendly
def validate(
    path: Annotated[Path, typer.Argument(help="单位工作簿（.xlsx/.xlsm）")],
    rules: Annotated[
        str | None, typer.Option("--rules", help="规则集名称（shanghai-2020/national）或 .toml 路径")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    write_back: Annotated[Path | None, typer.Option("--write-back", help="把标记和“校验结果”表写入这个新文件")] = None,
    history: Annotated[
        Path | None, typer.Option("--history", help="历史库（xlgoals.duckdb）：与本单位上一年度的申报逐项比对")
    ] = None,
    codes: Annotated[bool, typer.Option("--codes", help="表格中也列出规则代码（JSON 总是带代码）")] = False,
) -> None:
    """校验单位工作簿：退出码 0 无错误，1 有错误，2 无法读取。"""
    from xlgoals.io.outputs import check_output
    from xlgoals.unit.pipeline import check_file

    if write_back is not None:
        check_output(write_back, [path])
    last_year = None
    if history is not None:
        from xlgoals.department.archive.history import last_year as lookup

        last_year = partial(lookup, history)
    checked = check_file(path, rules, history=last_year)
    report = checked.report
    if write_back is not None:
        from xlgoals.validation.writeback import write_back as do_write_back

        do_write_back(path, write_back, report, checked.ruleset.title, checked.grids)
    if fmt is Format.json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        out.print(findings_table(report, f"{path.name} · {checked.ruleset.title}", codes))
        out.print(project_table(report))
        c = report.counts()
        out.print(f"错误 {c['error']} 项，警告 {c['warning']} 项，提示 {c['info']} 项。")
        if write_back is not None:
            out.print(f"已写入标记：{write_back}")
        fix = f"在 {path} 中修改后再次校验" if c["error"] or c["warning"] else "可以提交；需要汇总时运行："
        if write_back is not None and (c["error"] or c["warning"]):
            fix = f"打开 {write_back} 查看标红/标橙的单元格和“校验结果”表，在 {path} 中修改后再次校验："
        then = f"xlgoals validate {path}" + (f" --write-back {write_back}" if write_back else "")
        next_steps(
            fix, then if c["error"] or c["warning"] else f"xlgoals rollup {path} --write-back {_sibling(path, '汇总')}"
        )
    raise typer.Exit(EXIT_OK if report.valid else EXIT_FINDINGS)


@app.command()
@friendly
def rollup(
    path: Annotated[Path, typer.Argument(help="单位工作簿（.xlsx/.xlsm）")],
    write_back: Annotated[Path | None, typer.Option("--write-back", help="把“汇总”表（含图表）写入这个新文件")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    rules: Annotated[str | None, typer.Option("--rules", help=RULES_HELP)] = None,
    unit: Annotated[
        MoneyUnit | None,
        typer.Option("--unit", help="金额单位（“汇总”表和这里的表格）：元 或 万元；默认按封面“汇总金额单位”"),
    ] = None,
) -> None:
    """汇总单位工作簿：金额合计、同比增减、上年执行率、指标与问题统计。退出码 0 成功，1 有金额未能计入，2 无法读取。"""
    from rich.text import Text

    from xlgoals.core.vocabulary import KIND_ZH
    from xlgoals.io.presentation import year_on_year_lines
    from xlgoals.unit.pipeline import check_file
    from xlgoals.unit.rollup import roll_up
    from xlgoals.unit.summarysheet import write_back as do_write_back

    if write_back is not None:
        from xlgoals.io.outputs import check_output

        check_output(write_back, [path])
    checked = check_file(path, rules)
    r = roll_up(checked.unit, checked.report, checked.ruleset)
    if unit is None:
        # One money unit at a time: the cover's choice, for the 汇总 sheet and this table alike.
        from xlgoals.unit.summarysheet import cover_money_unit

        cover = checked.grids.sheets.get(layout.COVER_SHEET) if checked.grids is not None else None
        unit = cover_money_unit(cover.rows if cover else None)
    if write_back is not None:
        do_write_back(path, write_back, r, unit, checked.grids)
    done = EXIT_FINDINGS if r.uncounted else EXIT_OK
    if fmt is Format.json:
        print_json(r.to_dict())
        raise typer.Exit(done)
    if r.selfeval is not None:
        from xlgoals.shells.cli.selfeval import selfeval_table

        out.print(selfeval_table(r))
        _rollup_next_steps(path, write_back)
        raise typer.Exit(done)
    out.print(rollup_table(r, unit))
    kinds = "，".join(f"{KIND_ZH[k]} {n}" for k, n in r.indicators.by_kind.items())
    for line in year_on_year_lines(r.year_on_year, unit):
        out.print(f"{line}。")
    out.print(f"指标 {r.indicators.total} 个：{kinds}。")
    if r.new_projects:
        names = "、".join(p.name or p.sheet for p in r.new_projects)
        out.print(f"新增项目：{names}。")
    if r.uncounted:
        out.print(
            Text.assemble(
                ("注意：", "bold yellow"),
                f"以下 {len(r.uncounted)} 项金额无法读取，未计入合计和同比：",
                "；".join(u.describe() for u in r.uncounted),
                "。请改正这些单元格（以文字填写的金额：改为阿拉伯数字；",
                "未计算的公式：在 Excel/WPS 中打开并保存）后重新汇总。",
            )
        )
    _rollup_next_steps(path, write_back)
    raise typer.Exit(done)


def _rollup_next_steps(path: Path, write_back: Path | None) -> None:
    if write_back is not None:
        out.print(f"已写入“汇总”表：{write_back}")
        next_steps(f"打开 {write_back} 查看“{layout.SUMMARY_SHEET}”表；修改项目表后，其中的金额随之重新计算。")
    else:
        next_steps(
            "需要“汇总”表（含图表）时加 --write-back：", f"xlgoals rollup {path} --write-back {_sibling(path, '汇总')}"
        )


def rollup_table(r: Any, unit: MoneyUnit) -> Table:
    """Projects with their budgets and 同比; under them 合计, then its like-for-like line and the new projects
    apart, so the percentage on every row follows from the two amounts beside it."""
    from rich import box
    from rich.table import Table

    from xlgoals.unit.rollup import rollup_lines

    # Fits an 80-column console; every figure is in --format json and in the 汇总 sheet.
    table = Table(title=f"{unit_title(r.unit, r.year)} · 汇总（{unit}）", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("工作表：项目名称", overflow="fold", min_width=12, ratio=1)
    for col in ("当年预算", "上年预算", "同比", "执行率", "指标", "错/警"):
        table.add_column(col, justify="right", no_wrap=True)
    # The sheet first: two projects may share a name, never a sheet.
    for line in rollup_lines(r, unit):
        table.add_row(
            line.label,
            line.budget_year,
            line.last_year_budget,
            line.change,
            line.execution_rate,
            line.indicators,
            line.findings,
            style="bold" if line.kind == "total" else None,
        )
    return table
