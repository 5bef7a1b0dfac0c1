"""Real faults for tests: the process table after a kill -9, a full disk (a small tmpfs), read-only storage."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.builders.paths import ROOT

XLGOALS = [sys.executable, "-m", "xlgoals"]


def children_of(pid: int) -> set[int]:
    """Every process descending from `pid` now (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after its last ')'.
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    """Exists and is not a zombie (a dead process its new parent has not reaped yet)."""
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def still_running(pids: set[int], within: float = 10.0) -> set[int]:
    deadline = time.monotonic() + within
    alive = {p for p in pids if running(p)}
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = {p for p in alive if running(p)}
    return alive


def pipe_inodes(proc: subprocess.Popen[bytes]) -> set[int]:
    return {os.fstat(f.fileno()).st_ino for f in (proc.stdout, proc.stderr) if f is not None}


def holders_of_pipes(inodes: set[int]) -> set[int]:
    """Processes that still hold the test's pipes (by their inodes)."""
    holders = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("pipe:[") and int(target[6:-1]) in inodes:
                holders.add(int(entry.name))
    return holders


def start(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*XLGOALS, *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def kill_and_check(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """kill -9 the command; then nothing of ours may remain: no descendant running, nobody holding its pipes."""
    ours = children_of(proc.pid)
    pipes = pipe_inodes(proc)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=20)  # returns only once no process holds the pipes
    left = still_running(ours)
    assert not left, f"processes of the killed run still running: {left}"
    assert not holders_of_pipes(pipes)
    return out, err


def env_with_tmp(tmp: Path) -> dict[str, str]:
    """The environment for a command whose system temporary folder is `tmp` (checked empty afterwards)."""
    tmp.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT), "XLWINGS_LICENSE_KEY": "noncommercial"}


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def temp_leftovers(*folders: Path) -> list[Path]:
    return [p for f in folders if f.exists() for p in f.rglob("*") if p.name.startswith((".~xlgoals", "xlgoals-"))]


def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` at `path`: a disk that really fills (ENOSPC). Skips where mounting is impossible."""
    path.mkdir(parents=True, exist_ok=True)
    if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)):
        pytest.skip("mounting a small tmpfs needs root (a real full disk); the RLIMIT_FSIZE test covers the rest")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path) -> None:
    """Fill a small disk to the last byte."""
    try:
        with (disk / "fill").open("wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
    except OSError:
        pass


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """`path` made read-only storage (a read-only bind mount: chmod does not stop root)."""
    if not _mount("--bind", str(path), str(path)):
        pytest.skip("a read-only bind mount needs root")
    try:
        if not _mount("-o", "remount,ro,bind", str(path)):
            pytest.skip("remounting read-only was refused here")
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def serve(cwd: Path, env: dict[str, str], *options: str) -> tuple[subprocess.Popen[bytes], int]:
    """A real `xlgoals serve` on a free port (port 0: the kernel picks one, uvicorn says which)."""
    import re

    proc = start(["serve", "--port", "0", *options], cwd, env)
    assert proc.stderr is not None
    for line in iter(proc.stderr.readline, b""):
        found = re.search(rb"127\.0\.0\.1:(\d+)", line)
        if found:
            return proc, int(found.group(1))
    raise AssertionError("the server did not start: " + proc.communicate()[1].decode())
