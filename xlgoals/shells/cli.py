"""The `xlgoals` command line: template, import, read, validate, rollup, consolidate, serve."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from xlgoals.core import layout
from xlgoals.core.errors import XlgoalsError
from xlgoals.io.presentation import MoneyUnit
from xlgoals.validation.ruleset import RuleSetError

app = typer.Typer(
    help="xlgoals：财政项目支出绩效目标表的模板、导入、校验、汇总与合并工具。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# User text (file, sheet, project and unit names) is never markup or emoji codes: a name like "[red]" or
# ":x:" prints as written. Our own styling uses Text objects.
out = Console(highlight=False, markup=False, emoji=False)
err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


class Format(StrEnum):
    table = "table"
    json = "json"


class EngineName(StrEnum):
    calamine = "calamine"
    openpyxl = "openpyxl"


def friendly(fn: F) -> F:
    """Unusable input ends with a Chinese message naming file/sheet/cell and exit code 2, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (XlgoalsError, RuleSetError) as e:
            err.print(Text.assemble(("无法处理：", "bold red"), str(e)))
            raise typer.Exit(EXIT_UNUSABLE) from None
        except PermissionError as e:
            err.print(
                Text.assemble(
                    ("无法写入或读取文件：", "bold red"), f"{e.filename}（文件可能正在被 Excel/WPS 打开，请关闭后重试）"
                )
            )
            raise typer.Exit(EXIT_UNUSABLE) from None
        except OSError as e:  # a full disk, a read-only folder, a vanished network share
            err.print(Text.assemble(("无法读写文件：", "bold red"), f"{e.filename or ''}（{e.strerror or e}）"))
            raise typer.Exit(EXIT_UNUSABLE) from None

    return wrapper  # type: ignore[return-value]


def unit_title(name: str, year: int | None, framework: str = "") -> str:
    """'单位（2020年度）' for a title; a blank reads 未填写, never 'None'."""
    from xlgoals.validation.ruleset import framework_title

    parts = [f"{year}年度" if year else "年度未填写", *([framework_title(framework)] if framework else [])]
    return f"{name or '单位名称未填写'}（{'，'.join(parts)}）"


def _sibling(path: Path, tag: str) -> Path:
    """Where a command's result goes by default in our suggestions: next to the input, tagged."""
    return path.with_name(f"{path.stem}_{tag}{path.suffix}")


def next_steps(*lines: str) -> None:
    """What to do next, the last thing a command prints: the first line says it, the rest are commands."""
    out.print(f"下一步：{lines[0]}", soft_wrap=True)
    for line in lines[1:]:
        out.print(f"  {line}", soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.command()
@friendly
def template(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出路径（.xlsx 或 .xlsm）")],
    xlsm: Annotated[bool, typer.Option("--xlsm", help="生成带按钮和宏的 .xlsm 模板")] = False,
    projects: Annotated[int, typer.Option("--projects", min=1, max=200, help="预先建立的项目表数量")] = 1,
) -> None:
    """生成空白申报模板。"""
    from xlgoals.io.template import write_template

    if xlsm:
        from xlgoals.macro.xlsm import write_xlsm_template

        write_xlsm_template(output, projects)
    else:
        write_template(output, projects)
    out.print(f"已生成模板：{output}（{projects} 张项目表）")
    next_steps(
        f"填写“{layout.COVER_SHEET}”页和各“项目N”页的浅黄色单元格"
        + ("，然后点击“校验全部”按钮，或运行：" if xlsm else "，然后运行："),
        f"xlgoals validate {output} --write-back {_sibling(output, '校验后')}",
    )


@app.command("import")
@friendly
def import_(
    source: Annotated[Path, typer.Argument(help="公开的绩效目标表：文本（.txt，任意排版）或其他单位的工作簿（.xlsx）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出的单位工作簿（.xlsx）")],
) -> None:
    """把公开的绩效目标表（文本或其他格式的 .xlsx）导入为单位工作簿。"""
    from xlgoals.core.values import format_money
    from xlgoals.io.files import check_output
    from xlgoals.io.template import write_unit
    from xlgoals.jobs.importer import import_file

    check_output(output, [source])
    result = import_file(source)
    write_unit(result.unit, output)
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

    for note in result.notes:
        # The text is the user's: '[/b]' in a published table must print as written, not as markup.
        err.print(Text.assemble((f"第 {note.line} 行未能归入任何字段：", "yellow"), f"{note.reason}：{note.text[:60]}"))
    next_steps("核对导入的工作簿，然后校验：", f"xlgoals validate {output} --write-back {_sibling(output, '校验后')}")


@app.command("read")
@friendly
def read_cmd(
    path: Annotated[Path, typer.Argument(help="单位工作簿")],
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    engine: Annotated[EngineName, typer.Option("--engine")] = EngineName.calamine,
) -> None:
    """读取单位工作簿并输出数据模型。"""
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


def findings_table(report: Any, title: str) -> Table:
    from xlgoals.validation.findings import SEVERITY_ZH, Severity

    style = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    table = Table(title=title, show_lines=False)
    for col in ("级别", "位置", "代码", "问题说明"):
        table.add_column(col, overflow="fold")
    for f in report.findings:
        table.add_row(Text(SEVERITY_ZH[f.severity], style=style[f.severity]), f.location, f.code, f.message)
    return table


def project_table(report: Any) -> Table:
    """Per project: the verdict and counts, the same rows as the status table on 校验结果."""
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
) -> None:
    """校验单位工作簿：退出码 0 无错误，1 有错误，2 无法读取。"""
    from xlgoals.io.files import check_output
    from xlgoals.jobs.pipeline import check_file

    if write_back is not None:
        check_output(write_back, [path])
    checked = check_file(path, rules, history=history)
    report = checked.report
    if write_back is not None:
        from xlgoals.validation.writeback import write_back as do_write_back

        do_write_back(path, write_back, report, checked.ruleset.title)
    if fmt is Format.json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        out.print(findings_table(report, f"{path.name} · {checked.ruleset.title}"))
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


RULES_HELP = "规则集名称（shanghai-2020/national）或 .toml 路径"
SCHEDULER_HELP = "Dask 调度器地址 tcp://主机:端口：在集群上读取（各节点须能访问同样的文件路径）"


def _money(value: Any) -> str:
    from xlgoals.core.values import format_money

    return "—" if value is None else format_money(value)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value}%"


@app.command()
@friendly
def rollup(
    path: Annotated[Path, typer.Argument(help="单位工作簿（.xlsx/.xlsm）")],
    write_back: Annotated[Path | None, typer.Option("--write-back", help="把“汇总”表（含图表）写入这个新文件")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    rules: Annotated[str | None, typer.Option("--rules", help=RULES_HELP)] = None,
    unit: Annotated[
        MoneyUnit | None, typer.Option("--unit", help="“汇总”表的金额单位：元 或 万元；默认按封面“汇总金额单位”")
    ] = None,
) -> None:
    """汇总单位工作簿：金额合计、同比增减、上年执行率、指标与问题统计。退出码 0 成功，2 无法读取。"""
    from xlgoals.core.vocabulary import KIND_ZH
    from xlgoals.jobs.pipeline import check_file
    from xlgoals.jobs.rollup import ProjectRollup, UnitRollup, roll_up
    from xlgoals.jobs.rollup import write_back as do_write_back

    if write_back is not None:
        from xlgoals.io.files import check_output

        check_output(write_back, [path])
    checked = check_file(path, rules)
    r = roll_up(checked.unit, checked.report)
    if write_back is not None:
        if unit is None:
            from xlgoals.io.files import read_grids
            from xlgoals.jobs.rollup import cover_money_unit

            cover = read_grids(path).sheets.get(layout.COVER_SHEET)
            unit = cover_money_unit(cover.rows if cover else None)
        do_write_back(path, write_back, r, unit)
    if fmt is Format.json:
        print_json(r.to_dict())
        return
    # Fits an 80-column console; every figure is in --format json and in the 汇总 sheet.
    table = Table(title=f"{unit_title(r.unit, r.year)} · 汇总（元）")
    table.add_column("工作表：项目名称", overflow="fold", min_width=12, ratio=1)
    for col in ("当年预算", "上年预算", "同比", "执行率", "指标", "错/警"):
        table.add_column(col, justify="right", no_wrap=True)
    # The sheet first: two projects may share a name, never a sheet.
    items: list[tuple[str, ProjectRollup | UnitRollup]] = [(f"{p.sheet}：{p.name}", p) for p in r.projects]
    items.append((f"合计（{len(r.projects)} 个项目）", r))
    for name, item in items:
        money = item.money if isinstance(item, ProjectRollup) else item.totals
        findings = item.findings or {}
        table.add_row(
            name,
            _money(money["budget_year"]),
            _money(money["last_year_budget"]),
            _pct(item.change.percent),
            _pct(item.execution_rate),
            str(item.indicators.total),
            f"{findings.get('error', 0)}/{findings.get('warning', 0)}",
        )
    out.print(table)
    kinds = "，".join(f"{KIND_ZH[k]} {n}" for k, n in r.indicators.by_kind.items())
    change = f"{_money(r.change.amount)} 元（{_pct(r.change.percent)}）"
    out.print(f"当年预算比上年增减 {change}；指标 {r.indicators.total} 个：{kinds}。")
    if r.new_projects:
        names = "、".join(p.name or p.sheet for p in r.new_projects)
        out.print(f"新增项目 {len(r.new_projects)} 个（无上年预算，不计入同比）：{names}。")
    if write_back is not None:
        out.print(f"已写入“汇总”表：{write_back}")
        next_steps(f"打开 {write_back} 查看“{layout.SUMMARY_SHEET}”表；修改项目表后，其中的金额随之重新计算。")
    else:
        next_steps(
            "需要“汇总”表（含图表）时加 --write-back：", f"xlgoals rollup {path} --write-back {_sibling(path, '汇总')}"
        )


class GroupBy(StrEnum):
    department = "department"
    folder = "folder"


class _Progress:
    """A progress bar on stderr, started only once the workers run and only when there is a crowd."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < 20:
            return
        if self.bar is None:
            from rich.progress import Progress

            self.bar = Progress(console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("读取并校验工作簿", total=total)
        self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


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
        MoneyUnit, typer.Option("--unit", help="汇总工作簿的金额单位：元 或 万元（CSV/Parquet 仍为元）")
    ] = MoneyUnit.YUAN,
) -> None:
    """合并多个单位工作簿为汇总表，台账记录每个文件。退出码 0 全部读取，1 有拒绝或重复，2 参数无法使用。"""
    from xlgoals.jobs.consolidate import DUPLICATE, REJECTED
    from xlgoals.jobs.consolidate import consolidate as run

    if jobs is not None and jobs < 1:
        raise XlgoalsError(f"--jobs 应为至少 1 的整数（并行读取的进程数），现在是 {jobs}。")
    progress = _Progress(enabled=fmt is Format.table)
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
        )
    finally:
        progress.stop()
    if fmt is Format.json:
        print_json({**result.to_dict(), **({"archived": result.archived.to_dict()} if result.archived else {})})
    else:
        # Fits an 80-column console; every figure is in --format json and in the 单位汇总 sheet.
        table = Table(title=f"汇总 → {output}")
        table.add_column("分组", overflow="fold", min_width=8, ratio=1)
        for col in ("单位", "项目", "指标", "当年预算（元）", "上年预算（元）", "错/警"):
            table.add_column(col, justify="right", no_wrap=True)
        for g in [*result.groups, result.total]:
            table.add_row(
                g.label,
                str(g.units),
                str(g.projects),
                str(g.indicators),
                _money(g.totals["budget_year"]),
                _money(g.totals["last_year_budget"]),
                f"{g.counts['error']}/{g.counts['warning']}",
            )
        out.print(table)
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
                listing.add_row(e.path, e.status, e.reason)
            out.print(listing)
            if len(problems) > 20:
                out.print(f"……其余 {len(problems) - 20} 个见“台账”表。")
        if problems:
            next_steps(f"请相关单位按“台账”表的原因修正被拒绝的文件后重新报送，再次汇总；汇总结果见 {output}。")
        else:
            next_steps(f"打开 {output}：“单位汇总”为各单位合计，“校验问题”列出需各单位核对的问题。")
    raise typer.Exit(EXIT_OK if result.complete else EXIT_FINDINGS)


archive_app = typer.Typer(
    help="历史库（DuckDB 文件，默认 xlgoals.duckdb）：存入各年度申报、查询、导出 Parquet。", no_args_is_help=True
)
app.add_typer(archive_app, name="archive")
DbOption = Annotated[Path, typer.Option("--db", help="历史库文件")]
ARCHIVE_DB = Path("xlgoals.duckdb")  # xlgoals.jobs.archive.DEFAULT_DB, without importing the archive for every command


def _plain_table(title: str, columns: list[str], rows: list[tuple[Any, ...]]) -> Table:
    """A table of data as it is: values never read as rich markup."""
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
    from xlgoals.jobs.archive.ingest import add_paths

    progress = _Progress(enabled=fmt is Format.table)
    try:
        summary, entries = add_paths(paths, db, jobs=jobs, rules=rules, progress=progress, scheduler=scheduler)
    finally:
        progress.stop()
    # Lock files Excel leaves beside open books are no declarations: skipping them is not a failure.
    fine = {"新增", "未变", "替换旧版本", "锁定文件"}
    unread = sum(e.outcome not in fine for e in entries)
    if fmt is Format.json:
        print_json({**summary.to_dict(), "files": [e.__dict__ for e in entries]})
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
    from xlgoals.jobs.archive.store import listing

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
    from xlgoals.jobs.archive.store import sql

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
    from xlgoals.jobs.archive.export import export_parquet

    counts = export_parquet(db, parquet)
    out.print(f"已导出到 {parquet}：" + "，".join(f"{t} {n} 行" for t, n in counts.items()), markup=False)


@app.command()
@friendly
def serve(
    host: Annotated[str, typer.Option(help="监听地址；对外提供服务时放在 HTTPS 反向代理之后")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """启动网页服务：上传工作簿校验、汇总的页面（/），以及网页版 Excel / Mac 的加载项按钮。"""
    from xlgoals.core.extras import require

    require("fastapi", "uvicorn", "python_multipart", purpose="网页服务（xlgoals serve）")
    import uvicorn

    from xlgoals.shells.server import create_app

    uvicorn.run(create_app(), host=host, port=port)


def main() -> None:
    app()
