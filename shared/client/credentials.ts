/**
 * Building a client: from any `@azure/identity` credential or a Shared Key (`createBatchClient`),
 * or from an environment the caller passes (`authFromEnvironment`, what the CLI does):
 * - Shared Key when `AZURE_BATCH_ACCESS_KEY` is set (account name from `AZURE_BATCH_ACCOUNT`, or
 *   the first label of the account URL's host);
 * - otherwise Microsoft Entra ID through `DefaultAzureCredential`, which covers service principals
 *   (`AZURE_CLIENT_ID`/`AZURE_TENANT_ID`/`AZURE_CLIENT_SECRET`), workload identity and GitHub OIDC
 *   (`AZURE_FEDERATED_TOKEN_FILE`), managed identity, and the Azure CLI's login.
 */
import { LOOPBACK_HOST } from "../batch/hosts.js";
import type { TokenCredential } from "@azure/identity";
import type { ArmOptions } from "./armClient.js";
import { BatchClient, type BatchAuth, type BatchClientOptions } from "./batchClient.js";
import { CLOUDS, type Cloud } from "./clouds.js";
import { UsageError } from "../errors.js";

/** An `@azure/identity` credential (scope `https://batch.core.windows.net//.default`), or the account's Shared Key. */
export type BatchCredential = TokenCredential | { accountName?: string; accountKey: string };

export interface CreateBatchClientOptions extends Omit<BatchClientOptions, "auth" | "transport" | "arm"> {
  credential: BatchCredential;
  /** Where Azure Resource Manager is (default the cloud's); used with an Entra ID credential. */
  armEndpoint?: string;
  /** The Azure cloud (default the public one): the Batch and ARM token scopes and ARM's endpoint follow it. */
  cloud?: Cloud;
}

export function accountNameFromUrl(accountUrl: string): string {
  return new URL(accountUrl).hostname.split(".")[0] ?? "";
}

function isTokenCredential(c: BatchCredential): c is TokenCredential {
  return typeof (c as TokenCredential).getToken === "function";
}

/** A client for one Batch account. Close it when done (`client.close()`). */
export function createBatchClient(options: CreateBatchClientOptions): BatchClient {
  const { credential, armEndpoint, cloud = CLOUDS.AzureCloud, ...rest } = options;
  if (isTokenCredential(credential)) {
    // The same credential for both planes, each with its own scope, in the account's cloud.
    return new BatchClient({
      ...rest,
      auth: { kind: "entra", credential, scope: cloud.batchScope },
      arm: { credential, endpoint: armEndpoint ?? cloud.armEndpoint, scope: cloud.armScope },
    });
  }
  const auth: BatchAuth = {
    kind: "sharedKey",
    accountName: credential.accountName || accountNameFromUrl(options.accountUrl),
    accountKey: credential.accountKey,
  };
  return new BatchClient({ ...rest, auth });
}

/** What a local Batch service on this machine tells its caller (`startLocalBatch`'s result has these). */
export interface LocalBatchAccount {
  accountUrl: string;
  accountName: string;
  accountKey: string;
  /** Its Azure Resource Manager side, which takes any bearer token (there is no Entra ID here). */
  armEndpoint: string;
}

/** The subscription id the local service's ARM side is asked with (it answers for any). */
export const LOCAL_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

/**
 * A client for the local Batch service: Shared Key on the data plane, and a fixed bearer token
 * standing in for Entra ID on its ARM side. Only for a service on this machine (a loopback URL).
 */
export function createLocalBatchClient(
  local: LocalBatchAccount,
  options: Omit<BatchClientOptions, "accountUrl" | "auth" | "arm" | "transport"> = {},
): BatchClient {
  if (!LOOPBACK_HOST.test(new URL(local.accountUrl).hostname))
    throw new UsageError(`${new URL(local.accountUrl).origin} is not a service on this machine; createLocalBatchClient is for the local Batch service only`);
  const credential: TokenCredential = { getToken: async () => ({ token: "local-dev-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
  return new BatchClient({
    ...options,
    accountUrl: local.accountUrl,
    auth: { kind: "sharedKey", accountName: local.accountName, accountKey: local.accountKey },
    arm: { credential, endpoint: local.armEndpoint, subscription: LOCAL_SUBSCRIPTION },
  });
}

/** The public and sovereign clouds' authorities, which MSAL's instance discovery knows. */
const KNOWN_AUTHORITIES = new Set(["login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn", "login.microsoftonline.de"]);

/**
 * Options for an `@azure/identity` credential from the environment the caller passes: the
 * authority `AZURE_AUTHORITY_HOST` names, and, for an authority MSAL's instance discovery does not
 * know (Azure Stack, a private cloud, a test stand-in), discovery turned off, since the public
 * cloud cannot vouch for it.
 */
export function entraOptions(env: Record<string, string | undefined>): { authorityHost?: string; disableInstanceDiscovery?: boolean } {
  const authorityHost = env.AZURE_AUTHORITY_HOST;
  if (!authorityHost) return {};
  return { authorityHost, ...(KNOWN_AUTHORITIES.has(new URL(authorityHost).host) ? {} : { disableInstanceDiscovery: true }) };
}

/** How to authenticate, from the environment the caller passes (nothing is read from `process.env` here). */
export async function authFromEnvironment(accountUrl: string, env: Record<string, string | undefined>): Promise<BatchAuth> {
  const key = env.AZURE_BATCH_ACCESS_KEY;
  if (key) {
    return { kind: "sharedKey", accountName: env.AZURE_BATCH_ACCOUNT || accountNameFromUrl(accountUrl), accountKey: key };
  }
  // Loaded on demand: validate and plan never need it, and it is the slowest import of the CLI.
  // DefaultAzureCredential reads its own settings (AZURE_CLIENT_ID, ...) from the process.
  const { DefaultAzureCredential } = await import("@azure/identity");
  return { kind: "entra", credential: new DefaultAzureCredential(entraOptions(env)) };
}

/**
 * A token credential from the environment's Entra ID sign-in (DefaultAzureCredential), made on
 * first use only: for what is read besides Batch (a `forEach: { blobs }` container without a SAS).
 */
export function lazyEntraCredential(env: Record<string, string | undefined>): TokenCredential {
  let made: Promise<TokenCredential> | undefined;
  return {
    getToken: async (scopes, options) => {
      made ??= import("@azure/identity").then(({ DefaultAzureCredential }) => new DefaultAzureCredential(entraOptions(env)));
      return (await made).getToken(scopes, options);
    },
  };
}

/** The management plane for a client built from the environment: with Entra ID, the same credential. */
export function armFromAuth(auth: BatchAuth, env: Record<string, string | undefined>): ArmOptions | undefined {
  return auth.kind === "entra" ? { credential: auth.credential, endpoint: env.AZURE_RESOURCE_MANAGER_ENDPOINT } : undefined;
}

/** The data plane's endpoints in the public and sovereign clouds: `https://<account>.<region>.<suffix>`. */
export const BATCH_ENDPOINT_SUFFIXES = Object.values(CLOUDS).map((c) => c.batchSuffix);

/** Whether a URL is an Azure Batch account endpoint (https), or a service on this machine (loopback). */
export function isBatchEndpoint(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (LOOPBACK_HOST.test(u.hostname)) return u.protocol === "http:" || u.protocol === "https:";
  const host = u.hostname.toLowerCase();
  return (
    u.protocol === "https:" &&
    u.username === "" &&
    u.password === "" &&
    BATCH_ENDPOINT_SUFFIXES.some((suffix) => new RegExp(`^[a-z0-9]{3,24}\\.[a-z0-9-]+\\.${suffix.replace(/\./g, "\\.")}$`).test(host))
  );
}

/**
 * `--account-url`, then the spec's `account.url`, then `AZURE_BATCH_ACCOUNT_URL` / `AZURE_BATCH_ENDPOINT`.
 * The spec may come from a pull request: its `account.url` is taken only when it is an Azure Batch
 * endpoint (or loopback), so that a spec alone can never send the run's requests, and with Entra
 * ID its bearer token, to another host. Any other endpoint must come from the caller (a flag, an
 * input, a setting).
 */
export function resolveAccountUrl(flag: string | undefined, fromSpec: string | undefined, env: Record<string, string | undefined>): string | undefined {
  if (flag === undefined && fromSpec !== undefined && !isBatchEndpoint(fromSpec)) {
    throw new UsageError(
      `account.url: ${safeOrigin(fromSpec)} is not an Azure Batch endpoint (https://<account>.<region>.${BATCH_ENDPOINT_SUFFIXES.join(", or .")}) nor this machine; a spec alone cannot send requests elsewhere: give that endpoint with --account-url (the Action's account-url input) instead`,
    );
  }
  const url = flag ?? fromSpec ?? env.AZURE_BATCH_ACCOUNT_URL ?? env.AZURE_BATCH_ENDPOINT;
  if (!url) return undefined;
  return /^https?:\/\//.test(url) ? url : `https://${url}`;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return JSON.stringify(url.slice(0, 100));
  }
}
