/** The tail of a task's `stderr.txt` / `stdout.txt`, read with a byte range instead of the whole file. */
import { readInt64 } from "../batch/apiVersion.js";
import type { BatchClient } from "../client/batchClient.js";
import { isSecretEnv } from "../batch/redaction.js";
import type { Redactor } from "../redact.js";

/** One entry of a task's directory. */
export interface TaskFile {
  /** The path under the task's directory, e.g. `stdout.txt`, `wd/out/frame-1.png`. */
  name: string;
  isDirectory: boolean;
  /** Bytes (whichever way the api-version writes it: a number before 2025-06-01, a string from then on). */
  contentLength?: number;
  lastModified?: string;
}

/** The files of a task's directory (`recursive` for those under `wd/` too), with their sizes as numbers. */
export async function listTaskFiles(
  client: BatchClient,
  jobId: string,
  taskId: string,
  options: { recursive?: boolean; signal?: AbortSignal } = {},
): Promise<TaskFile[]> {
  const path = `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(taskId)}/files`;
  const files: TaskFile[] = [];
  type Item = { name?: string; isDirectory?: boolean; properties?: { contentLength?: unknown; lastModified?: string } };
  for await (const f of client.list<Item>(path, { query: { recursive: options.recursive ? "true" : undefined }, signal: options.signal })) {
    if (typeof f.name !== "string") continue;
    const contentLength = readInt64(f.properties?.contentLength);
    files.push({
      name: f.name,
      isDirectory: f.isDirectory === true,
      ...(contentLength !== undefined ? { contentLength } : {}),
      ...(f.properties?.lastModified ? { lastModified: f.properties.lastModified } : {}),
    });
  }
  return files;
}

export async function readTaskFileTail(
  client: BatchClient,
  jobId: string,
  taskId: string,
  file: string,
  maxBytes = 4096,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const path = `/jobs/${encodeURIComponent(jobId)}/tasks/${encodeURIComponent(taskId)}/files/${file.split("/").map(encodeURIComponent).join("/")}`;
  const head = await client.send("HEAD", path, { accept: [404], signal });
  if (head.status === 404) return undefined;
  const length = Number(head.headers["content-length"] ?? "0");
  if (length === 0) return "";
  const start = Math.max(0, length - maxBytes);
  const response = await client.send("GET", path, {
    headers: { "ocp-range": `bytes=${start}-${length - 1}`, accept: "application/octet-stream" },
    accept: [404],
    signal,
  });
  if (response.status === 404) return undefined;
  let text = response.bodyText;
  // Drop a partial first line when the range starts mid-file.
  if (start > 0) text = text.slice(text.indexOf("\n") + 1);
  return text;
}

/** The last `lines` lines, trimmed. */
export function lastLines(text: string, lines = 20): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * The one redactor for a task's output, wherever it is shown (`run`'s failure tails, `logs`, the
 * Action's log groups and summary): the client's secrets and the caller's (a run's workload), the
 * task's and its job's environment values that carry secrets — those named in `AZBR_SECRET_ENV` and
 * the job's redaction metadata, and those with secret-like names; every value for a job made
 * without that mark — and the SAS query strings of its resource and output files. Asks the service
 * for the task's and the job's settings.
 */
export async function taskOutputRedactor(
  client: BatchClient,
  jobId: string,
  taskId: string,
  options: { base?: Redactor; signal?: AbortSignal } = {},
): Promise<Redactor> {
  const jobPath = `/jobs/${encodeURIComponent(jobId)}`;
  type TaskSettings = {
    environmentSettings?: { name?: string; value?: string }[];
    resourceFiles?: { httpUrl?: string; storageContainerUrl?: string }[];
    outputFiles?: { destination?: { container?: { containerUrl?: string } } }[];
  };
  const [task, job] = await Promise.all([
    client.json<TaskSettings>("GET", `${jobPath}/tasks/${encodeURIComponent(taskId)}`, {
      query: { $select: "id,environmentSettings,resourceFiles,outputFiles" },
      signal: options.signal,
    }),
    client.json<{ commonEnvironmentSettings?: { name?: string; value?: string }[]; metadata?: { name?: string; value?: string }[] }>("GET", jobPath, {
      query: { $select: "id,commonEnvironmentSettings,metadata" },
      signal: options.signal,
    }),
  ]);
  // Redaction by source, for jobs this project made so: the names that carry secrets are listed; others show.
  const secret = isSecretEnv(task, job);
  const urls = [
    ...(task.resourceFiles ?? []).flatMap((r) => [r.httpUrl, r.storageContainerUrl]),
    ...(task.outputFiles ?? []).map((o) => o.destination?.container?.containerUrl),
  ];
  const queries = urls.flatMap((u) => (u && u.includes("?") ? [u.slice(u.indexOf("?") + 1)] : []));
  const values = [...(task.environmentSettings ?? []), ...(job.commonEnvironmentSettings ?? [])].filter(secret).map((e) => e.value);
  return (options.base ?? client.redactor).with([...values, ...queries]);
}

/**
 * A task's output file as a person may see it: the last `maxBytes`, redacted by `taskOutputRedactor`.
 * For `logs`, which has no spec at hand.
 */
export async function readTaskOutput(
  client: BatchClient,
  jobId: string,
  taskId: string,
  file: string,
  options: { maxBytes?: number; signal?: AbortSignal } = {},
): Promise<string | undefined> {
  const [redactor, text] = await Promise.all([
    taskOutputRedactor(client, jobId, taskId, { signal: options.signal }),
    readTaskFileTail(client, jobId, taskId, file, options.maxBytes ?? 1024 * 1024, options.signal),
  ]);
  if (text === undefined) return undefined;
  return redactor.text(text);
}
