"""Reading workbooks: both engines agree, and every kind of bad input gets one clear message."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.office import convert
from xlgoals.core import errors, layout
from xlgoals.core.values import cell_text
from xlgoals.io.container import OLE_MAGIC
from xlgoals.io.reader import read
from xlgoals.workbooks.template import write_template


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def blank(tmp_path: Path) -> Path:
    path = tmp_path / "blank.xlsx"
    write_template(path)
    return path


def _expect(path: Path, exc: type[errors.WorkbookError], *, sheet: str | None = None) -> errors.WorkbookError:
    """Both engines refuse with the same error, naming the file, and the file is untouched."""
    before = _digest(path)
    caught = []
    for engine in ("calamine", "openpyxl"):
        with pytest.raises(exc) as info:
            read(path, engine)  # type: ignore[arg-type]
        e = info.value
        assert e.file == str(path) and path.name in str(e)
        assert e.sheet == sheet
        assert any("\u4e00" <= ch <= "\u9fff" for ch in e.message)  # the user's message is Chinese
        caught.append(e)
    assert _digest(path) == before
    assert caught[0].message == caught[1].message
    return caught[0]


def test_engines_agree_on_the_sample(sample_xlsx: Path, sample_unit) -> None:  # type: ignore[no-untyped-def]
    fast, slow = read(sample_xlsx, "calamine"), read(sample_xlsx, "openpyxl")
    assert fast == slow
    assert [p.sheet for p in fast.projects] == ["项目1", "项目2", "项目3"]
    assert fast.projects[0].cells["budget_year"] == layout.PROJECT_FIELD["budget_year"].value_cell


def test_each_indicator_owns_its_cell_addresses(sample_xlsx: Path) -> None:
    # The reader hands every row's addresses from one shared map; each model must hold a copy of its own.
    first, second = read(sample_xlsx), read(sample_xlsx)
    first.projects[0].indicators[0].cells["name"] = "Z1"
    assert second.projects[0].indicators[0].cells["name"] == "C18"
    assert first.projects[1].indicators[0].cells["name"] == "C18"
    assert read(sample_xlsx) == second


def test_labels_have_nothing_to_strip() -> None:
    # check_labels takes a label cell equal to the label as it is, without stripping it first.
    specs = (*layout.COVER_FIELDS, *layout.PROJECT_FIELDS, *layout.NATIONAL_PROJECT_FIELDS)
    assert all(cell_text(spec.label) == spec.label for spec in specs)


def test_not_our_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "预算表"  # type: ignore[index]
    wb.save(path)
    e = _expect(path, errors.NotOurWorkbookError)
    assert layout.COVER_SHEET in e.message


def test_renamed_cover_sheet(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    wb[layout.COVER_SHEET].title = "封面"
    wb.save(blank)
    e = _expect(blank, errors.LayoutError, sheet=layout.COVER_SHEET)
    assert "改名" in e.message


def test_shifted_rows_name_sheet_and_cells(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb["项目1"]
    ws["B4"] = "某项目"
    ws.insert_rows(2)
    wb.save(blank)
    e = _expect(blank, errors.LayoutError, sheet="项目1")
    assert e.cell == "A4" and "A5" in e.message and "项目名称" in e.message


def test_extra_sheet_is_listed_not_read(blank: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    wb.create_sheet("备注")["A1"] = "内部备注"
    wb.save(blank)
    assert read(blank).other_sheets == ["备注"]


def test_corrupt_zip(blank: Path) -> None:
    data = blank.read_bytes()
    blank.write_bytes(data[: len(data) // 2])
    _expect(blank, errors.CorruptWorkbookError)


def test_not_a_spreadsheet_at_all(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    _expect(path, errors.CorruptWorkbookError)


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _expect(path, errors.CorruptWorkbookError)


def test_zip_bomb_is_refused_before_parsing(blank: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(blank) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/padding.bin", b"\0" * (300 * 1024 * 1024))
    _expect(bomb, errors.UnsafeWorkbookError)


def test_legacy_xls_from_libreoffice(blank: Path, soffice: str, tmp_path: Path) -> None:
    xls = convert(soffice, blank, "xls", tmp_path)
    assert xls.read_bytes()[:8] == OLE_MAGIC
    e = _expect(xls, errors.LegacyFormatError)
    assert "另存为" in e.message


def test_legacy_signature_without_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(OLE_MAGIC + b"\0" * 1024)
    _expect(path, errors.LegacyFormatError)


def test_password_protected_workbook(blank: Path, tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    enc = tmp_path / "locked.xlsx"
    with blank.open("rb") as src, enc.open("wb") as dst:
        OOXMLFile(src).encrypt("secret", dst)
    e = _expect(enc, errors.EncryptedWorkbookError)
    assert "密码" in e.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(errors.NotFoundError) as info:
        read(tmp_path / "nope.xlsx")
    assert "nope.xlsx" in str(info.value)


def test_cli_reports_bad_input_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    run = subprocess.run(
        [sys.executable, "-m", "xlgoals", "read", str(path)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert "broken.xlsx" in run.stderr and "损坏" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def test_reading_never_writes(sample_xlsx: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.xlsx"
    shutil.copy(sample_xlsx, copy)
    before = copy.stat().st_mtime_ns, _digest(copy)
    read(copy, "openpyxl")
    read(copy, "calamine")
    assert (copy.stat().st_mtime_ns, _digest(copy)) == before


def test_grid_reads_from_a1_even_when_top_rows_are_empty(tmp_path: Path) -> None:
    from xlgoals.io.files import read_grids

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["C5"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(buf.getvalue())
    for engine in ("calamine", "openpyxl"):
        grid = read_grids(path, engine).sheets["Sheet"].rows  # type: ignore[arg-type]
        assert grid[4][2] == "x" and len(grid) == 5


def test_xml_entity_bomb_is_refused_as_unsafe(blank: Path, tmp_path: Path) -> None:
    """A billion-laughs workbook.xml is refused before any XML parser sees it."""
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10))
    bomb_xml = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{laughs}]>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheets><sheet name="&lol9;" sheetId="1"/></sheets></workbook>'
    )
    bomb = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(blank) as src, zipfile.ZipFile(bomb, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, bomb_xml.encode() if item.filename == "xl/workbook.xml" else src.read(item))
    e = _expect(bomb, errors.UnsafeWorkbookError)
    assert "xl/workbook.xml" in e.message and "实体" in e.message


def test_damaged_member_is_reported_as_corrupt(blank: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "crc.xlsx"
    data = bytearray(blank.read_bytes())
    with zipfile.ZipFile(blank) as zf:
        info = zf.getinfo("xl/workbook.xml")
    # Flip a byte inside the stored data of one member: its CRC no longer matches.
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 5] ^= 0xFF
    damaged.write_bytes(bytes(data))
    _expect(damaged, errors.CorruptWorkbookError)
