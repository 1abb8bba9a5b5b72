/**
 * The local service's web console, at `/console/` on the service's own port: pools with their
 * nodes, jobs with task counts, a job's tasks (filterable by state), a task's stdout and stderr
 * following live, and the REST exchanges of the last minutes. Plain server-rendered HTML and a
 * few lines of script; read-only. Signed in by the login link the service prints (a one-time
 * token for a cookie), since a browser cannot sign Shared Key requests. No page shows a secret:
 * no environment value, no URL query, no key; task output is redacted by the rule `logs` uses.
 */
import { open, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { isSecretEnv } from "../../shared/batch/redaction.js";
import type { JobRecord, NodeRecord, PoolRecord, ServiceContext, TaskRecord } from "../state.js";

export const CONSOLE_PREFIX = "/console";
const COOKIE = "azbr_console";
/** Minutes of REST exchanges the console shows. */
const EXCHANGE_MINUTES = 5;

export const isConsolePath = (url: URL) => url.pathname === "/" || url.pathname === CONSOLE_PREFIX || url.pathname.startsWith(`${CONSOLE_PREFIX}/`);

const escape = (text: unknown) => String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const enc = encodeURIComponent;

function page(title: string, body: string, script = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · local Batch</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}a{color:#0b5cad}h1{font-size:1.3rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .7rem;text-align:left}
.state{font-weight:600}.completed,.idle,.steady,.active{color:#1a7f37}.failure,.unusable,.starttaskfailed,.preempted{color:#c62828}
.running{color:#0b5cad}pre{background:#f6f8fa;padding:.7rem;max-height:24rem;overflow:auto;white-space:pre-wrap}nav a{margin-right:1rem}
</style></head><body><nav><a href="${CONSOLE_PREFIX}/">pools and jobs</a><a href="${CONSOLE_PREFIX}/exchanges">REST exchanges</a></nav>
<h1>${escape(title)}</h1>${body}${script ? `<script>${script}</script>` : ""}</body></html>`;
}

const state = (s: unknown) => `<span class="state ${escape(s)}">${escape(s)}</span>`;

function nodeRow(n: NodeRecord): string {
  return `<tr><td>${escape(n.id)}</td><td>${state(n.state)}</td><td>${n.lowPriority ? "Spot" : "dedicated"}</td><td>${n.running.size}</td><td>${n.totalTasksRun}</td></tr>`;
}

function home(ctx: ServiceContext): string {
  const pools = [...ctx.pools.values()]
    .map(
      (p: PoolRecord) =>
        `<h2>pool ${escape(p.body.id)}</h2><p>${escape(p.body.vmSize)} · allocation ${state(p.allocationState)}${p.resizeErrors.length ? ` · resize errors: ${p.resizeErrors.map((e) => escape(e.code)).join(", ")}` : ""}</p>
<table><tr><th>node</th><th>state</th><th>kind</th><th>running</th><th>tasks run</th></tr>${p.nodes.map(nodeRow).join("")}</table>`,
    )
    .join("");
  const jobs = [...ctx.jobs.values()]
    .map((j: JobRecord) => {
      const c = j.tasks.counts;
      return `<tr><td><a href="${CONSOLE_PREFIX}/jobs/${enc(j.body.id)}">${escape(j.body.id)}</a></td><td>${state(j.state)}</td><td>${escape(j.body.poolInfo.poolId)}</td><td>${c.active}</td><td>${c.running}</td><td>${c.succeeded}</td><td>${c.failed}</td></tr>`;
    })
    .join("");
  return page(
    "pools and jobs",
    `${pools || "<p>no pools</p>"}<h2>jobs</h2><table><tr><th>job</th><th>state</th><th>pool</th><th>active</th><th>running</th><th>succeeded</th><th>failed</th></tr>${jobs}</table>`,
    "setTimeout(() => location.reload(), 2000);",
  );
}

const seconds = (t: TaskRecord) => {
  const start = Date.parse(String(t.executionInfo.startTime ?? ""));
  const end = Date.parse(String(t.executionInfo.endTime ?? ""));
  return Number.isNaN(start) ? "" : `${(((Number.isNaN(end) ? Date.now() : end) - start) / 1000).toFixed(1)} s`;
};

function jobPage(ctx: ServiceContext, job: JobRecord, url: URL): string {
  const filter = url.searchParams.get("state") ?? "";
  const rows = [...job.tasks.values()]
    .filter((t) => !filter || t.state === filter || (filter === "failed" && t.executionInfo.result === "failure"))
    .slice(0, 1000)
    .map((t) => {
      const result = t.state === "completed" ? String(t.executionInfo.result ?? "") : "";
      return `<tr data-task="${escape(t.body.id)}"><td><a href="${CONSOLE_PREFIX}/jobs/${enc(job.body.id)}/tasks/${enc(t.body.id)}">${escape(t.body.id)}</a></td><td>${state(t.state)}${result ? ` ${state(result)}` : ""}</td><td>${escape(t.executionInfo.exitCode)}</td><td>${escape(t.nodeInfo?.nodeId)}</td><td>${seconds(t)}</td><td>${t.executionInfo.retryCount}</td><td>${t.executionInfo.requeueCount}</td></tr>`;
    })
    .join("");
  const filters = ["", "active", "running", "completed", "failed"].map((s) => `<a href="?state=${s}">${s || "all"}</a>`).join(" · ");
  return page(
    `job ${job.body.id}`,
    `<p>${state(job.state)} on pool ${escape(job.body.poolInfo.poolId)} · show: ${filters}</p>
<table id="tasks"><tr><th>task</th><th>state</th><th>exit code</th><th>node</th><th>duration</th><th>retries</th><th>requeues</th></tr>${rows}</table>`,
    "setTimeout(() => location.reload(), 2000);",
  );
}

function taskPage(job: JobRecord, t: TaskRecord): string {
  const base = `${CONSOLE_PREFIX}/jobs/${enc(job.body.id)}/tasks/${enc(t.body.id)}/log`;
  // Each file's new bytes since the last poll, appended; stops once the task has completed and nothing is left.
  const script = `
for (const file of ["stdout.txt", "stderr.txt"]) {
  const pre = document.getElementById(file); let offset = 0;
  const poll = async () => {
    const r = await fetch("${base}?file=" + file + "&offset=" + offset); const j = await r.json();
    if (j.text) pre.textContent += j.text; offset = j.offset;
    document.getElementById("state").textContent = j.state;
    if (!(j.done && !j.text)) setTimeout(poll, 500);
  };
  poll();
}`;
  return page(
    `task ${t.body.id}`,
    `<p>job <a href="${CONSOLE_PREFIX}/jobs/${enc(job.body.id)}">${escape(job.body.id)}</a> · state <span id="state" class="state">${escape(t.state)}</span> · exit code ${escape(t.executionInfo.exitCode)} · node ${escape(t.nodeInfo?.nodeId)} · retries ${t.executionInfo.retryCount}</p>
<h2>stdout.txt</h2><pre id="stdout.txt"></pre><h2>stderr.txt</h2><pre id="stderr.txt"></pre>`,
    script,
  );
}

/** New bytes of a task's file from `offset`, redacted (secret-named environment values, URL queries). */
async function taskLog(ctx: ServiceContext, job: JobRecord, t: TaskRecord, url: URL): Promise<Record<string, unknown>> {
  const file = url.searchParams.get("file");
  const done = t.state === "completed";
  if ((file !== "stdout.txt" && file !== "stderr.txt") || !t.taskDir) return { text: "", offset: 0, done, state: t.state };
  const offset = Math.max(0, Number(url.searchParams.get("offset")) || 0);
  const path = join(t.taskDir, file);
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size <= offset) return { text: "", offset, done, state: t.state };
  const f = await open(path, "r");
  try {
    const length = Math.min(size - offset, 256 * 1024);
    const buffer = Buffer.alloc(length);
    await f.read(buffer, 0, length, offset);
    // The same rule as `logs`: by source for jobs the core marked, every value for any other job.
    const secret = isSecretEnv(t.body, job.body);
    const secrets = [...(t.body.environmentSettings ?? []), ...(job.body.commonEnvironmentSettings ?? [])]
      .filter((e) => e.value && secret(e))
      .map((e) => e.value!);
    let text = buffer.toString("utf8");
    for (const s of secrets) text = text.split(s).join("<redacted>");
    text = text.replace(/([?&](sig|sv|se|sp|st)=)[^&\s"']+/g, "$1<redacted>");
    return { text, offset: offset + length, done, state: t.state };
  } finally {
    await f.close();
  }
}

function exchangesPage(ctx: ServiceContext): string {
  const since = Date.now() - EXCHANGE_MINUTES * 60_000;
  const rows = ctx.console.exchanges
    .filter((e) => e.at >= since)
    .slice(-500)
    .reverse()
    .map((e) => `<tr><td>${new Date(e.at).toISOString().slice(11, 23)}</td><td>${escape(e.method)}</td><td>${escape(e.path)}</td><td>${e.status}</td></tr>`)
    .join("");
  return page(
    `REST exchanges of the last ${EXCHANGE_MINUTES} minutes`,
    `<table><tr><th>time (UTC)</th><th>method</th><th>path</th><th>status</th></tr>${rows}</table>`,
  );
}

const signedIn = (ctx: ServiceContext, req: IncomingMessage) =>
  String(req.headers.cookie ?? "")
    .split(/;\s*/)
    .includes(`${COOKIE}=${ctx.console.token}`);

function send(res: ServerResponse, status: number, body: string, type = "text/html; charset=utf-8", extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'",
    ...extra,
  });
  res.end(body);
}

/** Answers a console request: the login link, or a page for a signed-in browser. */
export async function serveConsole(ctx: ServiceContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method !== "GET") return send(res, 405, page("read-only", "<p>The console only shows; it changes nothing.</p>"));
  if (url.pathname === "/" || url.pathname === CONSOLE_PREFIX) return send(res, 303, "", "text/plain", { location: `${CONSOLE_PREFIX}/` });
  if (url.pathname === `${CONSOLE_PREFIX}/login`) {
    if (url.searchParams.get("token") !== ctx.console.token)
      return send(res, 403, page("sign in", "<p>This login link is not the one the service printed.</p>"));
    return send(res, 303, "", "text/plain", {
      location: `${CONSOLE_PREFIX}/`,
      "set-cookie": `${COOKIE}=${ctx.console.token}; Path=${CONSOLE_PREFIX}; HttpOnly; SameSite=Strict`,
    });
  }
  if (!signedIn(ctx, req)) return send(res, 401, page("sign in", "<p>Open the login link the local service printed when it started.</p>"));
  const parts = url.pathname.slice(CONSOLE_PREFIX.length).split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return send(res, 200, home(ctx));
  if (parts[0] === "exchanges" && parts.length === 1) return send(res, 200, exchangesPage(ctx));
  const job = parts[0] === "jobs" ? ctx.jobs.get(String(parts[1]).toLowerCase()) : undefined;
  if (job && parts.length === 2) return send(res, 200, jobPage(ctx, job, url));
  const task = job && parts[2] === "tasks" ? job.tasks.get(String(parts[3]).toLowerCase()) : undefined;
  if (job && task && parts.length === 4) return send(res, 200, taskPage(job, task));
  if (job && task && parts.length === 5 && parts[4] === "log") return send(res, 200, JSON.stringify(await taskLog(ctx, job, task, url)), "application/json");
  return send(res, 404, page("not found", "<p>No such pool, job or task.</p>"));
}
