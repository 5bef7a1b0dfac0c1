"""Time `xlgoals archive add` of a generated department against consolidating the same files, and what
`validate --history` adds to one unit's validation.

    python benchmarks/archive_bench.py [--units 100] [--seed 1] [--dir /tmp/xlgoals-bench] [--repeat 3]

The department comes from benchmarks/make_department.py (reused when already generated; `--units 1000` for
the issue's full size). Every figure is the median of --repeat whole-process runs; the archive starts empty
each time. The validate figure is what `--history` adds to `xlgoals validate` on a next-year copy of one
unit (the archive just filled), the two run in turns and taken pair by pair, median and range; then the same
lookup with the archive's sidecar moved away, which is what it cost before the sidecar (importing duckdb,
opening the file). Targets are printed next to the figures, never asserted.
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

from consolidate_bench import department, subset
from procenv import timed_env

TARGET_ADD_RATIO = 2.0  # archive add against consolidate of the same files
TARGET_HISTORY_SECONDS = 0.1  # what --history adds to one validation


def _seconds(cmd: list[str], ok: tuple[int, ...] = (0, 1)) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=timed_env())
    took = time.perf_counter() - start
    if done.returncode not in ok:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"{' '.join(cmd[:5])} … failed with exit code {done.returncode}")
    return took


def _xlgoals(*args: str) -> list[str]:
    return [sys.executable, "-m", "xlgoals", *args]


def _next_year(source: Path, out: Path) -> None:
    from xlgoals.io.reader import read
    from xlgoals.workbooks.template import write_unit

    unit = read(source)
    unit.year = (unit.year or 2020) + 1
    write_unit(unit, out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/xlgoals-bench"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    _, good, _ = department(args.dir, args.units, args.seed)
    folder = subset(args.dir, good, len(good))
    print(f"department: {len(good)} readable unit workbooks ({args.units} generated), {args.repeat} runs each")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "xlgoals.duckdb"
        consolidated, added = [], []
        for _ in range(args.repeat):
            consolidated.append(_seconds(_xlgoals("consolidate", str(folder), "-o", str(tmp / "s.xlsx"), "-f", "json")))
            db.unlink(missing_ok=True)
            added.append(_seconds(_xlgoals("archive", "add", str(folder), "--db", str(db), "-f", "json")))
        c, a = statistics.median(consolidated), statistics.median(added)
        print(f"consolidate:  {c:6.2f} s")
        print(f"archive add:  {a:6.2f} s  = {a / c:.2f}× consolidate   (target < {TARGET_ADD_RATIO:g}×)")
        unit = tmp / "next_year.xlsx"
        _next_year(good[0], unit)
        plain_cmd = _xlgoals("validate", str(unit), "-f", "json")
        history_cmd = _xlgoals("validate", str(unit), "-f", "json", "--history", str(db))
        _seconds(plain_cmd), _seconds(history_cmd)  # file cache and bytecode, not counted
        plain, history = [], []
        for _ in range(args.repeat * 5):  # in turns, so each pair sees the same load
            plain.append(_seconds(plain_cmd))
            history.append(_seconds(history_cmd))
        added = [h - p for p, h in zip(plain, history, strict=True)]
        p, h, a = statistics.median(plain), statistics.median(history), statistics.median(added)
        print(f"validate:            {p:6.3f} s")
        print(
            f"validate --history:  {h:6.3f} s  adds {a:+.3f} s pair by pair ({min(added):+.3f} to {max(added):+.3f})"
            f"   (target < {TARGET_HISTORY_SECONDS:g} s: {'met' if a < TARGET_HISTORY_SECONDS else 'NOT met'})"
        )
        side = Path(f"{db}.history")
        side.rename(side.with_name(side.name + ".away"))  # the same lookup through duckdb, as before the sidecar
        try:
            through = [_seconds(history_cmd) for _ in range(args.repeat * 2)]
        finally:
            side.with_name(side.name + ".away").rename(side)
        print(f"  the same through duckdb (sidecar moved away): {statistics.median(through):6.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
