"""Turn an .xlsx into an .xlsm: VBA project part, code names and form buttons; every other part kept byte for byte."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path

from xlgoals.io.outputs import atomic_output
from xlgoals.io.package import (
    NS_CT,
    Package,
    add_relationship,
    content_type_of,
    serialize_flat,
    worksheets,
)
from xlgoals.io.xmledit import set_code_name
from xlgoals.macro.buttons import default_font, place_legacy_drawing
from xlgoals.macro.opc import (
    CELL_REF,
    CT_MACRO_MAIN,
    REL_VBA,
    ButtonSpec,
    assign_code_names,
    register_content_types,
)
from xlgoals.macro.vba import (
    WORKBOOK_CODE_NAME,
    build_vba_project,
    is_class_module,
    macro_sources,
    public_subs,
)


def make_xlsm(xlsx_path: Path, out_path: Path, buttons: Mapping[str, Sequence[ButtonSpec]]) -> None:
    """Turn an .xlsx into an .xlsm carrying our VBA project and form-control buttons.

    `buttons` maps a worksheet name to [(anchor cell such as "F2", caption, Sub name)]. Parts of the
    input that need no change are copied byte for byte; the edits are code names on workbookPr and each
    worksheet's sheetPr, xl/vbaProject.bin with its relationship and content types, and per sheet with
    buttons one legacy VML drawing (merged with the sheet's comment shapes when it has notes).
    """
    xlsx_path, out_path = Path(xlsx_path), Path(out_path)
    pkg = Package.of(xlsx_path.read_bytes())

    wb_part = pkg.office_document()
    content_types = pkg.xml("[Content_Types].xml")
    main_ct = content_type_of(content_types, wb_part)
    if main_ct not in CT_MACRO_MAIN:
        raise ValueError(f"{xlsx_path.name}: not a macro-free workbook (content type {main_ct})")
    macro_ct, suffix = CT_MACRO_MAIN[main_ct]
    if out_path.suffix.lower() != suffix:
        raise ValueError(f"{out_path.name}: Excel opens this workbook only with the {suffix} extension")
    wb_rels = pkg.rels(wb_part)
    if any(rel.get("Type") == REL_VBA for rel in wb_rels):
        raise ValueError(f"{xlsx_path.name}: already has a VBA project")

    sources = macro_sources()
    callable_subs = {
        sub.lower() for source in sources.values() if not is_class_module(source) for sub in public_subs(source)
    }
    sheets = worksheets(pkg, wb_part, wb_rels)
    by_name = {sheet.name: sheet for sheet in sheets}
    for sheet_name, specs in buttons.items():
        if sheet_name not in by_name:
            raise ValueError(f"no worksheet named {sheet_name!r}")
        for cell, _caption, sub in specs:
            if not CELL_REF.fullmatch(cell):
                raise ValueError(f"{sheet_name}: {cell!r} is not a cell reference")
            if sub.lower() not in callable_subs:
                raise ValueError(f"{sheet_name}: no public Sub {sub!r} in the VBA sources")

    assign_code_names(pkg, sheets)
    pkg.set(wb_part, set_code_name(pkg.read(wb_part), WORKBOOK_CODE_NAME, workbook=True))
    for sheet in sheets:
        pkg.set(sheet.part, set_code_name(pkg.read(sheet.part), sheet.code_name, workbook=False))

    vba_part = posixpath.join(posixpath.dirname(wb_part), "vbaProject.bin")
    pkg.set(vba_part, build_vba_project(sources, [sheet.code_name for sheet in sheets]))
    add_relationship(wb_rels, REL_VBA, posixpath.basename(vba_part))
    pkg.set_rels(wb_part, wb_rels)

    font = default_font(pkg, wb_part, wb_rels)
    vml_count = 0
    for sheet in sheets:
        if place_legacy_drawing(pkg, sheet, buttons.get(sheet.name, ()), vml_count + 1, font):
            vml_count += 1

    register_content_types(content_types, wb_part, macro_ct, vba_part)
    pkg.set("[Content_Types].xml", serialize_flat(content_types, NS_CT))
    with atomic_output(out_path) as tmp, tmp.open("wb") as out:
        pkg.save(out)
