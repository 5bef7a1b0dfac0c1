"""A hostile corpus generated at test time: odd, broken and malicious inputs and output paths, each with
the command line that meets it and the exit codes that are acceptable."""

from __future__ import annotations

import io
import os
import random
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# calamine reserves uniqueCount strings up front: 4e9 of them would abort the process.
_SST_LIE = (
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4000000000">'
    b"<si><t>x</t></si></sst>"
)
READ, REFUSED, ANY = frozenset({0, 1}), frozenset({2}), frozenset({0, 1, 2})
# Parts of the base workbook (written by template.write_unit): the cover, then one part per project.
COVER_PART = "xl/worksheets/sheet1.xml"
PROJECT_PART = "xl/worksheets/sheet2.xml"
PROJECT_NAME = "上海国际生物技术与医药交流对接"


@dataclass(frozen=True)
class Case:
    """One hostile input (or output path) and how the CLI must meet it.

    `build` makes the input inside a folder and returns its path; `argv` is the command for that input and
    a scratch folder for outputs. `in_corpus`: the input also goes into the whole-corpus consolidation.
    """

    id: str
    group: str
    build: Callable[[Path], Path]
    expect: frozenset[int]
    argv: Callable[[Path, Path], list[str]] = field(default=lambda p, out: validate_argv(p, out))
    in_corpus: bool = True
    # Run as an unprivileged user (nobody) when the tests run as root, for whom file permissions do not apply.
    unprivileged: bool = False


def validate_argv(path: Path, out: Path) -> list[str]:
    """validate in table format (names reach rich) with a write-back: every read path and the writer; with the
    rule codes, so a test can tell which rule spoke."""
    return ["validate", str(path), "--write-back", str(out / "checked.xlsx"), "--codes"]


def rollup_argv(path: Path, out: Path) -> list[str]:
    return ["rollup", str(path), "--write-back", str(out / "summary.xlsx")]


def import_argv(path: Path, out: Path) -> list[str]:
    return ["import", str(path), "-o", str(out / "unit.xlsx")]


# --- zip surgery ----------------------------------------------------------------------------------------

Edit = bytes | Callable[[bytes], bytes] | None


def rezip(base: bytes, edits: Mapping[str, Edit] = {}, add: Mapping[str, bytes] = {}) -> bytes:
    """The package with members replaced (bytes), rewritten (a function) or removed (None), and added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in edits:
                edit = edits[info.filename]
                if edit is None:
                    continue
                data = edit(data) if callable(edit) else edit
            zout.writestr(info.filename, data)
        for name, data in add.items():
            zout.writestr(name, data)
    return out.getvalue()


def sub(pattern: str, repl: str, count: int = 1) -> Callable[[bytes], bytes]:
    """A member edit replacing a regular expression (which must match)."""

    def edit(data: bytes) -> bytes:
        new, n = re.subn(pattern.encode(), repl.encode(), data, count=count)
        assert n, f"pattern {pattern!r} not found"
        return new

    return edit


def cell_xml(cell: str, inner: str, attrs: str = "") -> Callable[[bytes], bytes]:
    """Replace cell `cell` of a part with raw XML."""
    return sub(rf'<c r="{cell}"[^>]*?(?:/>|>.*?</c>)', f'<c r="{cell}"{attrs}>{inner}</c>')


def text_cell(cell: str, raw: str) -> Callable[[bytes], bytes]:
    return cell_xml(cell, f"<is><t>{raw}</t></is>", ' t="inlineStr"')


def number_cell(cell: str, raw: str) -> Callable[[bytes], bytes]:
    return cell_xml(cell, f"<v>{raw}</v>", ' s="11" t="n"')


def rename_sheet(old: str, new: str) -> Callable[[bytes], bytes]:
    return sub(f'name="{re.escape(old)}"', f'name="{new}"')


def with_unit_name(base: bytes, name: str) -> bytes:
    return rezip(base, {COVER_PART: text_cell("B3", name)})


# --- builders -------------------------------------------------------------------------------------------


def _file(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data() if callable(data) else data)
        return path

    return build


def _ole(streams: Mapping[str, bytes]) -> bytes:
    """An OLE compound file with the given streams (what .xls files and encrypted .xlsx files are)."""
    from ms_dtyp.filetime import Filetime

    from xlgoals.macro import vba
    from xlgoals.macro.cfb import compound_file

    with vba._scratch_dir():
        return compound_file(streams, Filetime(1601, 1, 1))


def _zip(members: Mapping[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _bomb() -> bytes:
    """A sheet part of 120 MB of spaces that packs to ~120 KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b" " * (1 << 20)
            for _ in range(120):
                fh.write(block)
    return out.getvalue()


def _deep(depth: int) -> Callable[[bytes], bytes]:
    nested = "<extLst>" + "<ext>" * depth + "</ext>" * depth + "</extLst>"
    return sub("</worksheet>", nested + "</worksheet>")


def _rows(count: int) -> Callable[[bytes], bytes]:
    """`count` extra filled rows at the end of a sheet's data."""

    def edit(data: bytes) -> bytes:
        rows = "".join(f'<row r="{r}"><c r="C{r}" t="n"><v>{r}</v></c></row>' for r in range(48, 48 + count))
        return data.replace(b"</sheetData>", rows.encode() + b"</sheetData>")

    return edit


# Formula cells in the form's data cells, as Excel, LibreOffice and scripts store them: each must be a finding
# at its cell (tests/test_hostile.py holds the code and the cell).
FORMULA_CELLS: dict[str, tuple[str, str, str, str]] = {
    "error-ref-in-money": ("D14", "<f>#REF!*1</f><v>#REF!</v>", ' t="e"', "cell.error-value"),
    "error-na-in-level1": ("A18", '<f>VLOOKUP("x",B1:B2,1,FALSE)</f><v>#N/A</v>', ' t="e"', "cell.error-value"),
    "error-pasted-in-name": ("B4", "<v>#N/A</v>", ' t="e"', "cell.error-value"),
    "error-spill-in-target": ("D18", "<f>SEQUENCE(3)</f><v>#SPILL!</v>", ' t="e"', "cell.error-value"),
    "error-calc-in-date": ("B5", "<f>FILTER(A1:A2,A1:A2&gt;9)</f><v>#CALC!</v>", ' t="e"', "cell.error-value"),
    "formula-empty-value": ("B15", "<f>B14*0.8</f><v/>", "", "cell.uncomputed"),
    "formula-empty-value-2": ("C18", "<f>C19</f><v></v>", "", "cell.uncomputed"),
    "formula-shared-no-value": ("D15", '<f t="shared" si="0" ref="D15">B15</f>', "", "cell.uncomputed"),
}
FORMULA_CASES = {cid: cell_xml(cell, inner, attrs) for cid, (cell, inner, attrs, _) in FORMULA_CELLS.items()}


def _error_rows(count: int) -> Callable[[bytes], bytes]:
    """More error cells than a sheet's read area holds cells: refused before any is looked at one by one."""
    rows = "".join(f'<row r="{r}"><c r="BZ{r}" t="e"><v>#N/A</v></c></row>' for r in range(2001, 2001 + count))
    return lambda d: d.replace(b"</sheetData>", rows.encode() + b"</sheetData>")


def _no_refs(data: bytes) -> bytes:
    """Cells without r attributes (allowed: positions follow from order), on the sheet's last row."""
    return data.replace(b"</sheetData>", b'<row r="60"><c t="n"><v>1</v></c><c t="n"><v>2</v></c></row></sheetData>')


def _many_sheets(base: bytes, extra: int) -> bytes:
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    ns_r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    sheets = "".join(f'<sheet name="附表{i}" sheetId="{100 + i}" r:id="rIdX{i}"/>' for i in range(extra))
    rels = "".join(
        f'<Relationship Type="{ns_r}" Target="/xl/worksheets/extra{i}.xml" Id="rIdX{i}"/>' for i in range(extra)
    )
    return rezip(
        base,
        {
            "xl/workbook.xml": sub("</sheets>", sheets + "</sheets>"),
            "xl/_rels/workbook.xml.rels": sub("</Relationships>", rels + "</Relationships>"),
        },
        {f"xl/worksheets/extra{i}.xml": sheet for i in range(extra)},
    )


def _chartsheet(base: bytes) -> bytes:
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet"
    part = b'<chartsheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews/></chartsheet>'
    return rezip(
        base,
        {
            "xl/workbook.xml": sub("</sheets>", '<sheet name="图表1" sheetId="99" r:id="rIdC"/></sheets>'),
            "xl/_rels/workbook.xml.rels": sub(
                "</Relationships>",
                f'<Relationship Type="{ns}" Target="/xl/chartsheets/sheet1.xml" Id="rIdC"/></Relationships>',
            ),
        },
        {"xl/chartsheets/sheet1.xml": part},
    )


def _special(kind: str, name: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "dir":
            path.mkdir()
        elif kind == "dangling":
            path.symlink_to(folder / "does-not-exist.xlsx")
        else:
            path.symlink_to(kind)  # a device
        return path

    return build


# --- the corpus -----------------------------------------------------------------------------------------


def workbook_cases(base: bytes) -> list[Case]:
    """Containers, XML, formats, sheets, names, values, sizes and special files."""
    rnd = random.Random(9)
    noise = bytes(rnd.getrandbits(8) for _ in range(4096))
    pad = "<!--" + "x" * 5000 + "-->"
    cases: list[Case] = []

    def add(cid: str, group: str, data: bytes | Callable[[], bytes], expect: frozenset[int], **kw: object) -> None:
        name = str(kw.pop("name", f"{cid}.xlsx"))
        cases.append(Case(cid, group, _file(name, data), expect, **kw))  # type: ignore[arg-type]

    def edited(edits: Mapping[str, Edit], add_: Mapping[str, bytes] = {}) -> Callable[[], bytes]:
        return lambda: rezip(base, edits, add_)

    # containers
    add("empty", "containers", b"", REFUSED)
    add("random-bytes", "containers", noise, REFUSED)
    add("zip-header-garbage", "containers", b"PK\x03\x04" + noise, REFUSED)
    add("truncated-half", "containers", base[: len(base) // 2], REFUSED)
    add("truncated-tail", "containers", base[:-100], REFUSED)
    add("crc-flipped", "containers", lambda: _flip_member_byte(base), REFUSED)
    add("zip-bomb", "containers", _bomb, REFUSED)
    add("nested-zip", "containers", lambda: _zip({"unit.xlsx": base}), REFUSED)
    add("too-many-members", "containers", lambda: rezip(base, add={f"x/{i}.bin": b"" for i in range(5100)}), REFUSED)
    add(
        "encrypted-ole",
        "containers",
        lambda: _ole({"EncryptionInfo": bytes(64), "EncryptedPackage": bytes(600)}),
        REFUSED,
    )
    add("legacy-xls", "containers", lambda: _ole({"Workbook": bytes(2048)}), REFUSED, name="legacy-xls.xls")
    add("ole-magic-only", "containers", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", REFUSED)
    add("xlsx-named-xls", "containers", base, READ, name="named.xls")
    add("xlsx-named-txt", "containers", base, READ, name="named.txt")
    add("xlsx-no-extension", "containers", base, READ, name="noextension")
    add("oversized-file", "containers", lambda: b"PK" + bytes(51 * 1024 * 1024), REFUSED)
    add("no-workbook-part", "containers", edited({"xl/workbook.xml": None}), REFUSED)
    add("stored-not-deflated", "containers", lambda: _stored(base), READ)
    # XML
    add("doctype-first", "xml", edited({PROJECT_PART: sub("^", '<!DOCTYPE x [<!ENTITY a "b">]>')}), REFUSED)
    add("doctype-after-4k", "xml", edited({PROJECT_PART: sub("<sheetData>", pad + "<!DOCTYPE x><sheetData>")}), REFUSED)
    add("doctype-at-1mb", "xml", edited({PROJECT_PART: _at_boundary(b"<!DOCTYPE x>")}), REFUSED)
    add(
        "billion-laughs",
        "xml",
        edited(
            {
                "xl/workbook.xml": sub(
                    "^",
                    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
                )
            }
        ),
        REFUSED,
    )
    add("doctype-content-types", "xml", edited({"[Content_Types].xml": sub("^", "<!DOCTYPE t>")}), REFUSED)
    add("doctype-rels", "xml", edited({"_rels/.rels": sub("^", "<!DOCTYPE r>")}), REFUSED)
    add(
        "entity-in-styles-late",
        "xml",
        edited({"xl/styles.xml": sub("</styleSheet>", pad + '<!ENTITY e "x"></styleSheet>')}),
        REFUSED,
    )
    add("doctype-utf16", "xml", edited({"docProps/app.xml": "<!DOCTYPE a><a/>".encode("utf-16")}), REFUSED)
    add("svg-with-doctype", "xml", edited({}, {"xl/media/logo.svg": b"<!DOCTYPE svg><svg/>"}), READ)
    add(
        "huge-attribute",
        "xml",
        edited({PROJECT_PART: sub("<sheetData>", '<sheetData x="' + "a" * 3_000_000 + '">')}),
        READ,
    )
    # Read, and the write-back copies the nesting as it is (it only edits what it marks).
    add("deep-nesting", "xml", edited({PROJECT_PART: _deep(50_000)}), READ)
    add(
        "invalid-utf8",
        "xml",
        edited({PROJECT_PART: lambda d: d.replace(PROJECT_NAME.encode(), b"\xff\xfe\xc3(")}),
        REFUSED,
    )
    add("bom-in-part", "xml", edited({PROJECT_PART: lambda d: b"\xef\xbb\xbf" + d}), READ)
    add("unclosed-tag", "xml", edited({PROJECT_PART: lambda d: d[: len(d) // 2]}), REFUSED)
    add("not-xml-at-all", "xml", edited({"xl/workbook.xml": noise}), REFUSED)
    add("workbook-without-sheets", "xml", edited({"xl/workbook.xml": sub("<sheets>.*</sheets>", "<sheets/>")}), REFUSED)
    add("sheet-part-missing", "xml", edited({PROJECT_PART: None}), REFUSED)
    # Read with the default look; the write-back gives the copy a styles part for its marks.
    add("styles-missing", "xml", edited({"xl/styles.xml": None}), READ)
    add("content-types-missing", "xml", edited({"[Content_Types].xml": None}), REFUSED)
    # formats
    add("csv-renamed", "formats", "项目名称,预算\n测试,100\n".encode(), REFUSED)
    add(
        "ods",
        "formats",
        lambda: _zip(
            {
                "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": b"<office:document-content/>",
            }
        ),
        REFUSED,
        name="unit.ods",
    )
    add(
        "ods-renamed",
        "formats",
        lambda: _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
        REFUSED,
    )
    add(
        "xlsb",
        "formats",
        lambda: _zip({"xl/workbook.bin": noise, "[Content_Types].xml": b"<Types/>"}),
        REFUSED,
        name="unit.xlsb",
    )
    add("html-renamed", "formats", b"<html><body><table><tr><td>1</td></tr></table></body></html>", REFUSED)
    add("pdf-renamed", "formats", b"%PDF-1.4\n" + noise, REFUSED)
    add(
        "docx-renamed",
        "formats",
        lambda: _zip({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}),
        REFUSED,
    )
    add("xlsm-with-vba-part", "formats", edited({}, {"xl/vbaProject.bin": noise}), READ, name="unit.xlsm")
    # sheets
    add("no-sheets", "sheets", edited({"xl/workbook.xml": sub("<sheets>.*</sheets>", "<sheets></sheets>")}), REFUSED)
    add("200-sheets", "sheets", lambda: _many_sheets(base, 200), READ)
    add(
        "cover-hidden",
        "sheets",
        edited(
            {
                "xl/workbook.xml": sub(
                    'name="单位信息" sheetId="1" state="visible"', 'name="单位信息" sheetId="1" state="hidden"'
                )
            }
        ),
        READ,
    )
    add(
        "project-very-hidden",
        "sheets",
        edited(
            {
                "xl/workbook.xml": sub(
                    'name="项目1" sheetId="2" state="visible"', 'name="项目1" sheetId="2" state="veryHidden"'
                )
            }
        ),
        READ,
    )
    # A chart sheet reads as a sheet without cells (openpyxl would not reopen this minimal one to write back).
    add("chartsheet", "sheets", lambda: _chartsheet(base), READ, argv=lambda p, out: ["validate", str(p)])
    add("cover-renamed", "sheets", edited({"xl/workbook.xml": rename_sheet("单位信息", "封面")}), REFUSED)
    add("bad-sheet-state", "sheets", edited({"xl/workbook.xml": sub('state="visible"', 'state="bogus"')}), REFUSED)
    add("duplicate-sheet-names", "sheets", edited({"xl/workbook.xml": rename_sheet("项目2", "项目1")}), ANY)
    # names
    for cid, raw in (
        ("name-markup-red", "[red]红色[/red]项目"),
        ("name-markup-close", "项目[/]结束"),
        ("name-markup-link", "[link=file:///etc/passwd]点我[/link]"),
        ("name-emoji-code", ":thumbs_up: 项目"),
        ("name-x0007-escape", "项目_x0007_响铃"),
        ("name-raw-control", "项目\x07响铃\x1b[31m"),
        ("name-rtl", "项目\u202e反向\u202c"),
        ("name-emoji", "项目🎉🚀"),
        ("name-31-chars", "项" * 31),
        ("name-10k-chars", "很长的项目名称" * 1500),
        ("name-formula-injection", "=HYPERLINK(&quot;http://x&quot;,&quot;点&quot;)"),
        ("name-plus-minus-at", "@SUM(1+1)"),
    ):
        # Raw control characters are not XML: calamine reads them, openpyxl refuses to reopen the file for a
        # write-back, and the write-back says so.
        expect = REFUSED if cid == "name-raw-control" else READ
        add(cid, "names", edited({PROJECT_PART: text_cell("B4", raw)}), expect, argv=_names_argv(cid))
    add("unit-name-markup", "names", lambda: with_unit_name(base, "[bold]单位[/bold]"), READ)
    # A file name that looks like markup, in consolidate's table of files not read.
    add(
        "file-name-markup",
        "names",
        noise,
        frozenset({1}),
        name="[bold red]单位[link=x]甲.xlsx",
        argv=lambda p, out: ["consolidate", str(p), "-o", str(out / "c.xlsx")],
        in_corpus=False,
    )
    # Names Excel allows are written back; names it forbids ([ ] / ...) read, and the write-back refuses them.
    for cid, sheet, expect in (
        ("sheet-quote", "项目&apos;1", READ),
        ("sheet-brackets", "[项目]", REFUSED),
        ("sheet-spaces", " 项目1 ", READ),
        ("sheet-31-chars", "项目" + "长" * 29, READ),
        ("sheet-markup", "[red]项目[/]", REFUSED),
        ("sheet-slash", "项目/1", REFUSED),
    ):
        add(cid, "names", edited({"xl/workbook.xml": rename_sheet("项目1", sheet)}), expect, argv=_names_argv(cid))
    # values
    # NaN and INF read (calamine); the write-back copies the cells as they are, beside its marks.
    for cid, raw, expect in (
        ("money-nan", "NaN", READ),
        ("money-inf", "INF", READ),
        ("money-overflow", "1e309", READ),
        ("money-huge", "1e300", READ),
        ("money-negative-zero", "-0", READ),
        ("money-not-a-number", "abc", REFUSED),
    ):
        add(cid, "values", edited({PROJECT_PART: number_cell("B14", raw)}), expect, argv=_names_argv(cid))
    add("error-div0", "values", edited({PROJECT_PART: cell_xml("D14", "<v>#DIV/0!</v>", ' t="e"')}), READ)
    # An error value calamine does not know makes it refuse the whole file: such a file is read by openpyxl.
    add("error-unknown", "values", edited({PROJECT_PART: cell_xml("D14", "<v>#BOGUS!</v>", ' t="e"')}), READ)
    add("formula-no-cache", "values", edited({PROJECT_PART: cell_xml("B14", "<f>1/0</f>")}), READ)
    for cid, edits in FORMULA_CASES.items():
        add(cid, "formulas", edited({PROJECT_PART: edits}), READ)
    add(
        "formula-zero-never-calculated",
        "formulas",
        edited(
            {
                PROJECT_PART: cell_xml("D14", "<f>B14</f><v>0</v>"),
                "xl/workbook.xml": sub("</workbook>", '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'),
            }
        ),
        READ,
    )
    add("error-cells-beyond-bound", "formulas", edited({PROJECT_PART: _error_rows(130_000)}), REFUSED)
    add("date-out-of-range", "values", edited({PROJECT_PART: cell_xml("B5", "<v>99999999</v>", ' s="9" t="n"')}), READ)
    add("date-negative", "values", edited({PROJECT_PART: cell_xml("B5", "<v>-5</v>", ' s="9" t="n"')}), READ)
    add("bool-as-money", "values", edited({PROJECT_PART: cell_xml("B14", "<v>1</v>", ' t="b"')}), READ)
    add("shared-string-index-out", "values", edited({PROJECT_PART: cell_xml("B4", "<v>999999</v>", ' t="s"')}), REFUSED)
    # sizes
    add(
        "far-cell",
        "sizes",
        edited(
            {
                PROJECT_PART: lambda d: d.replace(
                    b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
                )
            }
        ),
        READ,
    )
    add(
        "beyond-excel-row",
        "sizes",
        edited(
            {
                PROJECT_PART: lambda d: d.replace(
                    b"</sheetData>", b'<row r="1048577"><c r="A4294967295" t="n"><v>1</v></c></row></sheetData>'
                )
            }
        ),
        REFUSED,
    )
    add(
        "beyond-excel-column",
        "sizes",
        edited(
            {
                PROJECT_PART: lambda d: d.replace(
                    b"</sheetData>", b'<row r="60"><c r="ZZZZ60" t="n"><v>1</v></c></row></sheetData>'
                )
            }
        ),
        REFUSED,
    )
    add(
        "wide-row",
        "sizes",
        edited(
            {
                PROJECT_PART: lambda d: d.replace(
                    b"</sheetData>", b'<row r="60"><c r="XFD60" t="n"><v>1</v></c></row></sheetData>'
                )
            }
        ),
        READ,
    )
    add("100k-rows", "sizes", edited({PROJECT_PART: _rows(100_000)}), READ)
    add("far-cell-in-a-part-elsewhere", "sizes", lambda: _moved_far_sheet(base), READ)
    # Many cells and a far one: too many for the streaming reader within the time bound, refused.
    add("dense-and-far", "sizes", edited({PROJECT_PART: _dense_and_far}), REFUSED)
    add("cells-without-refs", "sizes", edited({PROJECT_PART: _no_refs}), READ)
    add(
        "sst-count-lie",
        "sizes",
        edited(
            {"[Content_Types].xml": lambda d: d},
            {"xl/sharedStrings.xml": _SST_LIE},
        ),
        READ,
    )
    add(
        "dimension-lie",
        "sizes",
        edited({PROJECT_PART: sub('<dimension ref="[^"]*" ?/>', '<dimension ref="A1:XFD1048576"/>')}),
        READ,
    )
    # special files
    cases.append(Case("fifo", "special", _special("fifo", "fifo.xlsx"), REFUSED))
    cases.append(Case("dev-zero-link", "special", _special("/dev/zero", "zero.xlsx"), REFUSED))
    cases.append(Case("dev-null-link", "special", _special("/dev/null", "null.xlsx"), REFUSED))
    cases.append(Case("dev-urandom-link", "special", _special("/dev/urandom", "urandom.xlsx"), REFUSED))
    cases.append(Case("directory-named-xlsx", "special", _special("dir", "folder.xlsx"), REFUSED, in_corpus=False))
    cases.append(Case("dangling-link", "special", _special("dangling", "dangling.xlsx"), REFUSED))
    cases.append(
        Case(
            "unreadable",
            "special",
            _unreadable("locked.xlsx", base),
            REFUSED,
            argv=lambda p, out: ["validate", str(p)],
            in_corpus=False,
            unprivileged=True,
        )
    )
    return cases


def _unreadable(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        path.chmod(0)
        return path

    return build


def _names_argv(cid: str) -> Callable[[Path, Path], list[str]]:
    """Odd names meet validate and rollup alike; alternate so both write-backs see them."""
    return rollup_argv if sum(map(ord, cid)) % 2 else validate_argv


def _dense_and_far(data: bytes) -> bytes:
    columns = [f"{a}{b}" for a in "ABCDEFGHIJKLMNOPQRST" for b in "ABCDEFGHIJKLMNOPQRSTUVWXY"]  # 500 columns
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="n"><v>1</v></c>' for c in columns) + "</row>"
        for r in range(100, 700)
    )
    far = '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>'
    return data.replace(b"</sheetData>", (rows + far + "</sheetData>").encode())


def _moved_far_sheet(base: bytes) -> bytes:
    """The project sheet stored outside xl/worksheets/ (relationships allow any path) with a far cell."""
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        part = zf.read(PROJECT_PART)
    far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    return rezip(
        base,
        {PROJECT_PART: None, "xl/_rels/workbook.xml.rels": sub("/xl/worksheets/sheet2.xml", "/xl/elsewhere/p.xml")},
        {"xl/elsewhere/p.xml": part.replace(b"</sheetData>", far)},
    )


def _flip_member_byte(base: bytes) -> bytes:
    """A byte of a compressed member changed: the CRC no longer matches (or the stream breaks)."""
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        info = zf.getinfo(PROJECT_PART)
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    data = bytearray(base)
    data[at] ^= 0xFF
    return bytes(data)


def _stored(base: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    return out.getvalue()


def _at_boundary(mark: bytes) -> Callable[[bytes], bytes]:
    """`mark` placed across the first 1 MiB boundary of the part (padding in a comment before it)."""

    def edit(data: bytes) -> bytes:
        at = data.index(b"<sheetData>")
        comment_len = (1 << 20) - 3 - at - 7
        padding = b"<!--" + b"y" * comment_len + b"-->"
        return data[:at] + padding + mark + data[at:]

    return edit


# --- import texts ---------------------------------------------------------------------------------------


GLUED_HEAD = "项目名称道路一级指标二级指标三级指标分值年度指标值实际完成值得分产出指标数量指标"
GLUED_MONEY = "项目名称道路资金情况(万元)全年预算数(A)全年执行数(B)分值执行率(B/A)得分年度资金总额:"


def text_cases(sample: str) -> list[Case]:
    header_only = (
        "财政项目支出绩效目标表\n(2020年度)\n申报单位名称：某单位\n"
        "项目名称：\t\t项目类别：\t\n一级目标\t二级目标\t三级目标\t指标目标值\n"
    )
    cases = [
        ("gbk", sample.encode("gb18030"), frozenset({0})),
        ("utf16-le-bom", sample.encode("utf-16"), frozenset({0})),
        ("utf16-be-bom", b"\xfe\xff" + sample.encode("utf-16-be"), frozenset({0})),
        ("utf8-bom", sample.encode("utf-8-sig"), frozenset({0})),
        ("mixed-encodings", sample[:2000].encode() + sample[2000:].encode("gb18030"), REFUSED),
        # NULs where a label was: the rest imports, the line is reported as not placed.
        ("nul-bytes", sample.encode().replace("项目名称".encode(), b"\x00\x00"), frozenset({0})),
        ("utf16-no-bom", sample.encode("utf-16-le"), REFUSED),
        ("50mb-line", lambda: b"x" * (50 * 1024 * 1024), REFUSED),
        ("2mb-line", lambda: ("项目名称：" + "长" * 700_000).encode(), REFUSED),
        ("empty-text", b"", REFUSED),
        ("whitespace-only", b" \n\t\n", REFUSED),
        ("header-only", header_only.encode(), REFUSED),
        ("png-bytes", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, REFUSED),
        ("pdf-bytes", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", REFUSED),
        ("markup-names", sample.replace(PROJECT_NAME, "[red]项目[/red][link=x]y[/link]").encode(), frozenset({0})),
        ("control-chars", sample.replace(PROJECT_NAME, "项目\x07\x1b[31m名").encode(), frozenset({0})),
        # Text with nothing between its cells, at the line cap: rows run together in their thousands, figures
        # run together in their tens of thousands. Cut where a table could be, left whole where none could.
        ("glued-rows", lambda: (GLUED_HEAD + "里程10≥5公里≥5公里10" * 250).encode(), frozenset({0})),
        ("glued-rows-huge", lambda: (GLUED_HEAD + "里程10≥5公里≥5公里10" * 6000).encode(), frozenset({0})),
        ("glued-figures", lambda: (GLUED_MONEY + "9" * 90_000).encode(), frozenset({0})),
    ]
    out = [
        Case(f"text-{cid}", "texts", _file(f"{cid}.txt", data), expect, argv=import_argv, in_corpus=False)
        for cid, data, expect in cases
    ]
    out.append(Case("text-fifo", "texts", _special("fifo", "fifo.txt"), REFUSED, argv=import_argv, in_corpus=False))
    out.append(
        Case("text-dev-zero", "texts", _special("/dev/zero", "zero.txt"), REFUSED, argv=import_argv, in_corpus=False)
    )
    out.append(Case("text-directory", "texts", _special("dir", "dir.txt"), REFUSED, argv=import_argv, in_corpus=False))
    return out


# --- output paths ---------------------------------------------------------------------------------------


def output_cases(base: bytes, sample: str) -> list[Case]:
    """Commands pointed at outputs they must not or cannot write; the input must come out unchanged."""

    def unit(folder: Path) -> Path:
        path = folder / "unit.xlsx"
        path.write_bytes(base)
        return path

    def text(folder: Path) -> Path:
        path = folder / "s.txt"
        path.write_text(sample, encoding="utf-8")
        return path

    def linked(kind: str) -> Callable[[Path, Path], list[str]]:
        def argv(path: Path, out: Path) -> list[str]:
            link = out / "link.xlsx"
            if kind == "hard":
                os.link(path, link)
            else:
                link.symlink_to(path)
            return ["validate", str(path), "--write-back", str(link)]

        return argv

    def a_file(out: Path) -> Path:
        f = out / "plain-file"
        f.write_text("x")
        return f

    def a_dir(out: Path, name: str = "a-folder.xlsx") -> Path:
        d = out / name
        d.mkdir()
        return d

    specs: list[tuple[str, Callable[[Path], Path], Callable[[Path, Path], list[str]]]] = [
        ("import-over-source", text, lambda p, out: ["import", str(p), "-o", str(p)]),
        ("import-to-folder", text, lambda p, out: ["import", str(p), "-o", str(a_dir(out))]),
        ("import-under-file", text, lambda p, out: ["import", str(p), "-o", str(a_file(out) / "u.xlsx")]),
        ("validate-over-input", unit, lambda p, out: ["validate", str(p), "--write-back", str(p)]),
        ("validate-over-hardlink", unit, linked("hard")),
        ("validate-over-symlink", unit, linked("sym")),
        ("validate-to-folder", unit, lambda p, out: ["validate", str(p), "--write-back", str(a_dir(out))]),
        ("validate-under-file", unit, lambda p, out: ["validate", str(p), "--write-back", str(a_file(out) / "x.xlsx")]),
        ("rollup-over-input", unit, lambda p, out: ["rollup", str(p), "--write-back", str(p)]),
        ("rollup-to-folder", unit, lambda p, out: ["rollup", str(p), "--write-back", str(a_dir(out))]),
        ("consolidate-to-folder", unit, lambda p, out: ["consolidate", str(p), "-o", str(a_dir(out))]),
        ("consolidate-over-input", unit, lambda p, out: ["consolidate", str(p), "-o", str(p)]),
        (
            "consolidate-csv-is-file",
            unit,
            lambda p, out: ["consolidate", str(p), "-o", str(out / "c.xlsx"), "--csv", str(a_file(out))],
        ),
        (
            "consolidate-parquet-under-file",
            unit,
            lambda p, out: ["consolidate", str(p), "-o", str(out / "c.xlsx"), "--parquet", str(a_file(out) / "pq")],
        ),
        (
            "consolidate-csv-over-input",
            unit,
            lambda p, out: ["consolidate", str(p.parent), "-o", str(out / "c.xlsx"), "--csv", str(_csv_input(p))],
        ),
        (
            "consolidate-jobs-zero",
            unit,
            lambda p, out: ["consolidate", str(p), "-o", str(out / "c.xlsx"), "--jobs", "0"],
        ),
        (
            "consolidate-jobs-negative",
            unit,
            lambda p, out: ["consolidate", str(p), "-o", str(out / "c.xlsx"), "-j", "-3"],
        ),
        ("template-to-folder", unit, lambda p, out: ["template", "-o", str(a_dir(out))]),
    ]
    return [Case(cid, "outputs", build, REFUSED, argv=argv, in_corpus=False) for cid, build, argv in specs]


def _csv_input(path: Path) -> Path:
    """A folder holding an input named like one of consolidate's CSV outputs."""
    (path.parent / "台账.csv").write_bytes(path.read_bytes())
    return path.parent


def valid_units(base: bytes, count: int) -> list[tuple[str, bytes]]:
    """Distinct valid unit workbooks (their own unit names), to consolidate with the corpus."""
    return [(f"valid-{i}.xlsx", with_unit_name(base, f"正常单位{i}")) for i in range(count)]


def all_cases(base: bytes, sample: str) -> list[Case]:
    return [*workbook_cases(base), *text_cases(sample), *output_cases(base, sample)]


# --- the driver -----------------------------------------------------------------------------------------


def drive() -> None:
    """Run many CLI invocations, each in a forked child of one interpreter that has imported xlgoals once.

    Reads {"limit", "timeout", "parallel", "jobs": [{"id", "argv", "cwd", "out", "err"}]} as JSON on stdin;
    writes {id: {"returncode", "seconds"}} to stdout. Each child is a whole command-line run (typer's
    entry point, exit code, its own stdout/stderr files) under RLIMIT_AS, killed at the timeout; only the
    ~0.5 s of Python start-up and imports is shared, which would otherwise be most of the corpus' time.
    """
    import json
    import signal
    import sys
    import time

    # The CLI imports rich's console and tables on first use; loaded here, before the fork, as a child that
    # drops to an unprivileged user may not read this interpreter's library (it lives under /root here).
    import rich.console
    import rich.table
    import rich.text  # noqa: F401

    import xlgoals.department.consolidate
    import xlgoals.importing.importer
    import xlgoals.shells.cli
    import xlgoals.unit.pipeline
    import xlgoals.unit.rollup
    import xlgoals.unit.summarysheet
    import xlgoals.validation.writeback  # noqa: F401

    spec = json.load(sys.stdin)
    queue = list(spec["jobs"])
    running: dict[int, tuple[str, float]] = {}
    results: dict[str, dict[str, float]] = {}
    while queue or running:
        while queue and len(running) < spec["parallel"]:
            job = queue.pop(0)
            pid = os.fork()
            if pid == 0:
                _child(job, spec["limit"])
            running[pid] = (job["id"], time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            for child, (_, started) in running.items():
                if time.monotonic() - started > spec["timeout"]:
                    os.kill(child, signal.SIGKILL)
            time.sleep(0.005)
            continue
        job_id, started = running.pop(pid)
        results[job_id] = {"returncode": os.waitstatus_to_exitcode(status), "seconds": time.monotonic() - started}
    json.dump(results, sys.stdout)


def _child(job: Mapping[str, object], limit: int) -> None:
    import resource
    import sys
    import traceback

    code = 1
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.chdir(str(job["cwd"]))
        for fd, name in ((1, job["out"]), (2, job["err"])):
            target = os.open(str(name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        if job.get("unprivileged") and os.geteuid() == 0:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        from xlgoals.shells.cli import app

        argv = [str(a) for a in job["argv"]]  # type: ignore[attr-defined]
        sys.argv = ["xlgoals", *argv]
        app(args=argv, prog_name="xlgoals")
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
