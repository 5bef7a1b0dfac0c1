"""The upload page takes 自评 workbooks the same way: over HTTP, and in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.builders.browser import needs_chromium, table_rows, wait_for
from tests.builders.selfeval_sample import TOTALS, UNIT_MEAN
from tests.builders.uploads import downloaded_workbook, post_files
from xlgoals.core import layout
from xlgoals.shells.server import create_app


def test_checking_a_selfeval_answers_its_scores(sample_selfeval: Path) -> None:
    data = post_files(TestClient(create_app()), "/api/check", sample_selfeval).json()
    assert [(f["location"], f["level"]) for f in data["findings"]] == [("项目1!H21", "错误")]
    assert [p["total"] for p in data["selfeval"]["projects"]] == [str(t) for t in TOTALS.values()]
    assert data["selfeval"]["mean_total"] == str(UNIT_MEAN) and data["selfeval"]["unexplained"] == 1
    marked, rolled = (downloaded_workbook(d) for d in data["downloads"])
    assert marked["项目1"]["H21"].comment is not None
    assert rolled[layout.SUMMARY_SHEET]["A1"].value == "项目支出绩效自评汇总"


def test_a_summary_of_selfevals_gives_the_selfeval_view(sample_selfeval: Path, sample_xlsx: Path) -> None:
    data = post_files(TestClient(create_app()), "/api/summary", sample_selfeval, sample_xlsx).json()
    result = data["result"]
    assert result["sheets"][:4] == ["概况", "单位汇总", "自评汇总", "自评项目"]
    assert result["selfeval"]["total"]["mean_total"] == str(UNIT_MEAN)


@needs_chromium
def test_the_page_shows_each_projects_total(page_server: str, browser: tuple[Any, Path], sample_selfeval: Path) -> None:
    from selenium.webdriver.common.by import By

    driver, _ = browser
    driver.get(page_server)
    driver.find_element(By.ID, "one").send_keys(str(sample_selfeval))
    wait_for(driver, lambda d: d.find_element(By.ID, "selfeval").is_displayed())
    rows = table_rows(driver, "selfeval-projects")
    assert [(r[0], r[3], r[4]) for r in rows] == [(s, str(t), "优") for s, t in TOTALS.items()]
    assert f"平均总分 {UNIT_MEAN}" in driver.find_element(By.ID, "selfeval-line").text
