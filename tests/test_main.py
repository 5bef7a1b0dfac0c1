"""__main__.py: `python -m xlgoals` is the command line, with its Chinese usage messages and exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_python_dash_m_runs_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["xlgoals", "--help"])
    monkeypatch.delitem(sys.modules, "xlgoals.__main__", raising=False)
    with pytest.raises(SystemExit) as leaving:
        import xlgoals.__main__  # noqa: F401  (importing it runs the command line)
    assert leaving.value.code == 0
    out = capsys.readouterr().out
    assert all(command in out for command in ("validate", "rollup", "consolidate", "template", "selfeval"))


def test_a_usage_error_through_python_dash_m_is_chinese_and_exits_2() -> None:
    done = subprocess.run([sys.executable, "-m", "xlgoals", "valdate"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "没有命令 valdate" in done.stdout + done.stderr and "Traceback" not in done.stderr
