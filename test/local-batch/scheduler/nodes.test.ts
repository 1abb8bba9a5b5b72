/**
 * The local service's nodes as Batch's behave: resize down and `removenodes` with each
 * `nodeDeallocationOption`, `reboot` and `reimage` of a node, and node ids never reused. Every
 * exchange is checked against the REST definition afterwards.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { CloudTask, ComputeNode } from "../../../shared/batch/types.js";
import { BatchClient } from "../../../shared/client/batchClient.js";
import { processExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService } from "../../../local-batch/service.js";
import { ExchangeRecorder } from "../../helpers/recorder.js";
import { batchSpecMissing, requirement } from "../../helpers/requirements.js";
import { until } from "../../helpers/until.js";

const KEY = Buffer.from("nodes key").toString("base64");
let toClose: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

async function start() {
  const dataDir = mkdtempSync(join(tmpdir(), "azbr-nodes-"));
  const recorder = new ExchangeRecorder();
  const service = new LocalBatchService({
    accountName: "local",
    accountKey: KEY,
    dataDir,
    executor: processExecutor(),
    maxNodesPerPool: 3,
    onExchange: recorder.record,
  });
  const url = await service.listen();
  const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });
  toClose.push(
    () => rmSync(dataDir, { recursive: true, force: true }),
    () => service.close(),
    () => client.close(),
  );
  return { client, dataDir, recorder };
}

const POOL = (id: string, nodes: number) => ({
  id,
  vmSize: "standard_d2s_v3",
  virtualMachineConfiguration: {
    imageReference: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
    nodeAgentSKUId: "batch.node.ubuntu 24.04",
  },
  targetDedicatedNodes: nodes,
  // The start task leaves a mark on the node: a reboot runs it again, a reimage on fresh folders.
  startTask: { commandLine: "/bin/sh -c 'echo started >> $AZ_BATCH_NODE_STARTUP_DIR/marks'", waitForSuccess: true },
});

type Client = BatchClient;
const nodes = (c: Client, pool: string) => c.json<{ value: ComputeNode[] }>("GET", `/pools/${pool}/nodes`).then((r) => r.value);
const pool = (c: Client, id: string) => c.json<{ allocationState: string; targetDedicatedNodes: number; currentDedicatedNodes: number }>("GET", `/pools/${id}`);
const task = (c: Client, job: string, id: string) => c.json<CloudTask>("GET", `/jobs/${job}/tasks/${id}`);
const idle = (n: ComputeNode[], count: number) => n.length === count && n.every((x) => x.state === "idle");

/** A pool with `count` idle nodes and a job on it. */
async function poolWithJob(c: Client, id: string, count: number) {
  await c.send("POST", "/pools", { body: POOL(id, count) });
  const ready = await until(
    `${count} idle nodes in ${id}`,
    () => nodes(c, id),
    (n) => idle(n, count),
  );
  await c.send("POST", "/jobs", { body: { id: `${id}-job`, poolInfo: { poolId: id } } });
  return ready;
}

/**
 * Adds tasks and waits until each runs; returns the node each runs on. `seconds` is how long each
 * runs; `once`, a file, makes a task run long only the first time (a requeued one then ends at once).
 */
async function busy(c: Client, job: string, ids: string[], seconds = 30, once?: string): Promise<Map<string, string>> {
  const command = once ? `/bin/sh -c 'if [ -e ${once} ]; then exit 0; fi; touch ${once}; sleep ${seconds}'` : `/bin/sh -c 'sleep ${seconds}'`;
  await c.send("POST", `/jobs/${job}/addtaskcollection`, { body: { value: ids.map((id) => ({ id, commandLine: command })) } });
  const running = await until(
    `${ids.join(", ")} running`,
    () => Promise.all(ids.map((id) => task(c, job, id))),
    (ts) => ts.every((t) => t.state === "running"),
  );
  return new Map(running.map((t) => [t.id!, t.nodeInfo!.nodeId!]));
}

/** Every exchange valid; `sentBad` names the request problems a test caused on purpose (the answers must still be valid). */
async function expectValidExchanges(recorder: ExchangeRecorder, sentBad?: RegExp) {
  if (batchSpecMissing) return;
  const { problems, operations } = await recorder.validate();
  expect(problems.filter((p) => !(sentBad && p.startsWith("request ") && sentBad.test(p)))).toEqual([]);
  return operations;
}

// The tasks are POSIX shell command lines.
const shellMissing = requirement("a POSIX shell (/bin/sh) for the tasks' command lines", process.platform !== "win32");

describe.skipIf(shellMissing)("local service: nodes", () => {
  test("resize down with requeue: the task on the leaving node runs again on another; the removed node's folder is gone", async () => {
    const { client: c, dataDir, recorder } = await start();
    await poolWithJob(c, "rq", 2);
    // One long task on one node, a short one on the other; the long one's node is busier, so the idle one goes first.
    const where = await busy(c, "rq-job", ["long"], 30, join(dataDir, "ran-once"));
    const busyNode = where.get("long")!;
    await c.send("POST", "/pools/rq/resize", { body: { targetDedicatedNodes: 1, nodeDeallocationOption: "requeue" } });
    await until(
      "the pool steady with one node",
      () => pool(c, "rq"),
      (p) => p.allocationState === "steady" && p.currentDedicatedNodes === 1,
    );
    // Idle nodes leave first: the task keeps running where it was.
    expect((await nodes(c, "rq")).map((n) => n.id)).toEqual([busyNode]);
    // Now remove the busy node with requeue: the task stops there and goes back to active.
    await c.send("POST", "/pools/rq/resize", { body: { targetDedicatedNodes: 2 } });
    await until(
      "two idle-or-running nodes",
      () => nodes(c, "rq"),
      (n) => n.length === 2 && n.every((x) => x.state === "idle" || x.state === "running"),
    );
    await until(
      "the pool steady",
      () => pool(c, "rq"),
      (p) => p.allocationState === "steady",
    );
    await c.send("POST", "/pools/rq/removenodes", { body: { nodeList: [busyNode] } });
    const done = await until(
      "long completed on the other node",
      () => task(c, "rq-job", "long"),
      (t) => t.state === "completed",
      30_000,
    );
    expect(done.executionInfo).toMatchObject({ result: "success", exitCode: 0, requeueCount: 1 });
    expect(done.nodeInfo?.nodeId).not.toBe(busyNode);
    // Steady once the node has gone, its folder with it.
    expect(
      await until(
        "the pool steady with one node",
        () => pool(c, "rq"),
        (p) => p.allocationState === "steady",
      ),
    ).toMatchObject({ targetDedicatedNodes: 1, currentDedicatedNodes: 1 });
    expect(existsSync(join(dataDir, "pools", "rq", "nodes", busyNode))).toBe(false);
    await expectValidExchanges(recorder);
  });

  test("resize down with terminate: the running task completes as ended and does not run again", async () => {
    const { client: c, recorder } = await start();
    await poolWithJob(c, "tm", 1);
    await busy(c, "tm-job", ["t"]);
    await c.send("POST", "/pools/tm/resize", { body: { targetDedicatedNodes: 0, nodeDeallocationOption: "terminate" } });
    const t = await until(
      "t completed",
      () => task(c, "tm-job", "t"),
      (x) => x.state === "completed",
    );
    expect(t.executionInfo).toMatchObject({ result: "failure", requeueCount: 0, failureInfo: { code: "TaskEnded" } });
    await until(
      "no nodes",
      () => nodes(c, "tm"),
      (n) => n.length === 0,
    );
    // The requests said and the answers given validate against the REST definition.
    await expectValidExchanges(recorder);
  });

  test("resize down with taskcompletion: the node leaves once its task has finished, and takes no new task meanwhile", async () => {
    const { client: c, recorder } = await start();
    await poolWithJob(c, "tc", 1);
    const where = await busy(c, "tc-job", ["first"], 2);
    await c.send("POST", "/pools/tc/resize", { body: { targetDedicatedNodes: 0, nodeDeallocationOption: "taskcompletion" } });
    const leaving = await nodes(c, "tc");
    expect(leaving).toMatchObject([{ id: where.get("first"), state: "leavingpool", schedulingState: "disabled" }]);
    // Tasks added while it drains wait: the leaving node takes none.
    await c.send("POST", "/jobs/tc-job/tasks", { body: { id: "later", commandLine: "/bin/sh -c 'exit 0'" } });
    await expect(c.send("POST", "/pools/tc/resize", { body: { targetDedicatedNodes: 1 } })).rejects.toMatchObject({
      statusCode: 409,
      code: "PoolBeingResized",
    });
    const first = await until(
      "first completed",
      () => task(c, "tc-job", "first"),
      (t) => t.state === "completed",
    );
    expect(first.executionInfo).toMatchObject({ result: "success", exitCode: 0 });
    await until(
      "the pool steady with no node",
      () => pool(c, "tc"),
      (p) => p.allocationState === "steady" && p.currentDedicatedNodes === 0,
    );
    expect(await task(c, "tc-job", "later")).toMatchObject({ state: "active" });
    // The requests said and the answers given validate against the REST definition.
    await expectValidExchanges(recorder);
  });

  test("removenodes with retaineddata: the node stays until the retention time of what ran there has passed", async () => {
    const { client: c, recorder } = await start();
    const [node] = await poolWithJob(c, "rd", 1);
    await c.send("POST", "/jobs/rd-job/tasks", { body: { id: "kept", commandLine: "/bin/sh -c 'exit 0'", constraints: { retentionTime: "PT3S" } } });
    const done = await until(
      "kept completed",
      () => task(c, "rd-job", "kept"),
      (t) => t.state === "completed",
    );
    await c.send("POST", "/pools/rd/removenodes", { body: { nodeList: [node!.id], nodeDeallocationOption: "retaineddata" } });
    expect(await nodes(c, "rd")).toMatchObject([{ id: node!.id, state: "leavingpool" }]);
    await until(
      "the node gone",
      () => nodes(c, "rd"),
      (n) => n.length === 0,
      15_000,
    );
    // Not before the retention time had passed since the task ended.
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(done.executionInfo!.endTime!) + 3_000);
    // The requests said and the answers given validate against the REST definition.
    await expectValidExchanges(recorder);
  });

  test("removenodes and resize refuse what Batch refuses: an unknown node, a short timeout, an unknown option", async () => {
    const { client: c, recorder } = await start();
    await poolWithJob(c, "bad", 1);
    await expect(c.send("POST", "/pools/bad/removenodes", { body: { nodeList: ["tvmps_nope"] } })).rejects.toMatchObject({
      statusCode: 404,
      code: "NodeNotFound",
    });
    await expect(
      c.send("POST", "/pools/bad/removenodes", { body: { nodeList: [(await nodes(c, "bad"))[0]!.id], resizeTimeout: "PT1M" } }),
    ).rejects.toMatchObject({ statusCode: 400, code: "InvalidPropertyValue" });
    await expect(c.send("POST", "/pools/bad/resize", { body: { targetDedicatedNodes: 0, nodeDeallocationOption: "later" } })).rejects.toMatchObject({
      statusCode: 400,
      code: "InvalidPropertyValue",
    });
    await expectValidExchanges(recorder, /No enum match for: later at \$\.nodeDeallocationOption/);
  });

  test("node ids are never reused: 2 → 1 → 2 gives the new node an id no node had, with its own folder", async () => {
    const { client: c, recorder } = await start();
    const first = (await poolWithJob(c, "ids", 2)).map((n) => n.id!);
    await c.send("POST", "/pools/ids/resize", { body: { targetDedicatedNodes: 1 } });
    await until(
      "one node, steady",
      () => pool(c, "ids"),
      (p) => p.allocationState === "steady" && p.currentDedicatedNodes === 1,
    );
    await c.send("POST", "/pools/ids/resize", { body: { targetDedicatedNodes: 2 } });
    const after = (
      await until(
        "two idle nodes",
        () => nodes(c, "ids"),
        (n) => idle(n, 2),
      )
    ).map((n) => n.id!);
    const added = after.filter((id) => !first.includes(id));
    expect(added).toHaveLength(1);
    expect(new Set([...first, ...after]).size).toBe(3);
    const operations = await expectValidExchanges(recorder);
    if (operations) expect([...operations]).toEqual(expect.arrayContaining(["Pool_Resize", "ComputeNode_List"]));
  });

  test("reboot requeues the running task, runs the start task again and keeps the node's folders; reimage gives fresh ones", async () => {
    const { client: c, dataDir, recorder } = await start();
    const [node] = await poolWithJob(c, "rb", 1);
    const id = node!.id!;
    await busy(c, "rb-job", ["r"], 30, join(dataDir, "ran-once"));
    await c.send("POST", `/pools/rb/nodes/${id}/reboot`, { body: { nodeRebootOption: "requeue" } });
    await expect(c.send("POST", `/pools/rb/nodes/${id}/reboot`, { body: {} })).rejects.toMatchObject({ statusCode: 409, code: "NodeBeingRebooted" });
    const r = await until(
      "r completed after the reboot",
      () => task(c, "rb-job", "r"),
      (t) => t.state === "completed",
      30_000,
    );
    expect(r.executionInfo).toMatchObject({ result: "success", requeueCount: 1 });
    expect(r.nodeInfo?.nodeId).toBe(id);
    const marks = join(dataDir, "pools", "rb", "nodes", id, "startup", "marks");
    expect(readFileSync(marks, "utf8")).toBe("started\nstarted\n");
    // The task's folder from before the reboot is still there; a reimage wipes the node.
    expect(existsSync(join(dataDir, "pools", "rb", "nodes", id, "workitems", "rb-job", "job-1", "r"))).toBe(true);
    await c.send("POST", `/pools/rb/nodes/${id}/reimage`);
    await until(
      "the node idle after the reimage",
      () => c.json<ComputeNode>("GET", `/pools/rb/nodes/${id}`),
      (n) => n.state === "idle" && readFileSync(marks, "utf8") === "started\n",
    );
    expect(existsSync(join(dataDir, "pools", "rb", "nodes", id, "workitems", "rb-job"))).toBe(false);
    const operations = await expectValidExchanges(recorder);
    if (operations) expect([...operations]).toEqual(expect.arrayContaining(["ComputeNode_Reboot", "ComputeNode_Reimage", "ComputeNode_Get"]));
  });

  test("reboot with terminate ends the running task; with taskcompletion the node reboots after it finishes", async () => {
    const { client: c, recorder } = await start();
    const [node] = await poolWithJob(c, "rt", 1);
    const id = node!.id!;
    await busy(c, "rt-job", ["a"]);
    await c.send("POST", `/pools/rt/nodes/${id}/reboot`, { body: { nodeRebootOption: "terminate" } });
    expect(
      (
        await until(
          "a completed",
          () => task(c, "rt-job", "a"),
          (t) => t.state === "completed",
        )
      ).executionInfo,
    ).toMatchObject({ result: "failure", failureInfo: { code: "TaskEnded" } });
    await until(
      "the node idle again",
      () => c.json<ComputeNode>("GET", `/pools/rt/nodes/${id}`),
      (n) => n.state === "idle",
    );
    await busy(c, "rt-job", ["b"], 2);
    await c.send("POST", `/pools/rt/nodes/${id}/reboot`, { body: { nodeRebootOption: "taskcompletion" } });
    const b = await until(
      "b completed",
      () => task(c, "rt-job", "b"),
      (t) => t.state === "completed",
    );
    expect(b.executionInfo).toMatchObject({ result: "success", exitCode: 0, requeueCount: 0 });
    await until(
      "the node idle after its reboot",
      () => c.json<ComputeNode>("GET", `/pools/rt/nodes/${id}`),
      (n) => n.state === "idle" && n.startTaskInfo?.exitCode === 0,
    );
    // The requests said and the answers given validate against the REST definition.
    await expectValidExchanges(recorder);
  });
});
