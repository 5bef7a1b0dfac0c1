"""The VBA project's compound file (ms-cfb, its FAT written whole), read back by olefile before it is used."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import olefile
from ms_cfb.Models.Directories.root_directory import RootDirectory
from ms_cfb.Models.Directories.storage_directory import StorageDirectory
from ms_cfb.Models.Directories.stream_directory import StreamDirectory
from ms_cfb.Models.Filesystems.fat_filesystem import FatFilesystem
from ms_cfb.ole_file import OleFile
from ms_dtyp.filetime import Filetime

__all__ = ["compound_file"]


class _WholeFat(FatFilesystem):
    """ms-cfb 0.0.6's FAT, every sector of it written.

    ms-cfb reserves a FAT sector every 128 sectors (sector 0, 128, 256 …) and lists them in the header, but
    counts them by dividing by the sector size (512) instead of the 128 entries a sector holds, and writes
    only the first: past ~64 KB the file pointed at sectors no FAT described. Both are set right here.
    """

    def count_fat_chain_sectors(self) -> int:
        return int((len(self) - 1) // self._entries_per_sector() + 1)

    def to_file(self, path: str) -> None:
        self.write_streams(path)
        size: int = self._sector_size
        table = b"".join(address.to_bytes(4, "little") for address in self.get_chain())
        table = table.ljust(-(-len(table) // size) * size, b"\xff")  # unused entries are FREESECT
        with open(path, "r+b") as out:
            for k in range(self.count_fat_chain_sectors()):
                out.seek(k * self._entries_per_sector() * size)
                out.write(table[k * size : (k + 1) * size])

    def _entries_per_sector(self) -> int:
        return int(self._sector_size // 4)


def compound_file(streams: Mapping[str, bytes], date: Filetime) -> bytes:
    """The OLE container holding `streams` ("VBA/<name>" inside the VBA storage, others at the root).

    Runs in the caller's scratch directory: ms-cfb reads stream contents from files and writes there.
    """
    root = RootDirectory()
    root.set_modified(date)
    storage = StorageDirectory("VBA")
    storage.set_created(date)
    storage.set_modified(date)
    root.add_directory(storage)
    for index, (name, content) in enumerate(streams.items()):
        path = f"stream{index}.bin"
        Path(path).write_bytes(content)
        folder, _, leaf = name.rpartition("/")
        (storage if folder == "VBA" else root).add_directory(StreamDirectory(leaf, path))
    ole = OleFile()
    ole._fat_chain = _WholeFat(ole._fat_chain.get_sector_size())
    ole.root_directory = root
    ole.create_file("vbaProject.bin")
    data = Path("vbaProject.bin").read_bytes()
    _verify(data, streams)
    return data


def _verify(data: bytes, expected: Mapping[str, bytes]) -> None:
    # An independent parser reads every stream back: a writer bug must fail the build, never ship a workbook
    # Excel calls corrupt.
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            found = {"/".join(entry): ole.openstream(entry).read() for entry in ole.listdir()}
    except Exception as exc:  # olefile raises several unrelated types for malformed input
        raise RuntimeError(f"ms-cfb produced an unreadable vbaProject.bin: {exc}") from exc
    if found != dict(expected):
        bad = sorted(name for name in set(found) | set(expected) if found.get(name) != expected.get(name))
        raise RuntimeError(f"ms-cfb wrote a corrupt vbaProject.bin ({len(data)} bytes; streams {bad} differ).")
