"""Temporary files and folders that vanish with the run that made them, even when it is killed (kill -9).

A killed process runs no cleanup of its own. So the first temporary path a run makes starts a small helper
process (the janitor) that is told, through a pipe, each path as it is made and again when it is gone. When the
pipe closes — the run ended, however it ended, and its workers with it — the janitor removes whatever is still
listed and exits. It runs in a session of its own: a Ctrl-C or a signal to the run's process group does not
reach it, and it never holds the caller's terminal (its output goes nowhere).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

# Run with -I -S: no site packages, no user paths, ~10 ms to start. Records are "+path\0" (made) and
# "-path\0" (gone); paths are UTF-8 with surrogate escapes, as the file system gave them.
_JANITOR = r"""
import os, shutil, sys
listed = {}
buf = b""
stdin = sys.stdin.buffer
while True:
    chunk = stdin.read1(65536)
    if not chunk:
        break
    buf += chunk
    *records, buf = buf.split(b"\0")
    for r in records:
        if r[:1] == b"+":
            listed[r[1:]] = True
        else:
            listed.pop(r[1:], None)
for raw in listed:
    path = os.fsdecode(raw)
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass
"""

_lock = threading.Lock()
_pipe: IO[bytes] | None = None
_enabled = True


def disable() -> None:
    """In a worker process: the folders it writes in are tracked by its parent, whose janitor outlives it."""
    global _enabled, _pipe
    _enabled, _pipe = False, None


# A forked child never talks to its parent's janitor (nor starts one): its parent tracks what it writes.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=disable)


def _send(record: bytes) -> None:
    global _pipe
    if not _enabled:
        return
    with _lock:
        try:
            if _pipe is None:
                _pipe = _start()
            _pipe.write(record)
            _pipe.flush()
        except OSError:
            pass  # no janitor: cleanup falls back to the run's own, and to the next start's sweep


def _start() -> IO[bytes]:
    options: dict[str, object] = {"start_new_session": True} if os.name == "posix" else {}
    if sys.platform == "win32":
        options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW
    proc: subprocess.Popen[bytes] = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _JANITOR],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        **options,  # type: ignore[call-overload]
    )
    assert proc.stdin is not None
    atexit.register(proc.stdin.close)
    return proc.stdin


def _record(sign: bytes, path: str | os.PathLike[str]) -> bytes:
    return sign + os.fsencode(os.path.abspath(path)) + b"\0"


def track(path: str | os.PathLike[str]) -> None:
    """`path` (a file or a folder) is to be removed if this process dies before `release(path)`."""
    _send(_record(b"+", path))


def release(path: str | os.PathLike[str]) -> None:
    """`path` is gone or has become a real output: the janitor forgets it."""
    if _pipe is not None:
        _send(_record(b"-", path))


@contextmanager
def tracked(path: str | os.PathLike[str]) -> Iterator[Path]:
    """`path` tracked for the block; whatever happens, it is released after it (removing it is the caller's)."""
    track(path)
    try:
        yield Path(path)
    finally:
        release(path)


@contextmanager
def temp_folder(prefix: str) -> Iterator[Path]:
    """A new folder in the system's temporary folder, removed after the block, and by the janitor if this
    process is killed first."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=prefix))
    track(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        release(path)
