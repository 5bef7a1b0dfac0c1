"""The web app: an upload page for desks without Python, and the xlwings Server calls Excel on the web makes."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, Literal

# The remote engine registers only if a key is set when xlwings is first imported; government units
# qualify for the non-commercial key. A deployment's own key in the environment wins.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import anyio
import xlwings as xw
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from xlgoals import __version__, excel
from xlgoals.io.janitor import temp_folder
from xlgoals.shells import excelroutes
from xlgoals.shells.addin import WEB_ENTRIES, caption
from xlgoals.shells.intake import (
    BodyLimit,
    ClientGone,
    RequestRefused,
    answer_or_gone,
    drain,
    refuse,
    save_uploads,
    server_fault,
    uploads_of,
)
from xlgoals.shells.uploads import MB, UNEXPECTED, Limits, QueueFull, Workers
from xlgoals.workers.pool import TaskTimeout

log = logging.getLogger("xlgoals.shells.server")

WEB_FILES = ("index.html", "web.js", "web.css")


# --- HTTP ---------------------------------------------------------------------------------------------------

_STATUS_ZH = {
    400: "请求无法处理。",
    404: "找不到这个地址。",
    405: "这个地址不支持这种请求方式。",
    413: "上传的内容太大。",
    422: "请求的内容不符合要求。",
}


def _answer(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


# What xlwings' remote engine reads from a payload without checking it; the rest passes through as sent.
class _NameIn(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    name: str
    book_scope: bool
    sheet_index: int | None = None
    scope_sheet_index: int | None = None
    address: str | None = None


class _NoteIn(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    address: str


class _SheetIn(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    name: str = Field(min_length=1, max_length=31)
    values: list[list[str | int | float | bool | None]]
    visibility: Literal["Visible", "Hidden", "VeryHidden"] | None = None
    notes: list[_NoteIn] = []
    pictures: list[dict[str, Any]] = []
    tables: list[dict[str, Any]] = []


class _BookIn(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    name: str = Field(min_length=1)
    active_sheet_index: int = Field(ge=0)
    selection: str | None = None


class _PayloadIn(BaseModel):
    """What xlwings' Excel client sends: checked before the remote engine sees it, which trusts its shape."""

    model_config = ConfigDict(extra="allow", strict=True)

    client: str
    version: str
    book: _BookIn
    names: list[_NameIn]
    sheets: list[_SheetIn] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> _PayloadIn:
        if self.book.active_sheet_index >= len(self.sheets):
            raise ValueError("book.active_sheet_index")
        if self.client == "Office.js" and any(s.visibility is None for s in self.sheets):
            raise ValueError("sheets.visibility")
        return self


BAD_PAYLOAD = "Excel 发来的工作簿数据不完整或格式不对"


def parse_payload(body: bytes) -> dict[str, Any]:
    """The JSON body of an Excel-on-the-web call, or a Chinese refusal naming what is wrong."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise refuse(400, "请求的内容不是有效的 JSON；请在 Excel 中点击 xlgoals 加载项的按钮。") from None
    if not isinstance(payload, dict):
        raise refuse(422, f"{BAD_PAYLOAD}（应为一个对象）。")
    try:
        _PayloadIn.model_validate(payload)
    except ValidationError as e:
        where = ".".join(str(part) for part in e.errors()[0]["loc"]) or "sheets"
        raise refuse(422, f"{BAD_PAYLOAD}（{where[:80]}）；请在 Excel 中重新点击按钮。") from None
    return payload


def _entries() -> dict[str, Callable[..., None]]:
    return {name: getattr(excel, name) for name in WEB_ENTRIES}


def run_script(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Build the book from the client's payload, run the entry, return the actions for Excel to apply."""
    entry = _entries().get(name)
    if entry is None:
        raise refuse(404, f"没有名为“{name[:40]}”的操作；可用的操作：{'、'.join(WEB_ENTRIES)}。")
    try:
        book = xw.Book(json=payload)
    except Exception as e:  # the remote engine's own checks (e.g. a VBA client of another xlwings version)
        log.warning("xlwings refused a payload: %s", e)
        raise refuse(422, f"{BAD_PAYLOAD}，或客户端的 xlwings 版本与服务器（{xw.__version__}）不一致。") from None
    try:
        entry(book)
        actions: dict[str, Any] = book.json()
        return actions
    finally:
        book.close()


def _web_file(name: str) -> str:
    return resources.files("xlgoals.shells").joinpath("web", name).read_text(encoding="utf-8")


def create_app(limits: Limits | None = None, token: str | None = None) -> FastAPI:
    limits = limits or Limits()
    workers = Workers(limits)
    xlwings_gate = threading.BoundedSemaphore(limits.jobs)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(workers.warm)
        yield
        workers.close()

    app = FastAPI(title="xlgoals", version=__version__, lifespan=lifespan)
    app.add_middleware(BodyLimit, limits=limits)
    app.state.workers = workers

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc, RequestRefused) else _STATUS_ZH.get(exc.status_code, "请求无法处理。")
        return JSONResponse({"detail": str(message)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Never a 500 to a client: a full disk is 507, any other fault of the server's 503, in Chinese. A bug's
        # traceback stays in the log (the server logs what escapes to here).
        if isinstance(exc, OSError):
            refused = server_fault(exc, "处理请求")
            return _answer(refused.status_code, str(refused.detail))
        return _answer(503, UNEXPECTED)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _answer(422, _STATUS_ZH[422])

    async def work(request: Request, most: int, many: bool) -> Response:
        try:
            with workers.admitted():
                return await admitted_work(request, most, many)
        except QueueFull as full:
            await drain(request)  # a client still sending would see a reset connection, not the answer
            raise refuse(
                429,
                f"服务器正忙（{full.admitted} 个上传正在处理或排队），请稍后重试（约 {full.retry_after} 秒后）。",
                {"Retry-After": str(full.retry_after)},
            ) from None
        except ClientGone as gone:
            who = request.client.host if request.client else "?"
            log.warning("客户端 %s 在%s断开连接，已停止处理。", who, gone.args[0] if gone.args else "上传中途")
            return Response(status_code=499)

    async def admitted_work(request: Request, most: int, many: bool) -> JSONResponse:
        form, uploads = await uploads_of(request, limits, most)
        try:
            with temp_folder("xlgoals-web-") as tmp:
                folder = tmp / "上传"
                folder.mkdir()
                names = await run_in_threadpool(save_uploads, uploads, folder)
                await form.close()
                answer = await answer_or_gone(request, workers, folder, names, many)
        except OSError as e:  # the request's folder (the server's temporary folder), not the client's file
            raise server_fault(e, "保存上传的文件") from None
        except TaskTimeout:
            raise refuse(503, f"处理超过 {limits.seconds} 秒仍未完成，请减少文件数量后重试。") from None
        finally:
            await form.close()
        if "error" in answer:
            raise refuse(int(answer.get("status", 422)), str(answer["error"]))
        # Plain JSON already: skip FastAPI's re-encoding walk over megabytes of base64.
        return JSONResponse(answer)

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return (
            _web_file("index.html")
            .replace("{{FILE_MB}}", str(limits.file_bytes // MB))
            .replace("{{FILES}}", str(limits.files))
        )

    @app.get("/web/{name}")
    def web_file(name: str) -> Response:
        if name not in WEB_FILES:
            raise refuse(404, _STATUS_ZH[404])
        kind = {"css": "text/css", "js": "text/javascript", "html": "text/html"}[name.rsplit(".", 1)[1]]
        return Response(_web_file(name), media_type=f"{kind}; charset=utf-8")

    @app.post("/api/check")
    async def api_check(request: Request) -> Response:
        return await work(request, 1, many=False)

    @app.post("/api/summary")
    async def api_summary(request: Request) -> Response:
        return await work(request, limits.files, many=True)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/xlwings/custom-scripts-meta")
    def scripts_meta() -> list[dict[str, str]]:
        return [{"function_name": name, "caption": caption(name)} for name in WEB_ENTRIES]

    def gated(name: str, payload: dict[str, Any]) -> dict[str, Any]:
        with xlwings_gate:
            return run_script(name, payload)

    @app.post("/xlwings/custom-scripts-call/{script_name}")
    async def scripts_call(script_name: str, request: Request) -> dict[str, Any]:
        if script_name not in WEB_ENTRIES:
            return run_script(script_name, {})  # the 404 with the list of operations
        payload = parse_payload(await request.body())
        return await run_in_threadpool(gated, script_name, payload)

    # The buttons' RunServerPython route, the task pane and the token/origin guard.
    excelroutes.mount(app, gated, token)
    return app
