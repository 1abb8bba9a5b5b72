/**
 * The local Batch service driven by Microsoft's own client, `@azure/batch` (BatchServiceClient,
 * Shared Key): pools, nodes, resize, jobs, tasks, files, task counts and job schedules, the calls
 * an existing Batch program makes. A conformance check of the service beyond this project's client.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BatchServiceClient, BatchSharedKeyCredentials } from "@azure/batch";
import { startLocalBatch, type StartedLocalBatch } from "../../local-batch/start.js";
import { until } from "../helpers/until.js";

let local: StartedLocalBatch;
let sdk: BatchServiceClient;

beforeAll(async () => {
  local = await startLocalBatch({ executor: "process", maxNodesPerPool: 2 });
  sdk = new BatchServiceClient(new BatchSharedKeyCredentials(local.accountName, local.accountKey), local.accountUrl);
  // @azure/batch 10 is generated from 2024-07-01.20.0 and reads that version's wire format (int64s as numbers).
  sdk.apiVersion = "2024-07-01.20.0";
});
afterAll(async () => {
  await local?.close();
});

const image = { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" };

describe("@azure/batch against the local service", () => {
  test("pools: add, exists, get (as the REST definition spells it), list, nodes, resize (new nodes run the start task), delete", async () => {
    await sdk.pool.add({
      id: "sdk-pool",
      vmSize: "standard_d2s_v3",
      virtualMachineConfiguration: { imageReference: image, nodeAgentSKUId: "batch.node.ubuntu 24.04" },
      targetDedicatedNodes: 1,
      startTask: { commandLine: "/bin/sh -c 'echo started > $AZ_BATCH_NODE_SHARED_DIR/started'", waitForSuccess: true },
    });
    expect((await sdk.pool.exists("sdk-pool")).body).toBe(true);
    expect((await sdk.pool.exists("no-such-pool")).body).toBe(false);
    const pool = await sdk.pool.get("sdk-pool");
    expect(pool.taskSchedulingPolicy?.nodeFillType).toBe("spread");
    expect((await sdk.pool.list()).map((p) => p.id)).toContain("sdk-pool");
    const idle = (nodes: { state?: string; startTaskInfo?: { result?: string } }[], n: number) =>
      nodes.length === n && nodes.every((x) => x.state === "idle" && x.startTaskInfo?.result === "success");
    await until(
      "one idle node that ran the start task",
      async () => [...(await sdk.computeNode.list("sdk-pool"))],
      (nodes) => idle(nodes, 1),
    );
    await sdk.pool.resize("sdk-pool", { targetDedicatedNodes: 2 });
    const nodes = await until(
      "two idle nodes, both through the start task",
      async () => [...(await sdk.computeNode.list("sdk-pool"))],
      (n) => idle(n, 2),
    );
    expect(nodes.map((n) => n.startTaskInfo?.exitCode)).toEqual([0, 0]);
  });

  test("jobs and tasks: add, addCollection, list, get, files, task counts, terminate, delete", async () => {
    await sdk.job.add({ id: "sdk-job", poolInfo: { poolId: "sdk-pool" } });
    expect((await sdk.job.get("sdk-job")).state).toBe("active");
    expect((await sdk.job.list()).map((j) => j.id)).toContain("sdk-job");
    await sdk.task.add("sdk-job", { id: "one", commandLine: "/bin/sh -c 'echo one'" });
    const collection = await sdk.task.addCollection("sdk-job", [
      { id: "two", commandLine: "/bin/sh -c 'echo two'" },
      { id: "three", commandLine: "/bin/sh -c 'exit 3'" },
    ]);
    expect(collection.value?.map((r) => `${r.taskId}:${r.status}`)).toEqual(["two:success", "three:success"]);
    const tasks = await until(
      "three completed tasks",
      async () => [...(await sdk.task.list("sdk-job"))],
      (t) => t.length === 3 && t.every((x) => x.state === "completed"),
    );
    expect(Object.fromEntries(tasks.map((t) => [t.id, t.executionInfo?.exitCode]))).toEqual({ one: 0, two: 0, three: 3 });
    expect((await sdk.task.get("sdk-job", "three")).executionInfo?.failureInfo?.code).toBe("FailureExitCode");
    const files = [...(await sdk.file.listFromTask("sdk-job", "two"))].map((f) => f.name);
    expect(files).toEqual(expect.arrayContaining(["stdout.txt", "stderr.txt"]));
    const stdout = await sdk.file.getFromTask("sdk-job", "two", "stdout.txt");
    expect(await new Response(stdout.readableStreamBody as unknown as ReadableStream).text()).toBe("two\n");
    const counts = await sdk.job.getTaskCounts("sdk-job");
    expect({ completed: counts.taskCounts.completed, succeeded: counts.taskCounts.succeeded, failed: counts.taskCounts.failed }).toEqual({
      completed: 3,
      succeeded: 2,
      failed: 1,
    });
    await sdk.job.terminate("sdk-job");
    expect(
      (
        await until(
          "the job completed",
          () => sdk.job.get("sdk-job"),
          (j) => j.state === "completed",
        )
      ).state,
    ).toBe("completed");
    await sdk.job.deleteMethod("sdk-job");
  });

  test("job schedules: add, exists (HEAD), get, list, delete", async () => {
    await sdk.jobSchedule.add({ id: "sdk-schedule", schedule: { recurrenceInterval: "P1D" }, jobSpecification: { poolInfo: { poolId: "sdk-pool" } } });
    expect((await sdk.jobSchedule.exists("sdk-schedule")).body).toBe(true);
    expect((await sdk.jobSchedule.exists("no-such-schedule")).body).toBe(false);
    expect((await sdk.jobSchedule.get("sdk-schedule")).schedule?.recurrenceInterval).toBe("P1D");
    expect((await sdk.jobSchedule.list()).map((s) => s.id)).toContain("sdk-schedule");
    await sdk.jobSchedule.deleteMethod("sdk-schedule");
    expect((await sdk.jobSchedule.exists("sdk-schedule")).body).toBe(false);
    await sdk.pool.deleteMethod("sdk-pool");
    expect((await sdk.pool.exists("sdk-pool")).body).toBe(false);
  });
});
