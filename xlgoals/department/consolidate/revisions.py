"""Revisions: which of two different declarations of one unit and year counts, and why, in words for the 台账."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from xlgoals.core.errors import XlgoalsError

# The workbook's own record of when it was last saved (Excel, WPS and LibreOffice write it on every save).
CORE_PART = "docProps/core.xml"
_MODIFIED = re.compile(rb"<dcterms:modified\b[^>]*>\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)")
# More than a core.xml ever holds: a larger one is not read (the rest of the package was checked by a worker).
_CORE_MAX = 64 * 1024


def saved_at(path: str | os.PathLike[str], sha256: str) -> datetime | None:
    """When the workbook at `path` says it was last saved; None when it does not say, or the file changed since
    it was read (its SHA-256 no longer `sha256`). Read with a pattern, never an XML parser: no DTD can act."""
    from xlgoals.department.consolidate.inputs import read_hashed

    try:
        data, sha = read_hashed(Path(path))
        if sha != sha256:
            return None
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo(CORE_PART)
            if info.file_size > _CORE_MAX:
                return None
            m = _MODIFIED.search(zf.read(info))
    except (XlgoalsError, OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None
    if m is None:
        return None
    try:
        return datetime.fromisoformat(m.group(1).decode())
    except ValueError:
        return None


@dataclass(frozen=True)
class Candidate:
    """One of the declarations in question: its place in the inbox and what identifies its content."""

    index: int
    path: str
    sha256: str
    preferred: bool


@dataclass(frozen=True)
class Choice:
    """The declaration that counts, the one that does not, and the rule that decided, as a 台账 phrase."""

    kept: Candidate
    dropped: Candidate
    rule: str


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "未记录"


def choose(first: Candidate, second: Candidate) -> Choice:
    """A file named in --prefer wins; else the one its workbook says was saved later; else the first read."""
    if first.preferred != second.preferred:
        kept, dropped = (first, second) if first.preferred else (second, first)
        return Choice(kept, dropped, "--prefer 指定")
    saved = {c.index: saved_at(c.path, c.sha256) for c in (first, second)}
    a, b = saved[first.index], saved[second.index]
    if a is not None and b is not None and a != b:
        kept, dropped = (first, second) if a > b else (second, first)
        when = f"计入的 {_when(saved[kept.index])}，未计入的 {_when(saved[dropped.index])}"
        return Choice(kept, dropped, f"工作簿记录的保存时间取较新的一份（{when}）")
    return Choice(first, second, "报送顺序取先读到的一份（两份工作簿的保存时间相同或都没有记录）")


def preferred_paths(paths: Iterable[str | os.PathLike[str]]) -> frozenset[str]:
    """--prefer's files as real paths, so a file named by another path (relative, through a link) still matches."""
    return frozenset(os.path.realpath(p) for p in paths)


def is_preferred(path: str, preferred: frozenset[str]) -> bool:
    return bool(preferred) and os.path.realpath(path) in preferred
