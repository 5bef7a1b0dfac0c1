"""The unit PC's install: `pip install xlgoals` without extras runs every unit command and the button click."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest

from benchmarks.click_bench import CLICK, HEAVY, LeanInstallError, lean_python
from tests.xlbridge import payload_from_workbook
from xlgoals.unit.pipeline import check_file


def _index_reachable() -> bool:
    host = urlparse(os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple")).hostname or "pypi.org"
    try:
        with socket.create_connection((host, 443), timeout=5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def lean() -> Path:
    try:
        return lean_python()
    except LeanInstallError as e:
        if not _index_reachable():
            pytest.skip("pip cannot reach the package index to build the lean environment")
        raise AssertionError(f"pip could not install xlgoals without extras:\n{e}") from None


def _run(lean: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "COLUMNS": "200"}
    return subprocess.run(
        [str(lean.parent / "xlgoals"), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def test_lean_install_has_no_department_packages(lean: Path) -> None:
    code = "import importlib.util as u; print([m for m in {!r} if u.find_spec(m)])".format((*HEAVY, "fastapi"))
    assert subprocess.run([str(lean), "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_entry_module_loads_neither_pandas_nor_numpy(lean: Path) -> None:
    # As RunPython does: xlwings.utils first (it imports pandas whenever pandas is installed).
    code = "import sys, xlwings.utils, xlgoals.excel, xlgoals.shells.cli; print([m for m in {!r} if m in sys.modules])"
    out = subprocess.run([str(lean), "-c", code.format(HEAVY)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unit_commands_run_in_the_lean_install(lean: Path, sample_txt: Path, tmp_path: Path) -> None:
    assert _run(lean, "import", str(sample_txt), "-o", "unit.xlsx", cwd=tmp_path).returncode == 0
    validate = _run(lean, "validate", "unit.xlsx", "--format", "json", "--write-back", "checked.xlsx", cwd=tmp_path)
    assert validate.returncode in (0, 1), validate.stderr
    assert json.loads(validate.stdout)["counts"] == check_file(tmp_path / "unit.xlsx").report.counts()
    rollup = _run(lean, "rollup", "unit.xlsx", "--write-back", "summary.xlsx", "--format", "json", cwd=tmp_path)
    assert rollup.returncode == 0, rollup.stderr
    assert json.loads(rollup.stdout)["totals"]["budget_year"] == "5989200.00"
    assert _run(lean, "template", "-o", "blank.xlsx", cwd=tmp_path).returncode == 0
    assert _run(lean, "template", "--xlsm", "-o", "blank.xlsm", cwd=tmp_path).returncode == 0
    for name in ("checked.xlsx", "summary.xlsx", "blank.xlsx", "blank.xlsm"):
        assert openpyxl.load_workbook(tmp_path / name, keep_vba=name.endswith(".xlsm")).sheetnames


def test_department_features_name_the_extra_in_chinese(lean: Path, sample_xlsx: Path, tmp_path: Path) -> None:
    parquet = _run(lean, "consolidate", str(sample_xlsx), "-o", "summary.xlsx", "--parquet", "pq", cwd=tmp_path)
    assert parquet.returncode == 2 and "Traceback" not in parquet.stderr
    assert "Parquet" in parquet.stderr and 'pip install "xlgoals[department]"' in parquet.stderr
    assert not (tmp_path / "summary.xlsx").exists()
    serve = _run(lean, "serve", cwd=tmp_path)
    assert serve.returncode == 2 and 'pip install "xlgoals[server]"' in serve.stderr
    # Without Parquet the department summary itself still works on a lean install.
    assert _run(lean, "consolidate", str(sample_xlsx), "-o", "summary.xlsx", cwd=tmp_path).returncode == 0


def test_click_on_a_remote_engine_book_works_in_the_lean_install(lean: Path, sample_xlsx: Path, tmp_path: Path) -> None:
    values = openpyxl.load_workbook(sample_xlsx, data_only=True)
    payload = payload_from_workbook(openpyxl.load_workbook(sample_xlsx), book_name="unit.xlsx", values_from=values)
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    done = subprocess.run([str(lean), "-c", CLICK, str(path)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    counts = check_file(sample_xlsx).report.counts()
    assert result["heavy"] == []
    (alert,) = result["alerts"]
    assert f"错误 {counts['error']} 项，警告 {counts['warning']} 项" in alert


def test_to_pandas_on_the_department_machine_and_its_absence_on_a_units(
    lean: Path, sample_xlsx: Path, tmp_path: Path
) -> None:
    from xlgoals.department.consolidate import LEDGER_SHEET, UNITS_SHEET, consolidate

    result = consolidate([sample_xlsx], tmp_path / "summary.xlsx", jobs=1)
    frames = result.to_pandas()
    assert list(frames[LEDGER_SHEET]["状态"]) == ["已读取"]
    units = frames[UNITS_SHEET]
    assert units["单位"].tolist() == [result.units[0].unit]
    assert units["项目数"].sum() == result.total.projects
    code = (
        "import sys; from xlgoals.department.consolidate import consolidate\n"
        "from xlgoals.core.extras import MissingExtraError\n"
        "r = consolidate([sys.argv[1]], sys.argv[2], jobs=1)\n"
        "try:\n    r.to_pandas()\nexcept MissingExtraError as e:\n    print(e)"
    )
    out = subprocess.run(
        [str(lean), "-c", code, str(sample_xlsx), str(tmp_path / "lean.xlsx")], capture_output=True, text=True
    )
    assert 'pip install "xlgoals[department]"' in out.stdout, out.stderr
