"""Command-line usage errors (a bad option value, a missing argument, an unknown command) in Chinese, exit 2."""

from __future__ import annotations

import re
from difflib import get_close_matches
from enum import Enum
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from xlgoals.shells.cli.consoles import EXIT_UNUSABLE, err

try:  # typer >= 0.2x carries its own copy of click
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer on plain click
    from click import exceptions as _cx  # type: ignore[no-redef]


def _chinese(text: str) -> bool:
    """Starts with a CJK ideograph. (A regex class this wide costs a millisecond to compile at every start.)"""
    return "\u4e00" <= text[:1] <= "\u9fff"


def _name(param: Any) -> str:
    """How the user wrote (or should write) the parameter: '--format/-f' for an option, 'PATH' for an argument."""
    if getattr(param, "param_type_name", "") == "argument":
        return str(getattr(param, "metavar", None) or param.name or "参数").upper()
    return "/".join(getattr(param, "opts", None) or [str(param.name)])


def _choices(param: Any) -> list[str]:
    found = getattr(getattr(param, "type_descriptor", None), "choices", None)  # typer >= 0.2x
    if found is None:
        found = getattr(getattr(param, "type", None), "choices", None)  # click's Choice
    return [str(c.value if isinstance(c, Enum) else c) for c in found or ()]


def _wanted(param: Any) -> str:
    """What a good value looks like, for the message."""
    choices = _choices(param)
    if choices:
        return "可选：" + "、".join(choices)
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    kind = {int: "整数", float: "数字"}.get(annotation) if isinstance(annotation, type) else None
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if kind and low is not None and high is not None:
        return f"须为 {low} 到 {high} 之间的{kind}"
    if kind and low is not None:
        return f"须为不小于 {low} 的{kind}"
    if kind and high is not None:
        return f"须为不大于 {high} 的{kind}"
    return f"须为{kind}" if kind else ""


def usage_message(e: Any) -> str:
    """The Chinese sentence for one click usage error; never click's English."""
    if _chinese(e.message or ""):  # raised in Chinese by our own code (click's start in English)
        return str(e.message)
    param = getattr(e, "param", None)
    if isinstance(e, _cx.NoSuchOption):
        near = "、".join(e.possibilities or ())
        return f"没有选项 {e.option_name}" + (f"；是否想用 {near}？" if near else "。")
    if isinstance(e, _cx.BadOptionUsage) and e.option_name:
        if "does not take" in e.message:
            return f"选项 {e.option_name} 是开关，后面不能跟取值。"
        return f"选项 {e.option_name} 后面缺少取值。"
    if isinstance(e, _cx.MissingParameter) and param is not None:
        what = "参数" if param.param_type_name == "argument" else "必填选项"
        help_text = getattr(param, "help", None)
        return f"缺少{what} {_name(param)}" + (f"（{help_text}）。" if help_text else "。")
    if isinstance(e, _cx.BadParameter) and param is not None:
        wanted = _wanted(param)
        return f"{_name(param)} 的取值无效" + (f"，{wanted}。" if wanted else "。")
    extra = re.match(r"Got unexpected extra argument.*? \((.*)\)$", e.message or "")
    if extra:
        return f"多余的参数：{extra.group(1)}。"
    return "命令行写法有误。"


def _fail(e: Any, command: str | None = None) -> NoReturn:
    from rich.text import Text

    ctx = getattr(e, "ctx", None)
    if ctx is not None:  # some parser errors carry no context: then the caller names the command
        command = ctx.info_name if ctx.parent is not None else None
    err.print(Text.assemble(("命令行有误：", "bold red"), usage_message(e)))
    err.print(f"用法见：xlgoals {command + ' ' if command else ''}--help")
    raise typer.Exit(EXIT_UNUSABLE)


class ChineseUsageGroup(TyperGroup):
    """The app's group: click's usage errors of the group and of every command are reported by `_fail`."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except _cx.NoArgsIsHelpError:  # bare `xlgoals`: typer prints the (Chinese) help
            raise
        except _cx.UsageError as e:
            _fail(e)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except _cx.UsageError as e:
            if not args or args[0] in self.commands:
                raise
            near = get_close_matches(args[0], list(self.commands))
            hint = f"是否想用 {'、'.join(near)}？" if near else f"可用的命令：{'、'.join(self.commands)}。"
            raise _cx.UsageError(f"没有命令 {args[0]}；{hint}", ctx) from e

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _cx.NoArgsIsHelpError:
            raise
        except _cx.UsageError as e:
            _fail(e, ctx.invoked_subcommand)
