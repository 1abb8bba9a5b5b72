/**
 * The Azure clouds, as azure/login names them: where Microsoft Entra ID signs in, the Batch and
 * Azure Resource Manager token scopes and endpoints, the account and registry host suffixes, and
 * the portal. A wrapper picks one (the Action's `environment` input); everything that signs a
 * request or links to the portal follows it.
 */
export type CloudName = "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud";

export interface Cloud {
  name: CloudName;
  /** Microsoft Entra ID's authority host. */
  authorityHost: string;
  /** The Batch data plane's token scope (the resource id, then `/.default`: a double slash). */
  batchScope: string;
  armEndpoint: string;
  armScope: string;
  /** Batch account endpoints: `https://<account>.<region>.<batchSuffix>`. */
  batchSuffix: string;
  /** Container registries: `<name>.<acrSuffix>`. */
  acrSuffix: string;
  portal: string;
}

export const CLOUDS: Record<CloudName, Cloud> = {
  AzureCloud: {
    name: "AzureCloud",
    authorityHost: "https://login.microsoftonline.com",
    batchScope: "https://batch.core.windows.net//.default",
    armEndpoint: "https://management.azure.com",
    armScope: "https://management.azure.com/.default",
    batchSuffix: "batch.azure.com",
    acrSuffix: "azurecr.io",
    portal: "https://portal.azure.com",
  },
  AzureUSGovernment: {
    name: "AzureUSGovernment",
    authorityHost: "https://login.microsoftonline.us",
    batchScope: "https://batch.core.usgovcloudapi.net//.default",
    armEndpoint: "https://management.usgovcloudapi.net",
    armScope: "https://management.usgovcloudapi.net/.default",
    batchSuffix: "batch.usgovcloudapi.net",
    acrSuffix: "azurecr.us",
    portal: "https://portal.azure.us",
  },
  AzureChinaCloud: {
    name: "AzureChinaCloud",
    authorityHost: "https://login.chinacloudapi.cn",
    batchScope: "https://batch.chinacloudapi.cn//.default",
    armEndpoint: "https://management.chinacloudapi.cn",
    armScope: "https://management.chinacloudapi.cn/.default",
    batchSuffix: "batch.chinacloudapi.cn",
    acrSuffix: "azurecr.cn",
    portal: "https://portal.azure.cn",
  },
};

/** A cloud by its name (as azure/login spells it, any case). */
export function cloudNamed(name: string): Cloud | undefined {
  return Object.values(CLOUDS).find((c) => c.name.toLowerCase() === name.trim().toLowerCase());
}

/** The cloud an account URL is in, by its host; undefined for a host of no Azure cloud (the local service). */
export function cloudOfAccountUrl(url: URL | string): Cloud | undefined {
  const host = new URL(url).hostname.toLowerCase();
  return Object.values(CLOUDS).find((c) => host.endsWith(`.${c.batchSuffix}`));
}
