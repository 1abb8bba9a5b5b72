/**
 * Following a job to the end at a cost that grows with what changed: one `taskcounts` per poll,
 * and a list only when the completed count moved, of the tasks completed since a watermark,
 * narrowly `$select`ed. Never one GET per task, never a long window read again and again.
 *
 * Why no completion is missed. `stateTransitionTime` is the service's clock, and only service
 * times are compared with each other (the client's clock plays no part, so its skew does not
 * matter). The filter is `stateTransitionTime ge W`: a task completed at exactly W (a tie) is
 * listed again, and ids already seen are skipped. W moves up to the latest time a listing showed
 * only when that listing accounts for every completion the counts (taken before it) reported;
 * otherwise some completion is not visible yet and may be older than what was seen (lists and
 * counts are eventually consistent), so W stays where it was and the next listing looks again
 * from there. And when the counts say nothing is left to run yet tasks of this run were not seen,
 * one listing without a time filter settles it.
 */
import { isTaskCounts, type CloudJob, type CloudTask, type TaskCounts } from "../batch/types.js";
import { UnexpectedResponseError } from "../client/errors.js";
import type { BatchClient } from "../client/batchClient.js";
import { sleep } from "../sleep.js";
import type { Redactor } from "../redact.js";
import type { ProgressReporter, TaskOutcome } from "./reporter.js";
import { lastLines, readTaskFileTail, taskOutputRedactor } from "./taskLogs.js";

export interface WaitForTasksOptions {
  signal?: AbortSignal;
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Failed tasks whose logs are fetched (the rest are only listed). */
  maxLogTails?: number;
  redactor: Redactor;
  /** Filled in as the wait goes (benchmarks and tests read it). */
  stats?: WaitStats;
  /** The job's pool: when tasks go back to the queue, its preempted (Spot) nodes are looked for and told. */
  poolId?: string;
}

export interface WaitResult {
  outcomes: TaskOutcome[];
  counts: TaskCounts;
  /** Set when the job ended before every task completed (e.g. its max wall clock time). */
  jobEnded?: string;
  /** Tasks that can never start: a task they depend on failed (Batch keeps them waiting forever). */
  blocked?: string[];
  /** Times this run's tasks went back to the queue (their node preempted or removed), summed over the tasks. */
  requeues: number;
  /** Spot nodes seen preempted while the tasks ran. */
  preemptedNodes: string[];
}

/** Active tasks that wait, directly or through others, on a task that failed. */
async function findBlocked(
  client: BatchClient,
  jobPath: string,
  outcomes: Map<string, TaskOutcome>,
  signal?: AbortSignal,
): Promise<{ blocked: string[]; active: number }> {
  const active: CloudTask[] = [];
  for await (const t of client.list<CloudTask & { dependsOn?: { taskIds?: string[]; taskIdRanges?: { start: number; end: number }[] } }>(`${jobPath}/tasks`, {
    query: { $filter: "state eq 'active'", $select: "id,dependsOn" },
    signal,
  }))
    active.push(t);
  const failed = new Set([...outcomes.values()].filter((o) => o.result === "failure").map((o) => o.id.toLowerCase()));
  const parents = (t: CloudTask & { dependsOn?: { taskIds?: string[]; taskIdRanges?: { start: number; end: number }[] } }) =>
    [
      ...(t.dependsOn?.taskIds ?? []),
      ...(t.dependsOn?.taskIdRanges ?? []).flatMap((r) => Array.from({ length: r.end - r.start + 1 }, (_, i) => String(r.start + i))),
    ].map((id) => id.toLowerCase());
  const blocked = new Set<string>();
  for (let changed = true; changed;) {
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

/** Fields a completed task's outcome needs, and no more. */
const COMPLETED_SELECT = "id,stateTransitionTime,executionInfo,nodeInfo";

/** What a poll cost, for tests and benchmarks: calls made and task rows listed. */
export interface WaitStats {
  polls: number;
  requests: number;
  rowsListed: number;
  /** Per poll: requests made and completions newly seen. */
  cycles: { requests: number; newCompletions: number }[];
}

export function outcomeOf(task: CloudTask): TaskOutcome {
  const info = task.executionInfo;
  const start = info?.startTime ? Date.parse(info.startTime) : undefined;
  const end = info?.endTime ? Date.parse(info.endTime) : undefined;
  return {
    id: task.id,
    result: info?.result === "success" ? "success" : "failure",
    exitCode: info?.exitCode,
    retryCount: info?.retryCount ?? 0,
    ...(info?.requeueCount ? { requeueCount: info.requeueCount } : {}),
    nodeId: task.nodeInfo?.nodeId,
    durationMs: start !== undefined && end !== undefined ? end - start : undefined,
    failure: info?.failureInfo ? { category: info.failureInfo.category, code: info.failureInfo.code, message: info.failureInfo.message } : undefined,
  };
}

/**
 * Follows `taskIds` (the tasks this run is about; a reused job may hold others) until each one
 * has completed, or the job itself has ended.
 */
// eslint-disable-next-line max-lines-per-function -- one polling loop whose state (seen, counts, cycles) its steps share
export async function waitForTasks(
  client: BatchClient,
  jobId: string,
  taskIds: ReadonlySet<string>,
  reporter: ProgressReporter,
  options: WaitForTasksOptions,
): Promise<WaitResult> {
  const jobPath = `/jobs/${encodeURIComponent(jobId)}`;
  const total = taskIds.size;
  const seen = new Map<string, TaskOutcome>();
  /** Every completed task of the job seen so far (a reused job may hold others): ids only. */
  const completedInJob = new Set<string>();
  /** The watermark W (service time, ms): everything completed before it has been seen. */
  let watermark: number | undefined;
  /** Polls since the last listing without a time filter, and how many to let pass between two. */
  let pollsSinceEverything = 0;
  let everythingGap = 1;
  let interval = options.pollIntervalMs ?? 2_000;
  const maxInterval = options.maxPollIntervalMs ?? 15_000;
  let counts: TaskCounts = { active: total, running: 0, completed: 0, succeeded: 0, failed: 0 };
  let logTails = 0;
  const stats = options.stats;
  const preempted = new Set<string>();
  let previous: TaskCounts | undefined;
  /** Tasks went back to the queue (active up, or running down with nothing completed): which Spot nodes were preempted? */
  const lookForPreemptions = async () => {
    if (!options.poolId) return;
    for await (const n of client.list<{ id: string; state?: string }>(`/pools/${encodeURIComponent(options.poolId)}/nodes`, {
      query: { $filter: "state eq 'preempted'", $select: "id,state" },
      signal: options.signal,
    })) {
      if (preempted.has(n.id)) continue;
      preempted.add(n.id);
      reporter.warn(`node ${n.id} of pool ${options.poolId} was preempted (Spot): its running tasks went back to the queue and run again; not a failure`);
    }
  };
  const done = (extra: Partial<WaitResult> = {}): WaitResult => ({
    outcomes: [...seen.values()],
    counts,
    requeues: [...seen.values()].reduce((n, o) => n + (o.requeueCount ?? 0), 0),
    preemptedNodes: [...preempted],
    ...extra,
  });

  /** One listing of completed tasks (since W, or all of them); returns the completions new to this run. */
  const listCompleted = async (since: number | undefined): Promise<{ found: number; latest: number | undefined }> => {
    let found = 0;
    let latest: number | undefined;
    const filter = `state eq 'completed'${since !== undefined ? ` and stateTransitionTime ge datetime'${new Date(since).toISOString()}'` : ""}`;
    for await (const task of client.list<CloudTask>(`${jobPath}/tasks`, {
      query: { $filter: filter, $select: COMPLETED_SELECT },
      signal: options.signal,
      onPage: () => stats && stats.requests++,
    })) {
      if (stats) stats.rowsListed++;
      const at = task.stateTransitionTime ? Date.parse(task.stateTransitionTime) : undefined;
      if (at !== undefined && (latest === undefined || at > latest)) latest = at;
      completedInJob.add(task.id.toLowerCase());
      if (seen.has(task.id) || !taskIds.has(task.id)) continue;
      const outcome = outcomeOf(task);
      if (outcome.result === "failure" && logTails < (options.maxLogTails ?? 20)) {
        logTails++;
        const [stderr, stdout, redactor] = await Promise.all([
          readTaskFileTail(client, jobId, task.id, "stderr.txt", 4096, options.signal).catch(() => undefined),
          readTaskFileTail(client, jobId, task.id, "stdout.txt", 4096, options.signal).catch(() => undefined),
          // The same redactor `logs` uses, on top of the run's own secrets; the run's alone if the task cannot be read.
          taskOutputRedactor(client, jobId, task.id, { base: options.redactor, signal: options.signal }).catch(() => options.redactor),
        ]);
        if (stderr) outcome.stderrTail = redactor.text(lastLines(stderr));
        if (stdout) outcome.stdoutTail = redactor.text(lastLines(stdout));
      }
      if (outcome.failure?.message) outcome.failure.message = options.redactor.text(outcome.failure.message);
      seen.set(task.id, outcome);
      found++;
      reporter.taskCompleted(outcome);
    }
    return { found, latest };
  };

  for (;;) {
    const before = stats?.requests ?? 0;
    if (stats) {
      stats.polls++;
      stats.requests++;
    }
    const result = await client.json<{ taskCounts?: unknown }>("GET", `${jobPath}/taskcounts`, { signal: options.signal });
    if (!isTaskCounts(result.taskCounts)) throw new UnexpectedResponseError("GET", `${jobPath}/taskcounts`, 200, "without the five task counts");
    counts = result.taskCounts;
    reporter.progress(counts, total);
    const requeued =
      previous !== undefined && (counts.active > previous.active || (counts.running < previous.running && counts.completed === previous.completed));
    previous = counts;
    if (requeued) await lookForPreemptions();

    let found = 0;
    const settled = counts.active + counts.running === 0;
    if (counts.completed > completedInJob.size || (settled && seen.size < total)) {
      const listed = await listCompleted(watermark);
      found = listed.found;
      // W moves only when this listing accounts for every completion counted before it.
      if (listed.latest !== undefined && completedInJob.size >= counts.completed && (watermark === undefined || listed.latest > watermark))
        watermark = listed.latest;
    }
    // Nothing is left to run, and yet tasks of this run are unseen: one may have become visible
    // behind W (late in the list and in the counts alike). Look at every completion, less often
    // each time such a look finds nothing.
    pollsSinceEverything++;
    if (settled && seen.size < total && pollsSinceEverything >= everythingGap) {
      const listed = await listCompleted(undefined);
      found += listed.found;
      pollsSinceEverything = 0;
      everythingGap = listed.found > 0 ? 1 : Math.min(64, everythingGap * 2);
    }
    stats?.cycles.push({ requests: (stats?.requests ?? 0) - before, newCompletions: found });
    if (seen.size >= total) return done();

    if (found === 0 && counts.running === 0 && counts.active > 0 && [...seen.values()].some((o) => o.result === "failure")) {
      const { blocked, active } = await findBlocked(client, jobPath, seen, options.signal);
      if (active > 0 && blocked.length === active) {
        for (const id of blocked) reporter.warn(`task ${id} can never start: a task it depends on failed`);
        return done({ blocked });
      }
    }
    if (found === 0 && counts.active + counts.running === 0) {
      // Nothing left to run, yet tasks missing: has the job itself ended?
      const job = await client.json<CloudJob>("GET", jobPath, { query: { $select: "id,state,executionInfo" }, signal: options.signal });
      if (job.state === "completed" || job.state === "terminating" || job.state === "deleting") {
        const reason = job.executionInfo?.terminateReason ?? job.state;
        return done({ jobEnded: reason });
      }
    }
    interval = found > 0 ? (options.pollIntervalMs ?? 2_000) : Math.min(maxInterval, Math.round(interval * 1.5));
    await sleep(interval, options.signal);
  }
}
