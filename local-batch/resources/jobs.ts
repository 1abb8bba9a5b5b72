/** Jobs: add (with a job manager task), patch, terminate, delete, task counts, and their view. */
import { quotasOf } from "../account.js";
import { checkJobLimits } from "../limits.js";
import { jobRelease } from "../scheduler/nodes.js";
import { TaskTable } from "../taskTable.js";
import type { JobAddParameter } from "../../shared/batch/types.js";
import { UNLIMITED_DURATION } from "../../shared/batch/duration.js";
import { validateBody } from "../bodies.js";
import { BatchErrors, BatchHttpError, exists, invalidValue } from "../errors.js";
import { BATCH_ID, created, endJob, etag, ID_RULE, insertTask, jobOf, now, type JobRecord, type Reply, type ServiceContext } from "../state.js";

/**
 * Batch's quota of active jobs and job schedules (completed ones do not count): one more is refused
 * with 409 ActiveJobAndScheduleQuotaReached until one ends.
 */
export function checkJobQuota(ctx: ServiceContext): void {
  const quota = quotasOf(ctx.options.account).activeJobsAndSchedules;
  const active =
    [...ctx.jobs.values()].filter((j) => j.state !== "completed").length + [...ctx.schedules.values()].filter((s) => s.state !== "completed").length;
  if (active >= quota)
    throw BatchErrors.conflict("ActiveJobAndScheduleQuotaReached", "The specified account has reached its quota of active jobs and job schedules.", [
      { key: "ActiveJobAndJobScheduleQuota", value: String(quota) },
    ]);
}

export function addJob(ctx: ServiceContext, body: JobAddParameter, scheduleId?: string): Reply {
  if (!scheduleId && !BATCH_ID.test(body.id)) throw invalidValue("id", ID_RULE);
  if (ctx.jobs.has(body.id.toLowerCase())) throw exists("Job", body.id);
  // A schedule's own jobs are counted with the schedule that makes them.
  if (!scheduleId) checkJobQuota(ctx);
  if (!body.poolInfo?.poolId) throw invalidValue("poolInfo", "auto pools are not supported by the local Batch service; give poolInfo.poolId");
  checkJobLimits(body);
  const t = now();
  const job: JobRecord = {
    body,
    creationTime: t,
    state: "active",
    stateTransitionTime: t,
    eTag: etag(),
    lastModified: t,
    executionInfo: { startTime: t, poolId: body.poolInfo.poolId },
    tasks: new TaskTable(),
    scheduleId,
  };
  ctx.jobs.set(body.id.toLowerCase(), job);
  const m = body.jobManagerTask;
  if (m) insertTask(ctx, job, { ...m, killJobOnCompletion: m.killJobOnCompletion ?? true }, "manager");
  // As Batch: "if a Job contains no Tasks, then all Tasks are considered complete" — a job created
  // with terminatejob and no job manager ends at once (tasks are meant to be added with noaction first).
  endIfAllComplete(ctx, job);
  ctx.pump();
  return created(ctx, `/jobs/${body.id}`, job);
}

/** A job set to end when its tasks are all complete ends now if they are (none at all counts as all). */
function endIfAllComplete(ctx: ServiceContext, job: JobRecord): void {
  if (job.state === "active" && job.body.onAllTasksComplete?.toLowerCase() === "terminatejob" && job.tasks.counts.completed === job.tasks.size) {
    endJob(job, "AllTasksComplete");
    void ctx.track(jobRelease(ctx, job));
  }
}

export function patchJob(ctx: ServiceContext, id: string, body: unknown): Reply {
  validateBody(body, "JobPatch");
  checkJobLimits(body as JobAddParameter);
  const job = jobOf(ctx, id);
  const next = (body as { onAllTasksComplete?: string }).onAllTasksComplete;
  // "Once you have engaged automatic Job termination, you cannot turn it off again."
  if (next?.toLowerCase() === "noaction" && job.body.onAllTasksComplete?.toLowerCase() === "terminatejob") {
    throw invalidValue("onAllTasksComplete", "cannot be changed from terminatejob to noaction");
  }
  const blocked = jobNotActive(job);
  if (blocked) throw blocked;
  Object.assign(job.body, body as object);
  // Set once every task is in: a job whose tasks have all completed already ends now, as Batch does.
  endIfAllComplete(ctx, job);
  job.eTag = etag();
  job.lastModified = now();
  ctx.pump();
  return { status: 200, headers: { etag: job.eTag } };
}

/**
 * The 409 Batch answers when a job can no longer take tasks or changes: "Once a Job is
 * terminated, new Tasks cannot be added".
 */
export function jobNotActive(job: JobRecord): BatchHttpError | undefined {
  if (job.state === "completed") return BatchErrors.conflict("JobCompleted", "The specified job is already in a completed state.");
  if (job.state === "terminating") return BatchErrors.conflict("JobBeingTerminated", "The specified job is being terminated.");
  if (job.state === "deleting") return BatchErrors.conflict("JobBeingDeleted", "The specified job is being deleted.");
  return undefined;
}

export function terminateJob(ctx: ServiceContext, id: string, reason: string): Reply {
  const job = jobOf(ctx, id);
  if (job.state === "completed") throw jobNotActive(job);
  endJob(job, reason);
  return { status: 202, headers: { etag: job.eTag } };
}

export function deleteJob(ctx: ServiceContext, id: string): Reply {
  const job = jobOf(ctx, id);
  for (const t of job.tasks.values()) {
    t.endReason = { code: "TaskEnded", message: "Task Was Ended by User Request" };
    t.abort?.abort(new Error("job deleted"));
  }
  ctx.jobs.delete(id.toLowerCase());
  return { status: 202 };
}

export function jobView(ctx: ServiceContext, j: JobRecord): Record<string, unknown> {
  const b = j.body;
  return {
    id: b.id,
    ...(b.displayName ? { displayName: b.displayName } : {}),
    usesTaskDependencies: b.usesTaskDependencies ?? false,
    url: `${ctx.baseUrl}/jobs/${b.id}`,
    eTag: j.eTag,
    lastModified: j.lastModified,
    creationTime: j.creationTime,
    state: j.state,
    stateTransitionTime: j.stateTransitionTime,
    ...(j.previousState ? { previousState: j.previousState } : {}),
    priority: b.priority ?? 0,
    maxParallelTasks: b.maxParallelTasks ?? -1,
    constraints: { maxWallClockTime: b.constraints?.maxWallClockTime ?? UNLIMITED_DURATION, maxTaskRetryCount: b.constraints?.maxTaskRetryCount ?? 0 },
    ...(b.jobManagerTask ? { jobManagerTask: b.jobManagerTask } : {}),
    ...(b.jobPreparationTask ? { jobPreparationTask: b.jobPreparationTask } : {}),
    ...(b.jobReleaseTask ? { jobReleaseTask: b.jobReleaseTask } : {}),
    ...(b.commonEnvironmentSettings ? { commonEnvironmentSettings: b.commonEnvironmentSettings } : {}),
    poolInfo: b.poolInfo,
    onAllTasksComplete: b.onAllTasksComplete ?? "noaction",
    onTaskFailure: b.onTaskFailure ?? "noaction",
    ...(b.metadata ? { metadata: b.metadata } : {}),
    executionInfo: j.executionInfo,
  };
}

export function taskCounts(job: JobRecord) {
  // Kept as tasks change state: O(1), whatever the size of the job.
  return { taskCounts: { ...job.tasks.counts }, taskSlotCounts: { ...job.tasks.slotCounts } };
}
