"""The upload page in a real browser: Debian's chromium driven by selenium against `xlgoals serve`'s app."""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from tests.builders.browser import needs_chromium, table_rows, wait_for
from tests.builders.liveserver import WAIT
from tests.builders.summary_tables import amount, records
from tests.builders.uploads import unit_workbooks
from xlgoals.core.model import Unit
from xlgoals.core.yearonyear import change_percent
from xlgoals.department.consolidate import DEPARTMENT_TOTAL, LEDGER_SHEET, UNITS_SHEET
from xlgoals.department.consolidate.tables import UNIT_COLUMNS, UNITS_PRINTED
from xlgoals.unit.pipeline import check_file
from xlgoals.validation import marks
from xlgoals.workbooks.template import write_unit

pytestmark = needs_chromium
# Set to a path (e.g. docs/web.png) to keep a screenshot of the page with a checked workbook.
SCREENSHOT = os.environ.get("XLGOALS_SCREENSHOT")
SUMMARY_SCREENSHOT = os.environ.get("XLGOALS_SUMMARY_SCREENSHOT")


def _downloaded(folder: Path, name: str) -> Path:
    path = folder / name
    deadline = time.monotonic() + WAIT
    while not path.exists() or any(folder.glob("*.crdownload")):
        assert time.monotonic() < deadline, f"{name} was not downloaded: {sorted(os.listdir(folder))}"
        time.sleep(0.1)
    return path


def test_one_workbook_shows_its_findings_and_downloads_marked(
    page_server: str, browser: tuple[Any, Path], sample_xlsx: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver, downloads = browser
    driver.get(page_server)
    assert driver.title.startswith("绩效目标表在线校验")
    driver.find_element(By.ID, "one").send_keys(str(sample_xlsx))
    wait_for(driver, lambda d: d.find_element(By.ID, "check").is_displayed())
    report = check_file(sample_xlsx).report
    findings = table_rows(driver, "findings")
    assert [(level, where) for level, where, _ in findings] == [
        ({"error": "错误", "warning": "警告", "info": "提示"}[f.severity.value], f.location) for f in report.findings
    ]
    assert all(where.startswith("项目") and "!" in where for _, where, _ in findings)
    projects = table_rows(driver, "projects")
    assert [row[1] for row in projects] == ["项目1", "项目2", "项目3"]
    # The roll-up: every 同比 shown follows from the two amounts on its row; 合计 has none of its own.
    rollup = table_rows(driver, "rollup")
    assert [r[0] for r in rollup[-3:]] == [
        "合计（3 个项目）",
        "其中可比项目（3 个，有上年预算）",
        "其中新增项目（0 个，不计入同比）",
    ]
    for label, this, last, change, _rate in rollup:
        if change:
            assert amount(change) == change_percent(amount(this), amount(last)), label
    assert rollup[-3][3] == "" and rollup[-2][3] == "-4.73%" and rollup[-3][1] == "5,989,200"
    status = driver.find_element(By.ID, "status").text
    assert f"警告 {report.counts()['warning']} 项" in status
    if SCREENSHOT:
        driver.save_screenshot(SCREENSHOT)
    driver.find_element(By.CSS_SELECTOR, "#check-downloads a[download='unit_校验.xlsx']").click()
    marked = openpyxl.load_workbook(_downloaded(downloads, "unit_校验.xlsx"))
    assert marks.RESULTS_TITLE in marked.sheetnames
    for f in report.findings:
        if f.sheet and f.cell and f.severity in marks.MARKED_SEVERITIES:
            note = marked[f.sheet][f.cell].comment
            assert note is not None and f.message in note.text
            assert marked[f.sheet][f.cell].fill.fgColor.rgb.endswith(marks.FILL_HEX[f.severity])


def test_three_workbooks_give_a_summary_that_reconciles(
    page_server: str, browser: tuple[Any, Path], sample_unit: Unit, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver, downloads = browser
    paths = unit_workbooks(sample_unit, tmp_path / "units", 3)
    driver.get(page_server)
    driver.find_element(By.ID, "many").send_keys("\n".join(str(p) for p in paths))
    wait_for(driver, lambda d: d.find_element(By.ID, "summary").is_displayed())
    assert "共 3 个文件" in driver.find_element(By.ID, "summary-title").text
    driver.find_element(By.CSS_SELECTOR, "#summary-downloads a").click()
    book = _downloaded(downloads, "部门汇总.xlsx")
    units = [check_file(p).unit for p in paths]
    *unit_rows, total = records(book, UNITS_SHEET)
    assert total["单位"] == DEPARTMENT_TOTAL
    assert sorted(r["单位"] for r in unit_rows) == sorted(u.name for u in units)
    expected = sum((u.money_totals()["budget_year"] for u in units), Decimal(0))
    column = "项目当年预算（元）"
    assert Decimal(str(total[column])) == expected == sum(Decimal(str(r[column])) for r in unit_rows)
    ledger = records(book, LEDGER_SHEET)
    assert sorted(r["文件"] for r in ledger) == sorted(p.name for p in paths) and {r["状态"] for r in ledger} == {
        "已读取"
    }
    # The page shows 单位汇总 as the workbook prints it: same titles, same rows, 部门合计 last and bold.
    titles = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#units thead th")]
    assert titles == [c.title for c in UNIT_COLUMNS[:UNITS_PRINTED]]
    page = table_rows(driver, "units")
    assert [r[0] for r in page] == [r["单位"] for r in (*unit_rows, total)]
    for shown, row in zip(page, (*unit_rows, total), strict=True):
        for text, title in zip(shown, titles, strict=True):
            value = row[title]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert amount(text) == Decimal(str(value)), (title, text, value)
        this, last, pct = (
            shown[titles.index(t)] for t in ("可比项目当年（元）", "可比项目上年（元）", "同比增减（%）")
        )
        if pct:
            assert amount(pct) == change_percent(amount(this), amount(last))
    bold = driver.find_element(By.CSS_SELECTOR, "#units tbody tr.total td").value_of_css_property("font-weight")
    assert int(bold) >= 700
    if SUMMARY_SCREENSHOT:
        driver.save_screenshot(SUMMARY_SCREENSHOT)


def test_a_summary_of_mixed_years_says_so_on_the_page(
    page_server: str, browser: tuple[Any, Path], sample_unit: Unit, tmp_path: Path
) -> None:
    """Last year's workbook uploaded with this year's is summed into 部门合计 like the others: the page says which
    file stands apart, as the command line and the JSON do (the consolidation's own note)."""
    from selenium.webdriver.common.by import By

    driver, _ = browser
    paths = unit_workbooks(sample_unit, tmp_path / "units", 3)
    last_year = sample_unit.model_copy(update={"name": "测试单位1", "year": (sample_unit.year or 2020) - 1})
    write_unit(last_year, paths[0])
    driver.get(page_server)
    driver.find_element(By.ID, "many").send_keys("\n".join(str(p) for p in paths))
    wait_for(driver, lambda d: d.find_element(By.ID, "summary").is_displayed())
    line = "".join(driver.find_element(By.ID, "summary-line").text.split())
    assert f"注意：本次汇总的单位工作簿不属同一年度（{last_year.year}年度1个" in line, line
    assert f"{paths[0].name}（{last_year.year}年度）" in line and "请移出后重新汇总" in line


def test_taskpane_outside_excel_says_so(page_server: str, browser: tuple[Any, Path]) -> None:
    from selenium.webdriver.common.by import By

    driver, _ = browser
    driver.get(page_server + "taskpane.html")
    status = wait_for(
        driver,
        lambda d: d.find_element(By.ID, "status") if "正在连接" not in d.find_element(By.ID, "status").text else None,
    )
    # Office.js loads from this server (no internet here) and reports no Excel around the page.
    assert "须在 Excel 中作为加载项打开" in status.text
    assert all(not b.is_enabled() for b in driver.find_elements(By.CSS_SELECTOR, "button[xw-click]"))
