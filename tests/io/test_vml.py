"""io/vml.py: a sheet's geometry in pixels as Excel lays it out, note anchors in it, and VML drawings whose note
shapes are added and removed beside the shapes they already hold (buttons)."""

from __future__ import annotations

import pytest

from xlgoals.io.package import PackageError
from xlgoals.io.vml import Drawing, geometry, legacy_drawing

BUTTON = (
    b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
    b' xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit"'
    b' data="1"/></o:shapelayout><v:shape id="_x0000_s1025" type="#_x0000_t201"><x:ClientData ObjectType="Button">'
    b"<x:Anchor>5, 0, 1, 0, 7, 0, 2, 0</x:Anchor><x:FmlaMacro>[0]!ValidateAll</x:FmlaMacro></x:ClientData>"
    b"</v:shape></xml>"
)


def test_geometry_in_pixels() -> None:
    shape = geometry(
        {"defaultRowHeight": "15"},
        [{"min": "1", "max": "2", "width": "10"}, {"min": "3", "max": "3", "width": "9", "hidden": "1"}],
        [{"r": "2", "ht": "30"}, {"r": "3", "hidden": "1"}],
    )
    assert (shape.col(0), shape.col(1), shape.col(2), shape.col(3)) == (70, 70, 0, 64)
    assert (shape.row(0), shape.row(1), shape.row(2)) == (20, 40, 0)


def test_notes_go_beside_the_buttons_and_come_out_again() -> None:
    drawing = Drawing.parse(BUTTON)
    drawing.add_note(geometry({}, [], []), 4, 2)  # C5
    with_note = drawing.result()
    assert with_note.count(b"<v:shape ") == 2 and b'ObjectType="Note"' in with_note
    assert b"<x:Row>4</x:Row>" in with_note and b"<x:Column>2</x:Column>" in with_note
    assert b"[0]!ValidateAll" in with_note  # the button kept as written
    again = Drawing.parse(with_note)
    again.remove_notes({(4, 2)})
    assert not again.empty()  # the button stays
    assert again.result().count(b'ObjectType="Note"') == 0
    assert b"[0]!ValidateAll" in again.result()


def test_a_new_drawing_holds_only_what_is_added() -> None:
    drawing = Drawing.new()
    assert drawing.empty()
    drawing.add_note(geometry({}, [], []), 0, 0)
    assert not drawing.empty() and Drawing.parse(drawing.result()).shapes[0].kind == "Note"


def test_legacy_drawing_binds_its_relationship() -> None:
    assert legacy_drawing("legacyDrawing", "r", "rId3") == b'<legacyDrawing r:id="rId3"/>'
    assert b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"' in legacy_drawing(
        "x:legacyDrawing", None, "rId1"
    )


def test_a_drawing_that_does_not_parse_is_refused() -> None:
    with pytest.raises(PackageError, match="VML drawing does not parse"):
        Drawing.parse(b"<xml><v:shape>")
