"""The web app Excel on the web calls: real payloads in, the same actions as a direct call out."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from fastapi.testclient import TestClient

from tests.xlbridge import apply_actions, payload_from_workbook
from xlgoals import layout, marks
from xlgoals.pipeline import check_file
from xlgoals.server import WEB_ENTRIES, create_app


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
        assert f"run('{name}')" in page
    assert "http://testserver/xlwings/custom-scripts-call/" in page
