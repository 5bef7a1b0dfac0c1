"""The streamed summary's styles: Chinese faces, rules, number formats, and the style each kind of cell takes."""

from __future__ import annotations

from xlgoals.io.presentation import MONEY_FORMATS, NORMAL_FACE, MoneyUnit

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Body text in 宋体 and titles in 黑体, as Chinese reports set them; charset 134 (GB2312) tells Excel and WPS
# they are Chinese faces. The Normal style is Arial 10 (presentation.NORMAL_FACE): column widths are counted in
# its digits, the same in Excel and LibreOffice.
BODY_FACE, TITLE_FACE = "宋体", "黑体"
_FONTS = (
    f'<font><sz val="10"/><name val="{NORMAL_FACE}"/><family val="2"/></font>',
    f'<font><sz val="11"/><name val="{BODY_FACE}"/><charset val="134"/></font>',
    f'<font><b/><sz val="11"/><name val="{BODY_FACE}"/><charset val="134"/></font>',
    f'<font><b/><sz val="16"/><name val="{TITLE_FACE}"/><charset val="134"/></font>',
    f'<font><sz val="8"/><color rgb="FF7F7F7F"/><name val="{BODY_FACE}"/><charset val="134"/></font>',
    f'<font><sz val="10"/><color rgb="FF404040"/><name val="{BODY_FACE}"/><charset val="134"/></font>',
)
_BODY, _BOLD, _TITLE, _SMALL, _INFO = 1, 2, 3, 4, 5


def _border(left: str, right: str, top: str, bottom: str) -> str:
    def side(name: str, spec: str) -> str:
        if not spec:
            return f"<{name}/>"
        style, rgb = spec.split(":")
        return f'<{name} style="{style}"><color rgb="FF{rgb}"/></{name}>'

    sides = side("left", left) + side("right", right) + side("top", top) + side("bottom", bottom)
    return f"<border>{sides}<diagonal/></border>"


_GRID = "thin:BFBFBF"
_BORDERS = (
    "<border><left/><right/><top/><bottom/><diagonal/></border>",
    _border("thin:000000", "thin:000000", "thin:000000", "thin:000000"),  # header
    _border(_GRID, _GRID, _GRID, _GRID),  # data: light rules a reader's eye follows across a row
    _border(_GRID, _GRID, "thin:000000", "thin:000000"),  # 小计: ruled above and below
    _border(_GRID, _GRID, "thin:000000", "double:000000"),  # 部门合计: a double rule under it
)
_HEADER_BORDER, _DATA, _SUBTOTAL, _TOTAL = 1, 2, 3, 4

# Number formats: money as the workbook shows it (separators, decimals only where there are some; 万元 keeps
# the yuan exact), counts with separators, percentages as signed numbers under a (%) title.
NUMBER_FORMATS = {
    164: "yyyy-mm-dd",
    165: MONEY_FORMATS[MoneyUnit.YUAN][1],
    166: MONEY_FORMATS[MoneyUnit.YUAN][0],
    167: MONEY_FORMATS[MoneyUnit.WAN][0],
    168: "+0.00;-0.00;0.00",
}

# The kinds of data cell: (number format, font, horizontal alignment, wrapped).
_KINDS: dict[str, tuple[int, int, str, bool]] = {
    "text": (0, _BODY, "", False),
    "wrap": (0, _BODY, "", True),
    "date": (164, _BODY, "", False),
    "money": (165, _BODY, "", False),
    "whole": (166, _BODY, "", False),
    "wan": (167, _BODY, "", False),
    "number": (0, _BODY, "", False),
    "percent": (168, _BODY, "", False),
    "code": (0, _SMALL, "", False),
    "figure": (0, _BODY, "right", False),
    "empty": (0, _BODY, "", False),
}
VARIANTS = ("data", "subtotal", "total")
_VARIANT_LOOK = {"data": (None, _DATA), "subtotal": (_BOLD, _SUBTOTAL), "total": (_BOLD, _TOTAL)}


def _xf(
    number_format: int, font: int, border: int, horizontal: str, wrap: bool, fill: int = 0, vertical: str = "top"
) -> str:
    align = f' horizontal="{horizontal}"' if horizontal else ""
    wrapped = ' wrapText="1"' if wrap else ""
    return (
        f'<xf numFmtId="{number_format}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
        ' applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
        f'<alignment{align} vertical="{vertical}"{wrapped}/></xf>'
    )


# cellXfs: the plain default, the fixed styles, then every kind of data cell in every variant.
_FIXED = {
    "default": '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
    "header": _xf(0, _BOLD, _HEADER_BORDER, "", True, fill=2, vertical="center"),
    "number_header": _xf(0, _BOLD, _HEADER_BORDER, "right", True, fill=2, vertical="center"),
    "title": _xf(0, _TITLE, 0, "", False, vertical="center"),
    "info": _xf(0, _INFO, 0, "", True),
}
_XFS = list(_FIXED.values())
STYLE: dict[str, int] = {name: i for i, name in enumerate(_FIXED)}
for _variant in VARIANTS:
    _font, _rule = _VARIANT_LOOK[_variant]
    for _kind, (_fmt, _kind_font, _horizontal, _wrap) in _KINDS.items():
        STYLE[f"{_kind}:{_variant}"] = len(_XFS)
        # A code keeps its small face in a bold row: it is there for whoever needs it, not to be read.
        _face = _font if _font is not None and _kind != "code" else _kind_font
        _XFS.append(_xf(_fmt, _face, _rule, _horizontal, _wrap))


def style(kind: str, variant: str = "data") -> int:
    """The cellXfs index of a data cell of `kind` ('text', 'money', …) in `variant` ('data', 'subtotal', 'total')."""
    return STYLE[f"{kind}:{variant}"]


# A data style's id -> the same kind's id in each emphasised variant: a 小计 or 部门合计 row is rendered like
# any other, then its style ids are swapped (a handful of rows, never the data sheets' thousands).
EMPHASIS: dict[str, dict[int, int]] = {
    variant: {style(kind): style(kind, variant) for kind in _KINDS} for variant in VARIANTS if variant != "data"
}

STYLES_XML = (
    f'{_XML_DECL}<styleSheet xmlns="{_MAIN_NS}">'
    f'<numFmts count="{len(NUMBER_FORMATS)}">'
    + "".join(f'<numFmt numFmtId="{i}" formatCode="{code}"/>' for i, code in NUMBER_FORMATS.items())
    + f'</numFmts><fonts count="{len(_FONTS)}">{"".join(_FONTS)}</fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2F2F2"/><bgColor indexed="64"/></patternFill></fill>'
    f'</fills><borders count="{len(_BORDERS)}">{"".join(_BORDERS)}</borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{len(_XFS)}">{"".join(_XFS)}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
