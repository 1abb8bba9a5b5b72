/**
 * Trigger payloads, as the Functions host delivers them, turned into one `BatchEvent`: what the
 * spec's templates see as `{{ event.* }}`, and the task id that makes the work happen once.
 *
 * The task id derives from the event, never from chance: a blob's is a readable prefix of its
 * name and a hash of its account, container, name and ETag (the same for the blob trigger and
 * the Event Grid event of one upload; a new version of the blob is new work); a queue message's is
 * its `id` field, or a hash of its body; a timer's is its scheduled time. A redelivered or
 * duplicated event therefore names a task that exists, and adds nothing.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { blobTaskId as taskIdOfBlob, MAX_BLOB_NAME, safeFileName } from "../batch/blobNames.js";

export { MAX_BLOB_NAME, MAX_FILE_NAME_BYTES, safeFileName } from "../batch/blobNames.js";

/** `<readable prefix of the name>-<hash of account, container, name, ETag>`: at most 57 characters of [A-Za-z0-9_-]. */
export const blobTaskId = (blob: InputBlob): string => taskIdOfBlob(blob);

/** An event that cannot be run: not retried, written to the dead-letter store with its reason. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export interface InputBlob {
  url: string;
  container: string;
  /** The blob's name, as it is (may hold any character). */
  name: string;
  /** A file name safe anywhere: the name's last segment with every other character than [A-Za-z0-9._-] as `_`. */
  fileName: string;
  etag?: string;
  size?: number;
  contentType?: string;
}

export interface BatchEvent {
  kind: "blob" | "eventGrid" | "queue" | "timer";
  /** The event's id: Event Grid's, the queue message's, a hash of the blob version, the schedule time. */
  id: string;
  /** When it happened (ISO 8601, UTC). */
  time: string;
  taskId: string;
  inputs: InputBlob[];
  /** `{{ vars.* }}` the event sets (a queue message's `vars`). */
  vars?: Record<string, string>;
  /** The rest of `{{ event.* }}`: dequeueCount, messageId, scheduleTime, isPastDue, type, subject ... */
  fields: Record<string, string | number | boolean>;
}

const hash = (text: string, length = 16) => createHash("sha256").update(text).digest("hex").slice(0, length);
const unquote = (etag: string | undefined) => etag?.replace(/^W\//, "").replace(/^"|"$/g, "");

// C0 and C1 control characters, DEL.
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const RAW_URL = /^(https?):\/\/([^/?#\\]+)(\/[^?#]*)?(\?[^#]*)?(#.*)?$/i;

/**
 * A blob's parts from its URL: path-style for Azurite and IP hosts (account in the path), else
 * account in the host. The name is taken as the URL gives it, decoded once and never resolved: a
 * `.` or `..` segment, a backslash, a control character or a name over 1,024 characters is refused
 * (a URL parser would resolve `uploads/../../x` into another container's blob).
 */
export function blobFromUrl(url: string, field: string): Omit<InputBlob, "etag" | "size" | "contentType"> {
  const shown = url.slice(0, 200).replace(/\?.*$/s, "");
  const raw = RAW_URL.exec(url.trim());
  if (!raw) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^https?:/i.test(url))
      throw new InvalidEventError(field, `must be an https blob URL, not ${url.slice(0, url.indexOf(":") + 1)}`);
    throw new InvalidEventError(field, `"${shown}" is not a blob URL (https://<account>.blob.core.windows.net/<container>/<blob>)`);
  }
  const [, scheme, host, rawPath = "", query = ""] = raw;
  let segments: string[];
  try {
    segments = rawPath
      .split("/")
      .slice(1)
      .map((s) => decodeURIComponent(s));
  } catch {
    throw new InvalidEventError(field, `"${shown}" has a malformed percent-encoding`);
  }
  let u: URL;
  try {
    u = new URL(`${scheme}://${host}/`);
  } catch {
    throw new InvalidEventError(field, `"${shown}" has no valid host`);
  }
  const pathStyle = /^(\d+\.\d+\.\d+\.\d+|localhost|\[[0-9a-f:]+\])$/i.test(u.hostname);
  const [container, ...name] = pathStyle ? segments.slice(1) : segments;
  if (!container || name.length === 0 || !name.join("/"))
    throw new InvalidEventError(field, `${shown} names no blob (https://<account>.blob.core.windows.net/<container>/<blob>)`);
  const full = name.join("/");
  if (name.some((s) => s === "." || s === "..") || [container, ...name].some((s) => s.includes("\\"))) {
    throw new InvalidEventError(
      field,
      `the blob name "${full.slice(0, 200)}" has a "." or ".." segment or a backslash; a blob name is taken as given, never resolved into another path`,
    );
  }
  if (CONTROL.test(full)) throw new InvalidEventError(field, "the blob name holds a control character");
  if (full.length > MAX_BLOB_NAME)
    throw new InvalidEventError(field, `the blob name is ${full.length} characters; Azure Storage names are at most ${MAX_BLOB_NAME}`);
  const base = `${u.origin}${rawPath}`;
  // A URL that carries its own SAS keeps it (the task downloads with it).
  return { url: query.length > 1 ? `${base}${query}` : base, container, name: full, fileName: safeFileName(name[name.length - 1]!) };
}

/** The blob trigger: `BlobTrigger` (container/name), `Uri`, `Properties` in its metadata. */
export function blobEvent(meta: Record<string, unknown> | undefined): BatchEvent {
  const uri = meta?.uri;
  if (typeof uri !== "string") throw new InvalidEventError("triggerMetadata.uri", "the blob trigger delivered no blob URI");
  const props = (meta?.properties ?? {}) as Record<string, unknown>;
  const input: InputBlob = {
    ...blobFromUrl(uri, "triggerMetadata.uri"),
    etag: versionOf(props),
    size: num(props.contentLength),
    contentType: str(props.contentType),
  };
  const time = iso(props.lastModified) ?? new Date().toISOString();
  const taskId = blobTaskId(input);
  return { kind: "blob", id: taskId, time, taskId, inputs: [input], fields: {} };
}

/**
 * What tells this version of the blob from another: its ETag when the host gives one as a string
 * (any other type is treated as missing), else its last-modified time or its content MD5, so that
 * a new version is still new work.
 */
function versionOf(props: Record<string, unknown>): string | undefined {
  const etag = str(props.eTag) ?? str(props.etag) ?? str(props.ETag);
  if (etag) return unquote(etag);
  const modified = iso(props.lastModified);
  if (modified) return `modified:${modified}`;
  const md5 = str(props.contentMD5) ?? str(props.contentMd5);
  return md5 ? `md5:${md5}` : undefined;
}

const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);
const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
const iso = (v: unknown) => {
  if (typeof v !== "string" && !(v instanceof Date)) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

export const BLOB_CREATED = "Microsoft.Storage.BlobCreated";

/**
 * An Event Grid event, in the Event Grid schema (`eventType`, `eventTime`) or the CloudEvents 1.0
 * schema (`type`, `time`, `specversion`). Undefined for an event of another type (a BlobDeleted
 * sent to the same subscription): nothing to run, not an error.
 */
export function eventGridEvent(event: unknown): BatchEvent | undefined {
  if (event === null || typeof event !== "object" || Array.isArray(event)) throw new InvalidEventError("event", "is not an Event Grid event (a JSON object)");
  const e = event as Record<string, unknown>;
  const cloud = typeof e.specversion === "string";
  const type = cloud ? e.type : e.eventType;
  if (typeof type !== "string") throw new InvalidEventError(cloud ? "event.type" : "event.eventType", "is missing");
  if (type !== BLOB_CREATED) return undefined;
  const id = e.id;
  if (typeof id !== "string" || !id) throw new InvalidEventError("event.id", "is missing");
  const data = e.data as Record<string, unknown> | undefined;
  if (!data || typeof data !== "object")
    throw new InvalidEventError("event.data", `is missing: a ${BLOB_CREATED} event carries the blob's url and eTag in data`);
  if (typeof data.url !== "string") throw new InvalidEventError("event.data.url", "is missing");
  const input: InputBlob = {
    ...blobFromUrl(data.url, "event.data.url"),
    etag: versionOf(data),
    size: num(data.contentLength),
    contentType: str(data.contentType),
  };
  const time = iso(cloud ? e.time : e.eventTime) ?? new Date().toISOString();
  return {
    kind: "eventGrid",
    id,
    time,
    taskId: blobTaskId(input),
    inputs: [input],
    fields: { type, subject: str(e.subject) ?? "", schema: cloud ? "CloudEvents" : "EventGrid" },
  };
}

/** A queue message's JSON body: published as schema/queue-message.schema.json. */
export const QueueMessage = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be 1 to 64 letters, digits, _ or - (it becomes the task id)" })
      .optional()
      .meta({ description: "The task id; default a hash of the message body" }),
    vars: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, { error: "variable names are letters, digits, _ and -" }),
        z.union([z.string().max(4096), z.number(), z.boolean()]),
      )
      .optional()
      .meta({ description: "Values for {{ vars.* }}; only variables the spec declares" }),
    inputs: z
      .array(z.url({ protocol: /^https?$/, error: "must be an http(s) blob URL" }))
      .max(100)
      .optional()
      .meta({ description: "Blob URLs, each a resource file of the task" }),
  })
  .meta({ title: "azure-batch-run queue message", description: "A message for the Function app's queue trigger; a plain-text message is one input URL" });

export function queueMessageJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(QueueMessage, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
}

/** The queue trigger: the body (a JSON object the programming model already parsed, or text) and its metadata. */
export function queueEvent(body: unknown, meta: Record<string, unknown> | undefined): BatchEvent {
  const messageId = str(meta?.id) ?? "";
  const dequeueCount = num(meta?.dequeueCount) ?? 1;
  const time = iso(meta?.insertionTime) ?? new Date().toISOString();
  const fields = { messageId, dequeueCount };
  if (typeof body === "string") {
    const text = body.trim();
    if (!text) throw new InvalidEventError("message", "is empty: send a blob URL, or a JSON object { id?, vars?, inputs? }");
    const input = blobFromUrl(text, "message");
    return { kind: "queue", id: messageId || hash(text), time, taskId: `msg-${hash(text, 32)}`, inputs: [input], fields };
  }
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw new InvalidEventError("message", "must be a JSON object { id?, vars?, inputs? } or a blob URL as plain text");
  // A key that would reach an object's prototype is refused, not silently dropped.
  for (const [where, obj] of [
    ["message", body],
    ["message.vars", (body as { vars?: unknown }).vars],
  ] as const) {
    if (obj === null || typeof obj !== "object") continue;
    const bad = Object.keys(obj).find((k) => k === "__proto__" || k === "constructor" || k === "prototype");
    if (bad) throw new InvalidEventError(`${where}.${bad}`, "is not a field or variable name a message may set");
  }
  const parsed = QueueMessage.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ["message", ...issue.path.map(String)].join(".");
    throw new InvalidEventError(path, issue.message);
  }
  const m = parsed.data;
  const inputs = (m.inputs ?? []).map((url, i) => blobFromUrl(url, `message.inputs.${i}`));
  const vars = m.vars ? Object.fromEntries(Object.entries(m.vars).map(([k, v]) => [k, String(v)])) : undefined;
  return { kind: "queue", id: messageId || m.id || hash(JSON.stringify(body)), time, taskId: m.id ?? `msg-${hash(canonical(body), 32)}`, inputs, vars, fields };
}

/** JSON with sorted keys: the same message with its fields in another order is the same work. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    .join(",")}}`;
}

/** The timer: its scheduled time (computed from the schedule), past-due flag. */
export function timerEvent(timer: unknown, scheduled: Date): BatchEvent {
  const t = (timer ?? {}) as { isPastDue?: boolean };
  const scheduleTime = scheduled.toISOString().replace(/\.\d{3}Z$/, "Z");
  const scheduleId = scheduleTime.replace(/[-:]/g, "");
  return {
    kind: "timer",
    id: scheduleId,
    time: scheduleTime,
    taskId: `run-${scheduleId}`,
    inputs: [],
    fields: { scheduleTime, scheduleId, isPastDue: t.isPastDue === true },
  };
}
