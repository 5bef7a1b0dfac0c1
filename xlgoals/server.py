"""An xlwings Server-style web app: Excel on the web and on Mac (no VBA) run the same entry points over HTTP."""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape
from typing import Any

# The remote engine registers only if a key is set when xlwings is first imported; government units
# qualify for the non-commercial key. A deployment's own key in the environment wins.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw
from fastapi import Body, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from xlgoals import __version__, excel
from xlgoals.vba import BUTTONS

# Script name (the URL path) -> entry point; the folder-based consolidation needs a local disk and a
# desktop Excel, so the web app offers the entries that work on the workbook itself.
WEB_ENTRIES = ("validate_active", "validate_all", "add_project", "rollup")
XLWINGS_JS = f"https://cdn.jsdelivr.net/gh/xlwings/xlwings@{xw.__version__}/xlwingsjs/dist/xlwings.min.js"


def _entries() -> dict[str, Callable[..., None]]:
    return {name: getattr(excel, name) for name in WEB_ENTRIES}


def _caption(name: str) -> str:
    return next(caption for caption, _, entry in BUTTONS if entry == name)


def run_script(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Build the book from the client's payload, run the entry, return the actions for Excel to apply."""
    entry = _entries().get(name)
    if entry is None:
        raise HTTPException(status_code=404, detail=f"no script named {name!r}")
    book = xw.Book(json=payload)
    try:
        entry(book)
        actions: dict[str, Any] = book.json()
        return actions
    finally:
        book.close()


def _taskpane(base: str) -> str:
    buttons = "\n".join(f"<button onclick=\"run('{name}')\">{escape(_caption(name))}</button>" for name in WEB_ENTRIES)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>xlgoals 绩效目标</title>
<script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>
<script src="{XLWINGS_JS}"></script>
<style>body{{font-family:sans-serif;margin:12px}}button{{display:block;width:100%;margin:6px 0;padding:8px}}</style>
</head><body><h3>财政项目支出绩效目标</h3>
{buttons}
<script>
Office.onReady(() => {{}});
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


def create_app() -> FastAPI:
    app = FastAPI(title="xlgoals", version=__version__)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/xlwings/custom-scripts-meta")
    def scripts_meta() -> list[dict[str, str]]:
        return [{"function_name": name, "caption": _caption(name)} for name in WEB_ENTRIES]

    @app.post("/xlwings/custom-scripts-call/{script_name}")
    def scripts_call(script_name: str, payload: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        return run_script(script_name, payload)

    @app.get("/taskpane.html", response_class=HTMLResponse)
    def taskpane(request: Request) -> str:
        return _taskpane(str(request.base_url))

    @app.get("/manifest.xml")
    def manifest(request: Request) -> Response:
        return Response(_manifest(str(request.base_url)), media_type="application/xml")

    return app
