"""Excel 365 and Excel on the web: the add-in's task pane, its alert dialog and manifest, all served from here.

The pane runs xlwings' Office.js client and office.js as the `xlwings-server` wheel ships them (its
`static/` folder, served at /static/), so nothing is fetched from outside the intranet. The package is found
without being imported: only its files are used.
"""

from __future__ import annotations

import importlib.util
import json
from html import escape
from pathlib import Path

import xlwings as xw

from xlgoals import __version__
from xlgoals.macro.vba import BUTTONS

# Script name (the URL path) -> entry point; the folder-based consolidation needs a local disk and a
# desktop Excel, so the web app offers the entries that work on the workbook itself.
WEB_ENTRIES = ("validate_active", "validate_all", "add_project", "rollup")
STATIC_PREFIX = "/static"
# The pane keeps the department's token here (the browser's storage for this server's origin).
TOKEN_KEY = "xlgoals-token"
CLIENT_MISSING = (
    "服务器缺少 xlwings-server 的客户端文件（Office.js 客户端和 office.js），加载项无法使用。"
    '请在服务器上安装：pip install "xlgoals[server]"，然后重启 xlgoals serve。'
)


def caption(name: str) -> str:
    """The button's Chinese caption for an entry point."""
    return next(text for text, _, entry in BUTTONS if entry == name)


def client_files() -> Path | None:
    """The xlwings-server wheel's static folder (its Office.js client and office.js), if installed."""
    spec = importlib.util.find_spec("xlwings_server")
    if spec is None or not spec.submodule_search_locations:
        return None
    static = Path(next(iter(spec.submodule_search_locations))) / "static"
    return static if (static / "js" / "custom-scripts" / "index.js").is_file() else None


def office_js(static: Path) -> str:
    """office.js as the wheel vendors it, by its URL under /static/ (the wheel holds one version)."""
    found = sorted(static.glob("vendor/office-js/*/dist/office.js"))
    if not found:
        raise FileNotFoundError(f"{static}: no vendor/office-js/*/dist/office.js")
    return f"{STATIC_PREFIX}/{found[-1].relative_to(static).as_posix()}"


def _client_config(app_path: str) -> str:
    # The settings xlwings-server renders into every page (its Settings.jsconfig): the pane calls this server,
    # no Pyodide, no Entra ID. requestTimeout is seconds, like the buttons' two minutes.
    config = {
        "appPath": app_path,
        "authProviders": [],
        "customFunctionsMaxRetries": 0,
        "customFunctionsRetryCodes": [],
        "environment": "prod",
        "isOfficialLiteAddin": False,
        "pyodideBaseUrl": "",
        "taskpaneReloadAttempts": 0,
        "onWasm": False,
        "requestTimeout": 120,
        "xlwingsVersion": xw.__version__,
    }
    # "</" cannot end the script element early.
    return json.dumps(config).replace("</", "<\\/")


def _head(static: Path, app_path: str) -> str:
    js = f"{app_path}{STATIC_PREFIX}/js"
    return f"""<script id="config" type="application/json">{_client_config(app_path)}</script>
<script src="{js}/officejs/history-fix-part1.js"></script>
<script src="{app_path}{escape(office_js(static))}"></script>
<script src="{js}/officejs/history-fix-part2.js"></script>
<script type="module" src="{js}/config.js"></script>
<script type="module" src="{js}/custom-scripts/index.js"></script>"""


def taskpane_html(static: Path | None, app_path: str, token_required: bool) -> str:
    """The task pane: one button per web entry point (xlwings' client wires each `xw-click` to its script)."""
    buttons = "\n".join(f'<button disabled xw-click="{name}">{escape(caption(name))}</button>' for name in WEB_ENTRIES)
    head = _head(static, app_path) if static is not None else ""
    token_box = (
        '<p id="token-box"><label>部门口令 <input id="token" type="password" autocomplete="off"></label>'
        ' <button id="token-save" type="button">保存</button></p>'
        if token_required
        else ""
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>xlgoals 绩效目标</title>
{head}
<style>body{{font-family:sans-serif;margin:12px}}button[xw-click]{{display:block;width:100%;margin:6px 0;padding:8px}}
#status{{margin:8px 0;color:#444}}#status.bad,#global-error-alert{{color:#b00020}}.d-none{{display:none}}</style>
</head><body><h3>财政项目支出绩效目标</h3>
<p id="status" role="status">正在连接 Excel……</p>
<div id="global-error-alert" class="d-none" role="alert"><span></span></div>
<div id="global-status-alert" class="d-none" role="status"><span></span></div>
{token_box}
{buttons}
<script>
// Chinese status instead of silence: the pane works only inside Excel, and only with xlwings' client loaded.
function say(text, bad) {{
  var box = document.getElementById("status");
  box.textContent = text;
  box.className = bad ? "bad" : "";
}}
var UPLOAD = "若只需校验文件，可在浏览器中打开 " + location.origin + "{escape(app_path)}/ 上传工作簿。";
// The department's token, sent by xlwings' client as the Authorization header of every call.
globalThis.getAuth = async function () {{
  var token = localStorage.getItem("{TOKEN_KEY}") || "";
  return {{ token: token ? "Bearer " + token : "", provider: "" }};
}};
var saveButton = document.getElementById("token-save");
if (saveButton) {{
  document.getElementById("token").value = localStorage.getItem("{TOKEN_KEY}") || "";
  saveButton.addEventListener("click", function () {{
    localStorage.setItem("{TOKEN_KEY}", document.getElementById("token").value.trim());
    say("口令已保存在本电脑的浏览器中。");
  }});
}}
window.addEventListener("load", function () {{
  if ({"false" if static is not None else "true"}) {{
    say({json.dumps(CLIENT_MISSING, ensure_ascii=False)}, true);
  }} else if (typeof Office === "undefined" || typeof xlwings === "undefined") {{
    say("未能加载 Office.js 或 xlwings 客户端脚本，按钮无法使用；请联系主管部门检查服务器。" + UPLOAD, true);
  }} else {{
    Office.onReady(function (info) {{
      if (info.host !== Office.HostType.Excel) {{
        say("本页面须在 Excel 中作为加载项打开，普通浏览器无法操作工作簿。" + UPLOAD, true);
        return;
      }}
      document.querySelectorAll("button[xw-click]").forEach(function (b) {{ b.disabled = false; }});
      say("已连接 Excel，点击按钮运行。");
    }});
  }}
}});
</script></body></html>"""


def alert_html(static: Path | None, app_path: str, prompt: str, title: str, callback: str) -> str:
    """The dialog xlwings' client opens for `book.app.alert()` (its /xlwings/alert), in Chinese; OK sends
    "ok|<callback>" back to the pane as xlwings-server's dialog.js does."""
    scripts = ""
    if static is not None:
        scripts = (
            f'<script src="{app_path}{escape(office_js(static))}"></script>\n'
            f'<script src="{app_path}{STATIC_PREFIX}/js/alerts/dialog.js" defer></script>'
        )
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in prompt.splitlines() or [""])
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
{scripts}
<style>body{{font-family:sans-serif;margin:16px}}#ok{{float:right;padding:6px 24px}}</style>
</head><body><div id="callback" data-callback="{escape(callback)}"></div>
<h3>{escape(title)}</h3>{paragraphs}
<button id="ok" type="button">确定</button></body></html>"""


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
