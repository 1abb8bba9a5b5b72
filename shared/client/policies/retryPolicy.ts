/** The retry loop: attempts, a bound on the total time, abort-aware sleeps. */
import { sleep } from "../../sleep.js";
import type { PipelinePolicy, PipelineResponse, RetryInfo } from "../pipeline.js";
import { exponentialStrategy, throttlingStrategy, type RetryStrategy } from "./retryStrategies.js";

export interface RetryOptions {
  /** Retries of failures (408, 5xx without Retry-After, resets, timeouts) per call. */
  maxRetries?: number;
  /** Time, first attempt to last, within which failures are retried (throttled waits not counted). */
  maxRetryTimeMs?: number;
  /**
   * Time one call may spend waiting out throttling (429/503 with Retry-After). Throttling is not a
   * failure: a busy service that says when to come back is waited for, up to this long.
   */
  maxThrottleTimeMs?: number;
  strategies?: RetryStrategy[];
  now?: () => number;
  onRetry?: (info: RetryInfo) => void;
}

export function retryPolicy(options: RetryOptions = {}): PipelinePolicy {
  const maxRetries = options.maxRetries ?? 8;
  const maxRetryTimeMs = options.maxRetryTimeMs ?? 5 * 60_000;
  const maxThrottleTimeMs = options.maxThrottleTimeMs ?? 10 * 60_000;
  const strategies = options.strategies ?? [throttlingStrategy(), exponentialStrategy()];
  const now = options.now ?? Date.now;
  return {
    name: "retryPolicy",
    async sendRequest(request, next) {
      const started = now();
      let failures = 0;
      let throttles = 0;
      let throttledMs = 0;
      for (;;) {
        let response: PipelineResponse | undefined;
        let error: unknown;
        try {
          // Each attempt gets its own headers, so that signing policies start from a clean slate.
          response = await next({ ...request, headers: { ...request.headers } });
        } catch (e) {
          if (request.signal?.aborted) throw e;
          error = e;
        }
        const decision = decide(strategies, { response, error, retryCount: failures, idempotent: request.idempotent });
        const allowed =
          decision !== undefined &&
          (decision.throttled
            ? throttledMs + decision.afterMs <= maxThrottleTimeMs
            : failures < maxRetries && now() + decision.afterMs - started - throttledMs <= maxRetryTimeMs);
        if (!decision || !allowed) {
          if (response) return response;
          throw error;
        }
        if (decision.throttled) {
          throttles++;
          throttledMs += decision.afterMs;
        } else failures++;
        const info: RetryInfo = {
          attempt: decision.throttled ? throttles : failures,
          maxRetries,
          throttled: Boolean(decision.throttled),
          throttleBudgetMs: maxThrottleTimeMs,
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

function decide(strategies: RetryStrategy[], state: Parameters<RetryStrategy["decide"]>[0]): { afterMs: number; throttled?: boolean } | undefined {
  for (const strategy of strategies) {
    const d = strategy.decide(state);
    if (d.kind === "retry") return { afterMs: d.afterMs, throttled: d.throttled };
  }
  return undefined;
}
