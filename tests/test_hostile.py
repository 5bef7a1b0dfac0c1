"""The hostile corpus through the real command line: every input met with a Chinese message or a result,
never a traceback, a hang or an abort, and never modified; then the whole corpus consolidated."""

from __future__ import annotations

import csv
import faulthandler
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_TXT
from tests.hostile_corpus import (
    FORMULA_CELLS,
    Case,
    all_cases,
    rollup_argv,
    valid_units,
    validate_argv,
    with_unit_name,
)
from tests.summary_tables import records

# Each command runs under an address-space limit: a reader that tries to allocate without bound fails here
# instead of swapping the machine (python with calamine, openpyxl and pyarrow needs ~500 MB of it).
MEMORY_LIMIT = 1024 * 1024 * 1024
# A hang, not a speed target: a command on one hostile file finishes in a second or two.
TIMEOUT = 60
RUNNER = (
    "import resource, runpy, sys\n"
    f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))\n"
    "sys.argv = ['xlgoals', *sys.argv[1:]]\n"
    "runpy.run_module('xlgoals', run_name='__main__')\n"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
MARKUP_NAMES = {
    "name-markup-red": "[red]红色[/red]项目",
    "name-markup-close": "项目[/]结束",
    "name-markup-link": "[link=file:///etc/passwd]点我[/link]",
    "name-emoji-code": ":thumbs_up: 项目",
    "file-name-markup": "[bold red]单位[link=x]甲.xlsx",
}


def _base() -> bytes:
    from xlgoals.importing.importer import import_file
    from xlgoals.workbooks.template import write_unit

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "unit.xlsx"
        write_unit(import_file(SAMPLE_TXT).unit, path)
        return path.read_bytes()


BASE = _base()
SAMPLE = SAMPLE_TXT.read_text(encoding="utf-8")
CASES = {c.id: c for c in all_cases(BASE, SAMPLE)}


@dataclass
class Run:
    case: Case
    path: Path
    out_dir: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    sha_before: str | None
    sha_after: str | None


def _sha(path: Path) -> str | None:
    """The SHA-256 of a regular file's content; None for anything else (never opened)."""
    if path.is_symlink() or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def xlgoals(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "XLWINGS_LICENSE_KEY": "noncommercial"}
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *argv],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=env,
        errors="replace",
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every case through its command line, two at a time, each in a forked child of one interpreter that
    imported xlgoals once (hostile_corpus.drive): the same entry point, exit code and output as a fresh
    process, without paying Python's start-up 130 times."""
    root = tmp_path_factory.mktemp("hostile")
    prepared: dict[str, tuple[Path, Path, str | None]] = {}
    jobs = []
    for case in CASES.values():
        folder = root / case.id
        out = folder / "out"
        out.mkdir(parents=True)
        path = case.build(folder)
        argv = case.argv(path, out)
        prepared[case.id] = (path, out, _sha(path))
        jobs.append(
            {
                "id": case.id,
                "argv": argv,
                "cwd": str(folder),
                "out": str(folder / "stdout"),
                "err": str(folder / "stderr"),
                "unprivileged": case.unprivileged,
            }
        )
    spec = {"limit": MEMORY_LIMIT, "timeout": TIMEOUT, "parallel": 2, "jobs": jobs}
    done = subprocess.run(
        [sys.executable, "-c", "from tests.hostile_corpus import drive; drive()"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200", "XLWINGS_LICENSE_KEY": "noncommercial"},
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    runs: dict[str, Run] = {}
    for case in CASES.values():
        path, out, before = prepared[case.id]
        folder = root / case.id
        runs[case.id] = Run(
            case,
            path,
            out,
            int(results[case.id]["returncode"]),
            (folder / "stdout").read_text(errors="replace"),
            (folder / "stderr").read_text(errors="replace"),
            float(results[case.id]["seconds"]),
            before,
            _sha(path),
        )
    return runs


def test_the_corpus_is_broad() -> None:
    groups = {c.group for c in CASES.values()}
    assert len(CASES) >= 100
    assert groups >= {"containers", "xml", "formats", "sheets", "names", "values", "sizes", "special", "outputs"}
    assert "texts" in groups


@pytest.mark.parametrize("case_id", list(CASES))
def test_case(runs: dict[str, Run], case_id: str) -> None:
    run = runs[case_id]
    both = run.stdout + run.stderr
    assert "Traceback" not in both, both[-3000:]
    assert run.returncode in run.case.expect, (run.returncode, f"{run.seconds:.1f} s", both[-2000:])
    assert run.returncode != -signal.SIGABRT
    assert run.sha_before == run.sha_after, "the input was modified"
    if run.returncode == 2:
        # One Chinese message naming the file (the input, or the output path it refuses).
        assert CJK.search(run.stderr) and "无法处理" in run.stderr, run.stderr
        if run.case.group != "outputs":
            assert run.path.name in run.stderr, run.stderr
    if run.case.id in MARKUP_NAMES and run.returncode != 2:
        assert MARKUP_NAMES[run.case.id] in run.stdout, "a name was taken for markup"


WRITE_BACKS = [c.id for c in CASES.values() if c.argv in (validate_argv, rollup_argv) and c.expect != {2}]


@pytest.mark.parametrize("case_id", WRITE_BACKS)
def test_write_back_output_reads_back(runs: dict[str, Run], case_id: str) -> None:
    """Whatever read accepts, write-back writes a workbook that reads again (or refuses with a message)."""
    from xlgoals.io.reader import read

    run = runs[case_id]
    if run.returncode == 2:
        return
    written = [p for p in run.out_dir.iterdir() if p.suffix == ".xlsx"]
    assert len(written) == 1, list(run.out_dir.iterdir())
    unit = read(written[0])
    assert unit.projects
    assert written[0].stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_far_cell_is_read_and_reported(runs: dict[str, Run]) -> None:
    """One value at XFD1048576 no longer costs 512 GB: the sheet is read within bounds."""
    from xlgoals.io.files import read_grids

    run = runs["far-cell"]
    assert run.returncode in (0, 1)
    grid = read_grids(run.path).sheets["项目1"]
    assert grid.outside == "XFD1048576"
    assert len(grid.rows) < 100
    # The table says it in words, and (the corpus validates with --codes) names the rule.
    assert "超出了读取范围" in run.stdout and "XFD1048576" in run.stdout and "sheet.unread-cells" in run.stdout


@pytest.mark.parametrize("case_id", sorted(FORMULA_CELLS))
def test_a_formula_cell_is_a_finding_at_its_cell(runs: dict[str, Run], case_id: str) -> None:
    """An error value or a formula saved without its value in a data cell (money, level, name, date, target)
    was read as blank without a word; now the table names the code at that cell and the run ends with 1."""
    cell, _, _, code = FORMULA_CELLS[case_id]
    run = runs[case_id]
    assert run.returncode == 1, run.stderr[-2000:]
    assert any(code in line and f"项目1!{cell}" in line for line in run.stdout.splitlines()), run.stdout[-3000:]
    assert "未填写" not in " ".join(line for line in run.stdout.splitlines() if f"项目1!{cell}" in line)


def test_an_error_value_calamine_refuses_is_read_by_openpyxl(runs: dict[str, Run]) -> None:
    """calamine refuses a whole workbook over one error value it does not know (#SPILL!, #CALC!, or a made-up
    one); such a file is read by openpyxl instead and the cell is a finding."""
    for case_id in ("error-unknown", "error-spill-in-target"):
        run = runs[case_id]
        assert run.returncode == 1 and "cell.error-value" in run.stdout, run.stdout[-2000:]


def test_an_ods_file_is_told_to_save_as_xlsx(runs: dict[str, Run]) -> None:
    """An OpenDocument spreadsheet was told it had no Excel content; it is told what it is and what to do."""
    for case_id in ("ods", "ods-renamed"):
        stderr = re.sub(r"\s+", "", runs[case_id].stderr)
        assert "OpenDocument" in stderr and "另存为.xlsx" in stderr, stderr


def test_import_over_its_source_is_refused(runs: dict[str, Run]) -> None:
    run = runs["import-over-source"]
    assert run.path.read_text(encoding="utf-8") == SAMPLE
    assert "不能覆盖输入" in run.stderr


# --- the whole corpus consolidated ----------------------------------------------------------------------


def _files(folder: Path) -> Iterator[Path]:
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            yield Path(dirpath) / name


def _money(text: str | None) -> Decimal:
    return Decimal(text) if text else Decimal(0)


def test_consolidating_the_corpus_accounts_for_every_file(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for case in CASES.values():
        if case.in_corpus:
            built = case.build(_scratch(tmp_path, case.id))
            target = inbox / f"{case.id}-{built.name}"
            if built.is_symlink():
                target.symlink_to(os.readlink(built))
            elif built.is_file():
                target.write_bytes(_own_unit(built.read_bytes(), case.id))
            else:
                os.mkfifo(target)
    for name, data in valid_units(BASE, 3):
        (inbox / name).write_bytes(data)
    inputs = sorted(str(p) for p in _files(inbox))
    shas = {p: _sha(Path(p)) for p in inputs}
    out = tmp_path / "out"
    done = xlgoals(
        [
            "consolidate",
            str(inbox),
            "-o",
            str(out / "summary.xlsx"),
            "--csv",
            str(out / "csv"),
            "--parquet",
            str(out / "parquet"),
            "--format",
            "json",
        ],
        tmp_path,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    assert done.returncode == 1, done.stderr[-2000:]
    assert {p: _sha(Path(p)) for p in inputs} == shas
    report = json.loads(done.stdout)

    # The workbook names each file relative to the folder consolidated.
    ledger = records(out / "summary.xlsx", "台账")
    assert sorted(str(inbox / r["文件"]) for r in ledger) == inputs
    assert report["files"] == len(inputs)
    read_files = {r["文件"] for r in ledger if r["状态"] == "已读取"}
    assert {f"valid-{i}.xlsx" for i in range(3)} <= read_files
    for row in ledger:
        if row["状态"] == "已拒绝":
            assert row["原因"] and CJK.search(str(row["原因"])), row

    # Σ budgets of the read files' projects == the department total, in every output.
    projects = records(out / "summary.xlsx", "项目清单")
    assert {r["文件"] for r in projects} <= read_files
    by_projects = sum((Decimal(str(r["项目当年预算（元）"] or 0)) for r in projects), Decimal(0))
    total_row = next(r for r in records(out / "summary.xlsx", "单位汇总") if r["单位"] == "部门合计")
    by_total = Decimal(str(total_row["项目当年预算（元）"]))
    assert by_projects == by_total == Decimal(report["total"]["totals"]["budget_year"])

    with (out / "csv" / "项目清单.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_csv = sum((_money(r["项目当年预算（元）"]) for r in rows), Decimal(0))
    assert by_csv == by_total

    import pyarrow.parquet as pq

    table = pq.read_table(out / "parquet" / "项目清单.parquet")
    by_parquet = sum((v or Decimal(0) for v in table.column("项目当年预算（元）").to_pylist()), Decimal(0))
    assert by_parquet == by_total

    # The names that spreadsheets would run as formulas were read, and reach the CSV neutralised.
    assert any(r["文件"].endswith("name-formula-injection.xlsx") and r["状态"] == "已读取" for r in ledger)
    names = {row["项目名称"] for row in rows}
    assert '\'=HYPERLINK("http://x","点")' in names and "'@SUM(1+1)" in names
    for csv_file in (out / "csv").iterdir():
        with csv_file.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert _injection_safe(cell), (csv_file.name, cell)


def _own_unit(data: bytes, case_id: str) -> bytes:
    """The case's workbook under a unit name of its own, so that every readable one is read rather than
    set aside as a repeat of the first; what is not a workbook like the base stays as it is."""
    try:
        return with_unit_name(data, f"{case_id}单位")
    except (zipfile.BadZipFile, AssertionError, KeyError, ValueError, EOFError, zlib.error):
        return data


def _scratch(root: Path, name: str) -> Path:
    folder = root / "build" / name
    folder.mkdir(parents=True)
    return folder


def _injection_safe(cell: str) -> bool:
    """A cell a spreadsheet would not run: a plain number, or text not starting with a formula trigger."""
    if not cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        return True
    try:
        Decimal(cell)
    except InvalidOperation:
        return False
    return True


# --- a reader process that dies -------------------------------------------------------------------------


@pytest.mark.parametrize(("jobs", "sig"), [(1, signal.SIGKILL), (2, signal.SIGABRT)])
def test_a_dying_reader_becomes_a_ledger_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, sig: signal.Signals
) -> None:
    """A file whose reading kills the process (as calamine's abort did) is rejected by name; the others are
    read, the summary is written and reconciles, with --jobs 1 as with a pool."""
    import xlgoals.io.files
    from xlgoals.department.consolidate import READ, REJECTED, consolidate

    real = xlgoals.io.files.read_grids

    def deadly(
        path: str | os.PathLike[str], engine: str = "calamine", data: bytes | None = None, skip_live: bool = False
    ) -> object:
        if "deadly" in str(path):
            faulthandler.disable()  # pytest's handler would dump this worker's stack on SIGABRT
            os.kill(os.getpid(), sig)
        return real(path, engine, data, skip_live)  # type: ignore[arg-type]

    # Workers are forked from this process, so they inherit the patched reader.
    monkeypatch.setattr(xlgoals.io.files, "read_grids", deadly)
    names = ["a.xlsx", "b.xlsx", "deadly.xlsx", "c.xlsx", "d.xlsx", "e.xlsx"]
    units = dict(valid_units(BASE, len(names)))
    for name, data in zip(names, units.values(), strict=True):
        (tmp_path / name).write_bytes(data)
    result = consolidate([tmp_path / n for n in names], tmp_path / "summary.xlsx", jobs=jobs)
    status = {Path(e.path).name: (e.status, e.reason) for e in result.ledger}
    assert status["deadly.xlsx"][0] == REJECTED
    assert status["deadly.xlsx"][1].startswith("读取时进程异常退出") and sig.name in status["deadly.xlsx"][1]
    assert [Path(e.path).name for e in result.ledger] == names
    assert all(s == READ for n, (s, _) in status.items() if n != "deadly.xlsx")
    assert result.total.units == len(names) - 1
    assert (tmp_path / "summary.xlsx").exists()


def test_a_hung_reader_is_stopped_and_becomes_a_ledger_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file on which the reader never returns (a parser looping on hostile content) is stopped after the
    time bound and rejected by name; the files before and after it are read and the run reconciles."""
    import threading
    import time

    import xlgoals.io.files
    from xlgoals.department.consolidate import READ, REJECTED, consolidate, pool

    real = xlgoals.io.files.read_grids

    def hanging(
        path: str | os.PathLike[str], engine: str = "calamine", data: bytes | None = None, skip_live: bool = False
    ) -> object:
        while Path(path).name == "hung.xlsx":
            time.sleep(1)
        return real(path, engine, data, skip_live)  # type: ignore[arg-type]

    monkeypatch.setattr(xlgoals.io.files, "read_grids", hanging)
    monkeypatch.setattr(pool, "READ_TIMEOUT", 2.0)
    names = ["a.xlsx", "b.xlsx", "hung.xlsx", "c.xlsx", "d.xlsx"]
    for name, data in zip(names, dict(valid_units(BASE, len(names))).values(), strict=True):
        (tmp_path / name).write_bytes(data)
    done: list[object] = []
    run = threading.Thread(
        target=lambda: done.append(consolidate([tmp_path / n for n in names], tmp_path / "s.xlsx", jobs=2)),
        daemon=True,
    )
    run.start()
    run.join(120)  # without the bound the run would wait for the hung reader forever
    assert done, "the consolidation did not finish"
    result = done[0]
    assert hasattr(result, "ledger")
    status = {Path(e.path).name: (e.status, e.reason, e.code, e.sha256) for e in result.ledger}
    assert [Path(e.path).name for e in result.ledger] == names
    assert status["hung.xlsx"][0] == REJECTED and status["hung.xlsx"][2] == "workbook.timeout"
    assert status["hung.xlsx"][1].startswith("读取超过 2 秒仍未完成") and status["hung.xlsx"][3]
    assert all(s == READ for n, (s, *_) in status.items() if n != "hung.xlsx"), status
    assert result.total.units == len(names) - 1
    assert (tmp_path / "s.xlsx").exists()
