"""Rows under a merged level cell: which level-1 (and level-2) a row with blank level cells belongs to.

A merged cell's text is printed on one of its rows: usually the first, so a blank level cell means "as the row
above"; some extractors print it on the middle row, so rows above the label belong to it too. The table's
first rows carrying no level-1 tell the middle-row layout; the framework's level lists decide where a row's
level-2 fits only one of the two blocks around it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xlgoals.importing.levels import fits
from xlgoals.importing.table import Row


def settle(rows: Sequence[Row]) -> None:
    """Give rows whose level-1 was not printed on them the level-1 of their merged block, then the same for
    level-2 within each level-1's rows."""
    owners = _owners([r.printed1 for r in rows], lambda i, p: fits(rows[i].level2, rows[p].level1))
    for i, p in enumerate(owners):
        if p is not None and p != i and rows[i].level1 != rows[p].level1:
            rows[i].level1 = rows[p].level1
            if not rows[i].printed2:
                rows[i].level2 = ""
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or rows[end].level1 != rows[start].level1:
            block = rows[start:end]
            for i, p in enumerate(_owners([r.printed2 for r in block], lambda i, p: False)):
                if p is not None:
                    block[i].level2 = block[p].level2
            start = end


def _owners(printed: list[bool], belongs: Callable[[int, int], bool]) -> list[int | None]:
    """For each row, the index of the row whose printed label it falls under (None when no label at all)."""
    labels = [i for i, p in enumerate(printed) if p]
    if not labels:
        return [None] * len(printed)
    middle = labels[0] > 0
    owners: list[int | None] = [None] * len(printed)
    start = 0
    for k, p in enumerate(labels):
        nxt = labels[k + 1] if k + 1 < len(labels) else None
        if nxt is None:
            end = len(printed) - 1
        elif middle:
            # As many rows below the label as above it; one more where the framework says so.
            end = min(nxt - 1, max(p, 2 * p - start))
            if end + 1 < nxt and belongs(end + 1, p) and not belongs(end + 1, nxt):
                end += 1
        else:
            end = nxt - 1
        for i in range(start, end + 1):
            owners[i] = p
        start = end + 1
    # A row the framework files only under the other block around it goes there.
    for i, owner in enumerate(owners):
        if owner is None or printed[i]:
            continue
        before = max((q for q in labels if q < i), default=None)
        after = min((q for q in labels if q > i), default=None)
        other = after if owner == before else before
        if other is not None and belongs(i, other) and not belongs(i, owner):
            owners[i] = other
    return owners
