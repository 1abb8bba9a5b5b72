/**
 * An account quota reached is a wait, not a failure: `ActiveJobAndScheduleQuotaReached` (too many
 * active jobs and job schedules) and `PoolQuotaReached` clear when other work ends. The create is
 * tried again with backoff within a time budget, with one visible line when the wait starts and one
 * when it is over; past the budget the error says what holds the quota and what to do.
 */
import { BatchServiceError } from "../client/errors.js";
import { sleep } from "../sleep.js";
import { QuotaReachedError } from "./errors.js";
import type { ProgressReporter } from "./reporter.js";

export interface QuotaWaitOptions {
  signal?: AbortSignal;
  /** The longest the wait may take in all (default 30 minutes). */
  budgetMs?: number;
  /** The first pause (default 5 s); each next one is 1.5 times longer, at most `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

const WHAT: Record<string, { quota: string; todo: string }> = {
  ActiveJobAndScheduleQuotaReached: {
    quota: "job quota (active jobs and job schedules)",
    todo: "terminate or delete jobs that are done (a job left active holds quota), or request a quota increase",
  },
  PoolQuotaReached: { quota: "pool quota", todo: "delete pools no longer used, or request a pool quota increase" },
};

/** Runs `create`; while it fails with one of the quota codes, waits and tries again within the budget. */
export async function waitOutQuota<T>(what: string, create: () => Promise<T>, reporter: ProgressReporter, options: QuotaWaitOptions = {}): Promise<T> {
  const started = Date.now();
  const budget = options.budgetMs ?? 30 * 60_000;
  let delay = options.firstDelayMs ?? 5_000;
  let waiting: string | undefined;
  for (;;) {
    try {
      const result = await create();
      if (waiting) reporter.info(`${waiting} is free again after ${Math.round((Date.now() - started) / 1000)} s: ${what} done`);
      return result;
    } catch (error) {
      const known = error instanceof BatchServiceError ? WHAT[error.code ?? ""] : undefined;
      if (!known) throw error;
      const elapsed = Date.now() - started;
      if (elapsed + delay > budget) {
        throw new QuotaReachedError(
          `${what}: the account's ${known.quota} is still reached after ${Math.round(elapsed / 1000)} s of waiting (${(error as Error).message}); ${known.todo}`,
        );
      }
      if (!waiting) {
        waiting = `the account's ${known.quota}`;
        reporter.info(
          `waiting for ${known.quota}: the account has reached it; ${what} is tried again as other work ends (for up to ${Math.round(budget / 60_000)} min)`,
        );
      }
      await sleep(delay, options.signal);
      delay = Math.min(options.maxDelayMs ?? 60_000, Math.round(delay * 1.5));
    }
  }
}
