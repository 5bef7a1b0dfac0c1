"""shells/cli/department.py: `xlgoals consolidate`: exit 0 when every file was read, 1 when one was refused,
grouped subtotals by folder, the JSON the department's scripts read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from xlgoals.shells.cli import app
from xlgoals.shells.cli.department import GroupBy


def test_exit_codes_groups_and_json(sample_xlsx: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for folder in ("一区", "二区"):
        (inbox / folder).mkdir(parents=True)
    shutil.copy(sample_xlsx, inbox / "一区" / "单位.xlsx")
    runner = CliRunner()
    out = tmp_path / "汇总.xlsx"
    args = ["consolidate", str(inbox), "-o", str(out), "--jobs", "1", "--group-by", GroupBy.folder.value]
    done = runner.invoke(app, [*args, "--format", "json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["status"]["已读取"] == 1 and [g["group"] for g in data["groups"]] == ["一区"] and out.is_file()
    (inbox / "二区" / "坏.xlsx").write_bytes(b"not a workbook")
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "坏.xlsx" in refused.output
    assert runner.invoke(app, ["consolidate", str(inbox), "-o", str(tmp_path / "x.csv")]).exit_code == 2
