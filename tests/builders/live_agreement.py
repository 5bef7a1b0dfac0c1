"""Measuring the live checks against `xlgoals validate`: the findings and the live flags by (code, sheet, cell),
tallied rule by rule into the agreement table the live-agreement tests print and hold."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from xlgoals.io.files import read_grids
from xlgoals.validation.live.flags import LiveFlag, read_flags

Key = tuple[str, str, str]  # code, sheet, cell


def validate(path: Path) -> Counter[Key]:
    """The findings of `xlgoals validate --format json` by (code, sheet, cell)."""
    run = subprocess.run(
        [sys.executable, "-m", "xlgoals", "validate", str(path), "--format", "json"], capture_output=True, text=True
    )
    assert run.returncode in (0, 1), run.stderr
    findings = json.loads(run.stdout)["findings"]
    return Counter((f["code"], f["sheet"] or "", f["cell"] or "") for f in findings)


def live(path: Path) -> dict[Key, LiveFlag]:
    """The live flags of every sheet of a recalculated workbook."""
    book = read_grids(path)
    return {
        (flag.code, name, flag.cell): flag for name, sheet in book.sheets.items() for flag in read_flags(sheet.rows)
    }


def tally(table: dict[str, Counter[str]], python: Counter[Key], flags: dict[Key, LiveFlag], codes: set[str]) -> None:
    """Add one workbook's cells of the live rules `codes` to `table` (rule -> counts): 校验's findings, the live
    flags, the cells left undecided, the cells on which both agree."""
    for key in set(python) | set(flags):
        if key[0] not in codes:
            continue
        row = table.setdefault(key[0], Counter())
        flag, found = flags.get(key), python.get(key, 0)
        row["cells"] += 1
        if flag is None:  # a finding of a live rule on a cell the live checks do not look at
            row["python"] += found
            row["disagree"] += 1
        elif flag.undecided:
            row["undecided"] += 1
            row["python_undecided"] += found
        else:
            row["python"] += found
            row["live"] += flag.count
            row["failing"] += found > 0
            row["agree" if found == flag.count else "disagree"] += 1


def report(tables: dict[str, dict[str, Counter[str]]]) -> list[str]:
    """Print the agreement table (rule set, rule, cells, Python, live, undecided, agree); the problems: a rule
    with a disagreeing cell, or without a failing and a passing case."""
    head = f"{'rule set':<14} {'rule':<32} {'cells':>6} {'Python':>7} {'live':>5} {'undecided (校验 finds)':>22}"
    lines = [head + f" {'agree':>6}"]
    problems = []
    for name, table in tables.items():
        for code, row in sorted(table.items()):
            decided = row["agree"] + row["disagree"]
            share = row["agree"] / decided if decided else 1.0
            undecided = f"{row['undecided']} ({row['python_undecided']})"
            lines.append(
                f"{name:<14} {code:<32} {row['cells']:>6} {row['python']:>7} {row['live']:>5} "
                f"{undecided:>22} {share:>6.0%}"
            )
            if row["disagree"]:
                problems.append(f"{name} {code}")
            # A failing and a passing case for every rule: some cell it flags, some it passes.
            if not row["failing"] or row["agree"] - row["failing"] <= 0:
                problems.append(f"{name} {code}: no failing or no passing case")
    print("\n" + "\n".join(lines))
    return problems
