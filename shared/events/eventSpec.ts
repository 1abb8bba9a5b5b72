/**
 * A spec for events: `{{ event.* }}` filled from one `BatchEvent`, the same way for the Function
 * app and for `azure-batch-run plan --event` (so that an event spec can be planned and checked in
 * CI like any other). Event values come from whoever can upload a blob or send a message: the
 * values the spec uses are checked before they reach a template.
 */
import type { Workload } from "../workload/load.js";
import { loadSpecWithBlobs, type BlobListOptions } from "../run/listBlobs.js";
import type { ApiVersion } from "../batch/apiVersion.js";
import { blobEvent, eventGridEvent, InvalidEventError, queueEvent, timerEvent, type BatchEvent } from "./events.js";

/** Fields of `{{ event.* }}` that belong to one input (repeated per input when a message names several). */
export const INPUT_FIELDS = ["url", "sasUrl", "container", "name", "fileName", "etag", "size", "contentType"] as const;

/**
 * Characters that would let a value end a shell word or start a substitution. A spec may well put
 * event values in `/bin/sh -c '...'`: a value it uses that holds one of them is refused (the event
 * is dead-lettered), rather than trusted to the spec's quoting.
 */
const UNSAFE = /['"`$;|&<>(){}\\\n\r\t\0]/;
/** URLs are normalized (quotes and spaces percent-encoded); a SAS needs its `&`. */
const URL_UNSAFE = /['"`$;|<>(){}\\\n\r\t\0]/;

export interface EventLoadOptions {
  /** `{{ vars.* }}` besides the spec's own (the app's AZBR_VARS); an event's own vars come on top. */
  vars?: Record<string, string>;
  env?: Record<string, string | undefined>;
  envHint?: string;
  fileName?: string;
  /** The `event.sasUrl` of an input: a read SAS the app makes (a URL with its own SAS is kept). */
  sasFor?: (url: string) => Promise<string> | string;
  unsetSecrets?: "fail" | "placeholder";
  apiVersion?: ApiVersion;
  /** How `forEach: { blobs }` containers are read (the timer's fan-out over what a container holds); default: described, not listed. */
  blobs?: BlobListOptions;
}

/** A spec that takes events: its raw data, and which `event.*` fields and vars it uses. */
export class EventSpec {
  /** The `event.*` fields the spec's templates name. */
  readonly referenced: ReadonlySet<string>;
  /** The variables a message may set: the spec's `vars` and the caller's. */
  readonly declaredVars: ReadonlySet<string>;

  constructor(
    readonly raw: Record<string, unknown>,
    text: string,
    callerVars: Record<string, string> = {},
  ) {
    this.referenced = new Set([...text.matchAll(/\{\{\s*event\.([A-Za-z]+)/g)].map((m) => m[1]!));
    this.declaredVars = new Set([...Object.keys((raw.vars as Record<string, unknown>) ?? {}), ...Object.keys(callerVars)]);
  }

  /** Refuses an event whose values the spec cannot use safely: undeclared vars, characters that end a shell word. */
  check(event: BatchEvent): void {
    for (const name of Object.keys(event.vars ?? {})) {
      if (!this.declaredVars.has(name))
        throw new InvalidEventError(
          `message.vars.${name}`,
          `is not a variable the spec declares (it declares ${[...this.declaredVars].sort().join(", ") || "none"})`,
        );
    }
    for (const [name, value] of Object.entries(event.vars ?? {})) {
      if (UNSAFE.test(value))
        throw new InvalidEventError(
          `message.vars.${name}`,
          `holds ${JSON.stringify(value.match(UNSAFE)![0])}, which could break out of a command line; a message's values may not hold quotes, $, ;, |, &, <, >, parentheses, braces, backslashes or control characters`,
        );
    }
    const values: [string, unknown][] = [
      ...Object.entries(event.fields),
      ...event.inputs.flatMap((input, i) => Object.entries(input).map(([k, v]) => [event.inputs.length > 1 ? `inputs.${i}.${k}` : k, v] as [string, unknown])),
    ];
    for (const [field, value] of values) {
      const base = field.split(".").pop()!;
      // event.sasUrl is the input's own URL when that carries a SAS: checked as the URL.
      const used = this.referenced.has(base) || this.referenced.has(field.split(".")[0]!) || (base === "url" && this.referenced.has("sasUrl"));
      if (!used) continue;
      const unsafe = base === "url" || base === "sasUrl" ? URL_UNSAFE : UNSAFE;
      if (typeof value === "string" && unsafe.test(value)) {
        throw new InvalidEventError(
          `event.${field}`,
          `holds ${JSON.stringify(value.match(unsafe)![0])}, which could break out of a command line, and the spec uses event.${base}; rename the blob, or use event.fileName (always safe)`,
        );
      }
    }
  }

  /** The workload for one event: `event.*` filled, an input's SAS made where the spec uses `event.sasUrl`. */
  async load(event: BatchEvent, options: EventLoadOptions = {}): Promise<Workload> {
    const sasFor = this.referenced.has("sasUrl") ? options.sasFor : undefined;
    const inputs = await Promise.all(
      event.inputs.map(async (input) => ({ ...input, ...(sasFor ? { sasUrl: new URL(input.url).search ? input.url : await sasFor(input.url) } : {}) })),
    );
    const root = {
      kind: event.kind,
      id: event.id,
      time: event.time,
      day: event.time.slice(0, 10),
      taskId: event.taskId,
      ...event.fields,
      ...(inputs[0] ?? {}),
      inputs,
    };
    return loadSpecWithBlobs(
      inputs.length > 1 ? perInput(this.raw, inputs.length) : this.raw,
      {
        vars: { ...(options.vars ?? {}), ...event.vars },
        env: options.env,
        envHint: options.envHint,
        roots: { event: root },
        fileName: options.fileName,
        unsetSecrets: options.unsetSecrets,
        apiVersion: options.apiVersion,
      },
      options.blobs ?? { mode: "describe" },
    );
  }
}

/**
 * A message with several inputs: each resource entry that names an input field is repeated for
 * every input, `{{ event.url }}` becoming `{{ event.inputs.<i>.url }}` in copy i.
 */
function perInput(raw: Record<string, unknown>, count: number): Record<string, unknown> {
  const field = new RegExp(`\\{\\{\\s*event\\.(${INPUT_FIELDS.join("|")})\\b`, "g");
  const expand = (resources: unknown) =>
    Array.isArray(resources)
      ? resources.flatMap((r) => {
          const text = JSON.stringify(r);
          if (!field.test(text)) return [r];
          field.lastIndex = 0;
          return Array.from({ length: count }, (_, i) => JSON.parse(text.replace(field, (_m, f: string) => `{{ event.inputs.${i}.${f}`)) as unknown);
        })
      : resources;
  const tasks = raw.tasks as { defaults?: Record<string, unknown>; list?: Record<string, unknown>[] } | undefined;
  if (!tasks) return raw;
  return {
    ...raw,
    tasks: {
      ...tasks,
      ...(tasks.defaults ? { defaults: { ...tasks.defaults, resources: expand(tasks.defaults.resources) } } : {}),
      list: (tasks.list ?? []).map((t) => ({ ...t, ...(t.resources ? { resources: expand(t.resources) } : {}) })),
    },
  };
}

/**
 * A sample event, as a file for `plan --event` holds it, read the way the Function app reads a
 * delivery: an Event Grid or CloudEvents event (`eventType` or `specversion`); a blob trigger's
 * metadata (`{ "uri", "properties" }`); a queue delivery (`{ "message", "id"?, "dequeueCount"? }`);
 * or a timer firing (`{ "scheduleTime", "isPastDue"? }`).
 */
export function eventFromSample(sample: unknown): BatchEvent {
  if (sample === null || typeof sample !== "object" || Array.isArray(sample))
    throw new InvalidEventError("event", "a sample event is a JSON object: an Event Grid event, { uri, properties }, { message } or { scheduleTime }");
  const s = sample as Record<string, unknown>;
  if ("eventType" in s || "specversion" in s) {
    const event = eventGridEvent(s);
    if (!event) throw new InvalidEventError("event.type", "is not Microsoft.Storage.BlobCreated: the Function app ignores such an event");
    return event;
  }
  if ("uri" in s) return blobEvent(s);
  if ("message" in s) return queueEvent(s.message, s);
  if ("scheduleTime" in s) {
    const at = new Date(String(s.scheduleTime));
    if (Number.isNaN(at.getTime())) throw new InvalidEventError("scheduleTime", "is not a date and time");
    return timerEvent({ isPastDue: s.isPastDue === true }, at);
  }
  throw new InvalidEventError(
    "event",
    "is none of: an Event Grid event (eventType or specversion), a blob trigger's { uri, properties }, a queue's { message }, a timer's { scheduleTime }",
  );
}
