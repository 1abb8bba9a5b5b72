/**
 * Creates the pool, or reuses an existing one that matches, then waits until it is steady and
 * has a node able to run tasks. Resize errors, failed start tasks and unusable nodes become errors
 * that say what happened instead of a wait that never ends.
 */
import type { CloudPool, ComputeNode, PoolAddParameter } from "../batch/types.js";
import type { BatchClient } from "../client/batchClient.js";
import { BatchServiceError } from "../client/errors.js";
import { sleep } from "../sleep.js";
import { parseJson } from "../client/json.js";
import { checkPoolImage } from "./checkImage.js";
import { waitOutQuota, type QuotaWaitOptions } from "./quotaWait.js";
import { createdByRun, withRunId } from "./ownership.js";
import { ConflictError, PoolNotReadyError } from "./errors.js";
import type { ProgressReporter } from "./reporter.js";

export interface WaitOptions {
  signal?: AbortSignal;
  pollIntervalMs?: number;
  timeoutMs?: number;
}

const POOL_SELECT =
  "id,state,allocationState,vmSize,virtualMachineConfiguration,taskSlotsPerNode,targetDedicatedNodes,targetLowPriorityNodes,enableAutoScale,autoScaleFormula,startTask,resizeErrors,identity,metadata";

/** Field-by-field differences between the pool we want (with its managed identities, if any) and the one that exists. */
export function diffPool(wanted: PoolAddParameter, existing: CloudPool, identities?: readonly string[]): string[] {
  const diffs: string[] = [];
  const cmp = (field: string, want: unknown, have: unknown) => {
    const a = JSON.stringify(want ?? null);
    const b = JSON.stringify(have ?? null);
    if (a !== b) diffs.push(`${field}: wanted ${a}, found ${b}`);
  };
  const lower = (s?: string) => s?.toLowerCase();
  cmp("vmSize", lower(wanted.vmSize), lower(existing.vmSize));
  const wi = wanted.virtualMachineConfiguration?.imageReference ?? {};
  const hi = existing.virtualMachineConfiguration?.imageReference ?? {};
  for (const k of ["publisher", "offer", "sku", "virtualMachineImageId"] as const) cmp(`image.${k}`, lower(wi[k]), lower(hi[k]));
  cmp("nodeAgentSKUId", lower(wanted.virtualMachineConfiguration?.nodeAgentSKUId), lower(existing.virtualMachineConfiguration?.nodeAgentSKUId));
  const wc = wanted.virtualMachineConfiguration?.containerConfiguration;
  const hc = existing.virtualMachineConfiguration?.containerConfiguration;
  cmp("containerConfiguration.type", lower(wc?.type), lower(hc?.type));
  cmp("containerConfiguration.containerImageNames", [...(wc?.containerImageNames ?? [])].sort(), [...(hc?.containerImageNames ?? [])].sort());
  // Passwords are never returned by the service; compare what it does return.
  const registries = (list?: { registryServer?: string; username?: string; identityReference?: { resourceId?: string } }[]) =>
    (list ?? []).map((r) => `${lower(r.registryServer) ?? ""}|${r.username ?? ""}|${lower(r.identityReference?.resourceId) ?? ""}`).sort();
  cmp("containerConfiguration.containerRegistries", registries(wc?.containerRegistries), registries(hc?.containerRegistries));
  cmp("taskSlotsPerNode", wanted.taskSlotsPerNode ?? 1, existing.taskSlotsPerNode ?? 1);
  cmp("startTask.commandLine", wanted.startTask?.commandLine, existing.startTask?.commandLine);
  const packages = (list?: { applicationId: string; version?: string }[]) =>
    (list ?? []).map((r) => `${r.applicationId.toLowerCase()}${r.version ? `@${r.version}` : ""}`).sort();
  cmp("applicationPackageReferences", packages(wanted.applicationPackageReferences), packages(existing.applicationPackageReferences));
  if (identities) {
    cmp(
      "identity",
      identities.map((i) => i.toLowerCase()).sort(),
      (existing.identity?.userAssignedIdentities ?? []).map((i) => i.resourceId?.toLowerCase() ?? "").sort(),
    );
  }
  return diffs;
}

export interface EnsurePoolResult {
  created: boolean;
  pool: CloudPool;
}

/**
 * Creates the pool, or checks that the existing one may be reused (it matches the spec, reuse is
 * allowed, it is not being deleted). Does not wait for nodes: events must not.
 */
export interface PoolIdentityNeeds {
  /** The pool's user-assigned identities: such a pool can be created through Azure Resource Manager only. */
  identities?: readonly string[];
  /** Creates the pool through ARM; without it, a missing identity pool is an error. */
  createThroughArm?: () => Promise<void>;
}

/** How long a pool created through ARM may take to show on the data plane. */
const ARM_PROPAGATION_MS = 120_000;

/** Checks made before a pool is created. */
export interface PoolChecks {
  /** Ask `GET /supportedimages` whether the account takes the image (default true). */
  image?: boolean;
  /** The time end-of-life dates are judged at (default now). */
  now?: number;
  /** This run's id, written into the pool's metadata: a PoolExists after a lost answer is then known to be ours. */
  runId?: string;
  /** Told the moment the pool is known to be this run's creation, before any further request (a cancel may come next). */
  onCreated?: () => void;
  /** How long the account's pool quota is waited out (PoolQuotaReached). */
  quotaWait?: QuotaWaitOptions;
  /** Runs before the pool is created (the preflight); it throws when the spec cannot fit. */
  beforeCreate?: () => Promise<void>;
}

export async function ensurePoolExists(
  client: BatchClient,
  wanted: PoolAddParameter,
  reuse: boolean,
  reporter: ProgressReporter,
  signal?: AbortSignal,
  needs: PoolIdentityNeeds = {},
  checks: PoolChecks = {},
): Promise<EnsurePoolResult> {
  const path = `/pools/${encodeURIComponent(wanted.id)}`;
  const get = () => client.send("GET", path, { query: { $select: POOL_SELECT }, accept: [404], signal });
  let response = await get();
  let created = false;
  // Only a pool this run creates is checked: an existing one already has its image and its nodes.
  if (response.status === 404 && checks.beforeCreate) await checks.beforeCreate();
  else if (response.status === 404 && checks.image !== false) await checkPoolImage(client, wanted, reporter, { signal, now: checks.now });
  if (response.status === 404 && needs.identities) {
    // The data plane would create it without its identities: only ARM creates it right.
    if (!needs.createThroughArm) {
      throw new ConflictError(
        `pool ${wanted.id} does not exist, and a pool with pool.identity can be created only through Azure Resource Manager, which needs a Microsoft Entra ID credential`,
      );
    }
    await needs.createThroughArm();
    checks.onCreated?.();
    const deadline = Date.now() + ARM_PROPAGATION_MS;
    for (response = await get(); response.status === 404; response = await get()) {
      if (Date.now() > deadline)
        throw new ConflictError(
          `pool ${wanted.id} was created through Azure Resource Manager but has not appeared on the account after ${ARM_PROPAGATION_MS / 1000} s`,
        );
      await sleep(1_000, signal);
    }
    return { created: true, pool: parseJson<CloudPool>(response, "GET") };
  }
  if (response.status === 404) {
    try {
      // Safe to repeat: a repeat answers PoolExists, which is handled below like any existing pool.
      await waitOutQuota(
        `creating pool ${wanted.id}`,
        () => client.send("POST", "/pools", { body: checks.runId ? withRunId(wanted, checks.runId) : wanted, idempotent: true, signal }),
        reporter,
        { signal, ...checks.quotaWait },
      );
      created = true;
      checks.onCreated?.();
      reporter.info(`created pool ${wanted.id} (${wanted.vmSize})`);
    } catch (error) {
      if (!(error instanceof BatchServiceError && error.code === "PoolExists")) throw error;
    }
    response = await get();
    if (response.status === 404) throw new ConflictError(`pool ${wanted.id} vanished right after it was created`);
  }
  const pool = parseJson<CloudPool>(response, "GET");
  // PoolExists on a retry whose first answer was lost: the pool carries this run's id, so it is ours.
  if (!created && checks.runId && createdByRun(pool.metadata, checks.runId)) {
    created = true;
    checks.onCreated?.();
    reporter.info(`created pool ${wanted.id} (${wanted.vmSize})`);
  }
  if (!created) {
    if (!reuse) throw new ConflictError(`pool ${wanted.id} already exists and pool.reuse is false; choose another pool.id or set reuse: true`);
    if (pool.state === "deleting") throw new ConflictError(`pool ${wanted.id} is being deleted; wait for it to go, or choose another pool.id`);
    const diffs = diffPool(wanted, pool, needs.identities);
    if (diffs.length > 0) {
      throw new ConflictError(
        `pool ${wanted.id} exists but differs from the spec:\n  ${diffs.join("\n  ")}\nchange the spec to match, choose another pool.id, or delete the pool`,
      );
    }
    reporter.info(`reusing pool ${wanted.id}`);
  }
  return { created, pool };
}

/** The last bytes of a node's file (`startup/stderr.txt`), or undefined when it cannot be read. */
async function nodeFileTail(
  client: BatchClient,
  poolId: string,
  nodeId: string,
  file: string,
  signal?: AbortSignal,
  bytes = 2048,
): Promise<string | undefined> {
  // One path parameter, as the REST definition has it: the slash of "startup/stderr.txt" encoded too.
  const path = `/pools/${encodeURIComponent(poolId)}/nodes/${encodeURIComponent(nodeId)}/files/${encodeURIComponent(file)}`;
  try {
    const head = await client.send("HEAD", path, { accept: [404], signal });
    const size = Number(head.headers["content-length"] ?? 0);
    if (head.status === 404 || !(size > 0)) return undefined;
    const from = Math.max(0, size - bytes);
    const got = await client.send("GET", path, {
      headers: { "ocp-range": `bytes=${from}-${size - 1}`, accept: "application/octet-stream" },
      accept: [404],
      signal,
    });
    return got.status === 404 ? undefined : got.bodyText.trim().split("\n").slice(-5).join("\n");
  } catch {
    return undefined;
  }
}

/** A node that cannot run tasks, in one line: its state, its errors, the start task's exit and the tail of its stderr. */
async function describeBrokenNode(client: BatchClient, poolId: string, n: ComputeNode, signal?: AbortSignal): Promise<string> {
  const errors = n.errors?.length ? ` (${n.errors.map((e) => `${e.code}: ${e.message}`).join("; ")})` : "";
  if (n.state !== "starttaskfailed") return `${n.id}: ${n.state}${errors}`;
  const st = n.startTaskInfo;
  const tail = await nodeFileTail(client, poolId, n.id, "startup/stderr.txt", signal);
  return (
    `${n.id}: start task failed (exit code ${st?.exitCode ?? "?"}${st?.failureInfo ? `, ${st.failureInfo.code}: ${st.failureInfo.message}` : ""})` +
    (tail ? `; its stderr ends: ${tail.replace(/\s*\n\s*/g, " | ")}` : "")
  );
}

const BROKEN = ["starttaskfailed", "unusable", "unknown"];

/**
 * Waits until the pool is steady with a node idle or running. Resize errors (a quota reached, no
 * capacity) and nodes that cannot run tasks (unusable, start task failed: with the tail of its
 * stderr) are told once each as they appear; a pool that can get no node that runs tasks — steady
 * with resize errors and no node, or every node broken — fails at once with those reasons, and the
 * timeout's error names them too.
 */
export async function waitForPoolReady(client: BatchClient, initial: CloudPool, reporter: ProgressReporter, options: WaitOptions): Promise<CloudPool> {
  const path = `/pools/${encodeURIComponent(initial.id)}`;
  const interval = options.pollIntervalMs ?? 5_000;
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  const told = new Map<string, string>();
  const tell = (key: string, reason: string) => {
    if (told.has(key)) return;
    told.set(key, reason);
    reporter.warn(`pool ${initial.id}: ${reason}`);
  };
  let pool = initial;
  let announced = false;
  for (;;) {
    for (const e of pool.resizeErrors ?? []) {
      const values = e.values?.length ? ` (${e.values.map((v) => `${v.name} ${v.value}`).join(", ")})` : "";
      tell(`resize ${e.code} ${e.message}`, `resize error ${e.code}: ${e.message}${values}`);
    }
    if (pool.allocationState === "steady") {
      const target = (pool.targetDedicatedNodes ?? 0) + (pool.targetLowPriorityNodes ?? 0);
      if (target === 0 && !pool.enableAutoScale) {
        throw new PoolNotReadyError(`pool ${pool.id} is steady with 0 target nodes; tasks would never run. Set pool.nodes or resize the pool`);
      }
      const nodes: ComputeNode[] = [];
      for await (const n of client.list<ComputeNode>(`${path}/nodes`, { query: { $select: "id,state,startTaskInfo,errors" }, signal: options.signal }))
        nodes.push(n);
      if (nodes.some((n) => n.state === "idle" || n.state === "running")) return pool;
      if (target === 0 && pool.enableAutoScale) {
        reporter.warn(`pool ${pool.id} autoscales and has no nodes now; tasks wait until the formula adds some`);
        return pool;
      }
      const broken = nodes.filter((n) => BROKEN.includes(n.state ?? ""));
      for (const n of broken)
        if (!told.has(`node ${n.id} ${n.state}`)) tell(`node ${n.id} ${n.state}`, await describeBrokenNode(client, pool.id, n, options.signal));
      const noNodeWillCome = nodes.length === 0 && (pool.resizeErrors?.length ?? 0) > 0;
      if (noNodeWillCome || (nodes.length > 0 && broken.length === nodes.length)) {
        const reasons = [...told.values()].slice(0, 6).join("; ");
        throw new PoolNotReadyError(
          noNodeWillCome ? `pool ${pool.id} could not allocate nodes: ${reasons}` : `no node of pool ${pool.id} can run tasks: ${reasons}`,
        );
      }
    }
    if (!announced) {
      reporter.info(`waiting for pool ${pool.id} nodes (allocation ${pool.allocationState ?? "unknown"})`);
      announced = true;
    }
    if (Date.now() > deadline) {
      const reasons = told.size ? `: ${[...told.values()].slice(0, 6).join("; ")}` : "";
      throw new PoolNotReadyError(`pool ${pool.id} has no usable node after ${Math.round((options.timeoutMs ?? 1_800_000) / 60_000)} minutes${reasons}`);
    }
    await sleep(interval, options.signal);
    pool = await client.json<CloudPool>("GET", path, { query: { $select: POOL_SELECT }, signal: options.signal });
  }
}
