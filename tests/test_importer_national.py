"""The national form end to end: an imported national table becomes a national-form workbook and reads back."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.test_real_tables import REAL, STEMS, expected_values, pairs
from xlgoals.core import layout
from xlgoals.core.errors import ImportTextError
from xlgoals.importing.importer import import_file, import_text
from xlgoals.io.reader import read
from xlgoals.shells.cli import app
from xlgoals.workbooks.template import write_unit


@pytest.mark.parametrize("stem", ["nanyue_2018_fupin_jichusheshi", "fengjie_2023_yunwu_jiagongyuan"])
def test_national_table_round_trips_through_the_national_form(stem: str, tmp_path: Path) -> None:
    unit = import_file(REAL / f"{stem}.txt").unit
    out = tmp_path / "unit.xlsx"
    write_unit(unit, out)
    ws = openpyxl.load_workbook(out)["项目1"]
    for spec in layout.NATIONAL_PROJECT_FIELDS:
        assert ws[spec.label_cell].value == spec.label
    assert ws[layout.NATIONAL_BUDGET_SECTION_CELL].value == "资金情况（万元）"
    assert ws[f"A{layout.INDICATOR_HEADER_ROW}"].value == "一级指标"
    back = read(out)
    assert back.framework == unit.framework
    p, q = unit.projects[0], back.projects[0]
    for key in ("name", "department", "implementer", "budget_year", "budget_fiscal", "budget_other", "goals"):
        assert getattr(q, key) == getattr(p, key), key
    assert [(i.level1, i.level2, i.name, i.value) for i in q.indicators] == [
        (i.level1, i.level2, i.name, i.value) for i in p.indicators
    ]
    # money is shown in 万元 on the sheet and read back as yuan
    budget = next(f for f in layout.NATIONAL_PROJECT_FIELDS if f.key == "budget_year")
    assert Decimal(str(ws[budget.value_cell].value)) * 10_000 == p.budget_year


def test_a_shanghai_unit_still_gets_the_shanghai_form(tmp_path: Path) -> None:
    from tests.conftest import SAMPLE_TXT

    unit = import_file(SAMPLE_TXT).unit
    out = tmp_path / "sh.xlsx"
    write_unit(unit, out)
    ws = openpyxl.load_workbook(out)["项目1"]
    assert [ws[s.label_cell].value for s in layout.PROJECT_FIELDS] == [s.label for s in layout.PROJECT_FIELDS]
    assert layout.form_of([[c.value for c in row] for row in ws.iter_rows()]) == "shanghai"
    assert [len(p.indicators) for p in read(out).projects] == [16, 8, 6]


def test_cli_imports_a_foreign_xlsx(tmp_path: Path) -> None:
    from tests.test_real_tables import _rows

    stem = STEMS[1]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in _rows(stem):
        ws.append(row)
    other = tmp_path / "other.xlsx"
    wb.save(other)
    out = tmp_path / "unit.xlsx"
    result = CliRunner().invoke(app, ["import", str(other), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pairs(read(out)) == expected_values()[stem]


def test_every_threshold_without_an_official_source_says_so() -> None:
    from xlgoals.core.ruleset import builtin_rulesets

    thresholds = {"max_change_percent", "floor", "low", "high", "words"}
    for rs in builtin_rulesets():
        for rule in rs.rules:
            if thresholds & rule.params.keys():
                assert "house rule" in rule.why, (rs.name, rule.code)


# --- the recogniser never fails on what it is fed -----------------------------------------------------------

_WORDS = [
    "项目名称", "项目名称：", "主管部门", "实施单位", "资金情况(万元)", "年度资金总额:", "其中:财政拨款", "其他资金",
    "一级指标", "二级指标", "三级指标", "指标值", "分值", "备注", "实际完成值", "产出指标", "产出指标(50分)",
    "成本指标", "(0-20)分", "数量指标", "经济效益", "指标", "满意度指标", "服务对象满意度指标", "≥95%", "10",
    "854万", "很多", "2023年12月前", "来源:", "浏览量:1", "注:", "(盖章)", "|", "", "道路",
    "2023年项目支出绩效目标申报表", "(2022年度)", "項目名稱", "萬", "*", "-", "/",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_WORDS), max_size=8), max_size=25),
    st.sampled_from(["\t", " | ", "  ", " ", "\n\n"]),
)
def test_any_arrangement_of_table_words_imports_or_says_why(rows: list[list[str]], sep: str) -> None:
    text = "\n".join(sep.join(r) for r in rows)
    try:
        result = import_text(text, "generated.txt")
    except ImportTextError as e:
        assert e.file == "generated.txt"
        return
    for p in result.unit.projects:
        assert p.name or p.indicators
        for ind in p.indicators:
            assert ind.name


def test_importing_our_own_workbook_says_to_validate_it(tmp_path: Path) -> None:
    from xlgoals.workbooks.template import write_template

    path = tmp_path / "ours.xlsx"
    write_template(path)
    with pytest.raises(ImportTextError, match="validate"):
        import_file(path)


def test_a_foreign_xlsx_without_a_table_is_refused_in_chinese(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["会议纪要", "2023年"])
    path = tmp_path / "memo.xlsx"
    wb.save(path)
    with pytest.raises(ImportTextError, match="找不到绩效目标表") as e:
        import_file(path)
    assert e.value.file == str(path)


def test_a_shanghai_form_sheet_under_the_national_rules_is_asked_for_its_own_fields(tmp_path: Path) -> None:
    from tests.conftest import SAMPLE_TXT
    from xlgoals.core.ruleset import load_ruleset
    from xlgoals.validation.rules import validate

    out = tmp_path / "sh.xlsx"
    write_unit(import_file(SAMPLE_TXT).unit, out)
    unit = read(out)
    required = [f for f in validate(unit, load_ruleset("national")).findings if f.code == "field.required"]
    assert required == []  # 主管部门 / 实施单位 are not fields of the Shanghai sheet
    unit.projects[0].basis = ""
    required = [f for f in validate(unit, load_ruleset("national")).findings if f.code == "field.required"]
    assert [(f.cell, f.field) for f in required] == [("B8", "basis")]


def test_cli_prints_unplaced_text_as_written(tmp_path: Path) -> None:
    src = tmp_path / "t.txt"
    src.write_text(
        "来源:[/b]某局[bold]\n项目名称 道路\n一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 里程 ≥5公里\n"
    )
    result = CliRunner().invoke(app, ["import", str(src), "-o", str(tmp_path / "u.xlsx")])
    assert result.exit_code == 0, result.output
    assert "[/b]某局[bold]" in result.output


def test_an_xls_file_is_told_to_be_saved_as_xlsx(tmp_path: Path) -> None:
    from xlgoals.core.errors import XlgoalsError
    from xlgoals.io.container import OLE_MAGIC

    path = tmp_path / "old.xls"
    path.write_bytes(OLE_MAGIC + b"\x00" * 600)
    with pytest.raises(XlgoalsError, match="另存为"):
        import_file(path)


def test_the_cover_of_a_national_unit_says_money_is_in_wan_yuan(tmp_path: Path) -> None:
    out = tmp_path / "n.xlsx"
    write_unit(import_file(REAL / "nanyue_2018_fupin_jichusheshi.txt").unit, out)
    cover = openpyxl.load_workbook(out)[layout.COVER_SHEET]
    texts = [str(c.value) for row in cover.iter_rows() for c in row if c.value]
    assert any("金额单位为万元" in t for t in texts)
    assert not any("金额单位为元" in t for t in texts)
