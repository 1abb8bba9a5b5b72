/**
 * `run`: ensure the pool, create the job, add the tasks, follow them to the end, clean up.
 * Cancellation (an aborted signal) terminates the job before the error propagates; cleanup runs
 * in a `finally` and can only warn.
 */
import type { BatchClient } from "../client/batchClient.js";
import { addTaskCollection } from "./addTaskCollection.js";
import type { Redactor } from "../redact.js";
import type { Workload } from "../workload/types.js";
import { translateJob, translateJobSchedule } from "../translate/job.js";
import { translatePool } from "../translate/pool.js";
import { ensureJob, ensureJobSchedule, jobEndedError } from "./ensureJob.js";
import { createPoolThroughArm, poolPackagesAccount } from "./armPool.js";
import { ensurePoolExists, waitForPoolReady, type PoolIdentityNeeds } from "./ensurePool.js";
import { UsageError } from "../errors.js";
import { CancelledError } from "./errors.js";
import { cleanup, terminateJob, type CleanupTarget } from "./jobControl.js";
import { endJobWhenTasksDone, jobForRun, newRunId } from "./ownership.js";
import { assertFits } from "./preflight.js";
import { translateTasks } from "./plan.js";
import { reportRetries, type ProgressReporter, type TaskOutcome } from "./reporter.js";
import { waitForTasks } from "./waitForTasks.js";

export type CleanupPolicy = "job" | "pool" | "none";

export interface RunOptions {
  /** Follow the tasks to the end (default). Without waiting, cleanup is left to a later `cleanup` call. */
  wait?: boolean;
  /** Overrides the spec's `cleanup`. */
  cleanup?: CleanupPolicy;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  poolTimeoutMs?: number;
  /** `addtaskcollection` requests in flight at once (default DEFAULT_SUBMIT_CONCURRENCY, 32). */
  concurrency?: number;
  /** Check the pool's image with `GET /supportedimages` before creating the pool (default true). */
  checkImage?: boolean;
  /** This run's id, written into the metadata of what it creates (default: a new UUID). */
  runId?: string;
  /** The time image end-of-life dates are judged at (ms since the epoch; default now). */
  now?: number;
  /**
   * Told as soon as the run creates the pool or the job, before anything can fail or be cancelled:
   * a wrapper saves it (an Action's state) so that its cleanup knows even when the run throws.
   */
  onCreated?: (created: RunResult["created"]) => void;
  /** Told when the run takes an existing pool or job as its own (it matched the spec; the tasks go there). */
  onReused?: (what: "pool" | "job") => void;
  /**
   * Before a pool is created, check that the spec fits the account (`preflight`: cores per VM
   * family, Spot cores, pools, active jobs, VM size, image) and refuse it when it cannot. Made when
   * the client reaches Azure Resource Manager and the subscription is known (the spec's, or
   * `subscription` here); otherwise only the image is checked. `false` skips it.
   */
  preflight?: false | { subscription?: string };
  /** How long a reached job or pool quota is waited out before the run fails (default 30 minutes). */
  quotaWaitMs?: number;
}

export interface RunResult {
  jobId: string;
  poolId: string;
  /** True when every task succeeded (or, without waiting, when everything was submitted). */
  succeeded: boolean;
  outcomes: TaskOutcome[];
  /** Tasks in the job for this run: added, or found there already (a rerun). */
  submitted?: number;
  /** Tasks the service refused to add. */
  addFailures: { taskId: string; code: string; message: string }[];
  jobEnded?: string;
  /** Tasks left waiting on a failed dependency. */
  blocked?: string[];
  /** Times tasks went back to the queue because their node went away (a Spot preemption, a node removed); none is a failure. */
  requeues?: number;
  /** Spot nodes seen preempted while the run followed its tasks. */
  preemptedNodes?: string[];
  schedule?: boolean;
  /**
   * What this run created, so that a later cleanup (an Action's post step) removes exactly that;
   * `poolArmPath` when the pool was created through Azure Resource Manager (and is deleted there).
   */
  created: { pool: boolean; job: boolean; poolArmPath?: string };
}

/** The redactor for one run: the client's secrets and the workload's. */
export function runRedactor(client: BatchClient, workload: Workload): Redactor {
  return client.redactor.with(workload.secrets);
}

/**
 * What the pool needs beyond the data plane: a pool with a managed identity is created through
 * Azure Resource Manager, which takes Entra ID tokens; checked before any call.
 */
export function poolNeeds(
  client: BatchClient,
  workload: Workload,
  reporter: ProgressReporter,
  signal: AbortSignal | undefined,
  onArmCreate?: (path: string) => void,
): PoolIdentityNeeds {
  const identities = workload.pool.identity;
  if (!identities) return {};
  const arm = client.arm;
  if (!arm) {
    throw new UsageError(
      "pool.identity: a pool with a managed identity is created and managed through Azure Resource Manager, which takes Microsoft Entra ID tokens, not the account's Shared Key; sign in with Entra ID (unset AZURE_BATCH_ACCESS_KEY; a service principal, workload identity, managed identity or az login)",
    );
  }
  const view = arm.withHooks({ onRetry: reportRetries(reporter) });
  return {
    identities,
    createThroughArm: async () => {
      const path = await createPoolThroughArm(view, workload, client.accountUrl, reporter, signal);
      onArmCreate?.(path);
    },
  };
}

/** Whether every task of the spec is in the job already (one listing of ids). */
async function allTasksThere(client: BatchClient, jobId: string, workload: Workload, signal?: AbortSignal): Promise<boolean> {
  const there = new Set<string>();
  for await (const t of client.list<{ id: string }>(`/jobs/${encodeURIComponent(jobId)}/tasks`, { query: { $select: "id" }, signal }))
    there.add(t.id.toLowerCase());
  return workload.tasks.ids.every((id) => there.has(id.toLowerCase()));
}

/** The preflight gate before a pool is created, when it can read the account's quotas; undefined otherwise (the image is checked alone). */
function preflightFor(client: BatchClient, workload: Workload, reporter: ProgressReporter, options: RunOptions): (() => Promise<void>) | undefined {
  if (options.preflight === false || options.checkImage === false || !client.arm) return undefined;
  const subscription = options.preflight?.subscription ?? workload.spec.account?.subscription;
  if (!subscription) return undefined;
  return async () => {
    const report = await assertFits(client, workload, reporter, { signal: options.signal, subscription, now: options.now });
    reporter.info(`preflight: the spec fits the account (${report.checks.filter((c) => c.fits).length} checks)`);
  };
}

// eslint-disable-next-line max-lines-per-function -- the run's stages in the order they happen (pool, job, tasks, wait, cleanup), each a call of its own
export async function runWorkload(client: BatchClient, workload: Workload, reporter: ProgressReporter, options: RunOptions = {}): Promise<RunResult> {
  const redactor = runRedactor(client, workload);
  const batch = client.withApiVersion(workload.apiVersion).withHooks({ onRetry: reportRetries(reporter) });
  const signal = options.signal;
  const jobId = workload.job.id;
  const poolId = workload.pool.id;
  const policy = options.cleanup ?? workload.spec.cleanup ?? "none";
  const created: RunResult["created"] = { pool: false, job: false };
  const runId = options.runId ?? newRunId();
  let jobOurs = false;
  const base = { jobId, poolId, outcomes: [] as TaskOutcome[], addFailures: [] as RunResult["addFailures"], created };

  const quotaWait = { budgetMs: options.quotaWaitMs, firstDelayMs: options.pollIntervalMs };
  for (const w of workload.warnings) reporter.warn(`${w.path}: ${w.message}`);
  try {
    const pool = await ensurePoolExists(
      batch,
      translatePool(workload, await poolPackagesAccount(batch, workload, signal)),
      workload.pool.reuse,
      reporter,
      signal,
      poolNeeds(client, workload, reporter, signal, (path) => (created.poolArmPath = path)),
      {
        image: options.checkImage,
        now: options.now,
        runId,
        quotaWait,
        beforeCreate: preflightFor(batch, workload, reporter, options),
        // Told before the next request: a cancel right after the create still knows the pool is this run's.
        onCreated: () => {
          created.pool = true;
          options.onCreated?.({ ...created });
        },
      },
    );
    // Known before the wait, so that a pool which never becomes ready is still cleaned up.
    created.pool = pool.created;
    if (!pool.created) options.onReused?.("pool");
    await waitForPoolReady(batch, pool.pool, reporter, { signal, pollIntervalMs: options.pollIntervalMs, timeoutMs: options.poolTimeoutMs });

    if (workload.job.schedule) {
      await ensureJobSchedule(batch, translateJobSchedule(workload), reporter, signal, quotaWait);
      return { ...base, succeeded: true, schedule: true };
    }

    // Created with noaction when the spec says terminateJob: the job must not end before its last task is in.
    const { body: jobBody, endWhenDone, endByDefault } = jobForRun(translateJob(workload), workload.job, options.wait !== false, workload.secrets);
    const job = await ensureJob(batch, jobBody, reporter, signal, runId, quotaWait);
    if (job.ended) {
      // A job that ended by itself once its tasks were done (a waiting run's default): a rerun with
      // nothing to add reports what ran there; one that would add tasks cannot.
      if (options.wait === false || !(await allTasksThere(batch, jobId, workload, signal)))
        throw jobEndedError(jobId, job, "keep a job open for reruns that add tasks with job.onAllTasksComplete: noAction,", workload.jobIdTemplate);
      reporter.info(`job ${jobId} has ended (${job.terminateReason ?? job.ended}) with every task of this spec in it: nothing to add, reporting what ran`);
      const waited = await waitForTasks(batch, jobId, new Set(workload.tasks.ids), reporter, {
        signal,
        pollIntervalMs: options.pollIntervalMs,
        redactor,
        poolId,
      });
      const succeeded = waited.outcomes.length === workload.tasks.length && waited.outcomes.every((o) => o.result === "success");
      return { ...base, submitted: 0, outcomes: waited.outcomes, succeeded, requeues: waited.requeues, preemptedNodes: waited.preemptedNodes };
    }
    created.job = job.created;
    jobOurs = true;
    if (job.created) options.onCreated?.({ ...created });
    else options.onReused?.("job");
    if (!job.created) reporter.info(`job ${jobId} exists on pool ${poolId}; adding the tasks it lacks`);

    const added = await addTaskCollection(batch, jobId, translateTasks(workload), {
      signal,
      concurrency: options.concurrency,
      total: workload.tasks.length,
      onProgress: (done, total) => reporter.tasksSubmitted?.(done, total),
    });
    reporter.info(`tasks: ${added.added.length} added, ${added.existing.length} already there${added.failed.length ? `, ${added.failed.length} refused` : ""}`);
    // Every chunk is acknowledged (a rerun that added nothing included): now the job may end when its tasks are done.
    if (endWhenDone && (job.created || !endByDefault)) await endJobWhenTasksDone(batch, jobId, signal);
    const addFailures = added.failed.map((f) => ({ ...f, message: redactor.text(f.message) }));
    for (const f of addFailures) reporter.warn(`task ${f.taskId} was not added: ${f.code}: ${f.message}`);
    const submitted = added.added.length + added.existing.length;
    if (options.wait === false) {
      return { ...base, submitted, addFailures, succeeded: addFailures.length === 0 };
    }
    const followed = new Set([...added.added, ...added.existing, ...(workload.job.manager ? [workload.job.manager.id] : [])]);
    const waited = await waitForTasks(batch, jobId, followed, reporter, { signal, pollIntervalMs: options.pollIntervalMs, redactor, poolId });
    const succeeded = addFailures.length === 0 && !waited.jobEnded && !waited.blocked && waited.outcomes.every((o) => o.result === "success");
    return {
      ...base,
      submitted,
      addFailures,
      outcomes: waited.outcomes,
      succeeded,
      jobEnded: waited.jobEnded,
      blocked: waited.blocked,
      requeues: waited.requeues,
      preemptedNodes: waited.preemptedNodes,
    };
  } catch (error) {
    if (!signal?.aborted) throw redactor.error(error);
    if (jobOurs) {
      // The run's own signal is aborted; terminating needs a fresh one, bounded in time.
      await terminateJob(batch, jobId, { reason: "Cancelled by azure-batch-run", signal: AbortSignal.timeout(30_000) })
        .then(() => reporter.warn(`cancelled: job ${jobId} terminated`))
        .catch((e: unknown) => reporter.warn(`cancelled, but terminating job ${jobId} failed: ${redactor.text(String((e as Error)?.message ?? e))}`));
    }
    throw new CancelledError(`cancelled${jobOurs ? `; job ${jobId} terminated` : ""}`);
  } finally {
    await cleanupAfterRun(
      batch,
      workload,
      policy,
      { jobOurs, poolCreated: created.pool, poolArmPath: created.poolArmPath, waited: options.wait !== false },
      reporter,
      signal,
    );
  }
}

/** What the cleanup policy asks for, limited to what this run may remove. */
async function cleanupAfterRun(
  client: BatchClient,
  workload: Workload,
  policy: CleanupPolicy,
  run: { jobOurs: boolean; poolCreated: boolean; poolArmPath?: string; waited: boolean },
  reporter: ProgressReporter,
  signal?: AbortSignal,
): Promise<void> {
  if (policy === "none") return;
  if (workload.job.schedule) {
    reporter.warn(`cleanup ${policy} skipped: a job schedule keeps creating jobs on pool ${workload.pool.id}; delete the schedule when it is no longer wanted`);
    return;
  }
  if (!run.waited) {
    reporter.warn(`cleanup ${policy} skipped: the run did not wait for its tasks; clean up once they are done (azure-batch-run's cleanup)`);
    return;
  }
  const target: CleanupTarget = { jobId: run.jobOurs ? workload.job.id : undefined };
  if (policy === "pool") {
    if (run.poolCreated) {
      target.poolId = workload.pool.id;
      target.poolArmPath = run.poolArmPath;
    } else reporter.warn(`kept pool ${workload.pool.id}: this run reused it rather than creating it`);
  }
  await cleanup(client, target, reporter, { signal });
}
