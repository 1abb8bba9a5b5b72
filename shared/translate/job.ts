/** Spec -> `JobAddParameter` (POST /jobs) or `JobScheduleAddParameter` (POST /jobschedules). */
import type { JobAddParameter, JobManagerTask, JobPreparationTask, JobReleaseTask, JobScheduleAddParameter, JobSpecification } from "../batch/types.js";
import type { Workload } from "../workload/types.js";
import {
  applicationPackageReferences,
  compact,
  constraints,
  containerSettings,
  environmentSettings,
  outputFiles,
  resourceFiles,
  userIdentity,
} from "./common.js";

function jobManagerTask(workload: Workload): JobManagerTask | undefined {
  const m = workload.job.manager;
  if (!m) return undefined;
  return compact<JobManagerTask>({
    id: m.id,
    displayName: m.displayName,
    commandLine: m.command,
    containerSettings: containerSettings(m),
    resourceFiles: resourceFiles(m.resources),
    outputFiles: outputFiles(m.outputs),
    environmentSettings: environmentSettings(m.env),
    constraints: constraints(m),
    requiredSlots: m.requiredSlots,
    killJobOnCompletion: m.killJobOnCompletion,
    userIdentity: userIdentity(m, workload.facts),
    runExclusive: m.runExclusive,
    applicationPackageReferences: applicationPackageReferences(m.applicationPackages),
    allowLowPriorityNode: m.allowLowPriorityNode,
  });
}

function jobPreparationTask(workload: Workload): JobPreparationTask | undefined {
  const p = workload.job.preparation;
  if (!p) return undefined;
  return compact<JobPreparationTask>({
    id: p.id,
    commandLine: p.command,
    containerSettings: containerSettings(p),
    resourceFiles: resourceFiles(p.resources),
    environmentSettings: environmentSettings(p.env),
    constraints: constraints(p),
    waitForSuccess: p.waitForSuccess,
    userIdentity: userIdentity(p, workload.facts),
    rerunOnNodeRebootAfterSuccess: p.rerunOnNodeRebootAfterSuccess,
  });
}

function jobReleaseTask(workload: Workload): JobReleaseTask | undefined {
  const r = workload.job.release;
  if (!r) return undefined;
  return compact<JobReleaseTask>({
    id: r.id,
    commandLine: r.command,
    containerSettings: containerSettings(r),
    resourceFiles: resourceFiles(r.resources),
    environmentSettings: environmentSettings(r.env),
    maxWallClockTime: r.maxWallClock,
    retentionTime: r.retention,
    userIdentity: userIdentity(r, workload.facts),
  });
}

const ON_ALL_TASKS_COMPLETE = { noAction: "noaction", terminateJob: "terminatejob" } as const;
const ON_TASK_FAILURE = { noAction: "noaction", performExitOptionsJobAction: "performexitoptionsjobaction" } as const;

function jobSpecification(workload: Workload): JobSpecification {
  const job = workload.job;
  const jobConstraints = compact({ maxWallClockTime: job.maxWallClock, maxTaskRetryCount: job.maxTaskRetries });
  return compact<JobSpecification>({
    displayName: job.displayName,
    priority: job.priority,
    maxParallelTasks: job.maxParallelTasks,
    usesTaskDependencies: workload.tasks.usesDependencies ? true : undefined,
    onAllTasksComplete: job.onAllTasksComplete ? ON_ALL_TASKS_COMPLETE[job.onAllTasksComplete] : undefined,
    onTaskFailure: job.onTaskFailure ? ON_TASK_FAILURE[job.onTaskFailure] : undefined,
    constraints: Object.keys(jobConstraints).length ? jobConstraints : undefined,
    jobManagerTask: jobManagerTask(workload),
    jobPreparationTask: jobPreparationTask(workload),
    jobReleaseTask: jobReleaseTask(workload),
    commonEnvironmentSettings: environmentSettings(job.env),
    poolInfo: { poolId: workload.pool.id },
    metadata: job.metadata ? Object.entries(job.metadata).map(([name, value]) => ({ name, value })) : undefined,
  });
}

export function translateJob(workload: Workload): JobAddParameter {
  const spec = jobSpecification(workload);
  return { id: workload.job.id, ...spec };
}

export function translateJobSchedule(workload: Workload): JobScheduleAddParameter {
  const s = workload.job.schedule ?? {};
  const { displayName, metadata, ...jobSpec } = jobSpecification(workload);
  return compact<JobScheduleAddParameter>({
    id: workload.job.id,
    displayName,
    schedule: compact({ doNotRunUntil: s.doNotRunUntil, doNotRunAfter: s.doNotRunAfter, startWindow: s.startWindow, recurrenceInterval: s.recurrence }),
    jobSpecification: jobSpec,
    metadata,
  });
}
