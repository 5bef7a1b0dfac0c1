"""Time `validate --write-back` and `rollup --write-back` on 30- and 300-project workbooks, paired with the
openpyxl way (every sheet loaded and saved again) and, optionally, with an older checkout of xlgoals.

    python benchmarks/writeback_bench.py [--runs 7] [--against DIR]

Every figure is a whole process (Python start, imports, reading and checking the workbook, writing the copy),
with its bytecode as an installed package has it; ours also in the lean install a unit's PC gets (built as
benchmarks/click_bench.py builds it). The commands run in turns, one run of each and again, and
each ratio is taken pair by pair (the runs of one turn against each other), so a drift in the machine's load
moves both sides alike; medians are printed with the spread (min–max). `validate` alone is timed in the same
turns: what the write-back adds is the difference. The naive way is benchmarks/naive_writeback.py. `--against
DIR` adds a third command, `python -m xlgoals` of the checkout in DIR (e.g. `git worktree add DIR main`).
Targets (issue 25): a 300-project workbook written back in < 3 s, a 30-project one in < 0.7 s; printed next to
the figures, never asserted.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from click_bench import lean_python
from procenv import timed_env
from validate_bench import make_workbook

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {30: 0.7, 300: 3.0}  # seconds, a whole write-back


def _timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds, and the CPU seconds the process used (user + system): what it would take alone on a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # Run from a folder of no code: `python -m` puts the working folder first on the import path.
    done = subprocess.run(cmd, capture_output=True, check=False, env=env, cwd=cwd)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"{' '.join(cmd[:6])} … failed with exit code {done.returncode}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.3f} ({min(values):.3f}–{max(values):.3f})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--against", type=Path, help="a checkout of older xlgoals code to pair with")
    args = ap.parse_args()
    py = sys.executable
    env = timed_env()
    other_env = {**env, "PYTHONPATH": str(args.against)} if args.against else env
    naive = str(ROOT / "benchmarks" / "naive_writeback.py")
    # The unit's PC has the lean install: no numpy, which openpyxl imports (~0.1 s) wherever it is installed.
    print("building/using the lean environment (pip install xlgoals, no extras) ...", flush=True)
    lean = str(lean_python())
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for projects in TARGETS:
            book = tmp / f"unit{projects}.xlsx"
            make_workbook(book, copies=projects // 3)
            for command in ("validate", "rollup"):
                out = str(tmp / "out.xlsx")
                runs: dict[str, tuple[list[str], dict[str, str]]] = {
                    "ours": ([py, "-m", "xlgoals", command, str(book), "--write-back", out, "-f", "json"], env),
                    "naive": ([py, naive, command, str(book), out], env),
                    "alone": ([py, "-m", "xlgoals", command, str(book), "-f", "json"], env),
                    "lean": ([lean, "-m", "xlgoals", command, str(book), "--write-back", out, "-f", "json"], env),
                }
                if args.against:
                    runs["older"] = (
                        [py, "-m", "xlgoals", command, str(book), "--write-back", out, "-f", "json"],
                        other_env,
                    )
                for cmd, cmd_env in runs.values():  # file cache and bytecode, not counted
                    _timed(cmd, cmd_env, tmp)
                times: dict[str, list[float]] = {name: [] for name in runs}
                cpu: dict[str, list[float]] = {name: [] for name in runs}
                for _ in range(args.runs):
                    for name, (cmd, cmd_env) in runs.items():
                        wall, used = _timed(cmd, cmd_env, tmp)
                        times[name].append(wall)
                        cpu[name].append(used)
                ours = times["ours"]
                target = TARGETS[projects]
                verdict = "met" if statistics.median(ours) < target else "NOT met"
                print(
                    f"{command} --write-back, {projects} projects ({args.runs} runs each, in turns; median (min–max))"
                )
                print(f"  ours                     {_spread(ours)} s   target < {target:g} s: {verdict}")
                print(f"    its CPU (user + system) {_spread(cpu['ours'])} s: about its wall time on an idle core")
                print(
                    f"  ours, lean install       {_spread(times['lean'])} s   CPU {_spread(cpu['lean'])} s"
                    " (the unit's PC: no numpy for openpyxl to import)"
                )
                print(
                    f"  {command} alone           {_spread(times['alone'])} s   "
                    f"(the write-back adds {statistics.median(ours) - statistics.median(times['alone']):+.3f} s)"
                )
                for name, label in (("naive", "the openpyxl way"), ("older", f"older code ({args.against})")):
                    if name in times:
                        ratios = [o / n for o, n in zip(ours, times[name], strict=True)]
                        print(f"  {label:<24} {_spread(times[name])} s   ours/theirs pair by pair {_spread(ratios)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
