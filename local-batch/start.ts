/**
 * Starting the local Batch service in-process, as `run --local` and `npm start` do: a random
 * account key, a data directory, and the executor (Docker when an engine answers, else processes).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerExecutor, dockerReachable, processExecutor, type Executor } from "./runtime/executors.js";
import { LocalBatchService, type FaultOptions } from "./service.js";
import type { IdentityRegistry, IdentityStorage, LocalBatchOptions } from "./state.js";

export type ExecutorChoice = "auto" | "docker" | "process";

export interface StartedLocalBatch {
  service: LocalBatchService;
  accountUrl: string;
  accountName: string;
  accountKey: string;
  executor: Executor["kind"];
  /** Stops the service; removes its data folder when `startLocalBatch` made it. */
  close(): Promise<void>;
  /** Where its Azure Resource Manager side is (bearer tokens, any: there is no Entra ID here). */
  armEndpoint: string;
}

export class ExecutorUnavailableError extends Error {
  override readonly name = "ExecutorUnavailableError";
}

export async function chooseExecutor(choice: ExecutorChoice, dataDir: string, warn: (m: string) => void): Promise<Executor> {
  if (choice === "process") return processExecutor();
  const reachable = await dockerReachable();
  if (reachable) return dockerExecutor(join(dataDir, "docker-config"));
  if (choice === "docker") {
    throw new ExecutorUnavailableError("--executor docker: no Docker engine answers (set DOCKER_HOST, or start dockerd)");
  }
  warn("no Docker engine answers: tasks run as host processes in their working directories, and container images are not used");
  return processExecutor();
}

export async function startLocalBatch(
  options: {
    executor?: ExecutorChoice;
    dataDir?: string;
    faults?: FaultOptions;
    warn?: (m: string) => void;
    maxNodesPerPool?: number;
    identityRegistries?: IdentityRegistry[];
    identityStorage?: IdentityStorage[];
    onExchange?: LocalBatchOptions["onExchange"];
    runtimeDir?: string;
    /** The account's quotas (default generous). */
    account?: LocalBatchOptions["account"];
  } = {},
): Promise<StartedLocalBatch> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "local-batch-")));
  const ownsDataDir = options.dataDir === undefined;
  const executor = await chooseExecutor(options.executor ?? "auto", dataDir, options.warn ?? (() => {}));
  const accountName = "local";
  const accountKey = randomBytes(32).toString("base64");
  const service = new LocalBatchService({
    accountName,
    accountKey,
    dataDir,
    ownsDataDir,
    runtimeDir: options.runtimeDir,
    executor,
    faults: options.faults,
    maxNodesPerPool: options.maxNodesPerPool,
    identityRegistries: options.identityRegistries,
    identityStorage: options.identityStorage,
    onExchange: options.onExchange,
    account: options.account,
  });
  const accountUrl = await service.listen();
  const close = async () => {
    await service.close();
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
  };
  return { service, accountUrl, accountName, accountKey, executor: executor.kind, close, armEndpoint: `${accountUrl}/arm` };
}
