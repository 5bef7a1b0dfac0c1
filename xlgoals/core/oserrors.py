"""What the operating system said, in Chinese: the reason of an OSError and what to do about it."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass

from xlgoals.core.errors import XlgoalsError

# Windows reports a file another program holds open as a sharing or lock violation (winerror 32, 33),
# which Python maps to PermissionError: it is "in use", not "no permission".
_WIN_IN_USE = {32, 33}

FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


@dataclass(frozen=True)
class OsReason:
    """An errno as a person reads it: what is wrong, what to do; `server` when it is the machine's fault."""

    reason: str
    advice: str
    server: bool = True


_REASONS: dict[int, OsReason] = {
    errno.ENOSPC: OsReason("磁盘空间不足", "请清理该磁盘上的文件，或改存到空间充足的位置后重试"),
    errno.EROFS: OsReason("存储为只读", "请改存到可写的文件夹（只读的光盘、共享或被设为只读的磁盘不能写入）"),
    errno.EACCES: OsReason("没有权限", "请检查该文件或文件夹的权限，或改用有权限的位置", server=False),
    errno.EPERM: OsReason("没有权限", "请检查该文件或文件夹的权限，或改用有权限的位置", server=False),
    errno.ENAMETOOLONG: OsReason("文件名过长", "请缩短文件名或所在文件夹的路径后重试", server=False),
    errno.EBUSY: OsReason("文件被占用", "文件可能正被 Excel/WPS 或其他程序打开，请关闭后重试"),
    errno.ETXTBSY: OsReason("文件被占用", "文件可能正被其他程序使用，请关闭后重试"),
    errno.ENOENT: OsReason("找不到文件或文件夹", "请检查路径是否正确、共享是否仍可访问", server=False),
    errno.ENOTDIR: OsReason("路径中的某一级不是文件夹", "请检查路径", server=False),
    errno.EISDIR: OsReason("这是一个文件夹", "请给出文件的路径", server=False),
    errno.EFBIG: OsReason("文件超过系统允许的大小", "请改存到其他磁盘，或请管理员放宽文件大小限制"),
    errno.EIO: OsReason("磁盘读写出错", "请检查磁盘或网络共享是否正常，再重试"),
    errno.EMFILE: OsReason("同时打开的文件过多", "请稍后重试，或请管理员提高打开文件数的上限"),
    errno.ENFILE: OsReason("同时打开的文件过多", "请稍后重试，或请管理员提高打开文件数的上限"),
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = OsReason("磁盘配额已用完", "请清理您在该磁盘上的文件，或请管理员提高配额")


def os_reason(e: OSError) -> OsReason:
    """The Chinese reason and advice for an OSError (its errno; Windows' in-use errors included)."""
    if getattr(e, "winerror", None) in _WIN_IN_USE:
        return _REASONS[errno.EBUSY]
    found = _REASONS.get(e.errno or 0)
    if found is not None:
        return found
    text = e.strerror or type(e).__name__
    return OsReason(f"系统错误：{text}", "请检查该位置是否可以访问，再重试")


def is_full(e: BaseException) -> bool:
    """A full disk or an exhausted quota."""
    return isinstance(e, OSError) and e.errno in FULL


def describe(e: OSError, doing: str = "读写") -> str:
    """'无法写入：磁盘空间不足。请清理…' — the file is named by the error that carries this text."""
    r = os_reason(e)
    return f"无法{doing}：{r.reason}。{r.advice}。"


class OsFault(XlgoalsError):
    """A file that could not be read or written because of the machine (a full disk, read-only storage,
    no permission, a name too long, a file in use), with the errno kept so a server can tell its own fault
    from its client's."""

    code = "os.error"

    def __init__(self, e: OSError, path: str | os.PathLike[str] | None, doing: str = "读写") -> None:
        self.errno = e.errno
        self.reason = os_reason(e)
        super().__init__(describe(e, doing), file=os.fspath(path) if path is not None else None)

    @property
    def full(self) -> bool:
        return self.errno in FULL


def fault(e: OSError, path: str | os.PathLike[str] | None = None, doing: str = "读写") -> OsFault:
    """An OSError as an OsFault naming `path` (else the file the error names)."""
    if path is None and isinstance(e.filename, str | os.PathLike):
        path = e.filename
    return OsFault(e, path, doing)
