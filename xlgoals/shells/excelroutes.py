"""The server's routes for Excel's own clients: RunServerPython's calls, the task pane with its files, the guard.

`mount` adds them to the app `shells.server.create_app` builds; both kinds of call run the same entry points
(`xlgoals.excel`) through the app's one `run` (the remote engine, bounded by its gate).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import xlwings as xw
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from xlgoals.shells.access import Guard
from xlgoals.shells.addin import (
    STATIC_PREFIX,
    WEB_ENTRIES,
    alert_html,
    caption,
    client_files,
    manifest_xml,
    taskpane_html,
)
from xlgoals.shells.vbacalls import as_engine_payload, parse_vba_json, vba_answer, version_problem

log = logging.getLogger("xlgoals.shells.excelroutes")

Run = Callable[[str, dict[str, Any]], dict[str, Any]]
NOT_JSON = "服务器收到的内容不是 Excel 按钮发出的工作簿数据，请在工作簿中重新点击按钮。"


def mount(app: FastAPI, run: Run, token: str | None) -> None:
    """Add the routes, the static client files and the token/origin guard to `app`."""
    static = client_files()
    if static is not None:
        app.mount(STATIC_PREFIX, StaticFiles(directory=static), name="xlwings-client")
    else:
        log.warning("xlwings-server is not installed: the task pane cannot load its client")
    app.add_middleware(Guard, token=token)

    @app.post("/xlwings/vba/{entry}")
    async def vba_call(entry: str, request: Request) -> Response:
        """A button's RunServerPython: Remote.bas shows any answer but actions as text in a message box."""
        if entry not in WEB_ENTRIES:
            choices = "、".join(caption(name) for name in WEB_ENTRIES)
            return _text(404, f"服务器上没有这个操作（{entry[:40]}）；可用的按钮：{choices}。")
        try:
            payload = parse_vba_json(await request.body())
        except (ValueError, RecursionError):
            return _text(400, NOT_JSON)
        if not isinstance(payload, dict):
            return _text(422, NOT_JSON)
        problem = version_problem(payload, xw.__version__)
        if problem:
            return _text(422, problem)
        try:
            actions = await run_in_threadpool(run, entry, as_engine_payload(payload))
        except HTTPException as e:  # the engine's own refusals, Chinese already
            return _text(e.status_code, str(e.detail))
        return Response(vba_answer(actions), media_type="application/json")

    @app.get("/taskpane.html", response_class=HTMLResponse)
    def taskpane(request: Request) -> str:
        return taskpane_html(static, _app_path(request), token_required=token is not None)

    @app.get("/xlwings/alert", response_class=HTMLResponse)
    def alert(request: Request, prompt: str = "", title: str = "xlgoals", callback: str = "") -> str:
        return alert_html(static, _app_path(request), prompt, title, callback)

    @app.get("/xlwings/custom-scripts-meta.json")
    def scripts_meta() -> list[dict[str, str]]:
        return [{"function_name": name, "caption": caption(name)} for name in WEB_ENTRIES]

    @app.get("/manifest.xml")
    def manifest(request: Request) -> Response:
        return Response(manifest_xml(str(request.base_url)), media_type="application/xml")


def _app_path(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _text(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status)
