/** The retry loop: attempts, a bound on the total time, abort-aware sleeps. */
import type { PipelinePolicy, PipelineResponse, RetryInfo } from "../pipeline.js";
import { exponentialStrategy, throttlingStrategy, type RetryStrategy } from "./retryStrategies.js";

export interface RetryOptions {
  maxRetries?: number;
  /** Total time, first attempt to last, after which the last answer stands. */
  maxRetryTimeMs?: number;
  strategies?: RetryStrategy[];
  now?: () => number;
  onRetry?: (info: RetryInfo) => void;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function retryPolicy(options: RetryOptions = {}): PipelinePolicy {
  const maxRetries = options.maxRetries ?? 8;
  const maxRetryTimeMs = options.maxRetryTimeMs ?? 5 * 60_000;
  const strategies = options.strategies ?? [throttlingStrategy(), exponentialStrategy()];
  const now = options.now ?? Date.now;
  return {
    name: "retryPolicy",
    async sendRequest(request, next) {
      const started = now();
      for (let retryCount = 0; ; retryCount++) {
        let response: PipelineResponse | undefined;
        let error: unknown;
        try {
          // Each attempt gets its own headers, so that signing policies start from a clean slate.
          response = await next({ ...request, headers: { ...request.headers } });
        } catch (e) {
          if (request.signal?.aborted) throw e;
          error = e;
        }
        const decision = retryCount >= maxRetries ? undefined : decide(strategies, { response, error, retryCount, idempotent: request.idempotent });
        const withinBudget = decision && now() + decision.afterMs - started <= maxRetryTimeMs;
        if (!decision || !withinBudget) {
          if (response) return response;
          throw error;
        }
        const info: RetryInfo = {
          attempt: retryCount + 1,
          maxRetries,
          delayMs: decision.afterMs,
          reason: response ? `HTTP ${response.status}` : String((error as { code?: string }).code ?? error),
          method: request.method,
          path: request.url.pathname,
        };
        options.onRetry?.(info);
        request.hooks?.onRetry?.(info);
        await sleep(decision.afterMs, request.signal);
      }
    },
  };
}

function decide(strategies: RetryStrategy[], state: Parameters<RetryStrategy["decide"]>[0]): { afterMs: number } | undefined {
  for (const strategy of strategies) {
    const d = strategy.decide(state);
    if (d.kind === "retry") return { afterMs: d.afterMs };
  }
  return undefined;
}
