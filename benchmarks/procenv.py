"""The environment every timed whole process runs in: as an installed package runs, with its bytecode."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache


@cache
def timed_env() -> dict[str, str]:
    """The environment of the timed runs: bytecode written and read under a temporary folder.

    An installed package has its bytecode (pip compiles it at install); a checkout run with
    PYTHONDONTWRITEBYTECODE=1 would compile every module of ours from source at every start, a fifth of a
    cold `validate`, which no user pays. The unrecorded first run of each command writes it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    folder = tempfile.mkdtemp(prefix="xlgoals-bench-pyc-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return {**env, "PYTHONPYCACHEPREFIX": folder}
