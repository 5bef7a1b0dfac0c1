"""Time `xlgoals consolidate` as a whole process over a generated department, against the naive way.

    python benchmarks/consolidate_bench.py [--units 1000] [--seed 1] [--dir /tmp/xlgoals-bench]

One run: generates the department (or reuses it when its manifest matches), consolidates 250, 500 and
1,000 unit workbooks to show how time grows, consolidates the whole inbox (broken files included), then
reads a sample of ~50 workbooks the naive way (pandas.read_excel with openpyxl, one after another, all
sheets) for the per-file comparison. Targets are printed next to the figures, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_department import GENERATOR_VERSION, make_department, manifest_path

TARGET_SECONDS = 30.0  # 1,000 workbooks on 2 cores
TARGET_RATIO = 10.0  # per file, against the naive pandas read
TARGET_MEMORY_MB = 1024.0


@dataclass
class Timing:
    label: str
    files: int
    seconds: float
    exit_code: int
    peak_mb: float  # largest single process (getrusage of the waited-for children)
    tree_mb: float | None  # parent and workers together, sampled from /proc (Linux only)

    @property
    def ms_per_file(self) -> float:
        return 1000 * self.seconds / self.files


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def run_consolidate(label: str, paths: list[Path], out: Path, files: int, jobs: int | None) -> Timing:
    cmd = [sys.executable, "-m", "xlgoals", "consolidate", *map(str, paths), "-o", str(out), "--format", "json"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    peak_tree = 0
    sampling = Path("/proc/self/status").exists()
    # A file, not a pipe, for stderr: a full pipe would stall the very run being timed.
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors)

        def sample() -> None:
            nonlocal peak_tree
            while proc.returncode is None:
                peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        if sampling:
            sampler.start()
        # wait4: this run's own peak (largest process among xlgoals and its workers), not a cumulative one.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampling:
            sampler.join()
        if proc.returncode not in (0, 1):
            errors.seek(0)
            sys.stderr.write(errors.read().decode(errors="replace"))
            raise SystemExit(f"consolidate failed with exit code {proc.returncode}")
    tree = peak_tree / 1024 if sampling else None
    return Timing(label, files, seconds, proc.returncode, usage.ru_maxrss / 1024, tree)


def naive_read(files: list[Path]) -> float:
    """Seconds per file for pandas.read_excel(engine='openpyxl', sheet_name=None), one file after another."""
    import pandas as pd

    start = time.perf_counter()
    for f in files:
        pd.read_excel(f, sheet_name=None, engine="openpyxl", header=None)
    return (time.perf_counter() - start) / len(files)


def department(root: Path, units: int, seed: int) -> tuple[Path, list[Path], float | None]:
    """The generated folder and its unit workbooks; generated only when missing or different."""
    dept = root / f"dept-{units}-seed{seed}"
    mpath = manifest_path(dept)
    took = None
    manifest = json.loads(mpath.read_text(encoding="utf-8")) if mpath.exists() else {}
    paths = [Path(f["path"]) for f in manifest.get("files", [])]
    wanted = {"generator": GENERATOR_VERSION, "units": units, "seed": seed}
    if any(manifest.get(k) != v for k, v in wanted.items()) or not all(p.exists() for p in paths):
        start = time.perf_counter()
        make_department(dept, units, seed)
        took = time.perf_counter() - start
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    good = [Path(f["path"]) for f in manifest["files"] if f["status"] == "已读取"]
    return dept, good, took


def subset(root: Path, files: list[Path], n: int) -> Path:
    """A folder of links to the first n unit workbooks, so each size reads the same kind of files."""
    folder = root / f"subset-{n}"
    shutil.rmtree(folder, ignore_errors=True)  # rebuilt every time: links to a regenerated file go stale
    folder.mkdir(parents=True)
    for f in files[:n]:
        link = folder / f.name
        try:
            os.link(f, link)
        except OSError:
            shutil.copyfile(f, link)
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/xlgoals-bench"))
    ap.add_argument("--jobs", type=int, default=None, help="passed to xlgoals consolidate (default: all cores)")
    ap.add_argument("--naive-sample", type=int, default=50)
    args = ap.parse_args()

    args.dir.mkdir(parents=True, exist_ok=True)
    dept, good, took = department(args.dir, args.units, args.seed)
    inbox_files = sum(len(fs) for _, _, fs in os.walk(dept))
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  department: {dept}")
    print(
        f"generated {args.units} workbooks in {took:.1f} s" if took is not None else "reused the generated department"
    )

    timings: list[Timing] = []
    sizes = sorted({n for n in (args.units // 4, args.units // 2, args.units) if n > 0})
    for n in sizes:
        folder = subset(args.dir, good, n)
        timings.append(run_consolidate(f"{n} workbooks", [folder], args.dir / f"summary-{n}.xlsx", n, args.jobs))
    whole = run_consolidate("whole inbox", [dept], args.dir / "summary-inbox.xlsx", inbox_files, args.jobs)
    timings.append(whole)

    step = max(1, len(good) // args.naive_sample)
    sample = good[::step][: args.naive_sample]
    naive = naive_read(sample)

    print()
    print(f"{'run':<14}{'files':>7}{'wall s':>9}{'ms/file':>9}{'exit':>6}{'peak MB':>9}{'tree MB':>9}")
    for t in timings:
        tree = f"{t.tree_mb:9.0f}" if t.tree_mb is not None else f"{'n/a':>9}"
        print(f"{t.label:<14}{t.files:>7}{t.seconds:9.2f}{t.ms_per_file:9.2f}{t.exit_code:>6}{t.peak_mb:9.0f}{tree}")
    print("(whole process: interpreter start, reading, validation, writing the summary workbook)")

    full = next(t for t in timings if t.files == args.units and t.label != "whole inbox")
    first = timings[0]
    growth = (full.seconds / first.seconds) / (full.files / first.files)
    print(
        f"\ngrowth {first.files} -> {full.files} files: time x{full.seconds / first.seconds:.2f} for"
        f" x{full.files / first.files:.0f} files; time per file ratio {growth:.2f} (1.00 = linear)"
    )

    ratio = naive * 1000 / full.ms_per_file
    peak = max(t.tree_mb or t.peak_mb for t in timings)
    print(f"\nnaive: pandas.read_excel(engine='openpyxl', sheet_name=None) over {len(sample)} of the same workbooks,")
    print("       one after another in one process, reading only (no validation, no output):")
    print(
        f"       {naive * 1000:.1f} ms/file vs xlgoals {full.ms_per_file:.1f} ms/file -> {ratio:.1f}x faster per file"
    )
    print("\nfigure                                measured     target")
    print(f"{args.units} workbooks, whole process    {full.seconds:8.1f} s   < {TARGET_SECONDS:.0f} s on 2 cores")
    print(f"per-file speed-up over naive          {ratio:8.1f} x   >= {TARGET_RATIO:.0f} x")
    print(f"peak memory (process tree)            {peak:8.0f} MB  < {TARGET_MEMORY_MB:.0f} MB")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"(getrusage RUSAGE_CHILDREN: largest process {children.ru_maxrss / 1024:.0f} MB over all runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
