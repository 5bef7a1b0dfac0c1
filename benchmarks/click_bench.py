"""Time a button click as RunPython runs it, in the lean install a unit's PC gets, next to the full install.

    python benchmarks/click_bench.py [--runs 7]

A RunPython button starts a fresh Python that runs `import xlwings.utils` and then our entry point;
xlwings imports pandas (and with it numpy, pyarrow) whenever they are installed. This builds (once,
cached under build/ by the hash of pyproject.toml) a virtual environment with `pip install xlgoals`
and no extras, then times, as whole processes in the same run:

- the click in the lean install: `import xlwings.utils`, then `xlgoals.excel.validate_all` on a
  remote-engine book of 30 projects (the payload Excel on the web sends);
- the same click in the full install (this interpreter, pandas and all);
- the bare `import xlwings.utils` of the full install.

Targets, printed next to the figures and never asserted: the lean click under 0.3 s, and below the
full install's bare import.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, only benchmarks/ is on the path; the payload builder lives in tests/.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.procenv import PLUGINS_OFF  # noqa: E402  (after ROOT is on the path)

TARGET_SECONDS = 0.3
HEAVY = ("pandas", "numpy", "pyarrow")

# The click: RunPython's own first import, then the entry point on the book. The remote engine registers
# only with a license key set before xlwings is imported. Prints the alert and the heavy modules loaded.
CLICK = f"""
import json, os, sys
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings.utils
import xlwings as xw
import xlgoals.excel as x
with open(sys.argv[1], encoding="utf-8") as f:
    book = xw.Book(json=json.load(f))
x.validate_all(book)
alerts = [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]
print(json.dumps({{"alerts": alerts, "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}, ensure_ascii=False))
"""


# What a click imports before it reads the book: its share of the click is printed next to the figures.
CLICK_IMPORTS = PLUGINS_OFF + (
    "import xlwings.utils, xlwings, xlgoals.excel, xlgoals.unit.pipeline, xlgoals.validation.marks"
)


class LeanInstallError(RuntimeError):
    """pip could not build the lean environment; the message holds pip's output."""


def lean_python(root: Path = ROOT) -> Path:
    """The interpreter of a venv holding xlgoals (editable, from `root`) with its base dependencies only.

    Cached under build/ by pyproject.toml's hash and the checkout's path, so only a changed dependency
    list rebuilds it; pip's own cache makes a rebuild cheap. A marker written last tells a finished
    environment from an interrupted build.
    """
    key = hashlib.sha256((root / "pyproject.toml").read_bytes() + str(root).encode()).hexdigest()[:16]
    venv = root / "build" / f"lean-venv-{key}"
    python, done = venv / "bin" / "python", venv / ".xlgoals-complete"
    if done.exists():
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True)
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    if pip.returncode != 0:
        raise LeanInstallError(pip.stdout + pip.stderr)
    done.touch()
    return python


def write_payload(path: Path, copies: int) -> int:
    """A unit workbook of the sample's projects `copies` times over, as the payload xlwings' client sends."""
    import openpyxl

    from benchmarks.validate_bench import SAMPLE
    from tests.xlbridge import payload_from_workbook
    from xlgoals.importing.importer import import_file
    from xlgoals.workbooks.template import write_unit

    unit = import_file(SAMPLE).unit
    projects = [p.model_copy(update={"name": f"{p.name}（{i}）"}) for i in range(1, copies + 1) for p in unit.projects]
    book = path.with_suffix(".xlsx")
    write_unit(unit.model_copy(update={"projects": projects}), book)
    values = openpyxl.load_workbook(book, data_only=True)
    payload = payload_from_workbook(openpyxl.load_workbook(book), book_name=book.name, values_from=values)
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return len(projects)


def click(python: Path | str, payload: Path) -> dict[str, list[str]]:
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    done = subprocess.run([str(python), "-c", CLICK, str(payload)], capture_output=True, text=True, env=env, check=True)
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    from benchmarks.validate_bench import median_seconds

    os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
    print("building/using the lean environment (pip install xlgoals, no extras) ...", flush=True)
    lean = lean_python()
    full = Path(sys.executable)
    with tempfile.TemporaryDirectory() as tmp:
        payload = Path(tmp) / "unit30.json"
        n = write_payload(payload, 10)
        lean_result = click(lean, payload)
        assert lean_result["alerts"], "the click showed no message"
        rows = [
            (f"click, lean install ({n} projects)", [str(lean), "-c", CLICK, str(payload)]),
            ("  python start-up, lean install", [str(lean), "-c", "pass"]),
            ("  imports of a click, lean install", [str(lean), "-c", CLICK_IMPORTS]),
            (f"click, full install ({n} projects)", [str(full), "-c", CLICK, str(payload)]),
            ("bare import xlwings.utils, full install", [str(full), "-c", "import xlwings.utils"]),
            ("bare import xlwings.utils, lean install", [str(lean), "-c", "import xlwings.utils"]),
        ]
        figures = dict(
            zip([label for label, _ in rows], median_seconds([cmd for _, cmd in rows], args.runs), strict=True)
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nmedian of {args.runs} whole-process runs each, in turns, after one unrecorded run (load average {load}):")
    for label, seconds in figures.items():
        print(f"  {label:<45} {seconds:6.3f} s")
    lean_click, start, imports = (figures[label] for label, _ in rows[:3])
    bare = figures[rows[4][0]]
    print(
        f"  share of the lean click: start-up {start / lean_click:5.1%}, "
        f"imports {(imports - start) / lean_click:5.1%}, "
        f"reading, checking and writing back {(lean_click - imports) / lean_click:5.1%}"
    )
    print(f"\nmodules loaded by the lean click: {', '.join(lean_result['heavy']) or 'none of ' + ', '.join(HEAVY)}")
    print(f"message shown: {lean_result['alerts'][0]}")
    verdict = "met" if lean_click < TARGET_SECONDS else "MISSED"
    print(f"target: lean click < {TARGET_SECONDS} s -> {lean_click:.3f} s, {verdict}")
    verdict = "met" if lean_click < bare else "MISSED"
    print(f"target: lean click below the full install's bare import ({bare:.3f} s) -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
