"""The run's inputs: every file under the given folders, owner (lock) files told apart, bytes read once and hashed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from xlgoals.core.order import natural_key


@dataclass(frozen=True)
class InputFile:
    """One path to account for, and the folder it is grouped under by --group-by folder."""

    path: str
    folder: str


def collect_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[InputFile]:
    """Every file under the given folders (recursively, hidden ones too) and every given file, in order: the
    paths as given, the files under a folder in natural order (单位2 before 单位10).

    Nothing is dropped: a path that does not exist, or a folder that cannot be listed, stays an input so
    the ledger says why it was not read.
    """
    out: list[InputFile] = []
    for given in paths:
        root = Path(given)
        if not root.is_dir():
            out.append(InputFile(str(root), root.parent.resolve().name or str(root.parent)))
            continue
        seen: set[str] = set()

        def unlistable(e: OSError, root: Path = root) -> None:
            out.append(InputFile(str(e.filename), root.name))

        # Linked folders are followed (units' shares are often links); a folder reached twice is listed once.
        for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable, followlinks=True):
            real = os.path.realpath(dirpath)
            if real in seen:
                dirnames.clear()
                continue
            seen.add(real)
            dirnames.sort(key=natural_key)
            here = Path(dirpath)
            rel = here.relative_to(root).as_posix()
            folder = (root.resolve().name or str(root)) if rel == "." else rel
            out.extend(InputFile(str(here / name), folder) for name in sorted(filenames, key=natural_key))
    return out


def is_lock_file(name: str) -> bool:
    """Owner files Excel/WPS (~$book.xlsx) and LibreOffice (.~lock.book.xlsx#) leave next to open books."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def read_hashed(path: Path) -> tuple[bytes, str]:
    """A file's bytes, read once and capped (FIFOs and devices refused unopened), and their SHA-256."""
    from xlgoals.io.container import read_input

    data = read_input(path)
    return data, hashlib.sha256(data).hexdigest()
