/**
 * How the Action signs in, in this order of preference: GitHub OIDC federation (client-id and
 * tenant-id; the runner's ID token exchanged by @azure/identity), a Batch account key, or the
 * session of an earlier azure/login step.
 */
import * as core from "@actions/core";
import { ClientAssertionCredential, AzureCliCredential } from "@azure/identity";
import type { BatchCredential } from "azure-batch-run";
import { entraOptions, UsageError } from "azure-batch-run";
import type { Inputs } from "./context.js";

export function credentialFor(inputs: Inputs, env: NodeJS.ProcessEnv = process.env): BatchCredential {
  if (inputs.clientId && inputs.tenantId) {
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
      throw new UsageError(
        "inputs client-id and tenant-id sign in with GitHub OIDC, which needs `permissions: id-token: write` on the job (no ID token endpoint is available)",
      );
    }
    // The cloud's authority, unless AZURE_AUTHORITY_HOST names another (a private cloud, a test stand-in).
    const options = env.AZURE_AUTHORITY_HOST ? entraOptions(env) : { authorityHost: inputs.cloud.authorityHost };
    return new ClientAssertionCredential(inputs.tenantId, inputs.clientId, () => core.getIDToken(inputs.audience), options);
  }
  if (inputs.accountKey) return { accountKey: inputs.accountKey, accountName: inputs.accountName };
  return new AzureCliCredential();
}
