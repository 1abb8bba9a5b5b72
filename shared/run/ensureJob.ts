/** Creates the job (or job schedule); an existing one is reused only when it is ours to reuse. */
import type { CloudJob, JobAddParameter, JobScheduleAddParameter } from "../batch/types.js";
import type { BatchClient } from "../client/batchClient.js";
import { BatchServiceError } from "../client/errors.js";
import { ConflictError } from "./errors.js";
import { createdByRun, withRunId } from "./ownership.js";
import { waitOutQuota, type QuotaWaitOptions } from "./quotaWait.js";
import type { ProgressReporter } from "./reporter.js";

export interface EnsureJobResult {
  created: boolean;
  /** Set when the job exists but takes no more tasks: `completed`, `terminating` or `deleting`. */
  ended?: string;
  terminateReason?: string;
}

/**
 * Creates the job, or accepts the existing one when it runs on the same pool. A job that has
 * ended is returned as such (`ended`), for the caller to decide: Batch adds no task to it.
 */
export async function ensureJob(
  client: BatchClient,
  job: JobAddParameter,
  reporter: ProgressReporter,
  signal?: AbortSignal,
  runId?: string,
  quotaWait: QuotaWaitOptions = {},
): Promise<EnsureJobResult> {
  try {
    // The account's quota of active jobs reached: waited out while other jobs end.
    await waitOutQuota(
      `creating job ${job.id}`,
      () => client.send("POST", "/jobs", { body: runId ? withRunId(job, runId) : job, idempotent: true, signal }),
      reporter,
      { signal, ...quotaWait },
    );
    reporter.info(`created job ${job.id}`);
    return { created: true };
  } catch (error) {
    if (!(error instanceof BatchServiceError && error.code === "JobExists")) throw error;
  }
  const existing = await client.json<CloudJob>("GET", `/jobs/${encodeURIComponent(job.id)}`, {
    query: { $select: "id,state,poolInfo,executionInfo,metadata" },
    signal,
  });
  // A retry of our own create whose first answer was lost: the job is this run's.
  if (runId && createdByRun(existing.metadata, runId)) {
    reporter.info(`created job ${job.id}`);
    return { created: true };
  }
  if (existing.poolInfo?.poolId?.toLowerCase() !== job.poolInfo.poolId.toLowerCase()) {
    throw new ConflictError(
      `job ${job.id} already exists on pool ${existing.poolInfo?.poolId ?? "(auto pool)"}, not ${job.poolInfo.poolId}; use another job id`,
    );
  }
  if (existing.state === "completed" || existing.state === "terminating" || existing.state === "deleting") {
    return { created: false, ended: existing.state ?? "unknown", terminateReason: existing.executionInfo?.terminateReason };
  }
  return { created: false };
}

/** The error for a job that has ended, naming it and its state, and what would work instead. */
export function jobEndedError(jobId: string, ended: EnsureJobResult, alsoPossible?: string, jobIdTemplate?: string): ConflictError {
  const why = ended.terminateReason ? ` (${ended.terminateReason})` : "";
  // A job id the spec already makes from a var: another value of that var is the way, not another template.
  const fromVar = jobIdTemplate ? /\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/.exec(jobIdTemplate)?.[1] : undefined;
  const instead = fromVar
    ? `give vars.${fromVar} another value (--var ${fromVar}=<new>, or the Action's vars input) for a new job`
    : `use another job id (e.g. job.id: "name-{{ vars.run }}")`;
  return new ConflictError(
    `job ${jobId} already exists and is ${ended.ended}${why}: Batch adds no tasks to a job that has ended; ${instead}${alsoPossible ? `, ${alsoPossible}` : ""} or delete the job`,
  );
}

export async function ensureJobSchedule(
  client: BatchClient,
  schedule: JobScheduleAddParameter,
  reporter: ProgressReporter,
  signal?: AbortSignal,
  quotaWait: QuotaWaitOptions = {},
): Promise<{ created: boolean }> {
  try {
    await waitOutQuota(
      `creating job schedule ${schedule.id}`,
      () => client.send("POST", "/jobschedules", { body: schedule, idempotent: true, signal }),
      reporter,
      {
        signal,
        ...quotaWait,
      },
    );
    reporter.info(`created job schedule ${schedule.id}`);
    return { created: true };
  } catch (error) {
    if (!(error instanceof BatchServiceError && error.code === "JobScheduleExists")) throw error;
    reporter.warn(`job schedule ${schedule.id} already exists; left as it is`);
    return { created: false };
  }
}
