"""Optional dependencies: a Chinese message naming the extra to install when one is missing."""

from __future__ import annotations

import importlib.util

from xlgoals.core.errors import XlgoalsError

# Which extra of pyproject.toml brings each optional module; a unit's PC installs none of them.
EXTRA_OF = {
    "pyarrow": "department",
    "pandas": "department",
    "fastapi": "server",
    "uvicorn": "server",
    "python_multipart": "server",
    "xlwings_server": "server",
}


class MissingExtraError(XlgoalsError):
    code = "install.missing-extra"


def require(*modules: str, purpose: str) -> None:
    """Refuse before any work starts when `purpose` needs a module this install left out."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        extra = EXTRA_OF[missing[0]]
        raise MissingExtraError(
            f"{purpose}需要 {'、'.join(missing)}，本机的 xlgoals 是精简安装（单位电脑不需要它们）。"
            f'请在部门电脑上运行：pip install "xlgoals[{extra}]"'
        )
