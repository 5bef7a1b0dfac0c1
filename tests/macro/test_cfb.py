"""macro/cfb.py: the VBA project's compound file: every stream read back by an independent parser (olefile) as
written, past the first FAT sector too (ms-cfb alone wrote files past ~64 KB that no FAT described)."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import olefile
import pytest
from ms_dtyp.filetime import Filetime

from xlgoals.macro.cfb import compound_file


@pytest.mark.parametrize("size", [100, 70_000, 300_000])
def test_streams_read_back_as_written(size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # ms-cfb works through files in the current folder
    rng = random.Random(size)
    streams = {
        "VBA/dir": rng.randbytes(size // 10 + 1),
        "VBA/Module1": rng.randbytes(size),
        "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n',
    }
    data = compound_file(streams, Filetime(2020, 1, 2))
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        found = {"/".join(entry): ole.openstream(entry).read() for entry in ole.listdir()}
    assert found == streams
    assert os.listdir(tmp_path)  # its scratch files stayed in the caller's folder, not elsewhere
