/**
 * Adding many tasks: chunks of at most 100 tasks and under 1 MB, sent with bounded concurrency.
 * A chunk the service finds too large is halved; tasks that failed with a server error are sent
 * again; `TaskExists` is success when the existing task is the one we meant to add.
 */
import { createHash } from "node:crypto";
import type { CloudTask, TaskAddParameter, TaskAddResult } from "../batch/types.js";
import { MAX_REQUEST_BYTES, MAX_TASKS_PER_REQUEST } from "../batch/limits.js";
import type { BatchClient } from "../client/batchClient.js";
import { BatchServiceError } from "../client/errors.js";
import { JsonText } from "../client/json.js";
import { TransportError } from "../client/pipeline.js";
import { MAX_SUBMIT_CONCURRENCY } from "../client/transport.js";
import { sleep } from "../sleep.js";

export { MAX_REQUEST_BYTES, MAX_TASKS_PER_REQUEST };

const ENVELOPE_BYTES = Buffer.byteLength('{"value":[]}');

/** One request's tasks, and each one's JSON (measured once, sent as is). */
export interface TaskChunk {
  tasks: TaskAddParameter[];
  json: string[];
}

/** The request body of a chunk, from the JSON already made. */
function chunkBody(chunk: TaskChunk): JsonText {
  return new JsonText(`{"value":[${chunk.json.join(",")}]}`);
}

/**
 * Request bodies from a stream of tasks, made as they are asked for (only the chunk being filled
 * is held); a task too large on its own goes to `onTooLarge`.
 */
export function* taskChunks(
  tasks: Iterable<TaskAddParameter>,
  onTooLarge: (task: TaskAddParameter) => void,
  limits: { maxTasks?: number; maxBytes?: number } = {},
): Generator<TaskChunk> {
  const maxTasks = limits.maxTasks ?? MAX_TASKS_PER_REQUEST;
  const maxBytes = limits.maxBytes ?? MAX_REQUEST_BYTES;
  let current: TaskChunk = { tasks: [], json: [] };
  let bytes = ENVELOPE_BYTES;
  for (const task of tasks) {
    const json = JSON.stringify(task);
    const size = Buffer.byteLength(json);
    if (ENVELOPE_BYTES + size > maxBytes) {
      onTooLarge(task);
      continue;
    }
    const added = size + (current.tasks.length > 0 ? 1 : 0); // the comma
    if (current.tasks.length >= maxTasks || bytes + added > maxBytes) {
      yield current;
      current = { tasks: [], json: [] };
      bytes = ENVELOPE_BYTES;
    }
    bytes += size + (current.tasks.length > 0 ? 1 : 0);
    current.tasks.push(task);
    current.json.push(json);
  }
  if (current.tasks.length > 0) yield current;
}

/** Splits tasks into request bodies; a task too large on its own comes back in `tooLarge`. */
export function chunkTasks(
  tasks: Iterable<TaskAddParameter>,
  limits: { maxTasks?: number; maxBytes?: number } = {},
): { chunks: TaskAddParameter[][]; tooLarge: TaskAddParameter[] } {
  const tooLarge: TaskAddParameter[] = [];
  const chunks = [...taskChunks(tasks, (t) => tooLarge.push(t), limits)].map((c) => c.tasks);
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

/**
 * `addtaskcollection` requests in flight at once, unless told otherwise: the least concurrency within
 * 15% of the best submission time of 10,000 tasks both through a +20 ms round trip and straight to
 * the local service (16 is 20% slower through the round trip; 64 gains nothing) (`npm run bench -- --scale --only=concurrency` prints the measurement). Microsoft's guidance
 * keeps it under 100; each request holds at most 100 tasks.
 */
export const DEFAULT_SUBMIT_CONCURRENCY = 32;

export { MAX_SUBMIT_CONCURRENCY };

export interface AddTasksOptions {
  /** Requests in flight at once (default DEFAULT_SUBMIT_CONCURRENCY, at most MAX_SUBMIT_CONCURRENCY). */
  concurrency?: number;
  /** Rounds of re-sending tasks that got `servererror`. */
  serverErrorRetries?: number;
  signal?: AbortSignal;
  /** How many tasks the stream holds, for `onProgress`; known by itself for an array or a `TaskSet`. */
  total?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The fields compared when the service says `TaskExists`, as one digest: command line, container
 * (image, run options, working directory) and environment. A task there with the same digest is
 * the one we meant to add.
 */
function taskDigest(task: Pick<CloudTask, "commandLine" | "containerSettings" | "environmentSettings">): string {
  const c = task.containerSettings;
  const env = (task.environmentSettings ?? []).map((e) => `${e.name}=${e.value ?? ""}`).sort();
  const container = c ? [c.imageName, c.containerRunOptions ?? "", c.workingDirectory ?? "taskWorkingDirectory"] : null;
  return createHash("sha256")
    .update(JSON.stringify([task.commandLine ?? "", container, env]))
    .digest("base64");
}

/** What a comparison reads of the tasks there. */
const COMPARED = "id,commandLine,containerSettings,environmentSettings";

/**
 * Runs `fn` over the items with at most `concurrency` at once, each worker taking the next item
 * when it is free (the iterator is synchronous: each item goes to one worker). With `ahead`,
 * while the workers wait for answers, up to that many items are made in advance, one per turn of
 * the event loop (answers are read in between), so that a worker freed by an answer sends its next
 * chunk at once instead of building it first. Held at most: the items in flight, the ones made
 * ahead, the one being made.
 */
async function sendAll<T>(items: Iterable<T>, concurrency: number, ahead: number, fn: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const ready: T[] = [];
  let exhausted = false;
  let stopped = false;
  let filling = false;
  let failure: { error: unknown } | undefined;
  const pull = (): IteratorResult<T> => {
    if (failure) throw failure.error;
    if (ready.length > 0) return { value: ready.shift() as T, done: false };
    if (exhausted) return { value: undefined, done: true };
    const next = iterator.next();
    if (next.done) exhausted = true;
    return next;
  };
  const fill = () => {
    if (filling || exhausted || stopped || ready.length >= ahead) return;
    filling = true;
    setImmediate(() => {
      filling = false;
      if (exhausted || stopped || ready.length >= ahead) return;
      try {
        const next = iterator.next();
        if (next.done) exhausted = true;
        else ready.push(next.value);
      } catch (error) {
        // Made ahead, thrown to the worker that would have sent it.
        failure = { error };
        exhausted = true;
        return;
      }
      fill();
    });
  };
  const worker = async () => {
    for (let next = pull(); !next.done && !stopped; next = pull()) {
      fill();
      try {
        await fn(next.value);
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    stopped = true;
  }
}

/**
 * The job takes no more tasks: it ended (completed, being terminated or deleted, or gone) while
 * chunks were still being sent, by another hand or on a retry after a lost answer.
 */
const JOB_ENDED = new Set(["JobCompleted", "JobBeingTerminated", "JobBeingDeleted", "JobNotActive", "JobNotFound"]);
function jobEnded(error: unknown): error is BatchServiceError {
  return error instanceof BatchServiceError && JOB_ENDED.has(error.code);
}

/** After the client's own retries, an error that leaves a chunk's fate unknown: it may or may not have been committed. */
function outcomeUnknown(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  return error instanceof BatchServiceError && error.statusCode >= 500;
}

/**
 * Adds a stream of tasks: chunks are made as workers free up, so at most `concurrency` chunks
 * (plus the one being filled, and the rare task to send again) are held, whatever the stream's
 * length. The result lists ids only.
 */
// eslint-disable-next-line max-lines-per-function -- the sender's closures share one result and one listing of the job; each is named and documented
export async function addTaskCollection(
  client: BatchClient,
  jobId: string,
  tasks: Iterable<TaskAddParameter>,
  options: AddTasksOptions = {},
): Promise<AddTasksResult> {
  const result: AddTasksResult = { added: [], existing: [], failed: [] };
  const concurrency = Math.min(MAX_SUBMIT_CONCURRENCY, Math.max(1, Math.floor(options.concurrency ?? DEFAULT_SUBMIT_CONCURRENCY)));
  const path = `/jobs/${encodeURIComponent(jobId)}/addtaskcollection`;
  const taskPath = (id: string) => `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(id)}`;
  const known = options.total ?? (tasks as { length?: unknown }).length;
  let seen = 0;
  let done = 0;
  const finish = (n: number) => {
    done += n;
    options.onProgress?.(done, typeof known === "number" ? known : seen);
  };
  const counted = (function* () {
    for (const t of tasks) {
      seen++;
      yield t;
    }
  })();

  let sendAgain: TaskAddParameter[] = [];
  /** Chunks whose POST failed in a way that does not say whether it was committed. */
  let unknown: { chunk: TaskAddParameter[]; error: unknown }[] = [];
  /**
   * Once the job is found ended, nothing more is sent: the chunks not known to be in are read back
   * (a retried chunk may have gone in before the job ended), and what is not there is reported by id.
   */
  let ended: BatchServiceError | undefined;
  let unsent: TaskAddParameter[] = [];

  /**
   * The tasks there, by lower-cased id, as digests: one listing of the job (pages of 1,000), read
   * when the first `TaskExists` comes and again after chunks of unknown outcome, instead of a GET
   * per task. A rerun of N tasks costs N/1000 listings beside its N/100 adds.
   */
  let there: Promise<Map<string, string>> | undefined;
  const listThere = () =>
    (there ??= (async () => {
      const digests = new Map<string, string>();
      for await (const t of client.list<CloudTask>(`/jobs/${encodeURIComponent(jobId)}/tasks`, {
        query: { $select: COMPARED, maxresults: 1000 },
        signal: options.signal,
      })) {
        digests.set(t.id.toLowerCase(), taskDigest(t));
      }
      return digests;
    })());

  /**
   * `TaskExists` answers, kept as id and digest while the chunks go on (the listing is read
   * meanwhile, so that no worker waits for it), and compared once every chunk is answered.
   */
  let toCompare: [id: string, digest: string][] = [];

  /** `TaskExists`: success when the task there is the one we meant to add. */
  const compare = async (wanted: TaskAddParameter): Promise<void> => compareDigest(wanted.id, taskDigest(wanted));
  const compareDigest = async (id: string, wanted: string): Promise<void> => {
    let digest = (await listThere()).get(id.toLowerCase());
    if (digest === undefined) {
      // Added after the listing was read (another run at the same time): read that one task.
      digest = taskDigest(await client.json<CloudTask>("GET", taskPath(id), { query: { $select: COMPARED }, signal: options.signal }));
    }
    if (digest === wanted) result.existing.push(id);
    else {
      result.failed.push({
        taskId: id,
        code: "TaskExists",
        message: "a different task with this id is already in the job (its command line, container or environment differ); use a new job id or delete the job",
      });
    }
    finish(1);
  };

  const sendChunk = async ({ tasks: chunk, json }: TaskChunk): Promise<void> => {
    if (ended) {
      unsent.push(...chunk);
      return;
    }
    let results: TaskAddResult[];
    try {
      const body = await client.json<{ value?: TaskAddResult[] }>("POST", path, {
        body: chunkBody({ tasks: chunk, json }),
        // Safe to repeat: task ids are deterministic, and a repeat answers TaskExists per task.
        idempotent: true,
        signal: options.signal,
      });
      results = Array.isArray(body.value) ? body.value : [];
    } catch (error) {
      if (error instanceof BatchServiceError && error.code === "RequestBodyTooLarge" && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        await sendChunk({ tasks: chunk.slice(0, half), json: json.slice(0, half) });
        await sendChunk({ tasks: chunk.slice(half), json: json.slice(half) });
        return;
      }
      if (outcomeUnknown(error) && !options.signal?.aborted) {
        unknown.push({ chunk, error });
        return;
      }
      if (jobEnded(error)) {
        ended ??= error;
        unsent.push(...chunk);
        return;
      }
      throw error;
    }
    const byId = new Map(chunk.map((t) => [t.id, t]));
    const exists: TaskAddParameter[] = [];
    for (const r of results) {
      const task = byId.get(r.taskId);
      if (!task) continue;
      byId.delete(r.taskId);
      if (r.status === "success") {
        result.added.push(r.taskId);
        finish(1);
      } else if (r.status === "servererror") {
        sendAgain.push(task);
      } else if (r.error?.code === "TaskExists") {
        exists.push(task);
      } else {
        result.failed.push({ taskId: r.taskId, code: r.error?.code ?? "ClientError", message: describe(r) });
        finish(1);
      }
    }
    // A task the service did not answer for has to be sent again.
    sendAgain.push(...byId.values());
    if (exists.length > 0) {
      for (const t of exists) toCompare.push([t.id, taskDigest(t)]);
      // Read while the other chunks go on; a failure shows when the comparisons await it.
      listThere().catch(() => undefined);
    }
  };

  const compareAll = async (): Promise<void> => {
    const pending = toCompare;
    toCompare = [];
    for (const [id, digest] of pending) await compareDigest(id, digest);
  };

  /**
   * Reads back the tasks of chunks with an unknown outcome, with one fresh listing of the job: there,
   * they are compared; missing, they are sent again.
   */
  const reread = async (): Promise<void> => {
    const pending = unknown;
    unknown = [];
    there = undefined;
    let digests: Map<string, string>;
    try {
      digests = await listThere();
    } catch {
      there = undefined;
      // Neither the add nor the read gets through: the service is down; say so with the add's own error.
      throw pending[0]!.error;
    }
    for (const t of pending.flatMap((p) => p.chunk)) {
      if (!digests.has(t.id.toLowerCase())) sendAgain.push(t);
      else await compare(t);
    }
  };

  /**
   * The job ended: every task not known to be in is looked for in one fresh listing (of a job that
   * may be gone), compared when there, and otherwise reported as not added, with the job's state.
   */
  const settleEnded = async (error: BatchServiceError): Promise<void> => {
    const pending = [...unsent, ...sendAgain, ...unknown.flatMap((u) => u.chunk)];
    unsent = [];
    sendAgain = [];
    unknown = [];
    there = undefined;
    const digests = error.code === "JobNotFound" ? new Map<string, string>() : await listThere().catch(() => new Map<string, string>());
    for (const t of pending) {
      const digest = digests.get(t.id.toLowerCase());
      if (digest === taskDigest(t)) {
        result.existing.push(t.id);
      } else {
        result.failed.push({
          taskId: t.id,
          code: error.code,
          message:
            digest === undefined
              ? `not added: the job ${jobId} ended (${error.code}) before this task was in it`
              : "a different task with this id is already in the job (its command line, container or environment differ); use a new job id or delete the job",
        });
      }
      finish(1);
    }
  };

  const tooLarge = (t: TaskAddParameter) => {
    result.failed.push({
      taskId: t.id,
      code: "RequestBodyTooLarge",
      message: `the task alone is over ${MAX_REQUEST_BYTES} bytes serialized; shorten its command line, environment or file lists`,
    });
    finish(1);
  };
  await sendAll(taskChunks(counted, tooLarge), concurrency, concurrency, sendChunk);
  await compareAll();
  if (unknown.length > 0 && !ended) await reread();

  const rounds = options.serverErrorRetries ?? 5;
  for (let round = 0; sendAgain.length > 0 && !ended; round++) {
    const again = sendAgain;
    sendAgain = [];
    if (round >= rounds) {
      for (const t of again)
        result.failed.push({ taskId: t.id, code: "ServerError", message: `the service kept failing to add it after ${rounds} more attempts` });
      finish(again.length);
      break;
    }
    await sleep(Math.min(30_000, 500 * 2 ** round), options.signal);
    await sendAll(taskChunks(again, tooLarge), concurrency, 0, sendChunk);
    await compareAll();
    if (unknown.length > 0 && !ended) await reread();
  }
  if (ended) await settleEnded(ended);
  return result;
}

function describe(r: TaskAddResult): string {
  const msg = (r.error?.message?.value ?? "")
    .split("\n")
    .filter((l) => !/^(RequestId|Time):/.test(l))
    .join(" ")
    .trim();
  const values = (r.error?.values ?? []).map((v) => `${v.key}=${v.value}`).join(", ");
  return values ? `${msg} [${values}]` : msg;
}
