"""A department's inbox as benchmarks/make_department.py generates it: unit workbooks, some broken on purpose."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from tests.builders.paths import ROOT


def make_department(out: Path, units: int, seed: int = 1, live: bool = False) -> list[Any]:
    """benchmarks/make_department.py's inbox of `units` unit workbooks (some broken on purpose), with the live
    checks xlgoals writes when `live`."""
    spec = importlib.util.spec_from_file_location("make_department", ROOT / "benchmarks" / "make_department.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_department"] = mod
    spec.loader.exec_module(mod)
    entries: list[Any] = mod.make_department(out, units=units, seed=seed, jobs=1, live=live)
    return entries
