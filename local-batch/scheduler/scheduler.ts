/**
 * The scheduler: places runnable tasks (dependencies met, the job's parallelism not exceeded) on
 * free node slots, runs each with its retries and wall-clock limit, uploads its output files, and
 * completes it, ending the job when its job manager or its last task says so.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { parseDuration } from "../../shared/batch/duration.js";
import { TaskFailure, uploadOutputFiles } from "../runtime/taskRunner.js";
import {
  endJob,
  now,
  schedulable,
  setNodeState,
  setTaskState,
  type JobRecord,
  type NodeRecord,
  type PoolRecord,
  type ServiceContext,
  type TaskRecord,
} from "../state.js";
import { jobPreparation, jobRelease, nodeTask, requeued, requeueTask, runAttempt, storageSigner, type AttemptResult } from "./nodes.js";

type Failure = NonNullable<AttemptResult["failure"]>;

/** Dependencies are satisfied when every parent completed successfully. */
function dependenciesMet(job: JobRecord, t: TaskRecord): boolean {
  const deps = t.body.dependsOn;
  if (!deps) return true;
  const done = (id: string) => {
    const parent = job.tasks.get(id.toLowerCase());
    return parent?.state === "completed" && parent.executionInfo.result === "success";
  };
  for (const id of deps.taskIds ?? []) if (!done(id)) return false;
  // A range waits for the tasks it selects that exist, ids compared as numbers (Batch's rule).
  for (const r of deps.taskIdRanges ?? []) for (const parent of job.tasks.inIdRange(r.start, r.end)) if (!done(parent.body.id)) return false;
  return true;
}

/** Places runnable tasks on free slots. Cheap; called on every change and on a timer. */
export function pump(ctx: ServiceContext): void {
  if (ctx.closed) return;
  for (const job of ctx.jobs.values()) {
    if (job.state !== "active") continue;
    const pool = ctx.pools.get((job.body.poolInfo.poolId ?? "").toLowerCase());
    if (!pool) continue;
    const slotsPerNode = pool.body.taskSlotsPerNode ?? 1;
    const max = job.body.maxParallelTasks ?? -1;
    let running = job.tasks.counts.running;
    // Only the active tasks, in arrival order, and only while some node has a free slot: a pass
    // costs what it places, not the size of the job.
    const free = () => pool.nodes.reduce((most, n) => (schedulable(n) ? Math.max(most, slotsPerNode - n.usedSlots) : most), 0);
    let mostFree = free();
    for (const t of job.tasks.pending()) {
      if (mostFree <= 0 || (max > 0 && running >= max)) break;
      const slots = t.body.requiredSlots ?? 1;
      if (slots > mostFree || !dependenciesMet(job, t)) continue;
      const node = pool.nodes.filter((n) => schedulable(n) && n.usedSlots + slots <= slotsPerNode).sort((a, b) => a.usedSlots - b.usedSlots)[0];
      if (!node) continue;
      running++;
      node.usedSlots += slots;
      node.running.add(t);
      setNodeState(node, "running");
      void ctx.track(execute(ctx, job, pool, node, t));
      mostFree = free();
    }
  }
}

/** Runs the attempts of a task within its wall-clock limit; the last attempt's result stands. */
async function runWithRetries(
  ctx: ServiceContext,
  job: JobRecord,
  pool: PoolRecord,
  node: NodeRecord,
  t: TaskRecord,
  taskDir: string,
  signal: AbortSignal,
): Promise<AttemptResult> {
  const maxRetries = t.body.constraints?.maxTaskRetryCount ?? job.body.constraints?.maxTaskRetryCount ?? 0;
  const limit = t.body.constraints?.maxWallClockTime;
  const wallClock = limit === undefined ? undefined : parseDuration(limit);
  const timer =
    wallClock !== undefined
      ? setTimeout(() => {
          t.endReason = { code: "MaxWallClockTimeExceeded", message: `The task ran longer than its maximum wall clock time (${limit}) and was ended` };
          t.abort?.abort(new Error("wall clock"));
        }, wallClock)
      : undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      const r = await runAttempt(ctx, nodeTask(ctx, pool, node, job, t.body, t.body.id, taskDir, attempt), signal);
      if (signal.aborted) return r;
      const ok = r.exitCode === 0 && !r.failure;
      if (ok || (maxRetries !== -1 && attempt >= maxRetries)) return r;
      t.executionInfo.retryCount = attempt + 1;
      t.executionInfo.lastRetryTime = now();
    }
  } finally {
    clearTimeout(timer);
  }
}

async function execute(ctx: ServiceContext, job: JobRecord, pool: PoolRecord, node: NodeRecord, t: TaskRecord): Promise<void> {
  const abort = new AbortController();
  t.abort = abort;
  const taskDir = join(node.dirs!.workitems, job.body.id, "job-1", t.body.id);
  t.taskDir = taskDir;
  t.nodeInfo = {
    affinityId: node.id,
    nodeUrl: `${ctx.baseUrl}/pools/${pool.body.id}/nodes/${node.id}`,
    poolId: pool.body.id,
    nodeId: node.id,
    taskRootDirectory: `workitems/${job.body.id}/job-1/${t.body.id}`,
    taskRootDirectoryUrl: `${ctx.baseUrl}/jobs/${job.body.id}/tasks/${t.body.id}/files`,
  };
  setTaskState(t, "preparing");
  ctx.touch();
  let failure: Failure | undefined;
  let exitCode: number | undefined;
  try {
    await mkdir(join(taskDir, "wd"), { recursive: true });
    if (!(await jobPreparation(ctx, job, pool, node))) {
      failure = { code: "JobPreparationTaskFailed", message: "The job preparation task failed on the node; the task was not run." };
    } else {
      setTaskState(t, "running");
      t.executionInfo.startTime = now();
      ({ exitCode, failure } = await runWithRetries(ctx, job, pool, node, t, taskDir, abort.signal));
    }
    const succeeded = exitCode === 0 && !failure && !t.endReason;
    if (!t.endReason && !requeued.has(t)) {
      try {
        await uploadOutputFiles(t.body.outputFiles, taskDir, succeeded, storageSigner(ctx, pool));
      } catch (error) {
        failure = { code: (error as TaskFailure).code ?? "FileUploadMiscError", message: (error as Error).message };
      }
    }
  } catch (error) {
    failure =
      error instanceof TaskFailure
        ? { code: error.code, message: error.message, category: error.category }
        : { code: "TaskFailed", message: (error as Error).message, category: "servererror" };
  } finally {
    node.usedSlots -= t.body.requiredSlots ?? 1;
    node.running.delete(t);
    node.totalTasksRun++;
    if (node.running.size === 0 && node.state === "running") setNodeState(node, "idle");
    if (node.running.size === 0) for (const wake of node.idleWaiters.splice(0)) wake();
  }
  if (requeued.delete(t)) {
    requeueTask(t);
    ctx.touch();
  } else {
    completeTask(ctx, t, exitCode, t.endReason ?? failure, node);
  }
  ctx.pump();
}

export function completeTask(ctx: ServiceContext, t: TaskRecord, exitCode: number | undefined, failure: Failure | undefined, node?: NodeRecord): void {
  const ok = exitCode === 0 && !failure;
  t.executionInfo.endTime = now();
  t.executionInfo.startTime ??= t.executionInfo.endTime;
  if (exitCode !== undefined && exitCode >= 0) t.executionInfo.exitCode = exitCode;
  t.executionInfo.result = ok ? "success" : "failure";
  if (!ok) {
    t.executionInfo.failureInfo = failure
      ? { category: failure.category ?? "usererror", code: failure.code, message: failure.message }
      : { category: "usererror", code: "FailureExitCode", message: "The task exited with an exit code representing a failure" };
  }
  if (ok && node) node.totalTasksSucceeded++;
  t.abort = undefined;
  setTaskState(t, "completed");
  ctx.touch();
  const job = ctx.jobs.get(t.jobId.toLowerCase());
  if (!job || job.state !== "active") return;
  const managerDone = t.kind === "manager" && t.body.killJobOnCompletion !== false;
  const allDone = job.body.onAllTasksComplete?.toLowerCase() === "terminatejob" && job.tasks.size > 0 && job.tasks.counts.completed === job.tasks.size;
  if (managerDone || allDone) {
    endJob(job, managerDone ? "JMComplete" : "AllTasksComplete");
    void ctx.track(jobRelease(ctx, job));
  }
}
