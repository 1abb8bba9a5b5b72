/**
 * Live output of running tasks. Batch has no push stream: a follower polls. Each poll costs, per
 * followed task, one listing of its directory (the sizes of `stdout.txt` and `stderr.txt` in one
 * answer) and one ranged read, from the last offset, of each file that grew — none of a file that
 * did not; a poll where nothing grew asks the task's state instead (has it ended?), and an ended
 * task is listed once more for what it wrote last. Bytes read grow with the output, never with the
 * polls. Text is passed on by whole lines,
 * redacted; a line is held until it ends (or grows past a bound), so that a secret split across two
 * reads is still whole when it is redacted.
 */
import type { BatchClient } from "../client/batchClient.js";
import type { Redactor } from "../redact.js";
import { sleep } from "../sleep.js";
import { listTaskFiles } from "./taskLogs.js";

export interface OutputChunk {
  taskId: string;
  file: string;
  /** Whole lines (each ending in a newline), redacted; a final chunk may lack the newline. */
  text: string;
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Between polls (default 1 s). */
  pollIntervalMs?: number;
  /** The files followed (default `stdout.txt` and `stderr.txt`). */
  files?: string[];
  /** Applied to every line (the run's secrets, the client's). */
  redactor?: Redactor;
  /** Filled in as it goes: requests and bytes, for tests and benchmarks. */
  stats?: FollowStats;
}

export interface FollowStats {
  polls: number;
  requests: number;
  /** Bytes read, per task and file (`task/file`). */
  bytes: Map<string, number>;
  /** Requests per poll. */
  perPoll: number[];
}

/** A line longer than this is passed on in pieces (a progress bar that never ends its line). */
const MAX_HELD = 64 * 1024;

interface Followed {
  taskId: string;
  file: string;
  offset: number;
  held: string;
}

/**
 * Follows the files of `taskIds` until each task has completed and its files have been read to the
 * end, or the signal aborts; `onChunk` gets each piece of text as it comes.
 */
export async function followTaskOutput(
  client: BatchClient,
  jobId: string,
  taskIds: readonly string[],
  onChunk: (chunk: OutputChunk) => void,
  options: FollowOptions = {},
): Promise<void> {
  const files = options.files ?? ["stdout.txt", "stderr.txt"];
  const redact = (text: string) => (options.redactor ? options.redactor.text(text) : text);
  const followed = new Map(taskIds.map((taskId) => [taskId, files.map((file): Followed => ({ taskId, file, offset: 0, held: "" }))]));
  const done = new Set<string>();
  const stats = options.stats;
  const jobPath = `/jobs/${encodeURIComponent(jobId)}`;

  /** Passes on the whole lines of what came (all of it when `final`), holding the rest. */
  const pass = (f: Followed, text: string, final: boolean) => {
    f.held += text;
    const end = final ? f.held.length : f.held.length > MAX_HELD ? f.held.length : f.held.lastIndexOf("\n") + 1;
    if (end <= 0) return;
    const out = f.held.slice(0, end);
    f.held = f.held.slice(end);
    onChunk({ taskId: f.taskId, file: f.file, text: redact(out) });
  };

  /** One poll of one task: its listing, then a read of each file that grew. Returns whether anything grew. */
  const poll = async (taskId: string): Promise<boolean> => {
    const sizes = new Map((await listTaskFiles(client, jobId, taskId, { signal: options.signal }).catch(() => [])).map((f) => [f.name, f.contentLength ?? 0]));
    if (stats) stats.requests++;
    let grew = false;
    for (const f of followed.get(taskId)!) {
      const size = sizes.get(f.file) ?? 0;
      if (size <= f.offset) continue;
      grew = true;
      const response = await client.send("GET", `${jobPath}/tasks/${encodeURIComponent(taskId)}/files/${encodeURIComponent(f.file)}`, {
        headers: { "ocp-range": `bytes=${f.offset}-${size - 1}`, accept: "application/octet-stream" },
        accept: [404, 416],
        signal: options.signal,
      });
      if (stats) stats.requests++;
      if (response.status !== 200) continue;
      const got = Number(response.headers["content-length"] ?? Buffer.byteLength(response.bodyText));
      f.offset += got;
      if (stats) stats.bytes.set(`${taskId}/${f.file}`, (stats.bytes.get(`${taskId}/${f.file}`) ?? 0) + got);
      pass(f, response.bodyText, false);
    }
    return grew;
  };

  /** Tasks seen completed: one more listing (what they wrote last), then they are done. */
  const ending = new Set<string>();
  for (;;) {
    if (stats) stats.polls++;
    const before = stats?.requests ?? 0;
    for (const taskId of taskIds) {
      if (done.has(taskId)) continue;
      const grew = await poll(taskId);
      if (ending.has(taskId)) {
        for (const f of followed.get(taskId)!) pass(f, "", true);
        done.add(taskId);
        continue;
      }
      if (grew) continue;
      // Only a task whose files did not grow may have ended: its state is asked instead of a read.
      const task = await client.send("GET", `${jobPath}/tasks/${encodeURIComponent(taskId)}`, {
        query: { $select: "id,state" },
        accept: [404],
        signal: options.signal,
      });
      if (stats) stats.requests++;
      // Not there yet (a run still adding its tasks): followed once it is.
      if (task.status === 200 && (JSON.parse(task.bodyText) as { state?: string }).state === "completed") ending.add(taskId);
    }
    stats?.perPoll.push((stats?.requests ?? 0) - before);
    if (done.size === taskIds.length) return;
    // A task just seen completed is listed once more at once.
    if (ending.size > [...ending].filter((t) => done.has(t)).length) continue;
    await sleep(options.pollIntervalMs ?? 1_000, options.signal);
  }
}
