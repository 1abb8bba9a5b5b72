/**
 * `plan`: the REST calls a spec produces, in order, without any network. `run` issues the same
 * bodies (plus the reads it needs to decide: does the pool exist, is it steady, ...).
 */
import type { TaskAddParameter } from "../batch/types.js";
import { taskChunks } from "./addTaskCollection.js";
import type { Workload } from "../workload/types.js";
import { translateJob, translateJobSchedule } from "../translate/job.js";
import { ARM_API_VERSION, armPoolPath, translateArmPool } from "../translate/armPool.js";
import { translatePool } from "../translate/pool.js";
import { translateTask } from "../translate/task.js";
import { endWhenDonePatch, jobForRun, markSecretEnv } from "./ownership.js";

export interface PlannedCall {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** The Batch REST operation, e.g. `Pool_Add` (or `Pool_Create` on the management plane). */
  operation: string;
  /** Set for a call to Azure Resource Manager (management.azure.com), or to Azure Storage (a `forEach: { blobs }` listing), instead of the account. */
  plane?: "arm" | "storage";
  /** What came of a listing: how many blobs matched, or why the plan did not list. */
  note?: string;
}

/** The tasks' `addtaskcollection` entries, translated one at a time as they are walked. */
export function* translateTasks(workload: Workload): Generator<TaskAddParameter> {
  for (const task of workload.tasks) yield markSecretEnv(translateTask(task, workload.facts), workload.secrets);
}

export function plan(workload: Workload): PlannedCall[] {
  return [...planCalls(workload)];
}

/**
 * The calls of `plan`, one at a time: the task chunks are made as they are reached, so printing
 * the plan of 100,000 tasks holds one request body at a time.
 */
export function* planCalls(workload: Workload, options: { wait?: boolean } = {}): Generator<PlannedCall> {
  const query = { "api-version": workload.apiVersion };
  // The containers listed before anything else (their blobs are the tasks), shown without any SAS.
  for (const b of workload.blobs ?? []) {
    yield {
      method: "GET",
      path: b.container,
      query: { restype: "container", comp: "list", ...(b.prefix !== undefined ? { prefix: b.prefix } : {}), maxresults: "5000" },
      operation: "List_Blobs",
      plane: "storage",
      note: b.listed
        ? `${b.count} blob${b.count === 1 ? "" : "s"}${b.pattern ? ` matching ${b.pattern}` : ""}${b.limit !== undefined ? ` (limit ${b.limit})` : ""}: ${b.count} task${b.count === 1 ? "" : "s"} of ${b.path.replace(/\.forEach\.blobs$/, "")}`
        : `${b.note ?? "not listed"}; ${b.path.replace(/\.forEach\.blobs$/, "")} makes one task per matching blob when the spec runs`,
    };
  }
  // A pool with a managed identity can only be created through Azure Resource Manager.
  yield workload.pool.identity
    ? {
        method: "PUT",
        path: armPoolPath(workload.spec.account ?? {}, workload.pool.id),
        query: { "api-version": ARM_API_VERSION },
        body: translateArmPool(workload),
        operation: "Pool_Create",
        plane: "arm",
      }
    : { method: "POST", path: "/pools", query, body: translatePool(workload), operation: "Pool_Add" };
  if (workload.job.schedule) {
    yield { method: "POST", path: "/jobschedules", query, body: translateJobSchedule(workload), operation: "JobSchedule_Add" };
    return;
  }
  // As a run does (one that waits unless told otherwise: an event's submission does not): a job that
  // should end with its tasks is created with noaction, and set after the last chunk.
  const { body: jobBody, endWhenDone } = jobForRun(translateJob(workload), workload.job, options.wait !== false, workload.secrets);
  yield { method: "POST", path: "/jobs", query, body: jobBody, operation: "Job_Add" };
  const taskPath = `/jobs/${encodeURIComponent(workload.job.id)}/addtaskcollection`;
  // The loader refuses such tasks; a plan never drops one silently.
  const tooLarge = (t: TaskAddParameter) => {
    throw new Error(`task too large for one request: ${t.id}`);
  };
  for (const chunk of taskChunks(translateTasks(workload), tooLarge))
    yield { method: "POST", path: taskPath, query, body: { value: chunk.tasks }, operation: "Task_AddCollection" };
  if (endWhenDone) {
    const patch = endWhenDonePatch(workload.job.id);
    yield { method: patch.method, path: patch.path, query, body: patch.body, operation: "Job_Patch" };
  }
}
