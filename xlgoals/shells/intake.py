"""Receiving uploads: names a file system takes, bodies within limits, server faults as 507/503, clients gone.

Server faults are the server's own storage (a full or read-only temporary folder); a client that gives up
(mid-upload or before its answer) is logged in one line and its work dropped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xlgoals.core.oserrors import is_full, os_reason
from xlgoals.shells.uploads import DISK_FULL, MB, Limits, Workers

log = logging.getLogger("xlgoals.shells.server")


class RequestRefused(HTTPException):
    """A request the app will not work on; `detail` is the Chinese message the page shows."""


def refuse(status: int, message: str, headers: dict[str, str] | None = None) -> RequestRefused:
    return RequestRefused(status_code=status, detail=message, headers=headers)


class ClientGone(Exception):
    """The client closed the connection (mid-upload, or before its answer): nobody to answer."""


# A file name is at most 255 bytes on the file systems a server has, and the answer's downloads add a tag to
# the uploaded name (unit_校验.xlsx, unit_汇总.xlsx): names are cut, by bytes, to leave room for the tag.
NAME_BYTES = 255
TAG_BYTES = len("_校验".encode())


def _fit(stem: str, tail: str) -> str:
    """`stem` cut (whole characters, by UTF-8 bytes) so that stem + tail + a tag fits a file name."""
    room = NAME_BYTES - TAG_BYTES - len(tail.encode())
    return stem.encode()[:room].decode("utf-8", "ignore").rstrip() or "工作簿"


def _safe_name(raw: str | None, taken: set[str]) -> str:
    """The uploaded file's own name (messages and the 台账 show it), made safe to create in a folder and cut
    to what a file system allows, its extension kept."""
    name = Path((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '/:*?"<>|').strip().lstrip(".")
    stem, suffix = os.path.splitext(name or "工作簿.xlsx")
    stem, suffix = stem or "工作簿", suffix[:10]
    candidate, n = f"{_fit(stem, suffix)}{suffix}", 2
    while candidate.lower() in taken:
        tail = f" ({n}){suffix}"
        candidate, n = f"{_fit(stem, tail)}{tail}", n + 1
    taken.add(candidate.lower())
    return candidate


def server_fault(e: OSError, doing: str) -> RequestRefused:
    """The server's own storage failed (a full or read-only temporary folder): 507/503 in Chinese for the
    client, one line for the administrator's log, no traceback."""
    log.warning("%s失败：%s（%s）", doing, os_reason(e).reason, e)
    if is_full(e):
        return refuse(507, DISK_FULL)
    return refuse(503, f"服务器暂时无法处理上传（{os_reason(e).reason}），请联系管理员。")


def save_uploads(uploads: list[UploadFile], folder: Path) -> list[str]:
    taken: set[str] = set()
    names = []
    for upload in uploads:
        name = _safe_name(upload.filename, taken)
        upload.file.seek(0)
        with (folder / name).open("xb") as out:
            shutil.copyfileobj(upload.file, out, MB)
        names.append(name)
    return names


class BodyLimit:
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
            await JSONResponse({"detail": message}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            msg = await receive()
            received += len(msg.get("body", b""))
            if received > limit:
                raise refuse(413, message)
            return msg

        await self.app(scope, counted, send)


async def uploads_of(request: Request, limits: Limits, most: int) -> tuple[Any, list[UploadFile]]:
    try:
        form = await request.form(max_files=most, max_fields=10)
    except RequestRefused:
        raise
    except ClientDisconnect:
        raise ClientGone from None
    except OSError as e:  # uploads are spooled to the temporary folder as they arrive
        raise server_fault(e, "接收上传") from None
    except StarletteHTTPException as e:
        if "Too many files" in str(e.detail):
            raise refuse(413, f"一次最多上传 {most} 个工作簿，请分批上传。") from None
        raise refuse(400, "无法读取上传的内容，请重新选择文件后再试。") from None
    files = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
    try:
        if not files:
            raise refuse(400, "请选择要上传的工作簿（.xlsx 或 .xlsm）。")
        if len(files) > most:
            raise refuse(413, f"一次最多上传 {most} 个工作簿，请分批上传。")
        for f in files:
            if f.size is not None and f.size > limits.file_bytes:
                raise refuse(
                    413,
                    f"文件 {f.filename}：大小 {f.size / MB:.1f} MB，超过每个文件 {limits.file_bytes // MB} MB 的上限。",
                )
    except RequestRefused:
        await form.close()
        raise
    return form, files


async def drain(request: Request) -> None:
    """Read and drop what a refused client still sends."""
    with contextlib.suppress(ClientDisconnect, RequestRefused, RuntimeError):
        async for _ in request.stream():
            pass


async def _disconnected(request: Request) -> None:
    """Returns when the client closes the connection (its whole request has been read before)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def answer_or_gone(
    request: Request, workers: Workers, folder: Path, names: list[str], many: bool
) -> dict[str, Any]:
    """The job's answer; if the client gives up first, the job is dropped (its worker killed) and ClientGone."""
    future = workers.submit(folder, names, many)
    job = asyncio.ensure_future(workers.answer(future, names))
    gone = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({job, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        if not job.done():
            job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await job
    if job.cancelled():
        raise ClientGone("得到答复之前")
    return job.result()
