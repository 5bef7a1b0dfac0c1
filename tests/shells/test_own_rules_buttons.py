"""A bureau's own rule set, honoured by every button: the department says which rule sets count (`xlgoals serve
--rules`, XLGOALS_RULES, a desk's xlwings.conf); a cover naming one is checked by it through the remote engine
(RunServerPython and the pane), over HTTP (the upload page and the buttons' route) and on a desk with Python; a
cover naming one that does not count is refused by name, never checked by another; a cover cannot name a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
import xlwings as xw
from typer.testing import CliRunner

from tests.builders import remote_bas
from tests.builders.liveserver import serving, upload
from tests.builders.remote_bas import BUTTON_TIMEOUT_MS, desk_for
from tests.builders.xlbridge import apply_actions, payload_from_workbook, run_remote
from xlgoals import excel
from xlgoals.core import layout
from xlgoals.core.builtin import builtin_path
from xlgoals.core.ruleset import RuleSetError
from xlgoals.shells.cli import app
from xlgoals.shells.server import create_app
from xlgoals.unit.pipeline import check_file
from xlgoals.validation.counted import ENV, counted, desk_spec
from xlgoals.workbooks.template import write_unit

OWN_TITLE = "浦东新区（2021）"
# The sample's three descriptive targets are warnings under Shanghai's rules; the bureau makes them errors.
NOT_QUANTIFIED = 'code = "target.not-quantified"\ncheck = "target_quantified"\nseverity = "warning"'


def own_rules(folder: Path, title: str = OWN_TITLE, name: str = "pudong-2021") -> Path:
    text = builtin_path("shanghai-2020").read_text(encoding="utf-8")
    assert NOT_QUANTIFIED in text
    text = text.replace('name = "shanghai-2020"', f'name = "{name}"', 1).replace('"上海市（2020）"', f'"{title}"', 1)
    path = folder / f"{name}.toml"
    path.write_text(text.replace(NOT_QUANTIFIED, NOT_QUANTIFIED.replace("warning", "error")), encoding="utf-8")
    return path


@pytest.fixture
def own(tmp_path: Path) -> Path:
    return own_rules(tmp_path)


def workbook(folder: Path, sample_unit: Any, framework: str = OWN_TITLE, name: str = "浦东单位.xlsx") -> Path:
    path = folder / name
    write_unit(sample_unit.model_copy(update={"framework": framework}), path)
    return path


def remote(path: Path, entry: Any = excel.validate_all, **kwargs: Any) -> tuple[openpyxl.Workbook, list[str]]:
    wb, events = run_remote(
        openpyxl.load_workbook(path),
        entry,
        book_name=kwargs.pop("book_name", path.name),
        values_from=openpyxl.load_workbook(path, data_only=True),
        **kwargs,
    )
    return wb, [e["args"][0] for e in events if e["func"] == "alert"]


def results_text(wb: openpyxl.Workbook) -> str:
    ws = wb[layout.RESULTS_SHEET]
    return " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


# --- the remote engine (RunServerPython, the pane) ---------------------------------------------------------


def offered(book: openpyxl.Workbook, sheet: str, cell: str) -> list[str]:
    """What the dropdown at sheet!cell offers: the values of the list range its data validation names."""
    (rule,) = [dv for dv in book[sheet].data_validations.dataValidation if cell in dv.sqref]
    where, span = str(rule.formula1).split("!")
    lists = book[where.strip("'")]
    return [str(c.value) for row in lists[span.replace("$", "")] for c in row if c.value is not None]


def test_the_server_checks_by_the_registered_rule_set(
    own: Path, tmp_path: Path, sample_unit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path, sample_unit)
    monkeypatch.setenv(ENV, f"shanghai-2020;{own}")
    wb, alerts = remote(path)
    # The bureau's rule: the three descriptive targets are errors, not warnings.
    assert len(alerts) == 1 and "错误 3 项，警告 1 项" in alerts[0], alerts
    assert OWN_TITLE in results_text(wb)
    assert {f.code for f in check_file(path, rules=own).report.findings if f.severity.value == "error"} == {
        "target.not-quantified"
    }


def test_a_rule_set_the_server_lacks_is_refused_by_name(
    own: Path, tmp_path: Path, sample_unit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path, sample_unit)
    monkeypatch.setenv(ENV, "")
    wb, alerts = remote(path)
    assert len(alerts) == 1
    message = alerts[0]
    assert f"封面“指标体系”为“{OWN_TITLE}”，但校验服务器没有这个规则集，未作校验" in message
    assert "上海市（2020）" in message and "xlgoals serve --rules" in message
    cell = layout.COVER_FIELD["framework"].value_cell
    assert f"工作表 {layout.COVER_SHEET}，单元格 {cell}" in message
    # Nothing was checked by another rule set: no marks, no 校验结果.
    assert layout.RESULTS_SHEET not in wb.sheetnames
    # The batch path still accounts for the file: checked by the default, the cover's cell an error saying so.
    findings = check_file(path).report.findings
    assert [(f.code, f.cell) for f in findings if f.code == "unit.framework-unknown"] == [
        ("unit.framework-unknown", cell)
    ]


def test_the_department_decides_which_rule_sets_count(
    own: Path, tmp_path: Path, sample_unit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With only the bureau's rule set registered, a unit that switches its cover to a built-in (milder) one is
    refused, not checked by it."""
    monkeypatch.setenv(ENV, str(own))
    switched = workbook(tmp_path, sample_unit, framework="上海市（2020）", name="改了封面.xlsx")
    _, alerts = remote(switched)
    assert "封面“指标体系”为“上海市（2020）”，但校验服务器没有这个规则集" in alerts[0]
    assert f"校验服务器的指标体系有：“{OWN_TITLE}”" in alerts[0]
    # A blank cover is checked by the first rule set the department listed.
    blank = workbook(tmp_path, sample_unit, framework="", name="未填体系.xlsx")
    wb, alerts = remote(blank)
    assert "错误" in alerts[0] and OWN_TITLE in results_text(wb)


def test_a_cover_cannot_point_the_check_at_a_file(
    tmp_path: Path, sample_unit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule-set file with every rule switched off, named by path on the cover: never loaded."""
    weak = tmp_path / "weak.toml"
    text = builtin_path("shanghai-2020").read_text(encoding="utf-8")
    weak.write_text(text.replace("enabled = true", "enabled = false"), encoding="utf-8")
    path = workbook(tmp_path, sample_unit, framework=str(weak), name="路径.xlsx")
    monkeypatch.setenv(ENV, "")
    _, alerts = remote(path)
    assert f"封面“指标体系”为“{weak}”，但校验服务器没有这个规则集" in alerts[0]
    checked = check_file(path)
    assert checked.ruleset.name == "shanghai-2020" and checked.report.findings


# --- over HTTP: the upload page and the buttons' own route -------------------------------------------------


def test_over_http_the_page_and_the_buttons_follow_the_servers_rule_sets(
    own: Path,
    tmp_path: Path,
    sample_unit: Any,
    monkeypatch: pytest.MonkeyPatch,
    vba_subs: set[str],
) -> None:
    path = workbook(tmp_path, sample_unit)
    for registered in (True, False):
        if registered:
            monkeypatch.setenv(ENV, str(own))
        else:
            monkeypatch.setenv(ENV, "")
        # Set before the app starts: its worker processes inherit the list.
        with serving(create_app()) as origin:
            page = upload(origin, path, "")
            desk = desk_for(path, active_sheet=layout.COVER_SHEET)
            click = remote_bas.run_server_python(
                desk, f"{origin}/xlwings/vba/validate_all", vba_subs=vba_subs, timeout=BUTTON_TIMEOUT_MS
            )
            # The Office.js pane's call: the payload its client sends, to its own route.
            book = openpyxl.load_workbook(path)
            pane_payload = payload_from_workbook(
                book, book_name=path.name, values_from=openpyxl.load_workbook(path, data_only=True)
            )
            pane = httpx.post(f"{origin}/xlwings/custom-scripts-call/validate_all", json=pane_payload, timeout=120)
        assert click.status == 200 and pane.status_code == 200
        pane_alerts = [e["args"][0] for e in apply_actions(book, pane.json()["actions"]) if e["func"] == "alert"]
        alerts = [e["args"][0] for e in remote_bas.apply(desk, click) if e["func"] == "alert"]
        if registered:
            assert page.status_code == 200, page.text
            answer = page.json()
            assert OWN_TITLE in answer["verdict"] and answer["counts"]["error"] == 3
            assert "错误 3 项" in alerts[0] and OWN_TITLE in results_text(desk.wb)
            assert "错误 3 项" in pane_alerts[0] and OWN_TITLE in results_text(book)
        else:
            assert page.status_code == 422
            assert f"封面“指标体系”为“{OWN_TITLE}”，但校验服务器没有这个规则集" in page.json()["detail"]
            assert path.name in page.json()["detail"]
            assert f"“{OWN_TITLE}”，但校验服务器没有这个规则集" in alerts[0]
            assert layout.RESULTS_SHEET not in desk.wb.sheetnames
            assert f"“{OWN_TITLE}”，但校验服务器没有这个规则集" in pane_alerts[0]
            assert layout.RESULTS_SHEET not in book.sheetnames


def test_serve_registers_its_rule_sets_and_refuses_a_broken_one(
    own: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    started: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(__import__("os").environ[ENV]))
    monkeypatch.setenv(ENV, "")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve", "--rules", own.name, "--rules", "national"])
    assert result.exit_code == 0, result.output
    assert started == [f"{own.resolve()};national"]
    assert f"认可的指标体系：{OWN_TITLE}、全国（财政部）" in result.output.replace("\n", "")
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\ntitle = "X"\n[choices]\ncategory = []\n', encoding="utf-8")
    monkeypatch.setenv(ENV, "")
    result = CliRunner().invoke(app, ["serve", "--rules", str(broken)])
    assert result.exit_code == 2 and "规则集文件" in result.output and len(started) == 1
    # Two files whose titles the covers could not tell apart.
    twin = own_rules(tmp_path / "", name="pudong-copy")
    monkeypatch.setenv(ENV, "")
    result = CliRunner().invoke(app, ["serve", "--rules", str(own), "--rules", str(twin)])
    assert result.exit_code == 2 and OWN_TITLE in result.output and len(started) == 1


def test_counted_rule_sets_must_not_share_a_title(own: Path, tmp_path: Path) -> None:
    twin = own_rules(tmp_path, name="pudong-copy")
    with pytest.raises(RuleSetError, match="无法区分"):
        counted(f"{own};{twin}").sets()
    assert [rs.name for rs in counted("").sets()] == ["shanghai-2020", "national", "national-2015"]


# --- a desk with Python (RunPython): the xlwings.conf beside the workbook, then the user's -----------------


def test_a_desk_finds_the_rule_set_its_xlwings_conf_names(
    own: Path, tmp_path: Path, sample_unit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "单位"
    folder.mkdir()
    path = workbook(folder, sample_unit)
    user_conf = tmp_path / "home" / "xlwings.conf"
    user_conf.parent.mkdir()
    monkeypatch.setattr(xw, "USER_CONFIG_FILE", str(user_conf))
    monkeypatch.setenv(ENV, "")
    # RunPython's book: a file on this desk (the remote engine stands in for COM; the path is the book's).
    monkeypatch.setattr(excel, "is_remote", lambda book: False)
    _, alerts = remote(path, book_name=str(path))
    assert "本机没有这个规则集" in alerts[0] and "xlwings.conf" in alerts[0]
    # The user's conf, written by IT: an absolute path.
    user_conf.write_text(f'"INTERPRETER_WIN","C:\\\\Python\\\\python.exe"\n"{ENV}","{own}"\n', encoding="utf-8")
    wb, alerts = remote(path, book_name=str(path))
    assert "错误 3 项" in alerts[0] and OWN_TITLE in results_text(wb)
    # The conf beside the workbook comes first; its relative path is taken from its own folder.
    (folder / "规则").mkdir()
    moved = own_rules(folder / "规则", title="浦东新区（2022）", name="pudong-2022")
    (folder / "xlwings.conf").write_text(f'"{ENV}","规则/{moved.name}"\n', encoding="utf-8")
    assert desk_spec(folder, user_conf) == str(folder / "规则" / moved.name)
    _, alerts = remote(path, book_name=str(path))
    assert "本机没有这个规则集" in alerts[0] and "浦东新区（2022）" in alerts[0]


# --- the 自评 workbook of a declaration under the bureau's rule set ----------------------------------------


def test_selfeval_of_a_declaration_under_an_unknown_rule_set_is_refused(
    own: Path, tmp_path: Path, sample_unit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule set scores every row: without it at hand the 自评 is not written by another's points."""
    path = workbook(tmp_path, sample_unit)
    monkeypatch.setenv(ENV, "")
    refused = CliRunner().invoke(app, ["selfeval", str(path), "-o", str(tmp_path / "自评.xlsx")])
    assert refused.exit_code == 2 and not (tmp_path / "自评.xlsx").exists()
    text = refused.output.replace("\n", "")
    assert f"封面“指标体系”为“{OWN_TITLE}”，但本机没有这个规则集" in text and "--rules" in text
    for registered, args in ((False, ["--rules", str(own)]), (True, [])):
        if registered:
            monkeypatch.setenv(ENV, str(own))
        out = tmp_path / f"自评{len(args)}.xlsx"
        made = CliRunner().invoke(app, ["selfeval", str(path), "-o", str(out), *args])
        assert made.exit_code == 0, made.output
        assert f"计分规则：{OWN_TITLE}" in made.output.replace("\n", "")
        # The 自评 cover names the bureau's rule set, and its 指标体系 dropdown offers it beside the built-ins.
        book = openpyxl.load_workbook(out)
        cell = layout.COVER_FIELD["framework"].value_cell
        assert book[layout.COVER_SHEET][cell].value == OWN_TITLE
        assert OWN_TITLE in offered(book, layout.COVER_SHEET, cell)
