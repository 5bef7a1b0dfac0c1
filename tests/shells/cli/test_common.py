"""shells/cli/common.py: what every command shares: unusable input as a Chinese message and exit 2 (never a
traceback, a full disk included), titles that never say None, JSON as the user's language writes it."""

from __future__ import annotations

import errno
import json

import pytest
import typer

from xlgoals.core.errors import XlgoalsError
from xlgoals.shells.cli.common import EXIT_UNUSABLE, friendly, print_json, styled, unit_title


def test_friendly_turns_refusals_into_chinese_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    @friendly
    def refuses() -> None:
        raise XlgoalsError("金额无法识别", file="单位.xlsx", sheet="项目1", cell="C5")

    @friendly
    def full_disk() -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "out.xlsx")

    for command in (refuses, full_disk):
        with pytest.raises(typer.Exit) as leaving:
            command()
        assert leaving.value.exit_code == EXIT_UNUSABLE == 2
    err = capsys.readouterr().err
    assert "无法处理：" in err and "单位.xlsx" in err and "项目1" in err and "C5" in err
    assert "磁盘" in err and "Traceback" not in err and "No space" not in err


def test_titles_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert unit_title("某单位", 2020) == "某单位（2020年度）"
    assert unit_title("", None, "shanghai-2020") == "单位名称未填写（年度未填写，上海市（2020））"
    assert styled("a", ("b", "bold")).plain == "ab"
    print_json({"单位": "某单位", "金额": 1})
    out = capsys.readouterr().out
    assert '"单位": "某单位"' in out and json.loads(out) == {"单位": "某单位", "金额": 1}
