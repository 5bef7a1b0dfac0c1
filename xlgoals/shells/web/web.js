"use strict";
// The page's only script: upload, show the answer, offer the generated workbooks as downloads.
const statusBox = document.getElementById("status");

function say(text, bad) {
  statusBox.textContent = text;
  statusBox.className = bad ? "bad" : "";
}

function fill(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren();
  for (const { cells, cls } of rows) {
    const tr = body.insertRow();
    if (cls) tr.className = cls;
    for (const [text, tdClass] of cells) {
      const td = tr.insertCell();
      td.textContent = text;
      if (tdClass) td.className = tdClass;
    }
  }
}

function offer(id, downloads) {
  const box = document.getElementById(id);
  box.replaceChildren();
  for (const d of downloads) {
    const bytes = Uint8Array.from(atob(d.data), (c) => c.charCodeAt(0));
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([bytes], { type: d.type }));
    a.download = d.name;
    a.className = "button download";
    a.textContent = `下载 ${d.name}`;
    box.append(a);
  }
}

// A server run with the department's token refuses calls without it (401) or with a wrong one (403): ask once,
// keep it in this browser (the task pane keeps it under the same key), and send it again.
const TOKEN_KEY = "xlgoals-token";

async function send(url, files) {
  const form = new FormData();
  for (const f of files) form.append("files", f, f.name);
  const token = localStorage.getItem(TOKEN_KEY);
  const headers = token ? { Authorization: "Bearer " + token } : {};
  return fetch(url, { method: "POST", body: form, headers: headers });
}

async function post(url, files) {
  let response;
  try {
    response = await send(url, files);
    if (response.status === 401 || response.status === 403) {
      const token = window.prompt("服务器要求主管部门的校验口令，请输入：");
      if (token) {
        localStorage.setItem(TOKEN_KEY, token.trim());
        response = await send(url, files);
      }
    }
  } catch (e) {
    say("无法连接服务器，请检查网络后重试。", true);
    return null;
  }
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    say((data && data.detail) || `服务器返回错误（${response.status}），请稍后重试。`, true);
    return null;
  }
  return data;
}

function percent(rate) {
  return rate === null || rate === undefined ? "—" : `${(Number(rate) * 100).toFixed(2)}%`;
}

// A 自评 workbook: each project's 执行率, 总分 and grade (the rule set's scores, computed on the server).
function showSelfeval(s) {
  const box = document.getElementById("selfeval");
  box.hidden = !s;
  if (!s) return;
  document.getElementById("selfeval-line").textContent =
    `平均总分 ${s.mean_total ?? "—"}，执行率 ${percent(s.execution_rate)}；` +
    `总分低于 80 分的项目 ${s.under_80} 个，低于 60 分的 ${s.under_60} 个；未完成且未说明原因的指标 ${s.unexplained} 个。`;
  fill("selfeval-projects", s.projects.map((p) => ({
    cells: [[p.sheet, ""], [p.name, ""], [percent(p.execution_rate), "num"], [p.total, "num"], [p.grade, ""],
      [p.shortfalls, "num"], [p.unexplained, "num"]],
  })));
}

function showCheck(data) {
  const year = data.year ? `（${data.year}年度）` : "";
  const unit = data.money_unit;
  document.getElementById("check-title").textContent = `${data.unit || data.file}${year} · ${data.file}`;
  const money = data.selfeval ? "" : `　当年预算合计 ${data.budget_year} ${unit}。`;
  document.getElementById("verdict").textContent = `${data.verdict}${money}`;
  showSelfeval(data.selfeval);
  // A declaration's budgets: 合计 has no 同比 of its own, the like-for-like line under it carries it, new
  // projects apart. (A 自评 workbook shows its scores instead.)
  const rollup = !data.selfeval;
  for (const id of ["rollup-title", "rollup", "rollup-note"]) document.getElementById(id).hidden = !rollup;
  if (rollup) {
    document.getElementById("rollup-title").textContent = `各项目预算与同比（${unit}）`;
    fill("rollup", data.rollup.map((r) => ({
      cls: r.kind,
      cells: [[r.label, ""], [r.budget_year, "num"], [r.last_year_budget, "num"], [r.change, "num"],
        [r.execution_rate, "num"]],
    })));
    document.getElementById("rollup-note").textContent = data.year_on_year.join("；") + "。";
  }
  fill("projects", data.projects.map((p) => ({
    cells: [[p.status, p.status], [p.sheet, ""], [p.name, ""], [p.error, "num"], [p.warning, "num"], [p.info, "num"]],
  })));
  fill("findings", data.findings.map((f) => ({
    cls: f.severity,
    cells: [[f.level, ""], [f.location, "location"], [f.message, ""]],
  })));
  offer("check-downloads", data.downloads);
  document.getElementById("check").hidden = false;
  say(`已校验 ${data.file}：错误 ${data.counts.error} 项，警告 ${data.counts.warning} 项，提示 ${data.counts.info} 项。`);
}

function showSummary(data) {
  const r = data.result;
  const counts = Object.entries(r.status).filter(([, n]) => n).map(([s, n]) => `${s} ${n} 个`).join("，");
  document.getElementById("summary-title").textContent = `部门汇总：共 ${r.files} 个文件（${counts}）`;
  const t = r.total;
  const unit = data.money_unit;
  document.getElementById("summary-line").textContent =
    `${t.units} 个单位，${t.projects} 个项目，${t.indicators} 条指标；当年预算合计 ${data.budget_year} ${unit}。` +
    "每个文件的处理情况见汇总表中的“台账”。" +
    (r.selfeval ? `自评：${r.selfeval.units.length} 个单位，平均总分 ${r.selfeval.total.mean_total ?? "—"}，` +
      `执行率 ${percent(r.selfeval.total.execution_rate)}（各单位见“自评汇总”）。` : "") +
    r.notes.map((note) => `注意：${note}`).join("");
  // 单位汇总 as the workbook prints it: each unit, subtotals and 部门合计 bold, 同比 beside its base.
  const head = document.querySelector("#units thead tr");
  head.replaceChildren(...data.units.titles.map((title) => {
    const th = document.createElement("th");
    th.textContent = title;
    return th;
  }));
  fill("units", data.units.rows.map((row) => ({
    cls: row.kind,
    cells: row.cells.map((text, i) => [text, i ? "num" : ""]),
  })));
  document.getElementById("units-note").textContent =
    `金额单位：${unit}。` + data.year_on_year.map((line) => `部门合计：${line}`).join("；") + "。";
  fill("problems", r.problems.map((p) => ({ cells: [[p.file, ""], [p.status, ""], [p.reason || "", ""]] })));
  offer("summary-downloads", data.downloads);
  document.getElementById("summary").hidden = false;
  say(`已生成部门汇总：${r.files} 个文件。`);
}

async function handle(files) {
  if (!files.length) return;
  document.getElementById("check").hidden = true;
  document.getElementById("summary").hidden = true;
  if (files.length === 1 && !handle.summary) {
    say(`正在校验 ${files[0].name}……`);
    const data = await post("/api/check", files);
    if (data) showCheck(data);
  } else {
    say(`正在汇总 ${files.length} 个工作簿……`);
    const data = await post("/api/summary", files);
    if (data) showSummary(data);
  }
}

document.getElementById("one").addEventListener("change", (e) => {
  handle.summary = false;
  handle([...e.target.files]);
  e.target.value = "";
});
document.getElementById("many").addEventListener("change", (e) => {
  handle.summary = true;
  handle([...e.target.files]);
  e.target.value = "";
});
const drop = document.getElementById("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  handle.summary = false;
  handle([...e.dataTransfer.files]);
});
