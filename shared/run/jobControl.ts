/** What a wrapper needs besides a run: a job's status, terminating it, and cleaning up after it (an Action's post step). */
import { isTaskCounts, type CloudJob, type TaskCounts } from "../batch/types.js";
import type { BatchClient } from "../client/batchClient.js";
import { BatchServiceError, UnexpectedResponseError } from "../client/errors.js";
import type { ProgressReporter } from "./reporter.js";
import { ARM_API_VERSION } from "../batch/armPool.js";

export interface JobStatus {
  jobId: string;
  /** `active`, `terminating`, `completed`, ... as Batch says. */
  state: string;
  poolId?: string;
  counts: TaskCounts;
  /** Why the job ended, when it has (`AllTasksComplete`, `MaxWallClockTimeExpiry`, a user's reason, ...). */
  terminateReason?: string;
}

export async function getJobStatus(client: BatchClient, jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobStatus> {
  const path = `/jobs/${encodeURIComponent(jobId)}`;
  const [job, { taskCounts }] = await Promise.all([
    client.json<CloudJob>("GET", path, { query: { $select: "id,state,poolInfo,executionInfo" }, signal: options.signal }),
    client.json<{ taskCounts?: unknown }>("GET", `${path}/taskcounts`, { signal: options.signal }),
  ]);
  if (!isTaskCounts(taskCounts)) throw new UnexpectedResponseError("GET", `${path}/taskcounts`, 200, "without the five task counts");
  return {
    jobId: job.id,
    state: job.state ?? "unknown",
    poolId: job.poolInfo?.poolId,
    counts: taskCounts,
    terminateReason: job.executionInfo?.terminateReason,
  };
}

export type TerminateOutcome = "terminated" | "alreadyEnded" | "notFound";

/** Terminates a job: running tasks are killed and nothing more is scheduled. An ended or missing job is no error. */
export async function terminateJob(client: BatchClient, jobId: string, options: { reason?: string; signal?: AbortSignal } = {}): Promise<TerminateOutcome> {
  const response = await client.send("POST", `/jobs/${encodeURIComponent(jobId)}/terminate`, {
    body: { terminateReason: options.reason ?? "Terminated by azure-batch-run" },
    idempotent: true,
    signal: options.signal,
    accept: [404, 409],
  });
  if (response.status === 404) return "notFound";
  return response.status === 409 ? "alreadyEnded" : "terminated";
}

export interface CleanupTarget {
  /** The job to delete (its tasks go with it). */
  jobId?: string;
  /** The pool to delete: name only a pool the caller created (see `RunResult.created`). */
  poolId?: string;
  /** Set when the pool was created through Azure Resource Manager: it is deleted there. */
  poolArmPath?: string;
}

export interface CleanupResult {
  deleted: string[];
  /** What could not be deleted; each was reported as a warning. */
  failed: string[];
  /** What was left on purpose: a pool that another job still has tasks on. */
  kept: string[];
}

/**
 * Other active jobs with tasks active or running on the pool (their ids): a pool is not deleted
 * under another run's work. One listing of the active jobs, then each one's counts on this pool.
 */
export async function jobsUsingPool(client: BatchClient, poolId: string, exceptJobId: string | undefined, signal?: AbortSignal): Promise<string[]> {
  const busy: string[] = [];
  const except = exceptJobId?.toLowerCase();
  for await (const job of client.list<CloudJob>("/jobs", { query: { $filter: "state eq 'active'", $select: "id,poolInfo" }, signal })) {
    if (job.poolInfo?.poolId?.toLowerCase() !== poolId.toLowerCase() || job.id.toLowerCase() === except) continue;
    const { taskCounts } = await client.json<{ taskCounts?: unknown }>("GET", `/jobs/${encodeURIComponent(job.id)}/taskcounts`, { signal });
    if (!isTaskCounts(taskCounts) || taskCounts.active + taskCounts.running > 0) busy.push(job.id);
  }
  return busy;
}

const CLEANUP_TIMEOUT_MS = 60_000;

/**
 * Deletes the job, then the pool, as named. Never throws: a delete that fails (or a resource that
 * is already gone) is a warning, so that cleaning up cannot turn a successful run into a failed
 * one. Honours `signal`; when it is already aborted (a cancelled run cleans up after itself) a
 * fresh, bounded one is used instead.
 */
export async function cleanup(
  client: BatchClient,
  target: CleanupTarget,
  reporter: ProgressReporter,
  options: { signal?: AbortSignal } = {},
): Promise<CleanupResult> {
  const timeout = AbortSignal.timeout(CLEANUP_TIMEOUT_MS);
  const signal = options.signal && !options.signal.aborted ? AbortSignal.any([options.signal, timeout]) : timeout;
  const result: CleanupResult = { deleted: [], failed: [], kept: [] };
  const remove = async (kind: "job" | "pool", id: string) => {
    try {
      const response = await client.send("DELETE", `/${kind}s/${encodeURIComponent(id)}`, { accept: [404], signal });
      if (response.status === 404) reporter.info(`${kind} ${id} was already gone`);
      else reporter.info(`deleted ${kind} ${id}`);
      result.deleted.push(`${kind} ${id}`);
    } catch (error) {
      const why = error instanceof BatchServiceError ? error.message : ((error as Error)?.message ?? String(error));
      reporter.warn(`could not delete ${kind} ${id}: ${client.redactor.text(why)}`);
      result.failed.push(`${kind} ${id}`);
    }
  };
  if (target.jobId) await remove("job", target.jobId);
  if (target.poolId) {
    // Not under another run's work: a pool is deleted only when no other job has tasks waiting or running on it.
    try {
      const busy = await jobsUsingPool(client, target.poolId, target.jobId, signal);
      if (busy.length > 0) {
        reporter.warn(
          `pool ${target.poolId} left in place: job${busy.length === 1 ? "" : "s"} ${busy.slice(0, 5).join(", ")}${busy.length > 5 ? ` and ${busy.length - 5} more` : ""} still ha${busy.length === 1 ? "s" : "ve"} tasks on it; delete it when ${busy.length === 1 ? "that job ends" : "they end"}`,
        );
        result.kept.push(`pool ${target.poolId}`);
        return result;
      }
    } catch (error) {
      reporter.warn(
        `pool ${target.poolId} left in place: could not tell whether other jobs use it: ${client.redactor.text((error as Error)?.message ?? String(error))}`,
      );
      result.kept.push(`pool ${target.poolId}`);
      return result;
    }
  }
  if (target.poolId && target.poolArmPath) {
    // What ARM created, ARM deletes (the ARM resource goes with its data-plane pool).
    try {
      if (!client.arm) throw new Error("no Azure Resource Manager credential on this client");
      await client.arm.send("DELETE", target.poolArmPath, { query: { "api-version": ARM_API_VERSION }, accept: [404], signal });
      reporter.info(`deleted pool ${target.poolId} through Azure Resource Manager`);
      result.deleted.push(`pool ${target.poolId}`);
    } catch (error) {
      reporter.warn(
        `could not delete pool ${target.poolId} through Azure Resource Manager: ${client.redactor.text((error as Error)?.message ?? String(error))}`,
      );
      result.failed.push(`pool ${target.poolId}`);
    }
  } else if (target.poolId) await remove("pool", target.poolId);
  return result;
}
