"""kill -9 of real commands at many points: no process of ours remains, no temp file anywhere, inputs untouched."""

from __future__ import annotations

import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.faults import (
    children_of,
    env_with_tmp,
    kill_and_check,
    running,
    serve,
    snapshot,
    start,
    temp_leftovers,
)
from tests.hostile_corpus import valid_units
from xlgoals.core.model import Unit
from xlgoals.workbooks.template import write_unit

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")

FILES = 160


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, sample_unit: Unit) -> Path:
    """A department's folder: enough workbooks that a run takes a second or two."""
    folder = tmp_path_factory.mktemp("inbox") / "各单位"
    folder.mkdir()
    sample = folder.parent / "sample.xlsx"
    write_unit(sample_unit, sample)
    for name, data in valid_units(sample.read_bytes(), FILES):
        (folder / name).write_bytes(data)
    return folder


def _complete(path: Path) -> bool:
    """An output that is there is whole: a workbook opens as a zip, a CSV ends with a line."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None
    return path.read_bytes().endswith(b"\n")


Trigger = Callable[[Path, int], bool]


def _after(seconds: float) -> Trigger:
    started = time.monotonic()
    return lambda out, pid: time.monotonic() - started >= seconds


def _workers(pid: int) -> set[int]:
    """The pool's workers among a command's processes (the janitor, run with -I -S, aside)."""
    found = set()
    for child in children_of(pid):
        try:
            if b"-I\0-S" not in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(child)
        except OSError:
            pass
    return found


def _mid_pool(out: Path, pid: int) -> bool:
    return len(_workers(pid)) >= 2


def _writing_outputs(out: Path, pid: int) -> bool:
    """The summary's temporary file is being written (the last step of a run)."""
    return any(p.stat().st_size > 0 for p in out.glob(".~xlgoals-*.tmp") if p.exists())


POINTS: dict[str, Callable[[], Trigger]] = {
    "at start": lambda: _after(0.05),
    "during the walk": lambda: _after(0.4),
    "mid-pool": lambda: _mid_pool,
    "mid-pool, later": lambda: _after(1.2),
    "while writing outputs": lambda: _writing_outputs,
}


def _kill_when(proc_argv: list[str], cwd: Path, trigger: Trigger, out: Path) -> tuple[int, bytes]:
    env = env_with_tmp(cwd / "tmp")
    proc = start(proc_argv, cwd, env)
    deadline = time.monotonic() + 60
    while proc.poll() is None and not trigger(out, proc.pid) and time.monotonic() < deadline:
        time.sleep(0.003)
    if proc.poll() is not None:
        return proc.returncode, proc.communicate()[1]
    _, err = kill_and_check(proc)
    return -9, err


@pytest.mark.parametrize("point", list(POINTS))
def test_consolidate_killed(inbox: Path, tmp_path: Path, point: str) -> None:
    """kill -9 of `consolidate` at any point: its workers and janitor are gone (they used to live on, blocked on
    the dead parent's pipe and holding the caller's terminal), nothing is left in the input folder, the output
    folder holds complete outputs or nothing, and the system temp folder is empty again."""
    before = snapshot(inbox)
    out = tmp_path / "out"
    argv = ["consolidate", str(inbox), "-o", str(out / "汇总.xlsx"), "--csv", str(out / "csv"), "--jobs", "2"]
    code, err = _kill_when(argv, tmp_path, POINTS[point](), out)
    assert code in (-9, 0, 1), err.decode()
    time.sleep(0.3)  # the janitor removes what the killed run left: give it its moment
    assert snapshot(inbox) == before, "the input folder changed"
    assert not temp_leftovers(inbox, out, tmp_path / "tmp"), temp_leftovers(inbox, out, tmp_path / "tmp")
    assert all(_complete(p) for p in out.rglob("*") if p.is_file())
    assert not list((tmp_path / "tmp").iterdir())


def test_output_in_the_input_folder_survives_a_kill(inbox: Path, tmp_path: Path) -> None:
    """An output written into a folder that is also read (a department's habit): a kill while it is written
    leaves nothing there, and what a run that lost power would leave (a temp file of a dead process) is a
    ledger row the next run never reads as a workbook, swept when that run writes its own output there."""
    import json
    import subprocess

    from tests.faults import XLGOALS

    folder = tmp_path / "收件"
    folder.mkdir()
    for p in sorted(inbox.iterdir())[:40]:
        (folder / p.name).write_bytes(p.read_bytes())
    argv = ["consolidate", str(folder), "-o", str(folder / "汇总.xlsx"), "--jobs", "2", "--format", "json"]
    code, err = _kill_when(argv, tmp_path, _writing_outputs, folder)
    assert code in (-9, 0), err.decode()
    time.sleep(0.3)
    assert not temp_leftovers(folder)
    (folder / "汇总.xlsx").unlink(missing_ok=True)
    stale = folder / ".~xlgoals-4194999-0badf00d.tmp"  # beyond pid_max: a process long gone
    stale.write_bytes(b"PK\x03\x04 half a workbook")
    again = subprocess.run(
        [*XLGOALS, *argv], cwd=tmp_path, env=env_with_tmp(tmp_path / "tmp"), capture_output=True, check=False
    )
    assert again.returncode == 0, again.stderr.decode()
    # Accounted for in the ledger beside Excel's lock files, never read as a unit's workbook.
    assert json.loads(again.stdout)["status"] == {"已读取": 40, "已拒绝": 0, "重复": 0, "锁定文件": 1}
    assert not stale.exists(), "the stale temp file was not swept"


def _archive_units(db: Path, cwd: Path) -> list[tuple[object, ...]]:
    import subprocess

    from tests.faults import XLGOALS

    listed = subprocess.run(
        [*XLGOALS, "archive", "list", "--db", str(db), "--format", "json"],
        cwd=cwd,
        env=env_with_tmp(cwd / "tmp"),
        capture_output=True,
        check=True,
    )
    return [tuple(sorted(row.items())) for row in __import__("json").loads(listed.stdout)]


@pytest.mark.parametrize("existing", [False, True], ids=["new archive", "existing archive"])
def test_archive_add_killed(inbox: Path, tmp_path: Path, sample_unit: Unit, existing: bool) -> None:
    """kill -9 of `archive add` mid-run: no worker remains; a new archive leaves nothing under its name (a
    stub used to be refused as damaged for good); an existing one is exactly as it was."""
    pytest.importorskip("duckdb")
    db = tmp_path / "arch" / "历史.duckdb"
    db.parent.mkdir()
    before: list[tuple[object, ...]] = []
    if existing:
        one = tmp_path / "one.xlsx"
        write_unit(sample_unit, one)
        import subprocess

        from tests.faults import XLGOALS

        subprocess.run(
            [*XLGOALS, "archive", "add", str(one), "--db", str(db)],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            env=env_with_tmp(tmp_path / "tmp"),
        )
        before = _archive_units(db, tmp_path)
    code, err = _kill_when(
        ["archive", "add", str(inbox), "--db", str(db), "--jobs", "2"], tmp_path, _mid_pool, db.parent
    )
    assert code == -9, f"the run ended before the kill: {err.decode()}"
    time.sleep(0.3)
    assert not temp_leftovers(db.parent, inbox, tmp_path / "tmp")
    if existing:
        assert _archive_units(db, tmp_path) == before
    else:
        assert not db.exists() and [p.name for p in db.parent.iterdir()] == []


def test_serve_killed_with_requests_in_flight(inbox: Path, tmp_path: Path) -> None:
    """kill -9 of `xlgoals serve` while uploads are being worked on: its fork server, resource tracker and
    workers exit with it (each killed server used to leave ~164 MB of workers behind), and the uploads'
    folders in the system temp folder are removed."""
    proc, port = serve(tmp_path, env_with_tmp(tmp_path / "tmp"), "--workers", "2")
    files = sorted(inbox.iterdir())
    answers: list[int] = []

    def upload(i: int) -> None:
        try:
            many = [("files", (p.name, p.read_bytes())) for p in files[i * 20 : i * 20 + 20]]
            answers.append(httpx.post(f"http://127.0.0.1:{port}/api/summary", files=many, timeout=30).status_code)
        except httpx.HTTPError:
            answers.append(0)

    threads = [threading.Thread(target=upload, args=(i,), daemon=True) for i in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while not list((tmp_path / "tmp").glob("xlgoals-web-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list((tmp_path / "tmp").glob("xlgoals-web-*")), "no upload reached the workers"
    workers = children_of(proc.pid)
    assert len(workers) >= 3  # fork server, resource tracker, workers, janitor
    kill_and_check(proc)
    for t in threads:
        t.join(30)
    assert not any(running(p) for p in workers)
    # The janitor removes the uploads' folders after its parent died: on a loaded machine that can take longer
    # than a fixed pause, so wait for it within a bound.
    deadline = time.monotonic() + 10
    while list((tmp_path / "tmp").iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list((tmp_path / "tmp").iterdir()), list((tmp_path / "tmp").iterdir())
