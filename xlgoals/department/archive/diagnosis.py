"""Why an archive could not be opened or written: busy, unwritable (full, read-only, no permission) or damaged.

Only a file that fails its own integrity check is called damaged, and only then is a backup suggested: on a
full disk or read-only storage the archive is sound, and restoring an older copy would lose what was added
since. DuckDB reports an operating-system failure as text (its strerror), so the reason is also probed at
the file itself (open it for writing, the disk's free space) rather than guessed.
"""

from __future__ import annotations

import errno
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from xlgoals.core.oserrors import os_reason

if TYPE_CHECKING:
    import duckdb

T = TypeVar("T")

# How long a reader (validate --history, list, sql, export) or a second writer waits for a running add, which
# holds the archive's file lock until it commits; XLGOALS_ARCHIVE_WAIT (seconds) sets it otherwise.
LOCK_WAIT = 15.0
_OS_ERRORS: tuple[int, ...] = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS, errno.EACCES)
_OS_ERRORS += (errno.EPERM, errno.ENAMETOOLONG, errno.EIO, errno.ENOENT)
_PID = re.compile(r"\(PID (\d+)\)")
DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def lock_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("XLGOALS_ARCHIVE_WAIT", LOCK_WAIT)))
    except ValueError:
        return LOCK_WAIT


def is_locked(e: BaseException) -> bool:
    return "lock" in str(e).lower()


def waiting_for_lock(attempt: Callable[[], T]) -> T:
    """`attempt()` again while another process holds the archive's lock, for at most lock_wait() seconds."""
    import duckdb

    deadline = time.monotonic() + lock_wait()
    while True:
        try:
            return attempt()
        except duckdb.Error as e:
            if not is_locked(e) or time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def holder(e: BaseException) -> str:
    """'进程 123（xlgoals archive add 各单位/）': who holds the lock, as DuckDB names it."""
    found = _PID.search(str(e))
    if found is None:
        return "另一个程序"
    pid = found.group(1)
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        words = [os.fsdecode(w) for w in raw if w]
        # `python …/bin/xlgoals archive add …` reads best from the command on.
        start = next((i for i, w in enumerate(words) if Path(w).name == "xlgoals"), 0)
        command = " ".join([Path(words[start]).name, *words[start + 1 :]])[:120]
        return f"进程 {pid}（{command}）"
    except (OSError, IndexError):
        return f"进程 {pid}"


def os_errno(e: BaseException) -> int | None:
    """The operating-system error a DuckDB message carries, by its strerror text."""
    text = str(e)
    return next((code for code in _OS_ERRORS if os.strerror(code) in text), None)


def probe(path: str) -> OSError | None:
    """What the operating system says to writing this archive (or creating it): None when it would work."""
    target = Path(path)
    try:
        if target.exists():
            os.close(os.open(target, os.O_RDWR))
        folder = target.parent if str(target.parent) else Path(".")
        st = os.statvfs(folder) if hasattr(os, "statvfs") else None
        if st is not None and st.f_bavail == 0:
            return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
        if not target.exists() and not os.access(folder, os.W_OK):
            return OSError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
    except OSError as e:
        return e
    return None


def intact(path: str) -> bool:
    """The archive's own integrity check: a DuckDB file that opens read-only and reads its tables' catalogue."""
    import duckdb

    try:
        with open(path, "rb") as f:
            if f.read(12)[8:12] != DUCKDB_MAGIC:
                return False
        con = duckdb.connect(path, read_only=True)
    except OSError:
        return False
    except duckdb.Error as e:
        return is_locked(e)  # busy, not broken
    try:
        con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()
        return True
    except duckdb.Error:
        return False
    finally:
        con.close()


def _os_code(e: BaseException, path: str, writing: bool) -> int | None:
    code = os_errno(e)
    if code is None and writing:
        probed = probe(path)
        code = probed.errno if probed is not None else None
    return code


def open_failed(path: str, e: duckdb.Error, writing: bool) -> str:
    """Why the archive could not be opened, and what to do: the message an ArchiveError carries."""
    if is_locked(e):
        return (
            f"历史库正被{holder(e)}使用，已等待 {lock_wait():g} 秒仍未结束。"
            "请等该程序运行完（存入大量文件需要几分钟）后再试；可用环境变量 XLGOALS_ARCHIVE_WAIT 设定等待的秒数。"
        )
    code = _os_code(e, path, writing)
    if code is not None:
        r = os_reason(OSError(code, os.strerror(code)))
        sound = "历史库文件本身完好，可以查询。" if Path(path).exists() and intact(path) else ""
        doing = "写入" if writing else "打开"
        return f"无法{doing}历史库：{r.reason}。{sound}{r.advice}（或用 --db 指定可写位置的历史库）。"
    if Path(path).exists() and not intact(path):
        return "文件已损坏或不是 DuckDB 数据库（完整性检查未通过），无法打开；请检查路径，若路径无误请从备份恢复。"
    return f"历史库无法打开（{type(e).__name__}: {str(e)[:200]}）。历史库文件本身完好，请稍后重试。"


def write_failed(path: str, e: BaseException, new: bool = False) -> str:
    """Why storing failed once the run was under way (rolled back), and the archive's state after it; `new`
    for an archive this run was creating (under a temporary name, now removed)."""
    code = _os_code(e, path, True)
    if new:
        state = "历史库没有建立，未留下任何文件。"
    elif intact(path):
        state = "本次存入已全部撤销，历史库保持原样（之前存入的内容都在）。"
    else:
        state = "历史库未通过完整性检查，可能已损坏：请从备份恢复。"
    if code is not None:
        r = os_reason(OSError(code, os.strerror(code)))
        return f"无法写入历史库：{r.reason}。{state}{r.advice}，再重新运行。"
    return f"写入历史库时出错（{type(e).__name__}: {str(e)[:200]}）。{state}"
