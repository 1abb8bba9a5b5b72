/** A local Batch service (process executor) and a client for it through the public API; both closed by the caller's `toClose`. */
import { createBatchClient, type BatchClient } from "azure-batch-run";
import type { FaultOptions } from "../../local-batch/service.js";
import { startLocalBatch, type StartedLocalBatch } from "../../local-batch/start.js";

export async function localAccount(toClose: (() => Promise<void>)[], faults?: FaultOptions): Promise<{ local: StartedLocalBatch; client: BatchClient }> {
  const local = await startLocalBatch({ executor: "process", faults });
  const client = createBatchClient({ accountUrl: local.accountUrl, credential: { accountName: local.accountName, accountKey: local.accountKey } });
  toClose.push(
    () => local.close(),
    () => client.close(),
  );
  return { local, client };
}
