/** What the client tells its wrappers: who it is (User-Agent), each HTTP attempt (log hook), each retry (reporter). */
import { afterEach, describe, expect, test } from "vitest";
import { BatchClient, createBatchClient, loadSpecObject, runWorkload, VERSION, type RetryInfo } from "azure-batch-run";
import { localAccount } from "../../helpers/localAccount.js";
import { recordingReporter } from "../../helpers/reporter.js";
import { batchError, sendJson, startServer } from "../../helpers/server.js";

let toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of toClose.reverse()) await c();
  toClose = [];
});

const KEY = Buffer.from("client hooks test key").toString("base64");

describe("client hooks", () => {
  test("User-Agent: the wrapper's prefix, then azure-batch-run/<version> and the runtime", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, { id: "p" }));
    toClose.push(server.close);
    const client = createBatchClient({
      accountUrl: server.url,
      credential: { accountName: "acct", accountKey: KEY },
      userAgentPrefix: "azure-batch-run-action/0.1.0",
    });
    toClose.push(() => client.close());
    await client.send("GET", "/pools/p");
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    const ua = String(server.requests[0]!.headers["user-agent"]);
    expect(ua).toBe(`azure-batch-run-action/0.1.0 azure-batch-run/${VERSION} Node/${process.versions.node} (${process.platform}; ${process.arch})`);
  });

  test("log hook: one redacted line per attempt, retries included; a view routes them elsewhere", async () => {
    let calls = 0;
    const server = await startServer((_req, res) => {
      calls++;
      if (calls === 1) return sendJson(res, 503, batchError("ServerBusy", "busy"), { "retry-after-ms": "10", "request-id": "rid-busy" });
      return sendJson(res, 200, { value: [] }, { "request-id": "rid-ok" });
    });
    toClose.push(server.close);
    const base: string[] = [];
    const viewed: string[] = [];
    const client = new BatchClient({
      accountUrl: server.url,
      auth: { kind: "sharedKey", accountName: "acct", accountKey: KEY },
      hooks: { log: (l) => base.push(l) },
    });
    toClose.push(() => client.close());
    const sasFilter = "url eq 'https://acct.blob.core.windows.net/c?sv=2024&sig=SECRETSIG'";
    const retries: RetryInfo[] = [];
    await client.withHooks({ log: (l) => viewed.push(l), onRetry: (i) => retries.push(i) }).json("GET", "/pools", { query: { $filter: sasFilter } });
    expect(base).toEqual([]);
    expect(viewed).toHaveLength(2);
    expect(viewed[0]).toBe(
      `GET /pools?api-version=2025-06-01&$filter=url eq 'https://acct.blob.core.windows.net/c?<SAS redacted>' -> 503 in ${/in (\d+) ms/.exec(viewed[0]!)![1]} ms (request-id rid-busy)`,
    );
    expect(viewed[1]).toMatch(/ -> 200 in \d+ ms \(request-id rid-ok\)$/);
    expect(viewed.join("\n")).not.toMatch(/SECRETSIG|SharedKey|authorization/i);
    expect(retries).toEqual([
      { attempt: 1, maxRetries: 8, throttled: true, throttleBudgetMs: 600_000, delayMs: 10, reason: "HTTP 503", method: "GET", path: "/pools" },
    ]);
    // The client's own hooks are untouched by the view.
    await client.send("GET", "/pools");
    expect(base).toHaveLength(1);
  });

  test("a throttled run tells its reporter it is retrying, and when", async () => {
    const { local, client } = await localAccount(toClose, { throttleShare: 0.05, atLeastOnce: true, retryAfterMs: 40 });
    const workload = loadSpecObject(
      {
        pool: { id: "p", vmSize: "Standard_D2s_v3", image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" } },
        job: { id: "j" },
        tasks: { list: [{ id: "t", command: "/bin/sh -c 'exit 0'" }] },
      },
      { env: {} },
    );
    const { reporter, lines } = recordingReporter();
    const retrying: string[] = [];
    const result = await runWorkload(client, workload, { ...reporter, retrying: (m) => retrying.push(m) }, { pollIntervalMs: 50 });
    expect(result.succeeded).toBe(true);
    expect(local.service.injected.throttled).toBeGreaterThan(0);
    expect(retrying.length).toBe(local.service.injected.throttled);
    expect(retrying[0]).toMatch(/^throttled \(HTTP 429\): retrying (GET|POST|HEAD) \/\S* in 0(\.\d)? s \(throttled 1x, waiting up to 600 s in all\)$/);
    // Without a `retrying` method the line goes to info, not to warn.
    expect(lines.some((l) => l.startsWith("warn: throttled"))).toBe(false);
  });
});
