"""Time the web server under 60 concurrent uploads against one upload alone, and its throughput per worker.

    python benchmarks/serve_bench.py [--uploads 60] [--workers 1,2] [--repeat 3]

For each worker count a real `xlgoals serve --workers N` runs on a free port. One upload alone (/api/check of the
sample unit, three projects: findings, the marked copy and the roll-up in the answer) is timed as the median
of --repeat×3 uploads one after another; then --uploads different workbooks are posted at once (a thread
each), --repeat times. Printed per worker count: the single time, p50/p95/max latency under load, the
throughput (uploads per second, and per worker), and the target: p95 within 2 × (uploads ÷ workers × single
time). Figures only, never asserted.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from procenv import timed_env

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "002_de489847e14864e5.txt"


def _workbooks(folder: Path, count: int) -> list[tuple[str, bytes]]:
    from xlgoals.importing.importer import import_file
    from xlgoals.workbooks.template import write_unit

    unit = import_file(SAMPLE).unit
    out = []
    for i in range(count):
        path = folder / f"单位{i + 1}.xlsx"
        write_unit(unit.model_copy(update={"name": f"单位{i + 1}"}), path)
        out.append((path.name, path.read_bytes()))
    return out


def _serve(workers: int, uploads: int) -> tuple[subprocess.Popen[bytes], int]:
    cmd = [sys.executable, "-m", "xlgoals", "serve", "--port", "0", "--workers", str(workers), "--queue", str(uploads)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=timed_env())
    assert proc.stderr is not None
    for line in iter(proc.stderr.readline, b""):
        found = re.search(rb"127\.0\.0\.1:(\d+)", line)
        if found:
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the log flowing
            return proc, int(found.group(1))
    raise SystemExit("the server did not start")


def _upload(port: int, book: tuple[str, bytes]) -> float:
    start = time.perf_counter()
    answer = httpx.post(f"http://127.0.0.1:{port}/api/check", files=[("files", book)], timeout=600)
    took = time.perf_counter() - start
    if answer.status_code != 200:
        raise SystemExit(f"upload answered {answer.status_code}: {answer.text[:200]}")
    return took


def _burst(port: int, books: list[tuple[str, bytes]]) -> tuple[list[float], float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def one(book: tuple[str, bytes]) -> None:
        took = _upload(port, book)
        with lock:
            latencies.append(took)

    threads = [threading.Thread(target=one, args=(b,)) for b in books]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(latencies), time.perf_counter() - start


def _p(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, max(0, round(q * len(values)) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--uploads", type=int, default=60)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="xlgoals-serve-bench-") as tmp:
        books = _workbooks(Path(tmp), args.uploads)
        print(f"{args.uploads} concurrent uploads of a 3-project unit workbook (/api/check), {args.repeat} bursts")
        heads = ("workers", "single", "p50", "p95", "max", "target p95", "/s", "/s/worker")
        print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (7, 7, 7, 7, 7, 10, 6, 9), strict=True)))
        for workers in (int(w) for w in args.workers.split(",")):
            proc, port = _serve(workers, args.uploads)
            try:
                _upload(port, books[0])  # the workers' first file: imports and caches
                single = statistics.median(_upload(port, books[i % len(books)]) for i in range(3 * args.repeat))
                p50s, p95s, maxes, rates = [], [], [], []
                for _ in range(args.repeat):
                    latencies, wall = _burst(port, books)
                    p50s.append(_p(latencies, 0.5))
                    p95s.append(_p(latencies, 0.95))
                    maxes.append(latencies[-1])
                    rates.append(len(books) / wall)
            finally:
                proc.kill()
                proc.wait()
            target = 2 * len(books) / workers * single
            p95 = statistics.median(p95s)
            rate = statistics.median(rates)
            verdict = "met" if p95 <= target else "MISSED"
            print(
                f"{workers:>7} {single:>6.2f}s {statistics.median(p50s):>6.2f}s {p95:>6.2f}s "
                f"{statistics.median(maxes):>6.2f}s {target:>8.1f}s {rate:>6.2f} {rate / workers:>9.2f}  "
                f"{verdict} (p95 spread {min(p95s):.2f}–{max(p95s):.2f}s)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
