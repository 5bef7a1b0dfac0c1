"""The web app Excel on the web calls: real payloads in, the same actions as a direct call out."""

from __future__ import annotations

import base64
import copy
import io
import json
import logging
import re
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from typer.testing import CliRunner

from tests.xlbridge import apply_actions, payload_from_workbook
from xlgoals.core import layout
from xlgoals.core.model import Unit
from xlgoals.shells.addin import WEB_ENTRIES
from xlgoals.shells.cli import app as cli_app
from xlgoals.shells.server import create_app
from xlgoals.shells.uploads import MB, Limits
from xlgoals.unit.pipeline import check_file
from xlgoals.validation import marks
from xlgoals.validation.findings import SEVERITY_ZH
from xlgoals.workbooks.template import write_unit

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def _payload(path: Path, **kwargs: object) -> dict[str, object]:
    wb = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    return payload_from_workbook(wb, book_name=path.name, values_from=values, **kwargs)  # type: ignore[arg-type]


def test_validate_all_over_http(client: TestClient, sample_xlsx: Path) -> None:
    response = client.post("/xlwings/custom-scripts-call/validate_all", json=_payload(sample_xlsx))
    assert response.status_code == 200
    actions = response.json()["actions"]
    wb = openpyxl.load_workbook(sample_xlsx)
    events = apply_actions(wb, actions)
    report = check_file(sample_xlsx).report
    assert marks.RESULTS_TITLE in wb.sheetnames
    for f in report.findings:
        if f.sheet and f.cell and f.severity in marks.MARKED_SEVERITIES:
            note = wb[f.sheet][f.cell].comment
            assert note is not None and f.message in note.text
    alerts = [e["args"][0] for e in events if e["func"] == "alert"]
    assert len(alerts) == 1 and f"警告 {report.counts()['warning']} 项" in alerts[0]


def test_add_project_over_http(client: TestClient, sample_xlsx: Path) -> None:
    response = client.post("/xlwings/custom-scripts-call/add_project", json=_payload(sample_xlsx))
    wb = openpyxl.load_workbook(sample_xlsx)
    apply_actions(wb, response.json()["actions"])
    assert "项目4" in wb.sheetnames and wb["项目4"][layout.PROJECT_FIELD["name"].label_cell].value == "项目名称"


def test_unknown_script_is_404(client: TestClient, sample_xlsx: Path) -> None:
    assert client.post("/xlwings/custom-scripts-call/os_system", json=_payload(sample_xlsx)).status_code == 404


def test_meta_lists_the_web_buttons(client: TestClient) -> None:
    meta = client.get("/xlwings/custom-scripts-meta").json()
    assert [m["function_name"] for m in meta] == list(WEB_ENTRIES)
    assert {m["caption"] for m in meta} >= {"校验本表", "校验全部", "新增项目"}


def test_manifest_and_taskpane_point_at_this_server(client: TestClient) -> None:
    manifest = client.get("/manifest.xml")
    assert manifest.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(manifest.content)
    ns = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1"}
    source = root.find("o:DefaultSettings/o:SourceLocation", ns)
    assert source is not None and source.get("DefaultValue") == "http://testserver/taskpane.html"
    page = client.get("/taskpane.html").text
    for name in WEB_ENTRIES:
        assert f'xw-click="{name}"' in page  # xlwings' client posts it to /xlwings/custom-scripts-call/<name>


# --- malformed Excel-on-the-web calls: 4xx with a Chinese message, no traceback in the log -----------------


def _good(sample_xlsx: Path) -> dict[str, Any]:
    return _payload(sample_xlsx)


def _mutated(sample_xlsx: Path, change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    payload = copy.deepcopy(_good(sample_xlsx))
    change(payload)
    return payload


MALFORMED: dict[str, Callable[[Path], bytes]] = {
    "empty object": lambda _: b"{}",
    "not json": lambda _: b"validate please",
    "invalid utf-8": lambda _: b'{"client": "\xff\xfe"}',
    "json array": lambda _: b"[1, 2, 3]",
    "json string": lambda _: b'"book"',
    "deeply nested": lambda _: b"[" * 100_000 + b"]" * 100_000,
    "no sheets": lambda p: json.dumps(_mutated(p, lambda d: d.pop("sheets"))).encode(),
    "empty sheets": lambda p: json.dumps(_mutated(p, lambda d: d.__setitem__("sheets", []))).encode(),
    "sheets not a list": lambda p: json.dumps(_mutated(p, lambda d: d.__setitem__("sheets", "项目1"))).encode(),
    "values 1-D": lambda p: json.dumps(_mutated(p, lambda d: d["sheets"][0].__setitem__("values", [1, 2]))).encode(),
    "values hold objects": lambda p: json.dumps(
        _mutated(p, lambda d: d["sheets"][0].__setitem__("values", [[{"x": 1}]]))
    ).encode(),
    "values missing": lambda p: json.dumps(_mutated(p, lambda d: d["sheets"][1].pop("values"))).encode(),
    "sheet without name": lambda p: json.dumps(_mutated(p, lambda d: d["sheets"][1].pop("name"))).encode(),
    "active sheet out of range": lambda p: json.dumps(
        _mutated(p, lambda d: d["book"].__setitem__("active_sheet_index", 99))
    ).encode(),
    "active sheet as text": lambda p: json.dumps(
        _mutated(p, lambda d: d["book"].__setitem__("active_sheet_index", "1"))
    ).encode(),
    "no book": lambda p: json.dumps(_mutated(p, lambda d: d.pop("book"))).encode(),
    "names not objects": lambda p: json.dumps(_mutated(p, lambda d: d.__setitem__("names", ["x"]))).encode(),
    "name without scope": lambda p: json.dumps(_mutated(p, lambda d: d.__setitem__("names", [{"name": "x"}]))).encode(),
    "office.js sheet without visibility": lambda p: json.dumps(
        _mutated(p, lambda d: d["sheets"][0].pop("visibility"))
    ).encode(),
    "vba client of another xlwings": lambda p: json.dumps(
        _mutated(p, lambda d: d.update(client="VBA", version="0.1.0"))
    ).encode(),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
@pytest.mark.parametrize("entry", WEB_ENTRIES)
def test_malformed_call_is_4xx_in_chinese_without_traceback(
    client: TestClient,
    sample_xlsx: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    case: str,
    entry: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    body = MALFORMED[case](sample_xlsx)
    response = client.post(
        f"/xlwings/custom-scripts-call/{entry}", content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert CJK.search(response.json()["detail"])
    _assert_no_traceback(caplog, capsys)


def _assert_no_traceback(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err + caplog.text


def test_unknown_entry_and_huge_call_are_refused_in_chinese(
    sample_xlsx: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    small = TestClient(create_app(Limits(json_bytes=MB)))
    unknown = small.post("/xlwings/custom-scripts-call/os.system", json=_good(sample_xlsx))
    assert unknown.status_code == 404 and "没有名为“os.system”的操作" in unknown.json()["detail"]
    huge = small.post(
        "/xlwings/custom-scripts-call/validate_all",
        content=b"[" + b"0," * MB + b"0]",
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413 and "1 MB" in huge.json()["detail"]
    undeclared = small.post(
        "/xlwings/custom-scripts-call/validate_all",
        content=iter([b"[", b"0," * MB, b"0]"]),  # streamed: no content-length to trust
        headers={"content-type": "application/json"},
    )
    assert undeclared.status_code == 413
    _assert_no_traceback(caplog, capsys)


def test_someone_elses_workbook_gets_a_chinese_alert(client: TestClient) -> None:
    payload = {
        "client": "Office.js",
        "version": "0.37.8",
        "book": {"name": "预算.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": [{"name": "Sheet1", "values": [["x"]], "visibility": "Visible", "pictures": [], "tables": []}],
    }
    response = client.post("/xlwings/custom-scripts-call/validate_all", json=payload)
    assert response.status_code == 200
    (alert,) = [a["args"][0] for a in response.json()["actions"] if a["func"] == "alert"]
    assert "单位信息" in alert


# --- the upload page -------------------------------------------------------------------------------------


def unit_workbooks(sample_unit: Unit, folder: Path, count: int) -> list[Path]:
    """`count` different unit workbooks from the sample: own names, 1-3 projects, own budgets."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        projects = [
            p.model_copy(update={"budget_year": Decimal(10_000 * (i + 1) + n)})
            for n, p in enumerate(sample_unit.projects[: i % 3 + 1])
        ]
        unit = sample_unit.model_copy(update={"name": f"测试单位{i + 1}", "projects": projects})
        path = folder / f"单位{i + 1}.xlsx"
        write_unit(unit, path)
        paths.append(path)
    return paths


def _upload(client: TestClient, url: str, *paths: Path) -> Response:
    return client.post(url, files=[("files", (p.name, p.read_bytes())) for p in paths])


def _workbook(download: dict[str, str]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["data"])))


def test_check_page_answers_what_the_cli_finds(client: TestClient, sample_xlsx: Path) -> None:
    response = _upload(client, "/api/check", sample_xlsx)
    assert response.status_code == 200
    data = response.json()
    checked = check_file(sample_xlsx)
    report = checked.report
    assert [(f["level"], f["location"], f["message"]) for f in data["findings"]] == [
        (SEVERITY_ZH[f.severity], f"{f.sheet}!{f.cell}" if f.cell else f.sheet or "", f.message)
        for f in report.findings
    ]
    assert data["counts"] == report.counts()
    assert [p["sheet"] for p in data["projects"]] == [p.sheet for p in checked.unit.projects]
    assert {p["status"] for p in data["projects"]} <= {"需修改", "请核对", "通过"}
    marked, rolled = (_workbook(d) for d in data["downloads"])
    assert [d["name"] for d in data["downloads"]] == ["unit_校验.xlsx", "unit_汇总.xlsx"]
    for f in report.findings:
        if f.sheet and f.cell and f.severity in marks.MARKED_SEVERITIES:
            note = marked[f.sheet][f.cell].comment
            assert note is not None and f.message in note.text
    assert marks.RESULTS_TITLE in marked.sheetnames and layout.SUMMARY_SHEET in rolled.sheetnames


def test_bad_file_gets_the_cli_message(client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    response = _upload(client, "/api/check", bad)
    assert response.status_code == 422
    assert not list(work.glob("xlgoals-web-*"))  # a refused request leaves nothing behind either
    monkeypatch.chdir(tmp_path)
    cli = CliRunner().invoke(cli_app, ["validate", bad.name])
    assert cli.exit_code == 2
    assert response.json()["detail"].replace(" ", "") in cli.output.replace("\n", "").replace(" ", "")
    assert "坏文件.xlsx" in response.json()["detail"]


def test_upload_limits_are_chinese(sample_xlsx: Path, tmp_path: Path) -> None:
    small = TestClient(create_app(Limits(file_bytes=1000, files=2, upload_bytes=4 * MB)))
    too_big = _upload(small, "/api/check", sample_xlsx)
    assert too_big.status_code == 413 and "unit.xlsx" in too_big.json()["detail"] and "上限" in too_big.json()["detail"]
    tiny = tmp_path / "t.xlsx"
    tiny.write_bytes(b"x")
    too_many = _upload(small, "/api/summary", tiny, tiny, tiny)
    assert too_many.status_code == 413 and "最多上传 2 个" in too_many.json()["detail"]
    two_for_one = _upload(small, "/api/check", tiny, tiny)
    assert two_for_one.status_code == 413 and "最多上传 1 个" in two_for_one.json()["detail"]
    huge = small.post("/api/summary", files=[("files", ("a.xlsx", b"0" * 5 * MB))])
    assert huge.status_code == 413 and "4 MB" in huge.json()["detail"]
    nothing = small.post("/api/check", data={"x": "1"})
    assert nothing.status_code == 400 and "请选择" in nothing.json()["detail"]
    not_a_form = small.post("/api/check", content=b"\x00\x01", headers={"content-type": "multipart/form-data"})
    assert not_a_form.status_code == 400 and CJK.search(not_a_form.json()["detail"])


def test_twenty_concurrent_uploads_get_their_own_answers(
    sample_unit: Unit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = unit_workbooks(sample_unit, tmp_path / "units", 20)
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    app = create_app()
    client = TestClient(app)
    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(lambda p: _upload(client, "/api/check", p), paths))
    for path, response in zip(paths, responses, strict=True):
        assert response.status_code == 200, response.text
        data = response.json()
        checked = check_file(path)
        assert data["file"] == path.name and data["unit"] == checked.unit.name
        assert data["counts"] == checked.report.counts()
        assert [p["name"] for p in data["projects"]] == [p.name for p in checked.unit.projects]
        rolled = _workbook(data["downloads"][1])
        assert layout.SUMMARY_SHEET in rolled.sheetnames
    # Every request's folder is gone, and no more workers ran than the limit allows.
    assert not list(work.glob("xlgoals-web-*"))
    assert 0 < len(app.state.workers.pool.pids()) <= Limits().jobs


def test_summary_of_three_units_reconciles(client: TestClient, sample_unit: Unit, tmp_path: Path) -> None:
    paths = unit_workbooks(sample_unit, tmp_path, 3)
    bad = tmp_path / "说明.txt"
    bad.write_text("不是工作簿", encoding="utf-8")
    response = _upload(client, "/api/summary", *paths, bad)
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    units = [check_file(p).unit for p in paths]
    expected = sum((u.money_totals()["budget_year"] for u in units), Decimal(0))
    assert Decimal(result["total"]["totals"]["budget_year"]) == expected
    assert result["total"]["projects"] == sum(len(u.projects) for u in units)
    assert result["status"]["已读取"] == 3 and [p["file"] for p in result["problems"]] == ["说明.txt"]
    (download,) = response.json()["downloads"]
    summary = _workbook(download)
    first = layout.SUMMARY_TABLE_HEADER_ROW + 1  # under the title block and the header
    ledger = [row for row in summary["台账"].iter_rows(min_row=first, values_only=True) if row[0] is not None]
    assert sorted(row[1] for row in ledger) == sorted([p.name for p in paths] + ["说明.txt"])


def test_page_and_its_assets_come_from_this_server(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "选择一个单位工作簿校验" in page.text and "{{" not in page.text
    for asset in ("/web/web.js", "/web/web.css"):
        assert client.get(asset).status_code == 200
    scripts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    assert scripts and all(s.startswith("/web/") for s in scripts)
    assert "http" not in client.get("/web/web.js").text
    assert client.get("/web/../server.py").status_code == 404


def test_taskpane_loads_every_script_from_this_server(client: TestClient) -> None:
    page = client.get("/taskpane.html").text
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert "/static/js/custom-scripts/index.js" in scripts
    assert any(s.endswith("/office-js/16.0.20308.15050/dist/office.js") for s in scripts)
    for src in scripts:
        assert src.startswith("/static/"), src  # no CDN, no other host
        answer = client.get(src)
        assert answer.status_code == 200 and "javascript" in answer.headers["content-type"], src
    assert client.get("/static/../server.py").status_code == 404


def test_a_file_that_kills_its_reader_costs_only_its_own_answer(
    client: TestClient, sample_xlsx: Path, tmp_path: Path
) -> None:
    # One value in Excel's last cell: a reader that sizes its grid by the used range runs out of memory
    # (the worker's address space is bounded) and dies.
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["项目1"]["XFD1048576"] = "far away"
    far = tmp_path / "far.xlsx"
    wb.save(far)
    response = _upload(client, "/api/check", far)
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert "far.xlsx" in response.json()["detail"] and CJK.search(response.json()["detail"])
    assert _upload(client, "/api/check", sample_xlsx).status_code == 200


def test_uploaded_names_stay_inside_the_request_folder(client: TestClient, sample_xlsx: Path) -> None:
    data = sample_xlsx.read_bytes()
    response = client.post(
        "/api/summary",
        files=[
            ("files", ("../../单位.xlsx", data)),
            ("files", ("单位.xlsx", data)),
            ("files", ("C:\\a\\单位.xlsx", data)),
        ],
    )
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert result["status"] == {"已读取": 1, "已拒绝": 0, "重复": 2, "锁定文件": 0}
    assert sorted(p["file"] for p in result["problems"]) == ["单位 (2).xlsx", "单位 (3).xlsx"]


def test_macro_workbook_comes_back_with_its_macros(client: TestClient) -> None:
    template = Path(__file__).resolve().parent.parent / "workbook_templates" / "xlgoals_template.xlsm"
    response = _upload(client, "/api/check", template)
    assert response.status_code == 200, response.text
    marked = response.json()["downloads"][0]
    assert marked["name"] == "xlgoals_template_校验.xlsm" and "macroEnabled" in marked["type"]
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(marked["data"]))) as zf:
        assert "xl/vbaProject.bin" in zf.namelist()


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie (a killed worker of the fork server may linger as one)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _hangs(folder: Path, names: list[str], many: bool, rules: str) -> dict[str, Any]:
    """A job whose reader never returns (run in the server's worker process)."""
    import time

    while True:
        time.sleep(1)


def test_a_hung_job_answers_in_time_and_frees_its_worker(
    sample_unit: Unit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request past its time gets the Chinese 503, and the worker hung on it is killed: the next upload is
    answered by a fresh worker instead of waiting behind it."""
    import time

    import xlgoals.shells.uploads as uploads

    real = uploads._run_job
    path = unit_workbooks(sample_unit, tmp_path, 1)[0]
    app = create_app(Limits(seconds=3, jobs=1))
    with TestClient(app) as client:
        monkeypatch.setattr(uploads, "_run_job", _hangs)
        app.state.workers.warm()
        pids = app.state.workers.pool.pids()
        hung = _upload(client, "/api/check", path)
        assert hung.status_code == 503 and "处理超过 3 秒仍未完成" in hung.json()["detail"]
        for _ in range(50):  # SIGKILL is delivered asynchronously: give the killed worker a moment to exit
            if not any(_running(pid) for pid in pids):
                break
            time.sleep(0.1)
        assert pids and not any(_running(pid) for pid in pids), "the worker hung on the file is still running"
        monkeypatch.setattr(uploads, "_run_job", real)
        answer = _upload(client, "/api/check", path)
        assert answer.status_code == 200, answer.text
        assert answer.json()["file"] == path.name
