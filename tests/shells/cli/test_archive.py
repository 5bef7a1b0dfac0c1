"""shells/cli/archive.py: `xlgoals archive add/list/sql/export`: storing a workbook, listing what is current, a
read-only query (a write refused in Chinese), the Parquet export, a missing archive named."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from xlgoals.shells.cli import app
from xlgoals.shells.cli.archive import archive_app


def test_add_list_query_and_export(sample_xlsx: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "历史.duckdb"
    added = runner.invoke(app, ["archive", "add", str(sample_xlsx), "--db", str(db), "--jobs", "1", "-f", "json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["added"] == 1
    listed = runner.invoke(app, ["archive", "list", "--db", str(db), "-f", "json"])
    assert listed.exit_code == 0 and "上海市生物医药科技产业促进中心" in listed.output
    query = "SELECT count(*) AS n FROM current_projects"
    answered = runner.invoke(app, ["archive", "sql", query, "--db", str(db), "-f", "json"])
    assert answered.exit_code == 0 and "3" in answered.output
    written = runner.invoke(app, ["archive", "sql", "DROP TABLE units", "--db", str(db)])
    assert written.exit_code == 2 and "Traceback" not in written.output
    exported = runner.invoke(app, ["archive", "export", "--parquet", str(tmp_path / "pq"), "--db", str(db)])
    assert exported.exit_code == 0 and any((tmp_path / "pq").rglob("*.parquet"))
    missing = runner.invoke(app, ["archive", "list", "--db", str(tmp_path / "没有.duckdb")])
    assert missing.exit_code == 2 and "没有.duckdb" in missing.output
    assert {c.name for c in archive_app.registered_commands} == {"add", "list", "sql", "export"}
