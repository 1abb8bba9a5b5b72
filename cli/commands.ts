/**
 * One function per command, each a few lines over the core's API: it reads what it needs, calls
 * the core, writes results to stdout (progress to stderr) and returns its exit code. `main` parses
 * the command line and picks one; errors go back to it, to be classified once.
 */
import {
  createLocalBatchClient,
  deployPackage,
  describeSource,
  lazyEntraCredential,
  DEFAULT_SUBMIT_CONCURRENCY,
  getJobStatus,
  lastLines,
  followTaskOutput,
  taskOutputRedactor,
  LOCAL_SUBSCRIPTION,
  preflight,
  MAX_SUBMIT_CONCURRENCY,
  planCalls,
  readTaskOutput,
  runWorkload,
  UsageError,
  workloadJsonSchema,
  outcomeOf,
  type BatchClient,
  type CloudTask,
  type CleanupPolicy,
  type RunResult,
  type Workload,
} from "azure-batch-run";
import { EXIT, sameDestination, write, writeDrained, type CommandContext } from "./common.js";
import { createConsoleReporter, describeOutcome } from "./consoleReporter.js";
import { clientFor, loadEventWorkload, loadWorkload, openLocal, readIdentityMap, readQuotas, startLocal } from "./inputs.js";

/** `validate` and `plan` read a spec, or a Function app's spec for `--event FILE`; unset secrets are placeholders. */
async function specForChecking(ctx: CommandContext): Promise<Workload> {
  const { args, values, vars, io, apiVersion } = ctx;
  const w = values.event
    ? await loadEventWorkload(args[0], values.event, vars, io.env, apiVersion)
    : await loadWorkload(args[0], vars, io.env, "placeholder", apiVersion);
  for (const warning of w.warnings) write(io.stderr, `warning: ${warning.path}: ${warning.message}`);
  return w;
}

async function validate(ctx: CommandContext): Promise<number> {
  const w = await specForChecking(ctx);
  const { stdout } = ctx.io;
  const tasks = `${w.tasks.length} task${w.tasks.length === 1 ? "" : "s"}`;
  write(stdout, `valid: pool ${w.pool.id}, ${w.job.schedule ? "job schedule" : "job"} ${w.job.id}, ${tasks}`);
  for (const b of w.blobs ?? [])
    write(
      stdout,
      `${b.path.replace(/\.forEach\.blobs$/, "")}: one task per blob of ${describeSource(b)}: ${b.listed ? `${b.count} now` : (b.note ?? "not listed")}`,
    );
  if (w.secretEnv.length > 0) write(stdout, `secrets run will need: ${w.secretEnv.map((s) => (s.set ? s.name : `${s.name} (not set here)`)).join(", ")}`);
  return EXIT.ok;
}

async function plan(ctx: CommandContext): Promise<number> {
  const w = await specForChecking(ctx);
  const { io, redactor } = ctx;
  for (const s of w.secretEnv.filter((e) => !e.set)) write(io.stderr, `note: ${s.name} is not set: shown as <redacted>; run will need it`);
  w.secrets.forEach((s) => redactor.add(s));
  const format = ctx.values.format ?? "text";
  if (format !== "json" && format !== "text") throw new UsageError(`--format "${format}": expected json or text`);
  // One call at a time, as the plan makes them: the plan of 100,000 tasks is never held whole.
  let first = true;
  // An event's tasks are submitted without waiting (the Function app's way); a spec's plan is a run that waits.
  for (const { method, path, query, body, plane, note } of planCalls(w, { wait: !ctx.values.event })) {
    if (format === "json") {
      const call = { method, path, query, body: redactor.value(body), ...(plane ? { plane } : {}), ...(note ? { note } : {}) };
      // The same text as JSON.stringify(calls, null, 2), written call by call.
      await writeDrained(io.stdout, `${first ? "[\n" : ",\n"}${JSON.stringify(call, null, 2).replace(/^/gm, "  ")}`);
    } else {
      const n = (body as { value?: unknown[] } | undefined)?.value?.length;
      const shown = plane === "storage" ? `${path}?${new URLSearchParams(query).toString()}` : path;
      await writeDrained(io.stdout, `${method} ${shown}${n !== undefined ? `  (${n} task${n === 1 ? "" : "s"})` : ""}${note ? `  (${note})` : ""}\n`);
    }
    first = false;
  }
  if (format === "json") await writeDrained(io.stdout, first ? "[]\n" : "\n]\n");
  return EXIT.ok;
}

/** `run`'s own options, checked before anything is read or started. */
function runOptions(ctx: CommandContext) {
  const { values } = ctx;
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
  if (values["identity-map"] && !values.local) throw new UsageError("--identity-map goes with --local");
  if (values.quotas && !values.local) throw new UsageError("--quotas goes with --local");
  return {
    wait: !values["no-wait"],
    cleanup: cleanup as CleanupPolicy | undefined,
    pollIntervalMs: poll === undefined ? undefined : Number(poll) * 1000,
    concurrency,
    executor: executor as "auto" | "docker" | "process",
  };
}

async function run(ctx: CommandContext): Promise<number> {
  const { args, values, vars, io, redactor, hooks, callTimeoutMs, apiVersion } = ctx;
  const { executor, ...options } = runOptions(ctx);
  // A container without a SAS is listed with the environment's Entra ID sign-in (made only if needed).
  const w = await loadWorkload(args[0], vars, io.env, "fail", apiVersion, { mode: "run", credential: lazyEntraCredential(io.env), signal: io.signal });
  w.secrets.forEach((s) => redactor.add(s));
  const reporter = createConsoleReporter(io.stderr);
  const identityMap = values["identity-map"] ? await readIdentityMap(values["identity-map"], io.env, redactor) : undefined;
  const quotas = values.quotas ? await readQuotas(values.quotas) : undefined;
  const local = values.local
    ? await openLocal({ ...values, executor: values.executor ? executor : undefined }, io.env, reporter, { identityMap, quotas, hooks, callTimeoutMs })
    : undefined;
  const client = local ? local.client : await clientFor(values["account-url"], w.spec.account?.url, io.env, hooks, callTimeoutMs);
  try {
    // Images pulled with a managed identity (locally: a Docker login) cannot run as host processes: said before anything is created.
    const registries = (w.pool.container?.registries ?? []).filter((r) => r.identity);
    if (local?.executor === "process" && registries.length > 0) {
      throw new UsageError(
        `${args[0]} needs a Docker engine: its images come from ${registries.map((r) => r.server).join(", ")} through a managed identity, and without Docker the local service runs tasks as host processes, which cannot use them; start a Docker engine (DOCKER_HOST) and run it again`,
      );
    }
    // --follow: the tasks' output streamed while they run, each line prefixed with its task when there are several.
    const following = new AbortController();
    const follow = values.follow ? followRun(ctx, client, w, following.signal) : undefined;
    const result = await runWorkload(client, w, reporter, {
      ...options,
      signal: io.signal,
      ...(local ? { preflight: { subscription: LOCAL_SUBSCRIPTION } } : {}),
    }).finally(() => following.abort());
    await follow;
    reporter.end();
    const code = reportRun(ctx, result, sameDestination(io.stdout, io.stderr) ? reporter.printed : new Set());
    if (local && !result.schedule) {
      write(io.stdout, `task outputs are kept in ${local.dir}/data; show one with: azure-batch-run logs ${result.jobId} <task-id> --local`);
    }
    return code;
  } finally {
    await (local ?? { close: () => client.close() }).close();
  }
}

/** The account a read-only command asks: `--local`'s, or the one of `--account-url` and the environment. */
async function readClient(ctx: CommandContext): Promise<{ client: BatchClient; close(): Promise<void> }> {
  const { values, io, hooks, callTimeoutMs, apiVersion } = ctx;
  if (values.local) {
    const local = await openLocal(values, io.env, createConsoleReporter(io.stderr), { hooks, callTimeoutMs });
    return { client: local.client.withApiVersion(apiVersion), close: () => local.close() };
  }
  const client = await clientFor(values["account-url"], undefined, io.env, hooks, callTimeoutMs, apiVersion);
  return { client, close: () => client.close() };
}

/** `jobs`: the account's jobs, each with its state, pool and task counts. */
async function jobs(ctx: CommandContext): Promise<number> {
  const { client, close } = await readClient(ctx);
  try {
    let n = 0;
    for await (const job of client.list<{ id: string; state?: string; poolInfo?: { poolId?: string } }>("/jobs", {
      query: { $select: "id,state,poolInfo" },
      signal: ctx.io.signal,
    })) {
      const c = (await getJobStatus(client, job.id, { signal: ctx.io.signal })).counts;
      write(
        ctx.io.stdout,
        `${job.id}  ${job.state ?? "?"}  pool ${job.poolInfo?.poolId ?? "?"}  active ${c.active}, running ${c.running}, succeeded ${c.succeeded}, failed ${c.failed}`,
      );
      n++;
    }
    if (n === 0) write(ctx.io.stdout, "no jobs");
    return EXIT.ok;
  } finally {
    await close();
  }
}

/** `tasks <job>`: each task's state, exit code, node, duration and retries. */
async function tasks(ctx: CommandContext): Promise<number> {
  const jobId = ctx.args[0];
  if (!jobId) throw new UsageError("missing <job-id>: tasks <job-id> [--local]");
  const { client, close } = await readClient(ctx);
  try {
    for await (const t of client.list<CloudTask>(`/jobs/${encodeURIComponent(jobId)}/tasks`, {
      query: { $select: "id,state,executionInfo,nodeInfo" },
      signal: ctx.io.signal,
    })) {
      const o = t.state === "completed" ? describeOutcome(outcomeOf(t)) : `${t.state === "running" ? "RUN " : "WAIT"} ${t.id}  ${t.state ?? "?"}`;
      write(ctx.io.stdout, `${o}${t.nodeInfo?.nodeId ? `  on ${t.nodeInfo.nodeId}` : ""}`);
    }
    return EXIT.ok;
  } finally {
    await close();
  }
}

const MAX_FOLLOWED = 10;

/** Streams the output of a run's tasks (the first ten) while it runs; ends with the run. */
async function followRun(ctx: CommandContext, client: BatchClient, w: Workload, signal: AbortSignal): Promise<void> {
  const ids = w.tasks.ids.slice(0, MAX_FOLLOWED);
  if (w.tasks.length > MAX_FOLLOWED) write(ctx.io.stderr, `--follow: following the first ${MAX_FOLLOWED} of ${w.tasks.length} tasks`);
  const prefix = (taskId: string, file: string) =>
    ids.length > 1 ? `[${taskId}${file === "stderr.txt" ? " stderr" : ""}] ` : file === "stderr.txt" ? "stderr: " : "";
  await followTaskOutput(client.withApiVersion(w.apiVersion), w.job.id, ids, (c) => ctx.io.stdout.write(c.text.replace(/^(?=.)/gm, prefix(c.taskId, c.file))), {
    signal,
    redactor: ctx.redactor,
    pollIntervalMs: 1_000,
  }).catch((error: unknown) => {
    if (!signal.aborted) write(ctx.io.stderr, `--follow stopped: ${ctx.redactor.text((error as Error).message)}`);
  });
}

/** What a run did, on stdout: the schedule in place, the job submitted, or every task's outcome. */
function reportRun({ io, values }: CommandContext, result: RunResult, shown: ReadonlySet<string>): number {
  if (result.schedule) {
    write(io.stdout, `job schedule ${result.jobId} is in place on pool ${result.poolId}`);
    return EXIT.ok;
  }
  if (values["no-wait"]) {
    write(io.stdout, `submitted job ${result.jobId} on pool ${result.poolId}; follow it with: azure-batch-run status ${result.jobId}`);
    return result.succeeded ? EXIT.ok : EXIT.taskFailed;
  }
  write(io.stdout, `job ${result.jobId} on pool ${result.poolId}`);
  // Each task line once: those the progress already wrote to the same file are not repeated.
  for (const o of [...result.outcomes].sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true })))
    if (!shown.has(o.id)) write(io.stdout, describeOutcome(o));
  const failed = result.outcomes.filter((o) => o.result === "failure").length;
  const notAdded = result.addFailures.length ? `, ${result.addFailures.length} not added` : "";
  write(io.stdout, `${result.outcomes.length - failed} succeeded, ${failed} failed${notAdded}`);
  if (result.requeues || result.preemptedNodes?.length) {
    const nodes = result.preemptedNodes?.length ?? 0;
    write(
      io.stdout,
      `${result.requeues ?? 0} requeued, ${nodes} Spot node${nodes === 1 ? "" : "s"} preempted: requeued tasks ran again and are counted by their last run`,
    );
  }
  if (result.jobEnded) write(io.stdout, `the job ended before all tasks completed: ${result.jobEnded}`);
  if (result.blocked?.length) write(io.stdout, `${result.blocked.length} blocked (a task they depend on failed): ${result.blocked.join(", ")}`);
  return result.succeeded ? EXIT.ok : EXIT.taskFailed;
}

/** `preflight`: what the spec needs against what the account has; exit 0 when it fits, 2 when it cannot. */
async function preflightCommand(ctx: CommandContext): Promise<number> {
  const { args, values, vars, io, redactor, hooks, callTimeoutMs, apiVersion } = ctx;
  if (values.executor && !values.local) throw new UsageError("--executor goes with --local");
  if (values.quotas && !values.local) throw new UsageError("--quotas goes with --local");
  const w = await loadWorkload(args[0], vars, io.env, "placeholder", apiVersion);
  const quotas = values.quotas ? await readQuotas(values.quotas) : undefined;
  w.secrets.forEach((s) => redactor.add(s));
  const reporter = createConsoleReporter(io.stderr);
  const local = values.local
    ? await startLocal((values.executor as "auto" | "docker" | "process" | undefined) ?? "auto", reporter, undefined, quotas)
    : undefined;
  const client = local
    ? createLocalBatchClient(local, { hooks, callTimeoutMs })
    : await clientFor(values["account-url"], w.spec.account?.url, io.env, hooks, callTimeoutMs, apiVersion);
  try {
    const report = await preflight(client.withApiVersion(w.apiVersion), w, { signal: io.signal, subscription: local ? LOCAL_SUBSCRIPTION : undefined });
    write(io.stdout, report.summary);
    for (const line of report.lines) write(io.stdout, `  ${line}`);
    const short = report.checks.filter((c) => c.fits === false).length;
    write(io.stdout, report.fits ? "the spec fits the account" : `the spec does not fit the account: ${short} shortfall${short === 1 ? "" : "s"}`);
    return report.fits ? EXIT.ok : EXIT.invalid;
  } finally {
    await client.close();
    await local?.close();
  }
}

async function status(ctx: CommandContext): Promise<number> {
  const { args, io } = ctx;
  const jobId = args[0];
  if (!jobId) throw new UsageError("missing <job-id>");
  const { client, close } = await readClient(ctx);
  try {
    const status = await getJobStatus(client, jobId, { signal: io.signal });
    const c = status.counts;
    write(io.stdout, `job ${status.jobId} (${status.state}${status.terminateReason ? `: ${status.terminateReason}` : ""}) on pool ${status.poolId ?? "?"}`);
    write(io.stdout, `active ${c.active}, running ${c.running}, completed ${c.completed} (succeeded ${c.succeeded}, failed ${c.failed})`);
    return c.failed > 0 ? EXIT.taskFailed : EXIT.ok;
  } finally {
    await close();
  }
}

async function logs(ctx: CommandContext): Promise<number> {
  const { args, values, io, redactor } = ctx;
  const [jobId, taskId] = args;
  if (!jobId || !taskId) throw new UsageError("usage: logs <job-id> <task-id> [--file stdout.txt]");
  const { client, close } = await readClient(ctx);
  try {
    if (values.follow) {
      const taskRedactor = await taskOutputRedactor(client, jobId, taskId, { base: redactor, signal: io.signal });
      await followTaskOutput(client, jobId, [taskId], (c) => io.stdout.write(c.file === "stderr.txt" ? c.text.replace(/^/gm, "stderr: ") : c.text), {
        signal: io.signal,
        redactor: taskRedactor,
        files: values.file ? [values.file] : undefined,
      });
      return EXIT.ok;
    }
    const files = values.file ? [values.file] : ["stdout.txt", "stderr.txt"];
    for (const file of files) {
      const text = await readTaskOutput(client, jobId, taskId, file, { signal: io.signal });
      if (files.length > 1) write(io.stdout, `==> ${file} <==`);
      write(io.stdout, text === undefined ? `(no ${file})` : redactor.text(lastLines(text, 10_000)));
    }
    return EXIT.ok;
  } finally {
    await close();
  }
}

/** `local`: serves the local account in the foreground, its state in its folder, until Ctrl-C. */
async function local(ctx: CommandContext): Promise<number> {
  const { values, io, redactor } = ctx;
  const { openHome, serveHome, runningService, DEFAULT_LOCAL_DIR, DEFAULT_LOCAL_PORT } = await import("../local-batch/home.js");
  const port = values.port === undefined ? DEFAULT_LOCAL_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port "${values.port}": expected a port number from 0 to 65535`);
  const home = await openHome(values["local-dir"] ?? io.env.AZBR_LOCAL_DIR ?? DEFAULT_LOCAL_DIR);
  const running = await runningService(home);
  if (running) throw new UsageError(`a local Batch service already serves ${home.dir} at ${running}; use it (run --local), or stop it first`);
  const identityMap = values["identity-map"] ? await readIdentityMap(values["identity-map"], io.env, redactor) : undefined;
  const quotas = values.quotas ? await readQuotas(values.quotas) : undefined;
  const reporter = createConsoleReporter(io.stderr);
  const served = await serveHome(home, {
    port,
    executor: (values.executor ?? "auto") as "auto" | "docker" | "process",
    account: quotas,
    ...identityMap,
    warn: (m) => reporter.warn(m),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") throw new UsageError(`--port ${port} is in use; choose another with --port N`);
    throw error;
  });
  write(io.stdout, `local Batch service: ${served.accountUrl} (executor: ${served.executor})`);
  write(io.stdout, `account name: ${served.accountName}`);
  write(io.stdout, `account key: ${served.accountKey}`);
  write(io.stdout, `console: ${served.service.consoleUrl()} (pools, jobs, tasks and their live output, in a browser)`);
  write(io.stdout, `state: ${home.dir} (kept when it stops; run --local, status, logs, jobs and tasks --local use it)`);
  write(io.stdout, "serving until Ctrl-C");
  await new Promise<void>((resolve) => {
    if (!io.signal) return;
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await served.close();
  write(io.stdout, "stopped; the state stays");
  return EXIT.ok;
}

/** `package deploy <id> <version> <zip|folder>`: an application package, deployed through ARM (idempotent). */
async function packageCommand(ctx: CommandContext): Promise<number> {
  const { args, values, io } = ctx;
  const [verb, applicationId, version, source, ...extra] = args;
  if (verb !== "deploy" || !applicationId || !version || !source || extra.length)
    throw new UsageError("usage: package deploy <application-id> <version> <zip|folder> [--default] [--replace]");
  if ((values["resource-group"] === undefined) !== (values["account-name"] === undefined))
    throw new UsageError("--resource-group and --account-name go together (without them the account is found from its URL)");
  const { client, close } = await readClient(ctx);
  try {
    const result = await deployPackage(client, {
      applicationId,
      version,
      source,
      setDefault: values.default,
      replace: values.replace,
      account: { subscription: values.subscription ?? io.env.AZURE_SUBSCRIPTION_ID, resourceGroup: values["resource-group"], name: values["account-name"] },
      reporter: createConsoleReporter(io.stderr),
      signal: io.signal,
    });
    write(
      io.stdout,
      `${result.outcome} ${result.applicationId} ${result.version} (${result.size} bytes, MD5 ${result.md5})${result.defaultVersion ? `; default version ${result.defaultVersion}` : ""}`,
    );
    return EXIT.ok;
  } finally {
    await close();
  }
}

async function schema({ io }: CommandContext): Promise<number> {
  write(io.stdout, JSON.stringify(workloadJsonSchema(), null, 2));
  return EXIT.ok;
}

/** The commands, by name. */
export const COMMANDS: Record<string, (ctx: CommandContext) => Promise<number>> = {
  validate,
  plan,
  preflight: preflightCommand,
  run,
  local,
  jobs,
  tasks,
  status,
  logs,
  package: packageCommand,
  schema,
};
