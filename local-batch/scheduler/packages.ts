/**
 * Application packages on a node, as Batch installs them: a pool's when the node joins (before its
 * start task), a task's just before it runs; each version unpacked once per node into the node's
 * applications folder and shared by every task there, its folder named in
 * `AZ_BATCH_APP_PACKAGE_<id>_<version>` (or `_<id>` for a reference to the default version).
 */
import { rename, rm, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { appPackageEnvName } from "../../shared/batch/applications.js";
import type { ApplicationPackageReference } from "../../shared/batch/types.js";
import { packageFile, resolveReference } from "../applications.js";
import { unzipInto } from "../runtime/unzip.js";
import type { InstalledPackage } from "../runtime/taskRunner.js";
import type { NodeRecord, ServiceContext } from "../state.js";

/** Installs in flight or done, per node and package folder: two tasks needing one package unpack it once. */
const installs = new WeakMap<NodeRecord, Map<string, Promise<void>>>();

export type PackageInstall = { ok: true; packages: InstalledPackage[] } | { ok: false; code: string; message: string };

/**
 * Installs what the references name on the node; `fullyQualified` for a pool's (application
 * resource ids). A reference that names no active package, or a package that cannot be unpacked,
 * fails the install with the reason.
 */
export async function installPackages(
  ctx: ServiceContext,
  node: NodeRecord,
  refs: ApplicationPackageReference[] | undefined,
  fullyQualified: boolean,
): Promise<PackageInstall> {
  const packages: InstalledPackage[] = [];
  for (const ref of refs ?? []) {
    const resolved = resolveReference(ctx, ref, fullyQualified);
    if (!resolved.ok) {
      return {
        ok: false,
        code: "ApplicationPackageNotFound",
        message: `The application package ${ref.applicationId}${ref.version ? ` version ${ref.version}` : ""} could not be installed: ${resolved.reason}`,
      };
    }
    const { app, pkg, versionGiven } = resolved;
    const folder = `${app.id}_${pkg.version}.${Buffer.from(pkg.blob!.md5, "base64").toString("hex").slice(0, 12)}`;
    const dir = join(node.dirs!.applications, folder);
    let mine = installs.get(node);
    if (!mine) installs.set(node, (mine = new Map()));
    let install = mine.get(folder);
    if (!install) {
      install = unpack(packageFile(ctx, pkg.blobName), dir);
      mine.set(folder, install);
      install.catch(() => mine.delete(folder));
    }
    try {
      await install;
    } catch (error) {
      return {
        ok: false,
        code: "ApplicationPackageInstallFailed",
        message: `The application package ${app.id} version ${pkg.version} could not be installed: ${(error as Error).message}`,
      };
    }
    packages.push({ env: appPackageEnvName(app.id, versionGiven ? pkg.version : undefined), dir });
  }
  return { ok: true, packages };
}

/** Unpacks into a folder beside the target, then renames it into place: a half-unpacked package is never seen. */
async function unpack(zipFile: string, dir: string): Promise<void> {
  if (existsSync(dir)) return;
  const temp = `${dir}.${process.pid}.${Date.now()}.unpacking`;
  try {
    await unzipInto(await readFile(zipFile), temp);
    await rename(temp, dir);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
