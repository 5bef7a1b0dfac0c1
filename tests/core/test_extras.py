"""core/extras.py: a command that needs an extra a lean install left out says which, in Chinese, before any work."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from xlgoals.core import extras
from xlgoals.core.errors import XlgoalsError


def test_nothing_missing_is_no_error() -> None:
    extras.require("pyarrow", "fastapi", purpose="汇总")  # the dev install has every extra


def test_a_missing_module_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def lean(name: str, *args: Any) -> Any:
        return None if name in ("fastapi", "uvicorn") else real(name, *args)

    monkeypatch.setattr(extras.importlib.util, "find_spec", lean)
    with pytest.raises(extras.MissingExtraError) as caught:
        extras.require("pyarrow", "fastapi", "uvicorn", purpose="网页服务")
    message = str(caught.value)
    assert message.startswith("网页服务需要 fastapi、uvicorn，") and 'pip install "xlgoals[server]"' in message
    assert "pyarrow" not in message  # only what is missing
    assert isinstance(caught.value, XlgoalsError) and caught.value.code == "install.missing-extra"


def test_every_extra_named_is_one_pyproject_declares() -> None:
    import tomllib

    from tests.builders.paths import ROOT

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert set(extras.EXTRA_OF.values()) <= set(declared)
