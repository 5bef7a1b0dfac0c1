"""shells/cli/unit.py: the unit's commands (template, import, read, validate, rollup): exit codes, the tables they
print (findings, per project, roll-up), --framework taking only a built-in framework."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from xlgoals.io.presentation import MoneyUnit
from xlgoals.shells.cli import app
from xlgoals.shells.cli.unit import builtin_framework, findings_table, project_table, rollup_table
from xlgoals.unit.pipeline import check_file
from xlgoals.unit.rollup import roll_up


def _text(table: object) -> str:
    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_the_tables_a_budget_officer_reads(sample_xlsx: Path) -> None:
    checked = check_file(sample_xlsx)
    findings = _text(findings_table(checked.report, "校验结果"))
    assert all(f.message[:10] in findings for f in checked.report.findings)
    assert "代码" not in findings and "代码" in _text(findings_table(checked.report, "x", codes=True))
    per_project = _text(project_table(checked.report))
    assert all(p.name[:8] in per_project for p in checked.unit.projects)
    totals = _text(rollup_table(roll_up(checked.unit, checked.report), MoneyUnit.YUAN))
    assert "合计" in totals and "5,989,200" in totals


def test_framework_names_only_a_builtin_one(tmp_path: Path) -> None:
    assert builtin_framework("national") == builtin_framework("全国（财政部）")
    with pytest.raises(typer.BadParameter, match="请用 --rules"):
        builtin_framework("本局.toml")
    with pytest.raises(typer.BadParameter, match="没有指标体系“火星”"):
        builtin_framework("火星")


def test_validate_and_rollup_exit_codes_and_json(sample_xlsx: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    checked = runner.invoke(app, ["validate", str(sample_xlsx), "--format", "json"])
    data = json.loads(checked.output)
    assert checked.exit_code == (1 if data["counts"]["error"] else 0)
    rolled = runner.invoke(app, ["rollup", str(sample_xlsx), "--format", "json"])
    assert rolled.exit_code == 0 and json.loads(rolled.output)["unit"]
    missing = runner.invoke(app, ["read", str(tmp_path / "没有.xlsx")])
    assert missing.exit_code == 2 and "没有.xlsx" in missing.output
