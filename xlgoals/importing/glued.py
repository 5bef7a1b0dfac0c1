"""Text published with nothing between its cells, cut at the forms' own words.

Labels, column headers and level names cut a glued cell into pieces; the indicator rows and money figures
between them are then cut by what their columns hold (runs.py)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import cache

from xlgoals.importing.cells import Cell
from xlgoals.importing.columns import COLUMNS
from xlgoals.importing.header import header_at
from xlgoals.importing.labels import LABELS
from xlgoals.importing.levels import LEVEL1_ALIASES, LEVEL1_UNMAPPED, LEVEL2_ALIASES, level1_name, level2_name
from xlgoals.importing.money import HEADS, head_of
from xlgoals.importing.runs import cut_figures, cut_rows, figures_by_head

# Short words that are still the form's own where they stand glued: column heads of scored tables.
_SHORT = frozenset({"分值", "得分", "总分", "合计", "备注", "序号", "权重", "执行率", "附件", "总额"})
_LEVEL_WORD = re.compile(r".+(?:指标|目标)$")
# '(万元)', '(A)', '(B/A)' or a colon after a word
_ATTACHED = re.compile(r"\([^()]{0,6}\):?|:")
# A numbered line's number belongs to the word after it: '二、自有资金'.
_NUMBER_BEFORE = re.compile(r"(?:\(?[一二三四五六七八九十]{1,3}[)、]|\([0-9]{1,2}\)|[0-9]{1,2}、)$")
_TITLE = re.compile(
    r"(?:[0-9]{4}年度?)?(?![日月])[\u4e00-\u9fff]{0,12}?(?:[0-9]{4}年度?)?[\u4e00-\u9fff]{0,30}?"
    r"绩效(?:目标)?(?:申报|审批|自评)?表(?:\([0-9]{4}年度?\))?"
)
# A reviewer's box of the form: '主管部门审核意见', '财政部门初审意见'.
_REVIEW = r"[\u4e00-\u9fff]{0,8}?(?:审核|初审|审批|复核)意见"
# A note under the table ('注:1.一级指标分值统一设置为…'): its words are prose, not the form's.
_NOTE = re.compile(r"注:")
_TOTAL = re.compile(r"总分|合计|总计")
# A word of the form standing on its own: a glued text has at least this many in one cell.
_HITS = 2


@cache
def _vocabulary() -> re.Pattern[str]:
    from xlgoals.importing.levels import _names

    words: set[str] = {"其中:" + k for k in LABELS if LABELS[k].kind == "money"}
    words |= {k for k in LABELS if len(k) >= 4 or k in _SHORT}
    words |= {k for k in COLUMNS if len(k) >= 3 or k in _SHORT}
    words |= {k for k in HEADS if len(k) >= 3 or k in _SHORT}
    level1, level2 = _names()
    words |= {n for n in (*level1, *LEVEL1_ALIASES, *LEVEL1_UNMAPPED) if len(n) >= 4}
    words |= {n for n in (*level2, *LEVEL2_ALIASES) if _LEVEL_WORD.match(n)}
    words |= {n[:-2] + "目标" for n in level2 if n.endswith("指标")}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # '三、其他:' is a money line only numbered; as a bare word it is a word.
    return re.compile(f"{_TITLE.pattern}|{_REVIEW}|{alternatives}|(?<=[、)])其[他它](?=:)")


def _folded(text: str) -> str:
    """Width-folded character by character, so positions stay those of the text as written."""
    return "".join(f if len(f := unicodedata.normalize("NFKC", ch)) == 1 else ch for ch in text)


def _hits(text: str) -> list[tuple[int, int]]:
    """Where the form's words stand: not inside brackets ('结余率(计算方法为:结余数/预算数)'), not in a note."""
    folded = _folded(text)
    note = _NOTE.search(folded)
    stop = note.start() if note is not None else len(folded)
    depth = [0] * (len(folded) + 1)
    for i, ch in enumerate(folded):
        depth[i + 1] = depth[i] + (ch == "(") - (ch == ")" and depth[i] > 0)
    return [
        (m.start(), m.end())
        for m in _vocabulary().finditer(folded, 0, stop)
        if m.end() > m.start() and depth[m.start()] == 0
    ] + ([(stop, len(folded))] if note is not None else [])


def glued(text: str) -> bool:
    """A cell holding several of the form's words run together with other text, one of them a table's own (a
    level name, an indicator column's header, a title): a paragraph that merely mentions 资金总额, 财政拨款 and
    执行数 is not one."""
    if len(text) < 12:
        return False
    hits = _hits(text)
    folded = _folded(text)
    return len(hits) >= _HITS and any(_tabular(folded[a:b]) for a, b in hits)


def _tabular(word: str) -> bool:
    from xlgoals.importing.titles import title

    # Not a money block's heads: '执行数' and '财政拨款' are words a report's sentence uses as well.
    k = word.rstrip(":")
    return bool(k in COLUMNS or level1_name(k) or level2_name(k) or title(k))


def cut(text: str) -> list[str]:
    """The pieces of a glued cell: each of the form's words (with a bracketed note or a colon right after
    it), and the text between them."""
    folded = _folded(text)
    pieces: list[str] = []
    at = 0
    for start, end in _hits(text):
        number = _NUMBER_BEFORE.search(folded, at, start)
        if number is not None:
            start = number.start()
        if start > at:
            pieces.append(text[at:start])
        attached = _ATTACHED.match(folded, end)
        if attached is not None:
            end = attached.end()
        pieces.append(text[start:end])
        at = end
    if at < len(text):
        pieces.append(text[at:])
    return [p.strip() for p in pieces if p.strip(" ,，")]


class _Rows:
    """Synthetic row numbers for cut pieces: each piece, row and money line a row of its own."""

    def __init__(self, start: int) -> None:
        self.next = start

    def new(self) -> int:
        self.next += 1
        return self.next


def unglue(cells: list[Cell]) -> tuple[list[Cell], set[Cell]]:
    """The cells with every glued line cut into pieces, rows and figures; and the pieces where a cut
    indicator table ends (text after its last row), at which a table stops."""
    lines = {c.line for c in cells if glued(c.text)}
    if not lines:
        return cells, set()
    rows = _Rows(max((c.row for c in cells), default=0) + 1000)
    pieces: list[Cell] = []
    origin: list[int] = []
    for k, cell in enumerate(cells):
        if cell.line not in lines:
            pieces.append(cell)
            origin.append(k)
            continue
        for piece in cut(cell.text):
            pieces.append(Cell(piece, cell.line, rows.new(), cell.where))
            origin.append(k)
    return _split(pieces, origin, lines, rows)


def _kinds_after(cells: list[Cell], i: int) -> tuple[list[str], int] | None:
    header = header_at(cells, i)
    if header is None:
        return None
    kinds = ["name"]
    for column in header.after_name:
        kinds.append("target" if column.part == "target" else column.kind if column.part != "actual" else "value")
    return kinds, header.end


def _split(cells: list[Cell], origin: list[int], lines: set[int], rows: _Rows) -> tuple[list[Cell], set[Cell]]:
    """Rows of an indicator table and figures of a money block, cut where a glued line holds them."""
    out: list[Cell] = []
    ends: set[Cell] = set()
    kinds: list[str] | None = None
    heads: list[str] | None = None
    total: dict[str, Decimal] | None = None  # the block's first line, the whole its other lines are parts of
    i = 0
    while i < len(cells):
        cell = cells[i]
        if cell.line not in lines:
            out.append(cell)
            i += 1
            continue
        found = _kinds_after(cells, i)
        if found is not None:
            kinds, end = found
            heads = None
            out.extend(cells[i:end])
            i = end
            continue
        money_heads = _heads_after(cells, i)
        if money_heads is not None:
            heads, end = money_heads
            kinds, total = None, None
            out.extend(cells[i:end])
            i = end
            continue
        text = cell.text
        if heads is not None and _money_line(text) and i + 1 < len(cells) and cells[i + 1].line in lines:
            figures = cut_figures(cells[i + 1].text, heads, total)
            if figures is not None:
                row = rows.new()
                out.append(Cell(text, cell.line, row, cell.where))
                out.extend(Cell(f, cell.line, row, cell.where) for f in figures)
                total = total if total is not None else figures_by_head(heads, figures)
                i += 2
                continue
        nxt = cells[i + 1].text if i + 1 < len(cells) else ""
        if _TOTAL.fullmatch(text) and re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", nxt) and Decimal(nxt) > 100:
            # No total is above 100: two figures run together, the points and the score.
            figures = cut_figures(nxt, ["points", "score"]) or [nxt]
            row = rows.new()
            out.extend(Cell(t, cell.line, row, cell.where) for t in (text, *figures))
            i += 2
            continue
        if (level1_name(text) or level2_name(text)) and text.endswith(":"):
            kinds = None  # '数量指标:' heads a sentence listing indicators: prose, not a table
        elif level1_name(text) or level2_name(text):
            kinds = kinds or ["name", "target"]  # a table whose header is not in the text: name and value
            out.append(cell)
            i += 1
            continue
        if kinds is not None and not _form_word(text):
            cut_out, tail = cut_rows(text, kinds)
            if cut_out:
                row = 0
                for parts in cut_out:
                    row = rows.new()
                    out.extend(Cell(p, cell.line, row, cell.where) for p in parts if p)
                # Figures standing after the run on the same line (a column the text did not glue) join its
                # last row.
                while not tail.strip() and i + 1 < len(cells) and cells[i + 1].line == cell.line:
                    after = cells[i + 1]
                    if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?分?", after.text):
                        break
                    out.append(Cell(after.text, after.line, row, after.where))
                    i += 1
                if tail.strip():
                    # Where the table ends in a report's sentences, the text goes on as written: the rest of its
                    # cell is one piece again, not cut at the form's words. A short remnant ('……') is only that.
                    j = i + 1
                    while len(tail.strip()) > 10 and j < len(cells) and origin[j] == origin[i]:
                        j += 1
                    rest = "".join([tail, *(c.text for c in cells[i + 1 : j])]).strip()
                    end_cell = Cell(rest, cell.line, rows.new(), cell.where)
                    out.append(end_cell)
                    ends.add(end_cell)
                    kinds = None
                    i = j
                    continue
                i += 1
                continue
        out.append(cell)
        i += 1
    return out, ends


def _form_word(text: str) -> bool:
    return any(m.span() == (0, len(text)) for m in _vocabulary().finditer(_folded(text)))


def _heads_after(cells: list[Cell], i: int) -> tuple[list[str], int] | None:
    heads: list[str] = []
    j = i
    while j < len(cells):
        head = head_of(cells[j].text)
        if head is None:
            break
        heads.append(head.what)
        j += 1
    return (heads, j) if len(heads) >= 2 else None


def _money_line(text: str) -> bool:
    from xlgoals.importing.money import money_label

    return money_label(text) is not None
