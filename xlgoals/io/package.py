"""The workbook package (OPC): parts read on demand, relationships, content types; untouched parts copied as stored."""

from __future__ import annotations

import io
import posixpath
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree as SafeET

from xlgoals.io.zipmember import stored_bytes

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_V = "urn:schemas-microsoft-com:vml"
NS_O = "urn:schemas-microsoft-com:office:office"
NS_X = "urn:schemas-microsoft-com:office:excel"

REL_OFFICE_DOC = NS_REL + "/officeDocument"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_STYLES = NS_REL + "/styles"
REL_VML = NS_REL + "/vmlDrawing"
REL_COMMENTS = NS_REL + "/comments"
REL_CALC_CHAIN = NS_REL + "/calcChain"

CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"

# CT_Worksheet children that must come after legacyDrawing (ECMA-376 schema order).
AFTER_LEGACY_DRAWING = frozenset(
    {
        "legacyDrawingHF",
        "drawingHF",
        "picture",
        "oleObjects",
        "controls",
        "webPublishItems",
        "tableParts",
        "extLst",
    }
)

TYPES_PART = "[Content_Types].xml"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# A part larger than this would need zip64, which older Excel versions refuse.
ZIP_LIMIT = 0xFFFF_FFFF


@dataclass
class Sheet:
    name: str
    part: str
    code_name: str = ""


class PackageError(ValueError):
    """A package this editor cannot change safely (duplicate parts, a missing relationship target …)."""


@dataclass
class Package:
    """A workbook's parts: read from the zip only when asked for, and written back as they were stored
    unless changed (an untouched part keeps its bytes, its compression and its timestamp)."""

    source: bytes
    infos: list[zipfile.ZipInfo] = field(default_factory=list)
    changed: dict[str, bytes] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)
    _read: dict[str, bytes] = field(default_factory=dict, repr=False)
    _by_name: dict[str, zipfile.ZipInfo] = field(default_factory=dict, repr=False)
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)
    _types: ET.Element | None = field(default=None, repr=False)

    @classmethod
    def of(cls, data: bytes) -> Package:
        pkg = cls(data)
        pkg._zip = zipfile.ZipFile(io.BytesIO(data))
        pkg.infos = pkg._zip.infolist()
        for info in pkg.infos:
            if info.filename in pkg._by_name:
                raise PackageError(f"the package holds two parts named {info.filename}")
            pkg._by_name[info.filename] = info
        return pkg

    def __contains__(self, part: str) -> bool:
        return part in self.changed or (part in self._by_name and part not in self.removed)

    def names(self) -> list[str]:
        kept = [i.filename for i in self.infos if i.filename not in self.removed]
        return kept + [name for name in self.added if name not in self._by_name]

    def read(self, part: str) -> bytes:
        if part in self.changed:
            return self.changed[part]
        if part in self.removed or part not in self._by_name:
            raise KeyError(part)
        if part not in self._read:
            assert self._zip is not None
            self._read[part] = self._zip.read(self._by_name[part])
        return self._read[part]

    def set(self, part: str, content: bytes) -> None:
        if part not in self._by_name and part not in self.added:
            self.added.append(part)
        self.removed.discard(part)
        self.changed[part] = content

    def remove(self, part: str) -> None:
        self.changed.pop(part, None)
        if part in self.added:
            self.added.remove(part)
        if part in self._by_name:
            self.removed.add(part)

    def xml(self, part: str) -> ET.Element:
        root: ET.Element = SafeET.fromstring(self.read(part))
        return root

    def rels(self, part: str) -> ET.Element:
        path = rels_path(part)
        if path in self:
            return self.xml(path)
        return ET.Element(f"{{{NS_PKG_REL}}}Relationships")

    def set_rels(self, part: str, rels: ET.Element) -> None:
        if len(rels):
            self.set(rels_path(part), serialize_flat(rels, NS_PKG_REL))
        elif rels_path(part) in self:
            self.remove(rels_path(part))

    def office_document(self) -> str:
        for rel in self.rels(""):
            if rel.get("Type") == REL_OFFICE_DOC:
                return resolve("", rel.get("Target", ""))
        raise PackageError("package has no officeDocument relationship")

    def free_name(self, pattern: str, start: int = 1) -> str:
        """The first `pattern.format(n)` (n from `start`) that no part uses."""
        number = start
        while pattern.format(number) in self:
            number += 1
        return pattern.format(number)

    def types(self) -> ET.Element:
        """[Content_Types].xml, parsed once; changes made through types_* are written when the package is."""
        if self._types is None:
            self._types = self.xml(TYPES_PART)
        return self._types

    def types_set(self, part: str, content_type: str) -> None:
        set_override(self.types(), part, content_type)

    def types_drop(self, parts: Iterable[str]) -> None:
        drop_overrides(self.types(), parts)

    def types_default(self, ext: str, content_type: str) -> None:
        ensure_default(self.types(), ext, content_type)

    def save(self, out: IO[bytes]) -> None:
        """The package as a zip: untouched parts copied as stored, changed and added ones deflated anew."""
        if self._types is not None:
            content = serialize_flat(self._types, NS_CT)
            if content != self.read(TYPES_PART):
                self.set(TYPES_PART, content)
        members: list[Member] = []
        for info in self.infos:
            if info.filename in self.removed:
                continue
            raw = None if info.filename in self.changed else stored_bytes(self.source, info)
            if raw is not None:
                members.append(_stored(info, raw))
            else:
                members.append(deflated(info.filename, self.read(info.filename), info))
        members.extend(deflated(name, self.changed[name]) for name in self.added)
        write_members(out, members)


@dataclass
class Member:
    """A zip member whose bytes are ready as they will be stored, with what its headers say of them."""

    name: str
    crc: int
    size: int
    packed: int
    write: Callable[[IO[bytes]], object]
    method: int = zipfile.ZIP_DEFLATED
    date_time: tuple[int, int, int, int, int, int] = ZIP_EPOCH
    flags: int = 0  # deflate option bits
    create_system: int = 0
    external_attr: int = 0


def _stored(info: zipfile.ZipInfo, raw: memoryview) -> Member:
    """A member copied as the source stores it: deflated bytes, CRC and timestamp untouched."""
    return Member(
        info.filename,
        info.CRC,
        info.file_size,
        info.compress_size,
        lambda out: out.write(raw),
        info.compress_type,
        info.date_time,
        info.flag_bits & 0x0006,  # the data descriptor goes: the sizes now stand in the local header
        info.create_system,
        info.external_attr,
    )


def deflated(name: str, content: bytes, like: zipfile.ZipInfo | None = None) -> Member:
    """A member deflated anew; `like`: the member it replaces, whose timestamp and attributes it keeps."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = packer.compress(content) + packer.flush()
    member = Member(name, zlib.crc32(content), len(content), len(data), lambda out: out.write(data))
    if like is not None:
        member.date_time = like.date_time
        member.create_system, member.external_attr = like.create_system, like.external_attr
    else:
        member.create_system, member.external_attr = 3, 0o644 << 16
    return member


def write_members(out: IO[bytes], members: Iterable[Member]) -> None:
    """A plain (not zip64) archive; OverflowError where a member or the whole would need zip64."""
    central: list[bytes] = []
    count = 0
    start = out.tell()
    for m in members:
        offset = out.tell() - start
        if max(m.size, m.packed, offset) >= ZIP_LIMIT:
            raise OverflowError("the archive needs zip64")
        try:
            name, flags = m.name.encode("ascii"), m.flags
        except UnicodeEncodeError:
            name, flags = m.name.encode("utf-8"), m.flags | 0x800
        year, month, day, hour, minute, second = m.date_time
        dos_time, dos_date = hour << 11 | minute << 5 | second // 2, max(0, year - 1980) << 9 | month << 5 | day
        fixed = (flags, m.method, dos_time, dos_date, m.crc, m.packed, m.size, len(name))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, *fixed, 0) + name)
        m.write(out)
        made_by = m.create_system << 8 | 20
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, made_by, 20, *fixed, 0, 0, 0, 0, m.external_attr, offset)
        )
        central.append(name)
        count += 1
    directory = b"".join(central)
    at = out.tell() - start
    if at + len(directory) >= ZIP_LIMIT:
        raise OverflowError("the archive needs zip64")
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), at, 0))


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


def serialize_flat(root: ET.Element, namespace: str) -> bytes:
    """Serialise a [Content_Types].xml or .rels tree: one default namespace, childless children."""

    def local(name: str) -> str:
        uri, _, tail = name[1:].partition("}") if name.startswith("{") else ("", "", name)
        if uri not in ("", namespace):
            raise PackageError(f"unexpected namespace {uri} in a flat part")
        return tail

    items = [f"<{local(root.tag)} xmlns={quoteattr(namespace)}>"]
    for child in root:
        attrs = "".join(f" {local(k)}={quoteattr(v)}" for k, v in child.attrib.items())
        items.append(f"<{local(child.tag)}{attrs}/>")
    items.append(f"</{local(root.tag)}>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + "".join(items)).encode("utf-8")


def content_type_of(types: ET.Element, part: str) -> str:
    for node in types.iter(f"{{{NS_CT}}}Override"):
        if node.get("PartName", "").lstrip("/") == part:
            return node.get("ContentType", "")
    ext = part.rpartition(".")[2].lower()  # OPC: after the last dot, so "_rels/.rels" is "rels"
    for node in types.iter(f"{{{NS_CT}}}Default"):
        if node.get("Extension", "").lower() == ext:
            return node.get("ContentType", "")
    return ""


def set_override(types: ET.Element, part: str, content_type: str) -> None:
    node = next((n for n in types.iter(f"{{{NS_CT}}}Override") if n.get("PartName", "").lstrip("/") == part), None)
    if node is None:
        node = ET.SubElement(types, f"{{{NS_CT}}}Override", {"PartName": "/" + part})
    node.set("ContentType", content_type)


def drop_overrides(types: ET.Element, parts: Iterable[str]) -> None:
    gone = set(parts)
    for node in list(types):
        if node.tag == f"{{{NS_CT}}}Override" and node.get("PartName", "").lstrip("/") in gone:
            types.remove(node)


def ensure_default(types: ET.Element, ext: str, content_type: str) -> None:
    if any(n.get("Extension", "").lower() == ext for n in types.iter(f"{{{NS_CT}}}Default")):
        return
    # Defaults precede Overrides in every writer's output; keep that shape.
    position = sum(1 for child in types if child.tag == f"{{{NS_CT}}}Default")
    types.insert(position, ET.Element(f"{{{NS_CT}}}Default", {"Extension": ext, "ContentType": content_type}))


def add_relationship(rels: ET.Element, rel_type: str, target: str) -> str:
    used = {rel.get("Id") for rel in rels}
    number = len(used) + 1
    while f"rId{number}" in used:
        number += 1
    rel_id = f"rId{number}"
    ET.SubElement(rels, f"{{{NS_PKG_REL}}}Relationship", {"Id": rel_id, "Type": rel_type, "Target": target})
    return rel_id


def internal_targets(pkg: Package, part: str) -> list[tuple[ET.Element, str]]:
    """(relationship, target part) of each of a part's relationships inside the package."""
    return [
        (rel, resolve(part, rel.get("Target", ""))) for rel in pkg.rels(part) if rel.get("TargetMode") != "External"
    ]


def worksheets(pkg: Package, wb_part: str, wb_rels: ET.Element) -> list[Sheet]:
    targets = {rel.get("Id"): rel for rel in wb_rels}
    sheets: list[Sheet] = []
    for node in pkg.xml(wb_part).iter(f"{{{NS_MAIN}}}sheet"):
        rel = targets.get(node.get(f"{{{NS_REL}}}id"))
        # Chart and dialog sheets get no document module: nothing here calls into them.
        if rel is not None and rel.get("Type") == REL_WORKSHEET:
            sheets.append(Sheet(node.get("name", ""), resolve(wb_part, rel.get("Target", ""))))
    return sheets
