/**
 * The app's settings, read once per instance from the app settings (environment). Names, never
 * secrets, go in code: the storage connection is a setting *name* (`AZBR_STORAGE`), resolved the
 * way the Functions host resolves a connection (a connection string, or identity-based
 * `AZBR_STORAGE__blobServiceUri` / `__accountName` with the app's managed identity).
 */
import { UsageError } from "azure-batch-run";

/** The connection setting the triggers, the spec blob, the SAS and the dead-letter store use. */
export const STORAGE_CONNECTION = "AZBR_STORAGE";

export interface Settings {
  /** AZBR_SPEC: the workload spec inline (YAML or JSON), or the https URL of a blob holding it. */
  spec: string;
  /** AZBR_BATCH_ACCOUNT_URL. */
  accountUrl: string;
  /** AZBR_BATCH_ACCOUNT_KEY: Shared Key (local development); without it, the app's managed identity (Entra ID). */
  accountKey?: string;
  /** AZBR_BATCH_ACCOUNT_NAME, with the key: default the account URL's first label. */
  accountName?: string;
  /** AZBR_VARS: `{{ vars.* }}`, a JSON object or `key=value` lines. */
  vars: Record<string, string>;
  /** AZBR_SETTINGS_ALLOW: the app settings `{{ env.* }}` may read, comma-separated; no other. */
  allow: string[];
  /** AZBR_DEAD_LETTER_CONTAINER: where an invalid event is written, with its reason. */
  deadLetterContainer?: string;
  /** AZBR_IF_JOB_ENDED: `fail` (default) or `newJob` (the tasks go to `<job id>-2`, ...). */
  ifJobEnded: "fail" | "newJob";
  /** AZBR_SAS_HOURS: how long a user-delegation (or service) SAS for an input lasts; default 6. */
  sasHours: number;
  /**
   * AZBR_CALL_BUDGET_SECONDS: how long one Batch call may retry failures and wait out throttling
   * within an invocation (default 60), well inside the host's functionTimeout; past it the error
   * is thrown and the host retries the event.
   */
  callBudgetSeconds: number;
  /** AZBR_SCHEDULE: the timer's NCRONTAB expression (the host reads it too, as `%AZBR_SCHEDULE%`). */
  schedule?: string;
  /** AZBR_BLOB_PATH: the blob trigger's path, `<container>/{name}`. */
  blobPath?: string;
  /** AZBR_QUEUE: the queue trigger's queue. */
  queue?: string;
  /** AZBR_INPUT_PREFIX / AZBR_INPUT_SUFFIX: Event Grid events act only on blob names with them. */
  inputPrefix?: string;
  inputSuffix?: string;
  /** AZBR_INPUT_CONTAINERS: the containers inputs may come from (default: the blob trigger's). */
  inputContainers: string[];
  /** AZBR_MAX_DEQUEUE_COUNT: host.json's queues.maxDequeueCount (default 5): the delivery after which a message is poisoned. */
  maxDequeueCount: number;
  /** AZBR_INPUT_ACCOUNTS: storage accounts besides AZBR_STORAGE's that inputs may come from (names or blob endpoint URLs). */
  inputAccounts: string[];
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseVars(text: string | undefined): Record<string, string> {
  if (!text?.trim()) return {};
  if (text.trim().startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`AZBR_VARS: not valid JSON (${(error as Error).message}); give a JSON object of strings or key=value lines`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new UsageError("AZBR_VARS: must be a JSON object of strings");
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new UsageError(`AZBR_VARS: "${line.trim()}" is not key=value`);
    vars[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return vars;
}

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const spec = env.AZBR_SPEC?.trim();
  if (!spec) throw new UsageError("AZBR_SPEC: the app setting is missing; set it to the workload spec (YAML or JSON) or to the https URL of a blob holding it");
  const accountUrl = env.AZBR_BATCH_ACCOUNT_URL?.trim();
  if (!accountUrl)
    throw new UsageError("AZBR_BATCH_ACCOUNT_URL: the app setting is missing; set it to the Batch account URL (https://<account>.<region>.batch.azure.com)");
  const allow = (env.AZBR_SETTINGS_ALLOW ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = allow.find((s) => !SETTING_NAME.test(s));
  if (bad) throw new UsageError(`AZBR_SETTINGS_ALLOW: "${bad}" is not an app setting name`);
  const ifJobEnded = env.AZBR_IF_JOB_ENDED?.trim() || "fail";
  if (ifJobEnded !== "fail" && ifJobEnded !== "newJob") throw new UsageError(`AZBR_IF_JOB_ENDED: "${ifJobEnded}" is not fail or newJob`);
  const sasHours = env.AZBR_SAS_HOURS?.trim() ? Number(env.AZBR_SAS_HOURS) : 6;
  if (!Number.isFinite(sasHours) || sasHours <= 0 || sasHours > 24 * 7)
    throw new UsageError(`AZBR_SAS_HOURS: "${env.AZBR_SAS_HOURS}" is not a number of hours between 0 and 168 (a user delegation key lasts at most 7 days)`);
  const callBudgetSeconds = env.AZBR_CALL_BUDGET_SECONDS?.trim() ? Number(env.AZBR_CALL_BUDGET_SECONDS) : 60;
  if (!Number.isFinite(callBudgetSeconds) || callBudgetSeconds < 1 || callBudgetSeconds > 600)
    throw new UsageError(`AZBR_CALL_BUDGET_SECONDS: "${env.AZBR_CALL_BUDGET_SECONDS}" is not a number of seconds between 1 and 600`);
  const blobPath = env.AZBR_BLOB_PATH?.trim() || undefined;
  const list = (text: string | undefined) =>
    (text ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
  const blobContainer = blobPath && !blobPath.startsWith("%") ? blobPath.split("/")[0]!.toLowerCase() : undefined;
  const inputContainers = env.AZBR_INPUT_CONTAINERS?.trim()
    ? list(env.AZBR_INPUT_CONTAINERS).map((c) => c.toLowerCase())
    : blobContainer
      ? [blobContainer]
      : [];
  const badContainer = inputContainers.find((c) => !/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(c));
  if (badContainer)
    throw new UsageError(`AZBR_INPUT_CONTAINERS: "${badContainer}" is not a container name (3 to 63 lowercase letters, digits and single hyphens)`);
  const hostContainer = inputContainers.find((c) => c.startsWith("azure-webjobs-"));
  if (hostContainer) throw new UsageError(`AZBR_INPUT_CONTAINERS: ${hostContainer} is a container of the Functions host; it can never be an input`);
  const deadLetterContainer = env.AZBR_DEAD_LETTER_CONTAINER?.trim() || undefined;
  if (deadLetterContainer && inputContainers.includes(deadLetterContainer.toLowerCase()))
    throw new UsageError(`AZBR_INPUT_CONTAINERS: ${deadLetterContainer} is the dead-letter container; it can never be an input`);
  const inputAccounts = list(env.AZBR_INPUT_ACCOUNTS);
  const badAccount = inputAccounts.find((a) => !/^[a-z0-9]{3,24}$/.test(a) && !/^https?:\/\/\S+$/.test(a));
  if (badAccount) throw new UsageError(`AZBR_INPUT_ACCOUNTS: "${badAccount}" is neither a storage account name nor a blob endpoint URL`);
  const maxDequeueCount = env.AZBR_MAX_DEQUEUE_COUNT?.trim() ? Number(env.AZBR_MAX_DEQUEUE_COUNT) : 5;
  if (!Number.isInteger(maxDequeueCount) || maxDequeueCount < 1)
    throw new UsageError(`AZBR_MAX_DEQUEUE_COUNT: "${env.AZBR_MAX_DEQUEUE_COUNT}" is not a whole number of deliveries (host.json's queues.maxDequeueCount)`);
  return {
    spec,
    callBudgetSeconds,
    maxDequeueCount,
    blobPath,
    queue: env.AZBR_QUEUE?.trim() || undefined,
    inputPrefix: env.AZBR_INPUT_PREFIX?.trim() || undefined,
    inputSuffix: env.AZBR_INPUT_SUFFIX?.trim() || undefined,
    inputContainers,
    inputAccounts,
    accountUrl,
    accountKey: env.AZBR_BATCH_ACCOUNT_KEY?.trim() || undefined,
    accountName: env.AZBR_BATCH_ACCOUNT_NAME?.trim() || undefined,
    vars: parseVars(env.AZBR_VARS),
    allow,
    deadLetterContainer,
    ifJobEnded,
    sasHours,
    schedule: env.AZBR_SCHEDULE?.trim() || undefined,
  };
}

/** What `{{ env.* }}` sees: the allow-listed settings, nothing else. */
export function allowedSettings(settings: Settings, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(settings.allow.map((name) => [name, env[name]]));
}
