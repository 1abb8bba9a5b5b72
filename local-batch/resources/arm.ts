/**
 * The Azure Resource Manager side of the local account, under `/arm`: the account list of a
 * subscription (for discovery by endpoint) and pool create (PUT), get and delete — over the same
 * pool state the data plane serves. Bearer tokens only (any, in this dev service: there is no Entra
 * ID here); ARM's error shape and request ids. A pool created here keeps its managed identities.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { armPoolBody, ARM_API_VERSION, dataPlanePool } from "../../shared/batch/armPool.js";
import { validateBody } from "../bodies.js";
import { ArmHttpError, BatchHttpError } from "../errors.js";
import { routeApplications } from "./applications.js";
import { poolOf, type PoolRecord, type Reply, type ServiceContext } from "../state.js";
import { addPool, deletePool } from "./pools.js";
import { familyQuota, quotasOf, SKUS } from "../account.js";

export const ARM_PREFIX = "/arm";

export { ArmHttpError };

/** The ARM properties of a pool the local service takes; anything else is refused by name. */
const KNOWN_PROPERTIES = new Set([
  "displayName",
  "vmSize",
  "deploymentConfiguration",
  "scaleSettings",
  "interNodeCommunication",
  "startTask",
  "applicationPackages",
  "taskSlotsPerNode",
  "metadata",
]);

function resourceGroup(ctx: ServiceContext): string {
  return ctx.options.armResourceGroup ?? "local";
}

function accountId(ctx: ServiceContext, subscription: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${resourceGroup(ctx)}/providers/Microsoft.Batch/batchAccounts/${ctx.options.accountName}`;
}

function poolView(ctx: ServiceContext, subscription: string, pool: PoolRecord): Record<string, unknown> {
  const arm = armPoolBody(pool.body, pool.identities ?? []);
  const identities = pool.identities ?? [];
  return {
    id: `${accountId(ctx, subscription)}/pools/${pool.body.id}`,
    name: pool.body.id,
    type: "Microsoft.Batch/batchAccounts/pools",
    etag: `W/"${pool.eTag}"`,
    ...(identities.length
      ? {
          identity: {
            type: "UserAssigned",
            userAssignedIdentities: Object.fromEntries(
              identities.map((id) => [id, { principalId: localId(`principal:${id}`), clientId: localId(`client:${id}`) }]),
            ),
          },
        }
      : {}),
    properties: {
      ...(arm.properties as Record<string, unknown>),
      provisioningState: pool.state === "deleting" ? "Deleting" : "Succeeded",
      allocationState: pool.allocationState === "steady" ? "Steady" : pool.allocationState === "stopping" ? "Stopping" : "Resizing",
      creationTime: pool.creationTime,
      lastModified: pool.lastModified,
      currentDedicatedNodes: pool.nodes.filter((n) => !n.lowPriority).length,
      currentLowPriorityNodes: pool.nodes.filter((n) => n.lowPriority).length,
    },
  };
}

/** A stable GUID-shaped id for what Entra ID would assign (principal and client ids). */
function localId(seed: string): string {
  let h = 0;
  for (const c of seed) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  const hex = (h.toString(16).padStart(8, "0") + "0".repeat(24)).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const SKUS_PATH = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Batch\/locations\/([^/]+)\/virtualMachineSkus$/i;
const GROUP_ACCOUNTS_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts$/i;

/** The account as ARM describes it, with its quotas (`BatchAccount`). */
function accountView(ctx: ServiceContext, subscription: string): Record<string, unknown> {
  const q = quotasOf(ctx.options.account);
  return {
    id: accountId(ctx, subscription),
    name: ctx.options.accountName,
    type: "Microsoft.Batch/batchAccounts",
    location: location(ctx),
    properties: {
      accountEndpoint: new URL(ctx.baseUrl).host,
      provisioningState: "Succeeded",
      poolAllocationMode: "BatchService",
      dedicatedCoreQuota: q.dedicatedCores,
      lowPriorityCoreQuota: q.lowPriorityCores,
      dedicatedCoreQuotaPerVMFamily: [...new Set(SKUS.map((s) => s.family))].map((name) => ({ name, coreQuota: familyQuota(q, name) })),
      dedicatedCoreQuotaPerVMFamilyEnforced: true,
      poolQuota: q.pools,
      activeJobAndJobScheduleQuota: q.activeJobsAndSchedules,
    },
  };
}

const location = (ctx: ServiceContext) => ctx.options.location ?? "local";

/** `Location_ListSupportedVirtualMachineSkus`, with its `$filter` on familyName. */
function skuList(url: URL): Record<string, unknown> {
  const filter = url.searchParams.get("$filter");
  let skus = SKUS;
  if (filter) {
    const m = /^familyName eq '([^']*)'$/i.exec(filter.trim());
    if (!m) throw new ArmHttpError(400, "InvalidFilter", `The filter ${filter} is not supported; filter on familyName eq '<family>'.`);
    skus = SKUS.filter((s) => s.family.toLowerCase() === m[1]!.toLowerCase());
  }
  return {
    value: skus.map((s) => ({
      name: s.name,
      familyName: s.family,
      capabilities: [
        { name: "vCPUs", value: String(s.vCPUs) },
        { name: "MemoryGB", value: String(s.memoryGB) },
        { name: "GPUs", value: String(s.gpus ?? 0) },
        { name: "LowPriorityCapable", value: "True" },
      ],
    })),
  };
}

const POOL_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts\/([^/]+)\/pools\/([^/]+)$/i;
const ACCOUNTS_PATH = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts$/i;

export function isArmPath(url: URL): boolean {
  return url.pathname === ARM_PREFIX || url.pathname.startsWith(`${ARM_PREFIX}/`);
}

/** The headers of every ARM answer. */
export function armHeaders(req: IncomingMessage): Record<string, string> {
  return { "x-ms-request-id": randomUUID(), "x-ms-correlation-request-id": String(req.headers["x-ms-client-request-id"] ?? randomUUID()) };
}

const ACCOUNT_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts\/([^/]+)(?:\/(.*))?$/i;

/** The local account's own path: any other group or account is not found. */
function checkAccount(ctx: ServiceContext, group: string, account: string): void {
  if (group.toLowerCase() !== resourceGroup(ctx).toLowerCase() || account.toLowerCase() !== ctx.options.accountName.toLowerCase()) {
    throw new ArmHttpError(
      404,
      "ResourceNotFound",
      `The Batch account ${group}/${account} was not found; the local service is ${resourceGroup(ctx)}/${ctx.options.accountName}.`,
    );
  }
}

export async function routeArm(ctx: ServiceContext, method: string, url: URL, body: unknown, req: IncomingMessage): Promise<Reply> {
  if (!String(req.headers.authorization ?? "").startsWith("Bearer ")) {
    throw new ArmHttpError(
      401,
      "AuthenticationFailed",
      "Authentication failed: Azure Resource Manager takes a bearer token (Microsoft Entra ID), not a Shared Key.",
    );
  }
  if (url.searchParams.get("api-version") !== ARM_API_VERSION) {
    throw new ArmHttpError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${url.searchParams.get("api-version")}' is invalid; the local service speaks ${ARM_API_VERSION}.`,
    );
  }
  const path = url.pathname.slice(ARM_PREFIX.length).split("/").map(decodeURIComponent).join("/");
  const accounts = ACCOUNTS_PATH.exec(path);
  if (accounts && method === "GET") return { status: 200, body: { value: [accountView(ctx, accounts[1]!)] } };
  const inGroup = GROUP_ACCOUNTS_PATH.exec(path);
  if (inGroup && method === "GET") {
    const mine = inGroup[2]!.toLowerCase() === resourceGroup(ctx).toLowerCase();
    return { status: 200, body: { value: mine ? [accountView(ctx, inGroup[1]!)] : [] } };
  }
  const skus = SKUS_PATH.exec(path);
  if (skus && method === "GET") {
    if (skus[2]!.toLowerCase() !== location(ctx).toLowerCase())
      throw new ArmHttpError(404, "LocationNotAvailableForResourceType", `The local account is in ${location(ctx)}, not ${skus[2]}.`);
    return { status: 200, body: skuList(url) };
  }
  const inAccount = ACCOUNT_PATH.exec(path);
  const [sub = "", ...appPath] = (inAccount?.[4] ?? "").split("/");
  if (inAccount && sub.toLowerCase() === "applications") {
    checkAccount(ctx, inAccount[2]!, inAccount[3]!);
    return routeApplications(ctx, accountId(ctx, inAccount[1]!), method, appPath.filter(Boolean), body);
  }
  const m = POOL_PATH.exec(path);
  if (!m) throw new ArmHttpError(404, "ResourceNotFound", `The resource ${path} was not found on the local service.`);
  const [, subscription, group, account, poolId] = m as unknown as [string, string, string, string, string];
  checkAccount(ctx, group, account);
  const existing = ctx.pools.get(poolId.toLowerCase());
  if (method === "GET") {
    if (!existing) throw new ArmHttpError(404, "ResourceNotFound", `The pool ${poolId} was not found.`);
    return { status: 200, body: poolView(ctx, subscription, existing) };
  }
  if (method === "DELETE") {
    if (!existing) return { status: 204 };
    deletePool(ctx, poolId);
    return { status: 200 };
  }
  if (method !== "PUT") throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for pools here.`);
  if (existing) {
    if (req.headers["if-none-match"] === "*") throw new ArmHttpError(412, "PreconditionFailed", `The pool ${poolId} already exists.`);
    throw new ArmHttpError(409, "PoolUpdateNotSupported", "The local service creates pools through ARM but does not update them.");
  }
  const arm = body as { identity?: { type?: string; userAssignedIdentities?: Record<string, unknown> }; properties?: Record<string, unknown> };
  for (const key of Object.keys(arm?.properties ?? {})) {
    if (!KNOWN_PROPERTIES.has(key))
      throw new ArmHttpError(400, "InvalidRequestBody", `The property properties.${key} is not supported by the local Batch service.`);
  }
  let converted: ReturnType<typeof dataPlanePool>;
  try {
    converted = dataPlanePool(arm ?? {}, poolId);
    validateBody(converted.pool, "PoolAdd");
  } catch (error) {
    const reason = error instanceof BatchHttpError ? JSON.stringify(error.values) : (error as Error).message;
    throw new ArmHttpError(400, "InvalidRequestBody", `The pool body is not valid: ${reason}`);
  }
  try {
    addPool(ctx, converted.pool, converted.identities);
  } catch (error) {
    if (error instanceof BatchHttpError) throw new ArmHttpError(error.status, error.code, error.message);
    throw error;
  }
  return { status: 200, body: poolView(ctx, subscription, poolOf(ctx, poolId)) };
}
