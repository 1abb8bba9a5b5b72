/** Tasks: add one, add a collection (at most 100), delete, terminate, and their view. */
import type { TaskAddParameter } from "../../shared/batch/types.js";
import { UNLIMITED_DURATION } from "../../shared/batch/duration.js";
import { MAX_TASKS_PER_REQUEST } from "../../shared/batch/limits.js";
import { validateBody } from "../bodies.js";
import { BatchErrors, BatchHttpError, exists, invalidValue } from "../errors.js";
import { completeTask } from "../scheduler/scheduler.js";
import { BATCH_ID, created, ID_RULE, insertTask, jobOf, taskOf, type JobRecord, type Reply, type ServiceContext, type TaskRecord } from "../state.js";
import { jobNotActive } from "./jobs.js";
import { taskLimitError } from "../limits.js";

/** Why one task of an add cannot go in; undefined when it can. */
function refuseTask(ctx: ServiceContext, job: JobRecord, body: TaskAddParameter): BatchHttpError | undefined {
  if (!BATCH_ID.test(body.id)) return invalidValue("id", ID_RULE);
  if (job.tasks.has(body.id.toLowerCase())) return exists("Task", body.id);
  const limit = taskLimitError(job.body, body);
  if (limit) return limit;
  if (body.dependsOn && !job.body.usesTaskDependencies) {
    return BatchErrors.conflict("TaskDependenciesNotSpecifiedOnJob", "The task has dependencies, but the job does not have usesTaskDependencies set.");
  }
  const pool = ctx.pools.get(job.body.poolInfo.poolId!.toLowerCase());
  if (body.containerSettings && pool && !pool.body.virtualMachineConfiguration?.containerConfiguration) {
    return BatchErrors.conflict("InvalidPropertyValue", "Container settings are given, but the pool has no container configuration.", [
      { key: "PropertyName", value: "containerSettings" },
    ]);
  }
  return undefined;
}

/** A job that is not active takes no task at all: the whole request is refused. */
function activeJob(ctx: ServiceContext, jobId: string): JobRecord {
  const job = jobOf(ctx, jobId);
  const error = jobNotActive(job);
  if (error) throw error;
  return job;
}

export function addTask(ctx: ServiceContext, jobId: string, body: TaskAddParameter): Reply {
  validateBody(body, "TaskAdd");
  const job = activeJob(ctx, jobId);
  const error = refuseTask(ctx, job, body);
  if (error) throw error;
  const t = insertTask(ctx, job, body);
  ctx.pump();
  return created(ctx, `/jobs/${job.body.id}/tasks/${body.id}`, t);
}

export function addTaskCollection(ctx: ServiceContext, jobId: string, body: unknown): Reply {
  const job = activeJob(ctx, jobId);
  validateBody(body, "TaskCollection");
  const value = (body as { value: TaskAddParameter[] }).value;
  if (value.length > MAX_TASKS_PER_REQUEST) {
    throw BatchErrors.bodyTooLarge(`${MAX_TASKS_PER_REQUEST} tasks`);
  }
  // One TaskExists body per request: a rerun of 100 tasks that are all there builds no Error per task.
  let existsBody: Record<string, unknown> | undefined;
  const results = value.map((task) => {
    if (typeof task.id === "string" && BATCH_ID.test(task.id) && job.tasks.has(task.id.toLowerCase())) {
      existsBody ??= exists("Task", "").body();
      return { status: "clienterror", taskId: task.id, error: { ...existsBody, values: [{ key: "Id", value: task.id }] } };
    }
    const error = refuseTask(ctx, job, task);
    if (error) return { status: "clienterror", taskId: task.id, error: error.body() };
    const t = insertTask(ctx, job, task);
    return { status: "success", taskId: task.id, eTag: t.eTag, lastModified: t.lastModified, location: `${ctx.baseUrl}/jobs/${job.body.id}/tasks/${task.id}` };
  });
  ctx.pump();
  return { status: 200, body: { value: results } };
}

const ENDED_BY_USER = { code: "TaskEnded", message: "Task Was Ended by User Request" };

export function deleteTask(ctx: ServiceContext, jobId: string, taskId: string): Reply {
  const job = jobOf(ctx, jobId);
  const t = taskOf(ctx, jobId, taskId);
  t.endReason = ENDED_BY_USER;
  t.abort?.abort(new Error("task deleted"));
  job.tasks.delete(taskId.toLowerCase());
  return { status: 200 };
}

export function terminateTask(ctx: ServiceContext, jobId: string, taskId: string): Reply {
  const t = taskOf(ctx, jobId, taskId);
  if (t.state === "completed") return { status: 204 };
  t.endReason = ENDED_BY_USER;
  if (t.abort) t.abort.abort(new Error("task terminated"));
  else completeTask(ctx, t, undefined, ENDED_BY_USER);
  return { status: 204 };
}

export function taskView(ctx: ServiceContext, t: TaskRecord): Record<string, unknown> {
  const b = t.body;
  const job = ctx.jobs.get(t.jobId.toLowerCase());
  const { killJobOnCompletion: _k, constraints: _c, ...rest } = b as TaskAddParameter & Record<string, unknown>;
  const constraints = {
    maxWallClockTime: b.constraints?.maxWallClockTime ?? UNLIMITED_DURATION,
    retentionTime: b.constraints?.retentionTime ?? "P7D",
    maxTaskRetryCount: b.constraints?.maxTaskRetryCount ?? job?.body.constraints?.maxTaskRetryCount ?? 0,
  };
  if (t.kind === "manager") {
    for (const k of ["runExclusive", "allowLowPriorityNode"]) delete (rest as Record<string, unknown>)[k];
  }
  // The service never returns registry passwords.
  const cs = (rest as { containerSettings?: { registry?: Record<string, unknown> } }).containerSettings;
  if (cs?.registry && "password" in cs.registry) {
    const { password: _password, ...registry } = cs.registry;
    (rest as Record<string, unknown>).containerSettings = { ...cs, registry };
  }
  return {
    ...rest,
    url: `${ctx.baseUrl}/jobs/${t.jobId}/tasks/${b.id}`,
    eTag: t.eTag,
    lastModified: t.lastModified,
    creationTime: t.creationTime,
    state: t.state,
    stateTransitionTime: t.stateTransitionTime,
    ...(t.previousState ? { previousState: t.previousState, previousStateTransitionTime: t.previousStateTransitionTime } : {}),
    constraints,
    requiredSlots: b.requiredSlots ?? 1,
    executionInfo: t.executionInfo,
    ...(t.nodeInfo ? { nodeInfo: t.nodeInfo } : {}),
  };
}
