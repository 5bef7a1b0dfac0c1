"""Markup that opens with a rare byte ('<!', '<?') found in a part's XML at memchr's speed."""

from __future__ import annotations

# Beyond this many of a lead byte in one piece, the rest is searched for the marks as strings (a hostile part may
# hold millions of '!'): the cost stays bounded by the piece's length either way.
_FEW = 512


def opens_markup(body: bytes, tails: tuple[bytes, ...], start: int = 0) -> bool:
    """Whether '<' followed by one of `tails` stands in `body` from `start`. Each tail leads with a byte that
    spreadsheet XML rarely holds ('!' only in formulas naming a sheet, '?' in text): its few occurrences are
    found one memchr each, where searching for a whole mark such as '<!DOCTYPE' runs at a fraction of the
    speed (CPython's substring search skips poorly over text with '<', '-' and Chinese bytes)."""
    for lead in {tail[:1] for tail in tails}:
        pos, seen = body.find(lead, start), 0
        while pos >= 0:
            if pos > start and body[pos - 1] == 0x3C and body.startswith(tails, pos):
                return True
            seen += 1
            if seen > _FEW:  # the rest by substring search, from the '<' that could open the next one
                if any(body.find(b"<" + tail, pos) >= 0 for tail in tails if tail.startswith(lead)):
                    return True
                break
            pos = body.find(lead, pos + 1)
    return False
