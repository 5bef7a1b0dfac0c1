"""Command-line usage errors print a Chinese message and exit 2: never click's English usage box."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.builders.usage_errors import USAGE_ERRORS
from xlgoals.shells.cli import app

ENGLISH = ("Usage:", "Error", "Invalid value", "Try '", "No such", "Missing", "Traceback", "╭")


def _check(output: str, code: int, expected: list[str], command: str | None) -> None:
    assert code == 2, output
    assert output.startswith("命令行有误："), output
    for text in expected:
        assert text in output, output
    assert f"用法见：xlgoals {command + ' ' if command else ''}--help" in output
    assert not [e for e in ENGLISH if e in output], output


@pytest.mark.parametrize(("args", "expected", "command"), USAGE_ERRORS, ids=[" ".join(c[0]) for c in USAGE_ERRORS])
def test_usage_error_is_chinese_with_exit_2(
    args: list[str], expected: list[str], command: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    _check(result.output, result.exit_code, expected, command)
    assert list(tmp_path.iterdir()) == []  # nothing ran: no file was written


def test_the_installed_command_reports_in_chinese(tmp_path: Path) -> None:
    """The console script (main()), as a budget officer runs it: the message on stderr, nothing on stdout."""
    run = subprocess.run(
        [sys.executable, "-c", "from xlgoals.shells.cli import main; main()", "validate", "f", "--format", "bad"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert run.stdout == ""
    _check(run.stderr, run.returncode, ["--format", "table、json"], "validate")


def test_help_still_works() -> None:
    result = CliRunner().invoke(app, ["validate", "--help"])
    assert result.exit_code == 0 and "--format" in result.output and "校验单位工作簿" in result.output


def test_each_kind_of_usage_error_in_chinese() -> None:
    """usage_message on click's own exceptions (typer's copy of click; those naming a parameter are the CASES
    above, through the real parser), and on a command's own refusal, whatever it opens with."""
    import typer

    from xlgoals.shells.cli import usage

    cx = usage._cx
    no_such = cx.NoSuchOption("--forma", possibilities=["--format"])
    assert usage.usage_message(no_such) == "没有选项 --forma；是否想用 --format？"
    assert usage.usage_message(cx.UsageError("Got unexpected extra argument (g)")) == "多余的参数：g。"
    assert usage.usage_message(typer.BadParameter("--from-archive 需要 --year。")) == "--from-archive 需要 --year。"
    assert usage.usage_message(cx.UsageError("Something else")) == "命令行写法有误。"
    assert isinstance(typer.main.get_group(app), usage.ChineseUsageGroup)
