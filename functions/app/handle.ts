/**
 * The one submit path every trigger takes: the instance (spec, client), the event, the spec for
 * it, then the core's `submitTasks`. What happens to a failure depends on whose it is:
 * - the event's (a bad message, a blob name the spec cannot use, a task over the service's
 *   limits): logged with its field and reason, written to the dead-letter store, not retried;
 * - the service's (throttling, 5xx, a network failure): retried within the invocation by the
 *   core's policy, then thrown, so that the host retries and finally moves a message to its
 *   poison queue;
 * - the app's (a bad spec or setting): thrown on every invocation, the same way.
 */
import type { InvocationContext } from "@azure/functions";
import { silentReporter, submitTasks, type ProgressReporter, type SubmitResult } from "azure-batch-run";
import { InvalidEventError, type BatchEvent } from "azure-batch-run";
import { payloadText, safeReason, summarizePayload } from "./deadLetter.js";
import { instance, type Instance } from "./instance.js";

/** No SAS in a log line or an error: the query string of every URL goes. */
export const redactUrls = (text: string) => text.replace(/(https?:\/\/[^\s?"'#]+)\?[^\s"'#]*/g, "$1?<redacted>");

export interface Handled {
  result?: SubmitResult;
  deadLettered?: string;
  ignored?: string;
}

/**
 * What a trigger delivered: its content (a message body, an event, a blob's URI) and the delivery's
 * metadata (ids, dequeue count, times). A dead-letter record keeps the metadata, bounded, and of
 * the content only its size, hash and a redacted excerpt.
 */
export interface Delivery {
  content: unknown;
  metadata?: Record<string, unknown>;
}

/** Runs one event. `read` turns the trigger's payload into the event (or undefined: not for us). */
export async function handle(kind: BatchEvent["kind"], read: () => BatchEvent | undefined, payload: Delivery, context: InvocationContext): Promise<Handled> {
  const app = await instance();
  let event: BatchEvent | undefined;
  try {
    event = read();
    if (!event) {
      context.info(`ignored: ${kind} event that starts no task (${describe(payload)})`);
      return { ignored: describe(payload) };
    }
    const elsewhere = kind === "eventGrid" ? app.ignores(event) : undefined;
    if (elsewhere) {
      context.info(`ignored: ${kind} event ${safeReason(event.id)}: ${safeReason(elsewhere)}`);
      return { ignored: elsewhere };
    }
    const workload = await app.workloadFor(event);
    return { result: await submit(app, event, workload, context) };
  } catch (error) {
    if (error instanceof InvalidEventError) return { deadLettered: await deadLetter(app, kind, event, payload, error, context) };
    // A message on its last delivery is about to go to the poison queue, which keeps no reason:
    // the dead-letter store gets one first. The error still goes to the host.
    const dequeueCount = Number(event?.fields.dequeueCount ?? 0);
    if (kind === "queue" && dequeueCount >= app.settings.maxDequeueCount && app.settings.deadLetterContainer) {
      const reason = `failed on its last delivery (${dequeueCount} of ${app.settings.maxDequeueCount}); the host moves it to the poison queue: ${(error as Error)?.message ?? String(error)}`;
      await deadLetter(app, kind, event, payload, new InvalidEventError("delivery", reason), context).catch((e: unknown) =>
        context.error(`could not write the dead-letter record: ${safeReason(String((e as Error)?.message ?? e))}`),
      );
    }
    throw error;
  }
}

async function submit(
  app: Instance,
  event: BatchEvent,
  workload: Awaited<ReturnType<Instance["workloadFor"]>>,
  context: InvocationContext,
): Promise<SubmitResult> {
  const requestIds: string[] = [];
  const client = app.client.withHooks({
    log: (line) => {
      const id = /request-id ([^)\s]+)/.exec(line)?.[1];
      if (id) requestIds.push(id);
      context.debug(line);
    },
  });
  // Each kind of retry said once (a throttling storm is thousands of them), the count at the end.
  const retries = { throttled: 0, failed: 0 };
  const reporter: ProgressReporter = {
    ...silentReporter,
    info: (message) => context.info(`event=${event.id} ${message}`),
    warn: (message) => context.warn(`event=${event.id} ${message}`),
    retrying: (message, info) => {
      if (retries[info.throttled ? "throttled" : "failed"]++ === 0) context.warn(`event=${event.id} ${redactUrls(message)}`);
    },
  };
  const said = () =>
    retries.throttled + retries.failed > 0 && context.warn(`event=${event.id} retried ${retries.failed} failed and ${retries.throttled} throttled Batch calls`);
  let result: SubmitResult;
  try {
    result = await submitTasks(client, workload, undefined, { ifJobEnded: app.settings.ifJobEnded, reporter });
  } finally {
    said();
  }
  const requestId = requestIds[requestIds.length - 1] ?? "";
  for (const task of result.tasks) {
    const line = `event=${event.id} kind=${event.kind} job=${result.jobId} task=${task.id} status=${task.status}${task.code ? ` code=${task.code}` : ""} request-id=${requestId}`;
    if (task.status === "failed") context.error(`${line} reason=${JSON.stringify(redactUrls(task.reason ?? ""))}`);
    else context.info(line);
  }
  const failed = result.tasks.filter((t) => t.status === "failed");
  if (failed.length > 0) {
    // A task of the same id with other content (TaskExists), or one the service refused: not this
    // event's to settle; the host retries, and a message ends in the poison queue.
    throw new Error(
      `event ${event.id}: ${failed.length} task${failed.length === 1 ? "" : "s"} of job ${result.jobId} not added: ${failed.map((t) => `${t.id} (${t.code ?? "failed"})`).join(", ")}`,
    );
  }
  return result;
}

function describe(payload: Delivery): string {
  const type = payload.metadata?.type;
  return type ? safeReason(`type ${String(type)}, id ${String(payload.metadata?.id ?? "")}`) : "no event";
}

/** The delivery's metadata as a record keeps it: plain values, each bounded and redacted. */
function metadataOf(payload: Delivery): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(payload.metadata ?? {})) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === "number" || typeof v === "boolean" ? v : safeReason(typeof v === "string" ? v : payloadText(v));
  }
  return out;
}

const safeName = (text: string) => text.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 120);

async function deadLetter(
  app: Instance,
  kind: BatchEvent["kind"],
  event: BatchEvent | undefined,
  payload: Delivery,
  error: InvalidEventError,
  context: InvocationContext,
): Promise<string> {
  const reason = safeReason(error.message);
  const id = event?.id ?? context.invocationId;
  context.error(`event=${safeName(id)} kind=${kind} invalid field=${safeReason(error.field)} reason=${JSON.stringify(reason)}: not retried`);
  const container = app.settings.deadLetterContainer;
  if (!container) {
    // Nowhere to keep it: fail the invocation, so that the host keeps the message (its poison queue) rather than lose it.
    throw new Error(`invalid ${kind} event ${safeName(id)}: ${reason} (set AZBR_DEAD_LETTER_CONTAINER to keep such events without retrying them)`);
  }
  const now = new Date().toISOString();
  const name = `${kind}/${now.slice(0, 10)}/${safeName(id)}-${context.invocationId}.json`;
  const record = {
    reason,
    field: safeReason(error.field),
    kind,
    function: context.functionName,
    invocationId: context.invocationId,
    time: now,
    ...(event
      ? {
          event: {
            id: safeName(event.id),
            time: event.time,
            taskId: event.taskId,
            ...(event.fields.dequeueCount !== undefined ? { dequeueCount: event.fields.dequeueCount } : {}),
          },
        }
      : {}),
    delivery: metadataOf(payload),
    // Never the payload itself: its size, its hash, and a short redacted excerpt.
    payload: summarizePayload(payload.content),
  };
  const url = await app.storage.writeJson(container, name, record);
  context.warn(`event=${safeName(id)} dead-lettered to ${redactUrls(url)}`);
  return url;
}
