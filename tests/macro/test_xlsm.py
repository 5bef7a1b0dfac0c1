"""The shipped macro-enabled template: what the command makes, every Sub readable, buttons bound, opens."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.builders.office import convert
from tests.builders.package_parts import buttons_in
from tests.builders.paths import ROOT
from tests.builders.vba_modules import MACROS, assert_our_modules, olevba_modules
from xlgoals.core import layout
from xlgoals.io.reader import read
from xlgoals.macro.vba import BUTTONS
from xlgoals.macro.xlsm import button_plan, write_xlsm_template

SHIPPED = ROOT / "workbook_templates" / "xlgoals_template.xlsm"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsm") / "t.xlsm"
    write_xlsm_template(path)
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


def test_shipped_xlsm_is_what_the_command_makes(made: Path) -> None:
    assert _parts(SHIPPED) == _parts(made)


def test_olevba_reads_exactly_the_macros(made: Path) -> None:
    docs = ["ThisWorkbook"] + [f"Sheet{i}" for i in range(1, len(openpyxl.load_workbook(made).sheetnames) + 1)]
    modules = olevba_modules(made)
    assert_our_modules(modules, docs)
    subs = re.findall(r"^Public Sub (\w+)\(", (MACROS / "XlgoalsButtons.bas").read_text(), re.M)
    assert sorted(subs) == sorted(sub for _, sub, _ in BUTTONS)


def test_each_sheet_has_its_buttons_bound_to_subs(made: Path) -> None:
    expected = {sheet: [(caption, f"[0]!{sub}") for _, caption, sub in specs] for sheet, specs in button_plan().items()}
    found = buttons_in(made)
    assert {s: sorted(b) for s, b in found.items() if b} == {s: sorted(b) for s, b in expected.items()}


def test_xlsm_is_still_a_template_we_read(made: Path) -> None:
    unit = read(made)
    assert unit.projects == [] and unit.other_sheets == []
    wb = openpyxl.load_workbook(made, keep_vba=True)
    assert wb.sheetnames[:2] == [layout.COVER_SHEET, "项目1"]


def test_xlsm_opens_in_libreoffice(made: Path, soffice: str, tmp_path: Path) -> None:
    pdf = convert(soffice, made, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_xlsm_needs_the_xlsm_suffix(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xlgoals.shells.cli import app

    result = CliRunner().invoke(app, ["template", "--xlsm", "-o", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2 and ".xlsm" in result.output and not (tmp_path / "t.xlsx").exists()
