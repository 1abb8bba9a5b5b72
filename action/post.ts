/**
 * The post step (`post-if: always()`). It acts only on what main recorded as this run's own, per
 * the cleanup input, one line per action, and never repeats main's error:
 * - mode local: what the step's local service left (containers, processes, its data folder) goes,
 *   whatever ended main (a SIGKILL included);
 * - a job this run created and main did not see to its end is terminated; a job or pool it did not
 *   create is never terminated, and a pool is not deleted while another job has tasks on it;
 * - `wait: false`, once every task was submitted: the job is left running, on purpose;
 * - the registry login main made is logged out of.
 * Cleaning up only warns: it never fails the job.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as core from "@actions/core";
import { BatchServiceError, cleanup, createBatchClient, createdByRun, terminateJob, type BatchClient, type CleanupTarget } from "azure-batch-run";
import { credentialFor } from "./auth.js";
import { getInputs, type Inputs } from "./context.js";
import { readState, type SavedState } from "./state.js";

const run = promisify(execFile);

/** Whether the pool or job carries this run's id (main may have been killed before it heard the create's answer). */
async function carriesRunId(client: BatchClient, kind: "pools" | "jobs", id: string, runId: string): Promise<boolean> {
  try {
    const { metadata } = await client.json<{ metadata?: { name: string; value: string }[] }>("GET", `/${kind}/${encodeURIComponent(id)}`, {
      query: { $select: "id,metadata" },
    });
    return createdByRun(metadata, runId);
  } catch (error) {
    if (error instanceof BatchServiceError && error.statusCode === 404) return false;
    throw error;
  }
}

async function logout(registry: string): Promise<void> {
  try {
    await run("docker", ["logout", registry]);
    core.info(`logged out of ${registry}`);
  } catch (error) {
    core.warning(`could not log out of ${registry}: ${(error as Error).message}`);
  }
}

/** Mode local: the containers, processes and data folder of the step's local service, after any end of main. */
async function sweepLocal(state: SavedState): Promise<void> {
  if (!state.localRuntimeDir) return;
  const { sweepLeases } = await import("../local-batch/runtime/leftovers.js");
  const { dockerExecutor, dockerReachable } = await import("../local-batch/runtime/executors.js");
  const swept = sweepLeases(state.localRuntimeDir);
  const containers = (await dockerReachable()) ? await dockerExecutor(`${state.localRuntimeDir}-docker-config`).sweep!() : 0;
  const { rm } = await import("node:fs/promises");
  await rm(state.localRuntimeDir, { recursive: true, force: true });
  await rm(`${state.localRuntimeDir}-docker-config`, { recursive: true, force: true });
  if (swept.processGroups || swept.dataDirs || containers) {
    core.info(
      `removed what the local Batch service left: ${containers} container(s), ${swept.processGroups} process group(s), ${swept.dataDirs} data folder(s)`,
    );
  }
}

/** The job and pool ids: as saved, or, when a secret is part of one, from the spec loaded again as main loaded it. */
async function idsOf(state: SavedState, inputs: Inputs): Promise<{ jobId: string; poolId: string } | undefined> {
  if (!state.jobId || !state.poolId) return undefined;
  if (!state.idsMasked) return { jobId: state.jobId, poolId: state.poolId };
  const { workloadForIds } = await import("./main.js");
  const workload = await workloadForIds(inputs);
  // Masked again for this step's log before anything can print them.
  for (const secret of workload.secrets) core.setSecret(secret);
  return { jobId: workload.job.id, poolId: workload.pool.id };
}

export async function post(): Promise<void> {
  const state = readState();
  try {
    if (state.registry) await logout(state.registry);
    if (state.mode === "local") return await sweepLocal(state);
    if (!state.accountUrl || !state.runId) return;
    const inputs = getInputs();
    const ids = await idsOf(state, inputs);
    if (!ids) return;
    const client = createBatchClient({ accountUrl: state.accountUrl, credential: credentialFor(inputs), cloud: inputs.cloud, callTimeoutMs: 60_000 });
    const reporter = { info: (m: string) => core.info(m), warn: (m: string) => core.warning(m), progress() {}, taskCompleted() {} };
    try {
      // What main created, and what it may have created without hearing the answer: its id is in the metadata.
      const created = { pool: false, job: false, ...state.created };
      if (!created.pool && !state.reused?.pool) created.pool = await carriesRunId(client, "pools", ids.poolId, state.runId);
      if (!created.job && !state.reused?.job) created.job = await carriesRunId(client, "jobs", ids.jobId, state.runId);
      const reusedJob = Boolean(state.reused?.job);
      // Nothing of this run's: nothing to do, and nothing to say.
      if (!created.pool && !created.job && !reusedJob) return;
      if (state.wait === false && state.submitted) {
        core.info(`job ${ids.jobId} left running (wait: false); follow it with azure-batch-run status ${ids.jobId}, clean up with cleanup once it is done`);
        return;
      }
      if (!state.finished) {
        if (created.job) {
          const outcome = await terminateJob(client, ids.jobId, { reason: "The workflow step ended before its tasks (cancelled or failed)" });
          core.info(`job ${ids.jobId}: ${outcome === "terminated" ? "terminated" : outcome === "alreadyEnded" ? "had already ended" : "not found"}`);
        } else if (reusedJob) {
          core.info(`job ${ids.jobId} left as it is: this run added its tasks to a job it did not create, whose other tasks may be another run's`);
        }
      }
      const target: CleanupTarget = {};
      const pool = () => Object.assign(target, { poolId: ids.poolId, poolArmPath: created.poolArmPath });
      if (inputs.cleanup === "created") {
        if (created.job) target.jobId = ids.jobId;
        if (created.pool) pool();
      } else if (inputs.cleanup === "job" || inputs.cleanup === "pool") {
        // A job this run did not create is deleted only once its tasks are done, as asked.
        if (created.job || (reusedJob && state.finished)) target.jobId = ids.jobId;
        if (inputs.cleanup === "pool" && created.pool) pool();
      }
      if (target.jobId || target.poolId) await cleanup(client, target, reporter);
    } finally {
      await client.close();
    }
  } catch (error) {
    core.warning(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
  }
}
