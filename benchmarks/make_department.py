"""Generate a supervising department's inbox: N unit workbooks in the template layout, some broken on purpose.

    python benchmarks/make_department.py OUT_DIR --units 1000 --seed 1 [--live]

Workbooks are written with XlsxWriter straight into the cell map of `xlgoals.core.layout` (openpyxl would take
about half a second per unit); the hidden _lists and _项目模板 sheets are copied from the real template so
each file carries what a real one does. With --live each unit is written by xlgoals itself
(`xlgoals.workbooks.template.write_unit`, what `xlgoals import` writes): the template with its live checks, some 440
formulas on every project sheet, as units that start from the template now send them; the typed mistakes are
then only those the model can hold (an unreadable target, 满意度 under 产出目标).
Everything depends only on --seed: the same seed gives the same files, byte for byte. `OUT_DIR.manifest.json`
lists every file with the status consolidation should give it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

from xlgoals.core import layout
from xlgoals.core.model import LONG_TEXT_FIELDS
from xlgoals.io.files import read_grids
from xlgoals.workbooks.template import build_workbook

# Bumped whenever the files change, so a benchmark never reuses a department made by an older generator.
GENERATOR_VERSION = 2
CREATED = datetime(2020, 1, 1)  # fixed document date: part of what makes the output reproducible
YEAR = 2020
EXCEL_EPOCH = date(1899, 12, 30)
FRAMEWORK = "上海市（2020）"
DEPARTMENTS = (
    "上海市科学技术委员会",
    "上海市卫生健康委员会",
    "上海市教育委员会",
    "上海市文化和旅游局",
    "上海市生态环境局",
)
DISTRICTS = ("", "徐汇区", "浦东新区", "闵行区", "杨浦区", "静安区", "长宁区", "普陀区", "嘉定区", "松江区")
FIELDS = (
    "科技创新",
    "生物医药",
    "中医药",
    "公共卫生",
    "职业教育",
    "文化遗产",
    "生态监测",
    "信息化",
    "人才发展",
    "技术转移",
)
KINDS = ("服务中心", "研究所", "促进中心", "发展中心", "研究院", "管理中心", "监测站", "事务中心")
TOPICS = (
    "国际交流对接",
    "产业孵化器运行保障",
    "科普宣传",
    "人才培训",
    "平台运行维护",
    "课题研究",
    "信息系统建设",
    "设备购置",
    "专项调查",
    "标准制定",
    "成果推广",
    "公共服务能力提升",
    "实验室运行",
    "档案数字化",
    "应急演练",
)
CATEGORIES = ("经常性项目", "一次性项目", "其他经常性项目", "其他一次性项目")
PERF_TYPES = ("其他类", "会议类", "培训类", "信息化建设类", "设备购置类", "修缮类", "政府购买服务类", "课题研究类")
PHRASES = ("根据市委市政府工作部署", "围绕本市生物医药产业发展目标", "为进一步提升公共服务能力",
           "按照《上海市市级财政项目支出预算管理办法》要求", "结合本单位年度重点工作", "通过组织专家论证",
           "建立健全项目管理制度和内控机制", "确保资金使用安全、规范、有效", "分阶段组织实施并开展绩效跟踪",
           "形成可复制可推广的经验做法", "加强与相关部门和社会机构的协作", "提高财政资金使用效益")  # fmt: skip

# (level-1, level-2) -> indicators: (name, kind, value pool). 'q' quantitative, 'l' qualitative, 'd' descriptive.
INDICATORS: dict[tuple[str, str], tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    ("投入与管理", "投入管理"): (("资金到位率(%)", "q", ("=100",)), ("预算执行率", "q", (">=95%", ">=90%"))),
    ("投入与管理", "财务管理"): (("资金使用合规性", "l", ("合规",)), ("财务监控有效性", "l", ("有效",)),
                                 ("会计核算规范性", "l", ("规范",))),
    ("投入与管理", "实施管理"): (("项目管理制度健全性", "l", ("健全",)), ("实施方案完成率", "q", (">=90%", "=100%")),
                                 ("政府采购合规性", "l", ("合规",))),
    ("产出目标", "数量"): (("举办会议场次", "q", (">=3场", ">=2场", "=4场")),
                           ("培训人次", "q", (">=500人次", ">=1200人次")),
                           ("发布研究报告", "q", ("=2份", ">=1份")), ("服务企业数量", "q", (">=120家", ">=60家")),
                           ("采购设备台数", "q", ("=12台", ">=5台"))),
    ("产出目标", "质量"): (("验收合格率", "q", ("=100%",)), ("成果质量达标率", "q", (">=95%",)),
                           ("设备运行完好率", "q", (">=98%",))),
    ("产出目标", "时效"): (("项目完成及时率", "q", ("=100%",)), ("按期完成率", "q", (">=98%",)),
                           ("资金支付及时性", "l", ("及时",))),
    ("产出目标", "成本"): (("成本控制率", "q", ("<=100%",)), ("人均培训成本", "q", ("<=800元", "<=1200元"))),
    ("效果目标", "经济效益"): (("带动社会投资", "q", (">=500万元", ">=200万元")),),
    ("效果目标", "社会效益"): (("受益人群覆盖率", "q", (">=80%", ">=90%")),
                               ("拓展合作渠道", "d", ("吸引国内外产业各界代表参与，搭建交流合作平台",))),
    ("效果目标", "生态效益"): (("节能减排达标率", "q", ("=100%",)),),
    ("效果目标", "可持续影响"): (("成果持续利用年限", "q", (">=3年", ">=5年")),),
    ("效果目标", "满意度"): (("服务对象满意度", "q", (">=90%", ">=85%")), ("参会人员满意度", "q", (">=85%",))),
    ("影响力目标", "长效管理"): (("长效管理机制健全性", "l", ("健全",)),
                                 ("有效管理持续性", "d", ("建立长效组织机制，为后续工作奠定基础",))),
    ("影响力目标", "人力资源"): (("专业人员配备率", "q", (">=90%",)),),
    ("影响力目标", "硬件条件"): (("设备完好率", "q", (">=95%",)),),
    ("影响力目标", "信息共享"): (("信息公开及时性", "l", ("及时",)), ("信息系统运行稳定性", "l", ("稳定",))),
    ("影响力目标", "部门协助"): (("部门协作机制", "l", ("健全",)),
                                 ("建立合作机制", "d", ("与合作单位形成有效的合作交流机制",))),
}  # fmt: skip
# The groups every project covers, so most generated units validate like a careful unit's would.
CORE = (("投入与管理", "投入管理"), ("产出目标", "数量"), ("产出目标", "质量"), ("产出目标", "时效"),
        ("效果目标", "满意度"), ("影响力目标", "长效管理"))  # fmt: skip
ORDER = {g: i for i, g in enumerate(INDICATORS)}


@dataclass(frozen=True)
class Entry:
    """One generated file and what consolidation should say about it."""

    path: str
    status: str
    note: str = ""
    unit: str = ""
    projects: int = 0
    budget_year: str = "0"


# --- one unit ------------------------------------------------------------------------------------------


def _money(rng: random.Random, low: int, high: int) -> int:
    return rng.randrange(low // 100, high // 100) * 100


def _text(rng: random.Random, n: int) -> str:
    return "，".join(rng.sample(PHRASES, n)) + "。"


def make_unit(index: int, seed: int) -> dict[str, Any]:
    """A unit as plain data (not the pydantic model: this runs in worker processes by the thousand)."""
    rng = random.Random(f"{seed}-{index}")
    name = f"上海市{rng.choice(DISTRICTS)}{rng.choice(FIELDS)}{rng.choice(KINDS)}（{index:04d}）"
    projects = []
    names: set[str] = set()
    for _ in range(rng.randint(5, 30)):
        pname = rng.choice(("", f"{YEAR}年度", "上海市")) + rng.choice(FIELDS) + rng.choice(TOPICS)
        while pname in names:
            pname += "（续）"
        names.add(pname)
        year_budget = _money(rng, 50_000, 5_000_000)
        last = None if rng.random() < 0.3 else int(year_budget * rng.uniform(0.8, 1.2)) // 100 * 100
        start = date(YEAR, rng.randint(1, 3), rng.randint(1, 28))
        indicators = []
        groups = [*CORE, *rng.sample(sorted(set(INDICATORS) - set(CORE)), rng.randint(2, 8))]
        want = rng.randint(8, 30)
        # One indicator from every group first, so the required level-1/level-2 are all there.
        chosen = [(g, rng.choice(INDICATORS[g])) for g in groups]
        rest = [(g, ind) for g in groups for ind in INDICATORS[g] if (g, ind) not in chosen]
        rng.shuffle(rest)
        chosen += rest[: max(0, want - len(chosen))]
        chosen.sort(key=lambda x: ORDER[x[0]])
        seen: set[str] = set()
        for (level1, level2), (iname, _kind, values) in chosen:
            while iname in seen:
                iname += "（二）"
            seen.add(iname)
            indicators.append([level1, level2, iname, rng.choice(values)])
        projects.append(
            {
                "name": pname,
                "category": rng.choice(CATEGORIES),
                "start": start,
                "end": date(YEAR, rng.randint(9, 12), rng.randint(1, 28)),
                "gov_purchase": rng.choice(("是", "否")),
                "perf_type": rng.choice(PERF_TYPES),
                **{k: _text(rng, rng.randint(2, 5)) for k in LONG_TEXT_FIELDS},
                "budget_total": year_budget if rng.random() < 0.8 else year_budget * rng.randint(2, 3),
                "budget_year": year_budget,
                "last_year_budget": last,
                "last_year_executed": None if last is None else int(last * rng.uniform(0.85, 1.0)) // 100 * 100,
                "indicators": indicators,
            }
        )
    return {
        "name": name,
        "year": YEAR,
        "framework": FRAMEWORK,
        "department": DEPARTMENTS[index % len(DEPARTMENTS)],
        "contact": rng.choice(("张", "王", "李", "赵", "陈")) + rng.choice(("伟", "芳", "敏", "静", "磊")),
        "phone": f"021-{rng.randint(50000000, 69999999)}",
        "folder": "",
        "projects": projects,
    }


def spoil(unit: dict[str, Any], rng: random.Random, typed_only: bool = False) -> str:
    """Bad values a hurried unit types; the file still reads, validation flags them. `typed_only`: only those
    a unit model can hold (a workbook xlgoals writes from one)."""
    p = unit["projects"][0]
    choice = 2 + rng.randrange(2) if typed_only else rng.randrange(4)
    if choice == 0:
        p["budget_year"] = "六十万"
        return "当年预算写成汉字"
    if choice == 1:
        p["start"] = "2020-13-45"
        return "开始日期不存在"
    if choice == 2:
        p["indicators"][0][3] = ">=abc"
        return "目标值无法识别"
    p["indicators"][-1][:2] = ["产出目标", "满意度"]
    return "满意度放在产出目标下"


# --- writing -------------------------------------------------------------------------------------------


Static = dict[str, Any]


class _Sheet:
    """Cells of one sheet collected first, so merged ranges can be written with their first cell's value."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.cells: dict[tuple[int, int], tuple[Any, Any]] = {}

    def put(self, cell: str, value: Any, fmt: Any = None) -> None:
        row, col = layout.split_address(cell)
        self.cells[(row - 1, col - 1)] = (value, fmt)

    def put_rc(self, r: int, c: int, value: Any, fmt: Any = None) -> None:
        self.cells[(r, c)] = (value, fmt)

    def flush(self, merges: list[str]) -> None:
        for rng in merges:
            first, last = rng.split(":")
            r1, c1 = layout.split_address(first)
            r2, c2 = layout.split_address(last)
            value, fmt = self.cells.get((r1 - 1, c1 - 1), (None, None))
            for r in range(r1 - 1, r2):
                for c in range(c1 - 1, c2):
                    self.cells.pop((r, c), None)
            self.ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", fmt)
            if value not in (None, ""):
                _write(self.ws, r1 - 1, c1 - 1, value, fmt)
        for (r, c), (value, fmt) in sorted(self.cells.items()):
            _write(self.ws, r, c, value, fmt)


def _write(ws: Any, r: int, c: int, value: Any, fmt: Any) -> None:
    if isinstance(value, tuple):  # (formula, cached result), as Excel stores a calculated cell
        ws.write_formula(r, c, value[0], fmt, value[1])
    elif value is None or value == "":
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)  # '=100' is a target value, never a formula
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_number(r, c, value, fmt)


class _Writer:
    """Writes what template.write_unit writes (values, merges, dropdowns, protection, print setup) with
    XlsxWriter; the hidden sheets, merged ranges and validations are taken from the real template."""

    def __init__(self, static: Static) -> None:
        self.static = static

    def write(self, unit: dict[str, Any], path: Path) -> None:
        wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
        wb.set_properties({"created": CREATED, "author": "xlgoals"})
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "border_color": "#808080", "text_wrap": True}
        entry = {**base, "bg_color": "#FFFDE7", "locked": False, "valign": "top"}
        fmts = {
            "label": wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "valign": "vcenter"}),
            "box": wb.add_format(entry),
            "target": wb.add_format({**entry, "num_format": "@", "valign": "vcenter"}),
            "money": wb.add_format({**entry, "num_format": "#,##0.00"}),
            "date": wb.add_format({**entry, "num_format": "yyyy-mm-dd"}),
            "title": wb.add_format({"font_name": "宋体", "bold": True, "font_size": 16, "align": "center"}),
            "body": wb.add_format({"font_name": "宋体", "font_size": 10, "align": "center"}),
            "help": wb.add_format({"font_name": "宋体", "font_size": 9, "font_color": "#595959", "text_wrap": True}),
        }
        self._cover(wb.add_worksheet(layout.COVER_SHEET), unit, fmts)
        for i, project in enumerate(unit["projects"], start=1):
            self._project(wb.add_worksheet(layout.project_sheet_name(i)), unit, project, fmts)
        spare = wb.add_worksheet(layout.PROJECT_TEMPLATE_SHEET)
        self._project(spare, unit, None, fmts)
        spare.hide()
        lists = wb.add_worksheet(layout.LISTS_SHEET)
        for r, row in enumerate(self.static["lists"]):
            for c, value in enumerate(row):
                _write(lists, r, c, value, None)
        lists.hide()
        lists.protect()
        wb.close()

    def _setup(self, ws: Any, kind: str, last_row: int, repeat: bool) -> None:
        for rng, options in self.static["validations"][kind]:
            ws.data_validation(rng, options)
        for col, width in layout.PROJECT_COLUMN_WIDTHS.items():
            c = layout.column_index(col) - 1
            ws.set_column(c, c, width)
        # Labels stay locked; formatting stays allowed so validation can colour and annotate inputs.
        ws.protect("", {"format_cells": True, "format_columns": True, "format_rows": True, "objects": True})
        ws.print_area(0, 0, last_row - 1, 3)
        if repeat:
            ws.repeat_rows(0, 2)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5)
        ws.set_footer("&C第 &P 页，共 &N 页")

    def _cover(self, ws: Any, unit: dict[str, Any], fmts: dict[str, Any]) -> None:
        sheet = _Sheet(ws)
        sheet.put(layout.COVER_TITLE_CELL, "财政项目支出绩效目标申报 · 单位信息", fmts["title"])
        ws.set_row(0, 32)
        for spec in layout.COVER_FIELDS:
            sheet.put(spec.label_cell, spec.label, fmts["label"])
            sheet.put(spec.value_cell, unit.get(spec.key), fmts["box"])
        for i, line in enumerate(self.static["help"]):
            sheet.put_rc(layout.COVER_HELP_ROW - 1 + i, 0, line, fmts["help"])
            ws.set_row(layout.COVER_HELP_ROW - 1 + i, 28 if i else 16)
        sheet.flush(self.static["merges"]["cover"])
        self._setup(ws, "cover", layout.COVER_HELP_ROW + len(self.static["help"]) - 1, repeat=False)

    def _project(self, ws: Any, unit: dict[str, Any], p: dict[str, Any] | None, fmts: dict[str, Any]) -> None:
        sheet = _Sheet(ws)
        cover = layout.quote_sheet(layout.COVER_SHEET)
        year = (f'="（"&{cover}!$B$4&"年度）"', f"（{unit['year']}年度）")
        name = (f'="申报单位名称："&{cover}!$B$3', f"申报单位名称：{unit['name']}")
        sheet.put(layout.PROJECT_TITLE_CELL, "财政项目支出绩效目标表", fmts["title"])
        sheet.put(layout.PROJECT_YEAR_CELL, year, fmts["body"])
        sheet.put(layout.PROJECT_UNIT_CELL, name, fmts["body"])
        for row, height in ((1, 30), (4, 30), (6, 30), (13, 20), (16, 20)):
            ws.set_row(row - 1, height)
        for spec in layout.PROJECT_FIELDS:
            sheet.put(spec.label_cell, spec.label, fmts["label"])
            kind = "money" if spec.kind == "money" else "date" if spec.kind == "date" else "box"
            sheet.put(spec.value_cell, p.get(spec.key) if p else None, fmts[kind])
            if spec.merge_to:
                ws.set_row(layout.split_address(spec.value_cell)[0] - 1, 96)
        sheet.put(layout.BUDGET_SECTION_CELL, layout.BUDGET_SECTION_TITLE, fmts["label"])
        section = (f'={cover}!$B$4&"年绩效目标"', f"{unit['year']}年绩效目标")
        sheet.put(layout.INDICATOR_SECTION_CELL, section, fmts["label"])
        for c, part in enumerate(layout.INDICATOR_COLUMNS):
            sheet.put_rc(layout.INDICATOR_HEADER_ROW - 1, c, layout.INDICATOR_HEADERS[part], fmts["label"])
        indicators = p["indicators"] if p else []
        previous = ("", "")
        rows = max(layout.INDICATOR_ROWS, len(indicators))
        for i in range(rows):
            r = layout.INDICATOR_FIRST_ROW - 1 + i
            values = ("", "", "", "")
            if i < len(indicators):
                level1, level2, iname, value = indicators[i]
                # Like the merged cells of the paper form: a repeated level-1/level-2 is left blank.
                values = (
                    level1 if level1 != previous[0] else "",
                    level2 if (level1, level2) != previous else "",
                    iname,
                    value,
                )
                previous = (level1, level2)
            for c, v in enumerate(values):
                sheet.put_rc(r, c, v, fmts["target" if c == 3 else "box"])
        sheet.flush(self.static["merges"]["project"])
        self._setup(ws, "project", layout.INDICATOR_FIRST_ROW + rows - 1, repeat=True)


def _validation(dv: Any) -> list[tuple[str, dict[str, Any]]]:
    """An openpyxl data validation of the template as XlsxWriter options (one rule, all its ranges)."""
    options: dict[str, Any] = {
        "ignore_blank": True,
        "error_type": "warning" if dv.errorStyle == "warning" else "stop",
    }
    if dv.type == "list":
        options.update(validate="list", source="=" + dv.formula1)
    elif dv.type == "whole":
        options.update(validate="integer", criteria="between", minimum=int(dv.formula1), maximum=int(dv.formula2))
    elif dv.type == "date":
        low, high = (EXCEL_EPOCH + timedelta(days=int(f)) for f in (dv.formula1, dv.formula2))
        options.update(validate="date", criteria="between", minimum=low, maximum=high)
    else:
        options.update(validate="decimal", criteria=">=", value=float(dv.formula1))
    if dv.prompt:
        options.update(input_message=dv.prompt[:255])
    if dv.error:
        options.update(error_message=dv.error[:255], error_title=(dv.errorTitle or "")[:32])
    ranges = [str(rng) for rng in dv.sqref.ranges]
    if len(ranges) > 1:
        options.update(multi_range=" ".join(ranges))
    return [(ranges[0], options)]


def static_sheets() -> Static:
    """What every workbook shares, taken from the real template: hidden lists, merges, validations, help."""
    from xlgoals.workbooks.template import COVER_HELP

    wb = build_workbook()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "template.xlsx"
        wb.save(path)
        book = read_grids(path)
    cover, project = wb[layout.COVER_SHEET], wb[layout.project_sheet_name(1)]
    return {
        "lists": book.sheets[layout.LISTS_SHEET].rows,
        "help": list(COVER_HELP),
        "merges": {
            "cover": sorted(str(r) for r in cover.merged_cells.ranges),
            "project": sorted(str(r) for r in project.merged_cells.ranges),
        },
        "validations": {
            "cover": [v for dv in cover.data_validations.dataValidation for v in _validation(dv)],
            "project": [v for dv in project.data_validations.dataValidation for v in _validation(dv)],
        },
    }


MONEY = ("budget", "last")  # the generated project's amounts: ints, or None


def unit_model(unit: dict[str, Any]) -> Any:
    """The generated unit as xlgoals' own model, for the real writer."""
    from decimal import Decimal

    from xlgoals.core.model import Indicator, Project, Unit

    def money(v: Any) -> Decimal | None:
        return None if v is None else Decimal(v)

    projects = [
        Project(
            **{k: v for k, v in p.items() if k not in ("indicators", "gov_purchase") and not k.startswith(MONEY)},
            gov_purchase=p["gov_purchase"] == "是",
            budget_total=money(p["budget_total"]),
            budget_year=money(p["budget_year"]),
            last_year_budget=money(p["last_year_budget"]),
            last_year_executed=money(p["last_year_executed"]),
            indicators=[Indicator(level1=a, level2=b, name=n, value=v) for a, b, n, v in p["indicators"]],
        )
        for p in unit["projects"]
    ]
    return Unit(**{k: v for k, v in unit.items() if k != "projects"}, projects=projects)


def write(unit: dict[str, Any], path: Path, live: bool) -> None:
    if live:
        from xlgoals.workbooks.template import write_unit

        write_unit(unit_model(unit), path)
    else:
        _Writer(_STATIC).write(unit, path)


_STATIC: Static = {}


def _init(static: Static) -> None:
    _STATIC.update(static)


def _file_name(unit: dict[str, Any], index: int) -> str:
    return f"{index:04d}_{unit['name'].split('（')[0]}.xlsx"


def _make_one(job: tuple[int, int, str, bool, bool]) -> Entry:
    index, seed, out_dir, spoiled, live = job
    unit = make_unit(index, seed)
    note = spoil(unit, random.Random(f"{seed}-spoil-{index}"), typed_only=live) if spoiled else ""
    folder = Path(out_dir) / unit["department"]
    path = folder / _file_name(unit, index)
    write(unit, path, live)
    budget = sum(p["budget_year"] for p in unit["projects"] if isinstance(p["budget_year"], int))
    return Entry(str(path), "已读取", note, unit["name"], len(unit["projects"]), str(budget))


# --- the department ------------------------------------------------------------------------------------


def _broken(out: Path, entries: list[Entry], seed: int, n: int, live: bool = False) -> list[Entry]:
    """Files a real inbox holds besides good workbooks; how many scales with the department."""
    rng = random.Random(f"{seed}-broken")
    k = max(1, n // 300)
    extra: list[Entry] = []
    inbox = out / "收件箱"
    inbox.mkdir(parents=True, exist_ok=True)
    sources = rng.sample(entries, min(len(entries), 3 * k))
    for i, src in enumerate(sources[:k]):
        data = Path(src.path).read_bytes()
        bad = inbox / f"损坏_{i + 1}.xlsx"
        bad.write_bytes(data[: len(data) // 3])  # an e-mail attachment cut short
        extra.append(Entry(str(bad), "已拒绝", "截断的 xlsx"))
    for i in range(k):
        junk = inbox / f"乱码_{i + 1}.xlsx"
        junk.write_bytes(rng.randbytes(4096))
        extra.append(Entry(str(junk), "已拒绝", "随机字节"))
        empty_zip = inbox / f"压缩包_{i + 1}.xlsx"
        with zipfile.ZipFile(empty_zip, "w") as zf:
            zf.writestr(zipfile.ZipInfo("readme.txt", CREATED.timetuple()[:6]), f"not a workbook ({i + 1})")
        extra.append(Entry(str(empty_zip), "已拒绝", "没有 workbook.xml 的 zip"))
        note = inbox / f"报送说明_{i + 1}.txt"
        note.write_text(f"各单位：请于3月31日前报送绩效目标表。（第 {i + 1} 号通知）\n", encoding="utf-8")
        extra.append(Entry(str(note), "已拒绝", "文本文件"))
        xls = inbox / f"旧格式_{i + 1}.xls"
        xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + i.to_bytes(4, "little") + bytes(500))
        extra.append(Entry(str(xls), "已拒绝", ".xls"))
    for i, src in enumerate(sources[k : 2 * k]):
        copy = inbox / f"重复提交_{i + 1}.xlsx"
        shutil.copyfile(src.path, copy)
        extra.append(Entry(str(copy), "重复", f"与 {src.path} 相同"))
        lock = Path(src.path).with_name("~$" + Path(src.path).name)
        lock.write_bytes(b"\x06xlgoals" + i.to_bytes(4, "little") + bytes(153))
        extra.append(Entry(str(lock), "锁定文件", "Excel 锁定文件"))
    for i, src in enumerate(sources[2 * k : 3 * k]):
        # The same unit again with changed figures: the second submission of a unit and year.
        again = make_unit(int(Path(src.path).name[:4]), seed)
        again["projects"][0]["budget_year"] += 100
        path = inbox / f"修改版_{i + 1}.xlsx"
        write(again, path, live)
        extra.append(Entry(str(path), "重复", f"与 {src.path} 同一单位同一年度", again["name"]))
    return extra


def make_department(
    out_dir: str | os.PathLike[str], units: int, seed: int = 1, jobs: int | None = None, live: bool = False
) -> list[Entry]:
    """Write `units` workbooks (plus broken extras) under out_dir, with `live` checks written by xlgoals itself;
    returns and saves the manifest."""
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    for d in DEPARTMENTS:
        (out / d).mkdir(parents=True)
    static = static_sheets()
    _init(static)
    rng = random.Random(f"{seed}-spoiled")
    spoiled = set(rng.sample(range(1, units + 1), max(1, units // 50)))
    jobs_list = [(i, seed, str(out), i in spoiled, live) for i in range(1, units + 1)]
    workers = jobs or os.cpu_count() or 1
    if workers > 1 and units > 8:
        with ProcessPoolExecutor(workers, initializer=_init, initargs=(static,)) as pool:
            entries = list(pool.map(_make_one, jobs_list, chunksize=16))
    else:
        entries = [_make_one(j) for j in jobs_list]
    entries += _broken(out, entries, seed, units, live)
    manifest = {
        "generator": GENERATOR_VERSION,
        "units": units,
        "seed": seed,
        "live": live,
        "files": [asdict(e) for e in entries],
    }
    # Beside the folder, not in it: the inbox holds only what units sent.
    manifest_path(out).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return entries


def manifest_path(out_dir: str | os.PathLike[str]) -> Path:
    out = Path(out_dir)
    return out.with_name(out.name + ".manifest.json")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("out", type=Path)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--live", action="store_true", help="units written by xlgoals, with the live checks")
    args = ap.parse_args(argv)
    entries = make_department(args.out, args.units, args.seed, args.jobs, args.live)
    by_status: dict[str, int] = {}
    for e in entries:
        by_status[e.status] = by_status.get(e.status, 0) + 1
    print(f"{len(entries)} files in {args.out}: {by_status}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
