"""Time a validation click as whole cold processes: the CLI on a 30-project workbook, and the Excel chain.

    python benchmarks/validate_bench.py [--runs 7]

Prints medians of: a bare Python start, the libraries the CLI stands on alone (typer, and pydantic with one
model defined: the first model class imports pydantic's schema builder), the imports a `validate` run needs,
the whole `xlgoals validate` on a 30-project workbook (the bundled sample's 3 projects, ten times over; JSON
output, then the table a person reads), and what a RunPython button pays before our code runs (`import
xlwings.utils`, which pulls in pandas when it is installed) next to `import xlgoals.excel` itself. The target
is printed next to the figures, never asserted, with what the libraries alone leave of it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from procenv import PLUGINS_OFF, timed_env

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "002_de489847e14864e5.txt"
TARGET_SECONDS = 0.2  # issue 12: a cold validate of a 30-project workbook
COPIES = 10
# The floor of any CLI built on typer and pydantic models: both imported, one model class defined.
LIBRARIES = PLUGINS_OFF + "import typer, pydantic\nclass M(pydantic.BaseModel):\n    x: int"
IMPORTS = PLUGINS_OFF + "import xlgoals.shells.cli, xlgoals.unit.pipeline"


def make_workbook(path: Path, copies: int = COPIES) -> int:
    """The sample's projects `copies` times over, each copy's names apart."""
    from xlgoals.importing.importer import import_file
    from xlgoals.workbooks.template import write_unit

    unit = import_file(SAMPLE).unit
    projects = [p.model_copy(update={"name": f"{p.name}（{i}）"}) for i in range(1, copies + 1) for p in unit.projects]
    write_unit(unit.model_copy(update={"projects": projects}), path)
    return len(projects)


def median_seconds(cmds: list[list[str]], runs: int) -> list[float]:
    """Each command's median over `runs` cold runs, taken in turns (one run of each, then again): the machine's
    load drifts over a bench, and the figures are compared with each other, so each sees the same drift."""
    env = timed_env()
    for cmd in cmds:
        subprocess.run(cmd, capture_output=True, check=False, env=env)  # file cache and bytecode, not counted
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(runs):
        for cmd, seconds in zip(cmds, times, strict=True):
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=False, env=env)
            seconds.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "unit30.xlsx"
        n = make_workbook(book)
        rows = [
            ("python start-up (python -c pass)", [py, "-c", "pass"]),
            ("libraries alone (typer, pydantic, 1 model)", [py, "-c", LIBRARIES]),
            ("imports of a validate run", [py, "-c", IMPORTS]),
            (f"xlgoals validate, {n} projects", [py, "-m", "xlgoals", "validate", str(book), "--format", "json"]),
            ("  the same, table output (rich)", [py, "-m", "xlgoals", "validate", str(book)]),
            ("import xlgoals.excel (entry module)", [py, "-c", "import xlgoals.excel"]),
            ("RunPython prelude: import xlwings.utils", [py, "-c", "import xlwings.utils"]),
        ]
        figures = dict(
            zip([label for label, _ in rows], median_seconds([cmd for _, cmd in rows], args.runs), strict=True)
        )
    start, libraries, imports, whole = (figures[label] for label, _ in rows[:4])
    print(f"median of {args.runs} cold runs each, whole processes, the commands in turns")
    for label, _ in rows:
        print(f"  {label:<42} {figures[label]:6.3f} s")
    print(
        f"  share of the validate run: start-up {start / whole:5.1%}, imports {(imports - start) / whole:5.1%}, "
        f"reading + checking {(whole - imports) / whole:5.1%}"
    )
    verdict = "met" if whole < TARGET_SECONDS else "NOT met"
    print(f"  target: validate below {TARGET_SECONDS} s median on a 2-core machine -> {whole:.3f} s, {verdict}")
    # What is ours to change: everything above the libraries' own start.
    print(
        f"  the libraries alone take {libraries:.3f} s, leaving {TARGET_SECONDS - libraries:.3f} s of the target for"
        f" our imports, reading and checking (now {whole - libraries:.3f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
