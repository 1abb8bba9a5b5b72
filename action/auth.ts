/**
 * How the Action signs in, in this order of preference: GitHub OIDC federation (client-id and
 * tenant-id; the runner's ID token exchanged by @azure/identity), a Batch account key, or the
 * session of an earlier azure/login step.
 */
import * as core from "@actions/core";
import { ClientAssertionCredential, AzureCliCredential } from "@azure/identity";
import type { BatchCredential } from "azure-batch-run";
import { UsageError } from "azure-batch-run";
import type { Inputs } from "./context.js";

/** The public and sovereign clouds' authorities, which MSAL's instance discovery knows. */
const KNOWN_AUTHORITIES = new Set(["login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn", "login.microsoftonline.de"]);

export function credentialFor(inputs: Inputs, env: NodeJS.ProcessEnv = process.env): BatchCredential {
  if (inputs.clientId && inputs.tenantId) {
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
      throw new UsageError("inputs client-id and tenant-id sign in with GitHub OIDC, which needs `permissions: id-token: write` on the job (no ID token endpoint is available)");
    }
    const authorityHost = env.AZURE_AUTHORITY_HOST;
    return new ClientAssertionCredential(inputs.tenantId, inputs.clientId, () => core.getIDToken("api://AzureADTokenExchange"), {
      ...(authorityHost ? { authorityHost } : {}),
      // MSAL checks an authority it does not know against the public cloud's instance discovery;
      // a private authority (Azure Stack, a test stand-in) cannot be found there.
      ...(authorityHost && !KNOWN_AUTHORITIES.has(new URL(authorityHost).host) ? { disableInstanceDiscovery: true } : {}),
    });
  }
  if (inputs.accountKey) return { accountKey: inputs.accountKey, accountName: inputs.accountName };
  return new AzureCliCredential();
}
