/**
 * Adding many tasks: chunks of at most 100 tasks and under 1 MB, sent with bounded concurrency.
 * A chunk the service finds too large is halved; tasks that failed with a server error are sent
 * again; `TaskExists` is success when the existing task is the one we meant to add.
 */
import type { CloudTask, TaskAddParameter, TaskAddResult } from "../batch/types.js";
import type { BatchClient } from "./batchClient.js";
import { BatchServiceError } from "./errors.js";
import { TransportError } from "./pipeline.js";
import { sleep } from "./policies/retryPolicy.js";

export const MAX_TASKS_PER_REQUEST = 100;
/** The service's limit is 1 MB per request; stay under it with the envelope counted. */
export const MAX_REQUEST_BYTES = 1_000_000;

const ENVELOPE_BYTES = Buffer.byteLength('{"value":[]}');

/** Splits tasks into request bodies; a task too large on its own comes back in `tooLarge`. */
export function chunkTasks(
  tasks: TaskAddParameter[],
  limits: { maxTasks?: number; maxBytes?: number } = {},
): { chunks: TaskAddParameter[][]; tooLarge: TaskAddParameter[] } {
  const maxTasks = limits.maxTasks ?? MAX_TASKS_PER_REQUEST;
  const maxBytes = limits.maxBytes ?? MAX_REQUEST_BYTES;
  const chunks: TaskAddParameter[][] = [];
  const tooLarge: TaskAddParameter[] = [];
  let current: TaskAddParameter[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const task of tasks) {
    const size = Buffer.byteLength(JSON.stringify(task));
    if (ENVELOPE_BYTES + size > maxBytes) {
      tooLarge.push(task);
      continue;
    }
    const added = size + (current.length > 0 ? 1 : 0); // the comma
    if (current.length >= maxTasks || bytes + added > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    bytes += size + (current.length > 0 ? 1 : 0);
    current.push(task);
  }
  if (current.length > 0) chunks.push(current);
  return { chunks, tooLarge };
}

export interface TaskAddFailure {
  taskId: string;
  code: string;
  message: string;
}

export interface AddTasksResult {
  added: string[];
  /** Already there, identical to what we meant to add (a rerun, or a lost response). */
  existing: string[];
  failed: TaskAddFailure[];
}

export interface AddTasksOptions {
  concurrency?: number;
  /** Rounds of re-sending tasks that got `servererror`. */
  serverErrorRetries?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The fields compared when the service says `TaskExists`. */
function sameTask(wanted: TaskAddParameter, existing: CloudTask): boolean {
  const norm = (v: unknown) => JSON.stringify(v ?? null);
  const env = (list?: { name: string; value?: string }[]) =>
    (list ?? []).map((e) => `${e.name}=${e.value ?? ""}`).sort();
  const container = (c?: TaskAddParameter["containerSettings"]) =>
    c ? { imageName: c.imageName, containerRunOptions: c.containerRunOptions ?? "", workingDirectory: c.workingDirectory ?? "taskWorkingDirectory" } : null;
  return (
    (existing.commandLine ?? "") === wanted.commandLine &&
    norm(container(existing.containerSettings)) === norm(container(wanted.containerSettings)) &&
    norm(env(existing.environmentSettings)) === norm(env(wanted.environmentSettings))
  );
}

async function mapWithConcurrency<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (index < items.length) {
      const item = items[index++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/** After the client's own retries, an error that leaves a chunk's fate unknown: it may or may not have been committed. */
function outcomeUnknown(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  return error instanceof BatchServiceError && error.statusCode >= 500;
}

export async function addTaskCollection(client: BatchClient, jobId: string, tasks: TaskAddParameter[], options: AddTasksOptions = {}): Promise<AddTasksResult> {
  const result: AddTasksResult = { added: [], existing: [], failed: [] };
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const concurrency = options.concurrency ?? 4;
  const path = `/jobs/${encodeURIComponent(jobId)}/addtaskcollection`;
  const taskPath = (id: string) => `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(id)}`;
  let done = 0;
  const finish = (n: number) => {
    done += n;
    options.onProgress?.(done, tasks.length);
  };

  const { chunks, tooLarge } = chunkTasks(tasks);
  for (const t of tooLarge) {
    result.failed.push({ taskId: t.id, code: "RequestBodyTooLarge", message: `the task alone is over ${MAX_REQUEST_BYTES} bytes serialized; shorten its command line, environment or file lists` });
  }
  finish(tooLarge.length);

  const exists: string[] = [];
  let sendAgain: TaskAddParameter[] = [];
  /** Chunks whose POST failed in a way that does not say whether it was committed. */
  let unknown: { chunk: TaskAddParameter[]; error: unknown }[] = [];

  const sendChunk = async (chunk: TaskAddParameter[]): Promise<void> => {
    let results: TaskAddResult[];
    try {
      const body = await client.json<{ value?: TaskAddResult[] }>("POST", path, {
        body: { value: chunk },
        // Safe to repeat: task ids are deterministic, and a repeat answers TaskExists per task.
        idempotent: true,
        signal: options.signal,
      });
      results = Array.isArray(body.value) ? body.value : [];
    } catch (error) {
      if (error instanceof BatchServiceError && error.code === "RequestBodyTooLarge" && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        await sendChunk(chunk.slice(0, half));
        await sendChunk(chunk.slice(half));
        return;
      }
      if (outcomeUnknown(error) && !options.signal?.aborted) {
        unknown.push({ chunk, error });
        return;
      }
      throw error;
    }
    const seen = new Set<string>();
    for (const r of results) {
      seen.add(r.taskId);
      if (r.status === "success") {
        result.added.push(r.taskId);
        finish(1);
      } else if (r.status === "servererror") {
        const task = byId.get(r.taskId);
        if (task) sendAgain.push(task);
      } else if (r.error?.code === "TaskExists") {
        exists.push(r.taskId);
      } else {
        result.failed.push({ taskId: r.taskId, code: r.error?.code ?? "ClientError", message: describe(r) });
        finish(1);
      }
    }
    // A task the service did not answer for has to be sent again.
    for (const t of chunk) if (!seen.has(t.id)) sendAgain.push(t);
  };

  /** Reads back the tasks of chunks with an unknown outcome: there, they join `exists`; missing, they are sent again. */
  const reread = async (): Promise<void> => {
    const pending = unknown;
    unknown = [];
    const tasksOf = pending.flatMap((p) => p.chunk);
    await mapWithConcurrency(tasksOf, concurrency, async (t) => {
      let response;
      try {
        response = await client.send("GET", taskPath(t.id), { query: { $select: "id" }, accept: [404], signal: options.signal });
      } catch {
        // Neither the add nor the read gets through: the service is down; say so with the add's own error.
        throw pending[0]!.error;
      }
      if (response.status === 404) sendAgain.push(t);
      else exists.push(t.id);
    });
  };

  await mapWithConcurrency(chunks, concurrency, sendChunk);
  if (unknown.length > 0) await reread();

  const rounds = options.serverErrorRetries ?? 5;
  for (let round = 0; sendAgain.length > 0; round++) {
    const again = sendAgain;
    sendAgain = [];
    if (round >= rounds) {
      for (const t of again) result.failed.push({ taskId: t.id, code: "ServerError", message: `the service kept failing to add it after ${rounds} more attempts` });
      finish(again.length);
      break;
    }
    await sleep(Math.min(30_000, 500 * 2 ** round), options.signal);
    await mapWithConcurrency(chunkTasks(again).chunks, concurrency, sendChunk);
    if (unknown.length > 0) await reread();
  }

  await mapWithConcurrency(exists, concurrency, async (taskId) => {
    const wanted = byId.get(taskId) as TaskAddParameter;
    const existing = await client.json<CloudTask>("GET", taskPath(taskId), {
      query: { $select: "id,commandLine,containerSettings,environmentSettings" },
      signal: options.signal,
    });
    if (sameTask(wanted, existing)) result.existing.push(taskId);
    else {
      result.failed.push({
        taskId,
        code: "TaskExists",
        message: "a different task with this id is already in the job (its command line, container or environment differ); use a new job id or delete the job",
      });
    }
    finish(1);
  });
  return result;
}

function describe(r: TaskAddResult): string {
  const msg = (r.error?.message?.value ?? "").split("\n").filter((l) => !/^(RequestId|Time):/.test(l)).join(" ").trim();
  const values = (r.error?.values ?? []).map((v) => `${v.key}=${v.value}`).join(", ");
  return values ? `${msg} [${values}]` : msg;
}
