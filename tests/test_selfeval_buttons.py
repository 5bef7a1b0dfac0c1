"""`xlgoals selfeval --server URL --token-file FILE`: the 自评 workbook's buttons reach the department's server as a
template's do (the cover's 校验服务器, the token in the very hidden xlwings.conf sheet), from a workbook and from
the archive; and a click from a desk without Python is answered with that token."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tests import remote_bas
from tests.liveserver import serving
from tests.test_remote_buttons import BUTTON_TIMEOUT_MS, desk_for, vba_subs  # noqa: F401 (a fixture)
from tests.test_selfeval_archive import stored_2020
from xlgoals.core import layout
from xlgoals.shells.cli import app
from xlgoals.shells.server import create_app
from xlgoals.unit.pipeline import check_file
from xlgoals.workbooks.template import write_unit

TOKEN = "selfeval-dept-token-5e2d"
SERVER = "https://xlgoals.example.gov.cn"


def cli(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "token.txt"
    path.write_text(TOKEN + "\n", encoding="utf-8")
    return path


def cover_server_and_token(path: Path) -> tuple[str | None, str | None, str]:
    wb = openpyxl.load_workbook(path)
    server = wb[layout.COVER_SHEET][layout.COVER_FIELD["server"].value_cell].value
    name = wb.defined_names[layout.SERVER_NAME]
    assert list(name.destinations) == [(layout.COVER_SHEET, "$B$12")]
    if layout.XLWINGS_CONF_SHEET not in wb.sheetnames:
        return server, None, ""
    conf = wb[layout.XLWINGS_CONF_SHEET]
    assert conf["A1"].value == "AUTH"
    return server, conf["B1"].value, conf.sheet_state


@pytest.mark.parametrize("xlsm", [True, False], ids=["xlsm", "xlsx"])
def test_selfeval_presets_the_server_and_the_token(
    sample_xlsx: Path, token_file: Path, tmp_path: Path, xlsm: bool
) -> None:
    out = tmp_path / ("自评.xlsm" if xlsm else "自评.xlsx")
    flags = ["--xlsm"] if xlsm else []
    code, output = cli("selfeval", sample_xlsx, "-o", out, *flags, "--server", SERVER, "--token-file", token_file)
    assert code == 0, output
    assert cover_server_and_token(out) == (SERVER, f"Bearer {TOKEN}", "veryHidden")
    assert TOKEN not in output
    # The token sheet is never read as a project or a finding; the 自评 sheets are read as before.
    checked = check_file(out)
    assert not [f for f in checked.report.findings if f.sheet == layout.XLWINGS_CONF_SHEET]
    assert [p.sheet for p in checked.unit.projects] == ["项目1", "项目2", "项目3"]


def test_without_server_the_declarations_own_address_is_kept(tmp_path: Path, sample_unit) -> None:  # type: ignore[no-untyped-def]
    declared = tmp_path / "申报.xlsx"
    write_unit(sample_unit.model_copy(update={"server": "http://192.168.1.20:8000"}), declared)
    out = tmp_path / "自评.xlsx"
    assert cli("selfeval", declared, "-o", out)[0] == 0
    assert cover_server_and_token(out) == ("http://192.168.1.20:8000", None, "")
    # --server wins over the declaration's.
    again = tmp_path / "自评2.xlsx"
    assert cli("selfeval", declared, "-o", again, "--server", SERVER)[0] == 0
    assert cover_server_and_token(again)[0] == SERVER


def test_selfeval_from_the_archive_takes_them_too(tmp_path: Path, token_file: Path) -> None:
    _, _, db = stored_2020(tmp_path)
    unit = openpyxl.load_workbook(tmp_path / "2020.xlsx")[layout.COVER_SHEET]
    name = unit[layout.COVER_FIELD["name"].value_cell].value
    out = tmp_path / "自评_库.xlsm"
    code, output = cli(
        "selfeval", "--from-archive", "--year", "2020", "--unit", name, "--db", db, "-o", out, "--xlsm",
        "--server", SERVER, "--token-file", token_file,
    )  # fmt: skip
    assert code == 0, output
    assert cover_server_and_token(out) == (SERVER, f"Bearer {TOKEN}", "veryHidden")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--server", "xlgoals.example.gov.cn"], "地址应以 http:// 或 https:// 开头"),
        (["--token-file", "没有这个文件.txt"], "口令文件不存在"),
    ],
    ids=["server without scheme", "token file missing"],
)
def test_bad_server_or_token_file_is_a_chinese_refusal(
    sample_xlsx: Path, tmp_path: Path, args: list[str], expected: str
) -> None:
    out = tmp_path / "自评.xlsx"
    code, output = cli("selfeval", sample_xlsx, "-o", out, *args)
    assert code == 2 and expected in output.replace("\n", "")
    assert not out.exists()


def test_a_click_on_the_selfeval_workbook_reaches_the_server_with_its_token(
    sample_xlsx: Path,
    token_file: Path,
    tmp_path: Path,
    vba_subs: set[str],  # noqa: F811
) -> None:
    out = tmp_path / "自评.xlsm"
    with serving(create_app(token=TOKEN)) as origin:
        assert cli("selfeval", sample_xlsx, "-o", out, "--xlsm", "--server", origin, "--token-file", token_file)[0] == 0
        # No AUTH in the user's conf: the token comes from the workbook's own xlwings.conf sheet.
        desk = desk_for(out, active_sheet=layout.COVER_SHEET)
        server = desk.values[layout.COVER_SHEET][layout.COVER_FIELD["server"].value_cell].value
        outcome = remote_bas.run_server_python(
            desk, f"{server}/xlwings/vba/validate_all", vba_subs=vba_subs, timeout=BUTTON_TIMEOUT_MS
        )
    assert outcome.status == 200 and outcome.message_box is None
    events = remote_bas.apply(desk, outcome)
    alerts = [e["args"][0] for e in events if e["func"] == "alert"]
    assert len(alerts) == 1 and "全部项目" in alerts[0]
    # The blank 自评 sheets' missing actuals are marked at their cells.
    results = desk.wb[layout.RESULTS_SHEET]
    shown = " ".join(str(c.value) for row in results.iter_rows() for c in row if c.value is not None)
    assert "实际完成值" in shown
