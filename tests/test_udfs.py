"""The worksheet function's verdicts on the sample's real target values."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from xlgoals.udfs import XLGOALS_TARGET, target_verdict


@pytest.mark.parametrize(
    ("value", "name", "verdict"),
    [
        ("=100", "资金到位率(%)", "定量：= 100 %（单位取自指标名称）"),
        (">=95%", "完成率", "定量：>= 95 %"),
        (">=500", "参会观众数", "定量：>= 500"),
        ("合规", "资金使用合规性", "定性"),
        ("与合作单位形成有效的合作交流机制", "建立合作机制", "描述（未量化）"),
        (None, "参会人数", "未填写"),
        (100, "", "定量：（无比较符） 100"),
    ],
)
def test_verdicts(value: object, name: str, verdict: str) -> None:
    assert target_verdict(value, name) == verdict


def test_malformed_value_explains_itself() -> None:
    verdict = target_verdict(">=abc", "完成率")
    assert verdict.startswith("无法识别：") and ">=95%" in verdict


def test_registered_as_an_excel_custom_function() -> None:
    # Classic UDF registration needs Windows (pywin32); xlwings Server's Office.js custom-function metadata
    # comes from the same decorators and can be read here.
    code = (
        "import json, xlwings.server as s, xlgoals.udfs as u;"
        "print(json.dumps(s.custom_functions_meta(u)['functions'], ensure_ascii=False))"
    )
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    (meta,) = json.loads(out)
    assert meta["name"] == "XLGOALS_TARGET"
    assert [(p["name"], p.get("optional", False)) for p in meta["parameters"]] == [("value", False), ("name", True)]
    assert "判读" in meta["description"]
    assert XLGOALS_TARGET(">=95%", "") == "定量：>= 95 %"
