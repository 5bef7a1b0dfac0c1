"""An OOXML package's parts as bytes: relationships, sheets by name, VML shapes and the buttons among them."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET

NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "v": "urn:schemas-microsoft-com:vml",
    "x": "urn:schemas-microsoft-com:office:excel",
}


def read_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rels_of(parts: dict[str, bytes], part: str) -> list[dict[str, str]]:
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    if path not in parts:
        return []
    rels = []
    for node in SafeET.fromstring(parts[path]).iter(f"{{{NS['pr']}}}Relationship"):
        rel = dict(node.attrib)
        if rel.get("TargetMode") != "External":
            target = rel["Target"]
            rel["part"] = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        rels.append(rel)
    return rels


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    wb_rels = {rel["Id"]: rel["part"] for rel in rels_of(parts, "xl/workbook.xml")}
    root = SafeET.fromstring(parts["xl/workbook.xml"])
    return {s.get("name"): wb_rels[s.get(f"{{{NS['rel']}}}id")] for s in root.iter(f"{{{NS['main']}}}sheet")}


def shapes(parts: dict[str, bytes], sheet_part: str) -> Iterator[tuple[str, Any]]:
    """(ObjectType, v:shape element) for every shape of the sheet's legacy VML drawing."""
    root = SafeET.fromstring(parts[sheet_part])
    legacy = root.find(f"{{{NS['main']}}}legacyDrawing")
    if legacy is None:
        return
    rel_id = legacy.get(f"{{{NS['rel']}}}id")
    target = next(rel["part"] for rel in rels_of(parts, sheet_part) if rel["Id"] == rel_id)
    for shape in SafeET.fromstring(parts[target]).iter(f"{{{NS['v']}}}shape"):
        data = shape.find(f"{{{NS['x']}}}ClientData")
        yield (data.get("ObjectType") if data is not None else ""), shape


def buttons_in(path: Path) -> dict[str, list[tuple[str, str]]]:
    parts = read_parts(path)
    found: dict[str, list[tuple[str, str]]] = {}
    for name, part in sheet_parts(parts).items():
        for kind, shape in shapes(parts, part):
            if kind == "Button":
                caption = "".join(shape.find(f"{{{NS['v']}}}textbox").itertext()).strip()
                macro = shape.find(f"{{{NS['x']}}}ClientData/{{{NS['x']}}}FmlaMacro").text
                found.setdefault(name, []).append((caption, macro))
    return found
