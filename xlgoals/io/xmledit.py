"""Byte-preserving XML edits: scan a part's elements, splice attributes in without re-serialising."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

BEFORE_WORKBOOK_PR = frozenset({"fileVersion", "fileSharing"})


@dataclass
class _Element:
    qname: str
    start: int
    attrs: dict[str, str]


@dataclass
class Scan:
    """Top-level children of a part's root element, with byte offsets into the original bytes."""

    root: _Element
    children: list[_Element]
    end: int  # offset of the root's end tag
    nested: dict[str, list[dict[str, str]]]

    @property
    def prefix(self) -> str:
        return self.root.qname.rpartition(":")[0]

    def local(self, element: _Element) -> str:
        return element.qname.rpartition(":")[2]

    def find(self, local: str) -> _Element | None:
        return next((child for child in self.children if self.local(child) == local), None)

    def child_attrs(self, local: str) -> dict[str, str]:
        child = self.find(local)
        return child.attrs if child is not None else {}

    def tag(self, local: str) -> str:
        return f"{self.prefix}:{local}" if self.prefix else local

    def ns_prefix(self, uri: str) -> str | None:
        for key, value in self.root.attrs.items():
            if value == uri and key.startswith("xmlns:"):
                return key[len("xmlns:") :]
        return None


def scan_xml(xml: bytes, nested: Mapping[str, str] | None = None) -> Scan:
    """Offsets of the root's children; `nested` maps a grandchild name to its parent name to collect."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("UTF-16 parts are not supported")
    parser = expat.ParserCreate()
    depth = 0
    parents: list[str] = []
    root: list[_Element] = []
    children: list[_Element] = []
    end: list[int] = []
    wanted = dict(nested or {})
    collected: dict[str, list[dict[str, str]]] = {name: [] for name in wanted}

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        element = _Element(name, parser.CurrentByteIndex, attrs)
        if depth == 0:
            root.append(element)
        elif depth == 1:
            children.append(element)
        else:
            local = name.rpartition(":")[2]
            if local in wanted and parents and parents[-1].rpartition(":")[2] == wanted[local]:
                collected[local].append(attrs)
        parents.append(name)
        depth += 1

    def stop(name: str) -> None:
        nonlocal depth
        depth -= 1
        parents.pop()
        if depth == 0:
            end.append(parser.CurrentByteIndex)

    def forbid(*_args: object) -> None:
        raise ValueError("DTDs are not allowed in workbook parts")

    parser.StartElementHandler = start
    parser.EndElementHandler = stop
    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.Parse(xml, True)
    return Scan(root[0], children, end[0], collected)


_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")


def splice(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for offset, length, text in sorted(edits, key=lambda edit: edit[0], reverse=True):
        xml = xml[:offset] + text + xml[offset + length :]
    return xml


def _set_attribute(xml: bytes, element: _Element, name: str, value: str) -> tuple[int, int, bytes]:
    tag = _START_TAG.match(xml, element.start)
    if tag is None:
        raise ValueError(f"cannot parse <{element.qname}> at byte {element.start}")
    text = tag.group(0)
    attr = re.search(rb"""\s%s\s*=\s*("[^"]*"|'[^']*')""" % re.escape(name.encode()), text)
    new = f" {name}={quoteattr(value)}".encode()
    if attr is not None:
        return element.start + attr.start(), attr.end() - attr.start(), new
    return element.start + 1 + len(element.qname.encode()), 0, new


def set_code_name(xml: bytes, code_name: str, *, workbook: bool) -> bytes:
    scan = scan_xml(xml)
    pr_name = "workbookPr" if workbook else "sheetPr"
    existing = scan.find(pr_name)
    if existing is not None:
        return splice(xml, [_set_attribute(xml, existing, "codeName", code_name)])
    new = f"<{scan.tag(pr_name)} codeName={quoteattr(code_name)}/>".encode()
    if workbook:
        # workbookPr follows fileVersion/fileSharing and precedes everything else.
        after = next((c for c in scan.children if scan.local(c) not in BEFORE_WORKBOOK_PR), None)
    else:
        after = scan.children[0] if scan.children else None  # sheetPr is the first child
    return splice(xml, [(after.start if after is not None else scan.end, 0, new)])
