"""The built-in rule sets: their names, files, and heads (name, title) read without parsing the whole file."""

from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

BUILTIN = ("shanghai-2020", "national", "national-2015")
DEFAULT = "shanghai-2020"
_DIR = Path(__file__).parent / "rulesets"
# The first table header ends a TOML file's top-level keys (name, title ...).
_FIRST_TABLE = re.compile(r"^[ \t]*\[", re.MULTILINE)


def builtin_path(name: str) -> Path:
    return _DIR / f"{name}.toml"


def file_version(path: Path) -> tuple[int, int]:
    """A rule-set file's modification time and size: a bureau may edit it (a built-in's comments invite that),
    and a long-running process then reads the edited file, while an unchanged one is parsed once per process."""
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


def builtin_head(name: str) -> dict[str, Any] | None:
    """A built-in file's top-level keys, parsed without its tables: naming a framework reads only the heads
    and then parses the one file it names. None if the head alone is not valid TOML (a top-level multi-line
    value holding a '[' line) or lacks a name or title: then the whole file must be parsed, and says why."""
    return _head(name, *file_version(builtin_path(name)))


@cache
def _head(name: str, mtime_ns: int, size: int) -> dict[str, Any] | None:
    text = builtin_path(name).read_text(encoding="utf-8")
    first = _FIRST_TABLE.search(text)
    try:
        head = tomllib.loads(text[: first.start()] if first else text)
    except tomllib.TOMLDecodeError:
        return None
    return head if isinstance(head.get("name"), str) and isinstance(head.get("title"), str) else None
