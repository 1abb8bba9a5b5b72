/**
 * The `azure-batch-run` command line. Progress goes to stderr, results to stdout.
 * Exit codes: 0 all tasks succeeded, 1 a task failed, 2 invalid spec or arguments,
 * 3 service or auth error, 130 cancelled.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { parseArgs, type ParseArgsConfig } from "node:util";
import {
  API_VERSIONS,
  armFromAuth,
  authFromEnvironment,
  isApiVersion,
  BatchClient,
  classifyError,
  createLocalBatchClient,
  DEFAULT_SUBMIT_CONCURRENCY,
  describeRetry,
  eventFromSample,
  EventSpec,
  InvalidEventError,
  parseSpecText,
  getJobStatus,
  lastLines,
  loadSpec,
  MAX_SUBMIT_CONCURRENCY,
  planCalls,
  readTaskOutput,
  Redactor,
  resolveAccountUrl,
  runWorkload,
  SpecError,
  UsageError,
  workloadJsonSchema,
  type ApiVersion,
  type CleanupPolicy,
  type ErrorCategory,
  type RequestHooks,
  type Workload,
} from "azure-batch-run";
import { createConsoleReporter, describeOutcome } from "./consoleReporter.js";

export const EXIT = { ok: 0, taskFailed: 1, invalid: 2, service: 3, cancelled: 130 } as const;

/** The CLI's exit code for each kind of ending the core classifies. */
const EXIT_FOR: Record<ErrorCategory, number> = {
  usage: EXIT.invalid,
  task: EXIT.taskFailed,
  service: EXIT.service,
  auth: EXIT.service,
  cancelled: EXIT.cancelled,
};

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM by the bin; tests abort it themselves. */
  signal?: AbortSignal;
}

const USAGE = `usage: azure-batch-run <command> [options]

commands:
  validate <spec> [--var k=v]...            check a spec; exit 2 with every problem if it is invalid
  plan <spec> [--var k=v]... [--format json|text] [--event FILE]
                                            the REST calls the spec produces (no credentials needed)
                                            --event: a Function app's spec, for a sample event (JSON)
  run <spec> [--var k=v]... [--account-url URL] [--wait|--no-wait] [--cleanup job|pool|none]
      [--poll-interval SECONDS] [--concurrency N] [--local [--executor auto|docker|process] [--identity-map FILE]]
                                            --concurrency: addtaskcollection requests at once (default ${DEFAULT_SUBMIT_CONCURRENCY}, 1-${MAX_SUBMIT_CONCURRENCY})
                                            --local: on the local Batch service, on this machine
                                            --identity-map: the registry logins of managed identities there
                                            create or reuse the pool, create the job, add the tasks, follow them
  status <job-id> [--account-url URL]       task counts of a job
  logs <job-id> <task-id> [--account-url URL] [--file stdout.txt|stderr.txt|wd/...]
                                            print a task's output files
  schema                                    print the spec's JSON Schema

  --debug                                   one line per HTTP call on stderr (secrets redacted)
  --timeout SECONDS                         the most one REST call may take, retries included (default 300)
  --api-version 2025-06-01|2024-07-01.20.0  the data plane's api-version (default: the spec's account.apiVersion, else 2025-06-01)

account: --account-url, the spec's account.url, or AZURE_BATCH_ACCOUNT_URL.
auth: AZURE_BATCH_ACCESS_KEY (+ AZURE_BATCH_ACCOUNT) for Shared Key; otherwise Microsoft Entra ID
(DefaultAzureCredential: service principal, workload identity, managed identity, Azure CLI).
exit codes: 0 success, 1 a task failed, 2 invalid spec or arguments, 3 service or auth error.`;

const OPTIONS = {
  var: { type: "string", multiple: true },
  "account-url": { type: "string" },
  format: { type: "string" },
  wait: { type: "boolean" },
  "no-wait": { type: "boolean" },
  cleanup: { type: "string" },
  "poll-interval": { type: "string" },
  concurrency: { type: "string" },
  local: { type: "boolean" },
  executor: { type: "string" },
  file: { type: "string" },
  debug: { type: "boolean" },
  timeout: { type: "string" },
  "api-version": { type: "string" },
  event: { type: "string" },
  "identity-map": { type: "string" },
  help: { type: "boolean", short: "h" },
} satisfies ParseArgsConfig["options"];

/** The options each command takes (besides --help): any other is a usage error, never ignored. */
const COMMAND_OPTIONS: Record<string, (keyof typeof OPTIONS)[]> = {
  validate: ["var", "api-version", "event"],
  plan: ["var", "format", "api-version", "event"],
  run: [
    "var",
    "account-url",
    "wait",
    "no-wait",
    "cleanup",
    "poll-interval",
    "concurrency",
    "local",
    "executor",
    "identity-map",
    "debug",
    "timeout",
    "api-version",
  ],
  status: ["account-url", "debug", "timeout", "api-version"],
  logs: ["account-url", "file", "debug", "timeout", "api-version"],
  schema: [],
};

function checkOptionsOf(command: string, values: Record<string, unknown>): void {
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) return;
  for (const key of Object.keys(values)) {
    if (key === "help" || values[key] === undefined || (allowed as string[]).includes(key)) continue;
    throw new UsageError(`--${key} does not apply to ${command}; ${command} takes ${allowed.length ? allowed.map((o) => `--${o}`).join(", ") : "no options"}`);
  }
}

/** The candidate nearest to a misspelt name (edit distance at most 2), if any. */
function closest(name: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return row[b.length]!;
  };
  return candidates
    .map((c) => [c, distance(name, c)] as const)
    .filter(([, d]) => d <= 2)
    .sort((x, y) => x[1] - y[1])[0]?.[0];
}

function parseVars(values: string[] | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new UsageError(`--var "${v}": expected name=value`);
    vars[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return vars;
}

/** `validate` and `plan` need no secrets: an unset secret reference is shown as a placeholder. */
async function loadWorkload(
  file: string | undefined,
  vars: Record<string, string>,
  env: CliIo["env"],
  unsetSecrets: "fail" | "placeholder" = "fail",
  apiVersion?: ApiVersion,
): Promise<Workload> {
  if (!file) throw new UsageError("missing <spec>: the path of a YAML or JSON workload spec");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read spec ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const onUnusedVars = (unused: string[], used: string[]) => {
    const name = unused[0]!;
    const near = closest(name, used);
    throw new UsageError(
      `--var ${name}: no template of ${file} uses {{ vars.${name} }}${near ? `; did you mean --var ${near}=...?` : ""} (${used.length ? `it uses ${used.map((u) => `vars.${u}`).join(", ")}` : "it uses no vars"})`,
    );
  };
  return loadSpec(text, { vars, env, fileName: file, unsetSecrets, apiVersion, onUnusedVars });
}

/**
 * A Function app's spec for a sample event (`--event FILE`), read as the app reads a delivery: the
 * same event parsing, the same checks of the values the spec uses; an input's SAS is a placeholder.
 */
async function loadEventWorkload(
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

async function clientFor(
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
async function readIdentityMap(file: string, env: CliIo["env"], redactor: Redactor) {
  let entries: unknown;
  try {
    entries = parseYaml(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--identity-map ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!Array.isArray(entries)) throw new UsageError(`--identity-map ${file}: expected a list of { identity, server, address, username, passwordEnv }`);
  return entries.map((e: Record<string, unknown>, i) => {
    for (const field of ["identity", "server", "username", "passwordEnv"]) {
      if (typeof e?.[field] !== "string") throw new UsageError(`--identity-map ${file}: [${i}].${field} is required (a string)`);
    }
    const password = env[e.passwordEnv as string];
    if (!password) throw new UsageError(`--identity-map ${file}: [${i}].passwordEnv names ${e.passwordEnv}, which is not set`);
    redactor.add(password);
    return {
      identity: e.identity as string,
      server: e.server as string,
      address: typeof e.address === "string" ? e.address : undefined,
      username: e.username as string,
      password,
    };
  });
}

/** The local Batch service, loaded only for `--local`. */
async function startLocal(
  executor: "auto" | "docker" | "process",
  reporter: { info(m: string): void; warn(m: string): void },
  identityRegistries?: Awaited<ReturnType<typeof readIdentityMap>>,
) {
  const { startLocalBatch, ExecutorUnavailableError } = await import("../local-batch/start.js");
  try {
    const local = await startLocalBatch({ executor, warn: (m) => reporter.warn(m), identityRegistries });
    reporter.info(`local Batch service on ${local.accountUrl} (executor: ${local.executor})`);
    return local;
  } catch (error) {
    if (error instanceof ExecutorUnavailableError) throw new UsageError(error.message);
    throw error;
  }
}

/** Writes and, when the stream asks for it, waits for it to drain (a long plan piped to a slow reader). */
async function writeDrained(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await new Promise<void>((resolve) => stream.once("drain", () => resolve()));
}

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith("\n") ? text : `${text}\n`);
}

// eslint-disable-next-line max-lines-per-function -- one switch over the commands, each case a few lines over the core's API
export async function main(argv: string[], io: CliIo): Promise<number> {
  const redactor = new Redactor([io.env.AZURE_BATCH_ACCESS_KEY ?? ""]);
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    const [command, ...args] = positionals;
    if (values.help || !command) {
      write(values.help ? io.stdout : io.stderr, USAGE);
      return values.help ? EXIT.ok : EXIT.invalid;
    }
    checkOptionsOf(command, values);
    const vars = parseVars(values.var);
    // Retries are always shown (a run shows them through its reporter); --debug adds one line per
    // HTTP attempt. Both come redacted from the client.
    const hooks: RequestHooks = {
      onRetry: (info) => write(io.stderr, describeRetry(info)),
      ...(values.debug ? { log: (line: string) => write(io.stderr, `debug: ${line}`) } : {}),
    };
    const timeout = values.timeout;
    if (timeout !== undefined && !(Number(timeout) > 0 && Number(timeout) <= 3600))
      throw new UsageError(`--timeout "${timeout}": expected seconds between 0 and 3600, e.g. 30`);
    const callTimeoutMs = timeout === undefined ? undefined : Number(timeout) * 1000;
    const apiVersion = values["api-version"];
    if (apiVersion !== undefined && !isApiVersion(apiVersion)) throw new UsageError(`--api-version "${apiVersion}": expected ${API_VERSIONS.join(" or ")}`);
    switch (command) {
      case "validate": {
        const w = values.event
          ? await loadEventWorkload(args[0], values.event, vars, io.env, apiVersion)
          : await loadWorkload(args[0], vars, io.env, "placeholder", apiVersion);
        for (const warning of w.warnings) write(io.stderr, `warning: ${warning.path}: ${warning.message}`);
        write(
          io.stdout,
          `valid: pool ${w.pool.id}, ${w.job.schedule ? "job schedule" : "job"} ${w.job.id}, ${w.tasks.length} task${w.tasks.length === 1 ? "" : "s"}`,
        );
        if (w.secretEnv.length > 0)
          write(io.stdout, `secrets run will need: ${w.secretEnv.map((s) => (s.set ? s.name : `${s.name} (not set here)`)).join(", ")}`);
        return EXIT.ok;
      }
      case "plan": {
        const w = values.event
          ? await loadEventWorkload(args[0], values.event, vars, io.env, apiVersion)
          : await loadWorkload(args[0], vars, io.env, "placeholder", apiVersion);
        for (const warning of w.warnings) write(io.stderr, `warning: ${warning.path}: ${warning.message}`);
        for (const s of w.secretEnv.filter((e) => !e.set)) write(io.stderr, `note: ${s.name} is not set: shown as <redacted>; run will need it`);
        w.secrets.forEach((s) => redactor.add(s));
        const format = values.format ?? "text";
        if (format !== "json" && format !== "text") throw new UsageError(`--format "${format}": expected json or text`);
        // One call at a time, as the plan makes them: the plan of 100,000 tasks is never held whole.
        let first = true;
        for (const { method, path, query, body, plane } of planCalls(w)) {
          if (format === "json") {
            const call = { method, path, query, body: redactor.value(body), ...(plane ? { plane } : {}) };
            // The same text as JSON.stringify(calls, null, 2), written call by call.
            await writeDrained(io.stdout, `${first ? "[\n" : ",\n"}${JSON.stringify(call, null, 2).replace(/^/gm, "  ")}`);
          } else {
            const n = (body as { value?: unknown[] }).value?.length;
            await writeDrained(io.stdout, `${method} ${path}${n !== undefined ? `  (${n} task${n === 1 ? "" : "s"})` : ""}\n`);
          }
          first = false;
        }
        if (format === "json") await writeDrained(io.stdout, first ? "[]\n" : "\n]\n");
        return EXIT.ok;
      }
      case "run": {
        const cleanup = values.cleanup;
        if (cleanup !== undefined && !["job", "pool", "none"].includes(cleanup)) throw new UsageError(`--cleanup "${cleanup}": expected job, pool or none`);
        if (values.wait && values["no-wait"]) throw new UsageError("--wait and --no-wait contradict each other");
        const poll = values["poll-interval"];
        if (poll !== undefined && !(Number(poll) > 0 && Number(poll) <= 600))
          throw new UsageError(`--poll-interval "${poll}": expected seconds between 0 and 600, e.g. 5 or 0.5`);
        const concurrencyText = values.concurrency;
        const concurrency = concurrencyText === undefined ? undefined : Number(concurrencyText);
        if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= MAX_SUBMIT_CONCURRENCY)) {
          throw new UsageError(
            `--concurrency "${concurrencyText}": expected a whole number from 1 to ${MAX_SUBMIT_CONCURRENCY} (default ${DEFAULT_SUBMIT_CONCURRENCY})`,
          );
        }
        const executor = values.executor ?? "auto";
        if (!["auto", "docker", "process"].includes(executor)) throw new UsageError(`--executor "${executor}": expected auto, docker or process`);
        if (values.executor && !values.local) throw new UsageError("--executor goes with --local");
        const w = await loadWorkload(args[0], vars, io.env, "fail", apiVersion);
        w.secrets.forEach((s) => redactor.add(s));
        const reporter = createConsoleReporter(io.stderr);
        if (values["identity-map"] && !values.local) throw new UsageError("--identity-map goes with --local");
        const identityRegistries = values["identity-map"] ? await readIdentityMap(values["identity-map"], io.env, redactor) : undefined;
        const local = values.local ? await startLocal(executor as "auto" | "docker" | "process", reporter, identityRegistries) : undefined;
        const client = local
          ? createLocalBatchClient(local, { hooks, callTimeoutMs })
          : await clientFor(values["account-url"], w.spec.account?.url, io.env, hooks, callTimeoutMs);
        if (local) redactor.add(local.accountKey);
        try {
          const result = await runWorkload(client, w, reporter, {
            wait: !values["no-wait"],
            cleanup: cleanup as CleanupPolicy | undefined,
            signal: io.signal,
            pollIntervalMs: poll === undefined ? undefined : Number(poll) * 1000,
            concurrency,
          });
          if (result.schedule) {
            write(io.stdout, `job schedule ${result.jobId} is in place on pool ${result.poolId}`);
            return EXIT.ok;
          }
          if (values["no-wait"]) {
            write(io.stdout, `submitted job ${result.jobId} on pool ${result.poolId}; follow it with: azure-batch-run status ${result.jobId}`);
          } else {
            write(io.stdout, `job ${result.jobId} on pool ${result.poolId}`);
            for (const o of [...result.outcomes].sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }))) write(io.stdout, describeOutcome(o));
            const failed = result.outcomes.filter((o) => o.result === "failure").length;
            write(
              io.stdout,
              `${result.outcomes.length - failed} succeeded, ${failed} failed${result.addFailures.length ? `, ${result.addFailures.length} not added` : ""}`,
            );
            if (result.jobEnded) write(io.stdout, `the job ended before all tasks completed: ${result.jobEnded}`);
            if (result.blocked?.length) write(io.stdout, `${result.blocked.length} blocked (a task they depend on failed): ${result.blocked.join(", ")}`);
          }
          return result.succeeded ? EXIT.ok : EXIT.taskFailed;
        } finally {
          await client.close();
          await local?.close();
        }
      }
      case "status": {
        const jobId = args[0];
        if (!jobId) throw new UsageError("missing <job-id>");
        const client = await clientFor(values["account-url"], undefined, io.env, hooks, callTimeoutMs, apiVersion);
        try {
          const status = await getJobStatus(client, jobId, { signal: io.signal });
          const c = status.counts;
          write(
            io.stdout,
            `job ${status.jobId} (${status.state}${status.terminateReason ? `: ${status.terminateReason}` : ""}) on pool ${status.poolId ?? "?"}`,
          );
          write(io.stdout, `active ${c.active}, running ${c.running}, completed ${c.completed} (succeeded ${c.succeeded}, failed ${c.failed})`);
          return c.failed > 0 ? EXIT.taskFailed : EXIT.ok;
        } finally {
          await client.close();
        }
      }
      case "logs": {
        const [jobId, taskId] = args;
        if (!jobId || !taskId) throw new UsageError("usage: logs <job-id> <task-id> [--file stdout.txt]");
        const client = await clientFor(values["account-url"], undefined, io.env, hooks, callTimeoutMs, apiVersion);
        try {
          const files = values.file ? [values.file] : ["stdout.txt", "stderr.txt"];
          for (const file of files) {
            const text = await readTaskOutput(client, jobId, taskId, file, { signal: io.signal });
            if (files.length > 1) write(io.stdout, `==> ${file} <==`);
            write(io.stdout, text === undefined ? `(no ${file})` : redactor.text(lastLines(text, 10_000)));
          }
          return EXIT.ok;
        } finally {
          await client.close();
        }
      }
      case "schema":
        write(io.stdout, JSON.stringify(workloadJsonSchema(), null, 2));
        return EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (error) {
    return reportError(error, io, redactor);
  }
}

const PREFIX: Record<ErrorCategory, string> = { usage: "error", task: "error", service: "batch error", auth: "auth error", cancelled: "cancelled" };

function reportError(error: unknown, io: CliIo, redactor: Redactor): number {
  if (error instanceof SpecError) {
    write(io.stderr, `invalid spec:\n${redactor.text(error.message).replace(/^/gm, "  ")}`);
    return EXIT.invalid;
  }
  const category = classifyError(error);
  write(io.stderr, `${PREFIX[category]}: ${redactor.text(error instanceof Error ? error.message : String(error))}`);
  return EXIT_FOR[category];
}
