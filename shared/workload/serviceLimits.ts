/**
 * The limits Azure Batch and its nodes enforce (`shared/batch/limits.ts`), checked when the spec
 * loads: each refusal names the field, the value and what would be valid, so that a spec never
 * costs a pool allocation to find out.
 */
import { REDACTED } from "../redact.js";
import {
  BATCH_LIMITS,
  DEFAULT_PREPARATION_TASK_ID,
  DEFAULT_RELEASE_TASK_ID,
  durationProblem,
  filePathProblem,
  imageNameProblem,
  invisibleCharacter,
  vCpusOfVmSize,
} from "../batch/limits.js";
import type { IssueCollector } from "./errors.js";
import type { JobSpec, OutputFileSpec, PoolSpec, ResourceFileSpec } from "./schema.js";

const bytes = (s: string) => Buffer.byteLength(s);
const kib = (n: number) => `${n.toLocaleString("en-US")} bytes`;

/** Each `NAME=value` must fit one process string (Linux MAX_ARG_STRLEN), or the task cannot start. */
export function checkEnvironment(env: Record<string, string | number | boolean> | undefined, path: string, issues: IssueCollector): void {
  if (!env) return;
  for (const [name, value] of Object.entries(env)) {
    const size = bytes(name) + 1 + bytes(String(value)) + 1;
    if (size > BATCH_LIMITS.maxProcessStringBytes) {
      issues.add(
        `${path}.${name}`,
        `is ${kib(size)} as NAME=value; a process takes at most ${kib(BATCH_LIMITS.maxProcessStringBytes)} per environment variable, so the task would fail to start (E2BIG): pass large values in a resource file`,
      );
    }
  }
}

/** A command line is one string to exec as well. */
export function checkCommandLine(command: string | undefined, path: string, issues: IssueCollector): void {
  if (command === undefined) return;
  const size = bytes(command) + 1;
  if (size > BATCH_LIMITS.maxProcessStringBytes) {
    issues.add(
      path,
      `is ${kib(size)}; a process takes at most ${kib(BATCH_LIMITS.maxProcessStringBytes)} as one argument, so the task would fail to start (E2BIG): put the script in a resource file`,
    );
  }
  const hidden = invisibleCharacter(command);
  if (hidden) issues.add(path, `contains the invisible character ${hidden} (a bidirectional or zero-width character): what runs would not be what one reads`);
}

export function checkImageName(image: string | undefined, path: string, issues: IssueCollector): void {
  if (image === undefined || image === "" || image.includes(REDACTED)) return;
  const hidden = invisibleCharacter(image);
  if (hidden) return issues.add(path, `contains the invisible character ${hidden}; an image name is plain ASCII`);
  const problem = imageNameProblem(image);
  if (problem) issues.add(path, `"${image}" is not a valid image reference: it ${problem}`);
}

export function checkResourceFiles(resources: ResourceFileSpec[] | undefined, path: string, issues: IssueCollector): void {
  resources?.forEach((r, i) => {
    const at = `${path}[${i}]`;
    if (r.path !== undefined) {
      const problem = filePathProblem(r.path);
      if (problem) issues.add(`${at}.path`, problem);
    }
    if (r.url !== undefined && r.prefix !== undefined) {
      issues.add(
        `${at}.prefix`,
        "applies to `container` only (blobPrefix selects blobs of a container); with `url` give the blob's own URL, or use `container` and `prefix`",
      );
    }
  });
}

/** Batch uploads with the container URL's SAS, or with a pool identity; without either it cannot write. */
export function checkOutputFiles(outputs: OutputFileSpec[] | undefined, path: string, issues: IssueCollector): void {
  outputs?.forEach((o, i) => {
    if (o.identity !== undefined || o.container.includes(REDACTED)) return;
    let signed = false;
    try {
      signed = new URL(o.container).searchParams.has("sig");
    } catch {
      return;
    }
    if (!signed) {
      issues.add(
        `${path}[${i}].container`,
        "has neither a SAS (a `sig` in its query) nor an `identity`: Batch could not write the output; append a SAS with write and create permissions, or give a pool identity with `identity`",
      );
    }
  });
}

/** The node agent a spec names must be the one its image runs. */
function checkNodeAgent(pool: PoolSpec, derived: string | undefined, issues: IssueCollector): void {
  if (pool.nodeAgentSku === undefined || derived === undefined || pool.nodeAgentSku.toLowerCase() === derived.toLowerCase()) return;
  const os = (sku: string) => (sku.toLowerCase().startsWith("batch.node.windows") ? "Windows" : "Linux");
  const why = os(pool.nodeAgentSku) !== os(derived) ? `a ${os(pool.nodeAgentSku)} node agent on a ${os(derived)} image` : "another node agent than its image's";
  issues.add("pool.nodeAgentSku", `"${pool.nodeAgentSku}" is ${why}: this image runs "${derived}"; set that, or remove nodeAgentSku to derive it`);
}

export function checkPoolLimits(pool: PoolSpec, derivedNodeAgent: string | undefined, issues: IssueCollector): void {
  checkNodeAgent(pool, derivedNodeAgent, issues);
  const hidden = invisibleCharacter(pool.vmSize);
  if (hidden) issues.add("pool.vmSize", `contains the invisible character ${hidden}`);
  if (pool.resizeTimeout !== undefined) {
    const problem = durationProblem(pool.resizeTimeout, { minMs: BATCH_LIMITS.minResizeTimeoutMs, min: "PT5M" });
    if (problem) issues.add("pool.resizeTimeout", problem);
  }
  if (pool.autoscale) {
    if (pool.autoscale.formula.trim() === "") issues.add("pool.autoscale.formula", 'is blank; give a formula such as "$TargetDedicatedNodes = 2;"');
    if (pool.autoscale.interval !== undefined) {
      const problem = durationProblem(pool.autoscale.interval, {
        minMs: BATCH_LIMITS.minAutoScaleIntervalMs,
        min: "PT5M",
        maxMs: BATCH_LIMITS.maxAutoScaleIntervalMs,
        max: "PT168H",
      });
      if (problem) issues.add("pool.autoscale.interval", problem);
    }
  }
  const cores = vCpusOfVmSize(pool.vmSize);
  if (pool.taskSlotsPerNode !== undefined && cores !== undefined && pool.taskSlotsPerNode > cores * BATCH_LIMITS.taskSlotsPerCore) {
    issues.add(
      "pool.taskSlotsPerNode",
      `${pool.taskSlotsPerNode} is more than Batch allows on ${pool.vmSize}: at most ${BATCH_LIMITS.taskSlotsPerCore} per vCPU (${cores} vCPUs: ${Math.min(cores * BATCH_LIMITS.taskSlotsPerCore, BATCH_LIMITS.maxTaskSlotsPerNode)})`,
    );
  }
  pool.container?.prefetch?.forEach((image, i) => checkImageName(image, `pool.container.prefetch[${i}]`, issues));
  if (pool.startTask) {
    checkImageName(pool.startTask.image, "pool.startTask.image", issues);
    checkCommandLine(pool.startTask.command, "pool.startTask.command", issues);
    checkEnvironment(pool.startTask.env, "pool.startTask.env", issues);
    checkResourceFiles(pool.startTask.resources, "pool.startTask.resources", issues);
  }
}

export function checkJobLimits(job: JobSpec, taskIds: readonly string[], issues: IssueCollector): void {
  if (job.maxParallelTasks === 0) issues.add("job.maxParallelTasks", "is 0; give -1 (no limit) or at least 1");
  checkEnvironment(job.env, "job.env", issues);
  const release = job.release;
  if (release?.maxWallClock !== undefined) {
    const problem = durationProblem(release.maxWallClock, { maxMs: BATCH_LIMITS.maxReleaseWallClockMs, max: "PT15M" });
    if (problem) issues.add("job.release.maxWallClock", `${problem} for a job release task`);
  }
  const schedule = job.schedule;
  if (schedule?.recurrence !== undefined) {
    const problem = durationProblem(schedule.recurrence, { minMs: BATCH_LIMITS.minRecurrenceMs, min: "PT1M" });
    if (problem) issues.add("job.schedule.recurrence", problem);
  }
  if (schedule?.startWindow !== undefined) {
    const problem = durationProblem(schedule.startWindow, { minMs: BATCH_LIMITS.minStartWindowMs, min: "PT1M" });
    if (problem) issues.add("job.schedule.startWindow", problem);
  }
  const lower = new Set(taskIds.map((id) => id.toLowerCase()));
  for (const [field, task, fallback] of [
    ["preparation", job.preparation, DEFAULT_PREPARATION_TASK_ID],
    ["release", job.release, DEFAULT_RELEASE_TASK_ID],
  ] as const) {
    if (!task) continue;
    const id = task.id ?? fallback;
    if (lower.has(id.toLowerCase())) {
      issues.add(
        task.id !== undefined ? `job.${field}.id` : `job.${field}`,
        `"${id}"${task.id === undefined ? " (the id Batch gives it)" : ""} is also a task id; no other task of the job may have the ${field} task's id (ids ignore case): rename the task${task.id === undefined ? `, or give job.${field}.id` : ""}`,
      );
    }
    checkImageName(task.image, `job.${field}.image`, issues);
    checkCommandLine(task.command, `job.${field}.command`, issues);
    checkEnvironment(task.env, `job.${field}.env`, issues);
    checkResourceFiles(task.resources, `job.${field}.resources`, issues);
  }
  if (job.manager) {
    checkImageName(job.manager.image, "job.manager.image", issues);
    checkCommandLine(job.manager.command, "job.manager.command", issues);
    checkEnvironment(job.manager.env, "job.manager.env", issues);
    checkResourceFiles(job.manager.resources, "job.manager.resources", issues);
    checkOutputFiles(job.manager.outputs, "job.manager.outputs", issues);
  }
}
