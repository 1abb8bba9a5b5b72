/** Creates the job (or job schedule); an existing one is reused only when it is ours to reuse. */
import type { CloudJob, JobAddParameter, JobScheduleAddParameter } from "../batch/types.js";
import type { BatchClient } from "../client/batchClient.js";
import { BatchServiceError } from "../client/errors.js";
import { ConflictError } from "./errors.js";
import type { ProgressReporter } from "./reporter.js";

export async function ensureJob(client: BatchClient, job: JobAddParameter, reporter: ProgressReporter, signal?: AbortSignal): Promise<{ created: boolean }> {
  try {
    await client.send("POST", "/jobs", { body: job, idempotent: true, signal });
    reporter.info(`created job ${job.id}`);
    return { created: true };
  } catch (error) {
    if (!(error instanceof BatchServiceError && error.code === "JobExists")) throw error;
  }
  const existing = await client.json<CloudJob>("GET", `/jobs/${encodeURIComponent(job.id)}`, { query: { $select: "id,state,poolInfo" }, signal });
  if (existing.poolInfo?.poolId?.toLowerCase() !== job.poolInfo.poolId.toLowerCase()) {
    throw new ConflictError(`job ${job.id} already exists on pool ${existing.poolInfo?.poolId ?? "(auto pool)"}, not ${job.poolInfo.poolId}; use another job id`);
  }
  if (existing.state !== "active") {
    throw new ConflictError(`job ${job.id} already exists and is ${existing.state}; use another job id (e.g. job.id: "name-{{ vars.run }}")`);
  }
  reporter.info(`job ${job.id} exists on pool ${job.poolInfo.poolId}; adding the tasks it lacks`);
  return { created: false };
}

export async function ensureJobSchedule(client: BatchClient, schedule: JobScheduleAddParameter, reporter: ProgressReporter, signal?: AbortSignal): Promise<{ created: boolean }> {
  try {
    await client.send("POST", "/jobschedules", { body: schedule, idempotent: true, signal });
    reporter.info(`created job schedule ${schedule.id}`);
    return { created: true };
  } catch (error) {
    if (!(error instanceof BatchServiceError && error.code === "JobScheduleExists")) throw error;
    reporter.warn(`job schedule ${schedule.id} already exists; left as it is`);
    return { created: false };
  }
}
