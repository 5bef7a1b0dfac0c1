"""What the live checks cost: file size, LibreOffice's open and recalculation, and our own read of a workbook.

    python benchmarks/live_bench.py [--runs 5] [--selfeval]

The bundled sample's 3 projects ten times over (30 project sheets) is written with and without live checks
(with --selfeval: its 自评 workbook, 30 自评 sheets, as `xlgoals selfeval` writes it).
Printed: each file's size; LibreOffice opening and recalculating every formula (a profile set to recalculate on
load, converting to .xlsx, as a whole process) for the two files in turns, medians and the ratio pair by pair;
and the time `read_grids` + `read_unit` takes (what validate and the consolidation's workers pay per file) on
the files as written and as LibreOffice saves them (every formula with its value, none shared: the heaviest
form a unit's file can take). Figures, never asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.office import RECALC_ALWAYS as RECALC  # noqa: E402  (the profile the tests recalculate with)

SAMPLE = ROOT / "samples" / "002_de489847e14864e5.txt"
COPIES = 10


def make(folder: Path, selfeval: bool = False) -> dict[str, Path]:
    from xlgoals.importing.importer import import_file
    from xlgoals.unit.pipeline import choose_ruleset
    from xlgoals.workbooks.selfevalbook import build_selfeval_workbook
    from xlgoals.workbooks.template import build_workbook, save

    unit = import_file(SAMPLE).unit
    projects = [p.model_copy(update={"name": f"{p.name}（{i}）"}) for i in range(1, COPIES + 1) for p in unit.projects]
    unit = unit.model_copy(update={"projects": projects})
    paths = {}
    for live in (False, True):
        paths["live" if live else "plain"] = path = folder / f"{'live' if live else 'plain'}.xlsx"
        if selfeval:
            save(build_selfeval_workbook(unit, choose_ruleset(unit), live=live)[0], path)
        else:
            save(build_workbook(unit, live=live), path)
    return paths


def soffice_seconds(soffice: str, path: Path, out: Path) -> float:
    """One LibreOffice start that opens `path`, recalculates every formula and saves it as .xlsx."""
    profile = Path(tempfile.mkdtemp(prefix="xlgoals-lo-bench-"))
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC, encoding="utf-8")
    try:
        start = time.perf_counter()
        command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx"]
        subprocess.run(
            [*command, "--outdir", str(out), str(path)],
            check=True,
            capture_output=True,
            timeout=600,
        )
        return time.perf_counter() - start
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def read_seconds(path: Path, runs: int) -> float:
    from xlgoals.io.files import read_grids
    from xlgoals.io.reader import read_unit

    read_unit(read_grids(path))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        read_unit(read_grids(path))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--selfeval", action="store_true", help="the 自评 workbook instead of the declaration")
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make(folder, args.selfeval)
        sheets = "自评" if args.selfeval else "project"
        for kind, path in paths.items():
            print(f"{kind:>5}: {path.stat().st_size / 1024:8.0f} KB  ({COPIES * 3} {sheets} sheets)")
        print(f"size: live / plain {paths['live'].stat().st_size / paths['plain'].stat().st_size:.2f}x")
        saved: dict[str, Path] = {}
        if soffice is None:
            print("LibreOffice is not installed: no open/recalculate figures")
        else:
            times: dict[str, list[float]] = {"plain": [], "live": []}
            for i in range(args.runs):
                for kind, path in paths.items():
                    out = folder / f"lo-{kind}-{i}"
                    times[kind].append(soffice_seconds(soffice, path, out))
                    saved[kind] = out / path.name
            ratios = [live / plain for live, plain in zip(times["live"], times["plain"], strict=True)]
            for kind, values in times.items():
                print(f"LibreOffice open + recalculate + save, {kind}: median {statistics.median(values):.2f} s")
            spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
            print(f"  live / plain pair by pair: median {statistics.median(ratios):.2f}x ({spread})")
            for kind, path in saved.items():
                print(f"  as LibreOffice saves it, {kind}: {path.stat().st_size / 1024:.0f} KB")
        for label, files in (("as written", paths), ("as LibreOffice saves it", saved)):
            if not files:
                continue
            reads = {kind: read_seconds(path, args.runs * 4) for kind, path in files.items()}
            plain, live = reads["plain"], reads["live"]
            print(
                f"read_grids + read_unit, {label}: plain {plain * 1000:.0f} ms, live {live * 1000:.0f} ms"
                f" ({live / plain:.2f}x)"
            )


if __name__ == "__main__":
    main()
