/**
 * What the local Batch service knows: pools with their nodes, jobs with their tasks, job
 * schedules, and the context every part of the service shares (options, timers, the scheduler's
 * pump). The resource handlers, the scheduler and the HTTP layer all work on this one state.
 */
import { API_VERSION, isApiVersion, type ApiVersion } from "../shared/batch/apiVersion.js";
import type { TaskTable } from "./taskTable.js";
import type { TaskRecord } from "./records.js";
export type { TaskRecord, TaskState } from "./records.js";
export { setTaskState } from "./taskTable.js";
import type { JobAddParameter, JobScheduleAddParameter, PoolAddParameter } from "../shared/batch/types.js";
import { notFound } from "./errors.js";
import type { RunHandle } from "./runtime/executors.js";
import type { LocalBatchOptions } from "./options.js";
export type { Exchange, IdentityRegistry, IdentityStorage, LocalBatchOptions } from "./options.js";
import type { InstalledPackage, NodeDirs } from "./runtime/taskRunner.js";

export interface NodeRecord {
  id: string;
  state:
    | "creating"
    | "starting"
    | "waitingforstarttask"
    | "idle"
    | "running"
    | "starttaskfailed"
    | "unusable"
    | "leavingpool"
    | "rebooting"
    | "reimaging"
    | "preempted";
  stateTransitionTime: string;
  dirs?: NodeDirs;
  usedSlots: number;
  running: Set<TaskRecord>;
  startTaskInfo?: Record<string, unknown>;
  errors?: { code: string; message: string }[];
  totalTasksRun: number;
  totalTasksSucceeded: number;
  jobPrepDone: Map<string, Promise<boolean>>;
  /** Set while the node is being removed, rebooted or reimaged: no new task is placed on it. */
  draining?: "leavingpool" | "rebooting" | "reimaging" | "preempted";
  /** Called once nothing runs on the node any more (a draining node waits on them). */
  idleWaiters: (() => void)[];
  /** A Spot (low-priority) node: it may be preempted. */
  lowPriority?: boolean;
  /** The pool's application packages, installed when the node (re)started. */
  packages?: InstalledPackage[];
}

export interface PoolRecord {
  body: PoolAddParameter;
  creationTime: string;
  stateTransitionTime: string;
  allocationState: "steady" | "resizing" | "stopping";
  allocationStateTransitionTime: string;
  state: "active" | "deleting";
  eTag: string;
  lastModified: string;
  nodes: NodeRecord[];
  /** The index the next node gets: node ids are never reused, as Batch's are not. */
  nextNodeIndex: number;
  resizeErrors: { code: string; message: string }[];
  /** Aborted when the pool is deleted or the service stops: ends start tasks still running. */
  abort: AbortController;
  /** User-assigned managed identities (resource ids), for pools created through ARM. */
  identities?: string[];
}

export interface JobRecord {
  body: JobAddParameter;
  creationTime: string;
  state: "active" | "terminating" | "completed" | "deleting";
  stateTransitionTime: string;
  previousState?: string;
  eTag: string;
  lastModified: string;
  executionInfo: Record<string, unknown>;
  tasks: TaskTable;
  scheduleId?: string;
}

export interface ScheduleRecord {
  body: JobScheduleAddParameter;
  creationTime: string;
  state: "active" | "completed" | "deleting";
  stateTransitionTime: string;
  eTag: string;
  lastModified: string;
  jobCount: number;
  recentJobId?: string;
  nextRunTime?: string;
  timer?: NodeJS.Timeout;
}

/** One version of an application: its blob in the service's package store, once uploaded, and whether it is active. */
export interface PackageRecord {
  version: string;
  state: "Pending" | "Active";
  format?: string;
  lastActivationTime?: string;
  etag: string;
  /** The blob's name in the package store (what the storage URL points at). */
  blobName: string;
  /** The uploaded blob: its size, MD5 (base64, as Storage gives Content-MD5) and when it was written. */
  blob?: { size: number; md5: string; lastModified: string; etag: string };
}

/** An application of the account (ARM's `Microsoft.Batch/batchAccounts/applications`) and its packages. */
export interface ApplicationRecord {
  id: string;
  displayName?: string;
  allowUpdates: boolean;
  defaultVersion?: string;
  etag: string;
  packages: PackageRecord[];
}

/** What every part of the service shares. Keys of the maps are ids in lower case (Batch ids ignore case). */
export interface ServiceContext {
  readonly options: LocalBatchOptions;
  readonly pools: Map<string, PoolRecord>;
  readonly jobs: Map<string, JobRecord>;
  readonly schedules: Map<string, ScheduleRecord>;
  /** The account's applications, by lower-case id. */
  readonly applications: Map<string, ApplicationRecord>;
  readonly baseUrl: string;
  readonly closed: boolean;
  nextTaskOrder(): number;
  /** Keeps a background promise so that `close()` can wait for it. */
  track<T>(p: Promise<T>): Promise<T>;
  /** Places runnable tasks on free slots (the scheduler). */
  pump(): void;
  /** Something changed that a restart must not lose: the state is saved shortly. */
  touch(): void;
  /** What runs on the nodes now, by attempt: ended after a crash, when the service starts again. */
  readonly live: Map<string, RunHandle>;
  /** The service's record of the process groups it starts, for a later service if this one is killed. */
  readonly lease?: { started(pid: number): void; ended(pid: number): void };
  log(message: string): void;
  /** The web console: the token of its login link, and the REST exchanges it shows (method, path, status; never a body). */
  readonly console: { token: string; exchanges: { at: number; method: string; path: string; status: number }[] };
}

/** A handler's answer; the HTTP layer writes it. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  raw?: Buffer;
}

import { etag, now } from "./clock.js";
export { etag, now };
export const BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const ID_RULE = "ids are 1 to 64 letters, digits, hyphens and underscores";

/** The api-version a request asked for (the HTTP layer has already refused any other). */
export function apiVersionOf(url: URL): ApiVersion {
  const v = url.searchParams.get("api-version");
  return isApiVersion(v) ? v : API_VERSION;
}

export function poolOf(ctx: ServiceContext, id: string): PoolRecord {
  const p = ctx.pools.get(id.toLowerCase());
  if (!p) throw notFound("Pool", id);
  return p;
}

export function jobOf(ctx: ServiceContext, id: string): JobRecord {
  const j = ctx.jobs.get(id.toLowerCase());
  if (!j) throw notFound("Job", id);
  return j;
}

export function taskOf(ctx: ServiceContext, jobId: string, taskId: string): TaskRecord {
  const t = jobOf(ctx, jobId).tasks.get(taskId.toLowerCase());
  if (!t) throw notFound("Task", taskId);
  return t;
}

export function scheduleOf(ctx: ServiceContext, id: string): ScheduleRecord {
  const s = ctx.schedules.get(id.toLowerCase());
  if (!s) throw notFound("JobSchedule", id);
  return s;
}

/** The 201 answer of a create, with the headers Batch sends. */
export function created(ctx: ServiceContext, path: string, record: { eTag: string; lastModified: string }): Reply {
  return {
    status: 201,
    headers: {
      etag: record.eTag,
      "last-modified": new Date(record.lastModified).toUTCString(),
      location: `${ctx.baseUrl}${path}`,
      dataserviceid: `${ctx.baseUrl}${path}`,
    },
  };
}

/** A new task in a job's table, active, in arrival order. */
export function insertTask(ctx: ServiceContext, job: JobRecord, body: TaskRecord["body"], kind: TaskRecord["kind"] = "task"): TaskRecord {
  const t = now();
  const record: TaskRecord = {
    jobId: job.body.id,
    body,
    kind,
    creationTime: t,
    state: "active",
    stateTransitionTime: t,
    eTag: etag(),
    lastModified: t,
    executionInfo: { retryCount: 0, requeueCount: 0 },
    order: ctx.nextTaskOrder(),
  };
  job.tasks.set(body.id.toLowerCase(), record);
  return record;
}

/** A node record with the given id (a restored one keeps its id). */
export function nodeWithId(id: string): NodeRecord {
  return {
    id,
    state: "creating",
    stateTransitionTime: now(),
    usedSlots: 0,
    running: new Set(),
    totalTasksRun: 0,
    totalTasksSucceeded: 0,
    jobPrepDone: new Map(),
    idleWaiters: [],
  };
}

/** A new node of a pool, with an id no node of that pool had before. */
export function newNode(pool: Pick<PoolRecord, "body" | "nextNodeIndex">, lowPriority = false): NodeRecord {
  const node = nodeWithId(`tvmps_local_${pool.body.id.toLowerCase()}_${pool.nextNodeIndex++}`);
  if (lowPriority) node.lowPriority = true;
  return node;
}

/** Nodes a task may be placed on: started, not failed, not on their way out or into a reboot. */
export const schedulable = (n: NodeRecord): boolean => (n.state === "idle" || n.state === "running") && !n.draining;

export function setNodeState(node: NodeRecord, state: NodeRecord["state"]): void {
  node.state = state;
  node.stateTransitionTime = now();
}

/** A job's state, with the previous one and when it changed. */
function setJobState(job: JobRecord, state: JobRecord["state"]): void {
  job.previousState = job.state;
  job.state = state;
  job.stateTransitionTime = now();
}

/** Ends a job: running tasks are killed (their containers too), nothing more is scheduled. */
export function endJob(job: JobRecord, reason: string): void {
  if (job.state === "completed") return;
  setJobState(job, "terminating");
  job.executionInfo.terminateReason = reason;
  for (const t of job.tasks.values()) {
    if (t.state === "running" || t.state === "preparing") {
      t.endReason = { code: "TaskEnded", message: "Task Was Ended by User Request" };
      t.abort?.abort(new Error(reason));
    }
  }
  setJobState(job, "completed");
  job.executionInfo.endTime = now();
  job.eTag = etag();
}
