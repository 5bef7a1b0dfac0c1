"""Who may call the server: the department's token on every call that carries a workbook, and no other site's page.

Both are checked before the body is read. Refusals are Chinese: plain text for RunServerPython (Remote.bas shows
the answer's text in a message box as it is), `{"detail": …}` for the upload page and the task pane.
"""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from xlgoals.shells.token import matches

log = logging.getLogger("xlgoals.shells.access")

# Paths that take a workbook and run our code on it; pages, scripts and /health stay open (the buttons look
# at /health before sending anything).
GUARDED = ("/api/", "/xlwings/custom-scripts-call/", "/xlwings/vba/")
VBA_PREFIX = "/xlwings/vba/"

NO_TOKEN = (
    "服务器要求主管部门的校验口令，本次请求没有带口令。"
    "请向主管部门索取口令（模板中的 xlwings.conf 设置，或加载项里的“部门口令”）。"
)
WRONG_TOKEN = "校验口令不对，服务器拒绝了本次请求。请向主管部门核对口令（可能已更换），再重新点击按钮。"
OTHER_SITE = "本服务器只接受它自己的页面（上传页面和 Excel 加载项）发来的请求，拒绝了来自 {origin} 的请求。"


class Guard:
    """ASGI middleware: the token (when the server has one) and the same-origin rule.

    A browser adds Origin to a cross-site request; the task pane and the upload page are served by this server,
    so their calls carry its own origin (scheme and Host as the browser saw them, behind a proxy that passes
    Host and X-Forwarded-Proto). Nothing here ever sends Access-Control-Allow-* headers, so no other site's
    script may read an answer either; a preflight from another site is refused like its request.
    """

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        path = str(scope["path"])
        origin = headers.get("origin")
        if origin is not None and origin != own_origin(scope, headers):
            log.warning("refused a request from another origin (%s) to %s", origin[:100], path)
            await _refuse(send, 403, OTHER_SITE.format(origin=origin[:100]), path)
            return
        if self.token is not None and path.startswith(GUARDED) and scope["method"] != "OPTIONS":
            given = headers.get("authorization")
            if not given or not matches(given, self.token):
                # Never the header itself: a wrong token may be a right one with a typo.
                log.warning("refused %s: %s token", path, "no" if not given else "a wrong")
                await _refuse(send, 401 if not given else 403, NO_TOKEN if not given else WRONG_TOKEN, path)
                return
        await self.app(scope, receive, send)


def own_origin(scope: Scope, headers: dict[str, str]) -> str:
    """This server's origin as the browser addressed it: uvicorn has taken the scheme from X-Forwarded-Proto
    when a trusted proxy sent it; the Host header carries the name and any port."""
    host = headers.get("host", "")
    return f"{scope.get('scheme', 'http')}://{host}"


async def _refuse(send: Send, status: int, message: str, path: str) -> None:
    if path.startswith(VBA_PREFIX):
        body, kind = message.encode("utf-8"), b"text/plain; charset=utf-8"
    else:
        body, kind = json.dumps({"detail": message}, ensure_ascii=False).encode("utf-8"), b"application/json"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
