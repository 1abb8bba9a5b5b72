/**
 * What the commands read and make: a spec (or a Function app's spec for a sample event), an
 * identity map for the local service, a client for the account, the local service itself. Every
 * failure to read is a UsageError naming the flag or file.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import {
  createLocalBatchClient,
  armFromAuth,
  authFromEnvironment,
  BatchClient,
  eventFromSample,
  EventSpec,
  InvalidEventError,
  loadSpecTextWithBlobs,
  parseSpecText,
  resolveAccountUrl,
  UsageError,
  type ApiVersion,
  type BlobListOptions,
  type Redactor,
  type RequestHooks,
  type Workload,
} from "azure-batch-run";
import { closest, type CliIo } from "./common.js";

/** `validate` and `plan` need no secrets: an unset secret reference is shown as a placeholder. */
export async function loadWorkload(
  file: string | undefined,
  vars: Record<string, string>,
  env: CliIo["env"],
  unsetSecrets: "fail" | "placeholder" = "fail",
  apiVersion?: ApiVersion,
  blobs: BlobListOptions = { mode: unsetSecrets === "placeholder" ? "plan" : "run" },
): Promise<Workload> {
  if (!file) throw new UsageError("missing <spec>: the path of a YAML or JSON workload spec");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`cannot read spec ${file}: there is no such file (relative paths start at ${process.cwd()})`);
    if (code === "EISDIR") throw new UsageError(`cannot read spec ${file}: it is a folder; give the path of a YAML or JSON spec in it`);
    throw new UsageError(`cannot read spec ${file}: ${code ?? (error as Error).message}`);
  }
  const onUnusedVars = (unused: string[], used: string[]) => {
    const name = unused[0]!;
    const near = closest(name, used);
    throw new UsageError(
      `--var ${name}: no template of ${file} uses {{ vars.${name} }}${near ? `; did you mean --var ${near}=...?` : ""} (${used.length ? `it uses ${used.map((u) => `vars.${u}`).join(", ")}` : "it uses no vars"})`,
    );
  };
  return loadSpecTextWithBlobs(text, { vars, env, fileName: file, unsetSecrets, apiVersion, onUnusedVars }, blobs);
}

/**
 * A Function app's spec for a sample event (`--event FILE`), read as the app reads a delivery: the
 * same event parsing, the same checks of the values the spec uses; an input's SAS is a placeholder.
 */
export async function loadEventWorkload(
  file: string | undefined,
  eventFile: string,
  vars: Record<string, string>,
  env: CliIo["env"],
  apiVersion?: ApiVersion,
): Promise<Workload> {
  if (!file) throw new UsageError("missing <spec>: the path of a YAML or JSON workload spec");
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const text = await read(file, "spec");
  const raw = parseSpecText(text, file);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new UsageError(`${file}: the spec must be a mapping with pool, job and tasks`);
  let sample: unknown;
  try {
    sample = JSON.parse(await read(eventFile, "event"));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--event ${eventFile}: not JSON (${(error as Error).message})`);
  }
  try {
    const event = eventFromSample(sample);
    const spec = new EventSpec(raw as Record<string, unknown>, text);
    spec.check(event);
    return await spec.load(event, { vars, env, fileName: file, unsetSecrets: "placeholder", apiVersion, sasFor: (url) => `${url}?<redacted>` });
  } catch (error) {
    if (error instanceof InvalidEventError) throw new UsageError(`--event ${eventFile}: ${error.message}`);
    throw error;
  }
}

export async function clientFor(
  accountUrlFlag: string | undefined,
  fromSpec: string | undefined,
  env: CliIo["env"],
  hooks: RequestHooks,
  callTimeoutMs?: number,
  apiVersion?: ApiVersion,
): Promise<BatchClient> {
  const accountUrl = resolveAccountUrl(accountUrlFlag, fromSpec, env);
  if (!accountUrl) {
    throw new UsageError(
      "no Batch account: set account.url in the spec, pass --account-url, or set AZURE_BATCH_ACCOUNT_URL (https://<account>.<region>.batch.azure.com)",
    );
  }
  const auth = await authFromEnvironment(accountUrl, env);
  return new BatchClient({ accountUrl, auth, arm: armFromAuth(auth, env), hooks, callTimeoutMs, apiVersion });
}

/**
 * `--identity-map FILE`: for the local service, which registry login each managed identity gets
 * (`[{ identity, server, address?, username, passwordEnv }]`, YAML or JSON); passwords come from
 * the environment, never from the file.
 */
export async function readIdentityMap(file: string, env: CliIo["env"], redactor: Redactor): Promise<IdentityMap> {
  let entries: unknown;
  try {
    entries = parseYaml(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--identity-map ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const shapes = "{ identity, server, address, username, passwordEnv } (a registry login) or { identity, storageAccount, keyEnv } (a storage login)";
  if (!Array.isArray(entries)) throw new UsageError(`--identity-map ${file}: expected a list of ${shapes}`);
  const map: IdentityMap = { identityRegistries: [], identityStorage: [] };
  entries.forEach((e: Record<string, unknown>, i) => {
    const storage = typeof e?.storageAccount === "string";
    for (const field of storage ? ["identity", "storageAccount", "keyEnv"] : ["identity", "server", "username", "passwordEnv"]) {
      if (typeof e?.[field] !== "string") throw new UsageError(`--identity-map ${file}: [${i}].${field} is required (a string); each entry is ${shapes}`);
    }
    const secretEnv = (storage ? e.keyEnv : e.passwordEnv) as string;
    const secret = env[secretEnv];
    if (!secret) throw new UsageError(`--identity-map ${file}: [${i}].${storage ? "keyEnv" : "passwordEnv"} names ${secretEnv}, which is not set`);
    redactor.add(secret);
    if (storage) map.identityStorage.push({ identity: e.identity as string, storageAccount: e.storageAccount as string, key: secret });
    else
      map.identityRegistries.push({
        identity: e.identity as string,
        server: e.server as string,
        address: typeof e.address === "string" ? e.address : undefined,
        username: e.username as string,
        password: secret,
      });
  });
  return map;
}

/** What `--identity-map` gives the local service: registry logins and storage logins of managed identities. */
export interface IdentityMap {
  identityRegistries: { identity: string; server: string; address?: string; username: string; password: string }[];
  identityStorage: { identity: string; storageAccount: string; key: string }[];
}

const QUOTA_FIELDS = ["dedicatedCores", "dedicatedCoresPerFamily", "defaultFamilyCores", "lowPriorityCores", "pools", "activeJobsAndSchedules"];

/** `--quotas FILE`: the local account's quotas (YAML or JSON), each a whole number; families by name. */
export async function readQuotas(file: string): Promise<LocalQuotas> {
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--quotas ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new UsageError(`--quotas ${file}: expected a mapping of ${QUOTA_FIELDS.join(", ")}`);
  const whole = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1_000_000;
  const quotas: LocalQuotas = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!QUOTA_FIELDS.includes(key)) throw new UsageError(`--quotas ${file}: ${key} is not a quota; expected ${QUOTA_FIELDS.join(", ")}`);
    if (key === "dedicatedCoresPerFamily") {
      if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.values(value).every(whole))
        throw new UsageError(`--quotas ${file}: dedicatedCoresPerFamily maps VM families to whole numbers (standardDSv3Family: 100)`);
      quotas.dedicatedCoresPerFamily = value as Record<string, number>;
    } else {
      if (!whole(value)) throw new UsageError(`--quotas ${file}: ${key} must be a whole number from 0 to 1000000`);
      (quotas as Record<string, unknown>)[key] = value;
    }
  }
  return quotas;
}

/** The local account's quotas, as `--quotas` gives them. */
export interface LocalQuotas {
  dedicatedCores?: number;
  dedicatedCoresPerFamily?: Record<string, number>;
  defaultFamilyCores?: number;
  lowPriorityCores?: number;
  pools?: number;
  activeJobsAndSchedules?: number;
}

/** A client for the local account, and what to close after: the running service, or one started on its folder for this command. */
export interface LocalClient {
  client: BatchClient;
  url: string;
  /** What runs the tasks: containers, or host processes (no Docker engine). */
  executor?: "docker" | "process";
  /** The account's folder (its state and task files are under `data/`). */
  dir: string;
  close(): Promise<void>;
}

/**
 * `--local`: the local account of `--local-dir` (or AZBR_LOCAL_DIR, or `.azure-batch-run/local`):
 * the service `azure-batch-run local` serves, when it runs; otherwise one started here on the same
 * folder, whose state stays when it stops.
 */
export async function openLocal(
  values: { "local-dir"?: string; executor?: string; quotas?: string },
  env: CliIo["env"],
  reporter: { info(m: string): void; warn(m: string): void },
  options: { identityMap?: IdentityMap; hooks?: RequestHooks; callTimeoutMs?: number; quotas?: LocalQuotas } = {},
): Promise<LocalClient> {
  const { openHome, runningServiceInfo, serveHome, DEFAULT_LOCAL_DIR } = await import("../local-batch/home.js");
  const { ExecutorUnavailableError } = await import("../local-batch/start.js");
  const home = await openHome(values["local-dir"] ?? env.AZBR_LOCAL_DIR ?? DEFAULT_LOCAL_DIR);
  const info = await runningServiceInfo(home);
  const running = info?.url;
  const clientOf = (url: string) =>
    createLocalBatchClient(
      { accountUrl: url, accountName: home.accountName, accountKey: home.accountKey, armEndpoint: `${url}/arm` },
      { hooks: options.hooks, callTimeoutMs: options.callTimeoutMs },
    );
  if (running) {
    for (const [flag, given] of [
      ["--executor", values.executor],
      ["--quotas", values.quotas],
      ["--identity-map", options.identityMap],
    ] as const) {
      if (given)
        throw new UsageError(`${flag}: the local service at ${running} serves ${home.dir} already, with its own; give ${flag} to azure-batch-run local`);
    }
    reporter.info(`local Batch service on ${running} (${home.dir})`);
    const client = clientOf(running);
    return { client, url: running, executor: info?.executor, dir: home.dir, close: () => client.close() };
  }
  try {
    const local = await serveHome(home, {
      executor: (values.executor ?? "auto") as "auto" | "docker" | "process",
      account: options.quotas,
      ...options.identityMap,
      warn: (m) => reporter.warn(m),
    });
    reporter.info(`local Batch service on ${local.accountUrl} (executor: ${local.executor}; its state stays in ${home.dir})`);
    reporter.info(`console: ${local.service.consoleUrl()}`);
    const client = clientOf(local.accountUrl);
    return { client, url: local.accountUrl, executor: local.executor, dir: home.dir, close: async () => (await client.close(), await local.close()) };
  } catch (error) {
    if (error instanceof ExecutorUnavailableError) throw new UsageError(error.message);
    throw error;
  }
}

/** The local Batch service, loaded only for `--local`. */
export async function startLocal(
  executor: "auto" | "docker" | "process",
  reporter: { info(m: string): void; warn(m: string): void },
  identityMap?: IdentityMap,
  account?: LocalQuotas,
) {
  const { startLocalBatch, ExecutorUnavailableError } = await import("../local-batch/start.js");
  try {
    const local = await startLocalBatch({ executor, warn: (m) => reporter.warn(m), ...identityMap, account });
    reporter.info(`local Batch service on ${local.accountUrl} (executor: ${local.executor})`);
    return local;
  } catch (error) {
    if (error instanceof ExecutorUnavailableError) throw new UsageError(error.message);
    throw error;
  }
}
