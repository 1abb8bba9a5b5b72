/**
 * The Action's main step: inputs -> a workload (the GitHub context as a template root, the step's
 * environment but not the runner's own) -> the core's `runWorkload` -> outputs, a result file and
 * the job summary. Cleanup is the post step's, so that it also happens after a failure or a cancel.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import * as core from "@actions/core";
import * as github from "@actions/github";
import {
  BatchClient,
  classifyError,
  cloudOfAccountUrl,
  createBatchClient,
  createLocalBatchClient,
  deployPackage,
  followTaskOutput,
  LOCAL_SUBSCRIPTION,
  loadSpecWithBlobs,
  parseSpecText,
  Redactor,
  resolveAccountUrl,
  runWorkload,
  TasksFailedError,
  UsageError,
  type BatchCredential,
  type BlobListOptions,
  type LoadOptions,
  type RunResult,
  type Workload,
} from "azure-batch-run";
import type { TokenCredential } from "@azure/identity";
import { credentialFor } from "./auth.js";
import { ACR_TOKEN_USER, BuildError, buildAndPush, plannedImage, useBuiltImage, wantsBuild, type BuiltImage } from "./build.js";
import { getInputs, type Inputs, type PackageInputs } from "./context.js";
import { actionsReporter, type ActionsReporter } from "./reporter.js";
import { saveState } from "./state.js";
import { writeEndSummary, writeSummary, type Outcome } from "./summary.js";

function isTokenCredential(c: BatchCredential): c is TokenCredential {
  return typeof (c as TokenCredential).getToken === "function";
}

/** Variables of the runner itself: a spec from a pull request must not read them unless allowed. */
const RUNNER_OWN = /^(ACTIONS_|GITHUB_|RUNNER_|INPUT_|STATE_)/;

export function specEnvironment(env: NodeJS.ProcessEnv, allow: readonly string[]): Record<string, string | undefined> {
  const allowed = new Set(allow);
  return Object.fromEntries(Object.entries(env).filter(([name]) => allowed.has(name) || !RUNNER_OWN.test(name)));
}

/** `{{ github.* }}`: the run's context, as the workflow expressions name it. */
function githubRoot(): Record<string, string | number> {
  const c = github.context;
  return {
    sha: c.sha,
    ref: c.ref,
    repository: `${c.repo.owner}/${c.repo.repo}`,
    run_id: c.runId,
    run_number: c.runNumber,
    run_attempt: Number(process.env.GITHUB_RUN_ATTEMPT ?? 1),
    actor: c.actor,
    event_name: c.eventName,
    workflow: c.workflow,
    job: c.job,
    server_url: c.serverUrl,
  };
}

/** A file path, or inline YAML; a one-line value that names a YAML or JSON file must be there. */
async function readSpec(input: string): Promise<{ text: string; fileName: string }> {
  if (!input.includes("\n") && existsSync(input)) return { text: await readFile(input, "utf8"), fileName: input };
  if (!input.includes("\n") && /\.(ya?ml|json)$/i.test(input.trim())) {
    const where = isAbsolute(input) ? input : `${resolve(input)} (relative to the working directory ${process.cwd()})`;
    throw new UsageError(`input spec: the file ${where} does not exist; give the path of the workload spec, or the spec itself as YAML`);
  }
  return { text: input, fileName: "the spec input" };
}

const ACCOUNT_URL_REQUIRED = "input account-url (or the spec's account.url) is required with mode: azure";

/** The environment variable that carries the push password to the pool's registry entry. */
const REGISTRY_PASSWORD_ENV = "AZBR_REGISTRY_PASSWORD";

/** The spec as the Action loads it: the inputs' overrides in it, and the template roots and environment it sees. */
function specInput(
  inputs: Inputs,
  text: string,
  fileName: string,
  built?: BuiltImage,
  registryPassword?: string,
): { raw: Record<string, unknown>; load: LoadOptions } {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a spec as parsed, before it is checked: any shape
  let raw = parseSpecText(text, fileName) as Record<string, any>;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new UsageError("input spec: the spec must be a mapping with pool, job and tasks");
  if (built) raw = useBuiltImage(raw, built, REGISTRY_PASSWORD_ENV);
  // The overrides of the common fields go into the spec before it is checked.
  if (inputs.poolId) raw.pool = { ...raw.pool, id: inputs.poolId };
  if (inputs.vmSize) raw.pool = { ...raw.pool, vmSize: inputs.vmSize };
  if (inputs.nodes !== undefined) raw.pool = { ...raw.pool, nodes: { ...(raw.pool?.nodes ?? {}), dedicated: inputs.nodes } };
  if (inputs.jobId) raw.job = { ...raw.job, id: inputs.jobId };
  const load: LoadOptions = {
    vars: inputs.vars,
    env: { ...specEnvironment(process.env, inputs.envAllow), ...(built && registryPassword ? { [REGISTRY_PASSWORD_ENV]: registryPassword } : {}) },
    envHint: "the Action passes the step's variables, not the runner's own: name it in the env-allow input",
    roots: { github: githubRoot(), ...(built ? { build: { image: built.digestRef, digest: built.digest, name: built.name } } : {}) },
    fileName,
  };
  return { raw, load };
}

/**
 * The workload; `forEach: { blobs }` containers listed (`run`: with their SAS, or the step's Entra
 * credential), or only described (`describe`: before a build, and in post, which needs the ids).
 */
async function loadWorkload(
  inputs: Inputs,
  text: string,
  fileName: string,
  blobs: BlobListOptions,
  built?: BuiltImage,
  registryPassword?: string,
): Promise<Workload> {
  const { raw, load } = specInput(inputs, text, fileName, built, registryPassword);
  return loadSpecWithBlobs(raw, load, blobs);
}

async function clientFor(
  inputs: Inputs,
  workload: Workload,
  credential: BatchCredential | undefined,
  runId: string,
): Promise<{ client: BatchClient; close(): Promise<void> }> {
  const callTimeoutMs = inputs.timeoutSeconds * 1000;
  const userAgentPrefix = `azure-batch-run-action`;
  if (inputs.mode === "local") {
    const { startLocalBatch } = await import("../local-batch/start.js");
    // The step's own runtime folder: post removes what the service left there, whatever ended main.
    const runtimeDir = join(process.env.RUNNER_TEMP ?? process.cwd(), `azure-batch-run-local-${runId}`);
    saveState({ localRuntimeDir: runtimeDir });
    const local = await startLocalBatch({ warn: (m) => core.warning(m), runtimeDir });
    core.setSecret(local.accountKey);
    core.info(`local Batch service on ${local.accountUrl} (executor: ${local.executor})`);
    const client = createLocalBatchClient(local, { callTimeoutMs, userAgentPrefix, hooks: { log: (line) => core.debug(line) } });
    return { client, close: async () => (await client.close(), await local.close()) };
  }
  const accountUrl = resolveAccountUrl(inputs.accountUrl, workload.spec.account?.url, process.env);
  if (!accountUrl) throw new UsageError(ACCOUNT_URL_REQUIRED);
  const accountCloud = cloudOfAccountUrl(accountUrl);
  if (accountCloud && accountCloud.name !== inputs.cloud.name) {
    throw new UsageError(
      `input environment is ${inputs.cloud.name}, but the account ${new URL(accountUrl).hostname} is in ${accountCloud.name}: set environment: ${accountCloud.name}`,
    );
  }
  const client = createBatchClient({
    accountUrl,
    credential: credential ?? credentialFor(inputs),
    cloud: inputs.cloud,
    callTimeoutMs,
    userAgentPrefix,
    hooks: { log: (line) => core.debug(line) },
  });
  return { client, close: () => client.close() };
}

/**
 * The workload with the image the build will push standing in by a placeholder digest: what main
 * checks before anything is built or pushed, and what post reloads for ids (the digest is in no id).
 */
async function plannedWorkload(inputs: Inputs, text: string, fileName: string) {
  const build = inputs.build;
  const c = github.context;
  const planned = plannedImage(build, { sha: c.sha, repository: `${c.repo.owner}/${c.repo.repo}` });
  const digest = `sha256:${"0".repeat(64)}`;
  const placeholder: BuiltImage = {
    name: planned.name,
    digestRef: `${planned.registry}/${planned.repository}@${digest}`,
    digest,
    registry: planned.registry,
    username: build.registryUsername ?? ACR_TOKEN_USER,
    password: "placeholder",
    rebuilt: true,
  };
  return { planned, workload: await loadWorkload(inputs, text, fileName, { mode: "describe" }, placeholder, placeholder.password) };
}

/**
 * The workload as main loaded it, for post, when a secret is part of an id (the ids are not saved
 * then): the same inputs and environment; a built image stands in by a placeholder.
 */
export async function workloadForIds(inputs: Inputs): Promise<Workload> {
  const { text, fileName } = await readSpec(inputs.spec);
  return wantsBuild(inputs.build) ? (await plannedWorkload(inputs, text, fileName)).workload : loadWorkload(inputs, text, fileName, { mode: "describe" });
}

/** A JSON file with every task's result, for later steps; ids that hold a secret are masked in its name and content. */
async function writeResult(result: RunResult, redactor: Redactor): Promise<string> {
  const jobId = redactor.text(result.jobId);
  const path = join(process.env.RUNNER_TEMP ?? process.cwd(), `azure-batch-run-${jobId.replace(/[^A-Za-z0-9_-]/g, "_")}.json`);
  const content = {
    jobId,
    poolId: redactor.text(result.poolId),
    succeeded: result.succeeded,
    submitted: result.submitted,
    tasks: result.outcomes,
    addFailures: result.addFailures,
    blocked: result.blocked ?? [],
    jobEnded: result.jobEnded,
  };
  await writeFile(path, redactor.text(JSON.stringify(content, null, 2)));
  return path;
}

/** The words each way a step can end starts its one error annotation with. */
const LABELS: Record<Outcome, string> = {
  succeeded: "succeeded",
  "tasks failed": "tasks failed",
  "invalid input": "invalid input",
  "build failed": "build failed",
  auth: "auth error",
  service: "service error",
  cancelled: "cancelled",
};

function outcomeOf(error: unknown): Outcome {
  if (error instanceof BuildError) return "build failed";
  const category = classifyError(error);
  return category === "usage" ? "invalid input" : category === "task" ? "tasks failed" : category;
}

/** The reason, once: "cancelled: cancelled; job j terminated" reads "cancelled: job j terminated". */
function reasonOf(outcome: Outcome, error: unknown, redactor: Redactor): string {
  const message = redactor.text(error instanceof Error ? error.message : String(error));
  if (outcome === "cancelled") return message.replace(/^cancelled(?:[;:,]\s*|\s+|$)/i, "") || "the workflow was cancelled";
  return message;
}

// eslint-disable-next-line max-lines-per-function -- the step, start to end, in the order a reader follows it; each stage is a call of its own
export async function run(): Promise<void> {
  const redactor = new Redactor();
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort(new Error(`${signal} received`)));
  // First of all: the id this run writes into what it creates, so that post can always tell its own.
  const runId = randomUUID();
  saveState({ runId });
  let close: (() => Promise<void>) | undefined;
  let reporter: ActionsReporter | undefined;
  const known: { jobId?: string; poolId?: string; accountUrl?: URL; created?: RunResult["created"]; summaryWritten?: boolean } = {};
  try {
    const inputs = getInputs();
    saveState({ mode: inputs.mode, wait: inputs.wait });
    redactor.add(inputs.accountKey);
    const { text, fileName } = await readSpec(inputs.spec);
    const build = inputs.build;
    // One credential for the whole step: the registry exchange and the Batch calls share its tokens.
    const credential = inputs.mode === "azure" || inputs.clientId ? credentialFor(inputs) : undefined;
    redactor.add(build.registryPassword);
    let built: BuiltImage | undefined;
    if (wantsBuild(build)) {
      const c = github.context;
      // The spec and the account are checked before anything is built or pushed: bad input leaves nothing behind.
      const { planned, workload: checked } = await plannedWorkload(inputs, text, fileName);
      if (inputs.mode === "azure" && !resolveAccountUrl(inputs.accountUrl, checked.spec.account?.url, process.env)) throw new UsageError(ACCOUNT_URL_REQUIRED);
      const entra = credential && isTokenCredential(credential) ? { credential, tenant: inputs.tenantId, armScope: inputs.cloud.armScope } : undefined;
      // Said before the login: post logs out of it, whatever ends main.
      saveState({ registry: planned.registry });
      built = await buildAndPush(build, { sha: c.sha, repository: `${c.repo.owner}/${c.repo.repo}`, serverUrl: c.serverUrl }, entra);
      core.setOutput("image", built.name);
      core.setOutput("digest", built.digest);
    }
    const workload = await loadWorkload(
      inputs,
      text,
      fileName,
      { mode: "run", credential: credential && isTokenCredential(credential) ? credential : undefined, signal: controller.signal },
      built,
      built?.password,
    );
    for (const secret of workload.secrets) {
      core.setSecret(secret);
      redactor.add(secret);
    }
    // The ids as soon as they are known, on every end of main; masked where a secret is part of one.
    known.jobId = workload.job.id;
    known.poolId = workload.pool.id;
    const idsMasked = redactor.text(workload.job.id) !== workload.job.id || redactor.text(workload.pool.id) !== workload.pool.id;
    core.setOutput("job-id", redactor.text(workload.job.id));
    core.setOutput("pool-id", redactor.text(workload.pool.id));
    saveState({ jobId: redactor.text(workload.job.id), poolId: redactor.text(workload.pool.id), idsMasked });
    const opened = await clientFor(inputs, workload, credential, runId);
    close = opened.close;
    const client = opened.client;
    known.accountUrl = client.accountUrl;
    saveState({ accountUrl: client.accountUrl.href });

    reporter = actionsReporter({ maxLogLines: inputs.maxLogLines });
    if (inputs.package) await deployInputPackage(client, inputs.package, workload, reporter, controller.signal);
    // The chosen tasks' output, streamed into the log while they run (each line marked with its task).
    const following = new AbortController();
    const followed = inputs.follow.length
      ? followTaskOutput(
          client.withApiVersion(workload.apiVersion),
          workload.job.id,
          inputs.follow,
          (c) => {
            for (const line of c.text.replace(/\n$/, "").split("\n")) core.info(`[${c.taskId}${c.file === "stderr.txt" ? " stderr" : ""}] ${line}`);
          },
          { signal: following.signal, redactor, pollIntervalMs: inputs.mode === "local" ? 500 : 2_000 },
        ).catch((error: unknown) => {
          if (!following.signal.aborted) core.warning(`follow stopped: ${redactor.text((error as Error).message)}`);
        })
      : undefined;
    // The post step cleans up (policy `created` maps to the run's created flags there).
    const result = await runWorkload(client, workload, reporter, {
      wait: inputs.wait,
      preflight: !inputs.preflight ? false : inputs.mode === "local" ? { subscription: LOCAL_SUBSCRIPTION } : undefined,
      cleanup: inputs.mode === "local" ? localCleanup(inputs) : "none",
      signal: controller.signal,
      pollIntervalMs: inputs.mode === "local" ? 500 : undefined,
      concurrency: inputs.concurrency,
      runId,
      // Saved at once, before the next request, so that post cleans up what was created even after a cancel or a kill.
      onCreated: (created) => {
        known.created = created;
        saveState({ created });
      },
      onReused: (what) => saveState({ reused: { ...(what === "pool" ? { pool: true } : { job: true }) } }),
    }).finally(() => following.abort());
    await followed;
    known.created = result.created;
    saveState({ created: result.created, finished: inputs.wait, submitted: !inputs.wait });

    const failed = result.outcomes.filter((o) => o.result === "failure").length + result.addFailures.length + (result.blocked?.length ?? 0);
    const total = inputs.wait
      ? result.outcomes.length + result.addFailures.length + (result.blocked?.length ?? 0)
      : (result.submitted ?? 0) + result.addFailures.length;
    core.setOutput("tasks-total", total);
    core.setOutput("tasks-succeeded", result.outcomes.filter((o) => o.result === "success").length);
    core.setOutput("tasks-failed", failed);
    core.setOutput("result", await writeResult(result, redactor));
    await writeSummary(result, workload, client.accountUrl, built, inputs.tenantId, reporter.warnings, { wait: inputs.wait, redact: (t) => redactor.text(t) });
    known.summaryWritten = true;
    if (!result.succeeded && inputs.failOnTaskFailure) throw new TasksFailedError(`${failed} task${failed === 1 ? "" : "s"} of job ${result.jobId} failed`);
    reporter.annotateTasks();
  } catch (error) {
    const outcome = outcomeOf(error);
    const reason = reasonOf(outcome, error, redactor);
    if (error instanceof BuildError && error.log) {
      core.startGroup("the failing build step's log");
      core.info(redactor.text(error.log));
      core.endGroup();
    }
    if (!known.summaryWritten) {
      await writeEndSummary({
        outcome,
        reason,
        jobId: known.jobId && redactor.text(known.jobId),
        poolId: known.poolId && redactor.text(known.poolId),
        accountUrl: known.accountUrl,
        created: known.created,
      }).catch(() => undefined);
    }
    // One annotation for the step, first; then at most nine naming failed tasks.
    core.setFailed(`${LABELS[outcome]}: ${reason}`);
    reporter?.annotateTasks();
  } finally {
    await close?.();
  }
}

/** `package-*`: the application package deployed before the run, so that its tasks find it; its version is an output. */
async function deployInputPackage(client: BatchClient, p: PackageInputs, workload: Workload, reporter: ActionsReporter, signal: AbortSignal): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const result = await deployPackage(client, {
    applicationId: p.id,
    version: p.version ?? github.context.sha,
    source: resolve(workspace, p.path),
    setDefault: p.setDefault,
    replace: p.replace,
    account: workload.spec.account,
    reporter,
    signal,
  });
  core.setOutput("package-version", result.version);
}

/** On the local service, nothing outlives the step: its cleanup is done by the run itself. */
function localCleanup(inputs: Inputs): "job" | "pool" | "none" {
  return inputs.cleanup === "none" ? "none" : "pool";
}
