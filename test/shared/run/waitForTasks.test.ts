/**
 * Following tasks at O(what changed), and never missing a completion: a scripted Batch service
 * (the client's transport) whose list and counts are each eventually consistent — completions with
 * the same stateTransitionTime (ties), on the watermark exactly, and visible out of order — with
 * the core's waitForTasks reading it.
 */
import { describe, expect, test } from "vitest";
import { BatchClient } from "../../../shared/client/batchClient.js";
import type { PipelineRequest, PipelineResponse } from "../../../shared/client/pipeline.js";
import { Redactor } from "../../../shared/redact.js";
import { silentReporter } from "../../../shared/run/reporter.js";
import { waitForTasks, type WaitStats } from "../../../shared/run/waitForTasks.js";

interface ScriptedTask {
  id: string;
  /** stateTransitionTime, service clock (ms). */
  at: number;
  /** The poll from which the list shows it, and from which the counts count it. */
  listedFrom: number;
  countedFrom: number;
}

/** A job whose completions appear poll by poll as the script says; pages of `pageSize`. */
function scriptedService(tasks: ScriptedTask[], pageSize = 1000) {
  let poll = 0;
  const requests: string[] = [];
  const respond = (request: PipelineRequest, status: number, body: unknown): PipelineResponse => ({
    status,
    headers: { "content-type": "application/json" },
    bodyText: JSON.stringify(body),
    request,
  });
  const transport = async (request: PipelineRequest): Promise<PipelineResponse> => {
    const url = request.url;
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    if (url.pathname.endsWith("/taskcounts")) {
      poll++;
      const completed = tasks.filter((t) => t.countedFrom <= poll).length;
      return respond(request, 200, { taskCounts: { active: tasks.length - completed, running: 0, completed, succeeded: completed, failed: 0 } });
    }
    if (url.pathname.endsWith("/tasks")) {
      const filter = url.searchParams.get("$filter") ?? "";
      const since = /stateTransitionTime ge datetime'([^']+)'/.exec(filter)?.[1];
      const rows = tasks
        .filter((t) => t.listedFrom <= poll && (since === undefined || t.at >= Date.parse(since)))
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((t) => ({ id: t.id, stateTransitionTime: new Date(t.at).toISOString(), executionInfo: { result: "success", exitCode: 0, retryCount: 0 } }));
      const skip = Number(url.searchParams.get("skip") ?? 0);
      const page = rows.slice(skip, skip + pageSize);
      const next = skip + pageSize < rows.length ? new URL(url) : undefined;
      next?.searchParams.set("skip", String(skip + pageSize));
      return respond(request, 200, { value: page, ...(next ? { "odata.nextLink": next.href } : {}) });
    }
    if (/\/jobs\/[^/]+$/.test(url.pathname)) return respond(request, 200, { id: "job", state: "active" });
    return respond(request, 404, { code: "NotFound", message: { value: `no ${url.pathname}` } });
  };
  const client = new BatchClient({ accountUrl: "https://acct.westeurope.batch.azure.com", auth: { kind: "none" }, transport });
  return { client, requests, polls: () => poll };
}

async function follow(tasks: ScriptedTask[], pageSize?: number) {
  const { client, requests } = scriptedService(tasks, pageSize);
  const completed: string[] = [];
  const stats: WaitStats = { polls: 0, requests: 0, rowsListed: 0, cycles: [] };
  const result = await waitForTasks(
    client,
    "job",
    new Set(tasks.map((t) => t.id)),
    { ...silentReporter, taskCompleted: (o) => completed.push(o.id) },
    { redactor: new Redactor(), pollIntervalMs: 0, maxPollIntervalMs: 0, stats },
  );
  return { result, completed, stats, requests };
}

describe("waitForTasks: no completion missed", () => {
  test("ties on the watermark, a completion visible late behind it, counts ahead of and behind the list", async () => {
    const T = Date.parse("2026-12-01T10:00:00.000Z");
    const tasks: ScriptedTask[] = [
      { id: "a", at: T, listedFrom: 1, countedFrom: 1 },
      { id: "b", at: T, listedFrom: 1, countedFrom: 1 }, // a tie with a
      { id: "c", at: T, listedFrom: 3, countedFrom: 1 }, // the same time, counted at once but listed two polls later
      { id: "d", at: T + 2000, listedFrom: 2, countedFrom: 2 },
      { id: "e", at: T + 1500, listedFrom: 4, countedFrom: 4 }, // older than d, visible after it: behind the watermark
      { id: "f", at: T + 2000, listedFrom: 5, countedFrom: 5 }, // exactly on the watermark (d's time)
      { id: "g", at: T + 1000, listedFrom: 7, countedFrom: 8 }, // behind the watermark, late in the list and later in the counts
      { id: "h", at: T + 3000, listedFrom: 6, countedFrom: 6 },
    ];
    const { result, completed } = await follow(tasks);
    expect([...completed].sort()).toEqual(["a", "b", "c", "d", "e", "f", "g", "h"]);
    expect(completed).toHaveLength(8); // each once
    expect(result.outcomes.map((o) => o.id).sort()).toEqual(["a", "b", "c", "d", "e", "f", "g", "h"]);
  });

  test("random schedules: every task seen exactly once, whatever the ties, skew between list and counts, and order", async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(random() * 40);
      const base = Date.parse("2026-12-01T00:00:00Z");
      const tasks = Array.from({ length: n }, (_, i) => {
        const listedFrom = 1 + Math.floor(random() * 10);
        // Times in few distinct values (many ties), not in the order they become visible.
        return { id: `t${i}`, at: base + Math.floor(random() * 5) * 1000, listedFrom, countedFrom: Math.max(1, listedFrom + Math.floor(random() * 5) - 2) };
      });
      const { completed } = await follow(tasks);
      expect({ round, seen: [...completed].sort() }).toEqual({ round, seen: tasks.map((t) => t.id).sort() });
      expect(new Set(completed).size).toBe(completed.length);
    }
  });
});

describe("waitForTasks: cost grows with what changed", () => {
  test("10,000 tasks completing over 20 polls: requests per cycle <= 2 + new/1000, rows listed <= 1.2 x tasks", async () => {
    const base = Date.parse("2026-12-01T00:00:00Z");
    // 500 completions per poll, in order, three at a time sharing a stateTransitionTime.
    const tasks = Array.from({ length: 10_000 }, (_, i) => ({
      id: `t${i}`,
      at: base + Math.floor(i / 3) * 10,
      listedFrom: 1 + Math.floor(i / 500),
      countedFrom: 1 + Math.floor(i / 500),
    }));
    const { stats, completed } = await follow(tasks);
    expect(completed).toHaveLength(10_000);
    const over = stats.cycles.filter((c) => c.requests > 2 + Math.ceil(c.newCompletions / 1000));
    expect(over).toEqual([]);
    expect(stats.rowsListed).toBeLessThanOrEqual(1.2 * 10_000);
  });
});
