/**
 * The local service's web console in a real browser (Debian's headless Chromium, driven by
 * puppeteer-core): signed in by the login link, the pools and jobs page, a job's tasks with their
 * states, a task's output arriving live while it runs — and no secret on any page. Screenshots are
 * kept in `.tmp/screenshots/` as the test's artifacts.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BatchClient } from "azure-batch-run";
import { processExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService } from "../../../local-batch/service.js";
import { requirement } from "../../helpers/requirements.js";
import { until } from "../../helpers/until.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const browserMissing = requirement("a headless Chromium (Debian package chromium)", Boolean(CHROMIUM));
const ROOT = new URL("../../..", import.meta.url).pathname;
const SHOTS = join(ROOT, ".tmp", "screenshots");
const KEY = Buffer.from("console key").toString("base64");
const SECRET = "s3cr3t-token-value-1234";
const SECRET2 = "render-opts-secret-5678";

describe.skipIf(browserMissing)("the web console", () => {
  let browser: Browser;
  let service: LocalBatchService;
  let client: BatchClient;
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-console-"));

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    service = new LocalBatchService({ accountName: "local", accountKey: KEY, dataDir, executor: processExecutor() });
    const url = await service.listen();
    client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await service?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("pools, jobs, a job's tasks and a task's live output, as a person sees them; no secret on any page", async () => {
    const image = { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" };
    await client.send("POST", "/pools", {
      body: {
        id: "render",
        vmSize: "Standard_D2s_v3",
        virtualMachineConfiguration: { imageReference: image, nodeAgentSKUId: "batch.node.ubuntu 24.04" },
        targetDedicatedNodes: 1,
        taskSlotsPerNode: 2,
      },
    });
    await client.send("POST", "/jobs", {
      body: { id: "frames", poolInfo: { poolId: "render" }, commonEnvironmentSettings: [{ name: "API_TOKEN", value: SECRET }] },
    });
    await client.send("POST", "/jobs/frames/addtaskcollection", {
      body: {
        value: [
          { id: "quick", commandLine: "/bin/sh -c 'echo done quickly'" },
          { id: "fails", commandLine: "/bin/sh -c 'echo broken >&2; exit 4'" },
          // A line every 200 ms for a few seconds, and the secret once (shown redacted).
          {
            id: "slow",
            // RENDER_OPTS carries a secret under a harmless name: a job the core did not mark hides every value.
            environmentSettings: [{ name: "RENDER_OPTS", value: SECRET2 }],
            commandLine: `/bin/sh -c 'echo "using $API_TOKEN $RENDER_OPTS"; i=1; while [ $i -le 15 ]; do echo "frame $i rendered"; i=$((i+1)); sleep 0.2; done'`,
          },
        ],
      },
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 800 });
    const html: string[] = [];
    page.on("response", async (r) => {
      if ((r.headers()["content-type"] ?? "").startsWith("text/html") || r.url().includes("/log?")) html.push(await r.text().catch(() => ""));
    });

    // Not signed in: the console says how to sign in; the login link signs the browser in.
    const anonymous = await page.goto(`${service.consoleUrl().replace(/\/console\/login.*$/, "/console/")}`);
    expect(anonymous!.status()).toBe(401);
    await page.goto(service.consoleUrl());
    expect(new URL(page.url()).pathname).toBe("/console/");
    await until(
      "the pool's node idle",
      () => page.$eval("body", (b) => b.innerText),
      (t) => /tvmps_local_render_1\s+(idle|running)/.test(t),
      20_000,
      300,
    ).catch(() => undefined);
    await page.reload();
    const home = await page.$eval("body", (b) => b.innerText);
    expect(home).toContain("pool render");
    expect(home).toMatch(/frames\s+active\s+render/);
    await page.screenshot({ path: join(SHOTS, "console-home.png") });

    // The job page: each task with its state; the failed one says so.
    await page.goto(new URL("/console/jobs/frames", page.url()).href);
    const states = async () =>
      page.$$eval("#tasks tr[data-task]", (rows) => Object.fromEntries(rows.map((r) => [r.getAttribute("data-task"), r.children[1]!.textContent!.trim()])));
    const seen = await until(
      "the quick and failing tasks completed, the slow one running",
      states,
      (s) => s.quick === "completed success" && s.fails === "completed failure" && s.slow === "running",
      20_000,
      200,
    );
    expect(seen).toEqual({ quick: "completed success", fails: "completed failure", slow: "running" });
    await page.screenshot({ path: join(SHOTS, "console-job.png") });

    // The running task's page: its lines arrive while it runs, in order, and the secret is redacted.
    await page.goto(new URL("/console/jobs/frames/tasks/slow", page.url()).href);
    const output = () => page.$eval("pre[id='stdout.txt']", (p) => p.textContent ?? "");
    const partial = await until("some lines of the running task", output, (t) => /frame 2 rendered/.test(t), 10_000, 100);
    expect(partial).not.toMatch(/frame 15 rendered/);
    await page.screenshot({ path: join(SHOTS, "console-task-live.png") });
    const full = await until("the task's last line", output, (t) => t.includes("frame 15 rendered"), 20_000, 200);
    expect(full).toBe(`using <redacted> <redacted>\n${Array.from({ length: 15 }, (_, i) => `frame ${i + 1} rendered\n`).join("")}`);
    await until(
      "the page to show the task completed",
      () => page.$eval("#state", (s) => s.textContent),
      (s) => s === "completed",
      10_000,
      200,
    );

    // The REST exchanges of the last minutes: methods, paths, statuses, never a body.
    await page.goto(new URL("/console/exchanges", page.url()).href);
    expect(await page.$eval("body", (b) => b.innerText)).toMatch(/POST\s+\/jobs\/frames\/addtaskcollection\s+200/);

    for (const text of html) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET2);
      expect(text).not.toContain(KEY);
    }
    await page.close();
  }, 90_000);
});
