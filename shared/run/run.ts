/**
 * `run`: ensure the pool, create the job, add the tasks, follow them to the end, clean up.
 * Cancellation (an aborted signal) terminates the job before the error propagates.
 */
import type { BatchClient } from "../client/batchClient.js";
import { addTaskCollection } from "../client/addTaskCollection.js";
import { Redactor } from "../redact.js";
import type { Workload } from "../workload/load.js";
import { translateJob, translateJobSchedule } from "../translate/job.js";
import { translatePool } from "../translate/pool.js";
import { ensureJob, ensureJobSchedule } from "./ensureJob.js";
import { ensurePool } from "./ensurePool.js";
import { CancelledError } from "./errors.js";
import { translateTasks } from "./plan.js";
import type { ProgressReporter, TaskOutcome } from "./reporter.js";
import { waitForTasks } from "./waitForTasks.js";

export type CleanupPolicy = "job" | "pool" | "none";

export interface RunOptions {
  wait?: boolean;
  cleanup?: CleanupPolicy;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  poolTimeoutMs?: number;
  redactor?: Redactor;
}

export interface RunResult {
  jobId: string;
  poolId: string;
  /** True when every task succeeded (or, without waiting, when everything was submitted). */
  succeeded: boolean;
  outcomes: TaskOutcome[];
  /** Tasks the service refused to add. */
  addFailures: { taskId: string; code: string; message: string }[];
  jobEnded?: string;
  /** Tasks left waiting on a failed dependency. */
  blocked?: string[];
  schedule?: boolean;
}

export async function runWorkload(client: BatchClient, workload: Workload, reporter: ProgressReporter, options: RunOptions = {}): Promise<RunResult> {
  const redactor = options.redactor ?? new Redactor(workload.secrets);
  const signal = options.signal;
  const poolBody = translatePool(workload);
  const jobId = workload.job.id;
  let poolCreated = false;
  let jobTouched = false;
  const base = { jobId, poolId: workload.pool.id, outcomes: [] as TaskOutcome[], addFailures: [] as RunResult["addFailures"] };

  try {
    const pool = await ensurePool(client, poolBody, workload.pool.reuse, reporter, { signal, pollIntervalMs: options.pollIntervalMs, timeoutMs: options.poolTimeoutMs });
    poolCreated = pool.created;

    if (workload.job.schedule) {
      await ensureJobSchedule(client, translateJobSchedule(workload), reporter, signal);
      return { ...base, succeeded: true, schedule: true };
    }

    jobTouched = true;
    await ensureJob(client, translateJob(workload), reporter, signal);
    const tasks = translateTasks(workload);
    const added = await addTaskCollection(client, jobId, tasks, { signal });
    reporter.info(`tasks: ${added.added.length} added, ${added.existing.length} already there${added.failed.length ? `, ${added.failed.length} refused` : ""}`);
    for (const f of added.failed) reporter.warn(`task ${f.taskId} was not added: ${f.code}: ${redactor.text(f.message)}`);
    const addFailures = added.failed.map((f) => ({ ...f, message: redactor.text(f.message) }));
    const followed = new Set([...added.added, ...added.existing, ...(workload.job.manager ? [workload.job.manager.id] : [])]);

    if (options.wait === false) {
      return { ...base, addFailures, succeeded: addFailures.length === 0 };
    }
    const waited = await waitForTasks(client, jobId, followed, reporter, { signal, pollIntervalMs: options.pollIntervalMs, redactor });
    const succeeded = addFailures.length === 0 && !waited.jobEnded && waited.outcomes.every((o) => o.result === "success");
    const result: RunResult = { ...base, addFailures, outcomes: waited.outcomes, succeeded: succeeded && !waited.blocked, jobEnded: waited.jobEnded, blocked: waited.blocked };
    await cleanup(client, workload, options.cleanup ?? workload.spec.cleanup ?? "none", poolCreated, reporter);
    return result;
  } catch (error) {
    if (signal?.aborted) {
      if (jobTouched) {
        // The run's own signal is aborted; terminating needs a fresh one, bounded in time.
        await client
          .send("POST", `/jobs/${encodeURIComponent(jobId)}/terminate`, { body: { terminateReason: "Cancelled by azure-batch-run" }, idempotent: true, signal: AbortSignal.timeout(30_000), accept: [404, 409] })
          .then(() => reporter.warn(`cancelled: job ${jobId} terminated`))
          .catch((e: unknown) => reporter.warn(`cancelled, but terminating job ${jobId} failed: ${redactor.text(String((e as Error).message ?? e))}`));
      }
      throw new CancelledError(`cancelled${jobTouched ? `; job ${jobId} terminated` : ""}`);
    }
    throw error;
  }
}

async function cleanup(client: BatchClient, workload: Workload, policy: CleanupPolicy, poolCreated: boolean, reporter: ProgressReporter): Promise<void> {
  if (policy === "none") return;
  await client.send("DELETE", `/jobs/${encodeURIComponent(workload.job.id)}`, { accept: [404] });
  reporter.info(`deleted job ${workload.job.id}`);
  if (policy !== "pool") return;
  if (!poolCreated) {
    reporter.warn(`kept pool ${workload.pool.id}: this run reused it rather than creating it`);
    return;
  }
  await client.send("DELETE", `/pools/${encodeURIComponent(workload.pool.id)}`, { accept: [404] });
  reporter.info(`deleted pool ${workload.pool.id}`);
}
