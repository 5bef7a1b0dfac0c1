"""The upload page takes 自评 workbooks the same way: over HTTP, and in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.test_selfeval_sample import TOTALS, UNIT_MEAN, fill
from tests.test_server import _upload, _workbook
from tests.test_web_browser import CHROMEDRIVER, CHROMIUM, _rows, _wait, browser, server
from xlgoals.core import layout
from xlgoals.io.reader import read
from xlgoals.shells.server import create_app
from xlgoals.unit.selfeval import write_selfeval

__all__ = ["browser", "server"]  # the browser fixtures, used here as in test_web_browser


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, sample_xlsx: Path) -> Path:
    folder = tmp_path_factory.mktemp("selfeval_web")
    write_selfeval(read(sample_xlsx), folder / "自评.xlsx")
    return fill(folder / "自评.xlsx", folder / "单位自评.xlsx")


def test_checking_a_selfeval_answers_its_scores(filled: Path) -> None:
    data = _upload(TestClient(create_app()), "/api/check", filled).json()
    assert [(f["location"], f["level"]) for f in data["findings"]] == [("项目1!H21", "错误")]
    assert [p["total"] for p in data["selfeval"]["projects"]] == [str(t) for t in TOTALS.values()]
    assert data["selfeval"]["mean_total"] == str(UNIT_MEAN) and data["selfeval"]["unexplained"] == 1
    marked, rolled = (_workbook(d) for d in data["downloads"])
    assert marked["项目1"]["H21"].comment is not None
    assert rolled[layout.SUMMARY_SHEET]["A1"].value == "项目支出绩效自评汇总"


def test_a_summary_of_selfevals_gives_the_selfeval_view(filled: Path, sample_xlsx: Path) -> None:
    data = _upload(TestClient(create_app()), "/api/summary", filled, sample_xlsx).json()
    result = data["result"]
    assert result["sheets"][:4] == ["概况", "单位汇总", "自评汇总", "自评项目"]
    assert result["selfeval"]["total"]["mean_total"] == str(UNIT_MEAN)


@pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason="chromium and chromium-driver are not installed")
def test_the_page_shows_each_projects_total(server: str, browser: tuple[Any, Path], filled: Path) -> None:
    from selenium.webdriver.common.by import By

    driver, _ = browser
    driver.get(server)
    driver.find_element(By.ID, "one").send_keys(str(filled))
    _wait(driver, lambda d: d.find_element(By.ID, "selfeval").is_displayed())
    rows = _rows(driver, "selfeval-projects")
    assert [(r[0], r[3], r[4]) for r in rows] == [(s, str(t), "优") for s, t in TOTALS.items()]
    assert f"平均总分 {UNIT_MEAN}" in driver.find_element(By.ID, "selfeval-line").text
