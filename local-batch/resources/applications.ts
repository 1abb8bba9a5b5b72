/**
 * Applications and their packages: the management plane's calls (`Application_*`,
 * `ApplicationPackage_*` under the ARM side) and the data plane's `GET /applications`, over the
 * same records. A package is created Pending with a storage URL for its zip, and becomes Active
 * when activated with format `zip` after its blob was uploaded; only active packages are listed on
 * the data plane and installed on nodes.
 */
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { APPLICATION_ID, APPLICATION_ID_RULE, APPLICATION_VERSION, APPLICATION_VERSION_RULE, PACKAGE_FORMAT } from "../../shared/batch/applications.js";
import { findPackage, packageFile, storageUrl } from "../applications.js";
import { ArmHttpError, BatchHttpError } from "../errors.js";
import { etag, now, type ApplicationRecord, type PackageRecord, type Reply, type ServiceContext } from "../state.js";

const APP_TYPE = "Microsoft.Batch/batchAccounts/applications";

function appView(accountId: string, app: ApplicationRecord): Record<string, unknown> {
  return {
    id: `${accountId}/applications/${app.id}`,
    name: app.id,
    type: APP_TYPE,
    etag: `W/"${app.etag}"`,
    properties: {
      ...(app.displayName !== undefined ? { displayName: app.displayName } : {}),
      allowUpdates: app.allowUpdates,
      ...(app.defaultVersion ? { defaultVersion: app.defaultVersion } : {}),
    },
  };
}

function packageView(ctx: ServiceContext, accountId: string, app: ApplicationRecord, pkg: PackageRecord): Record<string, unknown> {
  const { url, expiry } = storageUrl(ctx, pkg);
  return {
    id: `${accountId}/applications/${app.id}/versions/${pkg.version}`,
    name: pkg.version,
    type: `${APP_TYPE}/versions`,
    etag: `W/"${pkg.etag}"`,
    properties: {
      state: pkg.state,
      ...(pkg.format ? { format: pkg.format } : {}),
      storageUrl: url,
      storageUrlExpiry: expiry,
      ...(pkg.lastActivationTime ? { lastActivationTime: pkg.lastActivationTime } : {}),
    },
  };
}

function appOf(ctx: ServiceContext, id: string): ApplicationRecord {
  const app = ctx.applications.get(id.toLowerCase());
  if (!app) throw new ArmHttpError(404, "ApplicationNotFound", `The specified application ${id} does not exist.`);
  return app;
}

function packageOf(app: ApplicationRecord, version: string): PackageRecord {
  const pkg = findPackage(app, version);
  if (!pkg) throw new ArmHttpError(404, "ApplicationPackageNotFound", `The specified application package ${app.id} version ${version} does not exist.`);
  return pkg;
}

interface AppBody {
  properties?: { displayName?: unknown; allowUpdates?: unknown; defaultVersion?: unknown };
}

function applyProperties(app: ApplicationRecord, body: AppBody | undefined): void {
  const p = body?.properties ?? {};
  for (const key of Object.keys(p))
    if (!["displayName", "allowUpdates", "defaultVersion"].includes(key))
      throw new ArmHttpError(400, "InvalidRequestBody", `The property properties.${key} is not a property of an application.`);
  if (p.displayName !== undefined) app.displayName = String(p.displayName);
  if (p.allowUpdates !== undefined) app.allowUpdates = Boolean(p.allowUpdates);
  if (p.defaultVersion !== undefined) {
    const pkg = findPackage(app, String(p.defaultVersion));
    // "This property can only be set to the name of an existing package."
    if (!pkg)
      throw new ArmHttpError(400, "InvalidDefaultVersion", `The default version ${String(p.defaultVersion)} is not a package of the application ${app.id}.`);
    app.defaultVersion = pkg.version;
  }
  app.etag = etag();
}

/** `.../applications[/{app}[/versions[/{version}[/activate]]]]` on the ARM side. */
export async function routeApplications(ctx: ServiceContext, accountId: string, method: string, rest: string[], body: unknown): Promise<Reply> {
  const [appId, versionsWord, version, activateWord] = rest;
  if (appId === undefined) {
    if (method !== "GET") throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for applications.`);
    return { status: 200, body: { value: [...ctx.applications.values()].map((a) => appView(accountId, a)) } };
  }
  if (!APPLICATION_ID.test(appId)) throw new ArmHttpError(400, "InvalidApplicationName", `The application name ${appId} is not valid: ${APPLICATION_ID_RULE}.`);
  if (versionsWord === undefined) {
    if (method === "PUT") {
      const existing = ctx.applications.get(appId.toLowerCase());
      const app: ApplicationRecord = existing ?? { id: appId, allowUpdates: true, etag: etag(), packages: [] };
      applyProperties(app, body as AppBody);
      ctx.applications.set(appId.toLowerCase(), app);
      return { status: 200, body: appView(accountId, app) };
    }
    if (method === "GET") return { status: 200, body: appView(accountId, appOf(ctx, appId)) };
    if (method === "PATCH") {
      const app = appOf(ctx, appId);
      applyProperties(app, body as AppBody);
      return { status: 200, body: appView(accountId, app) };
    }
    if (method === "DELETE") {
      const app = ctx.applications.get(appId.toLowerCase());
      if (!app) return { status: 204 };
      await Promise.all(app.packages.map((p) => rm(packageFile(ctx, p.blobName), { force: true })));
      ctx.applications.delete(appId.toLowerCase());
      return { status: 200 };
    }
    throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for an application.`);
  }
  if (versionsWord !== "versions") throw new ArmHttpError(404, "ResourceNotFound", `The resource ${rest.join("/")} was not found.`);
  const app = appOf(ctx, appId);
  if (version === undefined) {
    if (method !== "GET") throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for an application's packages.`);
    return { status: 200, body: { value: app.packages.map((p) => packageView(ctx, accountId, app, p)) } };
  }
  if (!APPLICATION_VERSION.test(version))
    throw new ArmHttpError(400, "InvalidApplicationPackageVersion", `The version ${version} is not valid: ${APPLICATION_VERSION_RULE}.`);
  if (activateWord === "activate" && method === "POST") return activate(ctx, accountId, app, packageOf(app, version), body);
  if (activateWord !== undefined) throw new ArmHttpError(404, "ResourceNotFound", `The resource ${rest.join("/")} was not found.`);
  if (method === "GET") return { status: 200, body: packageView(ctx, accountId, app, packageOf(app, version)) };
  if (method === "DELETE") {
    const pkg = findPackage(app, version);
    if (!pkg) return { status: 204 };
    await rm(packageFile(ctx, pkg.blobName), { force: true });
    app.packages = app.packages.filter((p) => p !== pkg);
    if (app.defaultVersion === pkg.version) app.defaultVersion = undefined;
    return { status: 200 };
  }
  if (method !== "PUT") throw new ArmHttpError(405, "MethodNotAllowed", `${method} is not served for an application package.`);
  const existing = findPackage(app, version);
  if (existing) {
    if (existing.state === "Active" && !app.allowUpdates)
      throw new ArmHttpError(
        409,
        "ApplicationPackageUpdatesNotAllowed",
        `The package ${app.id} version ${existing.version} is active and the application does not allow updates (allowUpdates is false).`,
      );
    return { status: 200, body: packageView(ctx, accountId, app, existing) };
  }
  const pkg: PackageRecord = { version, state: "Pending", etag: etag(), blobName: `${app.id.toLowerCase()}-${version}-${randomUUID()}.zip` };
  app.packages.push(pkg);
  return { status: 200, body: packageView(ctx, accountId, app, pkg) };
}

function activate(ctx: ServiceContext, accountId: string, app: ApplicationRecord, pkg: PackageRecord, body: unknown): Reply {
  const format = (body as { format?: unknown } | undefined)?.format;
  if (typeof format !== "string" || format.toLowerCase() !== PACKAGE_FORMAT)
    throw new ArmHttpError(
      400,
      "InvalidApplicationPackageFormat",
      `The format ${String(format)} is not supported; application packages are zip archives (format: zip).`,
    );
  if (!pkg.blob)
    throw new ArmHttpError(
      409,
      "ApplicationPackageBlobNotFound",
      `The package ${app.id} version ${pkg.version} has no uploaded file; upload the zip to its storageUrl first.`,
    );
  pkg.state = "Active";
  pkg.format = PACKAGE_FORMAT;
  pkg.lastActivationTime = now();
  pkg.etag = etag();
  return { status: 200, body: packageView(ctx, accountId, app, pkg) };
}

/** The data plane's `ApplicationSummary`: applications with their active versions. */
export function applicationSummary(app: ApplicationRecord): Record<string, unknown> {
  return { id: app.id, displayName: app.displayName ?? app.id, versions: app.packages.filter((p) => p.state === "Active").map((p) => p.version) };
}

/** The applications listed on the data plane: those with an active package ("available for use on compute nodes"). */
export function listedApplications(ctx: ServiceContext): Record<string, unknown>[] {
  return [...ctx.applications.values()].filter((a) => a.packages.some((p) => p.state === "Active")).map(applicationSummary);
}

export function getApplication(ctx: ServiceContext, id: string): Record<string, unknown> {
  const app = ctx.applications.get(id.toLowerCase());
  if (!app || !app.packages.some((p) => p.state === "Active"))
    throw new BatchHttpError(404, "ApplicationNotFound", "The specified application does not exist.", [{ key: "ApplicationId", value: id }]);
  return applicationSummary(app);
}
