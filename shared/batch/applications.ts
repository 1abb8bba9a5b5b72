/**
 * Batch application packages: the rules for application and version names, the most a pool may
 * reference, the resource id a pool names an application by, and the environment variable a node
 * sets for each installed package (`AZ_BATCH_APP_PACKAGE_<id>` / `_<id>_<version>` on Linux).
 */

/** `applicationName` in the management definition: 1 to 64 of letters, digits, `_` and `-`. */
export const APPLICATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** `versionName`: 1 to 64 of letters, digits, `_`, `-` and `.`, not starting with a dot. */
export const APPLICATION_VERSION = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;
export const APPLICATION_ID_RULE = "1 to 64 letters, digits, _ and -";
export const APPLICATION_VERSION_RULE = "1 to 64 letters, digits, _, - and ., not starting with a dot";

/** "There is a maximum of 10 Package references on any given Pool." */
export const MAX_POOL_PACKAGES = 10;

/** The only package format Batch takes. */
export const PACKAGE_FORMAT = "zip";

/**
 * The variable holding a package's folder on a Linux node: periods, hyphens and number signs
 * become underscores, and the application id keeps its case (`blender` 2.7 ->
 * `AZ_BATCH_APP_PACKAGE_blender_2_7`). Without a version: the application's default version.
 */
export function appPackageEnvName(applicationId: string, version?: string): string {
  const flat = (s: string) => s.replace(/[.#-]/g, "_");
  return `AZ_BATCH_APP_PACKAGE_${flat(applicationId)}${version === undefined ? "" : `_${flat(version)}`}`;
}

/** The Batch account an application lives in, as Azure Resource Manager names it. */
export interface AccountCoordinates {
  subscription: string;
  resourceGroup: string;
  name: string;
}

/** The account's ARM path, for a request URL (each part encoded). */
export function accountPath(account: AccountCoordinates): string {
  return `/subscriptions/${encodeURIComponent(account.subscription)}/resourceGroups/${encodeURIComponent(account.resourceGroup)}/providers/Microsoft.Batch/batchAccounts/${encodeURIComponent(account.name)}`;
}

/** "When creating a pool, the package's application ID must be fully qualified": the application's resource id, as ARM writes it. */
export function applicationResourceId(account: AccountCoordinates, applicationId: string): string {
  return `/subscriptions/${account.subscription}/resourceGroups/${account.resourceGroup}/providers/Microsoft.Batch/batchAccounts/${account.name}/applications/${applicationId}`;
}

const APPLICATION_RESOURCE = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Batch\/batchAccounts\/([^/]+)\/applications\/([^/]+)$/i;

/** The parts of an application's resource id; undefined for anything else (a bare id, say). */
export function parseApplicationResourceId(id: string): (AccountCoordinates & { applicationId: string }) | undefined {
  const m = APPLICATION_RESOURCE.exec(id);
  if (!m) return undefined;
  const [, subscription, resourceGroup, name, applicationId] = m as unknown as [string, string, string, string, string];
  return { subscription, resourceGroup, name, applicationId };
}
