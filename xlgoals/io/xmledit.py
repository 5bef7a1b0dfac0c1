"""Byte-preserving XML edits: scan a part's elements, splice attributes and elements in without re-serialising."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

BEFORE_WORKBOOK_PR = frozenset({"fileVersion", "fileSharing"})


@dataclass
class Element:
    """One element of a part: its qualified name, attributes and where it stands in the part's bytes."""

    qname: str
    start: int
    attrs: dict[str, str]
    close: int = -1  # where the parser stood at its end: its end tag, or just past an empty element

    @property
    def local(self) -> str:
        return self.qname.rpartition(":")[2]


@dataclass
class Scan:
    """Top-level children of a part's root element, with byte offsets into the original bytes."""

    xml: bytes
    root: Element
    children: list[Element]
    end: int  # offset of the root's end tag
    nested: dict[str, list[dict[str, str]]]
    # For each top-level child named in scan_xml's `spans`: its own children, with offsets.
    spans: dict[str, list[Element]] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return self.root.qname.rpartition(":")[0]

    def local(self, element: Element) -> str:
        return element.local

    def find(self, local: str) -> Element | None:
        return next((child for child in self.children if child.local == local), None)

    def child_attrs(self, local: str) -> dict[str, str]:
        child = self.find(local)
        return child.attrs if child is not None else {}

    def tag(self, local: str) -> str:
        return f"{self.prefix}:{local}" if self.prefix else local

    def ns_prefix(self, uri: str) -> str | None:
        return ns_prefix(self.root.attrs, uri)

    def namespaces(self) -> str:
        """The root's namespace declarations, to parse one of its elements on its own (see fragment_root)."""
        return "".join(f" {k}={quoteattr(v)}" for k, v in self.root.attrs.items() if k.split(":")[0] == "xmlns")

    def first_of(self, names: Collection[str]) -> int:
        """Where an element belongs that must come before every top-level child named in `names`."""
        follower = next((c for c in self.children if c.local in names), None)
        return follower.start if follower is not None else self.end


def ns_prefix(attrs: Mapping[str, str], uri: str) -> str | None:
    for key, value in attrs.items():
        if value == uri and key.startswith("xmlns:"):
            return key[len("xmlns:") :]
    return None


def _forbid(*_args: object) -> None:
    raise ValueError("DTDs are not allowed in workbook parts")


def new_parser(
    start: Callable[[str, dict[str, str]], None],
    stop: Callable[[str], None],
    text: Callable[[str], None] | None = None,
) -> expat.XMLParserType:
    """An expat parser for a workbook part: the handlers may read its CurrentByteIndex; a DTD is refused."""
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = stop
    if text is not None:
        parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    return parser


def scan_xml(xml: bytes, nested: Mapping[str, str] | None = None, spans: Collection[str] = ()) -> Scan:
    """Offsets of the root's children; `nested` maps a grandchild name to its parent name to collect; `spans`
    names top-level children whose own children are listed with their offsets."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("UTF-16 parts are not supported")
    stack: list[Element] = []
    root: list[Element] = []
    children: list[Element] = []
    wanted = dict(nested or {})
    collected: dict[str, list[dict[str, str]]] = {name: [] for name in wanted}
    listed: dict[str, list[Element]] = {name: [] for name in spans}

    def start(name: str, attrs: dict[str, str]) -> None:
        element = Element(name, parser.CurrentByteIndex, attrs)
        depth = len(stack)
        if depth == 0:
            root.append(element)
        elif depth == 1:
            children.append(element)
        else:
            local = element.local
            if depth == 2 and stack[1].local in listed:
                listed[stack[1].local].append(element)
            if local in wanted and stack[-1].local == wanted[local]:
                collected[local].append(attrs)
        stack.append(element)

    def stop(name: str) -> None:
        stack.pop().close = parser.CurrentByteIndex

    parser = new_parser(start, stop)
    parser.Parse(xml, True)
    return Scan(xml, root[0], children, root[0].close, collected, listed)


_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")


def start_tag(xml: bytes, element: Element) -> bytes:
    tag = _START_TAG.match(xml, element.start)
    if tag is None:
        raise ValueError(f"cannot parse <{element.qname}> at byte {element.start}")
    return tag.group(0)


def is_empty(xml: bytes, element: Element) -> bool:
    """Whether the element is written as one empty tag (<x/>), with no end tag to insert before."""
    return start_tag(xml, element).endswith(b"/>")


def element_end(xml: bytes, element: Element) -> int:
    """The offset just past the element (its end tag, or its one empty tag)."""
    if is_empty(xml, element):
        return element.start + len(start_tag(xml, element))
    return xml.index(b">", element.close) + 1


def extend(
    xml: bytes, element: Element, content: bytes = b"", attrs: Mapping[str, str] | None = None
) -> list[tuple[int, int, bytes]]:
    """The edits that set attributes on an element's start tag and append `content` as its last children,
    opening an empty tag (<x/>) where need be."""
    old = start_tag(xml, element)
    new = old
    for name, value in (attrs or {}).items():
        new = with_attribute(new, name, value)
    if content and old.endswith(b"/>"):
        opened = new[:-2].rstrip() + b">"
        return [(element.start, len(old), opened + content + f"</{element.qname}>".encode())]
    edits = [(element.start, len(old), new)] if new != old else []
    if content:
        edits.append((element.close, 0, content))
    return edits


def remove(xml: bytes, element: Element) -> tuple[int, int, bytes]:
    return element.start, element_end(xml, element) - element.start, b""


def span(xml: bytes, element: Element) -> bytes:
    return xml[element.start : element_end(xml, element)]


def splice(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (offset, length, replacement) edits; edits at one offset keep the order they were given in."""
    if not edits:
        return xml
    pieces: list[bytes] = []
    position = 0
    for offset, length, text in sorted(edits, key=lambda edit: edit[0]):
        pieces.append(xml[position:offset])
        pieces.append(text)
        position = max(position, offset + length)
    pieces.append(xml[position:])
    return b"".join(pieces)


def set_attribute(xml: bytes, element: Element, name: str, value: str) -> tuple[int, int, bytes]:
    tag = start_tag(xml, element)
    attr = re.search(rb"""\s%s\s*=\s*("[^"]*"|'[^']*')""" % re.escape(name.encode()), tag)
    new = f" {name}={quoteattr(value)}".encode()
    if attr is not None:
        return element.start + attr.start(), attr.end() - attr.start(), new
    return element.start + 1 + len(element.qname.encode()), 0, new


def remove_attribute(xml: bytes, element: Element, name: str) -> tuple[int, int, bytes] | None:
    tag = start_tag(xml, element)
    attr = re.search(rb"""\s%s\s*=\s*("[^"]*"|'[^']*')""" % re.escape(name.encode()), tag)
    return None if attr is None else (element.start + attr.start(), attr.end() - attr.start(), b"")


def with_attribute(fragment: bytes, name: str, value: str) -> bytes:
    """An element's bytes with one attribute of its start tag set (the rest kept as written)."""
    name_match = re.match(rb"<([^\s/>]+)", fragment)
    if name_match is None:
        raise ValueError("not an element")
    element = Element(name_match.group(1).decode(), 0, {})
    return splice(fragment, [set_attribute(fragment, element, name, value)])


def empty_element(qname: str, attrs: Mapping[str, str], text: str | None = None) -> bytes:
    """`<qname a="1"/>`, or with escaped text content."""
    head = f"<{qname}" + "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    return (head + ("/>" if text is None else f">{escape(text)}</{qname}>")).encode()


def set_code_name(xml: bytes, code_name: str, *, workbook: bool) -> bytes:
    scan = scan_xml(xml)
    pr_name = "workbookPr" if workbook else "sheetPr"
    existing = scan.find(pr_name)
    if existing is not None:
        return splice(xml, [set_attribute(xml, existing, "codeName", code_name)])
    new = f"<{scan.tag(pr_name)} codeName={quoteattr(code_name)}/>".encode()
    if workbook:
        # workbookPr follows fileVersion/fileSharing and precedes everything else.
        after = next((c for c in scan.children if c.local not in BEFORE_WORKBOOK_PR), None)
    else:
        after = scan.children[0] if scan.children else None  # sheetPr is the first child
    return splice(xml, [(after.start if after is not None else scan.end, 0, new)])
