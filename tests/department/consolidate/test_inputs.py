"""jobs/consolidate/inputs.py: every file under the given folders in natural order, nothing dropped (a missing path
stays an input), linked folders followed once, owner files told apart, bytes read once and hashed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from xlgoals.core.errors import XlgoalsError
from xlgoals.department.consolidate.inputs import InputFile, collect_inputs, is_lock_file, read_hashed


def test_every_file_in_natural_order_with_its_folder(tmp_path: Path) -> None:
    root = tmp_path / "收件箱"
    for rel in ("单位10.xlsx", "单位2.xlsx", "区县/单位1.xlsx", ".hidden.xlsx", "区县/子/单位3.xlsx"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")
    (root / "又一次").symlink_to(root / "区县")  # a linked folder: followed, but listed once
    missing = tmp_path / "没有这个.xlsx"
    found = collect_inputs([root, missing])
    assert [(Path(f.path).relative_to(tmp_path).as_posix(), f.folder) for f in found[:-1]] == [
        ("收件箱/.hidden.xlsx", "收件箱"),
        ("收件箱/单位2.xlsx", "收件箱"),
        ("收件箱/单位10.xlsx", "收件箱"),
        ("收件箱/区县/单位1.xlsx", "区县"),
        ("收件箱/区县/子/单位3.xlsx", "区县/子"),
    ]
    assert found[-1] == InputFile(str(missing), tmp_path.name)  # the ledger will say why it was not read


@pytest.mark.parametrize(
    ("name", "lock"),
    [("~$单位.xlsx", True), (".~lock.单位.xlsx#", True), ("单位.xlsx", False), (".~lock.单位.xlsx", False)],
)
def test_owner_files(name: str, lock: bool) -> None:
    assert is_lock_file(name) is lock


def test_read_hashed(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 something")
    data, sha = read_hashed(path)
    assert data == path.read_bytes() and sha == hashlib.sha256(data).hexdigest()
    with pytest.raises(XlgoalsError):
        read_hashed(tmp_path)  # a folder is no workbook: refused with a message, never read
