/**
 * Hostile peers, both ways, on real components. The local service under clients that send what no
 * client library would: each gets the Batch error shape (or is dropped), and the service still
 * answers afterwards. The real client (the CLI) under a service that answers what no Batch service
 * would: each ends in exit 3 with one clear line, within a bound, and the service still answers.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BatchClient, BatchServiceError } from "azure-batch-run";
import { EXIT, main } from "../../../cli/main.js";
import { signSharedKey } from "../../../shared/client/sharedKey.js";
import { processExecutor } from "../../../local-batch/runtime/executors.js";
import { LocalBatchService, type Misbehavior } from "../../../local-batch/service.js";

const KEY = Buffer.from("hostile peers key").toString("base64");
const dir = mkdtempSync(join(tmpdir(), "azbr-hostile-"));
let misbehavior: { kind: Misbehavior; method: string; path: RegExp } | undefined;
let service: LocalBatchService;
let url: string;
let port: number;

beforeAll(async () => {
  service = new LocalBatchService({
    accountName: "local",
    accountKey: KEY,
    dataDir: dir,
    executor: processExecutor(),
    maxConnections: 40,
    timeouts: { headersMs: 300, requestMs: 600 },
    faults: { misbehave: (method, path) => (misbehavior && method === misbehavior.method && misbehavior.path.test(path) ? misbehavior.kind : undefined) },
  });
  url = await service.listen();
  port = Number(new URL(url).port);
});
afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = () => new BatchClient({ accountUrl: url, auth: { kind: "sharedKey", accountName: "local", accountKey: KEY } });

/** The service still answers a proper, signed request. */
async function stillAnswers(): Promise<void> {
  const c = client();
  try {
    expect((await c.send("GET", "/pools")).status).toBe(200);
  } finally {
    await c.close();
  }
}

/** Raw bytes over a socket; resolves with what came back when the server closes (or after `waitMs`). */
function raw(bytes: string, options: { waitMs?: number; hangUpAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    let out = "";
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(bytes);
      if (options.hangUpAfterWrite) socket.destroy();
    });
    const done = () => resolve(out);
    socket.on("data", (d) => (out += d));
    socket.on("close", done);
    socket.on("error", done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, options.waitMs ?? 5_000);
  });
}

const statusLine = (response: string) => response.split("\r\n")[0];
const errorCode = (response: string) => JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)).code as string;

describe("the local service under hostile clients", () => {
  test.each([
    ["a path that is not a path", "GET // HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request", "InvalidUri"],
    ["a malformed request line", "GARBAGE\r\n\r\n", "HTTP/1.1 400 Bad Request", "InvalidRequest"],
    [
      "huge headers",
      `GET /pools HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`,
      "HTTP/1.1 431 Request Header Fields Too Large",
      "RequestHeaderTooLarge",
    ],
    ["headers that never end (a slow client)", "GET /pools HTTP/1.1\r\nHost: x\r\n", "HTTP/1.1 408 Request Timeout", "RequestTimeout"],
  ])("%s: the Batch error shape, then the service still answers", async (_name, bytes, status, code) => {
    const response = await raw(bytes);
    expect(statusLine(response)).toBe(status);
    expect(errorCode(response)).toBe(code);
    await stillAnswers();
  });

  test("a client that disconnects mid-body is dropped without harm", async () => {
    expect(await raw('POST /pools HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"id":', { hangUpAfterWrite: true, waitMs: 200 })).toBe("");
    await stillAnswers();
  });

  test("a malformed percent-encoding in a signed request is a 400, not a 500", async () => {
    const c = client();
    try {
      const error = await c.send("GET", new URL(`${url}/pools/%E0%A4%A?api-version=2024-07-01.20.0`)).catch((e) => e);
      expect(error).toBeInstanceOf(BatchServiceError);
      expect(error).toMatchObject({ statusCode: 400, code: "InvalidUri" });
    } finally {
      await c.close();
    }
    await stillAnswers();
  });

  test("a body nested to exhaust the parser is refused by its depth", async () => {
    // Written by hand: a client library's own serializer would give up first.
    for (const depth of [5_000, 400_000]) {
      const body = `{"id":"deep","vmSize":"x","metadata":${"[".repeat(depth)}${"]".repeat(depth)}}`;
      const target = new URL(`${url}/pools?api-version=2024-07-01.20.0`);
      const headers: Record<string, string> = {
        "content-type": "application/json; odata=minimalmetadata",
        "ocp-date": new Date().toUTCString(),
        "content-length": String(Buffer.byteLength(body)),
      };
      headers.authorization = signSharedKey({ method: "POST", url: target, headers, body }, "local", KEY);
      delete headers["content-length"]; // signed as sent; fetch sets it itself
      const response = await fetch(target, { method: "POST", headers, body });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "InvalidRequestBody" });
    }
    await stillAnswers();
  });

  test("more idle connections than it takes: the extra ones are refused, and it recovers", async () => {
    const sockets = await Promise.all(
      Array.from(
        { length: 60 },
        () =>
          new Promise<import("node:net").Socket>((resolve) => {
            const s = connect(port, "127.0.0.1", () => resolve(s));
            s.on("error", () => resolve(s));
          }),
      ),
    );
    // Past maxConnections the server closes what it cannot take.
    const closed = await Promise.all(
      sockets.map(
        (s) =>
          new Promise<boolean>((resolve) => {
            if (s.destroyed) return resolve(true);
            s.once("close", () => resolve(true));
            setTimeout(() => resolve(false), 300);
          }),
      ),
    );
    expect(closed.filter(Boolean).length).toBeGreaterThanOrEqual(20);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    await stillAnswers();
  });
});

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (d) => (err += d));
  const code = await main(args, {
    stdout,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: { AZURE_BATCH_ACCESS_KEY: KEY, AZURE_BATCH_ACCOUNT: "local" },
  });
  return { code, stderr: err };
}

describe("the CLI under a misbehaving service", () => {
  beforeAll(async () => {
    const c = client();
    await c.send("POST", "/pools", {
      idempotent: true,
      body: {
        id: "p",
        vmSize: "standard_d2s_v3",
        virtualMachineConfiguration: {
          imageReference: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" },
          nodeAgentSKUId: "batch.node.ubuntu 24.04",
        },
        targetDedicatedNodes: 1,
      },
    });
    await c.send("POST", "/jobs", { idempotent: true, body: { id: "j", poolInfo: { poolId: "p" } } });
    await c.close();
  });

  const line = (stderr: string) =>
    stderr
      .trim()
      .split("\n")
      .filter((l) => !/retrying/.test(l));

  test.each([
    ["html", "batch error: GET /jobs/j: HTTP 200 with a body that is not JSON (text/html, 50 bytes)"],
    ["empty", "batch error: GET /jobs/j: HTTP 200 with an empty body where a JSON object belongs"],
    ["garbage", "batch error: GET /jobs/j: HTTP 200 with a body that is not JSON (application/json;odata=minimalmetadata, 21 bytes)"],
    ["redirect", "batch error: GET /jobs/j: HTTP 302 redirects to https://login.example.net; not followed (a Batch service does not redirect)"],
    ["huge", "batch error: GET /jobs/j: the response is over 32 MB; refusing to read more"],
    ["truncated", /^batch error: GET http:\/\/127\.0\.0\.1:\d+\/jobs\/j failed: UND_ERR_SOCKET other side closed$/],
    ["neverStarts", /^batch error: GET http:\/\/127\.0\.0\.1:\d+\/jobs\/j timed out after 2000 ms$/],
    ["neverEnds", /^batch error: GET http:\/\/127\.0\.0\.1:\d+\/jobs\/j timed out after 2000 ms$/],
  ] as [Misbehavior, string | RegExp][])("%s: exit 3 with one clear line", async (kind, expected) => {
    misbehavior = { kind, method: "GET", path: /^\/jobs\/j$/ };
    try {
      const r = await cli(["status", "j", "--account-url", url, "--timeout", "2"]);
      expect(r.code).toBe(EXIT.service);
      const lines = line(r.stderr);
      expect(lines).toHaveLength(1);
      if (typeof expected === "string") expect(lines[0]).toBe(expected);
      else expect(lines[0]).toMatch(expected);
      // What is retried says so as it happens.
      if (kind === "truncated") expect(r.stderr).toMatch(/^connection failed \(UND_ERR_SOCKET\): retrying GET \/jobs\/j in [\d.]+ s \(1\/8\)$/m);
      expect(r.stderr).not.toContain("redirect-token-value");
    } finally {
      misbehavior = undefined;
    }
    await stillAnswers();
  });

  test.each([
    ["html", "with a body that is not JSON (text/html, 50 bytes)"],
    ["empty", "with an empty body where a JSON object belongs"],
  ] as [Misbehavior, string][])("%s while run checks its pool: exit 3 with one line naming the call, its status and what came", async (kind, expected) => {
    const spec = join(dir, `run-${kind}.json`);
    writeFileSync(
      spec,
      JSON.stringify({
        pool: { id: "p", vmSize: "Standard_D2s_v3", image: { publisher: "canonical", offer: "ubuntu-24_04-lts", sku: "server" }, nodes: { dedicated: 1 } },
        job: { id: "j" },
        tasks: { list: [{ id: "t", command: "/bin/true" }] },
      }),
    );
    misbehavior = { kind, method: "GET", path: /^\/pools\/p$/ };
    try {
      const r = await cli(["run", spec, "--account-url", url, "--timeout", "2", "--no-wait"]);
      expect(r.code).toBe(EXIT.service);
      const lines = line(r.stderr).filter((l) => l.startsWith("batch error"));
      expect(lines).toEqual([`batch error: GET /pools/p: HTTP 200 ${expected}`]);
    } finally {
      misbehavior = undefined;
    }
    await stillAnswers();
  });

  test.each([
    ["repeatNextLink", "with an odata.nextLink to a page already read; the listing would never end"],
    ["foreignNextLink", "with an odata.nextLink to another host (http://elsewhere.example.net:"],
  ] as [Misbehavior, string][])("%s: a listing stops with one clear line", async (kind, expected) => {
    misbehavior = { kind, method: "GET", path: /^\/pools$/ };
    const c = client();
    try {
      const error = await (async () => {
        for await (const _ of c.list("/pools")) void _;
      })().catch((e) => e);
      expect(error.message.startsWith(`GET /pools: HTTP 200 ${expected}`)).toBe(true);
    } finally {
      misbehavior = undefined;
      await c.close();
    }
    await stillAnswers();
  });
});
