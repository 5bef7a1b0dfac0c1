"""Where results are written: never over an input, atomically, with the permissions a new file gets."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from xlgoals.core.errors import XlgoalsError
from xlgoals.core.oserrors import fault
from xlgoals.io import janitor

# Temporary outputs are made beside their target (an atomic rename needs the same file system) under a name no
# input walk reads (department/consolidate/inputs.py: is_temp_name) and that says what it is where dot-names are not
# hidden (Windows): `.~xlgoals-<pid>-<random>.tmp`, with the target's extension after it where a writer needs
# one (`….tmp.xlsm`); a DuckDB archive's write-ahead log `….tmp.wal` beside it.
# The janitor removes them if the run is killed; a machine that lost power leaves them to the next start's sweep.
TEMP_PREFIX = ".~xlgoals-"
_TEMP_NAME = re.compile(r"\.~xlgoals-(\d+)-[0-9a-f]+\.tmp(\.[A-Za-z0-9]{1,8})?")


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
        raise fault(e, shown, "访问输出路径") from None
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
            raise fault(e, shown, "访问输出路径") from None
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


def is_temp_name(name: str) -> bool:
    """A temporary output of ours (a run's, or one a killed run left): never an input, never a result."""
    return _TEMP_NAME.fullmatch(name) is not None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # no cheap, safe test on Windows: a leftover there waits for the janitor
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep(folder: str | os.PathLike[str]) -> None:
    """Remove temporary outputs in `folder` whose run is gone (the janitor's work, for a machine that lost
    power or a janitor that was killed too)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        m = _TEMP_NAME.fullmatch(entry.name)
        if m is None or _alive(int(m.group(1))):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


@contextmanager
def temp_beside(target: str | os.PathLike[str], *, folder: bool = False, keep_suffix: bool = False) -> Iterator[Path]:
    """A new temporary file (or folder) beside `target`, removed after the block unless it was renamed away;
    removed by the janitor if this process is killed. OsFault naming `target` when it cannot be made."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep(target.parent)
        while True:
            suffix = target.suffix if keep_suffix and re.fullmatch(r"\.[A-Za-z0-9]{1,8}", target.suffix) else ""
            tmp = target.parent / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}.tmp{suffix}"
            janitor.track(tmp)  # before it exists: a kill between the two leaves nothing the janitor misses
            try:
                if folder:
                    tmp.mkdir()
                else:
                    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                break
            except FileExistsError:
                janitor.release(tmp)
    except OSError as e:
        raise fault(e, target, "在该位置创建文件") from None
    try:
        yield tmp
    finally:
        if folder:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        janitor.release(tmp)


def place(tmp: Path, target: str | os.PathLike[str]) -> None:
    """Rename a finished temporary output over its target: OsFault naming the target when that fails."""
    try:
        os.replace(tmp, target)
    except OSError as e:
        raise fault(e, target, "写入") from None


@contextmanager
def atomic_output(path: str | os.PathLike[str], *, keep_suffix: bool = False) -> Iterator[Path]:
    """A temp path beside `path`, renamed over it only when the block succeeds: no half-written outputs. An
    OSError while writing it (a full disk, a read-only folder) is an OsFault naming `path`, never the temp.
    `keep_suffix` for a writer that judges its output by the extension."""
    target = Path(path)
    check_output(target)
    with temp_beside(target, keep_suffix=keep_suffix) as tmp_path:
        try:
            tmp_path.chmod(_new_file_mode())
            yield tmp_path
        except OSError as e:
            if e.filename not in (None, str(tmp_path), tmp_path):
                raise  # about another file (an input being read): its own message names it
            raise fault(e, target, "写入") from None
        place(tmp_path, target)
