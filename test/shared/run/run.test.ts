/** `runWorkload` against a scripted service: the calls it makes, in order, and what it reports. */
import { afterEach, describe, expect, test } from "vitest";
import { BatchClient } from "../../../shared/client/batchClient.js";
import { runWorkload } from "../../../shared/run/run.js";
import { CancelledError, ConflictError, PoolNotReadyError } from "../../../shared/run/errors.js";
import type { ProgressReporter, TaskOutcome } from "../../../shared/run/reporter.js";
import { translatePool } from "../../../shared/translate/pool.js";
import { batchSpecMissing } from "../../helpers/requirements.js";
import { validateCall } from "../../helpers/oav.js";
import { startScriptedBatch } from "../../helpers/scriptedBatch.js";
import { load } from "../../helpers/specs.js";

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

function recordingReporter() {
  const events: string[] = [];
  const outcomes: TaskOutcome[] = [];
  const reporter: ProgressReporter = {
    info: (m) => events.push(`info ${m}`),
    warn: (m) => events.push(`warn ${m}`),
    progress: (c, total) => events.push(`progress ${c.completed}/${total}`),
    taskCompleted: (o) => outcomes.push(o),
  };
  return { reporter, events, outcomes };
}

async function setup(script: Parameters<typeof startScriptedBatch>[0] = {}) {
  const service = await startScriptedBatch(script);
  const client = new BatchClient({
    accountUrl: service.url,
    auth: { kind: "sharedKey", accountName: "acct", accountKey: Buffer.from("key").toString("base64") },
  });
  toClose.push(
    () => service.close(),
    () => client.close(),
  );
  return { service, client };
}

const twelveTasks = { tasks: { list: [{ id: "t{{ item }}", command: "/app/run {{ item }}", forEach: { range: [1, 12] } }] } };

describe("runWorkload", () => {
  test("creates the pool, waits until steady, creates the job, adds tasks, follows them with counts and filtered lists", async () => {
    const { service, client } = await setup({ completePerPoll: 5, pageSize: 4 });
    const { reporter, outcomes, events } = recordingReporter();
    const result = await runWorkload(client, load(twelveTasks), reporter, { pollIntervalMs: 5 });
    expect(result.succeeded).toBe(true);
    expect(outcomes.map((o) => o.id).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `t${i + 1}`).sort());
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(12);
    expect(events).toContain("info created pool pool-1 (Standard_D2s_v3)");

    const calls = service.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls.slice(0, 4)).toEqual(["GET /pools/pool-1", "GET /supportedimages", "POST /pools", "GET /pools/pool-1"]);
    expect(calls.indexOf("POST /jobs")).toBeGreaterThan(calls.lastIndexOf("GET /pools/pool-1/nodes"));
    // Never one GET per task: task state comes from counts and filtered, $selected lists.
    expect(calls.filter((c) => /\/tasks\/[^/]+$/.test(c))).toEqual([]);
    const lists = service.requests.filter((r) => r.path === "/jobs/job-1/tasks" && r.query.get("$select"));
    expect(lists.length).toBeGreaterThan(0);
    for (const l of lists) {
      expect(l.query.get("$select")).toBe("id,stateTransitionTime,executionInfo,nodeInfo");
      expect(l.query.get("$filter")).toMatch(/^state eq 'completed'/);
    }
    expect(lists.some((l) => /stateTransitionTime ge datetime'/.test(l.query.get("$filter")!))).toBe(true);
    expect(service.requests.every((r) => /^SharedKey acct:/.test(String(r.headers.authorization)))).toBe(true);
  });

  test.skipIf(batchSpecMissing)("every request it sends validates against the REST definition", async () => {
    const { service, client } = await setup({ completePerPoll: 7, exitCodeOf: (id) => (id === "t3" ? 2 : 0) });
    await runWorkload(client, load(twelveTasks), recordingReporter().reporter, { pollIntervalMs: 5, cleanup: "job" });
    const operations = new Set<string>();
    for (const r of service.requests) {
      const { request } = await validateCall({
        method: r.method,
        path: r.path,
        query: Object.fromEntries(r.query),
        body: r.json,
        headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)])),
      });
      expect({ call: `${r.method} ${r.path}`, errors: request.errors }).toEqual({ call: `${r.method} ${r.path}`, errors: [] });
      operations.add(request.operationId!);
    }
    expect([...operations].sort()).toEqual(
      [
        "Account_ListSupportedImages",
        "ComputeNode_List",
        "File_GetFromTask",
        "File_GetPropertiesFromTask",
        "Job_Add",
        "Job_Delete",
        "Job_Get",
        "Job_GetTaskCounts",
        "Job_Patch",
        "Pool_Add",
        "Pool_Get",
        "Task_AddCollection",
        "Task_Get",
        "Task_List",
      ].sort(),
    );
  });

  test("a failed task is reported with exit code, failure info and the tail of its logs", async () => {
    const { client } = await setup({ exitCodeOf: (id) => (id === "t2" ? 3 : 0) });
    const { reporter } = recordingReporter();
    const result = await runWorkload(
      client,
      load({
        tasks: {
          list: [
            { id: "t1", command: "a" },
            { id: "t2", command: "b" },
          ],
        },
      }),
      reporter,
      { pollIntervalMs: 5 },
    );
    expect(result.succeeded).toBe(false);
    const failed = result.outcomes.find((o) => o.id === "t2")!;
    expect(failed).toMatchObject({ result: "failure", exitCode: 3, durationMs: 3000, failure: { category: "usererror", code: "FailureExitCode" } });
    expect(failed.stderrTail).toBe("line 1\nthe last line of stderr.txt for t2");
    expect(failed.stdoutTail).toBe("line 1\nthe last line of stdout.txt for t2");
    expect(result.outcomes.find((o) => o.id === "t1")!.stderrTail).toBeUndefined();
  });

  test("reuses a matching pool; refuses one that differs, naming the fields, before creating anything", async () => {
    const wanted = translatePool(load());
    const same = await setup({ existingPool: { ...wanted } });
    const ok = await runWorkload(same.client, load(), recordingReporter().reporter, { pollIntervalMs: 5 });
    expect(ok.succeeded).toBe(true);
    expect(same.service.requests.some((r) => r.method === "POST" && r.path === "/pools")).toBe(false);

    const differs = await setup({ existingPool: { ...wanted, vmSize: "Standard_D8s_v3", taskSlotsPerNode: 4 } });
    const error = await runWorkload(differs.client, load(), recordingReporter().reporter).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('vmSize: wanted "standard_d2s_v3", found "standard_d8s_v3"');
    expect((error as Error).message).toContain("taskSlotsPerNode: wanted 1, found 4");
    expect(differs.service.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  test("nodes whose start task failed are a clear error, not an endless wait", async () => {
    const { client } = await setup({ nodeState: "starttaskfailed" });
    const error = await runWorkload(client, load(), recordingReporter().reporter, { pollIntervalMs: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolNotReadyError);
    expect((error as Error).message).toMatch(/tvm-1: start task failed \(exit code 3, FailureExitCode/);
  });

  test("a rerun with the same job id adds nothing new and still reports every task", async () => {
    const { service, client } = await setup();
    await runWorkload(client, load(twelveTasks), recordingReporter().reporter, { pollIntervalMs: 5 });
    const { reporter, events } = recordingReporter();
    const again = await runWorkload(client, load(twelveTasks), reporter, { pollIntervalMs: 5 });
    expect(again.succeeded).toBe(true);
    expect(again.outcomes).toHaveLength(12);
    expect(events).toContain("info tasks: 0 added, 12 already there");
    expect(service.jobs.get("job-1")!.tasks.size).toBe(12);
  });

  test("a reused job's other tasks are not waited for or reported", async () => {
    const { client } = await setup();
    await runWorkload(client, load(twelveTasks), recordingReporter().reporter, { pollIntervalMs: 5 });
    const fewer = { tasks: { list: [{ id: "t{{ item }}", command: "/app/run {{ item }}", forEach: { range: [1, 3] } }] } };
    const again = await runWorkload(client, load(fewer), recordingReporter().reporter, { pollIntervalMs: 5 });
    expect(again.outcomes.map((o) => o.id).sort()).toEqual(["t1", "t2", "t3"]);
  });

  test("cleanup: job deletes the job; pool deletes the pool only when this run created it", async () => {
    const { service, client } = await setup();
    await runWorkload(client, load(), recordingReporter().reporter, { pollIntervalMs: 5, cleanup: "pool" });
    expect(service.jobs.size).toBe(0);
    expect(service.pools.size).toBe(0);

    const reused = await setup({ existingPool: translatePool(load()) as any });
    const { reporter, events } = recordingReporter();
    await runWorkload(reused.client, load(), reporter, { pollIntervalMs: 5, cleanup: "pool" });
    expect(reused.service.pools.size).toBe(1);
    expect(events).toContain("warn kept pool pool-1: this run reused it rather than creating it");
  });

  test("cancellation terminates the job", async () => {
    const { service, client } = await setup({ completePerPoll: 0 });
    const controller = new AbortController();
    const { reporter, events } = recordingReporter();
    const running = runWorkload(client, load(), reporter, { pollIntervalMs: 20, signal: controller.signal }).catch((e: unknown) => e);
    while (!service.requests.some((r) => r.path.endsWith("/taskcounts"))) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("SIGINT"));
    expect(await running).toBeInstanceOf(CancelledError);
    const terminate = service.requests.find((r) => r.path === "/jobs/job-1/terminate");
    expect(terminate?.json).toEqual({ terminateReason: "Cancelled by azure-batch-run" });
    expect(service.jobs.get("job-1")!.state).toBe("completed");
    expect(events).toContain("warn cancelled: job job-1 terminated");
  });
});

describe("the message for a job that has ended", () => {
  test("names the var the spec makes the job id from, rather than suggesting a template it already has", async () => {
    const { jobEndedError } = await import("../../../shared/run/ensureJob.js");
    const ended = { created: false, ended: "completed", terminateReason: "AllTasksComplete" };
    expect(jobEndedError("render-7", ended, undefined, "render-{{ vars.run }}").message).toBe(
      "job render-7 already exists and is completed (AllTasksComplete): Batch adds no tasks to a job that has ended; give vars.run another value (--var run=<new>, or the Action's vars input) for a new job or delete the job",
    );
    expect(jobEndedError("render", ended, undefined, "render").message).toContain('use another job id (e.g. job.id: "name-{{ vars.run }}")');
  });
});
