"""A real uvicorn server for an app, on a free port of this machine, for as long as a `with` block lasts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

WAIT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Yields the server's origin, e.g. http://127.0.0.1:40123; the server stops when the block ends."""
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{srv.config.port}"
    finally:
        srv.should_exit = True
        thread.join(WAIT)


def upload(origin: str, path: Path, authorization: str) -> httpx.Response:
    """The upload page's one-workbook check (POST /api/check), with the department's token."""
    with path.open("rb") as f:
        return httpx.post(
            f"{origin}/api/check",
            files={"files": (path.name, f.read())},
            headers={"Authorization": authorization},
            timeout=120,
        )
