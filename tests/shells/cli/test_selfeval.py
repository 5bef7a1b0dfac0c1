"""shells/cli/selfeval.py: `xlgoals selfeval` makes the 自评 workbook from a declaration (or the archive), prints each
sheet's points (100 each under the Shanghai rules) and what to do next; its roll-up table shows the scores."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from tests.builders.selfeval_sample import TOTALS, UNIT_MEAN
from xlgoals.core.ruleset import load_ruleset
from xlgoals.io.reader import read
from xlgoals.shells.cli import app
from xlgoals.shells.cli.selfeval import selfeval_table
from xlgoals.unit.rollup import roll_up


def test_the_command_and_what_it_says(sample_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "自评.xlsx"
    done = CliRunner().invoke(app, ["selfeval", str(sample_xlsx), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert out.is_file() and done.output.count("100.00") == 3 and "下一步" in done.output
    asked = CliRunner().invoke(app, ["selfeval", "--from-archive", "-o", str(out)])
    # A command's own refusal reaches the user whole, though it opens with an option's name.
    assert asked.exit_code == 2 and "--from-archive 需要同时给出 --year（年度）和 --unit（单位名称）。" in asked.output


def test_the_roll_up_table(sample_selfeval: Path) -> None:
    rollup = roll_up(read(sample_selfeval), None, load_ruleset("shanghai-2020"))
    console = Console(width=200, record=True)
    console.print(selfeval_table(rollup))
    text = console.export_text()
    assert all(f"{total:.2f}" in text for total in TOTALS.values()) and f"{UNIT_MEAN:.2f}" in text
