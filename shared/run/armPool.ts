/**
 * Pools with a managed identity, through Azure Resource Manager: finding the account's ARM
 * coordinates (from the spec, or by listing the subscription's Batch accounts and matching their
 * endpoint to the account URL), and creating the pool there. The data plane then sees the pool as
 * any other, and the run waits for it there.
 */
import type { ArmClient } from "../client/armClient.js";
import type { BatchClient } from "../client/batchClient.js";
import type { AccountCoordinates } from "../batch/applications.js";
import { UsageError } from "../errors.js";
import { ConflictError } from "./errors.js";
import type { ProgressReporter } from "./reporter.js";
import type { Workload } from "../workload/types.js";
import { ARM_API_VERSION, armPoolPath, translateArmPool } from "../translate/armPool.js";

export type ArmCoordinates = AccountCoordinates;

export const ACCOUNT_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts\/([^/]+)$/i;

const hostOf = (endpoint: string | undefined) =>
  (endpoint ?? "")
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/$/, "");

/** Whether an account's `accountEndpoint` is the account URL's host. */
export const matchesEndpoint = (endpoint: string | undefined, accountUrl: URL) => hostOf(endpoint) === accountUrl.host.toLowerCase();

/** The account whose endpoint is the account URL's host, among the subscription's Batch accounts. */
export async function findBatchAccount(arm: ArmClient, subscription: string, accountUrl: URL, signal?: AbortSignal): Promise<ArmCoordinates> {
  const host = accountUrl.host.toLowerCase();
  const seen: string[] = [];
  for await (const account of arm.list<{ id?: string; properties?: { accountEndpoint?: string } }>(
    `/subscriptions/${encodeURIComponent(subscription)}/providers/Microsoft.Batch/batchAccounts`,
    {
      query: { "api-version": ARM_API_VERSION },
      signal,
    },
  )) {
    seen.push(hostOf(account.properties?.accountEndpoint));
    const m = ACCOUNT_ID.exec(account.id ?? "");
    if (matchesEndpoint(account.properties?.accountEndpoint, accountUrl) && m)
      return { subscription, resourceGroup: decodeURIComponent(m[2]!), name: decodeURIComponent(m[3]!) };
  }
  throw new ConflictError(
    `account.subscription: no Batch account in subscription ${subscription} has the endpoint ${host}${seen.length ? ` (it has ${seen.join(", ")})` : " (it has none the credential may see)"}; check the account URL, or give account.resourceGroup and account.name`,
  );
}

/**
 * Creates the pool through ARM, create-only (`If-None-Match: *`: a pool that appeared meanwhile is
 * left alone and then reused as any other). Returns the pool's ARM path, for cleanup.
 */
export async function createPoolThroughArm(
  arm: ArmClient,
  workload: Workload,
  accountUrl: URL,
  reporter: ProgressReporter,
  signal?: AbortSignal,
): Promise<string> {
  const account = workload.spec.account ?? {};
  const coordinates: ArmCoordinates =
    account.resourceGroup && account.name
      ? { subscription: account.subscription!, resourceGroup: account.resourceGroup, name: account.name }
      : await findBatchAccount(arm, account.subscription!, accountUrl, signal);
  const path = armPoolPath(coordinates, workload.pool.id);
  const response = await arm.send("PUT", path, {
    query: { "api-version": ARM_API_VERSION },
    body: translateArmPool(workload, coordinates),
    headers: { "if-none-match": "*" },
    // Create-only, so a repeat is harmless: it answers 412.
    idempotent: true,
    accept: [412],
    signal,
  });
  if (response.status !== 412)
    reporter.info(
      `created pool ${workload.pool.id} through Azure Resource Manager (${coordinates.resourceGroup}/${coordinates.name}), with ${workload.pool.identity?.length ?? 0} managed identit${workload.pool.identity?.length === 1 ? "y" : "ies"}`,
    );
  return path;
}

/**
 * The account's ARM coordinates for a pool with application packages (Batch names them there by
 * their application's resource id): the spec's, or found from the account URL in the spec's
 * subscription (or the one the client knows, the local service's). Undefined when the pool has none.
 */
export async function poolPackagesAccount(client: BatchClient, workload: Workload, signal?: AbortSignal): Promise<AccountCoordinates | undefined> {
  if (!workload.pool.applicationPackages?.length) return undefined;
  const account = workload.spec.account ?? {};
  const subscription = account.subscription ?? client.arm?.subscription;
  const why = "pool.applicationPackages: Batch names a pool's packages by their application's resource id (/subscriptions/…/batchAccounts/…/applications/<id>)";
  if (!subscription)
    throw new UsageError(`${why}; set account.subscription (with account.resourceGroup and account.name, or they are found from the account URL)`);
  if (account.resourceGroup && account.name) return { subscription, resourceGroup: account.resourceGroup, name: account.name };
  if (!client.arm)
    throw new UsageError(
      `${why}; give account.resourceGroup and account.name, or sign in with Microsoft Entra ID so that they can be found from the account URL`,
    );
  return findBatchAccount(client.arm, subscription, client.accountUrl, signal);
}
