"""jobs/archive/diagnosis.py: why an archive could not be opened or written, told apart: busy (and who holds it),
unwritable (full, read-only, no permission) or damaged, each with what to do; a busy archive waited for."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb
import pytest

from xlgoals.department.archive import diagnosis


def _archive(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    return path


def test_intact_tells_a_database_from_a_damaged_file(tmp_path: Path) -> None:
    good = _archive(tmp_path / "good.duckdb")
    assert diagnosis.intact(str(good))
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"\0" * 8 + b"NOPE" + b"\0" * 100)
    assert not diagnosis.intact(str(bad)) and not diagnosis.intact(str(tmp_path / "missing.duckdb"))
    try:
        duckdb.connect(str(bad))
    except duckdb.Error as e:
        assert "已损坏" in diagnosis.open_failed(str(bad), e, writing=False)


def test_who_holds_the_lock_and_how_long_to_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    busy = duckdb.IOException(
        f'Could not set lock on file "x.duckdb": Conflicting lock is held in python (PID {os.getpid()})'
    )
    assert diagnosis.is_locked(busy) and not diagnosis.is_locked(ValueError("other"))
    assert diagnosis.holder(busy).startswith(f"进程 {os.getpid()}")
    assert diagnosis.holder(duckdb.IOException("lock held")) == "另一个程序"
    monkeypatch.setenv("XLGOALS_ARCHIVE_WAIT", "0.3")
    assert diagnosis.lock_wait() == 0.3
    assert "已等待 0.3 秒" in diagnosis.open_failed("x.duckdb", busy, writing=True)
    attempts: list[int] = []

    def attempt() -> str:
        attempts.append(1)
        if len(attempts) < 2:
            raise busy
        return "opened"

    assert diagnosis.waiting_for_lock(attempt) == "opened" and len(attempts) == 2
    monkeypatch.setenv("XLGOALS_ARCHIVE_WAIT", "not a number")
    assert diagnosis.lock_wait() == diagnosis.LOCK_WAIT


def test_the_operating_systems_reason(tmp_path: Path) -> None:
    full = duckdb.IOException(f"Could not write file: {os.strerror(errno.ENOSPC)}")
    assert diagnosis.os_errno(full) == errno.ENOSPC and diagnosis.os_errno(ValueError("x")) is None
    assert diagnosis.probe(str(tmp_path / "new.duckdb")) is None
    (tmp_path / "a_folder.duckdb").mkdir()
    problem = diagnosis.probe(str(tmp_path / "a_folder.duckdb"))  # what root meets too: not a file to write
    assert problem is not None and problem.errno == errno.EISDIR
    assert diagnosis.write_failed(str(tmp_path / "new.duckdb"), full, new=True) == (
        "无法写入历史库：磁盘空间不足。历史库没有建立，未留下任何文件。"
        "请清理该磁盘上的文件，或改存到空间充足的位置后重试，再重新运行。"
    )
    assert "磁盘空间不足" in diagnosis.write_failed(str(_archive(tmp_path / "a.duckdb")), full)
