/** `submitTasks`, what events do: idempotent, concurrent-safe, never waiting for nodes, clear about ended jobs. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { BatchServiceError, classifyError, ConflictError, getJobStatus, jobGenerationId, loadSpecObject, submitTasks, terminateJob } from "azure-batch-run";
import { localAccount } from "../../helpers/localAccount.js";
import { until } from "../../helpers/until.js";

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

function workload(extra: { startTask?: unknown; command?: string } = {}) {
  return loadSpecObject(
    {
      pool: {
        id: "events",
        vmSize: "Standard_D2s_v3",
        image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
        nodes: { dedicated: 1 },
        ...(extra.startTask ? { startTask: extra.startTask } : {}),
      },
      job: { id: "ingest" },
      tasks: { list: [{ id: "blob-1", command: extra.command ?? "/bin/sh -c 'echo ran >> \"$AZ_BATCH_NODE_SHARED_DIR/runs.txt\"'" }] },
    },
    { env: {} },
  );
}

describe("submitTasks", () => {
  test("the same task three times, concurrently: added once, then existed twice; it runs once", async () => {
    const { local, client } = await localAccount(toClose);
    const w = workload();
    const results = await Promise.all([submitTasks(client, w, w.tasks), submitTasks(client, w, w.tasks), submitTasks(client, w, w.tasks)]);
    expect(results.map((r) => r.tasks[0]!.status).sort()).toEqual(["added", "existed", "existed"]);
    expect(results.filter((r) => r.created.pool)).toHaveLength(1);
    expect(results.filter((r) => r.created.job)).toHaveLength(1);
    expect(results.every((r) => r.jobId === "ingest")).toBe(true);
    expect(local.service.jobs.get("ingest")!.tasks.size).toBe(1);

    await until(
      "the task to complete",
      () => getJobStatus(client, "ingest"),
      (s) => s.counts.completed === 1,
    );
    const node = local.service.pools.get("events")!.nodes[0]!;
    expect(readFileSync(join(node.dirs!.shared, "runs.txt"), "utf8")).toBe("ran\n");
  });

  test("a task of the same id but different content is failed with TaskExists, not silently taken as done", async () => {
    const { client } = await localAccount(toClose);
    const w = workload();
    await submitTasks(client, w, w.tasks);
    const other = workload({ command: "/bin/sh -c 'echo something else'" });
    const result = await submitTasks(client, other, other.tasks);
    expect(result.tasks).toEqual([{ id: "blob-1", status: "failed", code: "TaskExists", reason: expect.stringContaining("a different task with this id") }]);
  });

  test("against a terminated job: Batch refuses new tasks, so it is a clear error, or a fresh job when asked", async () => {
    const { local, client } = await localAccount(toClose);
    const w = workload({ command: "/bin/sh -c 'exit 0'" });
    await submitTasks(client, w, w.tasks);
    expect(await terminateJob(client, "ingest")).toBe("terminated");

    // What the docs say: "Once a Job is terminated, new Tasks cannot be added".
    const direct = await client
      .send("POST", "/jobs/ingest/addtaskcollection", { body: { value: [{ id: "x", commandLine: "true" }] }, idempotent: true })
      .catch((e) => e);
    expect(direct).toBeInstanceOf(BatchServiceError);
    expect(direct).toMatchObject({ statusCode: 409, code: "JobCompleted" });

    // Default: an error naming the job and its state; nothing added.
    const refused = await submitTasks(client, w, w.tasks).catch((e) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused.message).toMatch(
      /^job ingest already exists and is completed \(Terminated by azure-batch-run\): Batch adds no tasks to a job that has ended/,
    );
    expect(refused.message).toContain('ifJobEnded: "newJob"');
    expect(classifyError(refused)).toBe("usage");
    expect(local.service.jobs.get("ingest")!.tasks.size).toBe(1);

    // Asked for: the next generation of the job, the same one for every later event while it is active.
    const fresh = await submitTasks(client, w, w.tasks, { ifJobEnded: "newJob" });
    expect(fresh).toMatchObject({ jobId: "ingest-2", created: { pool: false, job: true }, tasks: [{ id: "blob-1", status: "added" }] });
    const again = await submitTasks(client, w, w.tasks, { ifJobEnded: "newJob" });
    expect(again).toMatchObject({ jobId: "ingest-2", created: { job: false }, tasks: [{ id: "blob-1", status: "existed" }] });
    await terminateJob(client, "ingest-2");
    const third = await submitTasks(client, w, w.tasks, { ifJobEnded: "newJob" });
    expect(third).toMatchObject({ jobId: "ingest-3", created: { job: true }, tasks: [{ id: "blob-1", status: "added" }] });
    expect([...local.service.jobs.keys()].sort()).toEqual(["ingest", "ingest-2", "ingest-3"]);
  });

  test("generation ids stay valid Batch ids", () => {
    const long = "j".repeat(64);
    expect(jobGenerationId("ingest", 1)).toBe("ingest");
    expect(jobGenerationId("ingest", 12)).toBe("ingest-12");
    expect(jobGenerationId(long, 2)).toHaveLength(64);
    expect(jobGenerationId(long, 2).endsWith("j-2")).toBe(true);
  });

  test("with a pool whose nodes are not ready yet it returns at once; the task waits on Batch's side", async () => {
    const { local, client } = await localAccount(toClose);
    // The start task holds the only node in waitingforstarttask far longer than the test runs.
    const w = workload({ startTask: { command: "/bin/sh -c 'sleep 300'" } });
    const result = await submitTasks(client, w, w.tasks);
    expect(result).toMatchObject({ jobId: "ingest", created: { pool: true, job: true }, tasks: [{ id: "blob-1", status: "added" }] });
    const pool = local.service.pools.get("events")!;
    await until(
      "the node to start its start task",
      () => pool.nodes[0]!.state,
      (s) => s === "waitingforstarttask",
    );
    expect(local.service.jobs.get("ingest")!.tasks.get("blob-1")!.state).toBe("active");
    // afterEach closes the service, which ends the start task (it would otherwise hold close for 300 s).
  });
});
