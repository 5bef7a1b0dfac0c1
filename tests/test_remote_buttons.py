"""A desk without Python: the buttons' RunServerPython calls, built exactly as Remote.bas builds them, against a
real `xlgoals serve` app over HTTP; the answer run through the Subs the generated workbook really holds."""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser

from tests import remote_bas
from tests.liveserver import serving, upload
from tests.remote_bas import Desk, run_server_python
from xlgoals.core import layout
from xlgoals.importing.importer import import_file
from xlgoals.macro.xlsm import write_xlsm_template
from xlgoals.shells import access, excelroutes
from xlgoals.shells.server import create_app
from xlgoals.shells.token import authorization
from xlgoals.shells.vbacalls import VERSION_MISMATCH, parse_vba_json
from xlgoals.unit.pipeline import check_file
from xlgoals.validation import marks
from xlgoals.workbooks.template import add_token_sheet, write_unit

TOKEN = "dept-token-7c1e2a9b4f0d"
# What the button passes (macros/XlgoalsButtons.bas: SERVER_TIMEOUT_MS).
BUTTON_TIMEOUT_MS = int(
    re.search(r"SERVER_TIMEOUT_MS As Long = (\d+)", Path("macros/XlgoalsButtons.bas").read_text()).group(1)  # type: ignore[union-attr]
)
# Project sheets renamed as units rename them; the first is where 校验本表 is clicked.
CHINESE_SHEETS = ["孵化器（一期）", "项目 2", "科技创新券", "张江 实验室"]


@pytest.fixture(scope="module")
def vba_subs(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every Sub Application.Run can call with (wb, action): Remote.bas' and ours, read from a generated .xlsm."""
    xlsm = tmp_path_factory.mktemp("xlsm") / "模板.xlsm"
    write_xlsm_template(xlsm)
    parser = VBA_Parser(str(xlsm))
    try:
        code = "\n".join(source for _f, _s, _n, source in parser.extract_macros())
    finally:
        parser.close()
    return set(
        re.findall(r"(?im)^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*wb As Workbook,\s*action As Dictionary\s*\)", code)
    )


@pytest.fixture(scope="module")
def unit30(tmp_path_factory: pytest.TempPathFactory, sample_txt: Path) -> Path:
    """The sample's three projects ten times over (30 project sheets), some sheets renamed in Chinese."""
    unit = import_file(sample_txt).unit
    projects = [p.model_copy(update={"name": f"{p.name}（{i}）"}) for i in range(1, 11) for p in unit.projects]
    path = tmp_path_factory.mktemp("unit30") / "上海市生物医药科技产业促进中心.xlsx"
    write_unit(unit.model_copy(update={"projects": projects, "server": "http://127.0.0.1"}), path)
    wb = openpyxl.load_workbook(path)
    for old, new in zip(["项目1", "项目2", "项目3", "项目4"], CHINESE_SHEETS, strict=True):
        wb[old].title = new
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(create_app(token=TOKEN)) as origin:
        yield origin


def desk_for(path: Path, **kwargs: Any) -> Desk:
    return Desk(
        openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True), book_name=path.name, **kwargs
    )


def click(desk: Desk, server: str, entry: str, subs: set[str], **kwargs: Any) -> remote_bas.Outcome:
    """RunEntry's server branch: RunServerPython server & "/xlwings/vba/" & entry, timeout:=SERVER_TIMEOUT_MS."""
    return run_server_python(desk, f"{server}/xlwings/vba/{entry}", vba_subs=subs, timeout=BUTTON_TIMEOUT_MS, **kwargs)


def fills(wb: openpyxl.Workbook) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> RGB of every marked cell (red or amber)."""
    wanted = {marks.FILL_HEX[severity].lstrip("#").upper()[-6:] for severity in marks.FILL_RGB}
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                rgb = str(cell.fill.fgColor.rgb or "")[-6:].upper() if cell.fill and cell.fill.fill_type else ""
                if rgb in wanted:
                    found[(ws.title, cell.coordinate)] = rgb
    return found


# --- the whole click ---------------------------------------------------------------------------------------


def test_validate_all_marks_what_the_command_line_finds(
    unit30: Path, server: str, vba_subs: set[str], tmp_path: Path
) -> None:
    desk = desk_for(unit30, active_sheet=CHINESE_SHEETS[0], user_conf={"AUTH": authorization(TOKEN)})
    before = fills(desk.wb)
    outcome = click(desk, server, "validate_all", vba_subs)
    assert outcome.status == 200 and outcome.message_box is None
    events = remote_bas.apply(desk, outcome)
    report = check_file(unit30).report
    assert {p.sheet for p in check_file(unit30).unit.projects} >= set(CHINESE_SHEETS)
    expected = {
        (f.sheet, f.cell) for f in report.findings if f.sheet and f.cell and f.severity in marks.MARKED_SEVERITIES
    }
    marked = {at for at in set(fills(desk.wb)) - set(before) if at[0] != layout.RESULTS_SHEET}
    assert expected and marked == expected
    results = desk.wb[layout.RESULTS_SHEET]
    shown = {str(c.value) for row in results.iter_rows() for c in row if c.value is not None}
    assert any(CHINESE_SHEETS[2] in text for text in shown)
    counts = report.counts()
    alerts = [e["args"][0] for e in events if e["func"] == "alert"]
    assert len(alerts) == 1 and f"错误 {counts['error']} 项，警告 {counts['warning']} 项" in alerts[0]


def test_validate_active_on_a_chinese_named_sheet(unit30: Path, server: str, vba_subs: set[str]) -> None:
    desk = desk_for(unit30, active_sheet=CHINESE_SHEETS[3], selection="D18", user_conf={"AUTH": TOKEN})
    outcome = click(desk, server, "validate_active", vba_subs)
    assert outcome.status == 200
    events = remote_bas.apply(desk, outcome)
    assert {sheet for sheet, _ in fills(desk.wb)} <= {CHINESE_SHEETS[3]}
    assert f"工作表“{CHINESE_SHEETS[3]}”" in events[-1]["args"][0]


def test_rollup_and_add_project_land_through_the_vba_subs(unit30: Path, server: str, vba_subs: set[str]) -> None:
    desk = desk_for(unit30, active_sheet=layout.COVER_SHEET, user_conf={"AUTH": TOKEN})
    outcome = click(desk, server, "rollup", vba_subs)
    assert outcome.status == 200
    funcs = {a["func"] for a in outcome.actions}
    # Actions Remote.bas itself lacks, answered by macros/XlgoalsActions.bas.
    assert {"setFontProperty", "setColumnWidth"} <= funcs
    remote_bas.apply(desk, outcome)
    assert layout.SUMMARY_SHEET in desk.wb.sheetnames
    added = click(desk_for(unit30, user_conf={"AUTH": TOKEN}), server, "add_project", vba_subs)
    assert [a["func"] for a in added.actions][:1] == ["copySheet"] and added.status == 200


def test_the_token_from_the_workbooks_xlwings_conf_sheet(unit30: Path, server: str, vba_subs: set[str]) -> None:
    # `xlgoals template --token-file` writes it there; GetConfig reads the sheet before any file.
    desk = desk_for(unit30, user_conf={"AUTH": "Bearer an-old-token-000000"})
    add_token_sheet(desk.wb, authorization(TOKEN))
    add_token_sheet(desk.values, authorization(TOKEN))  # type: ignore[arg-type]
    outcome = click(desk, server, "validate_all", vba_subs)
    assert outcome.status == 200
    # The sheet travels in the payload and is never read as a project.
    assert not any(f.sheet == layout.XLWINGS_CONF_SHEET for f in check_file(unit30).report.findings)


@pytest.mark.parametrize(
    ("conf", "status", "message"),
    [({}, 401, access.NO_TOKEN), ({"AUTH": "Bearer dept-token-wrong-0000"}, 403, access.WRONG_TOKEN)],
    ids=["no token", "refused token"],
)
def test_a_refused_token_is_one_chinese_message_box(
    unit30: Path,
    server: str,
    vba_subs: set[str],
    conf: dict[str, str],
    status: int,
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    outcome = click(desk_for(unit30, user_conf=conf), server, "validate_all", vba_subs)
    assert (outcome.status, outcome.message_box, outcome.actions) == (status, message, [])
    assert "dept-token" not in caplog.text  # never logged, right or wrong


def test_a_server_slower_than_the_buttons_timeout(unit30: Path, vba_subs: set[str]) -> None:
    # The engine held up (a queue, a slow disk): the client gives up at its timeout, as WinHttp would.
    released = threading.Event()

    def slow(entry: str, payload: dict[str, Any]) -> dict[str, Any]:
        released.wait(10)
        return {"actions": []}

    app = FastAPI()
    excelroutes.mount(app, slow, token=None)
    with serving(app) as origin:
        started = time.monotonic()
        outcome = run_server_python(
            desk_for(unit30), f"{origin}/xlwings/vba/validate_all", vba_subs=vba_subs, timeout=800
        )
        waited = time.monotonic() - started
        released.set()
    assert (
        outcome.status == 408 and outcome.message_box is not None and outcome.message_box.startswith("Request Timeout")
    )
    assert 0.7 < waited < 8


def test_unreachable_server_is_what_the_buttons_probe_guards(unit30: Path, vba_subs: set[str]) -> None:
    # Without the probe the user would see RunServerPython's English 408; the buttons check /health first.
    from tests.liveserver import free_port

    outcome = run_server_python(
        desk_for(unit30), f"http://127.0.0.1:{free_port()}/xlwings/vba/validate_all", vba_subs=vba_subs, timeout=2000
    )
    assert outcome.status == 408
    text = Path("macros/XlgoalsButtons.bas").read_text()
    assert 'client.GetJson("health")' in text and "XlgoalsText.Unreachable(server)" in text


def test_other_refusals_are_chinese_text(unit30: Path, server: str, vba_subs: set[str]) -> None:
    desk = desk_for(unit30, user_conf={"AUTH": TOKEN})
    unknown = click(desk, server, "export_summary", vba_subs)
    assert unknown.status == 404 and "可用的按钮" in (unknown.message_box or "")
    headers = {"Authorization": authorization(TOKEN), "Content-Type": "application/json"}
    payload = remote_bas.build_payload(desk)
    payload["version"] = "0.36.0"
    answer = httpx.post(f"{server}/xlwings/vba/validate_all", content=remote_bas.vba_json(payload), headers=headers)
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/plain")
    assert answer.text == VERSION_MISMATCH.format(client="0.36.0", server=remote_bas.XLWINGS_VERSION)
    garbage = httpx.post(f"{server}/xlwings/vba/validate_all", content=b"{not json", headers=headers)
    assert garbage.status_code == 400 and re.search(r"[\u4e00-\u9fff]", garbage.text)


# --- two units at once -------------------------------------------------------------------------------------


def test_two_units_at_once_see_only_their_own(
    unit30: Path, sample_xlsx: Path, server: str, vba_subs: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both come from the same published table; only the 30-project unit has renamed sheets and numbered names.
    marks_of_unit30 = [*CHINESE_SHEETS[:1], CHINESE_SHEETS[2], "（10）"]
    # The server (in this process) spools uploads under the temporary directory: a private one for this test,
    # so other programs' files in /tmp do not count.
    spool = tmp_path / "tmp"
    spool.mkdir()
    os.utime(spool, (0, 0))
    monkeypatch.setattr(tempfile, "tempdir", str(spool))

    def one_click(path: Path) -> tuple[Path, str]:
        outcome = click(desk_for(path, user_conf={"AUTH": TOKEN}), server, "validate_all", vba_subs)
        checked = upload(server, path, authorization(TOKEN))
        assert outcome.status == 200 and checked.status_code == 200, checked.text[:200]
        return path, json.dumps(outcome.actions, ensure_ascii=False) + checked.text

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(one_click, [unit30, sample_xlsx] * 4))
    for path, answer in answers:
        if path == unit30:
            assert all(mark in answer for mark in marks_of_unit30) and sample_xlsx.name not in answer
        else:
            assert sample_xlsx.name in answer and not any(mark in answer for mark in marks_of_unit30)
    # The uploads were spooled there (the folder changed), and nothing of either is left.
    assert spool.stat().st_mtime > 0 and list(spool.iterdir()) == []


# --- Remote.bas' JSON --------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('0123456789.Ee-+ 项目"\\/\n\t,:[]{}😀'), max_size=40))
def test_any_text_cell_reads_back_as_typed(text: str) -> None:
    # VBA-JSON leaves 16-100 characters of digits/./E unquoted; the server reads such text back, and what it
    # cannot tell from a number (a valid JSON number VBA might have sent) keeps its value.
    body = remote_bas.vba_json({"values": [[text, 1.5, None]]}).encode("ascii")
    got = parse_vba_json(body)["values"][0]
    assert got[1:] == [1.5, None]
    assert got[0] == text or (isinstance(got[0], float) and got[0] == float(text))


def test_long_codes_arrive_as_text() -> None:
    body = remote_bas.vba_json([["0012345678901234567", "310101199001011234", "1.2.3.4.5.6.7.8.9", 123456789012345.0]])
    assert "0012345678901234567" in body and '"0012345678901234567"' not in body  # VBA-JSON writes it bare
    assert parse_vba_json(body.encode()) == [
        ["0012345678901234567", "310101199001011234", "1.2.3.4.5.6.7.8.9", 123456789012345]
    ]


# --- the origin rule ---------------------------------------------------------------------------------------


def test_another_origin_is_refused_before_any_work(server: str, sample_xlsx: Path) -> None:
    headers = {"Authorization": authorization(TOKEN), "Origin": "http://evil.example"}
    with sample_xlsx.open("rb") as f:
        answer = httpx.post(f"{server}/api/check", files={"files": ("a.xlsx", f.read())}, headers=headers)
    assert answer.status_code == 403 and "access-control-allow-origin" not in answer.headers
    preflight = httpx.options(
        f"{server}/xlwings/custom-scripts-call/validate_all",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
    same = httpx.get(f"{server}/health", headers={"Origin": server})
    assert same.status_code == 200
