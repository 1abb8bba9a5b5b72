/**
 * The Action's main step: inputs -> a workload (the GitHub context as a template root, the step's
 * environment but not the runner's own) -> the core's `runWorkload` -> outputs, a result file and
 * the job summary. Cleanup is the post step's, so that it also happens after a failure or a cancel.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as core from "@actions/core";
import * as github from "@actions/github";
import {
  BatchClient,
  classifyError,
  createBatchClient,
  loadSpecObject,
  parseSpecText,
  Redactor,
  resolveAccountUrl,
  runWorkload,
  TasksFailedError,
  UsageError,
  type BatchCredential,
  type RunResult,
  type Workload,
} from "azure-batch-run";
import type { TokenCredential } from "@azure/identity";
import { credentialFor } from "./auth.js";
import { ACR_TOKEN_USER, buildAndPush, buildInputs, plannedImage, useBuiltImage, wantsBuild, type BuiltImage } from "./build.js";
import { getInputs, type Inputs } from "./context.js";
import { actionsReporter } from "./reporter.js";
import { saveState } from "./state.js";
import { writeSummary } from "./summary.js";

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

async function readSpec(input: string): Promise<{ text: string; fileName: string }> {
  if (!input.includes("\n") && existsSync(input)) return { text: await readFile(input, "utf8"), fileName: input };
  return { text: input, fileName: "the spec input" };
}

const ACCOUNT_URL_REQUIRED = "input account-url (or the spec's account.url) is required with mode: azure";

/** The environment variable that carries the push password to the pool's registry entry. */
const REGISTRY_PASSWORD_ENV = "AZBR_REGISTRY_PASSWORD";

function loadWorkload(inputs: Inputs, text: string, fileName: string, built?: BuiltImage, registryPassword?: string): Workload {
  let raw = parseSpecText(text, fileName) as Record<string, any>;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new UsageError("input spec: the spec must be a mapping with pool, job and tasks");
  if (built) raw = useBuiltImage(raw, built, REGISTRY_PASSWORD_ENV);
  // The overrides of the common fields go into the spec before it is checked.
  if (inputs.poolId) raw.pool = { ...raw.pool, id: inputs.poolId };
  if (inputs.vmSize) raw.pool = { ...raw.pool, vmSize: inputs.vmSize };
  if (inputs.nodes !== undefined) raw.pool = { ...raw.pool, nodes: { ...(raw.pool?.nodes ?? {}), dedicated: inputs.nodes } };
  if (inputs.jobId) raw.job = { ...raw.job, id: inputs.jobId };
  return loadSpecObject(raw, {
    vars: inputs.vars,
    env: { ...specEnvironment(process.env, inputs.envAllow), ...(built && registryPassword ? { [REGISTRY_PASSWORD_ENV]: registryPassword } : {}) },
    envHint: "the Action passes the step's variables, not the runner's own: name it in the env-allow input",
    roots: { github: githubRoot(), ...(built ? { build: { image: built.digestRef, digest: built.digest, name: built.name } } : {}) },
    fileName,
  });
}

async function clientFor(inputs: Inputs, workload: Workload, credential: BatchCredential | undefined): Promise<{ client: BatchClient; close(): Promise<void> }> {
  const callTimeoutMs = inputs.timeoutSeconds * 1000;
  const userAgentPrefix = `azure-batch-run-action`;
  if (inputs.mode === "local") {
    const { startLocalBatch } = await import("../local-batch/start.js");
    const local = await startLocalBatch({ warn: (m) => core.warning(m) });
    core.setSecret(local.accountKey);
    core.info(`local Batch service on ${local.accountUrl} (executor: ${local.executor})`);
    const client = new BatchClient({
      accountUrl: local.accountUrl,
      auth: { kind: "sharedKey", accountName: local.accountName, accountKey: local.accountKey },
      arm: { credential: { getToken: async () => ({ token: "local-dev-token", expiresOnTimestamp: Date.now() + 3_600_000 }) }, endpoint: local.armEndpoint },
      callTimeoutMs,
      userAgentPrefix,
      hooks: { log: (line) => core.debug(line) },
    });
    return { client, close: async () => (await client.close(), await local.close()) };
  }
  const accountUrl = resolveAccountUrl(inputs.accountUrl, workload.spec.account?.url, process.env);
  if (!accountUrl) throw new UsageError(ACCOUNT_URL_REQUIRED);
  const client = createBatchClient({ accountUrl, credential: credential ?? credentialFor(inputs), callTimeoutMs, userAgentPrefix, hooks: { log: (line) => core.debug(line) } });
  return { client, close: () => client.close() };
}

/** A JSON file with every task's result, for later steps. */
async function writeResult(result: RunResult): Promise<string> {
  const path = join(process.env.RUNNER_TEMP ?? process.cwd(), `azure-batch-run-${result.jobId}.json`);
  await writeFile(path, JSON.stringify({ jobId: result.jobId, poolId: result.poolId, succeeded: result.succeeded, tasks: result.outcomes, addFailures: result.addFailures, blocked: result.blocked ?? [], jobEnded: result.jobEnded }, null, 2));
  return path;
}

export async function run(): Promise<void> {
  const redactor = new Redactor();
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort(new Error(`${signal} received`)));
  let close: (() => Promise<void>) | undefined;
  try {
    const inputs = getInputs();
    redactor.add(inputs.accountKey);
    const { text, fileName } = await readSpec(inputs.spec);
    const build = buildInputs();
    // One credential for the whole step: the registry exchange and the Batch calls share its tokens.
    const credential = inputs.mode === "azure" || inputs.clientId ? credentialFor(inputs) : undefined;
    redactor.add(build.registryPassword);
    let built: BuiltImage | undefined;
    if (wantsBuild(build)) {
      const c = github.context;
      // The spec and the account are checked before anything is built or pushed: bad input leaves nothing behind.
      const planned = plannedImage(build, { sha: c.sha, repository: `${c.repo.owner}/${c.repo.repo}` });
      const placeholder = `${planned.registry}/${planned.repository}@sha256:${"0".repeat(64)}`;
      const checked = loadWorkload(inputs, text, fileName, { name: planned.name, digestRef: placeholder, digest: placeholder.slice(placeholder.indexOf("@") + 1), registry: planned.registry, username: build.registryUsername ?? ACR_TOKEN_USER, password: "placeholder", rebuilt: true }, "placeholder");
      if (inputs.mode === "azure" && !resolveAccountUrl(inputs.accountUrl, checked.spec.account?.url, process.env)) throw new UsageError(ACCOUNT_URL_REQUIRED);
      const entra = credential && isTokenCredential(credential) ? { credential, tenant: inputs.tenantId } : undefined;
      built = await buildAndPush(build, { sha: c.sha, repository: `${c.repo.owner}/${c.repo.repo}`, serverUrl: c.serverUrl }, entra);
      core.setOutput("image", built.name);
      core.setOutput("digest", built.digest);
    }
    const workload = loadWorkload(inputs, text, fileName, built, built?.password);
    for (const secret of workload.secrets) {
      core.setSecret(secret);
      redactor.add(secret);
    }
    const opened = await clientFor(inputs, workload, credential);
    close = opened.close;
    const client = opened.client;
    saveState({ accountUrl: client.accountUrl.href, jobId: workload.job.id, poolId: workload.pool.id, finished: false });

    const reporter = actionsReporter({ maxLogLines: inputs.maxLogLines });
    // The post step cleans up (policy `created` maps to the run's created flags there).
    const result = await runWorkload(client, workload, reporter, {
      wait: inputs.wait,
      cleanup: inputs.mode === "local" ? localCleanup(inputs) : "none",
      signal: controller.signal,
      pollIntervalMs: inputs.mode === "local" ? 500 : undefined,
      // Saved at once, so that post cleans up what was created even after a cancel or a failure.
      onCreated: (created) => saveState({ created }),
    });
    saveState({ created: result.created, finished: inputs.wait });

    const failed = result.outcomes.filter((o) => o.result === "failure").length + result.addFailures.length + (result.blocked?.length ?? 0);
    core.setOutput("pool-id", result.poolId);
    core.setOutput("job-id", result.jobId);
    core.setOutput("tasks-total", result.outcomes.length + result.addFailures.length + (result.blocked?.length ?? 0));
    core.setOutput("tasks-succeeded", result.outcomes.filter((o) => o.result === "success").length);
    core.setOutput("tasks-failed", failed);
    core.setOutput("result", await writeResult(result));
    await writeSummary(result, workload, client.accountUrl, built, inputs.tenantId, reporter.warnings);
    if (!result.succeeded && inputs.failOnTaskFailure) throw new TasksFailedError(`${failed} task${failed === 1 ? "" : "s"} of job ${result.jobId} failed`);
  } catch (error) {
    const category = classifyError(error);
    core.setFailed(`${category === "usage" ? "invalid input" : category === "task" ? "tasks failed" : category}: ${redactor.text(error instanceof Error ? error.message : String(error))}`);
  } finally {
    await close?.();
  }
}

/** On the local service, nothing outlives the step: its cleanup is done by the run itself. */
function localCleanup(inputs: Inputs): "job" | "pool" | "none" {
  return inputs.cleanup === "none" ? "none" : "pool";
}
