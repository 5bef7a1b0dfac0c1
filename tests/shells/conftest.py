"""The shells' fixtures: `xlgoals serve`'s app on a free port, a real browser, the Subs a VBA button can call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.builders.browser import chromium
from tests.builders.liveserver import serving
from tests.builders.remote_bas import vba_subs_of
from xlgoals.macro.xlsm import write_xlsm_template
from xlgoals.shells.server import create_app


@pytest.fixture(scope="module")
def page_server() -> Iterator[str]:
    """The upload page's address, served by the real app on a free port."""
    with serving(create_app()) as origin:
        yield origin + "/"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """A headless chromium and the folder its downloads land in."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with chromium(downloads) as driver:
        yield driver, downloads


@pytest.fixture(scope="module")
def vba_subs(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every Sub Application.Run can call with (wb, action): Remote.bas' and ours, read from a generated .xlsm."""
    xlsm = tmp_path_factory.mktemp("xlsm") / "模板.xlsm"
    write_xlsm_template(xlsm)
    return vba_subs_of(xlsm)
