"""What the consolidation's worker makes of each file, written out to compare two versions of the code.

    python benchmarks/worker_dump.py FOLDER OUT.jsonl            # every file under FOLDER, in input order
    python benchmarks/worker_dump.py --compare A.jsonl B.jsonl   # exit 1, naming the first difference

Each line is one file's FileResult as the parent receives it, rows included (project, indicator and finding
rows as values and as the SpreadsheetML the summary copies), with the ledger's status, code and reason, the
totals, counts and the amounts left uncounted. A speed change to the read side must leave every line as it
was: run the dump with the code before (PYTHONPATH=<a checkout of it>) and after, then --compare.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _plain(value: Any) -> Any:
    """JSON-able, with types kept apart (Decimal('1.0') and 1.0 must not compare equal)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return f"{type(value).__name__}:{value!s}"


def dump(folder: Path, out: Path) -> int:
    from xlgoals.department.consolidate.inputs import collect_inputs
    from xlgoals.department.consolidate.worker import Task, process_file

    inputs = collect_inputs([folder])
    with out.open("w", encoding="utf-8") as fh:
        for i, item in enumerate(inputs):
            # The path relative to the folder: two checkouts may dump copies of it in different places.
            result = process_file(Task(i, item.path, folder=item.folder, rows=True))
            record = {k: _plain(v) for k, v in vars(result).items() if k != "archive"}
            record["path"] = str(Path(item.path).relative_to(folder))
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(inputs)} files -> {out}")
    return 0


def compare(a: Path, b: Path) -> int:
    left, right = a.read_text(encoding="utf-8").splitlines(), b.read_text(encoding="utf-8").splitlines()
    if len(left) != len(right):
        print(f"{len(left)} files in {a}, {len(right)} in {b}")
        return 1
    for x, y in zip(left, right, strict=True):
        if x != y:
            rx, ry = json.loads(x), json.loads(y)
            keys = sorted(k for k in rx.keys() | ry.keys() if rx.get(k) != ry.get(k))
            print(f"{rx['path']}: differs in {', '.join(keys)}")
            for k in keys[:3]:
                print(f"  {k}:\n    {str(rx.get(k))[:300]}\n    {str(ry.get(k))[:300]}")
            return 1
    print(f"identical: {len(left)} files")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("paths", nargs=2, type=Path)
    ap.add_argument("--compare", action="store_true", help="compare two dumps instead of writing one")
    args = ap.parse_args()
    return compare(*args.paths) if args.compare else dump(*args.paths)


if __name__ == "__main__":
    sys.exit(main())
