"""shells/cli/serve.py: `xlgoals serve` starts the app with the limits and the token asked for (read from a file,
never the command line); a token file that cannot be used stops it in Chinese before it listens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from xlgoals.shells.cli import app
from xlgoals.shells.cli.serve import serve


def test_the_app_is_started_as_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda served, **options: started.update(app=served, **options))
    token = tmp_path / "token"
    token.write_text("a-department-token-0123456789\n", encoding="utf-8")
    token.chmod(0o600)
    done = CliRunner().invoke(app, ["serve", "--port", "8123", "--queue", "5", "--token-file", str(token)])
    assert done.exit_code == 0, done.output
    assert (started["host"], started["port"]) == ("127.0.0.1", 8123)
    client = TestClient(started["app"])
    assert client.get("/").status_code == 200
    assert client.post("/xlwings/vba/validate_all", json={}).status_code in (401, 403)  # the token is asked for
    assert serve.__doc__ and "网页服务" in serve.__doc__


def test_an_unusable_token_file_stops_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("started without its token"))
    done = CliRunner().invoke(app, ["serve", "--token-file", str(tmp_path / "没有这个文件")])
    assert done.exit_code == 2 and "没有这个文件" in done.output
