"""The Excel add-in's task pane in chromium with every outside address blocked: everything it loads is ours."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.builders.browser import chromium, needs_chromium, wait_for
from tests.builders.liveserver import serving
from xlgoals.shells.addin import WEB_ENTRIES
from xlgoals.shells.server import create_app

pytestmark = needs_chromium


TOKEN = "a-department-token-0123456789"


@pytest.fixture(scope="module")
def pane_server() -> Iterator[str]:
    with serving(create_app(token=TOKEN)) as origin:
        yield origin


@pytest.fixture
def offline_browser() -> Iterator[Any]:
    with chromium(offline=True) as driver:
        yield driver


def _network(driver: Any) -> tuple[list[str], list[tuple[str, str]]]:
    """(URLs requested, (URL, error) of each request that failed) from chromium's DevTools log."""
    urls: dict[str, str] = {}
    requested, failed = [], []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
            requested.append(params["request"]["url"])
        elif message["method"] == "Network.loadingFailed":
            failed.append((urls.get(params["requestId"], "?"), params.get("errorText", "")))
    return requested, failed


def test_pane_loads_offline_with_xlwings_client_and_office_js(pane_server: str, offline_browser: Any) -> None:
    from selenium.webdriver.common.by import By

    driver = offline_browser
    driver.get(pane_server + "/taskpane.html")
    # Outside Excel, office.js reports no host: the pane says so once both scripts have run.
    status = wait_for(
        driver,
        lambda d: d.find_element(By.ID, "status") if "正在连接" not in d.find_element(By.ID, "status").text else None,
    )
    assert "须在 Excel 中作为加载项打开" in status.text, status.text
    loaded = driver.execute_script(
        "return [typeof Office, typeof Office.onReady, typeof xlwings, typeof xlwings.runPython, typeof getAuth]"
    )
    assert loaded == ["object", "function", "object", "function", "function"]
    # Let office.js finish whatever it fetches after onReady (its host files, strings, telemetry).
    time.sleep(2)
    requested, failed = _network(driver)
    outside = [url for url in requested if not url.startswith((pane_server, "data:", "blob:", "about:"))]
    assert outside == [], outside
    assert failed == [], failed
    assert any(url.endswith("/dist/office.js") for url in requested)
    assert any(url.endswith("/custom-scripts/index.js") for url in requested)
    # The buttons wait for Excel; the token box is there because this server wants a token.
    buttons = driver.find_elements(By.CSS_SELECTOR, "button[xw-click]")
    assert [b.get_attribute("xw-click") for b in buttons] == list(WEB_ENTRIES)
    assert all(not b.is_enabled() for b in buttons)
    assert driver.find_element(By.ID, "token").get_attribute("type") == "password"


def test_pane_sends_the_saved_token(pane_server: str, offline_browser: Any) -> None:
    from selenium.webdriver.common.by import By

    driver = offline_browser
    driver.get(pane_server + "/taskpane.html")
    driver.find_element(By.ID, "token").send_keys("a-department-token-0123456789")
    driver.find_element(By.ID, "token-save").click()
    assert driver.execute_async_script("getAuth().then(arguments[0])") == {
        "token": "Bearer a-department-token-0123456789",
        "provider": "",
    }
    # What xlwings' client does with it: the header of its POST (xhrRequest), accepted by this server.
    status = driver.execute_async_script(
        """const done = arguments[0];
        getAuth().then(auth => fetch("/xlwings/custom-scripts-call/validate_all",
          {method: "POST", headers: {"Authorization": auth.token, "Content-Type": "application/json"}, body: "{}"}))
          .then(r => done(r.status));"""
    )
    assert status == 422  # past the token check; "{}" is not a workbook
    driver.execute_script("localStorage.clear()")
    status = driver.execute_async_script(
        """const done = arguments[0];
        fetch("/xlwings/custom-scripts-call/validate_all", {method: "POST", body: "{}"}).then(r => done(r.status));"""
    )
    assert status == 401


def test_another_sites_page_cannot_call_the_server(pane_server: str, offline_browser: Any) -> None:
    # A page from another origin (here: another port of this machine) tries the server the way a script would.
    with serving(create_app()) as other:
        driver = offline_browser
        driver.get(other + "/health")
        outcome = driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
            fetch(arguments[0] + "/xlwings/custom-scripts-call/validate_all",
              {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"})
              .then(r => done("read " + r.status), e => done("blocked " + e.name));""",
            pane_server,
        )
        assert outcome == "blocked TypeError"  # no Access-Control-Allow-Origin for another origin


def test_the_upload_page_asks_for_the_token_once(pane_server: str, offline_browser: Any, sample_xlsx: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions

    driver = offline_browser
    driver.get(pane_server + "/")
    driver.execute_script("localStorage.clear()")
    driver.find_element(By.ID, "one").send_keys(str(sample_xlsx))
    prompt = wait_for(driver, expected_conditions.alert_is_present())
    assert "口令" in prompt.text
    prompt.send_keys(TOKEN)
    prompt.accept()
    wait_for(driver, lambda d: d.find_element(By.ID, "check").is_displayed())
    assert driver.execute_script("return localStorage.getItem('xlgoals-token')") == TOKEN
