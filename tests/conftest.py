"""Shared fixtures: the real sample, its unit workbook, and LibreOffice when present."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The remote engine needs a key; government units qualify for xlwings' non-commercial one.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_TXT = ROOT / "samples" / "002_de489847e14864e5.txt"


@pytest.fixture(scope="session")
def sample_txt() -> Path:
    return SAMPLE_TXT


@pytest.fixture(scope="session")
def sample_unit():  # type: ignore[no-untyped-def]
    from xlgoals.importing.importer import import_file

    return import_file(SAMPLE_TXT).unit


@pytest.fixture(scope="session")
def sample_xlsx(tmp_path_factory: pytest.TempPathFactory, sample_unit) -> Path:  # type: ignore[no-untyped-def]
    from xlgoals.workbooks.template import write_unit

    path = tmp_path_factory.mktemp("sample") / "unit.xlsx"
    write_unit(sample_unit, path)
    path.chmod(0o444)  # every test that reads it also proves it never writes it
    return path


@pytest.fixture
def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    return exe
