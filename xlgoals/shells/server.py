"""The web app: an upload page for desks without Python, and the xlwings Server calls Excel on the web makes."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import resource
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass
from html import escape
from importlib import resources
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Literal

# The remote engine registers only if a key is set when xlwings is first imported; government units
# qualify for the non-commercial key. A deployment's own key in the environment wins.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import anyio
import xlwings as xw
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xlgoals import __version__, excel
from xlgoals.core.errors import XlgoalsError
from xlgoals.macro.vba import BUTTONS

log = logging.getLogger("xlgoals.shells.server")

# Script name (the URL path) -> entry point; the folder-based consolidation needs a local disk and a
# desktop Excel, so the web app offers the entries that work on the workbook itself.
WEB_ENTRIES = ("validate_active", "validate_all", "add_project", "rollup")
# The installed xlwings ships clients for Google Sheets (js/xlwings.js) and Office Scripts (js/xlwings.ts)
# only; the task pane needs the Office.js one. A deployment without internet copies that file (from
# xlwings' release for the pinned version) and names it in XLGOALS_XLWINGS_JS; otherwise the CDN serves it.
XLWINGS_JS_ENV = "XLGOALS_XLWINGS_JS"
XLWINGS_JS_CDN = f"https://cdn.jsdelivr.net/gh/xlwings/xlwings@{xw.__version__}/xlwingsjs/dist/xlwings.min.js"
OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
MB = 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.12"
UNEXPECTED = "服务器处理时出现意外错误，操作未完成。请把文件和时间告诉管理员。"
WEB_FILES = ("index.html", "web.js", "web.css")


@dataclass(frozen=True)
class Limits:
    """What one request may cost; past these a request gets a Chinese message, never a crash."""

    file_bytes: int = 20 * MB  # one uploaded workbook
    files: int = 200  # workbooks in one department summary
    upload_bytes: int = 400 * MB  # a whole upload request (spooled to disk as it arrives)
    json_bytes: int = 20 * MB  # an Excel-on-the-web call (held in memory)
    jobs: int = 2  # workbooks worked on at once: the rest wait their turn, so memory stays bounded
    worker_memory: int = 3 * 1024 * MB  # address space of a worker process
    seconds: int = 300  # one request's work


class RequestRefused(HTTPException):
    """A request the app will not work on; `detail` is the Chinese message the page shows."""


def _refuse(status: int, message: str) -> RequestRefused:
    return RequestRefused(status_code=status, detail=message)


# --- the work, in worker processes ------------------------------------------------------------------------
# Uploaded workbooks are untrusted: they are read in worker processes, so a file that crashes or exhausts a
# reader costs one answer, not the server, and no process forks from the server's threads. Every request
# works in its own temporary folder, removed before the answer leaves; the generated workbooks travel back
# inside the JSON answer (base64) and the page offers them as downloads. That keeps the server stateless:
# no token folders to expire, nothing left behind when a browser never comes back for a file.


def _worker_init(memory: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))


def _download(path: Path) -> dict[str, str]:
    kind = XLSM_TYPE if path.suffix == ".xlsm" else XLSX_TYPE
    return {"name": path.name, "type": kind, "data": base64.b64encode(path.read_bytes()).decode("ascii")}


def check_workbook(path: Path) -> dict[str, Any]:
    """One unit workbook: findings, per-project status, and the marked and rolled-up copies, as the CLI makes them."""
    from xlgoals.core.values import format_money
    from xlgoals.jobs.pipeline import check_file
    from xlgoals.jobs.rollup import roll_up
    from xlgoals.jobs.rollup import write_back as write_rollup
    from xlgoals.validation.findings import SEVERITY_ZH
    from xlgoals.validation.marks import project_status, summary_line
    from xlgoals.validation.writeback import write_back

    checked = check_file(path)
    report = checked.report
    suffix = path.suffix.lower()
    marked = path.with_name(f"{path.stem}_校验{suffix}")
    write_back(path, marked, report, checked.ruleset.title)
    r = roll_up(checked.unit, report)
    summary = path.with_name(f"{path.stem}_汇总{suffix}")
    write_rollup(path, summary, r)
    return {
        "file": path.name,
        "unit": r.unit,
        "year": r.year,
        "verdict": summary_line(report, checked.ruleset.title),
        "counts": report.counts(),
        "budget_year": format_money(r.totals["budget_year"]),
        "findings": [
            {
                "level": SEVERITY_ZH[f.severity],
                "severity": f.severity.value,
                "location": f.location,
                "code": f.code,
                "message": f.message,
            }
            for f in report.findings
        ],
        "projects": [
            {"status": project_status(counts), "sheet": p.sheet, "name": p.name, **counts}
            for p in r.projects
            for counts in [p.findings or dict.fromkeys(report.counts(), 0)]
        ],
        "downloads": [_download(marked), _download(summary)],
    }


SUMMARY_NAME = "部门汇总.xlsx"


def summarize_workbooks(names: Sequence[str]) -> dict[str, Any]:
    """Several unit workbooks: the department summary with its 台账, as `xlgoals consolidate` makes it."""
    from xlgoals.jobs.consolidate import consolidate

    out = Path("..") / SUMMARY_NAME  # beside the uploads: one of them may carry the same name
    result = consolidate(list(names), out, jobs=1)
    return {"result": result.to_dict(), "downloads": [_download(out)]}


def _run_job(folder: Path, names: list[str], many: bool) -> dict[str, Any]:
    """A worker's entry: the job's answer, or its refusal as the CLI words it."""
    # Relative paths, so messages and the 台账 name each file as it was uploaded, not by this request's
    # temporary folder; a worker runs one job at a time, so changing its directory is safe.
    previous = os.getcwd()
    os.chdir(folder)
    try:
        return summarize_workbooks(names) if many else check_workbook(Path(names[0]))
    except XlgoalsError as e:
        return {"error": e.user_message}
    except MemoryError:
        return {"error": f"文件 {'、'.join(names)}：文件太大或结构异常，读取时超出内存上限，未能处理。"}
    except Exception:
        # A bug, not bad input (bad input is an XlgoalsError): its traceback belongs in the server's log.
        log.exception("job on %s failed", names)
        return {"error": f"文件 {'、'.join(names)}：{UNEXPECTED}", "status": 500}
    finally:
        os.chdir(previous)


WORKER_MODULES = (
    "xlgoals.shells.server",
    "xlgoals.jobs.pipeline",
    "xlgoals.validation.writeback",
    "xlgoals.jobs.rollup",
    "xlgoals.jobs.consolidate",
)


class _Workers:
    """A pool of worker processes, replaced when a worker dies (a file that crashed or exhausted a reader)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # forkserver, not fork: the server has threads, and a fork copies their locks mid-use. The
                # fork server imports the jobs' modules once; each worker starts from it warm.
                context = get_context("forkserver")
                context.set_forkserver_preload(list(WORKER_MODULES))
                self._pool = ProcessPoolExecutor(
                    max_workers=self.limits.jobs,
                    mp_context=context,
                    initializer=_worker_init,
                    initargs=(self.limits.worker_memory,),
                    max_tasks_per_child=100,
                )
            return self._pool

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, folder: Path, names: list[str], many: bool) -> dict[str, Any]:
        # A dying worker breaks every job in its pool: the others are run again in a fresh pool, and a job
        # that breaks a second pool is the one at fault.
        for _attempt in range(2):
            pool = self._current()
            try:
                answer: dict[str, Any] = await asyncio.wrap_future(pool.submit(_run_job, folder, names, many))
                return answer
            except BrokenProcessPool:
                self._drop(pool)
        return {"error": f"文件 {'、'.join(names)}：读取时进程异常退出（文件可能损坏或过大），未能处理。"}

    def warm(self) -> None:
        """Start the workers now, so the first upload doesn't wait for them."""
        pool = self._current()
        for future in [pool.submit(os.getpid) for _ in range(self.limits.jobs)]:
            future.result()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


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


def _caption(name: str) -> str:
    return next(caption for caption, _, entry in BUTTONS if entry == name)


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


def _taskpane(base: str) -> str:
    buttons = "\n".join(
        f"<button disabled onclick=\"run('{name}')\">{escape(_caption(name))}</button>" for name in WEB_ENTRIES
    )
    client = f"{base}xlwings-client.js" if os.environ.get(XLWINGS_JS_ENV) else XLWINGS_JS_CDN
    upload = escape(base)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>xlgoals 绩效目标</title>
<script src="{OFFICE_JS}"></script>
<script src="{escape(client)}"></script>
<style>body{{font-family:sans-serif;margin:12px}}button{{display:block;width:100%;margin:6px 0;padding:8px}}
#status{{margin:8px 0;color:#444}}#status.bad{{color:#b00020}}</style>
</head><body><h3>财政项目支出绩效目标</h3>
<p id="status" role="status">正在连接 Excel……</p>
{buttons}
<script>
// Without Office.js (a plain browser, or no access to Microsoft's servers) nothing can reach the workbook:
// say so instead of leaving buttons that do nothing.
function say(text, bad) {{
  var box = document.getElementById("status");
  box.textContent = text;
  box.className = bad ? "bad" : "";
}}
var UPLOAD = "若只需校验文件，可在浏览器中打开 {upload} 上传工作簿。";
if (typeof Office === "undefined") {{
  say("未能加载 Office.js（微软的 Excel 加载项脚本）。本页面须在 Excel 中作为加载项打开，且电脑能访问 "
    + "appsforoffice.microsoft.com。" + UPLOAD, true);
}} else if (typeof xlwings === "undefined") {{
  say("未能加载 xlwings 客户端脚本，按钮无法使用；请联系管理员检查服务器的 {XLWINGS_JS_ENV} 设置或网络。", true);
}} else {{
  Office.onReady(function (info) {{
    if (info.host !== Office.HostType.Excel) {{
      say("本页面须在 Excel 中作为加载项打开，普通浏览器无法操作工作簿。" + UPLOAD, true);
      return;
    }}
    document.querySelectorAll("button").forEach(function (b) {{ b.disabled = false; }});
    say("已连接 Excel，点击按钮运行。");
  }});
}}
function run(name) {{ xlwings.runPython("{base}xlwings/custom-scripts-call/" + name); }}
</script></body></html>"""


def _manifest(base: str) -> str:
    """An Office add-in manifest for sideloading; the id is fixed so a re-sideload replaces the old one."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="TaskPaneApp">
  <Id>5d1c3c3e-2f4b-4c59-9f55-6b8a0e3f7a21</Id>
  <Version>{__version__}.0</Version>
  <ProviderName>xlgoals</ProviderName>
  <DefaultLocale>zh-CN</DefaultLocale>
  <DisplayName DefaultValue="xlgoals 绩效目标"/>
  <Description DefaultValue="校验、汇总财政项目支出绩效目标表"/>
  <Hosts><Host Name="Workbook"/></Hosts>
  <Requirements><Sets DefaultMinVersion="1.1"><Set Name="ExcelApi" MinVersion="1.18"/></Sets></Requirements>
  <DefaultSettings><SourceLocation DefaultValue="{escape(base)}taskpane.html"/></DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
</OfficeApp>
"""


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


def create_app(limits: Limits | None = None) -> FastAPI:
    limits = limits or Limits()
    workers = _Workers(limits)
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
        return [{"function_name": name, "caption": _caption(name)} for name in WEB_ENTRIES]

    def gated(name: str, payload: dict[str, Any]) -> dict[str, Any]:
        with xlwings_gate:
            return run_script(name, payload)

    @app.post("/xlwings/custom-scripts-call/{script_name}")
    async def scripts_call(script_name: str, request: Request) -> dict[str, Any]:
        if script_name not in WEB_ENTRIES:
            return run_script(script_name, {})  # the 404 with the list of operations
        payload = parse_payload(await request.body())
        return await run_in_threadpool(gated, script_name, payload)

    @app.get("/taskpane.html", response_class=HTMLResponse)
    def taskpane(request: Request) -> str:
        return _taskpane(str(request.base_url))

    @app.get("/xlwings-client.js")
    def xlwings_client() -> Response:
        path = os.environ.get(XLWINGS_JS_ENV)
        if not path or not Path(path).is_file():
            raise _refuse(404, f"服务器没有设置 {XLWINGS_JS_ENV}（xlwings 的 Office.js 客户端脚本）。")
        return FileResponse(path, media_type="text/javascript")

    @app.get("/manifest.xml")
    def manifest(request: Request) -> Response:
        return Response(_manifest(str(request.base_url)), media_type="application/xml")

    return app
