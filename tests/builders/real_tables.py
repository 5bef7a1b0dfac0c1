"""The real published tables in samples/real: their stems, expected values, rows of words and laid-out text."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from tests.builders.paths import REAL
from xlgoals.core.model import Unit
from xlgoals.importing.cells import split_words

STEMS = [
    "yueyangxian_2022_gaobiaozhun_nongtian",
    "nanyue_2018_fupin_jichusheshi",
    "chizhou_tangxi_2022_weituoyewu_ziping",
    "fengjie_2023_yunwu_jiagongyuan",
    "xiangtan_2023_wupaoche",
]


def expected_values() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    with (REAL / "values.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out.setdefault(row["source"], []).append((row["indicator name"], row["value text"]))
    return out


def pairs(unit: Unit) -> list[tuple[str, str]]:
    return [(i.name, i.value) for p in unit.projects for i in p.indicators if i.value]


def table_rows(stem: str) -> list[list[str]]:
    """The table's rows of words, as its text gives them (comments dropped)."""
    text = (REAL / f"{stem}.txt").read_text(encoding="utf-8")
    return [split_words(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def laid_out(rows: list[list[str]], layout: str) -> str:
    """Rows of cells as text in one of the layouts published tables come in."""
    if layout == "tabs":
        return "\n".join("\t".join(r) for r in rows)
    if layout == "pipes":
        return "\n".join("| " + " | ".join(r) + " |" for r in rows)
    if layout == "spaces":
        return "\n".join("   ".join(r) for r in rows)
    if layout == "cell-per-line":
        return "\n\n".join(w for r in rows for w in r)
    return " ".join(w for r in rows for w in r)  # one line


def table_workbook(stem: str, path: Path) -> Path:
    """The table as another office's workbook holds it: a row of cells per line, a word a cell."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in table_rows(stem):
        ws.append(row)
    wb.save(path)
    return path
