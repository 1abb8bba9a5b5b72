/**
 * The post step (`post-if: always()`): after a cancel or a failure mid-run, the job is terminated;
 * then what the cleanup input asks for is deleted, limited to what the run may remove. It only
 * warns: cleaning up never fails the job.
 */
import * as core from "@actions/core";
import { cleanup, createBatchClient, terminateJob, type CleanupTarget } from "azure-batch-run";
import { credentialFor } from "./auth.js";
import { getInputs } from "./context.js";
import { readState } from "./state.js";

export async function post(): Promise<void> {
  try {
    const inputs = getInputs();
    const state = readState();
    // The local service lived and ended in the main step.
    if (inputs.mode === "local" || !state.accountUrl || !state.jobId) return;
    const client = createBatchClient({ accountUrl: state.accountUrl, credential: credentialFor(inputs), callTimeoutMs: 60_000 });
    const reporter = { info: (m: string) => core.info(m), warn: (m: string) => core.warning(m), progress() {}, taskCompleted() {} };
    try {
      if (!state.finished) {
        const outcome = await terminateJob(client, state.jobId, { reason: "The workflow step ended before its tasks (cancelled or failed)" });
        core.info(`job ${state.jobId}: ${outcome === "terminated" ? "terminated" : outcome === "alreadyEnded" ? "had already ended" : "not found"}`);
      }
      const created = state.created ?? { pool: false, job: false };
      const target: CleanupTarget = {};
      if (inputs.cleanup === "created") {
        if (created.job) target.jobId = state.jobId;
        if (created.pool) Object.assign(target, { poolId: state.poolId, poolArmPath: created.poolArmPath });
      } else if (inputs.cleanup === "job" || inputs.cleanup === "pool") {
        target.jobId = state.jobId;
        if (inputs.cleanup === "pool" && created.pool) Object.assign(target, { poolId: state.poolId, poolArmPath: created.poolArmPath });
      }
      if (target.jobId || target.poolId) await cleanup(client, target, reporter);
    } finally {
      await client.close();
    }
  } catch (error) {
    core.warning(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
  }
}
