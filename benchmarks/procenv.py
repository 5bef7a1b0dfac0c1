"""The environment every timed whole process runs in: as an installed package runs, with its bytecode."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache

# Prefix for a timed `python -c` that imports our models without going through an entry point: pydantic's plugins
# off, as the CLI and the Excel entries set them before any model is built (looking for plugins reads every
# installed package's metadata, which no run of ours pays).
PLUGINS_OFF = "import os\nos.environ.setdefault('PYDANTIC_DISABLE_PLUGINS', '__all__')\n"


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
