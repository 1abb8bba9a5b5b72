/** Pools: add (nodes start in the background), delete, patch, resize, and their views. */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { API_VERSION, type ApiVersion } from "../../shared/batch/apiVersion.js";
import { MAX_POOL_PACKAGES } from "../../shared/batch/applications.js";
import { resolveReference } from "../applications.js";
import type { PoolAddParameter } from "../../shared/batch/types.js";
import { validateBody } from "../bodies.js";
import { describeImage, findSupportedImage, pastEndOfLife, SUPPORTED_IMAGES } from "../../shared/batch/images.js";
import { BatchErrors, exists, invalidBody, invalidValue, notFound } from "../errors.js";
import { checkPoolLimits, checkResizeTimeout } from "../limits.js";
import { removeNodes, restartNode, startNodes, startPool, type DeallocationOption } from "../scheduler/nodes.js";
import { BATCH_ID, created, etag, ID_RULE, newNode, now, poolOf, type NodeRecord, type PoolRecord, type Reply, type ServiceContext } from "../state.js";
import { allocatable, coresInUse, quotasOf, skuOf } from "../account.js";

const maxNodes = (ctx: ServiceContext) => ctx.options.maxNodesPerPool ?? 2;

const isSpot = (n: NodeRecord) => n.lowPriority === true;

/** The nodes a pool may have of those asked for: within the account's core quotas (what other pools hold counted) and this machine's bound. */
function nodesAllowed(ctx: ServiceContext, pool: PoolRecord, wanted: { dedicated: number; lowPriority: number }) {
  const others = [...ctx.pools.values()]
    .filter((p) => p !== pool)
    .map((p) => ({ vmSize: p.body.vmSize, dedicated: p.nodes.filter((n) => !isSpot(n)).length, lowPriority: p.nodes.filter(isSpot).length }));
  const room = allocatable(quotasOf(ctx.options.account), coresInUse(others), pool.body.vmSize, wanted);
  // This machine's bound: dedicated nodes first.
  const dedicated = Math.min(room.dedicated, maxNodes(ctx));
  const lowPriority = Math.min(room.lowPriority, maxNodes(ctx) - dedicated);
  return { dedicated, lowPriority, errors: room.errors };
}

/**
 * As Batch does: a pool's image must be one the account lists (`GET /supportedimages`) with that
 * node agent and not past its end of life; a gallery image needs a node agent the account lists;
 * a Docker container pool needs an image with the DockerCompatible capability.
 */
function checkImage(body: PoolAddParameter): void {
  const vmc = body.virtualMachineConfiguration;
  if (!vmc) throw invalidBody("the required property virtualMachineConfiguration is missing", "virtualMachineConfiguration");
  const now = Date.now();
  const agent = vmc.nodeAgentSKUId;
  const ref = vmc.imageReference;
  if (ref.virtualMachineImageId) {
    if (!SUPPORTED_IMAGES.some((i) => i.nodeAgentSKUId.toLowerCase() === agent.toLowerCase() && !pastEndOfLife(i, now))) {
      throw invalidValue(
        "virtualMachineConfiguration.nodeAgentSKUId",
        `The node agent SKU '${agent}' is not supported by the Batch service; see GET /supportedimages.`,
      );
    }
    return;
  }
  const info = findSupportedImage(SUPPORTED_IMAGES, ref);
  if (!info)
    throw invalidValue(
      "virtualMachineConfiguration.imageReference",
      `The image ${describeImage(ref)} is not supported by the Batch service; see GET /supportedimages.`,
    );
  if (info.nodeAgentSKUId.toLowerCase() !== agent.toLowerCase()) {
    throw invalidValue(
      "virtualMachineConfiguration.nodeAgentSKUId",
      `The node agent SKU '${agent}' does not support the image ${describeImage(ref)}, whose node agent is '${info.nodeAgentSKUId}'.`,
    );
  }
  if (pastEndOfLife(info, now)) {
    throw invalidValue(
      "virtualMachineConfiguration.imageReference",
      `The image ${describeImage(ref)} reached its Batch support end of life on ${info.batchSupportEndOfLife!.slice(0, 10)}; new pools cannot use it.`,
    );
  }
  if (vmc.containerConfiguration?.type?.toLowerCase() === "dockercompatible" && !(info.capabilities ?? []).includes("DockerCompatible")) {
    throw invalidValue("virtualMachineConfiguration.containerConfiguration", `The image ${describeImage(ref)} does not have the DockerCompatible capability.`);
  }
}

export function addPool(ctx: ServiceContext, body: PoolAddParameter, identities?: string[]): Reply {
  validateBody(body, "PoolAdd");
  if (!BATCH_ID.test(body.id)) throw invalidValue("id", ID_RULE);
  checkPoolLimits(body);
  checkImage(body);
  if (ctx.pools.has(body.id.toLowerCase())) throw exists("Pool", body.id);
  checkPackageReferences(ctx, body.applicationPackageReferences);
  if (body.enableAutoScale) throw invalidValue("enableAutoScale", "autoscale formulas are not evaluated by the local Batch service; give targetDedicatedNodes");
  if (!skuOf(body.vmSize))
    throw invalidValue(
      "vmSize",
      `The VM size ${body.vmSize} is not offered by Batch in the account's region; Location_ListSupportedVirtualMachineSkus lists those that are.`,
    );
  const quotas = quotasOf(ctx.options.account);
  if (ctx.pools.size >= quotas.pools)
    throw BatchErrors.conflict("PoolQuotaReached", "The specified account has reached its pool quota.", [{ key: "PoolQuota", value: String(quotas.pools) }]);
  const t = now();
  const record: PoolRecord = {
    body,
    creationTime: t,
    stateTransitionTime: t,
    allocationState: "resizing",
    allocationStateTransitionTime: t,
    state: "active",
    eTag: etag(),
    lastModified: t,
    nodes: [],
    nextNodeIndex: 1,
    resizeErrors: [],
    abort: new AbortController(),
    ...(identities?.length ? { identities } : {}),
  };
  const allowed = nodesAllowed(ctx, record, { dedicated: body.targetDedicatedNodes ?? 0, lowPriority: body.targetLowPriorityNodes ?? 0 });
  for (let i = 0; i < allowed.dedicated; i++) record.nodes.push(newNode(record));
  for (let i = 0; i < allowed.lowPriority; i++) record.nodes.push(newNode(record, true));
  record.resizeErrors = allowed.errors;
  ctx.pools.set(body.id.toLowerCase(), record);
  void ctx.track(startPool(ctx, record));
  return created(ctx, `/pools/${body.id}`, record);
}

/** A pool's package references: at most 10, each naming an active package of this account by the application's resource id. */
function checkPackageReferences(ctx: ServiceContext, refs: PoolAddParameter["applicationPackageReferences"]): void {
  if (!refs?.length) return;
  if (refs.length > MAX_POOL_PACKAGES)
    throw invalidValue(
      "applicationPackageReferences",
      `There is a maximum of ${MAX_POOL_PACKAGES} application package references on a pool; ${refs.length} were given.`,
    );
  const invalid = refs.flatMap((ref) => {
    const r = resolveReference(ctx, ref, true);
    return r.ok ? [] : [{ key: ref.applicationId, value: r.reason }];
  });
  if (invalid.length)
    throw BatchErrors.conflict("InvalidApplicationPackageReferences", "One or more of the specified application package references are invalid.", invalid);
}

export function deletePool(ctx: ServiceContext, id: string): Reply {
  const pool = poolOf(ctx, id);
  pool.state = "deleting";
  pool.abort.abort(new Error("pool deleted"));
  for (const job of ctx.jobs.values()) {
    if (job.body.poolInfo.poolId?.toLowerCase() === id.toLowerCase()) for (const t of job.tasks.values()) t.abort?.abort(new Error("pool deleted"));
  }
  ctx.pools.delete(id.toLowerCase());
  void ctx.track(rm(join(ctx.options.dataDir, "pools", pool.body.id), { recursive: true, force: true }));
  return { status: 202 };
}

export function patchPool(ctx: ServiceContext, id: string, body: unknown): Reply {
  validateBody(body, "PoolPatch");
  const pool = poolOf(ctx, id);
  const patch = body as Partial<PoolAddParameter>;
  if (patch.vmSize !== undefined || patch.taskSlotsPerNode !== undefined)
    throw invalidValue(patch.vmSize !== undefined ? "vmSize" : "taskSlotsPerNode", "cannot be changed on an existing pool");
  Object.assign(pool.body, patch);
  pool.eTag = etag();
  pool.lastModified = now();
  return { status: 200, headers: { etag: pool.eTag } };
}

const DEALLOCATION_OPTIONS: DeallocationOption[] = ["requeue", "terminate", "taskcompletion", "retaineddata"];

/** The option a body names (Batch's default: requeue), read case-insensitively as the service reads enums. */
function optionOf(value: unknown, property: string): DeallocationOption {
  if (value === undefined) return "requeue";
  const option = DEALLOCATION_OPTIONS.find((o) => o === String(value).toLowerCase());
  if (!option) throw invalidValue(property, `expected one of ${DEALLOCATION_OPTIONS.join(", ")}`);
  return option;
}

/** Resize and node removal need a steady pool, as Batch's do (409 PoolBeingResized otherwise). */
function steadyPool(ctx: ServiceContext, id: string, body: { resizeTimeout?: string }): PoolRecord {
  checkResizeTimeout(body.resizeTimeout);
  const pool = poolOf(ctx, id);
  if (pool.allocationState !== "steady")
    throw BatchErrors.conflict("PoolBeingResized", "The specified pool is being resized.", [{ key: "Id", value: pool.body.id }]);
  return pool;
}

/**
 * Changes the number of nodes. New ones get ids no node had and start as a pool's first nodes do;
 * going down, the service picks the nodes (idle ones first) and empties them as
 * `nodeDeallocationOption` says before they go. The pool is `resizing` until the last has gone.
 */
export function resizePool(ctx: ServiceContext, id: string, body: unknown): Reply {
  validateBody(body, "PoolResize");
  const b = body as { targetDedicatedNodes?: number; targetLowPriorityNodes?: number; resizeTimeout?: string; nodeDeallocationOption?: string };
  const option = optionOf(b.nodeDeallocationOption, "nodeDeallocationOption");
  const pool = steadyPool(ctx, id, b);
  pool.body.targetDedicatedNodes = b.targetDedicatedNodes ?? 0;
  pool.body.targetLowPriorityNodes = b.targetLowPriorityNodes ?? 0;
  const allowed = nodesAllowed(ctx, pool, { dedicated: pool.body.targetDedicatedNodes, lowPriority: pool.body.targetLowPriorityNodes });
  pool.resizeErrors = allowed.errors;
  const leaving: NodeRecord[] = [];
  const added: NodeRecord[] = [];
  for (const spot of [false, true]) {
    const staying = pool.nodes.filter((n) => !n.draining && isSpot(n) === spot);
    const target = spot ? allowed.lowPriority : allowed.dedicated;
    // Idle nodes go first, then those running least.
    leaving.push(...[...staying].sort((x, y) => x.running.size - y.running.size).slice(0, Math.max(0, staying.length - target)));
    for (let n = staying.length; n < target; n++) added.push(newNode(pool, spot));
  }
  pool.nodes.push(...added);
  pool.allocationState = "resizing";
  pool.allocationStateTransitionTime = now();
  // Nodes are allocated at once here; the pool is steady again when the last leaving node has gone.
  void ctx.track(startNodes(ctx, pool, added));
  void ctx.track(removeNodes(ctx, pool, leaving, option).then(() => settle(ctx, pool)));
  pool.eTag = etag();
  return { status: 202, headers: { etag: pool.eTag } };
}

/** Removes the listed nodes (at most 100), emptied as `nodeDeallocationOption` says; the pool's target goes down by as many. */
export function removePoolNodes(ctx: ServiceContext, id: string, body: unknown): Reply {
  validateBody(body, "NodeRemove");
  const b = body as { nodeList: string[]; resizeTimeout?: string; nodeDeallocationOption?: string };
  if (b.nodeList.length > 100) throw invalidValue("nodeList", "at most 100 nodes may be removed per request");
  const option = optionOf(b.nodeDeallocationOption, "nodeDeallocationOption");
  const pool = steadyPool(ctx, id, b);
  const nodes = [...new Set(b.nodeList.map((n) => nodeOf(pool, n)))];
  const spot = nodes.filter(isSpot).length;
  pool.body.targetDedicatedNodes = Math.max(0, (pool.body.targetDedicatedNodes ?? 0) - (nodes.length - spot));
  pool.body.targetLowPriorityNodes = Math.max(0, (pool.body.targetLowPriorityNodes ?? 0) - spot);
  pool.allocationState = "resizing";
  pool.allocationStateTransitionTime = now();
  void ctx.track(removeNodes(ctx, pool, nodes, option).then(() => settle(ctx, pool)));
  pool.eTag = etag();
  return { status: 202, headers: { etag: pool.eTag } };
}

function settle(ctx: ServiceContext, pool: PoolRecord): void {
  if (pool.nodes.some((n) => n.draining === "leavingpool")) return;
  pool.allocationState = "steady";
  pool.allocationStateTransitionTime = now();
  ctx.touch();
}

function nodeOf(pool: PoolRecord, nodeId: string): NodeRecord {
  const node = pool.nodes.find((n) => n.id.toLowerCase() === nodeId.toLowerCase());
  if (!node) throw notFound("Node", nodeId);
  return node;
}

/** A node by id, as GET /pools/{id}/nodes/{nodeId} answers. */
export function getNode(ctx: ServiceContext, poolId: string, nodeId: string): NodeRecord {
  return nodeOf(poolOf(ctx, poolId), nodeId);
}

/** Reboot or reimage a node that is idle or running; its tasks are handled as the option says (default requeue). */
export function restartPoolNode(ctx: ServiceContext, poolId: string, nodeId: string, kind: "reboot" | "reimage", body: unknown): Reply {
  const property = kind === "reboot" ? "nodeRebootOption" : "nodeReimageOption";
  if (body !== undefined) validateBody(body, kind === "reboot" ? "NodeReboot" : "NodeReimage");
  const option = optionOf((body as Record<string, unknown> | undefined)?.[property], property);
  const pool = poolOf(ctx, poolId);
  const node = nodeOf(pool, nodeId);
  if (node.draining || !(node.state === "idle" || node.state === "running")) {
    const code =
      node.draining === "rebooting"
        ? "NodeBeingRebooted"
        : node.draining === "reimaging"
          ? "NodeBeingReimaged"
          : node.state === "unusable"
            ? "NodeStateUnusable"
            : "OperationInvalidForCurrentState";
    throw BatchErrors.conflict(
      code,
      `A node can be ${kind === "reboot" ? "rebooted" : "reimaged"} only when it is idle or running; ${node.id} is ${node.draining ?? node.state}.`,
      [{ key: "Id", value: node.id }],
    );
  }
  void ctx.track(restartNode(ctx, pool, node, kind === "reboot" ? "rebooting" : "reimaging", option));
  return { status: 202 };
}

/** The service never returns registry passwords. */
function withoutPasswords<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === "password" ? undefined : v)));
}

export function poolView(ctx: ServiceContext, p: PoolRecord, version: ApiVersion = API_VERSION): Record<string, unknown> {
  const b = p.body;
  return {
    id: b.id,
    ...(b.displayName ? { displayName: b.displayName } : {}),
    url: `${ctx.baseUrl}/pools/${b.id}`,
    eTag: p.eTag,
    lastModified: p.lastModified,
    creationTime: p.creationTime,
    state: p.state,
    stateTransitionTime: p.stateTransitionTime,
    allocationState: p.allocationState,
    allocationStateTransitionTime: p.allocationStateTransitionTime,
    vmSize: b.vmSize.toLowerCase(),
    ...(b.virtualMachineConfiguration ? { virtualMachineConfiguration: withoutPasswords(b.virtualMachineConfiguration) } : {}),
    resizeTimeout: b.resizeTimeout ?? "PT15M",
    ...(p.resizeErrors.length ? { resizeErrors: p.resizeErrors } : {}),
    currentDedicatedNodes: p.nodes.filter((n) => !isSpot(n)).length,
    currentLowPriorityNodes: p.nodes.filter(isSpot).length,
    targetDedicatedNodes: b.targetDedicatedNodes ?? 0,
    targetLowPriorityNodes: b.targetLowPriorityNodes ?? 0,
    enableAutoScale: false,
    enableInterNodeCommunication: b.enableInterNodeCommunication ?? false,
    ...(b.startTask ? { startTask: withoutPasswords(b.startTask) } : {}),
    ...(b.applicationPackageReferences?.length ? { applicationPackageReferences: b.applicationPackageReferences } : {}),
    taskSlotsPerNode: b.taskSlotsPerNode ?? 1,
    // 2025-06-01 added the pool's default job order.
    taskSchedulingPolicy: version === "2024-07-01.20.0" ? { nodeFillType: "spread" } : { nodeFillType: "spread", jobDefaultOrder: "none" },
    ...(b.metadata ? { metadata: b.metadata } : {}),
    ...(p.identities?.length ? { identity: { type: "UserAssigned", userAssignedIdentities: p.identities.map((resourceId) => ({ resourceId })) } } : {}),
  };
}

export function nodeView(ctx: ServiceContext, poolId: string, n: NodeRecord): Record<string, unknown> {
  return {
    // A draining node (leaving, or waiting to reboot) takes no new task.
    id: n.id,
    url: `${ctx.baseUrl}/pools/${poolId}/nodes/${n.id}`,
    state: n.state,
    schedulingState: n.draining ? "disabled" : "enabled",
    stateTransitionTime: n.stateTransitionTime,
    ipAddress: "127.0.0.1",
    vmSize: ctx.pools.get(poolId.toLowerCase())?.body.vmSize.toLowerCase(),
    totalTasksRun: n.totalTasksRun,
    runningTasksCount: n.running.size,
    runningTaskSlotsCount: n.usedSlots,
    totalTasksSucceeded: n.totalTasksSucceeded,
    isDedicated: !isSpot(n),
    ...(n.startTaskInfo ? { startTaskInfo: n.startTaskInfo } : {}),
    ...(n.errors ? { errors: n.errors } : {}),
  };
}
