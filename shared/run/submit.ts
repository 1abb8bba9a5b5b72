/**
 * `submitTasks`: what an event does (a blob arrived, a message, a timer). Make sure the pool exists
 * (created when missing, never waited for), make sure the job exists, add the tasks, return at
 * once. Safe to call again and concurrently for the same work: creates are idempotent
 * (`PoolExists`, `JobExists`), and a task that is already there, identical, counts as `existed`.
 */
import type { JobAddParameter } from "../batch/types.js";
import { addTaskCollection } from "./addTaskCollection.js";
import type { BatchClient } from "../client/batchClient.js";
import type { ResolvedTask } from "../workload/expand.js";
import type { Workload } from "../workload/types.js";
import { translateJob } from "../translate/job.js";
import { translatePool } from "../translate/pool.js";
import { translateTask } from "../translate/task.js";
import { ensureJob, jobEndedError } from "./ensureJob.js";
import { endJobWhenTasksDone, jobForRun, markSecretEnv, newRunId } from "./ownership.js";
import type { QuotaWaitOptions } from "./quotaWait.js";
import { ensurePoolExists } from "./ensurePool.js";
import { UsageError } from "../errors.js";
import { CancelledError } from "./errors.js";
import { reportRetries, silentReporter, type ProgressReporter } from "./reporter.js";
import { poolPackagesAccount } from "./armPool.js";
import { poolNeeds, runRedactor } from "./run.js";

export interface SubmitOptions {
  signal?: AbortSignal;
  reporter?: ProgressReporter;
  /**
   * When the job exists but has ended (completed, terminating, being deleted), Batch takes no
   * more tasks into it. `"fail"` (default): a `ConflictError` that names the job and its state.
   * `"newJob"`: the tasks go to the next job of the same name, `<job id>-2`, `<job id>-3`, ...: the
   * first one that is still active, or a new one after the last; concurrent calls pick the same.
   */
  ifJobEnded?: "fail" | "newJob";
  /** `addtaskcollection` requests in flight at once (default DEFAULT_SUBMIT_CONCURRENCY, 32); each holds at most 100 tasks. */
  concurrency?: number;
  /** Check the pool's image with `GET /supportedimages` before creating the pool (default true). */
  checkImage?: boolean;
  /**
   * How long a reached job or pool quota is waited out (default 2 minutes: an invocation has a few;
   * past it a `QuotaReachedError`, a service error, so that the trigger retries later).
   */
  quotaWaitMs?: number;
}

export type SubmittedStatus = "added" | "existed" | "failed";

export interface SubmittedTask {
  id: string;
  status: SubmittedStatus;
  /** For `failed`: the service's error code (`TaskExists` for a different task of that id, ...). */
  code?: string;
  reason?: string;
}

export interface SubmitResult {
  /** The job the tasks went to: the spec's, or a fresh one after it (`ifJobEnded: "newJob"`). */
  jobId: string;
  poolId: string;
  created: { pool: boolean; job: boolean };
  tasks: SubmittedTask[];
}

/** Generation `n` of a job id: `<id>-<n>`, shortening the id so that it stays within 64 characters. */
export function jobGenerationId(baseId: string, n: number): string {
  if (n <= 1) return baseId;
  const suffix = `-${n}`;
  return `${baseId.slice(0, 64 - suffix.length)}${suffix}`;
}

const MAX_GENERATIONS = 100_000;

/**
 * The job to submit into. Generations are created in order, so the existing ones are 1..k: find k
 * by doubling then bisecting (a few GETs whatever k is), then use k if it is active or create k+1.
 */
async function liveJob(
  client: BatchClient,
  body: JobAddParameter,
  ifJobEnded: "fail" | "newJob",
  reporter: ProgressReporter,
  signal?: AbortSignal,
  runId?: string,
  quotaWait: QuotaWaitOptions = {},
): Promise<{ id: string; created: boolean }> {
  const first = await ensureJob(client, body, reporter, signal, runId, quotaWait);
  if (!first.ended) return { id: body.id, created: first.created };
  if (ifJobEnded === "fail") throw jobEndedError(body.id, first, 'submit with ifJobEnded: "newJob" to start the next job of that name,');

  const exists = async (n: number) =>
    (await client.send("GET", `/jobs/${encodeURIComponent(jobGenerationId(body.id, n))}`, { query: { $select: "id" }, accept: [404], signal })).status !== 404;
  let lo = 1;
  let hi = 2;
  while (hi <= MAX_GENERATIONS && (await exists(hi))) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await exists(mid)) lo = mid;
    else hi = mid;
  }
  for (let n = Math.max(2, lo); n <= MAX_GENERATIONS; n++) {
    const id = jobGenerationId(body.id, n);
    const result = await ensureJob(client, { ...body, id }, reporter, signal, runId, quotaWait);
    if (!result.ended) {
      reporter.info(`job ${body.id} has ended (${first.ended}); ${result.created ? "started" : "adding to"} ${id}`);
      return { id, created: result.created };
    }
  }
  throw jobEndedError(jobGenerationId(body.id, MAX_GENERATIONS), first);
}

/**
 * `tasks` defaults to the workload's own (a stream: never held at once); any iterable of resolved
 * tasks will do, e.g. some of them.
 */
export async function submitTasks(
  client: BatchClient,
  workload: Workload,
  tasks: Iterable<ResolvedTask> = workload.tasks,
  options: SubmitOptions = {},
): Promise<SubmitResult> {
  const reporter = options.reporter ?? silentReporter;
  const redactor = runRedactor(client, workload);
  const batch = client.withApiVersion(workload.apiVersion).withHooks({ onRetry: reportRetries(reporter) });
  const signal = options.signal;
  for (const w of workload.warnings) reporter.warn(`${w.path}: ${w.message}`);
  try {
    if (workload.job.schedule) {
      throw new UsageError(
        `job.schedule: ${workload.job.id} is a job schedule, which creates its own jobs; submitTasks adds tasks to one job (remove job.schedule, or use runWorkload)`,
      );
    }
    const runId = newRunId();
    const quotaWait = { budgetMs: options.quotaWaitMs ?? 2 * 60_000 };
    const pool = await ensurePoolExists(
      batch,
      translatePool(workload, await poolPackagesAccount(batch, workload, signal)),
      workload.pool.reuse,
      reporter,
      signal,
      poolNeeds(client, workload, reporter, signal),
      {
        image: options.checkImage,
        runId,
        quotaWait,
      },
    );
    // Created with noaction when the spec says terminateJob, and set once this call's tasks are in;
    // a submission does not wait, so nothing else makes the job end, but its max wall clock does.
    const { body: jobBody, endWhenDone } = jobForRun(translateJob(workload), workload.job, false, workload.secrets);
    const job = await liveJob(batch, jobBody, options.ifJobEnded ?? "fail", reporter, signal, runId, quotaWait);
    // The ids, in order, for the result; the tasks themselves are translated as they are sent.
    const ids: string[] = [];
    const translated = (function* () {
      for (const t of tasks) {
        ids.push(t.id);
        yield markSecretEnv(translateTask(t, workload.facts), workload.secrets);
      }
    })();
    const total = (tasks as { length?: unknown }).length;
    const added = await addTaskCollection(batch, job.id, translated, {
      signal,
      concurrency: options.concurrency,
      total: typeof total === "number" ? total : undefined,
      onProgress: (done, all) => reporter.tasksSubmitted?.(done, all),
    });
    if (endWhenDone) await endJobWhenTasksDone(batch, job.id, signal);
    const failed = new Map(added.failed.map((f) => [f.taskId, f]));
    const existed = new Set(added.existing);
    return {
      jobId: job.id,
      poolId: workload.pool.id,
      created: { pool: pool.created, job: job.created },
      tasks: ids.map((id) => {
        const f = failed.get(id);
        if (f) return { id, status: "failed", code: f.code, reason: redactor.text(f.message) };
        return { id, status: existed.has(id) ? "existed" : "added" };
      }),
    };
  } catch (error) {
    if (signal?.aborted) throw new CancelledError("cancelled while submitting tasks");
    throw redactor.error(error);
  }
}
