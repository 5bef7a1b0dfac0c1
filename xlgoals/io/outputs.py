"""Where results are written: never over an input, atomically, with the permissions a new file gets."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from xlgoals.core.errors import (
    XlgoalsError,
)


def check_output(
    target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = (), *, folder: bool = False
) -> None:
    """Refuse an output path that cannot be written as asked, or that is one of the inputs (hard and
    symbolic links included): a Chinese XlgoalsError naming the path, before any work is done."""
    path = Path(target)
    shown = str(target)
    kind = "文件夹" if folder else "文件"
    try:
        st: os.stat_result | None = path.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        st = None  # an ancestor is a file: reported below
    except OSError as e:
        raise XlgoalsError(f"无法访问输出路径（{e.strerror or e}）。", file=shown) from None
    if st is not None:
        if folder and not stat.S_ISDIR(st.st_mode):
            raise XlgoalsError("这里需要一个文件夹，但该路径已是一个文件；请另给一个文件夹路径。", file=shown)
        if not folder and stat.S_ISDIR(st.st_mode):
            raise XlgoalsError("输出路径是一个文件夹；请给出文件名，例如 结果.xlsx。", file=shown)
        if not folder and not stat.S_ISREG(st.st_mode):
            raise XlgoalsError("输出路径不是普通文件（是管道或设备），不能写入；请另选输出路径。", file=shown)
    parent = path.parent
    while True:
        try:
            if not stat.S_ISDIR(parent.stat().st_mode):
                raise XlgoalsError(
                    f"输出{kind}的上级路径 {parent} 是一个文件，不是文件夹；请另选输出路径。", file=shown
                )
            break
        except (FileNotFoundError, NotADirectoryError):
            if parent.parent == parent:
                break
            parent = parent.parent
        except OSError as e:
            raise XlgoalsError(f"无法访问输出路径（{e.strerror or e}）。", file=shown) from None
    if st is None or folder:
        return
    for given in inputs:
        try:
            same = os.path.samefile(given, path)
        except OSError:
            continue
        if same:
            raise XlgoalsError(
                f"输出文件就是输入文件 {given}（或指向它的链接），不能覆盖输入；请另选输出路径。", file=shown
            )


def _new_file_mode() -> int:
    """What open() would give a new file under the process umask (mkstemp's 0600 would hide outputs)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temp path beside `path`, renamed over it only when the block succeeds: no half-written outputs."""
    target = Path(path)
    check_output(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    except OSError as e:
        raise XlgoalsError(f"无法在该位置创建输出文件（{e.strerror or e}）。", file=str(target)) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        tmp_path.chmod(_new_file_mode())
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)
