"""The published declaration's text as lines: markup and control characters cleaned, each line classified."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from xlgoals.core import layout
from xlgoals.core.layout import FieldSpec
from xlgoals.core.values import cell_text

# --- text cleaning --------------------------------------------------------------------------------------

# Block tags end a paragraph; every other tag is formatting that carries no text.
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "blockquote", "pre", "hr"}
    | {f"h{i}" for i in range(1, 7)}
)
# Only ASCII-letter tag names: '<=30天' and '<5%' are target values, not markup.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?:[\s/][^<>]*)?>")
# The extractor can cut a tag at a page end, leaving '<p style="...' with no '>'.
_DANGLING_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?$")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,7}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_PARA = "\x00"
# C0 controls other than tab and newline are extraction debris (form feeds at page breaks, NULs), and
# openpyxl refuses to write them into a workbook later.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_SPACES = re.compile(r"\s+")


def _tag(m: re.Match[str]) -> str:
    return _PARA if m.group(2).lower() in _BLOCK_TAGS else ""


def _entity(m: re.Match[str]) -> str:
    text = html.unescape(m.group(0))
    return " " if text == "\xa0" else text


def _paragraphs(cell: str) -> list[str]:
    """A cell's text without markup, as its non-empty paragraphs."""
    if "<" in cell:
        cell = _DANGLING_TAG.sub(_tag, _TAG.sub(_tag, cell))
    if "&" in cell:
        cell = _ENTITY.sub(_entity, cell)
    return [p for p in (cell_text(part) for part in cell.split(_PARA)) if p]


def label_key(text: str) -> str:
    """Text as compared with labels and titles: width-folded, without spaces or a trailing colon."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).rstrip(":")


# A paragraph continues a sentence unless the text before it ends one.
_SENTENCE_END = re.compile(r"[。！？；!?;…][”’」』）)\"']*$")


def join_text(before: str, more: str) -> str:
    """Text continued on a later line; a page break can split a word, so mid-sentence joins add nothing."""
    if not before or not more:
        return before or more
    return before + ("\n" if _SENTENCE_END.search(before) else "") + more


# --- what a line can be ---------------------------------------------------------------------------------

_UNIT_KEYS = ("name", "year", "department", "contact", "phone")
_PROJECT_LABELS: dict[str, FieldSpec] = {label_key(f.label): f for f in layout.PROJECT_FIELDS}
_UNIT_LABELS: dict[str, FieldSpec] = {label_key(f.label): f for f in layout.COVER_FIELDS if f.key in _UNIT_KEYS}
_COLON = re.compile(r"[:：]")

# Strict on purpose: a text line taken for a title would vanish, while an unrecognised title is only noted.
TITLE = re.compile(r"^(?:[0-9]{4}年度?)?(?:财政)?项目支出绩效目标(?:申报)?表(?:\((?P<y>[0-9]{4})年度?\))?$")
YEAR_LINE = re.compile(r"^(?:\((?P<a>[0-9]{4})年度?\)|(?P<b>[0-9]{4})年度)$")
BUDGET_SECTION = re.compile(r"^本项目上年度.{0,10}资金使用情况$")
TABLE_SECTION = re.compile(r"^(?:(?P<y>[0-9]{4})年度?)?(?:项目)?绩效目标$")
PAGE_MARK = re.compile(r"^(?:第[0-9]+页(?:,?共[0-9]+页)?|[-—–]*[0-9]{1,4}[-—–]*|[0-9]{1,4}/[0-9]{1,4})$")

_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "level1": (layout.INDICATOR_HEADERS["level1"], "一级指标"),
    "level2": (layout.INDICATOR_HEADERS["level2"], "二级指标"),
    "name": (layout.INDICATOR_HEADERS["name"], "三级指标", "指标名称"),
    "target": (layout.INDICATOR_HEADERS["target"], "指标值", "目标值", "年度指标值"),
}
COLUMN_OF = {label_key(name): part for part, names in _COLUMN_NAMES.items() for name in names}
# Without a header row (lost at a page break) the official column order is assumed.
DEFAULT_COLUMNS = {part: i for i, part in enumerate(layout.INDICATOR_COLUMNS)}

YES_NO = {"是": True, "否": False}


@dataclass
class Line:
    number: int
    cells: list[str]

    @property
    def filled(self) -> list[str]:
        return [c for c in self.cells if c]

    @property
    def text(self) -> str:
        return "\t".join(self.filled)


def label_of(cell: str) -> tuple[str, FieldSpec, str] | None:
    """('project' | 'unit', spec, inline value) when the cell is 'label：' or 'label：value'.

    The colon is required: without it a paragraph that merely names a field (a continuation line reading
    '主管部门') would be taken for one.
    """
    m = _COLON.search(cell)
    if m is None:
        return None
    head = label_key(cell[: m.start()])
    for scope, table in (("project", _PROJECT_LABELS), ("unit", _UNIT_LABELS)):
        if head in table:
            return scope, table[head], cell_text(cell[m.end() :])
    return None


def _is_header_item(paragraph: str) -> bool:
    """The title, year and unit lines that head every project's table."""
    key = label_key(paragraph)
    if TITLE.match(key) or YEAR_LINE.match(key):
        return True
    found = label_of(paragraph)
    return found is not None and found[0] == "unit"


def text_lines(text: str) -> list[Line]:
    """Numbered lines split into cells; a header glued into one line of <p> tags becomes one line each."""
    out: list[Line] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)
    for number, raw in enumerate(text.split("\n"), start=1):
        cells = [_paragraphs(c) for c in raw.split("\t")]
        first = next((i for i, c in enumerate(cells) if c), None)
        if first is not None and len(cells[first]) > 1 and _is_header_item(cells[first][0]):
            paras = cells[first]
            out.extend(Line(number, [p]) for p in paras[:-1])
            out.append(Line(number, [paras[-1], *("\n".join(c) for c in cells[first + 1 :])]))
        else:
            out.append(Line(number, ["\n".join(c) for c in cells]))
    return out
