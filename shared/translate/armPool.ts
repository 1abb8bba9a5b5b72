/**
 * Spec -> the Azure Resource Manager pool body (`PUT .../batchAccounts/{account}/pools/{pool}`),
 * for pools with a managed identity, which only ARM can create: the data-plane body converted by
 * the tables of `batch/armPool.ts`, so that there is one translator, not two.
 */
import { armPoolBody } from "../batch/armPool.js";
import type { Workload } from "../workload/types.js";
import type { AccountCoordinates } from "../batch/applications.js";
import { translatePool } from "./pool.js";

export { ARM_API_VERSION, armPoolBody } from "../batch/armPool.js";

export function translateArmPool(workload: Workload, account?: AccountCoordinates): Record<string, unknown> {
  return armPoolBody(translatePool(workload, account), workload.pool.identity ?? []);
}

/** The ARM path of the pool; unknown coordinates (found from the account URL at run time) as placeholders. */
export function armPoolPath(account: { subscription?: string; resourceGroup?: string; name?: string }, poolId: string): string {
  const part = (value: string | undefined, placeholder: string) => (value === undefined ? placeholder : encodeURIComponent(value));
  return `/subscriptions/${part(account.subscription, "{subscription}")}/resourceGroups/${part(account.resourceGroup, "{resourceGroup}")}/providers/Microsoft.Batch/batchAccounts/${part(account.name, "{accountName}")}/pools/${encodeURIComponent(poolId)}`;
}
