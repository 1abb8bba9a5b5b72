/**
 * The local Batch service at the protocol level (process executor, no Docker needed): the core's
 * requests and the service's responses validated by oav, auth, errors, limits and fault injection.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { BatchClient } from "../../shared/client/batchClient.js";
import { BatchServiceError } from "../../shared/client/errors.js";
import { runWorkload } from "../../shared/run/run.js";
import { submitTasks } from "../../shared/run/submit.js";
import { silentReporter } from "../../shared/run/reporter.js";
import { processExecutor } from "../../local-batch/runtime/executors.js";
import { LocalBatchService, type FaultOptions } from "../../local-batch/service.js";
import { batchSpecMissing } from "../helpers/requirements.js";
import { ExchangeRecorder } from "../helpers/recorder.js";
import { load } from "../helpers/specs.js";
import { until } from "../helpers/until.js";
import { recordingReporter } from "../helpers/reporter.js";

const KEY = Buffer.from("local service test key").toString("base64");
let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

async function start(options: { faults?: FaultOptions; recorder?: ExchangeRecorder; maxNodesPerPool?: number } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-local-"));
  const service = new LocalBatchService({
    accountName: "local",
    accountKey: KEY,
    dataDir,
    executor: processExecutor(),
    faults: options.faults,
    onExchange: options.recorder?.record,
    maxNodesPerPool: options.maxNodesPerPool,
  });
  const url = await service.listen();
  const client = new BatchClient({
    accountUrl: url,
    auth: { kind: "sharedKey", accountName: "local", accountKey: KEY },
    retry: { maxRetryTimeMs: 120_000, maxRetries: 20 },
  });
  toClose.push(
    () => service.close(),
    () => client.close(),
  );
  return { service, client, url, dataDir };
}

const hostTasks = (patch: Record<string, any>) => load({ pool: { container: undefined }, tasks: { defaults: { image: undefined }, ...patch } });

describe("the local Batch service", () => {
  test.skipIf(batchSpecMissing)("runs a workload; every request and response validates against the REST definition", async () => {
    const recorder = new ExchangeRecorder();
    const { client } = await start({ recorder });
    const workload = hostTasks({
      list: [
        { id: "a", command: "/bin/sh -c 'echo hello from $AZ_BATCH_TASK_ID'" },
        { id: "b", command: "/bin/sh -c 'echo to stderr >&2; exit 3'" },
        { id: "c", command: "/bin/true", dependsOn: ["a"] },
      ],
    });
    const result = await runWorkload(client, workload, silentReporter, { pollIntervalMs: 50, cleanup: "pool" });
    expect(result.outcomes.map((o) => [o.id, o.result, o.exitCode]).sort()).toEqual([
      ["a", "success", 0],
      ["b", "failure", 3],
      ["c", "success", 0],
    ]);
    expect(result.outcomes.find((o) => o.id === "b")!.stderrTail).toBe("to stderr");
    // Extra calls so that the rest of the served surface is checked too.
    await client.send("POST", "/jobs", { body: { id: "j2", poolInfo: { poolId: "missing" } }, idempotent: true }).catch(() => {});
    await client.send("GET", "/jobs/nope", { accept: [404] });
    for await (const _ of client.list("/jobs")) void _;
    for await (const _ of client.list("/pools", { query: { $select: "id,state" } })) void _;
    const { problems, operations } = await recorder.validate();
    expect(problems).toEqual([]);
    expect([...operations]).toEqual(
      expect.arrayContaining([
        "Pool_Get",
        "Pool_Add",
        "ComputeNode_List",
        "Job_Add",
        "Task_AddCollection",
        "Job_GetTaskCounts",
        "Task_List",
        "File_GetPropertiesFromTask",
        "File_GetFromTask",
        "Job_Delete",
        "Pool_Delete",
        "Job_Get",
        "Job_List",
        "Pool_List",
      ]),
    );
  });

  test("a wrong key is refused with 403 AuthenticationFailed", async () => {
    const { url } = await start();
    const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: Buffer.from("wrong").toString("base64") } });
    toClose.push(() => client.close());
    const error = (await client.send("GET", "/pools").catch((e: unknown) => e)) as BatchServiceError;
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe("AuthenticationFailed");
    expect(error.values).toContainEqual({ key: "AuthenticationErrorDetail", value: expect.stringContaining("MAC signature") });
  });

  test("errors: PoolExists, JobNotFound, unknown properties refused, more than 100 tasks refused", async () => {
    const { client } = await start();
    const pool = {
      id: "p",
      vmSize: "standard_d2s_v3",
      virtualMachineConfiguration: {
        imageReference: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
        nodeAgentSKUId: "batch.node.ubuntu 24.04",
      },
      targetDedicatedNodes: 1,
    };
    await client.send("POST", "/pools", { body: pool });
    const codeOf = async (p: Promise<unknown>) => ((await p.catch((e: unknown) => e)) as BatchServiceError).code;
    expect(await codeOf(client.send("POST", "/pools", { body: pool }))).toBe("PoolExists");
    expect(await codeOf(client.send("GET", "/jobs/none"))).toBe("JobNotFound");
    const unknown = (await client
      .send("POST", "/pools", { body: { ...pool, id: "q", networkConfiguration: {} } })
      .catch((e: unknown) => e)) as BatchServiceError;
    expect(unknown.code).toBe("InvalidRequestBody");
    expect(unknown.values).toContainEqual({ key: "PropertyName", value: "networkConfiguration" });
    await client.send("POST", "/jobs", { body: { id: "j", poolInfo: { poolId: "p" } } });
    const many = { value: Array.from({ length: 101 }, (_, i) => ({ id: `t${i}`, commandLine: "/bin/true" })) };
    expect(await codeOf(client.send("POST", "/jobs/j/addtaskcollection", { body: many }))).toBe("RequestBodyTooLarge");
    const big = { value: [{ id: "t", commandLine: "x".repeat(1024 * 1024) }] };
    expect(await codeOf(client.send("POST", "/jobs/j/addtaskcollection", { body: big }))).toBe("RequestBodyTooLarge");
    expect(await codeOf(client.send("POST", "/jobs/j/addtaskcollection", { body: { value: [{ id: "t", commandLine: "a", bogus: 1 }] } }))).toBe(
      "InvalidRequestBody",
    );
    const results = await client.json<{ value: { status: string; error?: { code: string } }[] }>("POST", "/jobs/j/addtaskcollection", {
      body: {
        value: [
          { id: "T1", commandLine: "/bin/true" },
          { id: "t1", commandLine: "/bin/true" },
        ],
      },
    });
    expect(results.value.map((r) => r.error?.code ?? r.status)).toEqual(["success", "TaskExists"]);
  });

  test.each([7, 1234, 99_991])(
    "onAllTasksComplete terminateJob at about 30 percent faults (seed %i): every one of 1,000 tasks added and run once, and the job ends after the last",
    async (seed) => {
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const { client, dataDir, service } = await start({
        faults: { throttleShare: 0.1, unavailableShare: 0.1, resetShare: 0.05, commitThenFailShare: 0.1, retryAfterMs: 5, random, atLeastOnce: true },
        maxNodesPerPool: 2,
      });
      const workload = load({
        pool: { container: undefined, taskSlotsPerNode: 8, nodes: { dedicated: 2 } },
        job: { onAllTasksComplete: "terminateJob" },
        tasks: {
          defaults: { image: undefined },
          list: [{ id: "t{{ item }}", command: "/bin/sh -c 'echo ran >> $AZ_BATCH_NODE_SHARED_DIR/$AZ_BATCH_TASK_ID.txt'", forEach: { range: [1, 1000] } }],
        },
      });
      const result = await runWorkload(client, workload, silentReporter, { pollIntervalMs: 100 });
      expect({ addFailures: result.addFailures, jobEnded: result.jobEnded, outcomes: result.outcomes.length, succeeded: result.succeeded }).toEqual({
        addFailures: [],
        jobEnded: undefined,
        outcomes: 1000,
        succeeded: true,
      });
      const runs = new Map<string, number>();
      const nodesDir = join(dataDir, "pools", "pool-1", "nodes");
      for (const node of readdirSync(nodesDir))
        for (const f of readdirSync(join(nodesDir, node, "shared")))
          runs.set(
            f,
            (runs.get(f) ?? 0) +
              readFileSync(join(nodesDir, node, "shared", f), "utf8")
                .trim()
                .split("\n").length,
          );
      expect(runs.size).toBe(1000);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      // The job ended by itself once the last task was done, not before.
      const job = service.jobs.get("job-1")!;
      expect({ state: job.state, reason: job.executionInfo.terminateReason }).toEqual({ state: "completed", reason: "AllTasksComplete" });
      const lastTaskEnd = Math.max(...[...job.tasks.values()].map((t) => Date.parse(String(t.executionInfo.endTime))));
      expect(Date.parse(String(job.executionInfo.endTime))).toBeGreaterThanOrEqual(lastTaskEnd);
      expect(service.injected.lostResponses).toEqual(expect.arrayContaining(["POST /jobs/job-1/addtaskcollection"]));
      // Every kind of fault really happened (atLeastOnce makes sure of each; the seed adds more).
      expect([service.injected.throttled, service.injected.unavailable, service.injected.resets].every((n) => n > 0)).toBe(true);
    },
    180_000,
  );

  test("terminateJob with a later chunk held back until the first chunk's tasks are all done: the job waits for it, no task is lost", async () => {
    let chunks = 0;
    const { client, service } = await start({
      faults: { delayOf: (method, path) => (method === "POST" && path.endsWith("/addtaskcollection") && ++chunks > 1 ? 4_000 : 0) },
      maxNodesPerPool: 2,
    });
    const workload = load({
      pool: { container: undefined, taskSlotsPerNode: 8, nodes: { dedicated: 2 } },
      job: { onAllTasksComplete: "terminateJob" },
      tasks: { defaults: { image: undefined }, list: [{ id: "t{{ item }}", command: "/bin/true", forEach: { range: [1, 200] } }] },
    });
    const result = await runWorkload(client, workload, silentReporter, { pollIntervalMs: 100 });
    expect({ addFailures: result.addFailures, jobEnded: result.jobEnded, outcomes: result.outcomes.length, succeeded: result.succeeded }).toEqual({
      addFailures: [],
      jobEnded: undefined,
      outcomes: 200,
      succeeded: true,
    });
    expect(service.jobs.get("job-1")!.executionInfo.terminateReason).toBe("AllTasksComplete");
  }, 60_000);

  test("the job ends while chunks are still being sent (another hand terminates it): a retried chunk that went in is found there, every task not added is reported by id, none dropped", async () => {
    let adds = 0;
    // The third chunk goes in but its answer is lost; everything after it (its retry included) waits
    // until the job has been terminated.
    const { client, service } = await start({
      faults: {
        loseResponseOf: (method, path) => method === "POST" && path.endsWith("/addtaskcollection") && ++adds === 3,
        delayOf: (method, path) => (method === "POST" && path.endsWith("/addtaskcollection") && adds >= 3 ? 1_500 : 0),
      },
    });
    const workload = load({
      pool: { container: undefined },
      job: { onAllTasksComplete: "terminateJob" },
      tasks: { defaults: { image: undefined }, list: [{ id: "t{{ item }}", command: "/bin/true", forEach: { range: [1, 1000] } }] },
    });
    const running = runWorkload(client, workload, silentReporter, { wait: false, concurrency: 2 });
    await until(
      "the third chunk's answer lost",
      () => service.injected.lostResponses.length,
      (n) => n === 1,
    );
    await client.send("POST", "/jobs/job-1/terminate", { body: { terminateReason: "ended by another hand" } });
    const result = await running;
    const job = service.jobs.get("job-1")!;
    const there = new Set([...job.tasks.values()].map((t) => t.body.id));
    const failed = result.addFailures.map((f) => f.taskId);
    // Every task is either in the job or reported, never both, never neither.
    expect(there.size + failed.length).toBe(1000);
    expect(failed.filter((id) => there.has(id))).toEqual([]);
    expect(new Set(result.addFailures.map((f) => f.code))).toEqual(new Set(["JobCompleted"]));
    expect(result.addFailures[0]!.message).toMatch(/not added: the job job-1 ended \(JobCompleted\) before this task was in it/);
    // The lost chunk's 100 tasks went in before the job ended; they are not reported as failures.
    expect(there.size).toBeGreaterThanOrEqual(300);
    expect(result.succeeded).toBe(false);
  }, 60_000);

  test("a rerun of 10,000 tasks that are all there costs at most N/1000 + N/100 + 4 requests: compared in bulk, never one GET per task", async () => {
    const recorder: { method: string; path: string }[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), "azbr-local-"));
    const service = new LocalBatchService({
      accountName: "local",
      accountKey: KEY,
      dataDir,
      executor: processExecutor(),
      onExchange: (e) => recorder.push({ method: e.method, path: new URL(e.url).pathname }),
    });
    const url = await service.listen();
    const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });
    toClose.push(
      () => service.close(),
      () => client.close(),
    );
    // No node: the tasks wait, so that the rerun finds all 10,000 where the first run put them.
    const workload = load({
      pool: { container: undefined, nodes: { dedicated: 0 } },
      tasks: { defaults: { image: undefined }, list: [{ id: "t{{ item }}", command: "/bin/true {{ item }}", forEach: { range: [1, 10_000] } }] },
    });
    const first = await submitTasks(client, workload);
    expect(first.tasks.filter((t) => t.status === "added")).toHaveLength(10_000);
    recorder.length = 0;
    const again = await submitTasks(client, workload);
    expect(again.tasks.filter((t) => t.status === "existed")).toHaveLength(10_000);
    const n = 10_000;
    expect(recorder.length).toBeLessThanOrEqual(Math.ceil(n / 1000) + Math.ceil(n / 100) + 4);
    expect(recorder.filter((r) => /\/tasks\/[^/]+$/.test(r.path))).toEqual([]);
  }, 120_000);

  test.each(["POST /pools", "POST /jobs"])(
    "the answer to %s is lost after it was carried out: the run knows it created it (its id in the metadata), and cleanup removes it",
    async (lost) => {
      let once = true;
      const { client, service } = await start({
        faults: { loseResponseOf: (method, path) => (`${method} ${path}` === lost && once ? !(once = false) : false) },
      });
      const workload = hostTasks({ list: [{ id: "a", command: "/bin/true" }] });
      const result = await runWorkload(client, workload, silentReporter, { pollIntervalMs: 50, cleanup: "pool" });
      expect(service.injected.lostResponses).toEqual([lost]);
      expect(result.succeeded).toBe(true);
      expect(result.created).toMatchObject({ pool: true, job: true });
      expect({ pools: service.pools.size, jobs: service.jobs.size }).toEqual({ pools: 0, jobs: 0 });
    },
    60_000,
  );

  test("a pool or job another run created is not taken for this run's own, even when its create meets PoolExists", async () => {
    const { client, service } = await start();
    // The job stays open for the second run's task (a waiting run's job otherwise ends with its tasks).
    const open = (list: { id: string; command: string }[]) =>
      load({ pool: { container: undefined }, job: { onAllTasksComplete: "noAction" }, tasks: { defaults: { image: undefined }, list } });
    const first = await runWorkload(client, open([{ id: "a", command: "/bin/true" }]), silentReporter, { pollIntervalMs: 50 });
    expect(first.created).toMatchObject({ pool: true, job: true });
    const second = await runWorkload(
      client,
      open([
        { id: "a", command: "/bin/true" },
        { id: "b", command: "/bin/true" },
      ]),
      silentReporter,
      { pollIntervalMs: 50, cleanup: "pool" },
    );
    expect(second.created).toMatchObject({ pool: false, job: false });
    expect(service.pools.size).toBe(1);
  }, 60_000);

  test("a rerun meets the job its first run ended once its tasks were done: nothing to add is reported as it ran; something to add is refused, saying how to keep the job open", async () => {
    const { client } = await start();
    const first = await runWorkload(client, hostTasks({ list: [{ id: "a", command: "/bin/true" }] }), silentReporter, { pollIntervalMs: 50 });
    expect(first.succeeded).toBe(true);
    await until(
      "the job to end itself",
      () => client.json<{ state: string }>("GET", "/jobs/job-1"),
      (j) => j.state === "completed",
    );
    const { reporter, lines } = recordingReporter();
    const again = await runWorkload(client, hostTasks({ list: [{ id: "a", command: "/bin/true" }] }), reporter, { pollIntervalMs: 50 });
    expect(again).toMatchObject({ succeeded: true, submitted: 0, outcomes: [{ id: "a", result: "success" }] });
    expect(lines).toContain("info: job job-1 has ended (AllTasksComplete) with every task of this spec in it: nothing to add, reporting what ran");
    const more = await runWorkload(
      client,
      hostTasks({
        list: [
          { id: "a", command: "/bin/true" },
          { id: "b", command: "/bin/true" },
        ],
      }),
      silentReporter,
      {
        pollIntervalMs: 50,
      },
    ).catch((e: unknown) => e);
    expect(String((more as Error).message)).toMatch(
      /^job job-1 already exists and is completed \(AllTasksComplete\).*keep a job open for reruns that add tasks with job\.onAllTasksComplete: noAction/,
    );
  }, 60_000);

  test("with 10% 429/503, resets and commit-then-fail, 1,000 tasks each run exactly once", async () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const { client, dataDir, service } = await start({
      faults: { throttleShare: 0.05, unavailableShare: 0.05, resetShare: 0.02, commitThenFailShare: 0.1, retryAfterMs: 10, random, atLeastOnce: true },
      maxNodesPerPool: 2,
    });
    const workload = load({
      pool: { container: undefined, taskSlotsPerNode: 8, nodes: { dedicated: 2 } },
      tasks: {
        defaults: { image: undefined },
        list: [{ id: "t{{ item }}", command: "/bin/sh -c 'echo ran >> $AZ_BATCH_NODE_SHARED_DIR/$AZ_BATCH_TASK_ID.txt'", forEach: { range: [1, 1000] } }],
      },
    });
    const result = await runWorkload(client, workload, silentReporter, { pollIntervalMs: 100 });
    expect(result.addFailures).toEqual([]);
    expect(result.outcomes).toHaveLength(1000);
    expect(result.succeeded).toBe(true);
    // Each task wrote one line per run; count the files and the lines across the nodes.
    const runs = new Map<string, number>();
    const nodesDir = join(dataDir, "pools", "pool-1", "nodes");
    const { readFileSync } = await import("node:fs");
    for (const node of readdirSync(nodesDir)) {
      for (const f of readdirSync(join(nodesDir, node, "shared"))) {
        const lines = readFileSync(join(nodesDir, node, "shared", f), "utf8")
          .trim()
          .split("\n").length;
        runs.set(f, (runs.get(f) ?? 0) + lines);
      }
    }
    // The faults really happened, including lost responses to task additions.
    expect(service.injected.throttled).toBeGreaterThan(0);
    expect(service.injected.unavailable).toBeGreaterThan(0);
    expect(service.injected.resets).toBeGreaterThan(0);
    expect(service.injected.lostResponses).toEqual(expect.arrayContaining(["POST /pools", "POST /jobs", "POST /jobs/job-1/addtaskcollection"]));
    expect(runs.size).toBe(1000);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);
});
