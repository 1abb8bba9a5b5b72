/** The local service's task table: its indexes agree with a plain scan whatever happens to the tasks. */
import { describe, expect, test } from "vitest";
import { setTaskState, type TaskRecord, type TaskState } from "../../local-batch/state.js";
import { TaskTable } from "../../local-batch/taskTable.js";
import { startLocalBatch } from "../../local-batch/start.js";
import { createBatchClient } from "azure-batch-run";
import { until } from "../helpers/until.js";

let clock = Date.parse("2026-12-01T00:00:00Z");
function task(id: string, order: number, kind: TaskRecord["kind"] = "task"): TaskRecord {
  const t = new Date(clock).toISOString();
  return {
    jobId: "j",
    body: { id, commandLine: "x", requiredSlots: 1 + (order % 2) },
    kind,
    creationTime: t,
    state: "active",
    stateTransitionTime: t,
    eTag: "e",
    lastModified: t,
    executionInfo: { retryCount: 0, requeueCount: 0 },
    order,
  };
}

function scan(table: TaskTable) {
  const all = [...table.values()];
  const c = { active: 0, running: 0, completed: 0, succeeded: 0, failed: 0 };
  const s = { ...c };
  for (const t of all) {
    const b = t.state === "preparing" ? "running" : t.state;
    const slots = t.body.requiredSlots ?? 1;
    c[b]++;
    s[b] += slots;
    if (t.state === "completed") {
      const r = t.executionInfo.result === "success" ? "succeeded" : "failed";
      c[r]++;
      s[r] += slots;
    }
  }
  return { c, s, all };
}

describe("TaskTable", () => {
  test("counts, pending order and completions since a time match a scan, through adds, state changes, deletes and reactivations", () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const table = new TaskTable();
    let order = 0;
    const times: number[] = [];
    for (let step = 0; step < 5000; step++) {
      clock += Math.floor(random() * 3); // often the same millisecond: ties
      // The service's clock for setTaskState.
      const realNow = Date.now;
      Date.now = () => clock;
      try {
        const r = random();
        const ids = [...table.values()];
        if (r < 0.3 || ids.length === 0) {
          const t = task(`t${order}`, order, random() < 0.02 ? "manager" : "task");
          order++;
          table.set(t.body.id.toLowerCase(), t);
        } else if (r < 0.9) {
          const t = ids[Math.floor(random() * ids.length)]!;
          const next: Record<TaskState, TaskState> = { active: "preparing", preparing: "running", running: "completed", completed: "active" };
          if (next[t.state] === "completed") t.executionInfo.result = random() < 0.8 ? "success" : "failure";
          setTaskState(t, next[t.state]);
          if (t.state === "completed") times.push(clock);
        } else {
          const t = ids[Math.floor(random() * ids.length)]!;
          table.delete(t.body.id.toLowerCase());
        }
      } finally {
        Date.now = realNow;
      }
      if (step % 250 === 0 || step === 4999) {
        const { c, s, all } = scan(table);
        expect(table.counts).toEqual(c);
        expect(table.slotCounts).toEqual(s);
        // Every active task, job managers first, each in the order it became active.
        const pending = [...table.pending()];
        expect(pending.map((t) => t.body.id).sort()).toEqual(
          all
            .filter((t) => t.state === "active")
            .map((t) => t.body.id)
            .sort(),
        );
        const managers = pending.filter((t) => t.kind === "manager").length;
        expect(pending.slice(0, managers).every((t) => t.kind === "manager")).toBe(true);
        const fresh = pending.filter((t) => t.previousState === undefined).map((t) => t.order);
        expect(
          fresh.filter(
            (o, i) => i > 0 && o < fresh[i - 1]! && pending.find((t) => t.order === o)!.kind === pending.find((t) => t.order === fresh[i - 1])!.kind,
          ),
        ).toEqual([]);
        for (const since of [undefined, ...times.slice(-5), clock + 1]) {
          const expected = all
            .filter((t) => t.state === "completed" && (since === undefined || Date.parse(t.stateTransitionTime) >= since))
            .map((t) => t.body.id)
            .sort();
          // Read in pages of 7, as a client following next links would.
          const got: string[] = [];
          let from: number | undefined;
          for (;;) {
            const page = table.completedSince(since, from, 7);
            got.push(...page.tasks.map((t) => t.body.id));
            if (page.next === undefined) break;
            from = page.next;
          }
          expect(got.sort()).toEqual(expected);
        }
      }
    }
  });
});

describe("task lists through the local service's indexes", () => {
  test("the indexed filters answer as the general filter does, page by page", async () => {
    const local = await startLocalBatch({ executor: "process" });
    const client = createBatchClient({ accountUrl: local.accountUrl, credential: { accountName: local.accountName, accountKey: local.accountKey } });
    try {
      await client.send("POST", "/pools", {
        body: {
          id: "p",
          vmSize: "standard_d2s_v3",
          virtualMachineConfiguration: {
            imageReference: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
            nodeAgentSKUId: "batch.node.ubuntu 24.04",
          },
          targetDedicatedNodes: 1,
          taskSlotsPerNode: 4,
        },
      });
      await client.send("POST", "/jobs", { body: { id: "j", poolInfo: { poolId: "p" } } });
      const body = { value: Array.from({ length: 30 }, (_, i) => ({ id: `t${i}`, commandLine: `/bin/sh -c 'exit ${i % 3 === 0 ? 1 : 0}'` })) };
      await client.send("POST", "/jobs/j/addtaskcollection", { body });
      const ids = async (filter: string, maxresults?: number) => {
        const out: string[] = [];
        for await (const t of client.list<{ id: string }>("/jobs/j/tasks", {
          query: { $filter: filter, $select: "id", ...(maxresults ? { maxresults } : {}) },
        }))
          out.push(t.id);
        return out.sort();
      };
      await until(
        "all completed",
        () => client.json<{ taskCounts: { completed: number } }>("GET", "/jobs/j/taskcounts"),
        (c) => c.taskCounts.completed === 30,
      );
      const times = (
        await client.json<{ value: { stateTransitionTime: string }[] }>("GET", "/jobs/j/tasks", { query: { $select: "stateTransitionTime" } })
      ).value
        .map((t) => t.stateTransitionTime)
        .sort();
      const middle = times[15]!;
      // "and id ne 'none'" keeps the same meaning and sends the filter down the general path.
      expect(await ids("state eq 'completed'", 7)).toEqual(await ids("state eq 'completed' and id ne 'none'"));
      expect(await ids("state eq 'completed'")).toHaveLength(30);
      const since = await ids(`state eq 'completed' and stateTransitionTime ge datetime'${middle}'`, 4);
      expect(since).toEqual(await ids(`state eq 'completed' and stateTransitionTime ge datetime'${middle}' and id ne 'none'`));
      expect(since.length).toBeGreaterThanOrEqual(15);
      expect(await ids(`state eq 'active'`, 3)).toEqual([]);
      expect((await ids("", 7)).length).toBe(30);
    } finally {
      await client.close();
      await local.close();
    }
  }, 60_000);
});
