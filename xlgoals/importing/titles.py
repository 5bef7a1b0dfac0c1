"""Title lines (the year and the form: 申报表 / 审批表 / 目标表 / 自评表) and the end of a table."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_FORMS = ("申报表", "审批表", "自评表", "目标表")
_TITLE = re.compile(r"绩效(?:目标|自评)?(?:申报|审批|自评)?表|绩效自评表|绩效目标表")
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年")
_YEAR_ONLY = re.compile(r"^[(（]?\s*((?:19|20)[0-9]{2})\s*年度?\s*[)）]?$")
# Where a table's own text ends: sign-off blocks, notes under the table, reviewers' stamps.
_GENERIC_SUBJECT = re.compile(r"(?:[省市区县]级)?(?:财政|预算|部门|部门预算)?")
_TABLE_END = re.compile(r"审核意见|审批意见|初审意见|^注[:：]|^备注[:：]|盖章|^填表人|^填报人")


DEPARTMENT = "部门整体支出绩效"


@dataclass(frozen=True)
class Title:
    year: int | None
    form: str
    subject: str


def title(text: str) -> Title | None:
    """A table title such as '2023年项目支出绩效目标申报表' or '绩效目标申报表(基础设施建设类)'."""
    folded = unicodedata.normalize("NFKC", text).replace(" ", "")
    m = _TITLE.search(folded)
    if m is None or len(folded) > 80:
        return None
    form = next((f for f in _FORMS if f in m.group(0)), "目标表")
    y = _YEAR.search(folded)
    if "整体" in folded[: m.start()]:
        # A department's whole spending (部门整体支出绩效目标表), not one project's: it names no project.
        return Title(int(y.group(1)) if y else None, DEPARTMENT + ("自评表" if form == "自评表" else "目标表"), "")
    subject = folded[: m.start()]
    subject = re.sub(r"^[(（]?(?:19|20)[0-9]{2}年度?[)）]?", "", subject)
    subject = re.sub(r"(?:项目)?支出$|项目$", "", subject).strip()
    if _GENERIC_SUBJECT.fullmatch(subject):  # '财政项目支出绩效目标表' names the form, not a project
        subject = ""
    return Title(int(y.group(1)) if y else None, form, subject)


def year_only(text: str) -> int | None:
    """The year of a '(2022年度)' line."""
    m = _YEAR_ONLY.match(unicodedata.normalize("NFKC", text))
    return int(m.group(1)) if m else None


def ends_table(text: str) -> bool:
    return bool(_TABLE_END.search(unicodedata.normalize("NFKC", text)))


# Not '3/5': in a table that is as likely a target value.
_PAGE_MARK = re.compile(r"第[0-9]+页(?:,?共[0-9]+页)?|[-—–]+ ?[0-9]{1,4} ?[-—–]+")


def page_mark(text: str) -> bool:
    """'第3页', '第3页,共5页', '- 3 -': a page's furniture, not table text."""
    return bool(_PAGE_MARK.fullmatch(unicodedata.normalize("NFKC", text).replace(" ", "")))
