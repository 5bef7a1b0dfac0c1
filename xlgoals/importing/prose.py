"""Indicators a self-evaluation report states in sentences beside its table.

'(1)时效目标:人才驿站补助资金到位时间绩效目标值是2023年12月前,实际完成值为2023年12月前,目标完成率为100%'."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_STATED = re.compile(
    r"(?:[(（][0-9]{1,2}[)）])?(?:(?P<level>[\u4e00-\u9fff]{2,8}(?:目标|指标))[:：])?"
    r"(?P<name>[\w()（）、]{2,40}?)绩效目标值(?:是|为)(?P<value>[^,，。;；]{1,30})"
    r"(?:[,，]+实际完成值(?:是|为)(?P<actual>[^,，。;；]{1,30}))?"
    r"(?:[,，]+目标完成率(?:是|为)(?P<rate>[^,，。;；]{1,12}))?"
)
# '1.产出目标完成情况': the level-1 the sentences after it belong to.
_SECTION = re.compile(r"(?P<level>[\u4e00-\u9fff]{2,4}(?:目标|指标))完成情况")


@dataclass(frozen=True)
class Stated:
    level1: str
    level2: str
    name: str
    value: str
    actual: str
    rate: str
    words: str  # the sentence as written


def stated(text: str) -> Iterator[Stated]:
    """Each indicator a text states with its target (and actual and rate) in a sentence, in order."""
    level1 = level2 = ""
    sections = [(m.start(), m["level"]) for m in _SECTION.finditer(text)]
    for m in _STATED.finditer(text):
        level1 = next((lv for at, lv in reversed(sections) if at < m.start()), level1)
        level2 = m["level"] or level2
        yield Stated(level1, level2, m["name"], m["value"], m["actual"] or "", m["rate"] or "", m.group(0))
