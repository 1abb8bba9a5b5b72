/**
 * What one instance of the app holds across invocations: the settings, the spec (read, parsed and
 * checked once: a bad spec fails the first invocation with its field paths, and every later one
 * the same way), one Batch client (its connection pool and token cache) and the storage access.
 */
import {
  createBatchClient,
  entraOptions,
  EventSpec,
  INPUT_FIELDS,
  InvalidEventError,
  parseSpecText,
  SpecError,
  UsageError,
  type BatchClient,
  type BatchEvent,
  type BlobListOptions,
  type Workload,
} from "azure-batch-run";
import type { TokenCredential } from "@azure/identity";
import { accountOf, checkInput, type InputPolicy } from "./inputs.js";
import { allowedSettings, readSettings, type Settings } from "./settings.js";
import { createStorageAccess, type StorageAccess } from "./storage.js";

export interface Instance {
  settings: Settings;
  /**
   * Why an Event Grid event is none of this app's business (a container that is not an input
   * container, an output container, a name outside AZBR_INPUT_PREFIX/SUFFIX), or undefined: such
   * events are ignored, not dead-lettered, so that a subscription without a filter floods nothing.
   */
  ignores(event: BatchEvent): string | undefined;
  client: BatchClient;
  storage: StorageAccess;
  /** The spec for one event: templated with `event.*`, the inputs as resource files; InvalidEventError when the event cannot make a valid one. */
  workloadFor(event: BatchEvent): Promise<Workload>;
}

/** A synthetic event with every field, to check the spec once before any real event. */
const PROBE: BatchEvent = {
  kind: "blob",
  id: "probe",
  time: "2026-01-01T00:00:00.000Z",
  taskId: "probe-0000000000000000",
  inputs: [
    {
      url: "https://account.blob.core.windows.net/container/probe.txt",
      container: "container",
      name: "probe.txt",
      fileName: "probe.txt",
      etag: "0x0",
      size: 1,
      contentType: "text/plain",
    },
  ],
  vars: {},
  fields: {
    type: "Microsoft.Storage.BlobCreated",
    subject: "/blobServices/default/containers/container/blobs/probe.txt",
    schema: "EventGrid",
    messageId: "probe",
    dequeueCount: 1,
    scheduleTime: "2026-01-01T00:00:00Z",
    scheduleId: "20260101T000000Z",
    isPastDue: false,
  },
};

const isUrl = (text: string) => /^https?:\/\/\S+$/.test(text);

// eslint-disable-next-line max-lines-per-function -- the app's one instance, made in order: settings, spec, inputs, client; each step a call of its own
async function create(env: NodeJS.ProcessEnv): Promise<Instance> {
  const settings = readSettings(env);
  // One Entra credential per client id (the app's identity, a connection's own), made on first use: one token cache.
  const credentials = new Map<string, Promise<TokenCredential>>();
  const identity = (clientId = env.AZURE_CLIENT_ID) => {
    const key = clientId ?? "";
    if (!credentials.has(key)) {
      credentials.set(
        key,
        import("@azure/identity").then(
          ({ DefaultAzureCredential }) => new DefaultAzureCredential({ ...entraOptions(env), ...(clientId ? { managedIdentityClientId: clientId } : {}) }),
        ),
      );
    }
    return credentials.get(key)!;
  };
  const storage = createStorageAccess(env, identity);
  // The app's identity for listing a container without a SAS; @azure/identity is loaded only then.
  const storageReader: TokenCredential = { getToken: async (scopes, options) => (await identity()).getToken(scopes, options) };
  const fileName = isUrl(settings.spec) ? new URL(settings.spec).pathname.split("/").pop() || "the spec blob" : "AZBR_SPEC";
  const text = isUrl(settings.spec) ? await storage.readText(settings.spec) : settings.spec;
  const raw = parseSpecText(text, fileName) as Record<string, unknown>;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new UsageError(`${fileName}: the spec must be a mapping with pool, job and tasks`);
  const eventSpec = new EventSpec(raw, text, settings.vars);
  checkTriggersFit(settings, eventSpec.referenced, fileName);
  const load = (event: BatchEvent, sasFor?: (url: string) => Promise<string>, blobs?: BlobListOptions): Promise<Workload> =>
    eventSpec.load(event, {
      vars: settings.vars,
      env: allowedSettings(settings, env),
      envHint: "name it in the AZBR_SETTINGS_ALLOW app setting",
      fileName,
      sasFor,
      blobs,
    });

  // The spec, checked once: shape, rules, limits, and that every task id derives from the event.
  let probe: Workload;
  try {
    probe = await load(PROBE, async (url) => `${url}?sv=2025-01-01&sig=probe`);
  } catch (error) {
    if (error instanceof SpecError) throw new SpecError(error.issues.map((i) => ({ ...i, message: `${i.message} (in ${fileName})` })));
    throw error;
  }
  const policy = await inputPolicy(settings, storage, probe, isUrl(settings.spec) ? settings.spec : undefined);
  const tasks = ((raw.tasks as { list?: { id?: unknown }[] } | undefined)?.list ?? []) as { id?: unknown }[];
  tasks.forEach((t, i) => {
    // A blob of a listed container makes its own id from its name and ETag ({{ item.taskId }}), as an event's blob does.
    const perBlob = (t as { forEach?: { blobs?: unknown } }).forEach?.blobs !== undefined && /\{\{\s*item\.taskId\s*\}\}/.test(String(t.id));
    if (typeof t.id === "string" && !/\{\{\s*event\./.test(t.id) && !perBlob) {
      throw new SpecError([
        {
          path: `tasks.list[${i}].id`,
          message: `"${t.id}" does not derive from the event; use {{ event.taskId }} (or {{ item.taskId }} with forEach: { blobs }) (in ${fileName}), so that a redelivered event finds its task instead of adding another`,
        },
      ]);
    }
  });
  if ((raw.job as { schedule?: unknown } | undefined)?.schedule !== undefined) {
    throw new SpecError([
      {
        path: "job.schedule",
        message: `the Function app adds tasks to a job per event; a job schedule creates its own jobs (remove job.schedule, use the timer trigger) (in ${fileName})`,
      },
    ]);
  }

  const credential: TokenCredential | { accountKey: string; accountName?: string } = settings.accountKey
    ? { accountKey: settings.accountKey, accountName: settings.accountName }
    : await identity();
  const budgetMs = settings.callBudgetSeconds * 1000;
  const client = createBatchClient({
    accountUrl: settings.accountUrl,
    credential,
    userAgentPrefix: "azure-batch-run-functions",
    callTimeoutMs: budgetMs,
    retry: { maxRetryTimeMs: budgetMs, maxThrottleTimeMs: budgetMs },
  });

  return {
    settings,
    client,
    storage,
    ignores(event) {
      for (const input of event.inputs) {
        const container = input.container.toLowerCase();
        if (!policy.containers.has(container) || policy.forbidden.has(container))
          return `container ${input.container} is not an input container (AZBR_INPUT_CONTAINERS: ${[...policy.containers].join(", ") || "none"})`;
        if (settings.inputPrefix && !input.name.startsWith(settings.inputPrefix)) return `blob ${input.name.slice(0, 100)} is not under AZBR_INPUT_PREFIX`;
        if (settings.inputSuffix && !input.name.endsWith(settings.inputSuffix)) return `blob ${input.name.slice(0, 100)} does not end with AZBR_INPUT_SUFFIX`;
      }
      return undefined;
    },
    async workloadFor(event) {
      eventSpec.check(event);
      // Only allowed blobs reach a task, or get a SAS signed by the app.
      event.inputs.forEach((input, i) => checkInput(input, event.inputs.length > 1 ? `event.inputs.${i}.url` : "event.url", policy));
      try {
        // The timer lists the containers of forEach: { blobs } entries (with their SAS, or the app's identity): a task per blob there.
        return await load(event, (url) => storage.sasUrl(url, settings.sasHours), { mode: "run", credential: storageReader });
      } catch (error) {
        if (error instanceof SpecError) throw new InvalidEventError(error.issues[0]?.path ?? "spec", `this event makes the spec invalid: ${error.message}`);
        throw error;
      }
    },
  };
}

/** Fields of `{{ event.* }}` only an event with an input has, and those only the timer has. */
const INPUT_ONLY = new Set([...INPUT_FIELDS, "inputs"]);
const TIMER_ONLY = new Set(["scheduleTime", "scheduleId", "isPastDue"]);

/**
 * The triggers the settings register must fit the spec: the timer delivers no input, so a spec that
 * uses `event.fileName` cannot serve it, and the blob, Event Grid and queue triggers have no
 * schedule time. A mismatch fails at start with what to change, not as a dead letter per firing.
 */
function checkTriggersFit(settings: Settings, referenced: ReadonlySet<string>, fileName: string): void {
  const inputs = [...referenced].filter((f) => INPUT_ONLY.has(f));
  if (settings.schedule && inputs.length > 0) {
    throw new UsageError(
      `AZBR_SCHEDULE: the timer delivers no input file, but ${fileName} uses event.${inputs[0]}; run the timer from an app whose spec has no event inputs, or remove AZBR_SCHEDULE`,
    );
  }
  const timer = [...referenced].filter((f) => TIMER_ONLY.has(f));
  const eventTriggers = [settings.blobPath && "AZBR_BLOB_PATH", settings.queue && "AZBR_QUEUE"].filter(Boolean);
  if (timer.length > 0 && eventTriggers.length > 0) {
    throw new UsageError(
      `${eventTriggers[0]}: ${fileName} uses event.${timer[0]}, which only the timer has; give the blob and queue triggers an app of their own, or remove ${eventTriggers.join(" and ")}`,
    );
  }
}

/** The container of a blob or container URL (path-style for Azurite and IP hosts). */
function containerOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    const segments = u.pathname.split("/").filter(Boolean);
    return (/^(\d+\.\d+\.\d+\.\d+|localhost|\[[0-9a-f:]+\])$/i.test(u.hostname) ? segments[1] : segments[0])?.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Where inputs may come from: the app's storage account and the accounts the settings name; the
 * input containers the settings name; never the spec's, the dead-letter store's or the containers
 * the spec writes outputs to.
 */
async function inputPolicy(settings: Settings, storage: StorageAccess, probe: Workload, specUrl: string | undefined): Promise<InputPolicy> {
  const accounts = new Set([await storage.account(), ...settings.inputAccounts.map((a) => (/^https?:/.test(a) ? accountOf(a) : `${a}.blob.core.windows.net`))]);
  const forbidden = new Map<string, string>();
  if (settings.deadLetterContainer) forbidden.set(settings.deadLetterContainer.toLowerCase(), "the dead-letter container");
  const specContainer = specUrl && containerOf(specUrl);
  if (specContainer) forbidden.set(specContainer, "the container of the app's spec");
  const outputs = [...probe.tasks].flatMap((t) => t.outputs ?? []).concat(probe.job.manager?.outputs ?? []);
  for (const o of outputs) {
    const c = containerOf(o.container);
    if (c) forbidden.set(c, "a container the spec writes outputs to (an output would start a task whose output starts another)");
  }
  for (const c of settings.inputContainers) {
    const why = forbidden.get(c);
    if (why) throw new UsageError(`AZBR_INPUT_CONTAINERS: ${c} is ${why}; it can never be an input`);
  }
  return { accounts, containers: new Set(settings.inputContainers), forbidden };
}

let current: Promise<Instance> | undefined;
let failure: Error | undefined;

/**
 * This instance's state, made on first use. A bad spec or setting is kept and thrown again on
 * every invocation (loudly, the same way); any other failure (the spec blob unreachable) is tried
 * again by the next invocation.
 */
export function instance(env: NodeJS.ProcessEnv = process.env): Promise<Instance> {
  if (failure) return Promise.reject(failure);
  current ??= create(env).catch((error: unknown) => {
    current = undefined;
    if (error instanceof SpecError || error instanceof UsageError) failure = error;
    throw error;
  });
  return current;
}
