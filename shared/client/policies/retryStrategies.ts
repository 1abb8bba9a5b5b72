/**
 * Pure retry strategies: given what happened, say "skip" (not mine), "retry after N ms" or
 * "give up". The loop that sleeps and counts lives in `retryPolicy.ts`.
 */
import { TransportError, type PipelineResponse } from "../pipeline.js";

export interface RetryState {
  response?: PipelineResponse;
  error?: unknown;
  /** Retries done so far (0 on the first failure). */
  retryCount: number;
  idempotent: boolean;
}

/** `throttled`: the service said when to come back; such a wait is not a failure, and has its own budget. */
export type RetryDecision = { kind: "skip" } | { kind: "retry"; afterMs: number; throttled?: boolean };

export interface RetryStrategy {
  name: string;
  decide(state: RetryState): RetryDecision;
}

const SKIP: RetryDecision = { kind: "skip" };

/** Reads `retry-after-ms`, `x-ms-retry-after-ms`, then `Retry-After` (seconds or an HTTP date). */
export function retryAfterMs(headers: Record<string, string>, now: number = Date.now()): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = headers[name];
    if (value !== undefined && /^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value));
  }
  const value = headers["retry-after"]?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** 429 and 503 that say when to come back. A throttled request was not processed: always safe. */
export function throttlingStrategy(now: () => number = Date.now): RetryStrategy {
  return {
    name: "throttling",
    decide({ response }) {
      if (!response || (response.status !== 429 && response.status !== 503)) return SKIP;
      const after = retryAfterMs(response.headers, now());
      return after === undefined ? SKIP : { kind: "retry", afterMs: after, throttled: true };
    },
  };
}

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
  // A response cut short (fewer bytes than its Content-Length).
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);

export interface ExponentialOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/**
 * Server errors, resets and timeouts with capped exponential backoff and jitter (half the delay
 * fixed, half random, as the Azure SDKs do). A request that is not idempotent is retried only when
 * it certainly did not reach the service, or when the service answered 429 (nothing was done).
 */
export function exponentialStrategy(options: ExponentialOptions = {}): RetryStrategy {
  const base = options.baseDelayMs ?? 800;
  const max = options.maxDelayMs ?? 60_000;
  const random = options.random ?? Math.random;
  const delay = (retryCount: number): number => {
    const capped = Math.min(max, base * 2 ** retryCount);
    return Math.round(capped / 2 + random() * (capped / 2));
  };
  return {
    name: "exponential",
    decide({ response, error, retryCount, idempotent }) {
      if (response) {
        if (!TRANSIENT_STATUS.has(response.status)) return SKIP;
        if (!idempotent && response.status !== 429) return SKIP;
        return { kind: "retry", afterMs: delay(retryCount) };
      }
      if (error instanceof TransportError && TRANSIENT_CODES.has(error.code)) {
        if (!idempotent && !error.notSent) return SKIP;
        return { kind: "retry", afterMs: delay(retryCount) };
      }
      return SKIP;
    },
  };
}
