"""Command-line usage errors print a Chinese message and exit 2: never click's English usage box."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlgoals.shells.cli import app

ENGLISH = ("Usage:", "Error", "Invalid value", "Try '", "No such", "Missing", "Traceback", "╭")

CASES = [
    (["consolidate", "x", "--jobs", "abc"], ["--jobs", "整数"], "consolidate"),
    (["consolidate", "x", "--jobs"], ["--jobs", "缺少取值"], "consolidate"),
    (["validate", "f", "--format", "bad"], ["--format", "table、json"], "validate"),
    (["rollup", "f", "--unit", "亿元"], ["--unit", "元、万元"], "rollup"),
    (["template", "-o", "t.xlsx", "--projects", "0"], ["--projects", "1 到 200"], "template"),
    (["validate"], ["缺少参数 PATH"], "validate"),
    (["template"], ["缺少必填选项 -o/--output"], "template"),
    (["validate", "f", "--bogus"], ["没有选项 --bogus"], "validate"),
    (["validate", "f", "--forma", "json"], ["没有选项 --forma", "--format"], "validate"),
    (["validate", "f", "g"], ["多余的参数：g"], "validate"),
    (["template", "-o", "t.xlsx", "--xlsm=yes"], ["--xlsm", "开关"], "template"),
    (["--bogus"], ["没有选项 --bogus"], None),
    (["bogus"], ["没有命令 bogus", "validate"], None),
    (["valdate", "f"], ["没有命令 valdate", "是否想用 validate"], None),
    (["[red]坏:x:"], ["没有命令 [red]坏:x:"], None),  # user text prints as written, never as markup
]


def _check(output: str, code: int, expected: list[str], command: str | None) -> None:
    assert code == 2, output
    assert output.startswith("命令行有误："), output
    for text in expected:
        assert text in output, output
    assert f"用法见：xlgoals {command + ' ' if command else ''}--help" in output
    assert not [e for e in ENGLISH if e in output], output


@pytest.mark.parametrize(("args", "expected", "command"), CASES, ids=[" ".join(c[0]) for c in CASES])
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
