"""Excel on the web and Excel for Mac: the add-in's task pane (the same entry points as the buttons) and manifest."""

from __future__ import annotations

import os
from html import escape

import xlwings as xw

from xlgoals import __version__
from xlgoals.macro.vba import BUTTONS

# Script name (the URL path) -> entry point; the folder-based consolidation needs a local disk and a
# desktop Excel, so the web app offers the entries that work on the workbook itself.
WEB_ENTRIES = ("validate_active", "validate_all", "add_project", "rollup")
# The installed xlwings ships clients for Google Sheets (js/xlwings.js) and Office Scripts (js/xlwings.ts)
# only; the task pane needs the Office.js one. A deployment without internet copies that file (from
# xlwings' release for the pinned version) and names it in XLGOALS_XLWINGS_JS; otherwise the CDN serves it.
XLWINGS_JS_ENV = "XLGOALS_XLWINGS_JS"
XLWINGS_JS_CDN = f"https://cdn.jsdelivr.net/gh/xlwings/xlwings@{xw.__version__}/xlwingsjs/dist/xlwings.min.js"
OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"


def caption(name: str) -> str:
    """The button's Chinese caption for an entry point."""
    return next(text for text, _, entry in BUTTONS if entry == name)


def taskpane_html(base: str) -> str:
    """The task pane: one button per web entry point, and a plain message where Office.js cannot load."""
    buttons = "\n".join(
        f"<button disabled onclick=\"run('{name}')\">{escape(caption(name))}</button>" for name in WEB_ENTRIES
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


def manifest_xml(base: str) -> str:
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
