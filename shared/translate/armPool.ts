/**
 * Spec -> the Azure Resource Manager pool body (`PUT .../batchAccounts/{account}/pools/{pool}`,
 * api-version 2024-07-01), for pools with a managed identity, which only ARM can create.
 *
 * One translator, not two: the data-plane body (`translatePool`) is converted by tables — where
 * each top-level field goes in the ARM resource, which keys are renamed, which enum values change
 * case. A data-plane field the tables do not know is an error, so that a field added to the data
 * plane cannot be dropped from ARM pools unnoticed.
 */
import type { PoolAddParameter } from "../batch/types.js";
import type { Workload } from "../workload/load.js";
import { translatePool } from "./pool.js";

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

const VALUES: Record<string, (v: unknown) => unknown> = {
  enableInterNodeCommunication: (v) => (v ? "Enabled" : "Disabled"),
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

export function translateArmPool(workload: Workload): Record<string, unknown> {
  return armPoolBody(translatePool(workload), workload.pool.identity ?? []);
}

/** The ARM path of the pool; unknown coordinates (found from the account URL at run time) as placeholders. */
export function armPoolPath(account: { subscription?: string; resourceGroup?: string; name?: string }, poolId: string): string {
  const part = (value: string | undefined, placeholder: string) => (value === undefined ? placeholder : encodeURIComponent(value));
  return `/subscriptions/${part(account.subscription, "{subscription}")}/resourceGroups/${part(account.resourceGroup, "{resourceGroup}")}/providers/Microsoft.Batch/batchAccounts/${part(account.name, "{accountName}")}/pools/${encodeURIComponent(poolId)}`;
}
