"""styles.xml edited in place: fills and cell formats found or appended, a generated sheet's formats brought in."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Hashable
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree as SafeET

from xlgoals.io.package import PackageError
from xlgoals.io.xmledit import Scan, extend, scan_xml, span, splice, with_attribute

# CT_Stylesheet's children in schema order: a missing list goes before the first one present after it.
_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
_ITEM = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}
_FIRST_CUSTOM_FORMAT = 164

Key = Hashable


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _key(element: ET.Element) -> Key:
    """What an element means, whatever prefixes, attribute order and whitespace it was written with."""
    return (
        element.tag,
        tuple(sorted(element.attrib.items())),
        (element.text or "").strip(),
        tuple(_key(child) for child in element),
    )


def _fill_colour(element: ET.Element) -> str | None:
    """'none', or a solid fill's foreground as 8 hex digits; None for anything else (patterns, gradients)."""
    pattern = next((c for c in element if _local(c.tag) == "patternFill"), None)
    if pattern is None:
        return "none" if len(element) == 0 else None
    kind = pattern.get("patternType", "none")
    if kind == "none":
        return "none"
    colour = next((c for c in pattern if _local(c.tag) == "fgColor"), None)
    rgb = colour.get("rgb", "") if colour is not None else ""
    if kind != "solid" or len(rgb) not in (6, 8):
        return None
    return rgb.upper().rjust(8, "F")


class StyleSheet:
    """One styles part: lists read once; whatever is added is spliced in before each list's end tag."""

    def __init__(self, xml: bytes) -> None:
        self.xml = xml
        try:
            self.scan: Scan = scan_xml(xml, spans=_ITEM)
            root = SafeET.fromstring(xml)
        except (expat.ExpatError, ET.ParseError, ValueError) as e:
            raise PackageError(f"styles.xml does not parse: {e}") from None
        lists = {_local(child.tag): list(child) for child in root if _local(child.tag) in _ITEM}
        self._old: dict[str, list[ET.Element]] = {name: lists.get(name, []) for name in _ITEM}
        self._keys: dict[str, dict[Key, int]] = {name: {} for name in _ITEM}
        for name, items in self._old.items():
            for index, item in enumerate(items):
                self._keys[name].setdefault(_key(item), index)
        self._new: dict[str, list[bytes]] = {name: [] for name in _ITEM}
        self._with_fill: dict[tuple[int, int], int] = {}
        self._fills = {_fill_colour(item): i for i, item in reversed(list(enumerate(self._old["fills"])))}
        self._fills.pop(None, None)

    def _count(self, name: str) -> int:
        return len(self._old[name]) + len(self._new[name])

    def _fragment(self, content: bytes) -> ET.Element:
        wrapped = b"<w" + self.scan.namespaces().encode() + b">" + content + b"</w>"
        return SafeET.fromstring(wrapped)[0]  # type: ignore[no-any-return]

    def _add(self, name: str, content: bytes) -> int:
        """The index of an item meaning what `content` means, appended when the list has none."""
        key = _key(self._fragment(content))
        found = self._keys[name].get(key)
        if found is None:
            found = self._count(name)
            self._new[name].append(content)
            self._keys[name][key] = found
        return found

    def _tag(self, local: str) -> str:
        return self.scan.tag(local)

    def fill(self, rgb: str | None) -> int:
        """A solid fill of `rgb` (8 hex digits), or the empty fill for None: one already there, or added."""
        wanted = "none" if rgb is None else rgb.upper()
        # The first two fills are reserved (none, gray125) whatever they say: a short list is completed first.
        for kind in ("none", "gray125")[self._count("fills") :]:
            self._fills.setdefault(kind, self._add("fills", self._pattern_fill(kind)))
        if wanted not in self._fills:
            self._fills[wanted] = self._add("fills", self._pattern_fill("none" if rgb is None else "solid", wanted))
        return self._fills[wanted]

    def _pattern_fill(self, kind: str, rgb: str = "") -> bytes:
        fill, pattern = self._tag("fill"), self._tag("patternFill")
        if kind != "solid":
            return f'<{fill}><{pattern} patternType="{kind}"/></{fill}>'.encode()
        colours = f'<{self._tag("fgColor")} rgb="{rgb}"/><{self._tag("bgColor")} indexed="64"/>'
        return f'<{fill}><{pattern} patternType="solid">{colours}</{pattern}></{fill}>'.encode()

    def xf(self, index: int) -> bytes:
        """Cell format `index` as written (format 0 where the list is shorter)."""
        old = self.scan.spans.get("cellXfs", [])
        if index < len(old):
            return span(self.xml, old[index])
        if index < self._count("cellXfs"):
            return self._new["cellXfs"][index - len(old)]
        if old:
            return span(self.xml, old[0])
        return f'<{self._tag("xf")} numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'.encode()

    def with_fill(self, xf: int, fill: int) -> int:
        """A cell format like `xf` but for its fill: the format a marked (or cleared) cell takes."""
        if (xf, fill) not in self._with_fill:
            content = with_attribute(self.xf(xf), "fillId", str(fill))
            element = self._fragment(content)
            if element.get("applyFill") in ("0", "false"):
                content = with_attribute(content, "applyFill", "1")
            self._with_fill[(xf, fill)] = self._add("cellXfs", content)
        return self._with_fill[(xf, fill)]

    def bring_in(self, styles: bytes) -> dict[int, int]:
        """Each cell format of another workbook's styles.xml (openpyxl's, for a generated sheet) as a format of
        this one, its font, fill, border and number format matched or added: {their index: ours}."""
        root = SafeET.fromstring(styles)
        lists = {_local(child.tag): list(child) for child in root}
        codes = {n.get("numFmtId", ""): n.get("formatCode", "") for n in lists.get("numFmts", [])}
        mapping: dict[int, int] = {}
        for index, xf in enumerate(lists.get("cellXfs", [])):
            if index == 0:
                mapping[0] = 0  # unstyled cells take the workbook's own default format
                continue
            attrs = dict(xf.attrib)
            attrs["numFmtId"] = str(self._number_format(attrs.get("numFmtId", "0"), codes))
            for attr, name in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
                theirs = int(attrs.get(attr, "0"))
                if theirs == 0 or (name == "fills" and theirs == 1):
                    continue  # the defaults (and gray125) stand at the same place in every workbook
                item = lists[name][theirs]
                if name == "fills" and (colour := _fill_colour(item)) not in (None, "none"):
                    attrs[attr] = str(self.fill(colour))
                else:
                    attrs[attr] = str(self._add(name, self._serialize(item)))
            attrs["xfId"] = "0"
            mapping[index] = self._add("cellXfs", self._serialize(xf, attrs))
        return mapping

    def _number_format(self, theirs: str, codes: dict[str, str]) -> int:
        if not theirs.isdigit() or int(theirs) < _FIRST_CUSTOM_FORMAT:
            return int(theirs) if theirs.isdigit() else 0
        code = codes.get(theirs, "General")
        for element in self.scan.spans.get("numFmts", []):
            if element.attrs.get("formatCode") == code and element.attrs.get("numFmtId", "").isdigit():
                return int(element.attrs["numFmtId"])
        for content in self._new["numFmts"]:
            found = self._fragment(content)
            if found.get("formatCode") == code:
                return int(found.get("numFmtId", "0"))
        taken = [int(e.attrs.get("numFmtId", "0")) for e in self.scan.spans.get("numFmts", [])]
        taken += [int(self._fragment(c).get("numFmtId", "0")) for c in self._new["numFmts"]]
        number = max([_FIRST_CUSTOM_FORMAT - 1, *taken]) + 1
        self._new["numFmts"].append(
            f"<{self._tag('numFmt')} numFmtId={quoteattr(str(number))} formatCode={quoteattr(code)}/>".encode()
        )
        return number

    def _serialize(self, element: ET.Element, attrs: dict[str, str] | None = None) -> bytes:
        """An element of the other workbook's styles under this part's prefix."""

        def write(node: ET.Element, attributes: dict[str, str]) -> str:
            local = _local(node.tag)
            if any(k.startswith("{") for k in attributes):
                raise PackageError("namespaced attributes in a generated sheet's styles")
            tag = self._tag(local)
            head = f"<{tag}" + "".join(f" {k}={quoteattr(v)}" for k, v in attributes.items())
            inner = escape(node.text or "") + "".join(write(child, dict(child.attrib)) for child in node)
            return head + (f">{inner}</{tag}>" if inner else "/>")

        return write(element, attrs if attrs is not None else dict(element.attrib)).encode()

    def result(self) -> bytes:
        """The part with every addition spliced in and each changed list's count set."""
        edits: list[tuple[int, int, bytes]] = []
        missing: dict[str, bytes] = {}
        for name, items in self._new.items():
            if not items:
                continue
            container = self.scan.find(name)
            count = {"count": str(self._count(name))}
            if container is not None:
                edits.extend(extend(self.xml, container, b"".join(items), count))
            else:
                missing[name] = f'<{self._tag(name)} count="{self._count(name)}">'.encode() + b"".join(items)
                missing[name] += f"</{self._tag(name)}>".encode()
        for name, content in missing.items():
            later = _ORDER[_ORDER.index(name) + 1 :]
            edits.append((self.scan.first_of(later), 0, content))
        return splice(self.xml, edits)
