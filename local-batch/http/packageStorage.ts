/**
 * The package store's blob endpoint, on the service's own port: the storage URL ARM hands out for
 * a package version takes its zip by Put Blob and gives it back by Get/Head Blob, as Azure
 * Storage does for Batch's auto-storage account (signed URL, Storage's headers and XML errors).
 * Bodies stream to disk with their MD5 counted; Put Block is not served (a package is one blob).
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { PACKAGE_STORE_PREFIX, packageFile, packageOfBlob, refuseStorageAccess } from "../applications.js";
import { etag } from "../clock.js";
import type { ApplicationRecord, PackageRecord, ServiceContext } from "../state.js";

/** The largest package the store takes in one Put Blob (the SDKs send one up to 256 MiB by default). */
export const MAX_PACKAGE_BYTES = 256 * 1024 ** 2;
const STORAGE_VERSION = "2025-01-05";

export function isPackageStorePath(url: URL): boolean {
  return url.pathname.startsWith(PACKAGE_STORE_PREFIX);
}

function storageError(ctx: ServiceContext, req: IncomingMessage, res: ServerResponse, url: URL, status: number, code: string, message: string): void {
  const requestId = randomUUID();
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message.replace(/[<&>]/g, "")}\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "x-ms-request-id": requestId, "x-ms-version": STORAGE_VERSION, "x-ms-error-code": code });
  res.end(req.method === "HEAD" ? undefined : xml);
  record(ctx, req, url, status);
}

function record(ctx: ServiceContext, req: IncomingMessage, url: URL, status: number): void {
  const shown = ctx.console.exchanges;
  shown.push({ at: Date.now(), method: req.method ?? "GET", path: url.pathname, status });
  ctx.options.onExchange?.({
    method: req.method ?? "GET",
    url: url.toString(),
    requestHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
    status,
    responseHeaders: {},
  });
}

/** Put, Get and Head Blob on a package's blob. */
export async function servePackageStore(ctx: ServiceContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const blobName = decodeURIComponent(url.pathname.slice(PACKAGE_STORE_PREFIX.length));
  const method = req.method ?? "GET";
  const write = method === "PUT";
  const refused = refuseStorageAccess(ctx, blobName, url.searchParams, write);
  if (refused) {
    req.resume();
    return storageError(ctx, req, res, url, 403, "AuthenticationFailed", `Server failed to authenticate the request. ${refused}`);
  }
  const found = packageOfBlob(ctx, blobName);
  if (!found) {
    req.resume();
    return storageError(ctx, req, res, url, 404, "BlobNotFound", "The specified blob does not exist.");
  }
  if (write) return putBlob(ctx, req, res, url, found, blobName);
  req.resume();
  if (method !== "GET" && method !== "HEAD")
    return storageError(ctx, req, res, url, 405, "UnsupportedHttpVerb", `The resource doesn't support the specified HTTP verb ${method}.`);
  const { pkg } = found;
  if (!pkg.blob) return storageError(ctx, req, res, url, 404, "BlobNotFound", "The specified blob does not exist.");
  res.writeHead(200, {
    "content-type": "application/zip",
    "content-length": String(pkg.blob.size),
    "content-md5": pkg.blob.md5,
    etag: pkg.blob.etag,
    "last-modified": pkg.blob.lastModified,
    "x-ms-blob-type": "BlockBlob",
    "x-ms-request-id": randomUUID(),
    "x-ms-version": STORAGE_VERSION,
  });
  record(ctx, req, url, 200);
  if (method === "HEAD") return void res.end();
  await pipeline(createReadStream(packageFile(ctx, blobName)), res);
}

/** Why a Put Blob is refused before its body is read: status, Storage's code, message. */
function refusePut(req: IncomingMessage, url: URL, app: ApplicationRecord, pkg: PackageRecord): [number, string, string] | undefined {
  if (url.searchParams.has("comp")) return [400, "UnsupportedQueryParameter", "The local package store takes a package in one Put Blob (no blocks)."];
  if (String(req.headers["x-ms-blob-type"] ?? "") !== "BlockBlob")
    return [400, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type."];
  if (Number(req.headers["content-length"] ?? 0) > MAX_PACKAGE_BYTES)
    return [413, "RequestBodyTooLarge", `The local package store takes packages up to ${MAX_PACKAGE_BYTES} bytes.`];
  if (pkg.state === "Active" && !app.allowUpdates)
    return [409, "BlobImmutable", `The package ${app.id} version ${pkg.version} is active and its application does not allow updates.`];
  return undefined;
}

/** Put Blob: the body streamed to a file beside the target with its MD5 counted, then renamed into place. */
async function putBlob(
  ctx: ServiceContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  { app, pkg }: { app: ApplicationRecord; pkg: PackageRecord },
  blobName: string,
): Promise<void> {
  const refused = refusePut(req, url, app, pkg);
  if (refused) {
    req.resume();
    return storageError(ctx, req, res, url, ...refused);
  }
  const target = packageFile(ctx, blobName);
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${randomUUID()}.part`;
  const md5 = createHash("md5");
  let size = 0;
  try {
    await pipeline(
      req,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          size += c.length;
          if (size > MAX_PACKAGE_BYTES) throw new Error("too large");
          md5.update(c);
          yield c;
        }
      },
      createWriteStream(temp),
    );
  } catch {
    await rm(temp, { force: true });
    if (!res.headersSent && !req.socket.destroyed) storageError(ctx, req, res, url, 400, "InvalidInput", "The blob's body could not be read.");
    return;
  }
  const digest = md5.digest("base64");
  const given = req.headers["content-md5"];
  if (given && given !== digest) {
    await rm(temp, { force: true });
    return storageError(
      ctx,
      req,
      res,
      url,
      400,
      "Md5Mismatch",
      "The MD5 value specified in the request did not match with the MD5 value calculated by the server.",
    );
  }
  await rename(temp, target);
  // x-ms-blob-content-md5 is what a client says the blob's Content-MD5 is; the store keeps the bytes' own.
  pkg.blob = { size, md5: digest, lastModified: new Date().toUTCString(), etag: `"${etag()}"` };
  ctx.touch();
  res.writeHead(201, {
    etag: pkg.blob.etag,
    "last-modified": pkg.blob.lastModified,
    "content-md5": digest,
    "x-ms-request-id": randomUUID(),
    "x-ms-version": STORAGE_VERSION,
    "x-ms-request-server-encrypted": "true",
    "content-length": "0",
  });
  res.end();
  return record(ctx, req, url, 201);
}
