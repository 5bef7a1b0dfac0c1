"""Where a consolidated file's time goes: CPU per file of each step of the worker, beside the raw read.

    python benchmarks/worker_phases.py FOLDER [--files 200] [--passes 3]

The consolidation's worker does, for each file: read the bytes and hash them, check the container (every part
inflated once for its CRC, DTD marks, the cell bound and the error values and formulas without a value), read
every sheet with python-calamine into grids, read the grids into the model (pydantic), run the rule set, render
the rows and deflate them for the parent.
Each step is timed alone over the first FILES workbooks of FOLDER in this one process (CPU time, best of
PASSES passes: other processes on the machine move wall time, much less this), and the raw read (the floor of
consolidate_bench: python-calamine opens the file and reads every sheet, nothing else) over the same bytes.
The shares say which steps a faster consolidation has to change; the whole-process figures stay with
consolidate_bench.
"""

from __future__ import annotations

import argparse
import gc
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STEPS = (
    ("bytes + SHA-256", "hash"),
    ("container check", "container"),
    ("sheets -> grids (calamine)", "grids"),
    ("grids -> model (pydantic)", "model"),
    ("rules", "rules"),
    ("rows rendered", "rows"),
    ("rows deflated", "deflate"),
)


def raw_read(data: bytes) -> int:
    """The floor's read of one file, from bytes already in memory."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def one_pass(paths: list[Path]) -> dict[str, float]:
    """Seconds of CPU per step over `paths`, each step timed on its own."""
    from xlgoals.department.consolidate.inputs import read_hashed
    from xlgoals.department.consolidate.ledger import READ
    from xlgoals.department.consolidate.worker import FileResult, Task, process_unit
    from xlgoals.io.container import check_container
    from xlgoals.io.deflated import deflate
    from xlgoals.io.files import _mark_unusable, _read_calamine  # the grids without a second container check
    from xlgoals.io.reader import read_unit
    from xlgoals.unit.pipeline import check_unit

    spent = dict.fromkeys([key for _, key in STEPS] + ["raw"], 0.0)
    clock = time.process_time

    def timed(key: str, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        start = clock()
        result = step(*args, **kwargs)
        spent[key] += clock() - start
        return result

    def grids(path: Path, container: Any) -> Any:
        book = _read_calamine(path, container)
        _mark_unusable(book, container)  # error values and formulas never computed put in as what they are
        return book

    for i, path in enumerate(paths):
        data, _ = timed("hash", read_hashed, path)
        container = timed("container", check_container, path, data, skip_live=True)  # as the worker reads
        book = timed("grids", grids, path, container)
        book.container = container
        unit = timed("model", read_unit, book)
        timed("rules", check_unit, unit, None, file=path.name)
        # process_unit runs the rules again before rendering: their time is taken out below.
        result = timed("rows", process_unit, Task(i, str(path)), unit, FileResult(i, str(path), READ))
        timed("deflate", lambda xml: [deflate(x) for x in xml.values() if isinstance(x, bytes)], result.xml)
        timed("raw", raw_read, data)
    spent["rows"] -= spent["rules"]
    return spent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    paths = sorted(p for p in args.folder.iterdir() if p.suffix in (".xlsx", ".xlsm"))[: args.files]
    if not paths:
        raise SystemExit(f"no workbooks in {args.folder}")
    from xlgoals.department.consolidate.pool import _worker_setup
    from xlgoals.department.consolidate.worker import preload

    preload(None)
    one_pass(paths[:1])  # imports and first-use caches, as a worker has them after its first file
    _worker_setup()  # the worker's garbage-collector settings
    gc.collect()
    best: dict[str, float] = {}
    for _ in range(max(1, args.passes)):
        for key, seconds in one_pass(paths).items():
            best[key] = min(best.get(key, seconds), seconds)
    n = len(paths)
    total = sum(v for k, v in best.items() if k != "raw")
    raw = best["raw"]
    print(f"the worker's steps, CPU ms per file over {n} workbooks in one process (best of {args.passes} passes):")
    for label, key in STEPS:
        print(f"  {label:<28}{1000 * best[key] / n:7.2f} ms  {best[key] / total:6.1%}")
    print(f"  {'all steps':<28}{1000 * total / n:7.2f} ms")
    print(f"  {'raw read (the floor)':<28}{1000 * raw / n:7.2f} ms  -> all steps x{total / raw:.2f} the raw read")
    # What the mandated steps cost above the floor: the container check (untrusted files) and the grids
    # (calamine itself, plus turning its rows into ours) are the read any checked consolidation pays.
    read = best["hash"] + best["container"] + best["grids"]
    print(
        f"  reading a file safely (bytes, container, grids) x{read / raw:.2f} the raw read; the model, rules and"
        f" rows add {1000 * (total - read) / n:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
