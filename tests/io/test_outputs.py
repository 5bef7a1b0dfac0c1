"""io/outputs.py: results written atomically beside their target, never over an input, temp names swept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from xlgoals.core.errors import XlgoalsError
from xlgoals.io import outputs


def test_atomic_output_replaces_the_target_only_when_the_block_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), outputs.atomic_output(target) as tmp:
        assert tmp.parent == tmp_path and outputs.is_temp_name(tmp.name)
        tmp.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"old"
    with outputs.atomic_output(target, keep_suffix=True) as tmp:
        assert tmp.name.endswith(".tmp.xlsx")
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]  # no temp left either way
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()  # as a new file gets, not mkstemp's 0600


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_check_output_refuses_an_input_and_its_links(tmp_path: Path) -> None:
    source = tmp_path / "单位.xlsx"
    source.write_bytes(b"input")
    link = tmp_path / "link.xlsx"
    link.symlink_to(source)
    for target in (source, link):
        with pytest.raises(XlgoalsError, match="输出文件就是输入文件"):
            outputs.check_output(target, [source])
    outputs.check_output(tmp_path / "new.xlsx", [source])  # a new file is fine


def test_check_output_refuses_folders_files_and_devices_in_chinese(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    with pytest.raises(XlgoalsError, match="输出路径是一个文件夹"):
        outputs.check_output(tmp_path)
    with pytest.raises(XlgoalsError, match="已是一个文件"):
        outputs.check_output(tmp_path / "a_file", folder=True)
    with pytest.raises(XlgoalsError, match=r"上级路径 .*a_file 是一个文件"):
        outputs.check_output(tmp_path / "a_file" / "deeper" / "out.xlsx")
    with pytest.raises(XlgoalsError, match="不是普通文件"):
        outputs.check_output("/dev/null")


def test_temp_names() -> None:
    assert outputs.is_temp_name(".~xlgoals-123-0a1b2c3d.tmp")
    assert outputs.is_temp_name(".~xlgoals-123-0a1b2c3d.tmp.xlsm")
    assert not outputs.is_temp_name("~$单位.xlsx") and not outputs.is_temp_name(".~xlgoals-x-0a.tmp")


def test_sweep_removes_only_leftovers_of_runs_that_are_gone(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    gone = tmp_path / f".~xlgoals-{int(dead.stdout)}-00aa11bb.tmp"
    gone_dir = tmp_path / f".~xlgoals-{int(dead.stdout)}-00aa11bc.tmp"
    mine = tmp_path / f".~xlgoals-{os.getpid()}-00aa11bb.tmp"
    other = tmp_path / "单位.xlsx"
    for path in (gone, mine, other):
        path.write_bytes(b"x")
    gone_dir.mkdir()
    (gone_dir / "part").write_bytes(b"x")
    outputs.sweep(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])
