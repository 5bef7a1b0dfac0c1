"""io/janitor.py: what a run tracks is removed when it dies, even by kill -9; what it releases is kept."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from xlgoals.io import janitor

# A run that tracks two folders, releases one (it became a real output), and is killed before cleaning up.
KILLED_RUN = """
import os, signal, sys
from pathlib import Path
from xlgoals.io import janitor
scratch, result = Path(sys.argv[1]), Path(sys.argv[2])
for path in (scratch, result):
    janitor.track(path)
    path.mkdir()
    (path / "part.bin").write_bytes(b"x" * 1000)
janitor.release(result)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _gone(path: Path, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not path.exists()


def test_a_killed_run_leaves_only_what_it_released(tmp_path: Path) -> None:
    scratch, result = tmp_path / "scratch", tmp_path / "result"
    run = subprocess.run([sys.executable, "-c", KILLED_RUN, str(scratch), str(result)], check=False)
    assert run.returncode == -9
    assert _gone(scratch), "the janitor did not remove the killed run's tracked folder"
    assert (result / "part.bin").read_bytes() == b"x" * 1000


def test_temp_folder_is_removed_after_its_block(tmp_path: Path) -> None:
    with janitor.temp_folder("xlgoals-test-") as folder:
        assert folder.is_dir() and folder.name.startswith("xlgoals-test-")
        (folder / "a.txt").write_text("a", encoding="utf-8")
    assert not folder.exists()


def test_tracked_releases_even_when_the_block_fails(tmp_path: Path) -> None:
    path = tmp_path / "kept.txt"
    try:
        with janitor.tracked(path) as same:
            assert same == path
            path.write_text("kept", encoding="utf-8")
            raise RuntimeError("the block failed")
    except RuntimeError:
        pass
    # Released: this process's janitor would not remove it when the test run ends; the caller decides.
    assert path.read_text(encoding="utf-8") == "kept"
