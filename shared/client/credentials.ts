/**
 * Choosing how to authenticate, from the environment:
 * - Shared Key when `AZURE_BATCH_ACCESS_KEY` is set (account name from `AZURE_BATCH_ACCOUNT`, or
 *   the first label of the account URL's host);
 * - otherwise Microsoft Entra ID through `DefaultAzureCredential`, which covers service principals
 *   (`AZURE_CLIENT_ID`/`AZURE_TENANT_ID`/`AZURE_CLIENT_SECRET`), workload identity and GitHub OIDC
 *   (`AZURE_FEDERATED_TOKEN_FILE`), managed identity, and the Azure CLI's login.
 */
import type { BatchAuth } from "./batchClient.js";

export function accountNameFromUrl(accountUrl: string): string {
  return new URL(accountUrl).hostname.split(".")[0] ?? "";
}

export async function authFromEnvironment(accountUrl: string, env: Record<string, string | undefined> = process.env): Promise<BatchAuth> {
  const key = env.AZURE_BATCH_ACCESS_KEY;
  if (key) {
    return { kind: "sharedKey", accountName: env.AZURE_BATCH_ACCOUNT || accountNameFromUrl(accountUrl), accountKey: key };
  }
  // Loaded on demand: validate and plan never need it, and it is the slowest import of the CLI.
  const { DefaultAzureCredential } = await import("@azure/identity");
  return { kind: "entra", credential: new DefaultAzureCredential() };
}

/** `--account-url`, then the spec's `account.url`, then `AZURE_BATCH_ACCOUNT_URL` / `AZURE_BATCH_ENDPOINT`. */
export function resolveAccountUrl(flag: string | undefined, fromSpec: string | undefined, env: Record<string, string | undefined> = process.env): string | undefined {
  const url = flag ?? fromSpec ?? env.AZURE_BATCH_ACCOUNT_URL ?? env.AZURE_BATCH_ENDPOINT;
  if (!url) return undefined;
  return /^https?:\/\//.test(url) ? url : `https://${url}`;
}
