/**
 * Following a job to the end with few calls: task counts each poll, and a filtered, `$select`ed
 * list of the tasks completed since the last poll. Never one GET per task.
 */
import { isTaskCounts, type CloudJob, type CloudTask, type TaskCounts } from "../batch/types.js";
import { UnexpectedResponseError } from "../client/errors.js";
import type { BatchClient } from "../client/batchClient.js";
import { sleep } from "../client/policies/retryPolicy.js";
import type { Redactor } from "../redact.js";
import type { ProgressReporter, TaskOutcome } from "./reporter.js";
import { lastLines, readTaskFileTail } from "./taskLogs.js";

export interface WaitForTasksOptions {
  signal?: AbortSignal;
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Failed tasks whose logs are fetched (the rest are only listed). */
  maxLogTails?: number;
  redactor: Redactor;
}

export interface WaitResult {
  outcomes: TaskOutcome[];
  counts: TaskCounts;
  /** Set when the job ended before every task completed (e.g. its max wall clock time). */
  jobEnded?: string;
  /** Tasks that can never start: a task they depend on failed (Batch keeps them waiting forever). */
  blocked?: string[];
}

/** Active tasks that wait, directly or through others, on a task that failed. */
async function findBlocked(client: BatchClient, jobPath: string, outcomes: Map<string, TaskOutcome>, signal?: AbortSignal): Promise<{ blocked: string[]; active: number }> {
  const active: CloudTask[] = [];
  for await (const t of client.list<CloudTask & { dependsOn?: { taskIds?: string[]; taskIdRanges?: { start: number; end: number }[] } }>(`${jobPath}/tasks`, {
    query: { $filter: "state eq 'active'", $select: "id,dependsOn" },
    signal,
  })) active.push(t);
  const failed = new Set([...outcomes.values()].filter((o) => o.result === "failure").map((o) => o.id.toLowerCase()));
  const parents = (t: CloudTask & { dependsOn?: { taskIds?: string[]; taskIdRanges?: { start: number; end: number }[] } }) => [
    ...(t.dependsOn?.taskIds ?? []),
    ...(t.dependsOn?.taskIdRanges ?? []).flatMap((r) => Array.from({ length: r.end - r.start + 1 }, (_, i) => String(r.start + i))),
  ].map((id) => id.toLowerCase());
  const blocked = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of active) {
      const id = t.id.toLowerCase();
      if (!blocked.has(id) && parents(t).some((p) => failed.has(p) || blocked.has(p))) {
        blocked.add(id);
        changed = true;
      }
    }
  }
  return { blocked: active.filter((t) => blocked.has(t.id.toLowerCase())).map((t) => t.id), active: active.length };
}

/** Overlap kept when asking for tasks completed "since": stateTransitionTime is the service's clock. */
const SINCE_OVERLAP_MS = 60_000;

export function outcomeOf(task: CloudTask): TaskOutcome {
  const info = task.executionInfo;
  const start = info?.startTime ? Date.parse(info.startTime) : undefined;
  const end = info?.endTime ? Date.parse(info.endTime) : undefined;
  return {
    id: task.id,
    result: info?.result === "success" ? "success" : "failure",
    exitCode: info?.exitCode,
    retryCount: info?.retryCount ?? 0,
    nodeId: task.nodeInfo?.nodeId,
    durationMs: start !== undefined && end !== undefined ? end - start : undefined,
    failure: info?.failureInfo ? { category: info.failureInfo.category, code: info.failureInfo.code, message: info.failureInfo.message } : undefined,
  };
}

/**
 * Follows `taskIds` (the tasks this run is about; a reused job may hold others) until each one
 * has completed, or the job itself has ended.
 */
export async function waitForTasks(client: BatchClient, jobId: string, taskIds: ReadonlySet<string>, reporter: ProgressReporter, options: WaitForTasksOptions): Promise<WaitResult> {
  const jobPath = `/jobs/${encodeURIComponent(jobId)}`;
  const total = taskIds.size;
  const seen = new Map<string, TaskOutcome>();
  let latest: number | undefined;
  let interval = options.pollIntervalMs ?? 2_000;
  const maxInterval = options.maxPollIntervalMs ?? 15_000;
  let counts: TaskCounts = { active: total, running: 0, completed: 0, succeeded: 0, failed: 0 };
  let logTails = 0;

  for (;;) {
    const result = await client.json<{ taskCounts?: unknown }>("GET", `${jobPath}/taskcounts`, { signal: options.signal });
    if (!isTaskCounts(result.taskCounts)) throw new UnexpectedResponseError("GET", `${jobPath}/taskcounts`, 200, "without the five task counts");
    counts = result.taskCounts;
    reporter.progress(counts, total);

    let found = 0;
    // Counts can lag behind the list; also look when they say nothing is left to run.
    if (counts.completed > seen.size || counts.active + counts.running === 0) {
      const since = latest !== undefined ? new Date(latest - SINCE_OVERLAP_MS).toISOString() : undefined;
      const filter = `state eq 'completed'${since ? ` and stateTransitionTime ge datetime'${since}'` : ""}`;
      for await (const task of client.list<CloudTask>(`${jobPath}/tasks`, {
        query: { $filter: filter, $select: "id,state,stateTransitionTime,executionInfo,nodeInfo" },
        signal: options.signal,
      })) {
        if (seen.has(task.id) || !taskIds.has(task.id)) continue;
        const at = task.stateTransitionTime ? Date.parse(task.stateTransitionTime) : undefined;
        if (at !== undefined && (latest === undefined || at > latest)) latest = at;
        const outcome = outcomeOf(task);
        if (outcome.result === "failure" && logTails < (options.maxLogTails ?? 20)) {
          logTails++;
          const [stderr, stdout] = await Promise.all([
            readTaskFileTail(client, jobId, task.id, "stderr.txt", 4096, options.signal).catch(() => undefined),
            readTaskFileTail(client, jobId, task.id, "stdout.txt", 4096, options.signal).catch(() => undefined),
          ]);
          if (stderr) outcome.stderrTail = options.redactor.text(lastLines(stderr));
          if (stdout) outcome.stdoutTail = options.redactor.text(lastLines(stdout));
        }
        if (outcome.failure?.message) outcome.failure.message = options.redactor.text(outcome.failure.message);
        seen.set(task.id, outcome);
        found++;
        reporter.taskCompleted(outcome);
      }
    }
    if (seen.size >= total) return { outcomes: [...seen.values()], counts };

    if (found === 0 && counts.running === 0 && counts.active > 0 && [...seen.values()].some((o) => o.result === "failure")) {
      const { blocked, active } = await findBlocked(client, jobPath, seen, options.signal);
      if (active > 0 && blocked.length === active) {
        for (const id of blocked) reporter.warn(`task ${id} can never start: a task it depends on failed`);
        return { outcomes: [...seen.values()], counts, blocked };
      }
    }
    if (found === 0 && counts.active + counts.running === 0) {
      // Nothing left to run, yet tasks missing: has the job itself ended?
      const job = await client.json<CloudJob>("GET", jobPath, { query: { $select: "id,state,executionInfo" }, signal: options.signal });
      if (job.state === "completed" || job.state === "terminating" || job.state === "deleting") {
        const reason = job.executionInfo?.terminateReason ?? job.state;
        return { outcomes: [...seen.values()], counts, jobEnded: reason };
      }
    }
    interval = found > 0 ? (options.pollIntervalMs ?? 2_000) : Math.min(maxInterval, Math.round(interval * 1.5));
    await sleep(interval, options.signal);
  }
}
