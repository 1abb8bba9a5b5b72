import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { BatchClient } from "../../../../shared/client/batchClient.js";
import { BatchServiceError } from "../../../../shared/client/errors.js";
import { TransportError, type PipelineRequest, type PipelineResponse } from "../../../../shared/client/pipeline.js";
import { exponentialStrategy, retryAfterMs, throttlingStrategy } from "../../../../shared/client/policies/retryStrategies.js";

const NOW = Date.parse("2026-11-22T20:00:00Z");

describe("retry-after parsing", () => {
  test.each([
    ["Retry-After in seconds", { "retry-after": "7" }, 7000],
    ["Retry-After as an HTTP date", { "retry-after": new Date(NOW + 12_000).toUTCString() }, 12_000],
    ["Retry-After date in the past", { "retry-after": new Date(NOW - 5_000).toUTCString() }, 0],
    ["retry-after-ms wins over Retry-After", { "retry-after-ms": "250", "retry-after": "9" }, 250],
    ["x-ms-retry-after-ms", { "x-ms-retry-after-ms": "1500" }, 1500],
    ["garbage", { "retry-after": "soon" }, undefined],
    ["absent", {}, undefined],
  ])("%s", (_name, headers, expected) => {
    expect(retryAfterMs(headers as Record<string, string>, NOW)).toBe(expected);
  });
});

const response = (status: number, headers: Record<string, string> = {}) => ({ status, headers, bodyText: "", request: {} as PipelineRequest });

describe("strategies", () => {
  test("throttling handles 429/503 with a hint and leaves the rest", () => {
    const s = throttlingStrategy(() => NOW);
    expect(s.decide({ response: response(429, { "retry-after": "3" }), retryCount: 0, idempotent: false })).toEqual({
      kind: "retry",
      afterMs: 3000,
      throttled: true,
    });
    expect(s.decide({ response: response(503, { "retry-after-ms": "40" }), retryCount: 0, idempotent: true })).toEqual({
      kind: "retry",
      afterMs: 40,
      throttled: true,
    });
    expect(s.decide({ response: response(503), retryCount: 0, idempotent: true })).toEqual({ kind: "skip" });
    expect(s.decide({ response: response(500, { "retry-after": "3" }), retryCount: 0, idempotent: true })).toEqual({ kind: "skip" });
  });

  test("exponential: capped, jittered between half and all of the delay", () => {
    const low = exponentialStrategy({ baseDelayMs: 1000, maxDelayMs: 8000, random: () => 0 });
    const high = exponentialStrategy({ baseDelayMs: 1000, maxDelayMs: 8000, random: () => 1 });
    const at = (s: typeof low, n: number) => s.decide({ response: response(500), retryCount: n, idempotent: true });
    expect([0, 1, 2, 3, 4, 10].map((n) => at(low, n))).toEqual([500, 1000, 2000, 4000, 4000, 4000].map((afterMs) => ({ kind: "retry", afterMs })));
    expect([0, 1, 2, 3, 4].map((n) => at(high, n))).toEqual([1000, 2000, 4000, 8000, 8000].map((afterMs) => ({ kind: "retry", afterMs })));
  });

  test("exponential: which failures are transient, and what is safe to repeat", () => {
    const s = exponentialStrategy({ random: () => 0 });
    const reset = new TransportError("reset", "ECONNRESET", false);
    const refused = new TransportError("refused", "ECONNREFUSED", true);
    for (const status of [408, 500, 502, 503, 504]) expect(s.decide({ response: response(status), retryCount: 0, idempotent: true }).kind).toBe("retry");
    for (const status of [400, 401, 403, 404, 409, 412, 413])
      expect(s.decide({ response: response(status), retryCount: 0, idempotent: true }).kind).toBe("skip");
    expect(s.decide({ error: reset, retryCount: 0, idempotent: true }).kind).toBe("retry");
    // A POST that is not idempotent: a reset may have committed it, a 500 may have done half of it.
    expect(s.decide({ error: reset, retryCount: 0, idempotent: false }).kind).toBe("skip");
    expect(s.decide({ response: response(500), retryCount: 0, idempotent: false }).kind).toBe("skip");
    // ...but a refused connection never reached the service, and a 429 did nothing.
    expect(s.decide({ error: refused, retryCount: 0, idempotent: false }).kind).toBe("retry");
    expect(s.decide({ response: response(429), retryCount: 0, idempotent: false }).kind).toBe("retry");
    expect(s.decide({ error: new Error("bug"), retryCount: 0, idempotent: true }).kind).toBe("skip");
  });
});

describe("the retry loop in the client (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  function clientWith(script: ((req: PipelineRequest) => PipelineResponse | Error)[], retry = {}) {
    const sent: { at: number; request: PipelineRequest }[] = [];
    const client = new BatchClient({
      accountUrl: "https://acct.region.batch.azure.com",
      auth: { kind: "none" },
      retry,
      transport: async (request) => {
        sent.push({ at: Date.now(), request });
        const step = script[Math.min(sent.length - 1, script.length - 1)]!;
        const r = step(request);
        if (r instanceof Error) throw r;
        return { ...r, request };
      },
    });
    return { client, sent };
  }
  const reply =
    (status: number, headers: Record<string, string> = {}, body = "") =>
    () => ({ status, headers, bodyText: body, request: {} as PipelineRequest });

  test("429 with Retry-After in seconds, then 503 with an HTTP date, then success", async () => {
    const { client, sent } = clientWith([
      reply(429, { "retry-after": "2" }),
      () => ({ status: 503, headers: { "retry-after": new Date(Date.now() + 5_000).toUTCString() }, bodyText: "", request: {} as PipelineRequest }),
      reply(200, {}, "{}"),
    ]);
    const p = client.send("GET", "/pools/p");
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await p).status).toBe(200);
    expect(sent.map((s) => s.at - NOW)).toEqual([0, 2000, 7000]);
    // One logical call: the same client-request-id on every attempt.
    expect(new Set(sent.map((s) => s.request.headers["client-request-id"])).size).toBe(1);
    expect(sent[0]!.request.headers["return-client-request-id"]).toBe("true");
  });

  test("waits out throttling within its own time budget, then surfaces the service's last answer", async () => {
    const { client, sent } = clientWith(
      [reply(503, { "retry-after": "20" }, JSON.stringify({ code: "ServerBusy", message: { value: "The server is busy." } }))],
      { maxThrottleTimeMs: 60_000, maxRetries: 1 },
    );
    const p = client.send("GET", "/pools/p").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(120_000);
    const error = (await p) as BatchServiceError;
    expect(error).toBeInstanceOf(BatchServiceError);
    expect(error.code).toBe("ServerBusy");
    expect(sent.map((s) => s.at - NOW)).toEqual([0, 20_000, 40_000, 60_000]);
  });

  test("throttling does not spend the failure count; failures after it still have theirs", async () => {
    const throttled = Array.from({ length: 12 }, () => reply(429, { "retry-after-ms": "100" }));
    const resets = Array.from({ length: 2 }, () => () => new TransportError("reset", "ECONNRESET", false));
    const { client, sent } = clientWith([...throttled, ...resets, reply(200, {}, "{}")], { maxRetries: 2 });
    const p = client.send("GET", "/pools/p");
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await p).status).toBe(200);
    expect(sent).toHaveLength(15);
  });

  test("gives up after the failure time bound, not counting throttled waits", async () => {
    const { client, sent } = clientWith([reply(500, {}, JSON.stringify({ code: "InternalError", message: { value: "x" } }))], {
      maxRetryTimeMs: 5_000,
      maxRetries: 100,
    });
    const p = client.send("GET", "/pools/p").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(((await p) as BatchServiceError).statusCode).toBe(500);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.at(-1)!.at - NOW).toBeLessThanOrEqual(5_000);
  });

  test("gives up after maxRetries on resets", async () => {
    const { client, sent } = clientWith([() => new TransportError("reset", "ECONNRESET", false)], { maxRetries: 3 });
    const p = client.send("GET", "/pools/p").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(await p).toBeInstanceOf(TransportError);
    expect(sent).toHaveLength(4);
  });

  test("a non-idempotent POST is not repeated after a 500", async () => {
    const { client, sent } = clientWith([reply(500, {}, JSON.stringify({ code: "InternalError", message: { value: "oops" } }))]);
    const p = client.send("POST", "/jobs/j/terminate").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(((await p) as BatchServiceError).statusCode).toBe(500);
    expect(sent).toHaveLength(1);
  });

  test("an abort stops the wait at once", async () => {
    const { client, sent } = clientWith([reply(429, { "retry-after": "30" })]);
    const controller = new AbortController();
    const p = client.send("GET", "/pools/p", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    controller.abort(new Error("stop"));
    expect(((await p) as Error).message).toBe("stop");
    expect(sent).toHaveLength(1);
  });
});
