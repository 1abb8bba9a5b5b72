/** Errors of a run that are not service errors; `classifyError` sorts every error into a category. */
import type { TaskOutcome } from "./reporter.js";

/** The run was stopped by SIGINT/SIGTERM or an abort signal; the job was terminated. */
export class CancelledError extends Error {
  override readonly name = "CancelledError";
}

/** Something about the account's state blocks the run (pool differs, job belongs elsewhere or has ended, ...). */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

/** An account quota (active jobs and schedules, pools) stayed reached through the wait: a later try may succeed. */
export class QuotaReachedError extends Error {
  override readonly name = "QuotaReachedError";
}

/** Nodes could not be had, or did not become usable. */
export class PoolNotReadyError extends Error {
  override readonly name = "PoolNotReadyError";
}

/**
 * Tasks ran, and some failed (or could not be added, or never started). The core returns such a
 * run as a result; a wrapper throws this after writing its outputs, so that one `catch` with
 * `classifyError` maps every ending to its exit code or status.
 */
export class TasksFailedError extends Error {
  override readonly name = "TasksFailedError";
  constructor(
    message: string,
    readonly failed: TaskOutcome[] = [],
  ) {
    super(message);
  }
}
