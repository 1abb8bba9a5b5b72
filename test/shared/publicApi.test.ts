/**
 * The core as its wrappers see it: everything through `azure-batch-run` (package.json `exports`),
 * against the local Batch service. The service itself is the test's harness, not the API.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import * as api from "azure-batch-run";
import { classifyError, cleanup, getJobStatus, loadSpecObject, plan, runWorkload, SpecError, submitTasks, terminateJob } from "azure-batch-run";
import { localAccount } from "../helpers/localAccount.js";
import { recordingReporter } from "../helpers/reporter.js";

const run = promisify(execFile);
const ROOT = new URL("../..", import.meta.url).pathname;

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

/** A host-process workload (the local service's process executor runs it). */
function spec(tasks: { id: string; command: string }[]) {
  return {
    pool: {
      id: "api-pool",
      vmSize: "Standard_D2s_v3",
      image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
      nodes: { dedicated: 1 },
      taskSlotsPerNode: 2,
    },
    // Kept active after the run (a waiting run's job otherwise ends with its tasks): more are submitted to it below.
    job: { id: "api-job", onAllTasksComplete: "noAction" },
    tasks: { list: tasks },
  };
}

describe("the public API", () => {
  test("plan, run, submit, status, terminate and cleanup, all through azure-batch-run", async () => {
    const { local, client } = await localAccount(toClose);
    const workload = loadSpecObject(
      spec([
        { id: "a", command: "/bin/sh -c 'echo a'" },
        { id: "b", command: "/bin/sh -c 'echo b'" },
      ]),
      { env: {} },
    );

    expect(plan(workload).map((c) => c.operation)).toEqual(["Pool_Add", "Job_Add", "Task_AddCollection"]);

    const { reporter, outcomes } = recordingReporter();
    const result = await runWorkload(client, workload, reporter, { pollIntervalMs: 50 });
    expect(result.succeeded).toBe(true);
    expect(result.created).toEqual({ pool: true, job: true });
    expect(outcomes.map((o) => `${o.id}:${o.result}`).sort()).toEqual(["a:success", "b:success"]);

    const status = await getJobStatus(client, "api-job");
    expect(status).toMatchObject({ jobId: "api-job", state: "active", poolId: "api-pool", counts: { completed: 2, succeeded: 2, failed: 0 } });

    const more = loadSpecObject(spec([{ id: "c", command: "/bin/sh -c 'echo c'" }]), { env: {} });
    const submitted = await submitTasks(client, more, more.tasks);
    expect(submitted).toEqual({ jobId: "api-job", poolId: "api-pool", created: { pool: false, job: false }, tasks: [{ id: "c", status: "added" }] });
    expect(local.service.jobs.get("api-job")!.tasks.has("c")).toBe(true);

    expect(await terminateJob(client, "api-job", { reason: "done here" })).toBe("terminated");
    expect(await terminateJob(client, "api-job")).toBe("alreadyEnded");
    expect(await getJobStatus(client, "api-job")).toMatchObject({ state: "completed", terminateReason: "done here" });

    const cleaned = await cleanup(client, { jobId: result.jobId, poolId: result.created.pool ? result.poolId : undefined }, reporter);
    expect(cleaned).toEqual({ deleted: ["job api-job", "pool api-pool"], failed: [], kept: [] });
    expect(local.service.jobs.size).toBe(0);
    expect(local.service.pools.size).toBe(0);
    expect(await terminateJob(client, "api-job")).toBe("notFound");
  });

  test("every error category comes from one classifier", () => {
    const invalid = (() => {
      try {
        loadSpecObject({ pool: {} }, { env: {} });
      } catch (error) {
        return error;
      }
    })();
    expect(invalid).toBeInstanceOf(SpecError);
    expect(classifyError(invalid)).toBe("usage");
    expect(classifyError(new api.UsageError("x"))).toBe("usage");
    expect(classifyError(new api.ConflictError("x"))).toBe("usage");
    expect(classifyError(new api.TasksFailedError("x"))).toBe("task");
    expect(classifyError(new api.CancelledError("x"))).toBe("cancelled");
    expect(classifyError(Object.assign(new Error("aborted"), { name: "AbortError" }))).toBe("cancelled");
    expect(classifyError(Object.assign(new Error("no token"), { name: "CredentialUnavailableError" }))).toBe("auth");
    expect(classifyError(new api.PoolNotReadyError("x"))).toBe("service");
    expect(classifyError(new api.TransportError("reset", "ECONNRESET", false))).toBe("service");
    const forbidden = new api.BatchServiceError({
      statusCode: 403,
      body: { code: "AuthorizationFailure", message: { value: "no" } },
      method: "GET",
      path: "/pools",
    });
    expect(classifyError(forbidden)).toBe("auth");
    const busy = new api.BatchServiceError({ statusCode: 503, body: { code: "ServerBusy", message: { value: "busy" } }, method: "GET", path: "/pools" });
    expect(classifyError(busy)).toBe("service");
  });

  test("exports name one entry; nothing under shared/ is reachable another way, and the built bundle exports what the source does", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(Object.keys(pkg.exports)).toEqual([".", "./package.json"]);
    expect(pkg.exports["."]).toEqual({ types: "./shared/index.ts", source: "./shared/index.ts", default: "./dist/lib/index.js" });
    // Plain Node, default conditions: the bundle, and the only way in.
    const probe = `
      const lib = await import("azure-batch-run");
      const refused = [];
      for (const p of ["azure-batch-run/shared/run/run.js", "azure-batch-run/shared/index.ts", "azure-batch-run/dist/lib/index.js", "azure-batch-run/local-batch/start.js"]) {
        try { await import(p); refused.push(p + " LOADED"); } catch (e) { refused.push(e.code); }
      }
      console.log(JSON.stringify({ names: Object.keys(lib).sort(), refused }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", probe], { cwd: ROOT });
    const out = JSON.parse(stdout);
    expect(out.refused).toEqual(Array(4).fill("ERR_PACKAGE_PATH_NOT_EXPORTED"));
    expect(out.names).toEqual(Object.keys(api).sort());
    expect(out.names).toEqual(
      expect.arrayContaining([
        "loadSpec",
        "loadSpecObject",
        "plan",
        "runWorkload",
        "submitTasks",
        "getJobStatus",
        "terminateJob",
        "cleanup",
        "createBatchClient",
        "classifyError",
      ]),
    );
  });
});
