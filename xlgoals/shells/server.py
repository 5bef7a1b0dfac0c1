"""The web app: an upload page for desks without Python, and the xlwings Server calls Excel on the web makes."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Literal

# The remote engine registers only if a key is set when xlwings is first imported; government units
# qualify for the non-commercial key. A deployment's own key in the environment wins.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import anyio
import xlwings as xw
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xlgoals import __version__, excel
from xlgoals.shells import excelroutes
from xlgoals.shells.addin import WEB_ENTRIES, caption
from xlgoals.shells.uploads import MB, Limits, Workers

log = logging.getLogger("xlgoals.shells.server")

WEB_FILES = ("index.html", "web.js", "web.css")


class RequestRefused(HTTPException):
    """A request the app will not work on; `detail` is the Chinese message the page shows."""


def _refuse(status: int, message: str) -> RequestRefused:
    return RequestRefused(status_code=status, detail=message)


def _safe_name(raw: str | None, taken: set[str]) -> str:
    """The uploaded file's own name (messages and the 台账 show it), made safe to create in a folder."""
    name = Path((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '/:*?"<>|').strip().lstrip(".")
    stem, suffix = os.path.splitext(name or "工作簿.xlsx")
    stem, suffix = stem[:100] or "工作簿", suffix[:10]
    candidate, n = f"{stem}{suffix}", 2
    while candidate.lower() in taken:
        candidate, n = f"{stem} ({n}){suffix}", n + 1
    taken.add(candidate.lower())
    return candidate


def _save_uploads(uploads: list[UploadFile], folder: Path) -> list[str]:
    taken: set[str] = set()
    names = []
    for upload in uploads:
        name = _safe_name(upload.filename, taken)
        upload.file.seek(0)
        with (folder / name).open("xb") as out:
            shutil.copyfileobj(upload.file, out, MB)
        names.append(name)
    return names


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


class _BodyLimit:
    """Refuse a request body past its limit, declared or not, before the app holds it all."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = str(scope["path"]).startswith("/api/")
        limit = self.limits.upload_bytes if upload else self.limits.json_bytes
        message = (
            f"上传的内容超过 {limit // MB} MB 的上限，请分批上传。" if upload else f"请求超过 {limit // MB} MB 的上限。"
        )
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _answer(413, message)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            msg = await receive()
            received += len(msg.get("body", b""))
            if received > limit:
                raise _refuse(413, message)
            return msg

        await self.app(scope, counted, send)


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
        raise _refuse(400, "请求的内容不是有效的 JSON；请在 Excel 中点击 xlgoals 加载项的按钮。") from None
    if not isinstance(payload, dict):
        raise _refuse(422, f"{BAD_PAYLOAD}（应为一个对象）。")
    try:
        _PayloadIn.model_validate(payload)
    except ValidationError as e:
        where = ".".join(str(part) for part in e.errors()[0]["loc"]) or "sheets"
        raise _refuse(422, f"{BAD_PAYLOAD}（{where[:80]}）；请在 Excel 中重新点击按钮。") from None
    return payload


def _entries() -> dict[str, Callable[..., None]]:
    return {name: getattr(excel, name) for name in WEB_ENTRIES}


def run_script(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Build the book from the client's payload, run the entry, return the actions for Excel to apply."""
    entry = _entries().get(name)
    if entry is None:
        raise _refuse(404, f"没有名为“{name[:40]}”的操作；可用的操作：{'、'.join(WEB_ENTRIES)}。")
    try:
        book = xw.Book(json=payload)
    except Exception as e:  # the remote engine's own checks (e.g. a VBA client of another xlwings version)
        log.warning("xlwings refused a payload: %s", e)
        raise _refuse(422, f"{BAD_PAYLOAD}，或客户端的 xlwings 版本与服务器（{xw.__version__}）不一致。") from None
    try:
        entry(book)
        actions: dict[str, Any] = book.json()
        return actions
    finally:
        book.close()


def _web_file(name: str) -> str:
    return resources.files("xlgoals.shells").joinpath("web", name).read_text(encoding="utf-8")


async def _uploads(request: Request, limits: Limits, most: int) -> tuple[Any, list[UploadFile]]:
    try:
        form = await request.form(max_files=most, max_fields=10)
    except RequestRefused:
        raise
    except StarletteHTTPException as e:
        if "Too many files" in str(e.detail):
            raise _refuse(413, f"一次最多上传 {most} 个工作簿，请分批上传。") from None
        raise _refuse(400, "无法读取上传的内容，请重新选择文件后再试。") from None
    files = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
    try:
        if not files:
            raise _refuse(400, "请选择要上传的工作簿（.xlsx 或 .xlsm）。")
        if len(files) > most:
            raise _refuse(413, f"一次最多上传 {most} 个工作簿，请分批上传。")
        for f in files:
            if f.size is not None and f.size > limits.file_bytes:
                raise _refuse(
                    413,
                    f"文件 {f.filename}：大小 {f.size / MB:.1f} MB，超过每个文件 {limits.file_bytes // MB} MB 的上限。",
                )
    except RequestRefused:
        await form.close()
        raise
    return form, files


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
    app.add_middleware(_BodyLimit, limits=limits)
    app.state.workers = workers

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc, RequestRefused) else _STATUS_ZH.get(exc.status_code, "请求无法处理。")
        return _answer(exc.status_code, str(message))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _answer(422, _STATUS_ZH[422])

    async def work(request: Request, most: int, many: bool) -> JSONResponse:
        form, uploads = await _uploads(request, limits, most)
        try:
            with tempfile.TemporaryDirectory(prefix="xlgoals-web-") as tmp:
                folder = Path(tmp) / "上传"
                folder.mkdir()
                names = await run_in_threadpool(_save_uploads, uploads, folder)
                await form.close()
                with anyio.fail_after(limits.seconds):
                    answer = await workers.run(folder, names, many)
        except TimeoutError:
            raise _refuse(503, f"处理超过 {limits.seconds} 秒仍未完成，请减少文件数量后重试。") from None
        finally:
            await form.close()
        if "error" in answer:
            raise _refuse(int(answer.get("status", 422)), str(answer["error"]))
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
            raise _refuse(404, _STATUS_ZH[404])
        kind = {"css": "text/css", "js": "text/javascript", "html": "text/html"}[name.rsplit(".", 1)[1]]
        return Response(_web_file(name), media_type=f"{kind}; charset=utf-8")

    @app.post("/api/check")
    async def api_check(request: Request) -> JSONResponse:
        return await work(request, 1, many=False)

    @app.post("/api/summary")
    async def api_summary(request: Request) -> JSONResponse:
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
