/**
 * Listing the containers of `forEach: { blobs }` entries (Storage's List Blobs through the core's
 * pipeline, page by page, 5,000 names a page: `BlobListClient`): with the SAS the container URL carries, or, without one, with the caller's
 * token credential — sent only to Azure Storage's own endpoints, never to a host a spec names. A
 * spec from a pull request may name any container URL; it cannot send the workflow's token
 * elsewhere, nor requests to any host but Azure Storage or this machine (Azurite).
 *
 * Each matching blob is kept as its name and ETag; at most `limit`, and never more than a spec's
 * task budget (a longer listing is an error naming the entry, before anything is created).
 */
import type { TokenCredential } from "@azure/identity";
import { globToRegExp } from "../batch/glob.js";
import { UsageError } from "../errors.js";
import { LIMITS } from "../workload/budget.js";
import { BlobListClient, StorageError } from "../client/blobListClient.js";
import { LOOPBACK_HOST } from "../batch/hosts.js";
import { BlobListing, describeSource } from "../workload/blobItems.js";

export { describeSource } from "../workload/blobItems.js";
import { blobSourcesOf, loadSpec, loadSpecObject, parseSpecText, type BlobSourceAt, type LoadOptions } from "../workload/load.js";
import type { Workload } from "../workload/types.js";

export interface BlobListOptions {
  /** For containers whose URL has no SAS: a token for Azure Storage (the workflow's identity). */
  credential?: TokenCredential;
  signal?: AbortSignal;
  /**
   * `run` (default): list, or fail. `plan`: list only what needs no token (a SAS, or this machine),
   * and otherwise, or when listing fails, say what a run would list instead of failing.
   * `describe`: list nothing (the spec is checked before anything is built, say).
   */
  mode?: "run" | "plan" | "describe";
}

/** Azure Storage's blob endpoints, per cloud: the only hosts a token goes to. */
const STORAGE_HOST = /^[a-z0-9]{3,24}\.blob\.core\.(windows\.net|usgovcloudapi\.net|chinacloudapi\.cn)$/;

/** The container URL's parts: its base (no query), its SAS, its container name; refused when its host is not Storage's or this machine's. */
export function containerOf(url: string, path: string): { base: string; query: string; name: string; host: string; hasSas: boolean } {
  const u = new URL(url);
  const host = u.hostname.toLowerCase();
  if (!STORAGE_HOST.test(host) && !LOOPBACK_HOST.test(host))
    throw new UsageError(
      `${path}.container: ${u.host} is not an Azure Storage blob endpoint (<account>.blob.core.windows.net, or this machine for Azurite); a spec lists only Azure Storage containers`,
    );
  if (u.protocol !== "https:" && !LOOPBACK_HOST.test(host)) throw new UsageError(`${path}.container: Azure Storage is reached over https`);
  const segments = u.pathname.split("/").filter(Boolean);
  // Path-style for this machine (Azurite: /<account>/<container>), else the account is the host.
  const wanted = LOOPBACK_HOST.test(host) ? 2 : 1;
  if (segments.length !== wanted)
    throw new UsageError(
      `${path}.container: give the container's URL (${LOOPBACK_HOST.test(host) ? "http://127.0.0.1:10000/<account>/<container>" : "https://<account>.blob.core.windows.net/<container>"}), not a blob's or the account's`,
    );
  return {
    base: `${u.origin}/${segments.join("/")}`,
    query: u.search,
    name: decodeURIComponent(segments[wanted - 1]!),
    host,
    hasSas: u.searchParams.has("sig"),
  };
}

async function listOne(at: BlobSourceAt, options: BlobListOptions): Promise<BlobListing> {
  const { source, path } = at;
  // A plan without the secret the URL comes from (the loader's placeholder for it): nothing to list, or to check.
  if (new URL(source.container).hostname === "redacted.invalid")
    return new BlobListing(
      { path, container: "<container URL from an unset secret>", prefix: source.prefix, pattern: source.pattern, limit: source.limit },
      "",
      "",
      false,
      "not listed: its URL comes from a secret that is not set here",
    );
  const c = containerOf(source.container, path);
  const shown = { path, container: c.base, prefix: source.prefix, pattern: source.pattern, limit: source.limit };
  if (options.mode === "describe") return new BlobListing(shown, c.query, c.name, false, "not listed yet");
  if (options.mode === "plan") {
    if (!c.hasSas && !LOOPBACK_HOST.test(c.host))
      return new BlobListing(shown, c.query, c.name, false, "not listed: no SAS in the URL (a run lists it with the caller's sign-in)");
    return listOne(at, { ...options, mode: "run" }).catch(
      (error: Error) => new BlobListing(shown, c.query, c.name, false, `not listed: ${error.message.replace(`${path}: `, "")}`),
    );
  }
  if (!c.hasSas && !options.credential && !LOOPBACK_HOST.test(c.host))
    throw new UsageError(`${path}.container: ${c.base} has no SAS and no credential was given to read it; add a SAS (from the environment) or sign in`);
  // A token only for Storage's own hosts without a SAS; a SAS URL is read with its SAS alone.
  const client = new BlobListClient({
    container: c.base,
    sas: c.hasSas ? c.query : "",
    credential: !c.hasSas && STORAGE_HOST.test(c.host) ? options.credential : undefined,
  });
  const listing = new BlobListing(shown, c.query, c.name);
  const match = source.pattern ? globToRegExp(source.pattern) : undefined;
  const limit = source.limit ?? Infinity;
  try {
    for await (const blob of client.blobs(source.prefix, options.signal)) {
      if (match && !match.test(blob.name)) continue;
      if (listing.length >= LIMITS.tasks)
        throw new UsageError(
          `${path}: ${describeSource(shown)} holds more than ${LIMITS.tasks} matching blobs, the most one spec makes tasks of; narrow it with prefix, pattern or limit`,
        );
      listing.add(blob.name, blob.etag);
      if (listing.length >= limit) break;
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Never the URL: it may carry the SAS.
    const what =
      error instanceof StorageError
        ? `HTTP ${error.statusCode} ${error.code}`.trim()
        : ((error as Error).message ?? String(error)).split("\n")[0]!.replace(/https?:\/\/\S+/g, "<url>");
    throw new Error(`${path}: listing ${c.base} failed: ${what}`);
  } finally {
    await client.close();
  }
  return listing;
}

/** The listings of every `forEach: { blobs }` entry of a spec, by entry index (none when it has none). */
export async function listForEachBlobs(raw: Record<string, unknown>, load: LoadOptions, options: BlobListOptions = {}): Promise<Map<number, BlobListing>> {
  const listings = new Map<number, BlobListing>();
  for (const at of blobSourcesOf(raw, load)) listings.set(at.index, await listOne(at, options));
  return listings;
}

/** `loadSpecObject` for a spec that may list containers: the blobs listed first, then the spec loaded with them. */
export async function loadSpecWithBlobs(raw: Record<string, unknown>, load: LoadOptions = {}, options: BlobListOptions = {}): Promise<Workload> {
  const blobListings = await listForEachBlobs(raw, load, options);
  return loadSpecObject(raw, blobListings.size ? { ...load, blobListings } : load);
}

/** `loadSpec` for a spec that may list containers (YAML or JSON text). */
export async function loadSpecTextWithBlobs(text: string, load: LoadOptions = {}, options: BlobListOptions = {}): Promise<Workload> {
  const raw = parseSpecText(text, load.fileName);
  // Not a mapping: the loader says so, as for any spec.
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return loadSpec(text, load);
  return loadSpecWithBlobs(raw as Record<string, unknown>, load, options);
}
