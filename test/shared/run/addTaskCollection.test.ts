import { afterEach, describe, expect, test } from "vitest";
import type { TaskAddParameter } from "../../../shared/batch/types.js";
import { addTaskCollection, chunkTasks, MAX_REQUEST_BYTES, MAX_SUBMIT_CONCURRENCY } from "../../../shared/run/addTaskCollection.js";
import { BatchClient } from "../../../shared/client/batchClient.js";
import { batchError, sendJson, startServer, type Recorded } from "../../helpers/server.js";

const task = (i: number, extra: Partial<TaskAddParameter> = {}): TaskAddParameter => ({ id: `t-${i}`, commandLine: `/app/run ${i}`, ...extra });
const tasks = (n: number, extra?: (i: number) => Partial<TaskAddParameter>) => Array.from({ length: n }, (_, i) => task(i, extra?.(i)));
const bytes = (chunk: TaskAddParameter[]) => Buffer.byteLength(JSON.stringify({ value: chunk }));

describe("chunkTasks", () => {
  test("at most 100 tasks per request, order kept", () => {
    const { chunks, tooLarge } = chunkTasks(tasks(250));
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunks.flat().map((t) => t.id)).toEqual(tasks(250).map((t) => t.id));
    expect(tooLarge).toEqual([]);
  });

  test("under 1 MB per request, measured on the serialized body", () => {
    const big = "x".repeat(30_000);
    const { chunks } = chunkTasks(tasks(100, () => ({ environmentSettings: [{ name: "BIG", value: big }] })));
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(bytes(c)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    // Greedy: each chunk but the last would overflow with the next task.
    for (let i = 0; i < chunks.length - 1; i++) expect(bytes([...chunks[i]!, chunks[i + 1]![0]!])).toBeGreaterThan(MAX_REQUEST_BYTES);
    expect(chunks.flat()).toHaveLength(100);
  });

  test("a body of exactly the limit fits, one byte more does not", () => {
    const one = task(1);
    const pad = MAX_REQUEST_BYTES - bytes([{ ...one, displayName: "" }]);
    const exact = { ...one, displayName: "y".repeat(pad) };
    expect(bytes([exact])).toBe(MAX_REQUEST_BYTES);
    expect(chunkTasks([exact]).chunks).toEqual([[exact]]);
    const over = { ...one, displayName: "y".repeat(pad + 1) };
    expect(chunkTasks([over])).toEqual({ chunks: [], tooLarge: [over] });
  });
});

describe("addTaskCollection over HTTP", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function setup(handler: (req: Recorded, values: TaskAddParameter[]) => { status?: number; body: unknown }) {
    const server = await startServer((req, res) => {
      if (req.method === "POST" && req.path.endsWith("/addtaskcollection")) {
        const r = handler(req, req.json.value);
        return sendJson(res, r.status ?? 200, r.body);
      }
      if (req.method === "GET" && /\/tasks\//.test(req.path)) {
        const id = decodeURIComponent(req.path.split("/").pop()!);
        return sendJson(res, 200, { id, commandLine: id === "t-2" ? "something else" : `/app/run ${id.slice(2)}` });
      }
      // The job's tasks, listed: what the service holds of t-1 (the same task) and t-2 (another one).
      if (req.method === "GET" && req.path.endsWith("/tasks")) {
        return sendJson(res, 200, {
          value: [
            { id: "t-1", commandLine: "/app/run 1" },
            { id: "t-2", commandLine: "something else" },
          ],
        });
      }
      sendJson(res, 404, batchError("NotFound", "no"));
    });
    close = server.close;
    const client = new BatchClient({ accountUrl: server.url, auth: { kind: "none" } });
    const prevClose = close;
    close = async () => {
      await client.close();
      await prevClose();
    };
    return { client, requests: server.requests };
  }

  const ok = (values: TaskAddParameter[]) => ({ body: { value: values.map((t) => ({ status: "success", taskId: t.id })) } });

  test("sends 250 tasks as 3 requests with the Batch content type, all added", async () => {
    const { client, requests } = await setup((_req, values) => ok(values));
    const result = await addTaskCollection(client, "job-1", tasks(250));
    expect(result.added).toHaveLength(250);
    expect(result.failed).toEqual([]);
    expect(requests.map((r) => r.json.value.length).sort()).toEqual([100, 100, 50]);
    expect(requests[0]!.headers["content-type"]).toBe("application/json; odata=minimalmetadata");
    expect(requests[0]!.query.get("api-version")).toBe("2025-06-01");
  });

  test("chunks go in parallel, never more than the concurrency bound at once", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let delayMs = 20;
    const server = await startServer(async (req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, delayMs));
      inFlight--;
      sendJson(res, 200, { value: req.json.value.map((t: TaskAddParameter) => ({ status: "success", taskId: t.id })) });
    });
    const client = new BatchClient({ accountUrl: server.url, auth: { kind: "none" } });
    close = async () => {
      await client.close();
      await server.close();
    };
    const result = await addTaskCollection(client, "job-1", tasks(1000), { concurrency: 3 });
    expect(result.added).toHaveLength(1000);
    expect(server.requests).toHaveLength(10);
    expect(maxInFlight).toBe(3);
    // Unbounded asks are held to the most there may be (answers slow enough for all of them to be sent).
    maxInFlight = 0;
    delayMs = 300;
    await addTaskCollection(client, "job-2", tasks(10_000), { concurrency: 1000 });
    expect(maxInFlight).toBe(MAX_SUBMIT_CONCURRENCY);
  });

  test("a stream that fails while chunks are made ahead: the call rejects with its error, nothing more is sent", async () => {
    const { client, requests } = await setup((_req, values) => ok(values));
    const failing = (function* () {
      for (let i = 0; i < 1000; i++) {
        if (i === 450) throw new Error("the spec's stream broke at task 450");
        yield task(i);
      }
    })();
    await expect(addTaskCollection(client, "job-1", failing, { concurrency: 2 })).rejects.toThrow("the spec's stream broke at task 450");
    // What was made before the failure may have gone out; nothing past it.
    const sent = requests.flatMap((r) => r.json.value.map((t: TaskAddParameter) => t.id));
    expect(sent.length).toBeLessThanOrEqual(400);
    expect(new Set(sent).size).toBe(sent.length);
  });

  test("RequestBodyTooLarge halves the chunk until it fits", async () => {
    const { client, requests } = await setup((_req, values) =>
      values.length > 25 ? { status: 413, body: batchError("RequestBodyTooLarge", "The request body is too large") } : ok(values),
    );
    const result = await addTaskCollection(client, "job-1", tasks(100));
    expect(result.added.sort()).toEqual(
      tasks(100)
        .map((t) => t.id)
        .sort(),
    );
    expect(requests.map((r) => r.json.value.length)).toEqual([100, 50, 25, 25, 50, 25, 25]);
  });

  test("per-task servererror is retried; clienterror is reported per task; others still added", async () => {
    let round = 0;
    const { client } = await setup((_req, values) => {
      round++;
      return {
        body: {
          value: values.map((t) => {
            if (t.id === "t-3" && round === 1) return { status: "servererror", taskId: t.id, error: batchError("ServerBusy", "busy") };
            if (t.id === "t-4")
              return {
                status: "clienterror",
                taskId: t.id,
                error: batchError("InvalidPropertyValue", "The value provided for one of the properties in the request body is invalid.", [
                  { key: "PropertyName", value: "commandLine" },
                ]),
              };
            return { status: "success", taskId: t.id };
          }),
        },
      };
    });
    const result = await addTaskCollection(client, "job-1", tasks(6));
    expect(result.added.sort()).toEqual(["t-0", "t-1", "t-2", "t-3", "t-5"]);
    expect(result.failed).toEqual([{ taskId: "t-4", code: "InvalidPropertyValue", message: expect.stringContaining("PropertyName=commandLine") }]);
    expect(result.failed[0]!.message).not.toContain("RequestId");
  });

  test("TaskExists is success when the existing task is the same one, a failure when it differs", async () => {
    const { client, requests } = await setup((_req, values) => ({
      body: {
        value: values.map((t) =>
          ["t-1", "t-2"].includes(t.id)
            ? { status: "clienterror", taskId: t.id, error: batchError("TaskExists", "The specified task already exists.") }
            : { status: "success", taskId: t.id },
        ),
      },
    }));
    const result = await addTaskCollection(client, "job-1", tasks(4));
    expect(result.added.sort()).toEqual(["t-0", "t-3"]);
    expect(result.existing).toEqual(["t-1"]);
    expect(result.failed).toEqual([{ taskId: "t-2", code: "TaskExists", message: expect.stringContaining("different task") }]);
    // Compared in bulk: one listing of the job, not a GET per task.
    const gets = requests.filter((r) => r.method === "GET");
    expect(gets.map((g) => g.path)).toEqual(["/jobs/job-1/tasks"]);
    expect(gets[0]!.query.get("$select")).toBe("id,commandLine,containerSettings,environmentSettings");
  });

  test("a lost response (connection reset after commit) is retried and the repeat counts as added", async () => {
    let calls = 0;
    const committed = new Set<string>();
    const server = await startServer((req, res) => {
      if (req.method === "POST") {
        calls++;
        const values: TaskAddParameter[] = req.json.value;
        const first = calls === 1;
        const answer = values.map((t) => {
          const exists = committed.has(t.id);
          committed.add(t.id);
          return exists ? { status: "clienterror", taskId: t.id, error: batchError("TaskExists", "exists") } : { status: "success", taskId: t.id };
        });
        if (first) return res.socket?.destroy(); // committed, but the answer never arrives
        return sendJson(res, 200, { value: answer });
      }
      const id = req.path.split("/").pop()!;
      return sendJson(res, 200, { id, commandLine: `/app/run ${id.slice(2)}` });
    });
    const client = new BatchClient({ accountUrl: server.url, auth: { kind: "none" } });
    close = async () => {
      await client.close();
      await server.close();
    };
    const result = await addTaskCollection(client, "job-1", tasks(3));
    expect(calls).toBe(2);
    expect(result.failed).toEqual([]);
    expect([...result.added, ...result.existing].sort()).toEqual(["t-0", "t-1", "t-2"]);
  });
});

describe("a chunk whose outcome is unknown", () => {
  test("is read back rather than reported as a service error: committed tasks count, missing ones are sent again", async () => {
    const { LocalBatchService } = await import("../../../local-batch/service.js");
    const { processExecutor } = await import("../../../local-batch/runtime/executors.js");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const key = Buffer.from("unknown outcome key").toString("base64");
    const dataDir = mkdtempSync(join(tmpdir(), "azbr-unknown-"));
    // Every add is carried out, and its response lost; the client does not retry at all.
    const service = new LocalBatchService({ accountName: "local", accountKey: key, dataDir, executor: processExecutor(), faults: { commitThenFailShare: 1 } });
    const url = await service.listen();
    const client = new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: key }, retry: { maxRetries: 0 } });
    try {
      // Its answer is lost too; the job is there all the same.
      await client.send("POST", "/jobs", { body: { id: "j", poolInfo: { poolId: "p" } }, idempotent: true }).catch(() => undefined);
      expect(service.jobs.has("j")).toBe(true);
      const result = await addTaskCollection(client, "j", tasks(150), { concurrency: 2 });
      expect(result.failed).toEqual([]);
      expect(result.existing.sort()).toEqual(
        tasks(150)
          .map((t) => t.id)
          .sort(),
      );
      expect(service.jobs.get("j")!.tasks.size).toBe(150);
      expect(service.injected.lostResponses.filter((l) => l.endsWith("/addtaskcollection"))).toHaveLength(2);
    } finally {
      await client.close();
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
