"""The department's token: read from its file, given to the template, checked by the server in constant time."""

from __future__ import annotations

import hmac
import re
from pathlib import Path

from xlgoals.core.errors import XlgoalsError

# Printable ASCII without spaces, so it travels unchanged in an HTTP header and an xlwings.conf cell.
_TOKEN = re.compile(r"[!-~]{16,256}")
MAKE_ONE = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))" > 文件'


def read_token_file(path: Path) -> str:
    """The token in `path` (one line), or a Chinese refusal that never repeats the file's content."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise XlgoalsError("口令文件不存在。", file=str(path)) from None
    except PermissionError:
        raise XlgoalsError("没有读取口令文件的权限（以运行本命令的用户身份）。", file=str(path)) from None
    except (OSError, UnicodeDecodeError):
        raise XlgoalsError("无法读取口令文件（不是 UTF-8 文本，或不是普通文件）。", file=str(path)) from None
    if not _TOKEN.fullmatch(text):
        raise XlgoalsError(
            f"口令文件应只有一行口令：16–256 个字母、数字或符号，不含空格和汉字。可这样生成：{MAKE_ONE}",
            file=str(path),
        )
    return text


def authorization(token: str) -> str:
    """The Authorization header value the buttons and the pane send."""
    return f"Bearer {token}"


def matches(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries `token` ("Bearer <token>", or the token alone as xlwings'
    AUTH setting may hold it), compared in constant time."""
    given = (header or "").strip()
    if given[:7].lower() == "bearer ":
        given = given[7:].strip()
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("ascii"))
