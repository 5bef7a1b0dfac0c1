"""The live checks' formula cells left out of the XML calamine parses when only the forms' data is read.

A project sheet with live checks carries some 440 formulas in hidden columns from K (core/livelayout.py), most of
its XML (three quarters as xlgoals writes it, nine tenths once LibreOffice saved it); the readers take data only
from the forms, left of that area. calamine parses every cell it is given, so a unit read for its data (the
consolidation's read) hands it each worksheet part without the run of live cells that ends a row. The runs are
where the container's formula scan (io/formulacells.py) already stopped looking, in the same pass that checked
the whole part for what untrusted files must not hold: this costs one copy of what is kept, no further scan.
"""

from __future__ import annotations

import re

from xlgoals.core import layout, livelayout
from xlgoals.io.xmlmarks import opens_markup

_LIVE_COLUMNS = frozenset(
    layout.column_letters(c).encode() for c in range(livelayout.LIVE_FIRST_COLUMN, livelayout.LIVE_LAST_COLUMN + 1)
)
_CELL = b'<c r="'
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')


def without_live_formulas(body: bytes, runs: list[tuple[int, int]]) -> bytes:
    """A worksheet part's XML (its cells all written '<c r="...' in column order within a row, as every
    spreadsheet program writes them, and all within ZZ999: the container's quick test, so no row below the read
    bounds) without the `runs` (from a row's first formula cell in the live area to the row's end) whose last
    cell is in the live area too: a cell typed past it (read as unread-cells) stays.
    A part with a comment, CDATA or processing instruction, where '</row>' could be text, is left as it is."""
    if opens_markup(body, (b"!", b"?"), 2):  # past the XML declaration's '<?'
        return body
    pieces: list[bytes] = []
    kept_from = 0
    for start, end in runs:
        last = _CELL_COLUMN.match(body, body.rfind(_CELL, start, end))
        if body.startswith(_CELL, start) and last is not None and last.group(1) in _LIVE_COLUMNS:
            pieces.append(body[kept_from:start])
            kept_from = end
    if not pieces:
        return body
    pieces.append(body[kept_from:])
    return b"".join(pieces)
