"""calamine reads the members the container check inflated and verified, stored: the same grids, the same worker
output, and the file's own bytes whenever the members were not all kept."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import worker_dump
from tests.builders.departments import make_department
from xlgoals.io import container
from xlgoals.io.container import check_container, stored_zip
from xlgoals.io.files import _read_calamine, read_grids


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dept") / "dept"
    make_department(folder, units=4, seed=3)
    return folder


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".xlsx", ".xlsm"))


def _sheets(path: Path, keep: bool) -> dict[str, tuple[object, ...]]:
    checked = check_container(path)
    if not keep:
        checked.inflated = None  # calamine then reads the file's own bytes, as before
    book = _read_calamine(path, checked)
    return {name: (s.rows, s.hidden, s.outside) for name, s in book.sheets.items()}


def test_stored_members_read_as_the_files_own_bytes(department: Path, sample_xlsx: Path) -> None:
    paths = [sample_xlsx, *_workbooks(department)]
    kept = 0
    for path in paths:
        try:
            checked = check_container(path)
        except Exception:
            continue  # the department's broken files on purpose
        kept += checked.inflated is not None
        assert _sheets(path, keep=True) == _sheets(path, keep=False), path
    assert kept >= 5


def test_the_worker_makes_the_same_of_every_file(
    department: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The consolidation worker's whole output (rows, ledger, findings) over a department with broken files,
    with calamine reading stored members and reading the files' own bytes."""
    stored, own = tmp_path / "stored.jsonl", tmp_path / "own.jsonl"
    assert worker_dump.dump(department, stored) == 0
    monkeypatch.setattr(container, "MAX_KEPT_BYTES", -1)
    assert check_container(_workbooks(department)[0]).inflated is None
    assert worker_dump.dump(department, own) == 0
    assert worker_dump.compare(stored, own) == 0
    assert len(stored.read_text(encoding="utf-8").splitlines()) > 4


def test_a_member_zipfile_reads_leaves_calamine_the_files_bytes(sample_xlsx: Path, tmp_path: Path) -> None:
    """A member only zipfile can read (here LZMA, which the quick inflater leaves to it) keeps nothing: calamine
    is given the package as it came."""
    src = zipfile.ZipFile(sample_xlsx)
    other = tmp_path / "lzma.xlsx"
    with zipfile.ZipFile(other, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info))
        out.writestr("docProps/custom.bin", b"\x00" * 100, compress_type=zipfile.ZIP_LZMA)
    checked = check_container(other)
    assert checked.inflated is None and checked.calamine_input() is checked.data
    assert read_grids(other).sheets.keys() == read_grids(sample_xlsx).sheets.keys()


def test_kept_members_are_let_go_once_read(sample_xlsx: Path) -> None:
    checked = check_container(sample_xlsx)
    assert checked.inflated is not None
    first = checked.calamine_input()
    assert checked.inflated is None and checked.calamine_input() is checked.data
    assert zipfile.ZipFile(io.BytesIO(first)).namelist() == zipfile.ZipFile(sample_xlsx).namelist()


_NAMES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/\\"), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_NAMES, st.binary(max_size=3000), min_size=1, max_size=8))
def test_stored_zip_holds_the_members_as_given(members: dict[str, bytes]) -> None:
    """Any names (any script) and bytes: zipfile reads back each member whole, its CRC checked."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    source = zipfile.ZipFile(raw)
    packed = zipfile.ZipFile(io.BytesIO(stored_zip([(i, source.read(i)) for i in source.infolist()])))
    assert packed.testzip() is None
    assert [i.filename for i in packed.infolist()] == list(members)
    assert all(packed.read(name) == body for name, body in members.items())
    assert all(i.compress_type == zipfile.ZIP_STORED for i in packed.infolist())
