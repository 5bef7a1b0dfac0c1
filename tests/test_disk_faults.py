"""A full disk (a real tmpfs), read-only storage and a busy archive, through the real command line."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faults import XLGOALS, env_with_tmp, fill, read_only, small_disk
from xlgoals.core.model import Unit
from xlgoals.workbooks.template import write_unit


def xlgoals(cwd: Path, *argv: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*XLGOALS, *argv],
        cwd=cwd,
        env=env or env_with_tmp(cwd / "tmp"),
        capture_output=True,
        text=True,
        timeout=120,
        **kw,  # type: ignore[call-overload]
    )


@pytest.fixture
def inbox(tmp_path: Path, sample_unit: Unit) -> Path:
    folder = tmp_path / "各单位"
    folder.mkdir()
    for i in range(3):
        write_unit(sample_unit.model_copy(update={"name": f"单位{i}"}), folder / f"单位{i}.xlsx")
    return folder


def _plain(text: str) -> str:
    return text.replace("\n", "")


def test_consolidate_on_a_full_disk_names_the_output(inbox: Path, tmp_path: Path) -> None:
    """A full disk said only “无法读写文件：（No space left on device）”: now the output that could not be
    written, that the disk is full and what to do — and nothing half-written is left on that disk."""
    with small_disk(tmp_path / "满", "64k") as disk:
        fill(disk)
        run = xlgoals(tmp_path, "consolidate", str(inbox), "-o", str(disk / "汇总.xlsx"))
        message = _plain(run.stderr)
        assert run.returncode == 2, run.stderr
        assert "汇总.xlsx" in message and "磁盘空间不足" in message and "请清理" in message
        assert ".~xlgoals" not in message and "Traceback" not in message
        assert [p.name for p in disk.iterdir()] == ["fill"]


def test_a_full_export_folder_is_named_and_nothing_is_written(inbox: Path, tmp_path: Path) -> None:
    """--csv on a full disk: the message names the CSV copy that could not be written (never its temporary
    file), and the summary beside it on a roomy disk is not written either: all outputs or none."""
    with small_disk(tmp_path / "满", "64k") as disk:
        fill(disk)
        run = xlgoals(
            tmp_path, "consolidate", str(inbox), "-o", str(tmp_path / "汇总.xlsx"), "--csv", str(disk / "csv")
        )
        message = _plain(run.stderr)
        assert run.returncode == 2 and "磁盘空间不足" in message
        assert str(disk / "csv") in message and ".csv" in message and ".~xlgoals" not in message
        assert not (tmp_path / "汇总.xlsx").exists()
        assert sorted(p.name for p in disk.rglob("*") if p.is_file()) == ["fill"]


def _no_big_files() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_file_size_limit_is_said_in_chinese_without_root(inbox: Path, tmp_path: Path) -> None:
    """Where no tmpfs can be mounted (no root), a file-size limit makes the writes fail all the same: the
    Chinese reason, the output named, exit 2, no traceback, nothing left."""
    run = xlgoals(
        tmp_path, "consolidate", str(inbox), "-o", str(tmp_path / "out" / "汇总.xlsx"), preexec_fn=_no_big_files
    )
    message = _plain(run.stderr)
    assert run.returncode == 2, run.stderr
    assert "汇总.xlsx" in message and "文件超过系统允许的大小" in message and "Traceback" not in message
    assert list((tmp_path / "out").iterdir()) == []


def test_write_back_to_read_only_storage(inbox: Path, tmp_path: Path) -> None:
    """A read-only folder is said to be read-only (and not “permission”: chmod would not stop root)."""
    out = tmp_path / "只读"
    out.mkdir()
    with read_only(out):
        run = xlgoals(tmp_path, "validate", str(inbox / "单位0.xlsx"), "--write-back", str(out / "校验后.xlsx"))
    assert run.returncode == 2 and "只读" in run.stderr and "校验后.xlsx" in run.stderr


# --- the archive --------------------------------------------------------------------------------------------


@pytest.fixture
def archive_inbox(inbox: Path) -> Path:
    pytest.importorskip("duckdb")
    return inbox


def _units(cwd: Path, db: Path) -> list[dict[str, object]]:
    listed = xlgoals(cwd, "archive", "list", "--db", str(db), "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows: list[dict[str, object]] = json.loads(listed.stdout)
    return rows


def test_creating_an_archive_on_a_full_disk_leaves_nothing(archive_inbox: Path, tmp_path: Path) -> None:
    """A creation that failed on a full disk used to leave a stub under the archive's name, refused as damaged
    for good: now nothing is left, and the message says the disk is full (no backup advice)."""
    with small_disk(tmp_path / "满", "512k") as disk:
        run = xlgoals(tmp_path, "archive", "add", str(archive_inbox), "--db", str(disk / "历史.duckdb"))
        message = _plain(run.stderr)
        assert run.returncode == 2 and "磁盘空间不足" in message and "没有建立" in message, run.stderr
        assert "备份" not in message and "Traceback" not in message
        assert list(disk.iterdir()) == []


def test_a_full_disk_during_add_rolls_back(archive_inbox: Path, tmp_path: Path) -> None:
    """The disk filling during an add ended in a traceback (exit 1) and advice to restore a backup, which
    would lose what was added since: now the add is rolled back, the archive stays as it was, exit 2."""
    with small_disk(tmp_path / "满", "4m") as disk:
        db = disk / "历史.duckdb"
        first = xlgoals(tmp_path, "archive", "add", str(archive_inbox / "单位0.xlsx"), "--db", str(db))
        assert first.returncode == 0, first.stderr
        before = _units(tmp_path, db)
        fill(disk)
        run = xlgoals(tmp_path, "archive", "add", str(archive_inbox), "--db", str(db))
        message = _plain(run.stderr)
        assert run.returncode == 2, run.stdout + run.stderr
        assert "磁盘空间不足" in message and "保持原样" in message and "备份" not in message
        assert "Traceback" not in message
        assert _units(tmp_path, db) == before
        # The archive and the sidecar the first add kept beside it (department/archive/sidecar.py), nothing else.
        kept = ["fill", "历史.duckdb", "历史.duckdb.history"]
        assert sorted(p.name for p in disk.iterdir()) == kept
        export = xlgoals(tmp_path, "archive", "export", "--parquet", str(disk / "导出"), "--db", str(db))
        message = _plain(export.stderr)
        assert export.returncode == 2 and "导出" in message and "磁盘空间不足" in message
        assert ".~xlgoals" not in message and ".tmp" not in message
        assert sorted(p.name for p in disk.iterdir()) == kept


def test_an_archive_on_read_only_storage_is_sound(archive_inbox: Path, tmp_path: Path) -> None:
    """A sound archive on read-only storage was called damaged (“请从备份恢复”): now it is read-only, still
    readable, and nothing suggests a backup."""
    folder = tmp_path / "库"
    folder.mkdir()
    db = folder / "历史.duckdb"
    assert xlgoals(tmp_path, "archive", "add", str(archive_inbox / "单位0.xlsx"), "--db", str(db)).returncode == 0
    with read_only(folder):
        run = xlgoals(tmp_path, "archive", "add", str(archive_inbox), "--db", str(db))
        message = _plain(run.stderr)
        assert run.returncode == 2 and "只读" in message and "完好" in message and "备份" not in message
        assert len(_units(tmp_path, db)) == 1


def test_a_damaged_archive_fails_its_integrity_check(tmp_path: Path) -> None:
    """Only a file that really fails the check is called damaged, and only then is a backup suggested."""
    pytest.importorskip("duckdb")
    db = tmp_path / "坏.duckdb"
    db.write_bytes(b"\x00garbage" * 1000)
    run = xlgoals(tmp_path, "archive", "list", "--db", str(db))
    assert run.returncode == 2 and "完整性检查未通过" in _plain(run.stderr) and "备份" in run.stderr


_HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.begin()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.rollback()
con.close()
"""


def _holding(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process writing the archive (as a running add does) for `seconds`."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_reader_waits_for_a_running_add(archive_inbox: Path, tmp_path: Path) -> None:
    """A reader used to fail at once while an add held the archive: it now waits (a bounded time) and
    answers; past the bound it names the process holding the archive and says what to do."""
    db = tmp_path / "历史.duckdb"
    assert xlgoals(tmp_path, "archive", "add", str(archive_inbox / "单位0.xlsx"), "--db", str(db)).returncode == 0
    holder = _holding(db, 1.5)
    started = time.monotonic()
    listed = xlgoals(tmp_path, "archive", "list", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    assert time.monotonic() - started >= 1.0
    holder.wait()
    holder = _holding(db, 20)
    try:
        env = {**env_with_tmp(tmp_path / "tmp"), "XLGOALS_ARCHIVE_WAIT": "0.5"}
        busy = xlgoals(tmp_path, "archive", "list", "--db", str(db), env=env)
        message = _plain(busy.stderr)
        assert busy.returncode == 2 and f"进程 {holder.pid}" in message and "已等待 0.5 秒" in message
        assert "备份" not in message
    finally:
        holder.kill()
        holder.wait()


def test_consolidate_db_on_a_full_disk_writes_nothing(archive_inbox: Path, tmp_path: Path) -> None:
    """consolidate --db with the archive's disk full: the add is rolled back with the archive's own message,
    exit 2, and the summary is not written either (it would claim an archive that did not happen)."""
    with small_disk(tmp_path / "满", "4m") as disk:
        db = disk / "历史.duckdb"
        assert xlgoals(tmp_path, "archive", "add", str(archive_inbox / "单位0.xlsx"), "--db", str(db)).returncode == 0
        before = _units(tmp_path, db)
        fill(disk)
        run = xlgoals(tmp_path, "consolidate", str(archive_inbox), "-o", str(tmp_path / "汇总.xlsx"), "--db", str(db))
        message = _plain(run.stderr)
        assert run.returncode == 2 and "磁盘空间不足" in message and "保持原样" in message, run.stdout + run.stderr
        assert not (tmp_path / "汇总.xlsx").exists() and _units(tmp_path, db) == before
