"""What every command shares: the app, the consoles, exit codes and the friendly error handler."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from xlgoals.core.errors import XlgoalsError
from xlgoals.shells.cli.consoles import EXIT_FINDINGS as EXIT_FINDINGS
from xlgoals.shells.cli.consoles import EXIT_OK as EXIT_OK
from xlgoals.shells.cli.consoles import EXIT_UNUSABLE as EXIT_UNUSABLE
from xlgoals.shells.cli.consoles import err as err
from xlgoals.shells.cli.consoles import out as out
from xlgoals.shells.cli.usage import ChineseUsageGroup

app = typer.Typer(
    cls=ChineseUsageGroup,
    help="xlgoals：财政项目支出绩效目标表的模板、导入、校验、汇总与合并工具。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
if TYPE_CHECKING:
    from rich.text import Text

F = TypeVar("F", bound=Callable[..., Any])


class Format(StrEnum):
    table = "table"
    json = "json"


class EngineName(StrEnum):
    calamine = "calamine"
    openpyxl = "openpyxl"


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text of plain and (text, style) parts; rich's Text is imported only when a command prints one."""
    from rich.text import Text

    return Text.assemble(*parts)


def friendly(fn: F) -> F:
    """Unusable input ends with a Chinese message naming file/sheet/cell and exit code 2, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except XlgoalsError as e:  # a broken rule-set file (RuleSetError) included
            err.print(styled(("无法处理：", "bold red"), str(e)))
            raise typer.Exit(EXIT_UNUSABLE) from None
        except OSError as e:  # a full disk, a read-only folder, a vanished network share, a file in use
            from xlgoals.core.oserrors import fault

            err.print(styled(("无法处理：", "bold red"), str(fault(e))))
            raise typer.Exit(EXIT_UNUSABLE) from None

    return wrapper  # type: ignore[return-value]


def unit_title(name: str, year: int | None, framework: str = "") -> str:
    """'单位（2020年度）' for a title; a blank reads 未填写, never 'None'."""
    from xlgoals.core.ruleset import framework_title

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


RULES_HELP = "规则集名称（shanghai-2020/national）或 .toml 路径"
SERVER_HELP = "封面“校验服务器”预设的地址（主管部门的 xlgoals serve，如 https://xlgoals.局域网）"
TOKEN_FILE_HELP = "主管部门口令所在的文件（与 xlgoals serve 的相同），写入工作簿供按钮发送"


def server_address(text: str) -> str:
    """A --server value as the cover's 校验服务器 takes it: an http(s) address, or nothing."""
    address = text.strip()
    if address and not address.lower().startswith(("http://", "https://")):
        raise typer.BadParameter(f"地址应以 http:// 或 https:// 开头，而不是“{address}”。", param_hint="--server")
    return address


def token_header(path: Path | None) -> str:
    """The Authorization header the buttons send, from the department's token file (none without one)."""
    from xlgoals.shells.token import authorization, read_token_file

    return authorization(read_token_file(path)) if path is not None else ""


SCHEDULER_HELP = "Dask 调度器地址 tcp://主机:端口：在集群上读取（各节点须能访问同样的文件路径）"


class Progress:
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

            self.bar = Progress(console=err.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("读取并校验工作簿", total=total)
        self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
