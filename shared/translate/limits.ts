/**
 * The service's request limit, checked on the bodies the translator really emits: a pool, job or
 * job schedule body, and each task with the `addtaskcollection` envelope, must fit in one request
 * of under 1 MB. Whatever a spec holds, nothing the translator builds can exceed it unnoticed.
 */
import { MAX_REQUEST_BYTES } from "../client/addTaskCollection.js";
import type { SpecIssue } from "../workload/errors.js";
import type { Workload } from "../workload/load.js";
import { translateJob, translateJobSchedule } from "./job.js";
import { translatePool } from "./pool.js";
import { translateTask } from "./task.js";

const ENVELOPE_BYTES = Buffer.byteLength('{"value":[]}');
const size = (body: unknown) => Buffer.byteLength(JSON.stringify(body));

export function checkBodySizes(workload: Workload): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const tooLarge = (path: string, what: string, bytes: number) =>
    issues.push({ path, message: `${what} is ${bytes} bytes as a REST body; Batch takes at most ${MAX_REQUEST_BYTES} bytes per request: shorten its command line, environment or file lists` });
  const pool = size(translatePool(workload));
  if (pool > MAX_REQUEST_BYTES) tooLarge("pool", "the pool", pool);
  const job = size(workload.job.schedule ? translateJobSchedule(workload) : translateJob(workload));
  if (job > MAX_REQUEST_BYTES) tooLarge("job", workload.job.schedule ? "the job schedule" : "the job", job);
  for (const task of workload.tasks) {
    const bytes = ENVELOPE_BYTES + size(translateTask(task, workload.facts));
    if (bytes > MAX_REQUEST_BYTES) tooLarge(task.source, `task ${task.id}`, bytes);
  }
  return issues;
}
