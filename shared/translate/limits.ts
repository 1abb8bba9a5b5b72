/**
 * The service's limits, checked on the bodies the translator really emits: a pool, job or job
 * schedule body, and each task with the `addtaskcollection` envelope, must fit in one request of
 * under 1 MB, and every number in them is an int32. The schema checks the spec's own fields too;
 * this is what makes sure nothing the translator builds can exceed a limit unnoticed.
 */
import { MAX_REQUEST_BYTES } from "../batch/limits.js";
import type { SpecIssue } from "../workload/errors.js";
import type { ResolvedTask } from "../workload/expand.js";
import type { Workload } from "../workload/types.js";
import type { PoolFacts } from "../workload/rules.js";
import { translateJob, translateJobSchedule } from "./job.js";
import { translatePool } from "./pool.js";
import { translateTask } from "./task.js";

const ENVELOPE_BYTES = Buffer.byteLength('{"value":[]}');
const INT32_MAX = 2_147_483_647;

const isInt32 = (v: number) => Number.isInteger(v) && v >= -INT32_MAX - 1 && v <= INT32_MAX;

/** The quick walk, once per task: no paths are built unless a number is wrong. */
function allInt32(v: unknown): boolean {
  if (typeof v === "number") return isInt32(v);
  if (v === null || typeof v !== "object") return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!allInt32(x)) return false;
    return true;
  }
  for (const k in v) if (!allInt32((v as Record<string, unknown>)[k])) return false;
  return true;
}

/** Every number of a REST body this project sends is an int32 in the definition: one that is not would be refused, or wrap. */
function int32Issues(body: unknown, where: string): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (allInt32(body)) return issues;
  const stack: [unknown, string][] = [[body, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "number" && !isInt32(v)) {
      issues.push({ path: where, message: `its REST body holds ${v} at ${path}, which is not an int32 as the Batch REST API requires` });
    } else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) stack.push([child, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k]);
    }
  }
  return issues;
}
const size = (body: unknown) => Buffer.byteLength(JSON.stringify(body));

function tooLarge(path: string, what: string, bytes: number): SpecIssue {
  return {
    path,
    message: `${what} is ${bytes} bytes as a REST body; Batch takes at most ${MAX_REQUEST_BYTES} bytes per request: shorten its command line, environment or file lists`,
  };
}

/** The pool's and the job's (or job schedule's) bodies. */
export function checkBodySizes(workload: Pick<Workload, "pool" | "job" | "facts" | "spec">): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const poolBody = translatePool(workload as Workload);
  const pool = size(poolBody);
  if (pool > MAX_REQUEST_BYTES) issues.push(tooLarge("pool", "the pool", pool));
  issues.push(...int32Issues(poolBody, "pool"));
  const jobBody = workload.job.schedule ? translateJobSchedule(workload as Workload) : translateJob(workload as Workload);
  const job = size(jobBody);
  if (job > MAX_REQUEST_BYTES) issues.push(tooLarge("job", workload.job.schedule ? "the job schedule" : "the job", job));
  issues.push(...int32Issues(jobBody, "job"));
  return issues;
}

/** One task's body, with the `addtaskcollection` envelope. */
export function checkTaskBody(task: ResolvedTask, facts: PoolFacts): SpecIssue[] {
  const body = translateTask(task, facts);
  const bytes = ENVELOPE_BYTES + size(body);
  const issues = int32Issues(body, task.source);
  if (bytes > MAX_REQUEST_BYTES) issues.unshift(tooLarge(task.source, `task ${task.id}`, bytes));
  return issues;
}
