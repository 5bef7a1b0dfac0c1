"""Time `xlgoals consolidate` as a whole process over a generated department, against the naive way.

    python benchmarks/consolidate_bench.py [--units 1000] [--seed 1] [--dir /tmp/xlgoals-bench]
    python benchmarks/consolidate_bench.py --scale 4000 [--repeat 1]   (make bench-scale)

One run: generates the department (or reuses it when its manifest matches), consolidates 250, 500 and
1,000 unit workbooks to show how time grows, and the whole inbox (broken files included). For the
per-file comparison a sample of ~50 of the workbooks is read the naive way (pandas.read_excel with
openpyxl, one after another, all sheets; one file first, untimed, so the imports are not counted), one
pass right after each 1,000-workbook run, and the ratio is taken pair by pair. The floor is the raw read:
a pool of as many processes as the consolidation uses, which only opens each file with python-calamine
and reads every sheet; it runs as a whole process right after each consolidation, over the same folder,
timed the same way, and the consolidation's time is reported as a multiple of it, pair by pair. The floor's
workers and the naive pass run at the priority of the consolidation's workers (nice 5), so that a machine
others load shares its cores out alike between the two sides of a pair. Each
consolidation runs --repeat times (default 3); medians are reported with the spread, since the machine's
load moves single runs by 10-20 %. Targets are printed next to the figures, never asserted. Last, the
worker's steps are timed one by one over 200 of the same files beside the raw read (worker_phases.py): where
the time above the floor goes.

--scale N is the scale run instead: a department of N workbooks (4,000 for the target; generating it takes
minutes the first time, so `make bench` leaves it out) consolidated at N/4, N/2 and N files, with the time
per file (wall and CPU, the workers' included) against the smallest size, and the peak memory of the
process tree and of its largest process at each size: flat means neither grows with the number of files.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_department import GENERATOR_VERSION, make_department, manifest_path
from procenv import timed_env

TARGET_SECONDS = 30.0  # 1,000 workbooks on 2 cores
TARGET_RATIO = 10.0  # per file, against the naive pandas read
TARGET_MEMORY_MB = 1024.0
TARGET_FLOOR_RATIO = 3.0  # the whole consolidation against the raw calamine read, per file
TARGET_FLAT_UP_TO = 4000  # files up to which time per file should stay flat


@dataclass
class Timing:
    label: str
    files: int
    seconds: float
    exit_code: int
    peak_mb: float  # largest single process (getrusage of the waited-for children)
    tree_mb: float | None  # parent and workers together, sampled from /proc (Linux only)
    output_mb: float = 0.0  # the summary workbook
    runs: tuple[float, ...] = ()  # every run's seconds, when repeated
    cpu_seconds: float = 0.0  # user + system, the process and its waited-for workers

    @property
    def cpu_ms_per_file(self) -> float:
        return 1000 * self.cpu_seconds / self.files

    @property
    def ms_per_file(self) -> float:
        return 1000 * self.seconds / self.files

    @property
    def spread(self) -> str:
        return f"{min(self.runs):.2f}-{max(self.runs):.2f}" if len(self.runs) > 1 else ""


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
    return run_process(label, cmd, out, files)


def worker_nice() -> int:
    """How far below normal priority the consolidation's workers run (the pool's setting). The floor's
    workers and the naive pass run there too: on a machine others load, a process at lower priority gets
    less of the cores, and the pairs would then measure the priorities rather than the reading."""
    from xlgoals.department.consolidate.pool import SETTINGS

    return SETTINGS.nice


def run_floor(label: str, folder: Path, files: int, jobs: int | None) -> Timing:
    """The raw read as a whole process: a pool that opens every file with python-calamine, reads every sheet."""
    jobs = jobs or os.cpu_count() or 1
    cmd = [sys.executable, str(Path(__file__).resolve()), "--floor-pass", str(folder), str(jobs), str(worker_nice())]
    return run_process(label, cmd, None, files)


def _floor_read(path: str) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def _floor_pass(folder: str, jobs: str, nice: str) -> int:
    """The child side of run_floor: every file under `folder` through a pool of `jobs` processes."""
    from concurrent.futures import ProcessPoolExecutor

    files = sorted(str(Path(d) / f) for d, _, fs in os.walk(folder) for f in fs if f.endswith(".xlsx"))
    with ProcessPoolExecutor(max_workers=int(jobs), initializer=os.nice, initargs=(int(nice),)) as pool:
        rows = sum(pool.map(_floor_read, files, chunksize=8))
    print(len(files), rows)
    return 0


def run_process(label: str, cmd: list[str], out: Path | None, files: int) -> Timing:
    peak_tree = 0
    sampling = Path("/proc/self/status").exists()
    # A file, not a pipe, for stderr: a full pipe would stall the very run being timed.
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors, env=timed_env())

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
            raise SystemExit(f"{label}: exit code {proc.returncode}")
    tree = peak_tree / 1024 if sampling else None
    size = out.stat().st_size / 2**20 if out is not None and out.exists() else 0.0
    cpu = usage.ru_utime + usage.ru_stime
    return Timing(label, files, seconds, proc.returncode, usage.ru_maxrss / 1024, tree, size, (seconds,), cpu)


def _listed(values: list[float], form: str) -> str:
    return ", ".join(form.format(v) for v in values)


def median_of(runs: list[Timing]) -> Timing:
    """The median run's figures (memory: the largest seen), with every run's seconds."""
    label, files = runs[0].label, runs[0].files
    median = sorted(runs, key=lambda t: t.seconds)[len(runs) // 2]
    trees = [t.tree_mb for t in runs if t.tree_mb is not None]
    return Timing(
        label,
        files,
        statistics.median(t.seconds for t in runs),
        median.exit_code,
        max(t.peak_mb for t in runs),
        max(trees) if trees else None,
        median.output_mb,
        tuple(t.seconds for t in runs),
        statistics.median(t.cpu_seconds for t in runs),
    )


def naive_read(files: list[Path]) -> float:
    """Seconds per file for pandas.read_excel(engine='openpyxl', sheet_name=None), one file after another,
    in a process of its own (pandas in this one would count in every later run's peak memory: a child's
    maximum resident size starts from its parent's at fork). The first file is read untimed, for imports."""
    listing = "\n".join(map(str, files))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--naive-pass", str(worker_nice())]
    done = subprocess.run(cmd, input=listing, capture_output=True, text=True, check=True, env=timed_env())
    return float(done.stdout.split()[-1])


def _naive_pass(nice: int) -> int:
    """The child side of naive_read: file paths on stdin, seconds per file on stdout."""
    import pandas as pd

    os.nice(nice)
    files = sys.stdin.read().splitlines()
    pd.read_excel(files[0], sheet_name=None, engine="openpyxl", header=None)  # imports, not reading
    start = time.perf_counter()
    for f in files:
        pd.read_excel(f, sheet_name=None, engine="openpyxl", header=None)
    print((time.perf_counter() - start) / len(files))
    return 0


def department(root: Path, units: int, seed: int, live: bool = False) -> tuple[Path, list[Path], float | None]:
    """The generated folder and its unit workbooks; generated only when missing or different."""
    dept = root / f"dept-{units}-seed{seed}{'-live' if live else ''}"
    mpath = manifest_path(dept)
    took = None
    manifest = json.loads(mpath.read_text(encoding="utf-8")) if mpath.exists() else {}
    paths = [Path(f["path"]) for f in manifest.get("files", [])]
    wanted = {"generator": GENERATOR_VERSION, "units": units, "seed": seed}
    stale = any(manifest.get(k) != v for k, v in wanted.items()) or bool(manifest.get("live")) != live
    if stale or not all(p.exists() for p in paths):
        start = time.perf_counter()
        make_department(dept, units, seed, live=live)
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


def scale_run(root: Path, units: int, seed: int, jobs: int | None, repeat: int) -> int:
    """Time per file and peak memory at units/4, units/2 and units files: do they stay flat?"""
    dept, good, took = department(root, units, seed)
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  department: {dept}")
    print(f"generated {units} workbooks in {took:.1f} s" if took is not None else "reused the generated department")
    timings: list[Timing] = []
    for n in sorted({n for n in (units // 4, units // 2, units) if n > 0}):
        folder, out = subset(root, good, n), root / f"summary-{n}.xlsx"
        timings.append(median_of([run_consolidate(f"{n} workbooks", [folder], out, n, jobs) for _ in range(repeat)]))
    first = timings[0]
    print(
        f"\n{'files':>7}{'wall s':>9}{'ms/file':>9}{'x first':>9}{'cpu ms/file':>13}{'x first':>9}{'marginal':>10}"
        f"{'tree MB':>9}{'largest MB':>12}{'xlsx MB':>9}"
    )
    previous: Timing | None = None
    for t in timings:
        tree = f"{t.tree_mb:9.0f}" if t.tree_mb is not None else f"{'n/a':>9}"
        # The files added since the smaller size, on their own: start-up and other fixed costs cancel out.
        marginal = (
            f"{1000 * (t.cpu_seconds - previous.cpu_seconds) / (t.files - previous.files):10.2f}"
            if previous is not None
            else f"{'':>10}"
        )
        print(
            f"{t.files:>7}{t.seconds:9.2f}{t.ms_per_file:9.2f}{t.ms_per_file / first.ms_per_file:9.2f}"
            f"{t.cpu_ms_per_file:13.2f}{t.cpu_ms_per_file / first.cpu_ms_per_file:9.2f}{marginal}{tree}"
            f"{t.peak_mb:12.0f}{t.output_mb:9.1f}"
        )
        previous = t
    print(
        f"(whole process, median of {repeat}; cpu: user + system of xlgoals and its workers; marginal: cpu ms per"
        " file added since the smaller size; tree: all processes together, sampled; largest: the largest single"
        " process)"
    )
    last = timings[-1]
    peak = max(t.tree_mb or t.peak_mb for t in timings)
    print("\nfigure                                measured     target")
    print(
        f"time per file {first.files} -> {last.files} files      {last.ms_per_file / first.ms_per_file:8.2f} x"
        f"   ~1.00 (flat) up to {TARGET_FLAT_UP_TO:,} files"
    )
    print(
        f"cpu time per file {first.files} -> {last.files} files  {last.cpu_ms_per_file / first.cpu_ms_per_file:8.2f} x"
    )
    print(f"peak memory (process tree)            {peak:8.0f} MB  < {TARGET_MEMORY_MB:.0f} MB")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/xlgoals-bench"))
    ap.add_argument("--jobs", type=int, default=None, help="passed to xlgoals consolidate (default: all cores)")
    ap.add_argument("--naive-sample", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each consolidation; the median is reported")
    ap.add_argument(
        "--live", action="store_true", help="units written by xlgoals with their live checks (make_department --live)"
    )
    ap.add_argument("--scale", type=int, default=None, metavar="N", help="the scale run instead (N/4, N/2, N files)")
    ap.add_argument("--naive-pass", type=int, metavar="NICE", help=argparse.SUPPRESS)
    ap.add_argument("--floor-pass", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.naive_pass is not None:
        return _naive_pass(args.naive_pass)
    if args.floor_pass:
        return _floor_pass(*args.floor_pass)

    args.dir.mkdir(parents=True, exist_ok=True)
    if args.scale:
        return scale_run(args.dir, args.scale, args.seed, args.jobs, max(1, args.repeat))
    if args.live:  # its own folder: the subsets and summaries of the plain department stay as they are
        args.dir = args.dir / "live"
        args.dir.mkdir(exist_ok=True)
    dept, good, took = department(args.dir, args.units, args.seed, args.live)
    inbox_files = sum(len(fs) for _, _, fs in os.walk(dept))
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  department: {dept}")
    if args.live:
        print("units written by xlgoals with the live checks (~440 formulas on every project sheet)")
    print(
        f"generated {args.units} workbooks in {took:.1f} s" if took is not None else "reused the generated department"
    )

    step = max(1, len(good) // args.naive_sample)
    sample = good[::step][: args.naive_sample]
    repeat = max(1, args.repeat)
    timings: list[Timing] = []
    naive_passes: list[float] = []
    ratios: list[float] = []
    floors: dict[int, list[tuple[Timing, Timing]]] = {}
    sizes = sorted({n for n in (args.units // 4, args.units // 2, args.units) if n > 0})
    full_folder = args.dir
    for n in sizes:
        folder, out = subset(args.dir, good, n), args.dir / f"summary-{n}.xlsx"
        full_folder = folder  # the last size, the one held to the targets
        runs = []
        for _ in range(repeat):
            runs.append(run_consolidate(f"{n} workbooks", [folder], out, n, args.jobs))
            # The floor right after, over the same files: a pair measured under the same load.
            floors.setdefault(n, []).append((runs[-1], run_floor(f"floor {n}", folder, n, args.jobs)))
            if n == args.units:
                # Each naive pass right after a run: the ratio is taken pair by pair, so a change in the
                # machine's load between the two measurements does not move it.
                naive_passes.append(naive_read(sample))
                ratios.append(naive_passes[-1] * 1000 / runs[-1].ms_per_file)
        timings.append(median_of(runs))
    out = args.dir / "summary-inbox.xlsx"
    whole = median_of([run_consolidate("whole inbox", [dept], out, inbox_files, args.jobs) for _ in range(repeat)])
    timings.append(whole)
    naive = statistics.median(naive_passes)

    print()
    print(
        f"{'run':<14}{'files':>7}{'wall s':>9}{'(spread)':>12}{'ms/file':>9}{'exit':>6}{'peak MB':>9}{'tree MB':>9}"
        f"{'xlsx MB':>9}"
    )
    for t in timings:
        tree = f"{t.tree_mb:9.0f}" if t.tree_mb is not None else f"{'n/a':>9}"
        print(
            f"{t.label:<14}{t.files:>7}{t.seconds:9.2f}{t.spread:>12}{t.ms_per_file:9.2f}{t.exit_code:>6}"
            f"{t.peak_mb:9.0f}{tree}{t.output_mb:9.1f}"
        )
    print(
        f"(whole process: interpreter start, reading, validation, writing the summary workbook;"
        f" median of {repeat} runs)"
    )

    full = next(t for t in timings if t.files == args.units and t.label != "whole inbox")
    first = timings[0]
    growth = (full.seconds / first.seconds) / (full.files / first.files)
    print(
        f"\ngrowth {first.files} -> {full.files} files: time x{full.seconds / first.seconds:.2f} for"
        f" x{full.files / first.files:.0f} files; time per file ratio {growth:.2f} (1.00 = linear)"
    )

    print("\nfloor: the raw read (python-calamine opens each file and reads every sheet, a pool of")
    print(f"       {args.jobs or os.cpu_count()} processes, whole process), right after each run over the same files:")
    floor_ratio = 0.0
    floor_pairs: list[float] = []
    cpu_pairs: list[float] = []
    for n, pairs in floors.items():
        pair_ratios = [c.seconds / f.seconds for c, f in pairs]
        # CPU time (the process and its workers) moves less with other processes' load than wall time does.
        cpu_ratios = [c.cpu_seconds / f.cpu_seconds for c, f in pairs if f.cpu_seconds]
        floor_ratio = statistics.median(pair_ratios)  # the last (largest) size is the one held to the target
        floor_pairs, cpu_pairs = pair_ratios, cpu_ratios
        floor_ms = statistics.median(f.ms_per_file for _, f in pairs)
        floor_mb = max(f.tree_mb or f.peak_mb for _, f in pairs)
        print(
            f"       {n:>6} files: floor {floor_ms:6.2f} ms/file ({floor_mb:.0f} MB), consolidation x{floor_ratio:.2f}"
            f" (pairs: {_listed(pair_ratios, 'x{:.2f}')}; CPU time x{statistics.median(cpu_ratios or [0]):.2f},"
            f" pairs: {_listed(cpu_ratios, 'x{:.2f}')})"
        )

    ratio = statistics.median(ratios)
    peak = max(t.tree_mb or t.peak_mb for t in timings)
    print(f"\nnaive: pandas.read_excel(engine='openpyxl', sheet_name=None) over {len(sample)} of the same workbooks,")
    print("       one after another in one process, reading only (no validation, no output); one pass after")
    print(f"       each {args.units}-workbook run, ratio taken pair by pair (median of {repeat}):")
    print(
        f"       {naive * 1000:.1f} ms/file vs xlgoals {full.ms_per_file:.1f} ms/file -> {ratio:.1f}x faster per file"
        f" (pairs: {_listed(ratios, '{:.1f}x')})"
    )
    print("\nfigure                                measured     target")
    print(f"{args.units} workbooks, whole process    {full.seconds:8.1f} s   < {TARGET_SECONDS:.0f} s on 2 cores")
    print(
        f"per-file speed-up over naive          {ratio:8.1f} x   >= {TARGET_RATIO:.0f} x"
        f"   (pairs: {_listed(ratios, '{:.1f}x')})"
    )
    print(
        f"consolidation / raw-read floor        {floor_ratio:8.2f} x   <= {TARGET_FLOOR_RATIO:.1f} x"
        f"  (pairs: {_listed(floor_pairs, 'x{:.2f}')}; CPU time: {_listed(cpu_pairs, 'x{:.2f}')})"
    )
    more = "" if full.files >= TARGET_FLAT_UP_TO else f" (run --units {TARGET_FLAT_UP_TO})"
    print(
        f"time per file {first.files} -> {full.files} files      {growth:8.2f} x   ~1.00 (flat) up to"
        f" {TARGET_FLAT_UP_TO:,} files{more}"
    )
    print(
        f"ms per file (whole process)           {full.ms_per_file:8.1f} ms  <= {naive * 1000 / TARGET_RATIO:.1f} ms"
        " (naive / target speed-up)"
    )
    print(f"peak memory (process tree)            {peak:8.0f} MB  < {TARGET_MEMORY_MB:.0f} MB")
    # Where the time over the floor goes, over the same files, in a process of its own.
    phases = [sys.executable, str(Path(__file__).resolve().parent / "worker_phases.py"), str(full_folder)]
    print()
    sys.stdout.flush()
    subprocess.run(phases, check=True, env=timed_env())
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"(getrusage RUSAGE_CHILDREN: largest child process {children.ru_maxrss / 1024:.0f} MB over all runs,"
        " the naive pandas passes included)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
