"""Noise of real sources found before reading: pinyin glosses after characters, lost characters, masked digits."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_LETTERS = f"a-zü{_TONED}"
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# A re-published page's gloss: '項(xiàng)目' — one syllable in brackets right after a character.
_GLOSS = re.compile(rf"(?<=[{_CJK}])[(（]([{_LETTERS}]{{1,6}})[)）]")
# The same gloss cut off where the stored copy ends: '生態(t'.
_CUT_GLOSS = re.compile(rf"(?<=[{_CJK}])[(（][{_LETTERS}]{{1,5}}$", re.MULTILINE)
# Toneless syllables a gloss may carry (the neutral tone); anything else toneless in brackets, '(cm)' or
# '(min)', is left alone.
_NEUTRAL = frozenset({"de", "le", "me", "men", "zi", "ge", "ne", "ma", "ba", "zhe", "guo", "tou", "li", "shang"})
# Characters an encoding step lost: '??' anywhere, or one '?' between characters (not a URL's query).
_LOST = re.compile(rf"[?？]{{2,}}|(?<=[{_CJK}])[?？]|[?？](?=[{_CJK}])")
# Digits masked before publishing: '139****1234', '**万元' stays a template only in names ('(≥**个)').
_MASKED = re.compile(r"[0-9][*＊]{2,}|[*＊]{3,}[0-9]|(?<![≥≤<>=(（])[*＊]{2,}(?=万元|元|万)")


COMMENT = "以“# ”开头的说明行（存档副本自己的来源和说明），不是表格内容，未导入"


@dataclass(frozen=True)
class Notice:
    """Something the cleaning did or saw on a line, said to the budget officer."""

    line: int
    text: str
    reason: str


def _glossed(text: str) -> bool:
    """A text carrying pinyin glosses: several of them with tone marks."""
    toned = sum(1 for m in _GLOSS.finditer(text) if any(c in _TONED for c in m.group(1)))
    return toned >= 2


_COMMENT = re.compile(r"^#\s")


def clean(text: str) -> tuple[str, list[Notice]]:
    """The text without comment lines or pinyin glosses; notices for what was removed, and for lost
    characters and masked digits (imported as written)."""
    notices: list[Notice] = []
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        # '# source: …' / '# note: …': a stored copy's own remarks, kept apart from the table's text.
        if _COMMENT.match(line):
            notices.append(Notice(number, line.strip(), COMMENT))
            lines[number - 1] = ""
    if _glossed("\n".join(lines)):
        removed: list[str] = []
        first = 0
        for number, line in enumerate(lines, start=1):
            here = [m.group(0) for m in _GLOSS.finditer(line) if _syllable(m.group(1))]
            line = _GLOSS.sub(lambda m: "" if _syllable(m.group(1)) else m.group(0), line)
            cut = _CUT_GLOSS.search(line)
            if cut is not None:
                here.append(cut.group(0))
                line = line[: cut.start()]
            first = first or (number if here else 0)
            removed += here
            lines[number - 1] = line
        # One notice for the whole text: the glosses are the page's, every line alike.
        notices.append(
            Notice(first, " ".join(removed[:8]) + (" …" if len(removed) > 8 else ""), _gloss_reason(removed))
        )
    for number, line in enumerate(lines, start=1):
        lost = _LOST.findall(line)
        if lost:
            notices.append(
                Notice(number, line.strip(), f"原文有 {len(lost)} 处字符丢失（显示为“?”），按原样导入，请对照原件补全")
            )
        if _MASKED.search(line):
            notices.append(Notice(number, line.strip(), "原文的数字被遮盖（****），按原样导入，无法据此核对"))
    return "\n".join(lines), notices


def _syllable(gloss: str) -> bool:
    return any(c in _TONED for c in gloss) or gloss in _NEUTRAL


def _gloss_reason(removed: list[str]) -> str:
    return f"转载页面在汉字后插入的拼音注音（共 {len(removed)} 处），已去掉，只导入汉字"
