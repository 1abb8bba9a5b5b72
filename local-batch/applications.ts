/**
 * The account's application packages as the service keeps them: the package store (each version's
 * zip under the data folder, reached through a storage URL signed with the account key, as Batch
 * gives a SAS to its auto-storage account), and how a package reference finds its version — the
 * one named, or the application's default.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import { parseApplicationResourceId } from "../shared/batch/applications.js";
import type { ApplicationPackageReference } from "../shared/batch/types.js";
import type { ApplicationRecord, PackageRecord, ServiceContext } from "./state.js";

/** Where the package store answers, on the service's own port. */
export const PACKAGE_STORE_PREFIX = "/storage/packages/";
/** How long a storage URL ARM hands out stays valid. */
export const STORAGE_URL_LIFETIME_MS = 4 * 60 * 60_000;

export function packageFile(ctx: ServiceContext, blobName: string): string {
  return join(ctx.options.dataDir, "packages", blobName);
}

function signature(ctx: ServiceContext, blobName: string, expiry: string, permissions: string): string {
  return createHmac("sha256", Buffer.from(ctx.options.accountKey, "base64")).update(`${blobName}\n${expiry}\n${permissions}`).digest("base64");
}

/** A read-write URL for one package's blob, valid for a few hours (`storageUrl`, `storageUrlExpiry`). */
export function storageUrl(ctx: ServiceContext, pkg: PackageRecord, at = Date.now()): { url: string; expiry: string } {
  const expiry = new Date(at + STORAGE_URL_LIFETIME_MS).toISOString();
  const url = new URL(`${PACKAGE_STORE_PREFIX}${pkg.blobName}`, ctx.baseUrl);
  url.search = new URLSearchParams({ sv: "2025-01-05", sr: "b", sp: "rw", se: expiry, sig: signature(ctx, pkg.blobName, expiry, "rw") }).toString();
  return { url: url.toString(), expiry };
}

/** Why a request to the package store is not allowed (undefined: it is), as Storage's `AuthenticationFailed` detail. */
export function refuseStorageAccess(ctx: ServiceContext, blobName: string, query: URLSearchParams, write: boolean): string | undefined {
  const expiry = query.get("se") ?? "";
  const permissions = query.get("sp") ?? "";
  const given = Buffer.from(query.get("sig") ?? "", "base64");
  const wanted = Buffer.from(signature(ctx, blobName, expiry, permissions), "base64");
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return "Signature did not match.";
  if (!(Date.parse(expiry) > Date.now())) return `Signed expiry time [${expiry}] has to be after the current time.`;
  if (!permissions.includes(write ? "w" : "r")) return "This request is not authorized to perform this operation using this permission.";
  return undefined;
}

/** The package a blob name belongs to. */
export function packageOfBlob(ctx: ServiceContext, blobName: string): { app: ApplicationRecord; pkg: PackageRecord } | undefined {
  for (const app of ctx.applications.values()) for (const pkg of app.packages) if (pkg.blobName === blobName) return { app, pkg };
  return undefined;
}

export function findPackage(app: ApplicationRecord, version: string): PackageRecord | undefined {
  return app.packages.find((p) => p.version.toLowerCase() === version.toLowerCase());
}

/** A reference resolved to an active package, or why it cannot be. */
export type ResolvedReference = { ok: true; app: ApplicationRecord; pkg: PackageRecord; versionGiven: boolean } | { ok: false; reason: string };

/**
 * What a reference names: a pool's give the application's resource id (in this account), a task's
 * its id; the version named, or the application's default. Only active packages are installed.
 */
export function resolveReference(ctx: ServiceContext, ref: ApplicationPackageReference, fullyQualified: boolean): ResolvedReference {
  let id = ref.applicationId;
  if (fullyQualified) {
    const parsed = parseApplicationResourceId(id);
    const group = ctx.options.armResourceGroup ?? "local";
    if (!parsed || parsed.resourceGroup.toLowerCase() !== group.toLowerCase() || parsed.name.toLowerCase() !== ctx.options.accountName.toLowerCase())
      return {
        ok: false,
        reason: `${id} is not the resource id of an application of this account (/subscriptions/{subscription}/resourceGroups/${group}/providers/Microsoft.Batch/batchAccounts/${ctx.options.accountName}/applications/{application})`,
      };
    id = parsed.applicationId;
  }
  const app = ctx.applications.get(id.toLowerCase());
  if (!app) return { ok: false, reason: `the application ${id} does not exist in the account` };
  const version = ref.version ?? app.defaultVersion;
  if (version === undefined) return { ok: false, reason: `no version was given for the application ${app.id} and it has no default version` };
  const pkg = findPackage(app, version);
  if (!pkg) return { ok: false, reason: `the application ${app.id} has no package version ${version}` };
  if (pkg.state !== "Active" || !pkg.blob) return { ok: false, reason: `the package ${app.id} version ${pkg.version} is not active` };
  return { ok: true, app, pkg, versionGiven: ref.version !== undefined };
}
