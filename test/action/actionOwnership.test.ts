/**
 * The bundled Action touches only what it owns and reports every way a step can end, run as the
 * runner runs it (main, then post with main's state) against the local Batch service (mode azure,
 * an account key) or on it (mode local).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { buildBusyboxImage } from "../../local-batch/images/busyboxImage.js";
import { processExecutor } from "../../local-batch/runtime/executors.js";
import { LocalBatchService, type FaultOptions } from "../../local-batch/service.js";
import { runStep, type Step } from "../helpers/actionRunner.js";
import { containersMissing } from "../helpers/containers.js";
import { until } from "../helpers/until.js";

const work = mkdtempSync(join(tmpdir(), "azbr-owner-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

const KEY = Buffer.from("action ownership key").toString("base64");

async function account(faults?: FaultOptions) {
  const dataDir = mkdtempSync(join(work, "service-"));
  const service = new LocalBatchService({ accountName: "local", accountKey: KEY, dataDir, executor: processExecutor(), faults });
  const url = await service.listen();
  toClose.push(() => service.close());
  return { service, url };
}

function specFile(dir: string, tasks: unknown[], extra: Record<string, unknown> = {}): string {
  const file = join(dir, "spec.json");
  writeFileSync(
    file,
    JSON.stringify({
      pool: {
        id: "gh-pool",
        vmSize: "Standard_D2s_v3",
        image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
        taskSlotsPerNode: 4,
        reuse: true,
      },
      job: { id: "gh-{{ github.run_id }}-{{ github.run_attempt }}" },
      tasks: { list: tasks },
      ...extra,
    }),
  );
  return file;
}

const azure = (url: string, file: string, extra: Record<string, string> = {}) => ({
  spec: file,
  "account-url": url,
  "account-key": KEY,
  "account-name": "local",
  ...extra,
});
/** The error annotations of a step, in order. */
const errors = (step: Step) => step.stdout.split("\n").filter((l) => l.startsWith("::error"));
const job = (service: LocalBatchService, id = "gh-4242-1") => service.jobs.get(id);

describe("the Action acts on what it owns", () => {
  test("two runs on one job id: the second fails at its pool check, and its post leaves the first run's job alone", async () => {
    const { service, url } = await account();
    const one = mkdtempSync(join(work, "one-"));
    const first = runStep(one, azure(url, specFile(one, [{ id: "long", command: "/bin/sh -c 'sleep 3'" }])));
    await until(
      "the first run's task running",
      () => [...(job(service)?.tasks.values() ?? [])].map((t) => t.state),
      (s) => s.includes("running"),
      30_000,
    );
    // The second run: the same job id, a pool spec that differs from the pool there.
    const two = mkdtempSync(join(work, "two-"));
    const inputs = azure(url, specFile(two, [{ id: "long", command: "/bin/sh -c 'sleep 3'" }]), { "vm-size": "Standard_D4s_v3" });
    const main2 = await runStep(two, inputs);
    expect(main2.code).toBe(1);
    expect(errors(main2)).toEqual([expect.stringMatching(/^::error::invalid input: pool gh-pool exists but differs from the spec/)]);
    const post2 = await runStep(two, inputs, {}, main2.state);
    expect(post2.code).toBe(0);
    expect(post2.stdout).not.toMatch(/terminated|deleted|::warning/);
    const main1 = await first;
    expect(main1.code).toBe(0);
    expect(main1.outputs).toMatchObject({ "tasks-succeeded": "1", "tasks-failed": "0" });
    expect(job(service)!.tasks.get("long")!.executionInfo).toMatchObject({ result: "success", exitCode: 0 });
  }, 90_000);

  test.each(["created", "job", "pool", "none"])(
    "wait: false with cleanup %s: post leaves the job running; outputs and summary count the tasks submitted",
    async (cleanup) => {
      const { service, url } = await account();
      const dir = mkdtempSync(join(work, `nowait-${cleanup}-`));
      const inputs = azure(url, specFile(dir, [{ id: "t{{ item }}", command: "/bin/sh -c 'sleep 30'", forEach: { range: [1, 3] } }]), {
        wait: "false",
        cleanup,
      });
      const main = await runStep(dir, inputs);
      expect(main.code).toBe(0);
      expect(main.outputs).toMatchObject({ "tasks-total": "3", "job-id": "gh-4242-1", "pool-id": "gh-pool" });
      expect(main.summary).toContain("3 tasks submitted, not followed (wait: false)");
      const post = await runStep(dir, inputs, {}, main.state);
      expect(post.code).toBe(0);
      expect(job(service)?.state).toBe("active");
      expect(service.pools.has("gh-pool")).toBe(true);
      expect(post.stdout).toContain("job gh-4242-1 left running (wait: false)");
    },
    60_000,
  );

  test("SIGTERM right after the pool is created: post deletes the pool (the creation was saved before the next request)", async () => {
    // The read that follows the create is held, so that the cancel lands between the two.
    const { service, url } = await account({ delayOf: (method, path) => (method === "GET" && path === "/pools/gh-pool" && created ? 3_000 : 0) });
    let created = false;
    const dir = mkdtempSync(join(work, "sigterm-"));
    const inputs = azure(url, specFile(dir, [{ id: "t", command: "/bin/true" }]));
    const main = await runStep(dir, inputs, {}, {}, (child) => {
      const poll = setInterval(() => {
        if (service.pools.has("gh-pool")) {
          created = true;
          clearInterval(poll);
          child.kill("SIGTERM");
        }
      }, 5);
      child.once("exit", () => clearInterval(poll));
    });
    expect(errors(main)).toEqual([expect.stringMatching(/^::error::cancelled: /)]);
    expect(errors(main)[0]).not.toMatch(/cancelled: cancelled/);
    expect(main.summary).toContain("outcome: <b>cancelled</b>");
    // Saved before the read that was held: main knew the pool was its own when the cancel came.
    expect((JSON.parse(main.state["azure-batch-run"]!) as { created?: { pool: boolean } }).created?.pool).toBe(true);
    const post = await runStep(dir, inputs, {}, main.state);
    expect(post.stdout).toContain("deleted pool gh-pool");
    expect(service.pools.size).toBe(0);
  }, 60_000);

  test("a pool another job still has tasks on is not deleted by post: it warns and leaves it", async () => {
    const { service, url } = await account();
    const dir = mkdtempSync(join(work, "shared-"));
    const inputs = azure(url, specFile(dir, [{ id: "t", command: "/bin/true" }]));
    const main = await runStep(dir, inputs);
    expect(main.code).toBe(0);
    // Another run's job on the pool, its task running when this run's post comes.
    const { BatchClient } = await import("../../shared/client/batchClient.js");
    const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });
    toClose.push(() => client.close());
    await client.send("POST", "/jobs", { body: { id: "other", poolInfo: { poolId: "gh-pool" } } });
    await client.send("POST", "/jobs/other/tasks", { body: { id: "busy", commandLine: "/bin/sh -c 'sleep 30'" } });
    const post = await runStep(dir, inputs, {}, main.state);
    expect(post.stdout).toContain("deleted job gh-4242-1");
    expect(post.stdout).toContain("::warning::pool gh-pool left in place: job other still has tasks on it");
    expect(service.pools.has("gh-pool")).toBe(true);
    expect(job(service, "other")?.state).toBe("active");
  }, 60_000);

  test("30 failed tasks: 10 error annotations, the step's own first, the last saying how many more; every task in the summary", async () => {
    const { url } = await account();
    const dir = mkdtempSync(join(work, "thirty-"));
    const inputs = azure(url, specFile(dir, [{ id: "f{{ item }}", command: "/bin/sh -c 'echo broke {{ item }} >&2; exit 3'", forEach: { range: [1, 30] } }]));
    const main = await runStep(dir, inputs);
    expect(main.code).toBe(1);
    const annotations = errors(main);
    expect(annotations).toHaveLength(10);
    expect(annotations[0]).toMatch(/^::error::tasks failed: 30 tasks of job gh-4242-1 failed/);
    expect(annotations.slice(1).every((a) => a.startsWith("::error title=Batch task f"))).toBe(true);
    expect(annotations[9]).toContain("(and 21 more failed tasks: every one is in the job summary)");
    for (let i = 1; i <= 30; i++) expect(main.summary).toContain(`<td>f${i}</td>`);
    // The last lines of stderr beside each failed task the run read them for (the first 20).
    expect((main.summary.match(/broke \d+/g) ?? []).length).toBeGreaterThanOrEqual(9);
    expect(main.summary).not.toMatch(/127\.0\.0\.1:\d+/);
  }, 90_000);
});

describe("every end of main is reported: outputs, a summary with the outcome, one annotation of the right kind", () => {
  test.each([
    ["a missing spec", () => ({ spec: "" }), "invalid input", /input spec is required/],
    ["a spec path that does not exist", () => ({ spec: "specs/render.yaml" }), "invalid input", /input spec: the file .*specs\/render\.yaml .*does not exist/],
  ])("%s", async (_name, inputs, outcome, reason) => {
    const dir = mkdtempSync(join(work, "end-"));
    const main = await runStep(dir, { mode: "local", ...inputs() });
    expect(main.code).toBe(1);
    expect(errors(main)).toEqual([expect.stringMatching(new RegExp(`^::error::${outcome}: ${reason.source}`))]);
    expect(main.summary).toContain(`outcome: <b>${outcome}</b>`);
  });

  test("auth and service errors: the job and pool ids are outputs, the summary says why", async () => {
    const { url } = await account();
    const dir = mkdtempSync(join(work, "auth-"));
    const file = specFile(dir, [{ id: "t", command: "/bin/true" }]);
    const wrongKey = await runStep(dir, { ...azure(url, file), "account-key": Buffer.from("not the key").toString("base64") });
    expect(errors(wrongKey)).toEqual([expect.stringMatching(/^::error::auth error: AuthenticationFailed/)]);
    expect(wrongKey.outputs).toMatchObject({ "job-id": "gh-4242-1", "pool-id": "gh-pool" });
    expect(wrongKey.summary).toContain("outcome: <b>auth</b>");
    const nobody = await runStep(dir, { ...azure("http://127.0.0.1:9", file), timeout: "3" });
    expect(errors(nobody)).toEqual([expect.stringMatching(/^::error::service error: /)]);
    expect(nobody.outputs).toMatchObject({ "job-id": "gh-4242-1" });
    expect(nobody.summary).toContain("outcome: <b>service</b>");
  }, 60_000);

  test("a secret in job.id is masked in the outputs, the state, the summary and the result file's name and content; post still finds the job", async () => {
    const { service, url } = await account();
    const dir = mkdtempSync(join(work, "secret-id-"));
    const secret = "tok-0123456789abcdef";
    const inputs = azure(url, specFile(dir, [{ id: "t", command: "/bin/true" }], { job: { id: "gh-{{ env.API_TOKEN }}" } }));
    const main = await runStep(dir, inputs, { API_TOKEN: secret });
    expect(main.code).toBe(0);
    const resultFile = main.outputs.result!;
    const written = [JSON.stringify(main.outputs), JSON.stringify(main.state), main.summary, resultFile, readFileSync(resultFile, "utf8"), ...readdirSync(dir)];
    expect(written.filter((w) => w.includes(secret))).toEqual([]);
    // The log: the runner masks the secret from the moment the Action tells it (before any line holds it).
    const lines = main.stdout.split("\n");
    expect(lines.findIndex((l) => l.includes(secret))).toBe(lines.indexOf(`::add-mask::${secret}`));
    const post = await runStep(dir, inputs, { API_TOKEN: secret }, main.state);
    expect(service.jobs.size).toBe(0);
    expect(post.stdout).toContain("deleted job");
    const postLines = post.stdout.split("\n");
    expect(postLines.findIndex((l) => l.includes(secret))).toBe(postLines.indexOf(`::add-mask::${secret}`));
  }, 60_000);
});

describe.skipIf(containersMissing)("mode local, killed", () => {
  test("SIGKILL of main mid-run: post removes the local service's containers, processes and data folder", async () => {
    const image = "azure-batch-run/owner-test:1.0";
    await buildBusyboxImage(image);
    const dir = mkdtempSync(join(work, "local-kill-"));
    const file = specFile(dir, [{ id: "c{{ item }}", image, command: "/bin/sh -c 'sleep 300'", forEach: { range: [1, 2] } }], {
      pool: {
        id: "gh-pool",
        vmSize: "Standard_D2s_v3",
        image: { publisher: "microsoft-dsvm", offer: "ubuntu-hpc", sku: "2404" },
        taskSlotsPerNode: 2,
        container: { type: "dockerCompatible", prefetch: [image] },
      },
    });
    const ours = () =>
      execFileSync("docker", ["ps", "--all", "--filter", "label=azure-batch-run.local=1", "--format", "{{.Names}}"], { encoding: "utf8" })
        .split("\n")
        .filter((n) => n.includes("gh-4242-1"));
    const main = await runStep(dir, { spec: file, mode: "local" }, {}, {}, (child) => {
      const poll = setInterval(() => {
        if (ours().length === 2) {
          clearInterval(poll);
          child.kill("SIGKILL");
        }
      }, 200);
      child.once("exit", () => clearInterval(poll));
    });
    expect(main.code).toBe(null);
    expect(ours()).toHaveLength(2);
    const state = JSON.parse(main.state["azure-batch-run"]!) as { localRuntimeDir: string };
    const lease = readdirSync(state.localRuntimeDir).find((n) => n.endsWith(".lease"))!;
    const { dataDir } = JSON.parse(readFileSync(join(state.localRuntimeDir, lease), "utf8").split("\n")[0]!) as { dataDir: string };
    expect(existsSync(dataDir)).toBe(true);
    const post = await runStep(dir, { spec: file, mode: "local" }, {}, main.state);
    expect(post.code).toBe(0);
    expect(post.stdout).toContain("removed what the local Batch service left: 2 container(s)");
    expect(ours()).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(state.localRuntimeDir)).toBe(false);
  }, 120_000);
});
