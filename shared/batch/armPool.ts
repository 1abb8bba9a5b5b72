/**
 * The Azure Resource Manager shape of a pool (api-version 2024-07-01) and the data-plane shape,
 * converted both ways by the same tables: where each top-level data-plane field goes in the ARM
 * resource, which keys are renamed, which enum values change case. A field the tables do not know
 * is an error, so that a field added on one side cannot be dropped on the other unnoticed.
 */
import type { PoolAddParameter } from "./types.js";

export const ARM_API_VERSION = "2024-07-01";

/** Where each top-level data-plane field goes: a path under the ARM resource, or dropped (it is in the URL). */
const PLACEMENT: Record<string, string | null> = {
  id: null,
  displayName: "properties.displayName",
  vmSize: "properties.vmSize",
  virtualMachineConfiguration: "properties.deploymentConfiguration.virtualMachineConfiguration",
  targetDedicatedNodes: "properties.scaleSettings.fixedScale.targetDedicatedNodes",
  targetLowPriorityNodes: "properties.scaleSettings.fixedScale.targetLowPriorityNodes",
  resizeTimeout: "properties.scaleSettings.fixedScale.resizeTimeout",
  // The presence of a formula is what makes an ARM pool autoscale.
  enableAutoScale: null,
  autoScaleFormula: "properties.scaleSettings.autoScale.formula",
  autoScaleEvaluationInterval: "properties.scaleSettings.autoScale.evaluationInterval",
  enableInterNodeCommunication: "properties.interNodeCommunication",
  startTask: "properties.startTask",
  applicationPackageReferences: "properties.applicationPackages",
  taskSlotsPerNode: "properties.taskSlotsPerNode",
  metadata: "properties.metadata",
};

/** Keys whose names differ, wherever they stand. */
const RENAMED: Record<string, string> = {
  nodeAgentSKUId: "nodeAgentSkuId",
  virtualMachineImageId: "id",
  username: "userName",
};

/** Enum values whose case differs, by the key they stand under (data plane camelCase, ARM PascalCase). */
const ENUMS: Record<string, Record<string, string>> = {
  type: { dockerCompatible: "DockerCompatible", criCompatible: "CriCompatible" },
  workingDirectory: { taskWorkingDirectory: "TaskWorkingDirectory", containerImageDefault: "ContainerImageDefault" },
  scope: { task: "Task", pool: "Pool" },
  elevationLevel: { nonadmin: "NonAdmin", admin: "Admin" },
  // Bind mount sources are PascalCase in both planes.
  source: { Shared: "Shared", Startup: "Startup", VfsMounts: "VfsMounts", Task: "Task", JobPrep: "JobPrep", Applications: "Applications" },
};

type PackageRefs = { applicationId?: string; id?: string; version?: string }[];

/** Fields converted by hand: `applicationId` is `id` in ARM's package references (and `id` is not renamed elsewhere). */
const VALUES: Record<string, (v: unknown) => unknown> = {
  enableInterNodeCommunication: (v) => (v ? "Enabled" : "Disabled"),
  applicationPackageReferences: (v) => (v as PackageRefs).map((r) => ({ id: r.applicationId, ...(r.version !== undefined ? { version: r.version } : {}) })),
};

const UNVALUES: Record<string, (v: unknown) => unknown> = {
  enableInterNodeCommunication: (v) => v === "Enabled",
  applicationPackageReferences: (v) => (v as PackageRefs).map((r) => ({ applicationId: r.id, ...(r.version !== undefined ? { version: r.version } : {}) })),
};

/** Renames keys and recases enum values all the way down. */
function convert(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, key));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [RENAMED[k] ?? k, convert(v, k)]));
  }
  const table = ENUMS[key];
  if (table && typeof value === "string") {
    const mapped = table[value];
    if (mapped === undefined) throw new Error(`ARM pool: no ARM value for ${key} "${value}"`);
    return mapped;
  }
  return value;
}

function place(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let at = target;
  for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
  at[parts[parts.length - 1] as string] = value;
}

/** The ARM body of a data-plane pool body, with the pool's identities. */
export function armPoolBody(pool: PoolAddParameter, identities: readonly string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (identities.length > 0) body.identity = { type: "UserAssigned", userAssignedIdentities: Object.fromEntries(identities.map((id) => [id, {}])) };
  for (const [key, value] of Object.entries(pool)) {
    if (value === undefined) continue;
    if (!(key in PLACEMENT)) throw new Error(`ARM pool: the data-plane field ${key} has no place in the ARM body`);
    const path = PLACEMENT[key];
    if (path === null || path === undefined) continue;
    place(body, path, VALUES[key] ? VALUES[key](value) : convert(value, key));
  }
  return body;
}

const UNRENAMED = Object.fromEntries(Object.entries(RENAMED).map(([k, v]) => [v, k]));
const UNENUMS: Record<string, Record<string, string>> = Object.fromEntries(
  Object.entries(ENUMS).map(([k, t]) => [k, Object.fromEntries(Object.entries(t).map(([a, b]) => [b, a]))]),
);

function unconvert(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => unconvert(v, key));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [UNRENAMED[k] ?? k, unconvert(v, UNRENAMED[k] ?? k)]));
  }
  const table = UNENUMS[key];
  if (table && typeof value === "string") {
    const mapped = table[value];
    if (mapped === undefined) throw new Error(`ARM pool: no data-plane value for ${key} "${value}"`);
    return mapped;
  }
  return value;
}

function pick(source: Record<string, unknown>, path: string): unknown {
  let at: unknown = source;
  for (const part of path.split(".")) at = at !== null && typeof at === "object" ? (at as Record<string, unknown>)[part] : undefined;
  return at;
}

/** The data-plane pool of an ARM pool body (for a stand-in or a service that keeps data-plane state), and its identities. */
export function dataPlanePool(
  arm: { identity?: { userAssignedIdentities?: Record<string, unknown> }; properties?: Record<string, unknown> },
  id: string,
): { pool: PoolAddParameter; identities: string[] } {
  const pool: Record<string, unknown> = { id };
  for (const [key, path] of Object.entries(PLACEMENT)) {
    if (!path) continue;
    const value = pick(arm as Record<string, unknown>, path);
    if (value === undefined) continue;
    pool[key] = UNVALUES[key] ? UNVALUES[key](value) : unconvert(value, key);
  }
  if (pool.autoScaleFormula !== undefined) pool.enableAutoScale = true;
  return { pool: pool as unknown as PoolAddParameter, identities: Object.keys(arm.identity?.userAssignedIdentities ?? {}) };
}
