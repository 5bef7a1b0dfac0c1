"""The worker-phase benchmark times each step of the consolidation worker, over real files (no figures asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks import worker_phases


def test_every_step_of_the_worker_is_timed_beside_the_raw_read(sample_xlsx: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dept"
    folder.mkdir()
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copyfile(sample_xlsx, folder / name)
    spent = worker_phases.one_pass(sorted(folder.iterdir()))
    assert set(spent) == {key for _, key in worker_phases.STEPS} | {"raw"}
    # Each step did its work on these files (the rows step has the rules taken out of it).
    assert all(spent[key] > 0 for key in ("container", "grids", "model", "rules", "raw"))

    # As `make bench` runs it: a process of its own (it takes the worker's process settings).
    done = _run(folder, "--files", "2", "--passes", "1")
    assert done.returncode == 0, done.stderr
    for label, _ in worker_phases.STEPS:
        assert label in done.stdout
    assert "the raw read" in done.stdout


def test_an_empty_folder_is_said_not_timed(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode == 1 and "no workbooks" in done.stderr


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(worker_phases.__file__)
    return subprocess.run(
        [sys.executable, str(script), str(folder), *args], capture_output=True, text=True, timeout=300, check=False
    )
