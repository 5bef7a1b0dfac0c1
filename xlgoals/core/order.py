"""Natural order of names (项目2 before 项目10): the one sort key every listing and export uses."""

from __future__ import annotations

import re
from functools import lru_cache

# Runs of digits, full-width ones included (项目１０): \d matches every decimal digit and int() reads them.
_DIGITS = re.compile(r"(\d+)")


# Names repeat (every finding of a sheet asks for its key): each is split once.
@lru_cache(maxsize=4096)
def natural_key(text: str | None) -> tuple[tuple[str | int, ...], str]:
    """A key ordering `text` as people count: the digit runs compared as numbers, the rest without case.

    Splitting on the digit runs alternates text and number, so two keys never compare a number with a text;
    the text itself breaks ties ('项目01' and '项目1'), so the order is total and stable across runs.
    (natsort does this too, but its import costs a button click ~20 ms.)"""
    text = text or ""
    parts = _DIGITS.split(text)
    return tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)), text
