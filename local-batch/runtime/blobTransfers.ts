/**
 * Moving task files as a Batch node does: resource files downloaded before the command (an
 * `httpUrl`, or every blob of a `storageContainerUrl` under `blobPrefix`, listed page by page),
 * output files uploaded after it as block blobs to a container SAS URL. Through
 * `@azure/storage-blob`, so that listing, paging and block upload follow the Storage protocol
 * rather than a hand-made subset of it. No URL is ever shown with its query (the SAS).
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { AnonymousCredential, ContainerClient, newPipeline } from "@azure/storage-blob";
import type { ResourceFile } from "../../shared/batch/types.js";
import { StorageLoginError } from "./storageLogins.js";

/** Signs a URL as a pool identity would be let in (`identityReference`): read, or write for an output container. */
export type SignAsIdentity = (url: string, identity: string, write: boolean) => string;

/** The URL to use: as given, or signed for the identity the file names; a refusal is the transfer's failure. */
function asIdentity(url: string, identity: string | undefined, sign: SignAsIdentity | undefined, write: boolean, code: string): string {
  if (!identity) return url;
  try {
    if (!sign) throw new StorageLoginError(`the managed identity ${identity} has no storage login on the local Batch service`);
    return sign(url, identity, write);
  } catch (error) {
    if (error instanceof StorageLoginError)
      throw new FileTransferError(code, `${write ? "upload to" : "download of"} ${redactUrl(url)} failed: ${error.message}`);
    throw error;
  }
}

export class FileTransferError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\?.*$/, "?<SAS redacted>");
}

/** What went wrong, without anything the error may carry from the request (its URL, headers). */
function why(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; message?: string; cause?: { message?: string } };
  if (e.statusCode) return `HTTP ${e.statusCode}${e.code ? ` ${e.code}` : ""}`;
  return e.code ?? e.cause?.message ?? e.message ?? String(error);
}

// Few, short retries: a node's file transfer that keeps failing should fail the task soon.
const pipeline = () => newPipeline(new AnonymousCredential(), { retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 } });

const containerClient = (url: string) => new ContainerClient(url, pipeline());

async function downloadHttp(url: string, target: string): Promise<void> {
  const response = await fetch(url).catch((error: Error) => {
    throw new FileTransferError("BlobDownloadMiscError", `download of ${redactUrl(url)} failed: ${why(error)}`);
  });
  if (!response.ok) throw new FileTransferError("BlobDownloadMiscError", `download of ${redactUrl(url)} failed: HTTP ${response.status}`);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, Buffer.from(await response.arrayBuffer()));
}

/**
 * Where a resource file lands: inside the working directory, or nowhere. The service refuses a
 * `filePath` with `..` when the task is added; a blob of a listed container may still be named
 * `../../x`, and that would write outside the task's directory.
 */
function inside(wd: string, ...parts: string[]): string {
  const root = resolve(wd);
  const target = resolve(root, ...parts);
  if (target !== root && target.startsWith(root + sep)) return target;
  throw new FileTransferError(
    "ResourceFilePathOutsideWorkingDirectory",
    `resource file ${JSON.stringify(parts.filter(Boolean).join("/").slice(0, 200))} would be written outside the task's working directory; nothing was written`,
  );
}

/** Downloads resource files into the working directory before the command starts; those with an identity as the pool identity's login. */
export async function downloadResourceFiles(files: ResourceFile[] | undefined, wd: string, sign?: SignAsIdentity): Promise<void> {
  for (const f of files ?? []) {
    const targets: string[] = [];
    const identity = f.identityReference?.resourceId;
    if (f.httpUrl) {
      const target = inside(wd, f.filePath ?? new URL(f.httpUrl).pathname.split("/").pop() ?? "file");
      await downloadHttp(asIdentity(f.httpUrl, identity, sign, false, "BlobDownloadMiscError"), target);
      targets.push(target);
    } else if (f.storageContainerUrl) {
      const container = containerClient(asIdentity(f.storageContainerUrl, identity, sign, false, "ResourceContainerListMiscError"));
      const names: string[] = [];
      try {
        for await (const blob of container.listBlobsFlat({ prefix: f.blobPrefix })) names.push(blob.name);
      } catch (error) {
        throw new FileTransferError("ResourceContainerListMiscError", `listing ${redactUrl(f.storageContainerUrl)} failed: ${why(error)}`);
      }
      for (const name of names) {
        const target = inside(wd, f.filePath ?? "", name);
        await mkdir(dirname(target), { recursive: true });
        await container
          .getBlobClient(name)
          .downloadToFile(target)
          .catch((error: unknown) => {
            throw new FileTransferError("BlobDownloadMiscError", `download of ${name} from ${redactUrl(f.storageContainerUrl!)} failed: ${why(error)}`);
          });
        targets.push(target);
      }
    }
    if (f.fileMode) for (const t of targets) await chmod(t, Number.parseInt(f.fileMode, 8));
  }
}

/** Uploads one file as a block blob (large files in parallel blocks) into a container SAS URL, or as the pool identity named. */
export async function uploadFile(containerUrl: string, blobName: string, path: string, identity?: string, sign?: SignAsIdentity): Promise<void> {
  await containerClient(asIdentity(containerUrl, identity, sign, true, "FileUploadMiscError"))
    .getBlockBlobClient(blobName)
    .uploadFile(path)
    .catch((error: unknown) => {
      throw new FileTransferError("FileUploadMiscError", `upload of ${blobName} to ${redactUrl(containerUrl)} failed: ${why(error)}`);
    });
}
