/**
 * The `azure-batch-run` command line. Progress goes to stderr, results to stdout.
 * Exit codes: 0 all tasks succeeded, 1 a task failed, 2 invalid spec or arguments,
 * 3 service or auth error, 130 cancelled.
 */
import {
  API_VERSIONS,
  classifyError,
  DEFAULT_SUBMIT_CONCURRENCY,
  describeRetry,
  isApiVersion,
  MAX_SUBMIT_CONCURRENCY,
  Redactor,
  SpecError,
  UsageError,
  type ErrorCategory,
  type RequestHooks,
} from "azure-batch-run";
import { COMMANDS } from "./commands.js";
import { closest, EXIT, EXIT_FOR, OPTIONS, parseCommandLine, write, type CliIo } from "./common.js";

export { EXIT, type CliIo } from "./common.js";

const USAGE = `usage: azure-batch-run <command> [options]

commands:
  validate <spec> [--var k=v]...            check a spec; exit 2 with every problem if it is invalid
  plan <spec> [--var k=v]... [--format json|text] [--event FILE]
                                            the REST calls the spec produces (no credentials needed)
                                            --event: a Function app's spec, for a sample event (JSON)
  preflight <spec> [--var k=v]... [--account-url URL] [--local [--quotas FILE]]
                                            does the spec fit the account? cores per VM family, Spot cores,
                                            pools, active jobs, VM size, image; exit 2 when it cannot fit
  run <spec> [--var k=v]... [--account-url URL] [--wait|--no-wait] [--cleanup job|pool|none]
      [--poll-interval SECONDS] [--concurrency N] [--local [--executor auto|docker|process] [--identity-map FILE] [--quotas FILE]]
                                            --follow: stream the tasks' stdout and stderr while they run (up to 10 tasks)
                                            --concurrency: addtaskcollection requests at once (default ${DEFAULT_SUBMIT_CONCURRENCY}, 1-${MAX_SUBMIT_CONCURRENCY})
                                            --local: on the local account (the running \`local\` service, or one
                                            started on its folder, --local-dir); its state stays
                                            --identity-map: the registry logins of managed identities there
                                            --quotas: the local account's quotas (YAML: dedicatedCores,
                                            dedicatedCoresPerFamily, lowPriorityCores, pools, activeJobsAndSchedules)
                                            create or reuse the pool, create the job, add the tasks, follow them
  local [--local-dir DIR] [--port N] [--executor auto|docker|process] [--quotas FILE]
                                            serve the local account in the foreground until Ctrl-C; its state
                                            stays in DIR (default .azure-batch-run/local, or AZBR_LOCAL_DIR)
  jobs [--account-url URL | --local]        the account's jobs, with state, pool and task counts
  tasks <job-id> [--account-url URL | --local]
                                            a job's tasks: state, exit code, duration, retries, node
  status <job-id> [--account-url URL | --local]
                                            task counts of a job
  logs <job-id> <task-id> [--account-url URL | --local] [--file stdout.txt|stderr.txt|wd/...] [--follow]
                                            print a task's output files; --follow: as they grow, to the task's end
  package deploy <application-id> <version> <zip|folder> [--account-url URL | --local]
      [--subscription ID] [--resource-group NAME --account-name NAME] [--default] [--replace]
                                            deploy an application package through Azure Resource Manager: the
                                            application created if missing, the version uploaded and activated;
                                            a folder is zipped; the same content again changes nothing
                                            --default: make it the application's default version
                                            --replace: replace an active version whose content differs
  schema                                    print the spec's JSON Schema

  --debug                                   one line per HTTP call on stderr (secrets redacted)
  --timeout SECONDS                         the most one REST call may take, retries included (default 300)
  --api-version 2025-06-01|2024-07-01.20.0  the data plane's api-version (default: the spec's account.apiVersion, else 2025-06-01)

account: --account-url, the spec's account.url, or AZURE_BATCH_ACCOUNT_URL.
auth: AZURE_BATCH_ACCESS_KEY (+ AZURE_BATCH_ACCOUNT) for Shared Key; otherwise Microsoft Entra ID
(DefaultAzureCredential: service principal, workload identity, managed identity, Azure CLI).
exit codes: 0 success, 1 a task failed, 2 invalid spec or arguments, 3 service or auth error.`;

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
    "quotas",
    "local-dir",
    "follow",
    "debug",
    "timeout",
    "api-version",
  ],
  preflight: ["var", "account-url", "local", "executor", "quotas", "debug", "timeout", "api-version"],
  local: ["local-dir", "port", "executor", "quotas", "identity-map", "debug"],
  jobs: ["account-url", "local", "local-dir", "debug", "timeout", "api-version"],
  tasks: ["account-url", "local", "local-dir", "debug", "timeout", "api-version"],
  status: ["account-url", "local", "local-dir", "debug", "timeout", "api-version"],
  logs: ["account-url", "local", "local-dir", "file", "follow", "debug", "timeout", "api-version"],
  package: ["account-url", "local", "local-dir", "subscription", "resource-group", "account-name", "default", "replace", "debug", "timeout"],
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

function parseVars(values: string[] | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new UsageError(`--var "${v}": expected name=value`);
    vars[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return vars;
}

/** Parses the command line, checks what every command shares, runs the command, and classifies any error once. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const redactor = new Redactor([io.env.AZURE_BATCH_ACCESS_KEY ?? ""]);
  try {
    const { values, positionals } = parseCommandLine(argv);
    const [command, ...args] = positionals;
    if (values.help || !command) {
      write(values.help ? io.stdout : io.stderr, USAGE);
      return values.help ? EXIT.ok : EXIT.invalid;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"\n${USAGE}`);
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
    return await run({ args, values, vars, io, redactor, hooks, callTimeoutMs, apiVersion });
  } catch (error) {
    return reportError(error, io, redactor);
  }
}

const PREFIX: Record<ErrorCategory, string> = { usage: "error", task: "error", service: "batch error", auth: "auth error", cancelled: "cancelled" };

/** Node's text for an unknown option, with the nearest option the command line has. */
function unknownOption(error: unknown): string | undefined {
  if ((error as { code?: string })?.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION") return undefined;
  const given = /Unknown option '--?([^']+)'/.exec((error as Error).message)?.[1];
  if (!given) return undefined;
  const near = closest(given, Object.keys(OPTIONS));
  return `unknown option --${given}${near ? `; did you mean --${near}?` : ""} (azure-batch-run --help lists them)`;
}

function reportError(error: unknown, io: CliIo, redactor: Redactor): number {
  const option = unknownOption(error);
  if (option) {
    write(io.stderr, `error: ${option}`);
    return EXIT.invalid;
  }
  if (error instanceof SpecError) {
    write(io.stderr, `invalid spec:\n${redactor.text(error.message).replace(/^/gm, "  ")}`);
    return EXIT.invalid;
  }
  const category = classifyError(error);
  write(io.stderr, `${PREFIX[category]}: ${redactor.text(error instanceof Error ? error.message : String(error))}`);
  return EXIT_FOR[category];
}
