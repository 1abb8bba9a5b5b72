/**
 * The limits Batch enforces on request bodies, refused here with Batch's error shape
 * (`InvalidPropertyValue`, the property and the reason), so that a body the real service would
 * refuse is refused locally too. The numbers are the core's (`shared/batch/limits.ts`).
 */
import type { JobAddParameter, JobScheduleAddParameter, PoolAddParameter, ResourceFile, TaskAddParameter } from "../shared/batch/types.js";
import { parseDuration } from "../shared/batch/duration.js";
import {
  BATCH_LIMITS,
  DEFAULT_PREPARATION_TASK_ID,
  DEFAULT_RELEASE_TASK_ID,
  filePathProblem,
  MAX_DURATION_MS,
  vCpusOfVmSize,
  VM_SIZE_PATTERN,
} from "../shared/batch/limits.js";
import { BatchErrors, BatchHttpError, invalidValue } from "./errors.js";

function duration(value: string | undefined, property: string, bounds: { min?: number; max?: number } = {}): void {
  if (value === undefined) return;
  const ms = parseDuration(value);
  if (ms === undefined || ms > MAX_DURATION_MS) throw invalidValue(property, `${value} is not a duration the service can hold`);
  if (bounds.min !== undefined && ms < bounds.min) throw invalidValue(property, `${value} is under the minimum of ${bounds.min / 60_000} minutes`);
  if (bounds.max !== undefined && ms > bounds.max) throw invalidValue(property, `${value} is over the maximum of ${bounds.max / 60_000} minutes`);
}

export function checkResourceFiles(files: ResourceFile[] | undefined, property: string): void {
  files?.forEach((f, i) => {
    const problem = f.filePath === undefined ? undefined : filePathProblem(f.filePath);
    if (problem) throw invalidValue(`${property}[${i}].filePath`, problem);
    if (f.httpUrl !== undefined && f.blobPrefix !== undefined)
      throw invalidValue(`${property}[${i}].blobPrefix`, "blobPrefix applies only with storageContainerUrl or autoStorageContainerName");
  });
}

/** A resize timeout (pool add, resize, node removal): at least 5 minutes. */
export function checkResizeTimeout(value: string | undefined): void {
  duration(value, "resizeTimeout", { min: BATCH_LIMITS.minResizeTimeoutMs });
}

export function checkPoolLimits(body: PoolAddParameter): void {
  if (!VM_SIZE_PATTERN.test(body.vmSize)) throw invalidValue("vmSize", `'${body.vmSize}' is not a VM size name`);
  checkResizeTimeout(body.resizeTimeout);
  const cores = vCpusOfVmSize(body.vmSize);
  const slots = body.taskSlotsPerNode ?? 1;
  const most = Math.min(BATCH_LIMITS.maxTaskSlotsPerNode, cores === undefined ? BATCH_LIMITS.maxTaskSlotsPerNode : cores * BATCH_LIMITS.taskSlotsPerCore);
  if (slots < 1 || slots > most) throw invalidValue("taskSlotsPerNode", `must be between 1 and ${most} for vmSize ${body.vmSize}`);
  checkResourceFiles(body.startTask?.resourceFiles, "startTask.resourceFiles");
}

export function checkJobLimits(body: JobAddParameter | JobScheduleAddParameter["jobSpecification"], prefix = ""): void {
  if (body.maxParallelTasks !== undefined && body.maxParallelTasks !== -1 && body.maxParallelTasks < 1) {
    throw invalidValue(`${prefix}maxParallelTasks`, "must be -1 or greater than 0");
  }
  duration(body.constraints?.maxWallClockTime, `${prefix}constraints.maxWallClockTime`);
  duration(body.jobReleaseTask?.maxWallClockTime, `${prefix}jobReleaseTask.maxWallClockTime`, { max: BATCH_LIMITS.maxReleaseWallClockMs });
  checkResourceFiles(body.jobPreparationTask?.resourceFiles, `${prefix}jobPreparationTask.resourceFiles`);
  checkResourceFiles(body.jobReleaseTask?.resourceFiles, `${prefix}jobReleaseTask.resourceFiles`);
  checkResourceFiles(body.jobManagerTask?.resourceFiles, `${prefix}jobManagerTask.resourceFiles`);
}

export function checkScheduleLimits(body: JobScheduleAddParameter): void {
  duration(body.schedule?.recurrenceInterval, "schedule.recurrenceInterval", { min: BATCH_LIMITS.minRecurrenceMs });
  duration(body.schedule?.startWindow, "schedule.startWindow", { min: BATCH_LIMITS.minStartWindowMs });
  checkJobLimits(body.jobSpecification, "jobSpecification.");
}

/** A task of a job: its files, durations, and an id that is not the job preparation's or release's. */
export function taskLimitError(job: JobAddParameter, body: TaskAddParameter): BatchHttpError | undefined {
  try {
    checkResourceFiles(body.resourceFiles, "resourceFiles");
    duration(body.constraints?.maxWallClockTime, "constraints.maxWallClockTime");
    duration(body.constraints?.retentionTime, "constraints.retentionTime");
  } catch (error) {
    return error as BatchHttpError;
  }
  const id = body.id.toLowerCase();
  const reserved = [
    job.jobPreparationTask && (job.jobPreparationTask.id ?? DEFAULT_PREPARATION_TASK_ID),
    job.jobReleaseTask && (job.jobReleaseTask.id ?? DEFAULT_RELEASE_TASK_ID),
  ];
  if (reserved.some((r) => r && r.toLowerCase() === id)) {
    return BatchErrors.exists("Task", body.id, `${body.id} is the id of the job's preparation or release task`);
  }
  return undefined;
}
