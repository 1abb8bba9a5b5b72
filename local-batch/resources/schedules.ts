/** Job schedules: add, delete and their view; a recurrence really creates jobs, one per interval. */
import { checkScheduleLimits } from "../limits.js";
import type { JobAddParameter, JobScheduleAddParameter } from "../../shared/batch/types.js";
import { parseDuration } from "../../shared/batch/duration.js";
import { exists, invalidValue } from "../errors.js";
import { BATCH_ID, created, etag, ID_RULE, now, scheduleOf, type Reply, type ScheduleRecord, type ServiceContext } from "../state.js";
import { addJob, checkJobQuota, deleteJob } from "./jobs.js";

export function addSchedule(ctx: ServiceContext, body: JobScheduleAddParameter): Reply {
  if (!BATCH_ID.test(body.id)) throw invalidValue("id", ID_RULE);
  if (ctx.schedules.has(body.id.toLowerCase())) throw exists("JobSchedule", body.id);
  checkScheduleLimits(body);
  checkJobQuota(ctx);
  const t = now();
  const record: ScheduleRecord = { body, creationTime: t, state: "active", stateTransitionTime: t, eTag: etag(), lastModified: t, jobCount: 0 };
  ctx.schedules.set(body.id.toLowerCase(), record);
  planNextRun(ctx, record, Date.parse(body.schedule.doNotRunUntil ?? t));
  return created(ctx, `/jobschedules/${body.id}`, record);
}

/** The next job of a schedule, created when the previous one is no longer active. */
function planNextRun(ctx: ServiceContext, s: ScheduleRecord, at: number): void {
  if (ctx.closed || s.state !== "active") return;
  const after = s.body.schedule.doNotRunAfter ? Date.parse(s.body.schedule.doNotRunAfter) : Infinity;
  if (at > after) {
    s.state = "completed";
    s.stateTransitionTime = now();
    return;
  }
  s.nextRunTime = new Date(at).toISOString();
  s.timer = setTimeout(
    () => {
      const previous = s.recentJobId ? ctx.jobs.get(s.recentJobId.toLowerCase()) : undefined;
      if (!previous || previous.state !== "active") {
        s.jobCount++;
        const id = `${s.body.id}:job-${s.jobCount}`;
        addJob(ctx, { ...s.body.jobSpecification, id } as JobAddParameter, s.body.id);
        s.recentJobId = id;
        ctx.touch();
      }
      const recurrence = s.body.schedule.recurrenceInterval;
      const interval = recurrence === undefined ? undefined : parseDuration(recurrence);
      if (interval === undefined) {
        s.nextRunTime = undefined;
        return;
      }
      planNextRun(ctx, s, Math.max(Date.now(), at + interval / (ctx.options.scheduleTimeScale ?? 1)));
    },
    Math.max(0, at - Date.now()),
  );
}

/** After a restart: the next run of a restored schedule, when it was due (or now, if that has passed). */
export function resumeSchedule(ctx: ServiceContext, s: ScheduleRecord): void {
  if (s.state === "active" && !s.timer) planNextRun(ctx, s, s.nextRunTime ? Date.parse(s.nextRunTime) : Date.now());
}

export function deleteSchedule(ctx: ServiceContext, id: string): Reply {
  const s = scheduleOf(ctx, id);
  clearTimeout(s.timer);
  s.state = "deleting";
  for (const job of [...ctx.jobs.values()]) if (job.scheduleId?.toLowerCase() === id.toLowerCase()) deleteJob(ctx, job.body.id);
  ctx.schedules.delete(id.toLowerCase());
  return { status: 202 };
}

export function scheduleView(ctx: ServiceContext, s: ScheduleRecord): Record<string, unknown> {
  return {
    id: s.body.id,
    ...(s.body.displayName ? { displayName: s.body.displayName } : {}),
    url: `${ctx.baseUrl}/jobschedules/${s.body.id}`,
    eTag: s.eTag,
    lastModified: s.lastModified,
    creationTime: s.creationTime,
    state: s.state,
    stateTransitionTime: s.stateTransitionTime,
    schedule: s.body.schedule,
    jobSpecification: s.body.jobSpecification,
    executionInfo: {
      ...(s.nextRunTime ? { nextRunTime: s.nextRunTime } : {}),
      ...(s.recentJobId ? { recentJob: { id: s.recentJobId, url: `${ctx.baseUrl}/jobs/${s.recentJobId}` } } : {}),
    },
    ...(s.body.metadata ? { metadata: s.body.metadata } : {}),
  };
}
