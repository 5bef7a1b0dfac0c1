"""Cells run together with nothing between them, cut by what each column holds.

An indicator row ('安装坡面水标尺10≥266米≥266米10' -> name, 分值, 年度指标值, 实际值, 得分) or a money line's
figures ('202010100.00%10' -> 全年预算数 20, 全年执行数 20, 分值 10, 执行率 100.00%, 得分 10)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from xlgoals.importing.cells import ENUMERATOR

_OPS = "<>=≥≤≧≦"
_OP = re.compile(rf"[{_OPS}]{{1,2}}|二(?=[0-9])")  # 二 before digits: '=' as text recognition reads it
_WORD_OP = re.compile(r"(?:不超过|不超|不低于|不少于|不高于|大于等于|小于等于|大于|小于|达到|至少|控制在)")
# What a comparison is made against when it has no number: '不超预算', '不低于上年'.
_REFERENCE = re.compile(r"(?:年度计划|预算|标准|要求|规定|计划|合同|目标|上年|预期)")
_UNITS = sorted(
    (
        "%", "‰", "个", "次", "人次", "人", "户", "米", "厘米", "毫米", "公里", "千米", "平方米", "平方公里",
        "立方米", "亩", "公顷", "万元", "元", "亿元", "天", "月", "年", "日", "小时", "台", "套", "辆", "座", "所",
        "家", "项", "条", "处", "场", "期", "批", "份", "篇", "册", "本", "件", "株", "棵", "头", "只", "吨", "公斤",
        "千克", "斤", "千瓦", "度", "名", "间", "张", "km", "m", "cm", "M", "KVA", "kw",
    ),
    key=len,
    reverse=True,
)  # fmt: skip
_UNIT = re.compile(
    "(?:" + "|".join(re.escape(u) for u in _UNITS) + r")(?:/[\u4e00-\u9fff]{1,3})?|/[\u4e00-\u9fff]{1,3}"
)
_DATE = re.compile(r"[0-9]{4}年[0-9]{1,2}月(?:[0-9]{1,2}日)?(?:底)?(?:前|之前|以前)?|[0-9]{1,2}-[0-9]{1,2}月")
_DESCRIPTION = ("反映", "该指标")
_TEXT_VALUE = re.compile(r"[\u4e00-\u9fff]{2,8}")
# How indicator names end ('…合格率', '…人数'): a phrase ending so is the next name, not a value.
_NAME_END = re.compile(r"(?:率|数|量)$")
_NAME_START = re.compile(r"[\u4e00-\u9fff(（*★“\"A-Za-z]")
# Each row a cut finds costs this much: fewer, fuller rows are the likelier reading.
_ROW = 1.0
# Text left after the last row costs a little for each character: a row is not cut short at the end.
_LEFT = 0.05
# Columns a row may leave out, and what leaving each out costs.
_SKIP = {"name": -5.0, "target": -2.0, "value": -1.0, "number": -0.6, "prose": 0.0}
_BEAM = 400
# A name or a description longer than this is no cell of a table; a run longer than _RUN_MAX no table's rows.
_LONGEST = 80
_RUN_MAX = 4000
# Figures of one money line run together: a few dozen characters at most.
_FIGURES_MAX = 40


def _numbers(s: str, pos: int) -> Iterator[int]:
    """Ends of the numbers that can start at pos: every prefix of a digit run, without leading zeros."""
    m = re.match(r"[0-9]+(?:\.[0-9]+)?", s[pos:])
    if m is None:
        return
    whole = m.group(0)
    head, _, frac = whole.partition(".")
    for k in range(1, len(head) + 1):
        if k > 1 and head[0] == "0":
            break
        yield pos + k
        if k == len(head) and frac:
            for f in range(1, len(frac) + 1):
                yield pos + k + 1 + f


def _values(s: str, pos: int) -> Iterator[int]:
    """Ends of a target or actual value starting at pos: a comparison, a number with its unit, a date, a
    comparison against a reference, or a short phrase."""
    m = _DATE.match(s, pos)
    if m is not None:
        yield m.end()
    at = pos
    op = _OP.match(s, at) or _WORD_OP.match(s, at)
    if op is not None:
        at = op.end()
        ref = _REFERENCE.match(s, at)
        if ref is not None:
            yield ref.end()
    # A value takes its whole number, and the unit written after it: only a 分值 before it is cut short.
    number = re.match(r"[0-9]+(?:\.[0-9]+)?", s[at:])
    written = number.group(0) if number is not None else ""
    if written and not (len(written) > 1 and written[0] == "0" and "." not in written):
        end = at + len(written)
        unit = _UNIT.match(s, end)
        yield unit.end() if unit is not None else end
    if op is None and not s.startswith(_DESCRIPTION, pos):
        text = _TEXT_VALUE.match(s, pos)
        if text is not None:
            for end in range(pos + 2, min(text.end(), pos + 6) + 1):
                # A phrase ends where the text does, at a figure or comparison, or where it is written again
                # (the actual beside the target: '显著提升显著提升').
                bounded = end == len(s) or not _TEXT_VALUE.match(s, end) or s.startswith(s[pos:end], end)
                if bounded and not _NAME_END.search(s, pos, end):
                    yield end


def _names(s: str, pos: int) -> Iterator[int]:
    """Ends of an indicator name starting at pos: text up to a number, a comparison or a description."""
    if ENUMERATOR.match(s, pos) or pos >= len(s) or not _NAME_START.match(s[pos]):
        return
    depth = 0
    for i in range(pos, min(len(s), pos + _LONGEST) + 1):
        ch = s[i] if i < len(s) else ""
        stops = not ch or ch in _OPS or _WORD_OP.match(s, i) or s.startswith(_DESCRIPTION, i)
        if i - pos >= 2 and depth == 0 and (stops or ch.isdigit()):
            yield i
        if (stops and depth == 0) or ch in "。；;" or (ch.isdigit() and depth == 0 and i - pos < 2):
            return
        if ch in "(（":
            depth += 1
        elif ch in ")）" and depth:
            depth -= 1


def _prose(s: str, pos: int) -> Iterator[int]:
    if s.startswith(_DESCRIPTION, pos):
        for i in range(pos + 3, min(len(s), pos + _LONGEST) + 1):
            if i == len(s) or s[i].isdigit() or s[i] in _OPS or _WORD_OP.match(s, i):
                yield i
                return


def _ends(kind: str, s: str, pos: int) -> Iterator[int]:
    if kind == "name":
        yield from _names(s, pos)
    elif kind == "number":
        for end in _numbers(s, pos):
            yield end + 1 if s.startswith("分", end) else end
    elif kind in ("value", "target"):
        yield from _values(s, pos)
        if kind == "value":
            yield from _prose(s, pos)  # a standard written out: '反映办公大楼全年维修维护情况'
    elif kind == "prose":
        yield from _prose(s, pos)


def _decimal(text: str) -> Decimal | None:
    m = re.search(r"[0-9]+(?:\.[0-9]+)?", text)
    try:
        return Decimal(m.group(0)) if m is not None else None
    except InvalidOperation:
        return None


def _row_merit(kinds: Sequence[str], parts: Sequence[str | None]) -> float:
    """How likely a cut of one row is: every column that should hold something does, numbers are plausible
    points (at most 100, a score not above its points), the actual value most often repeats the target."""
    merit = 0.0
    numbers: list[Decimal | None] = []
    values: list[str] = []
    for kind, part in zip(kinds, parts, strict=True):
        if part is None:
            merit += _SKIP.get(kind, -0.2)
            continue
        merit += 1.0
        if kind == "number":
            n = _decimal(part)
            numbers.append(n)
            if n is None or n > 100:
                merit -= 3
        elif kind in ("value", "target"):
            values.append(part)
            if part[0] in _OPS or part[0].isdigit() or _WORD_OP.match(part):
                merit += 0.5
    if len(numbers) >= 2 and numbers[0] is not None and numbers[-1] is not None:
        merit += 1.0 if numbers[-1] <= numbers[0] else -2.0
    if len(values) >= 2:
        merit += 1.5 if values[0] == values[1] else 0.0
    return merit


def _rows_at(s: str, pos: int, kinds: Sequence[str]) -> list[tuple[int, float, list[str | None]]]:
    """Every cut of one row starting at pos (its end, merit and cells), the best first."""
    found: list[tuple[int, list[str | None]]] = []

    def walk(at: int, k: int, parts: list[str | None]) -> None:
        if len(found) >= _BEAM:
            return
        if k == len(kinds):
            found.append((at, parts))
            return
        kind = kinds[k]
        for end in _ends(kind, s, at):
            walk(end, k + 1, [*parts, s[at:end]])
        if kind != "name":
            walk(at, k + 1, [*parts, None])

    walk(pos, 0, [])
    rows = [(end, _row_merit(kinds, parts), parts) for end, parts in found if end > pos]
    return sorted(rows, key=lambda r: -r[1])


def cut_rows(s: str, kinds: Sequence[str]) -> tuple[list[list[str | None]], str]:
    """The rows a run of text holds (each a cell per column, None where the row left it out) and the text
    after the last row that could be read (where the table ends). A run longer than any table prints between
    two level names is left as it is."""
    if len(s) > _RUN_MAX:
        return [], s
    # Forward over the places a row can end: the best reading up to each, and the row that reached it.
    best: dict[int, tuple[float, int, tuple[str | None, ...]]] = {0: (0.0, -1, ())}
    for pos in range(len(s)):
        if pos not in best:
            continue
        for end, merit, parts in _rows_at(s, pos, kinds)[:40]:
            score = best[pos][0] + merit - _ROW
            if merit > _ROW and (end not in best or score > best[end][0]):
                best[end] = (score, pos, tuple(parts))
    # Where to stop: text left after the last row costs a little for each character.
    last = max(best, key=lambda at: best[at][0] - _LEFT * (len(s) - at))
    rows: list[list[str | None]] = []
    at = last
    while at > 0:
        _, start, row = best[at]
        rows.append(list(row))
        at = start
    return rows[::-1], s[last:]


# --- a money line's figures ----------------------------------------------------------------------------


def _figure_ends(what: str, s: str, pos: int) -> Iterator[int]:
    if what == "rate":
        for end in _numbers(s, pos):
            if s.startswith("%", end):
                yield end + 1
        return
    for end in _numbers(s, pos):
        if what in ("initial", "adjusted", "executed", "amount") and s.startswith("万", end):
            yield end + 1
        yield end


def cut_figures(s: str, heads: Sequence[str], total: Mapping[str, Decimal] | None = None) -> list[str] | None:
    """A money line's figures run together, cut under its heads (the first of them, as many as the text
    holds): the cut the figures agree with (执行率 = 执行数 / 预算数, a score not above its points and near points
    times the rate, a part's figure not above the total's under the same head and most often equal to it).
    None when no cut, or two different cuts, fit best."""
    if len(s) > _FIGURES_MAX:
        return None
    cuts: list[tuple[float, tuple[str, ...]]] = []

    def walk(at: int, k: int, parts: tuple[str, ...]) -> None:
        if at == len(s):
            cuts.append((_figure_merit(heads[: len(parts)], parts, total), parts))
            return
        if k == len(heads) or len(cuts) > 2000:
            return
        for end in _figure_ends(heads[k], s, at):
            walk(end, k + 1, (*parts, s[at:end]))

    walk(0, 0, ())
    if not cuts:
        return None
    cuts.sort(key=lambda c: -c[0])
    if len(cuts) > 1 and cuts[1][0] == cuts[0][0] and cuts[1][1] != cuts[0][1]:
        return None
    return list(cuts[0][1])


def figures_by_head(heads: Sequence[str], parts: Sequence[str]) -> dict[str, Decimal]:
    return {h: v for h, p in zip(heads, parts, strict=False) if (v := _decimal(p)) is not None}


def _figure_merit(heads: Sequence[str], parts: Sequence[str], total: Mapping[str, Decimal] | None) -> float:
    by = figures_by_head(heads, parts)
    merit = -0.5 * len(parts)
    budget = by.get("adjusted") or by.get("initial") or by.get("amount")
    executed, rate = by.get("executed"), by.get("rate")
    if budget and executed is not None and rate is not None:
        merit += 5 if abs(executed / budget * 100 - rate) <= Decimal("0.01") else -5
    if budget is not None and executed is not None:
        merit += 1 if executed <= budget else -1
    points, score = by.get("points"), by.get("score")
    if points is not None:
        merit += 1 if points <= 100 else -3
    if points is not None and score is not None:
        merit += 1 if score <= points else -2
        if rate is not None:
            # Most forms score the execution as its points times the rate: a cut that agrees is likelier.
            merit += 2 if abs(min(points, points * rate / 100) - score) <= Decimal("0.5") else 0
    for head, value in by.items():
        whole = (total or {}).get(head)
        if whole is not None and head != "rate":
            merit += 2 if value == whole else -3 if value > whole else 0
    return merit
