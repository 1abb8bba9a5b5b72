/**
 * Deploying an application package through Azure Resource Manager, as `az batch application
 * package create` does by hand: the application created if missing (`Application_Create`), the
 * version created (`ApplicationPackage_Create`), its zip uploaded to the storage URL that returns,
 * activated with format zip (`ApplicationPackage_Activate`), and the application's default version
 * set when asked (`Application_Update`).
 *
 * Idempotent: an active version whose blob has the same MD5 as this zip is left as it is (a rerun
 * of a workflow changes nothing); an active version with other content is an error unless
 * `replace` is asked. A folder is zipped the same way every time, so unchanged files make the
 * same zip.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import {
  APPLICATION_ID,
  APPLICATION_ID_RULE,
  APPLICATION_VERSION,
  APPLICATION_VERSION_RULE,
  PACKAGE_FORMAT,
  accountPath,
  type AccountCoordinates,
} from "../batch/applications.js";
import { ARM_API_VERSION } from "../batch/armPool.js";
import type { ArmClient } from "../client/armClient.js";
import type { BatchClient } from "../client/batchClient.js";
import { parseJson } from "../client/json.js";
import { UsageError } from "../errors.js";
import { findBatchAccount } from "./armPool.js";
import { ConflictError } from "./errors.js";
import { silentReporter, type ProgressReporter } from "./reporter.js";
import { zipFolder } from "./zip.js";

export interface DeployPackageOptions {
  /** The application's id (created when missing). */
  applicationId: string;
  version: string;
  /** A zip file, a folder (zipped here), or a zip's bytes. */
  source: string | Uint8Array;
  /** Make this version the application's default (what a reference without a version gets). */
  setDefault?: boolean;
  /** Replace an active version whose content differs (the application must allow updates). */
  replace?: boolean;
  /** The application's display name, when it is created. */
  displayName?: string;
  /**
   * The account's ARM coordinates; those not given are found: the subscription from the client
   * (the local service's), the resource group and name from the account URL.
   */
  account?: Partial<AccountCoordinates>;
  reporter?: ProgressReporter;
  signal?: AbortSignal;
}

export interface DeployPackageResult {
  applicationId: string;
  version: string;
  /** `deployed` (a new version), `replaced` (new content for an existing version) or `unchanged`. */
  outcome: "deployed" | "replaced" | "unchanged";
  applicationCreated: boolean;
  /** The zip's MD5 (base64, as Storage's Content-MD5) and size. */
  md5: string;
  size: number;
  /** The application's default version after the deploy. */
  defaultVersion?: string;
}

interface ArmApplication {
  properties?: { defaultVersion?: string; allowUpdates?: boolean };
}
interface ArmPackage {
  properties?: { state?: "Pending" | "Active"; storageUrl?: string };
}

/** A zip file starts with a local header (or, empty, with the end record). */
const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));

async function packageBytes(source: string | Uint8Array): Promise<Buffer> {
  if (typeof source !== "string") {
    if (!isZip(source)) throw new UsageError("the package's bytes are not a zip archive; Batch takes application packages as zip files");
    return Buffer.from(source);
  }
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new UsageError(`${source}: no such file or folder; give a zip file or a folder to zip`);
  if (info.isDirectory()) return zipFolder(source);
  const bytes = await readFile(source);
  if (!isZip(bytes)) throw new UsageError(`${source} is not a zip archive; Batch takes application packages as zip files (or give a folder, zipped here)`);
  return bytes;
}

async function coordinatesOf(client: BatchClient, arm: ArmClient, options: DeployPackageOptions): Promise<AccountCoordinates> {
  const given = options.account ?? {};
  const subscription = given.subscription ?? arm.subscription;
  if (!subscription)
    throw new UsageError(
      "the account's subscription is needed to deploy a package through Azure Resource Manager: set account.subscription (or --subscription)",
    );
  if (given.resourceGroup && given.name) return { subscription, resourceGroup: given.resourceGroup, name: given.name };
  return findBatchAccount(arm, subscription, client.accountUrl, options.signal);
}

/** The blob's Content-MD5 at a storage URL (undefined when the blob is missing or has none). */
async function blobMd5(storageUrl: string, signal?: AbortSignal): Promise<string | undefined> {
  const { BlockBlobClient } = await import("@azure/storage-blob");
  try {
    const properties = await new BlockBlobClient(storageUrl).getProperties({ abortSignal: signal });
    return properties.contentMD5 ? Buffer.from(properties.contentMD5).toString("base64") : undefined;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw storageFailure("reading the package's blob", error);
  }
}

/** A storage error without its URL: the URL carries the SAS. */
function storageFailure(what: string, error: unknown): Error {
  const e = error as { statusCode?: number; code?: string; message?: string };
  return new Error(`${what} failed: ${e.statusCode ?? ""} ${e.code ?? (e.message ?? "").split("\n")[0]?.replace(/https?:\/\/\S+/g, "<storage URL>")}`.trim());
}

async function upload(storageUrl: string, zip: Buffer, md5: string, signal?: AbortSignal): Promise<void> {
  const { BlockBlobClient } = await import("@azure/storage-blob");
  try {
    await new BlockBlobClient(storageUrl).uploadData(zip, {
      blobHTTPHeaders: { blobContentType: "application/zip", blobContentMD5: Buffer.from(md5, "base64") },
      abortSignal: signal,
    });
  } catch (error) {
    throw storageFailure("uploading the package to its storage URL", error);
  }
}

export async function deployPackage(client: BatchClient, options: DeployPackageOptions): Promise<DeployPackageResult> {
  const { applicationId, version, signal } = options;
  const reporter = options.reporter ?? silentReporter;
  if (!APPLICATION_ID.test(applicationId)) throw new UsageError(`application id "${applicationId}": must be ${APPLICATION_ID_RULE}`);
  if (!APPLICATION_VERSION.test(version)) throw new UsageError(`package version "${version}": must be ${APPLICATION_VERSION_RULE}`);
  const arm = client.arm;
  if (!arm)
    throw new UsageError(
      "application packages are deployed through Azure Resource Manager, which takes Microsoft Entra ID tokens, not the account's Shared Key; sign in with Entra ID (unset AZURE_BATCH_ACCESS_KEY)",
    );
  const zip = await packageBytes(options.source);
  const md5 = createHash("md5").update(zip).digest("base64");
  const account = await coordinatesOf(client, arm, options);
  const appPath = `${accountPath(account)}/applications/${encodeURIComponent(applicationId)}`;
  const versionPath = `${appPath}/versions/${encodeURIComponent(version)}`;
  const query = { "api-version": ARM_API_VERSION };

  const found = await arm.send("GET", appPath, { query, accept: [404], signal });
  const applicationCreated = found.status === 404;
  let app: ArmApplication;
  if (applicationCreated) {
    app = await arm.json<ArmApplication>("PUT", appPath, {
      query,
      body: { properties: options.displayName ? { displayName: options.displayName } : {} },
      signal,
    });
    reporter.info(`created application ${applicationId} in ${account.resourceGroup}/${account.name}`);
  } else app = parseJson<ArmApplication>(found, "GET");
  let defaultVersion = app.properties?.defaultVersion;

  const existing = await arm.send("GET", versionPath, { query, accept: [404], signal });
  const before = existing.status === 404 ? undefined : parseJson<ArmPackage>(existing, "GET");
  let outcome: DeployPackageResult["outcome"] = "deployed";
  if (before?.properties?.state === "Active") {
    const theirs = before.properties.storageUrl ? await blobMd5(before.properties.storageUrl, signal) : undefined;
    if (theirs === md5) outcome = "unchanged";
    else if (!options.replace)
      throw new ConflictError(
        `application ${applicationId} version ${version} is active with other content (MD5 ${theirs ?? "unknown"}, this package ${md5}); deploy it as a new version (a package version is best left immutable), or replace it (--replace / package-replace: true)`,
      );
    else outcome = "replaced";
  }
  if (outcome !== "unchanged") {
    const created = await arm.json<ArmPackage>("PUT", versionPath, { query, signal });
    const storageUrl = created.properties?.storageUrl;
    if (!storageUrl) throw new Error(`Azure Resource Manager gave no storage URL for ${applicationId} version ${version}`);
    await upload(storageUrl, zip, md5, signal);
    await arm.send("POST", `${versionPath}/activate`, { query, body: { format: PACKAGE_FORMAT }, signal, idempotent: true });
    reporter.info(`${outcome === "replaced" ? "replaced" : "deployed"} application package ${applicationId} ${version} (${zip.length} bytes, MD5 ${md5})`);
  } else {
    reporter.info(`application package ${applicationId} ${version} is active with the same content: left as it is`);
  }
  if (options.setDefault && defaultVersion !== version) {
    await arm.send("PATCH", appPath, { query, body: { properties: { defaultVersion: version } }, signal });
    defaultVersion = version;
    reporter.info(`application ${applicationId}'s default version is now ${version}`);
  }
  return { applicationId, version, outcome, applicationCreated, md5, size: zip.length, defaultVersion };
}
