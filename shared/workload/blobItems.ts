/**
 * The blobs of a `forEach: { blobs }` entry, once listed: kept as two arrays (names and ETags; a
 * blob's item is made when its task is rendered), so that 100,000 blobs cost what their names do.
 * The loader attaches a listing to its entry's parsed `forEach`; expansion reads it from there.
 */
import { blobTaskId, safeFileName } from "../batch/blobNames.js";

/** What `{{ item }}` is for one blob. */
export interface BlobItem {
  /** The blob's name, as it is. */
  name: string;
  /** The blob's URL, without any SAS. */
  url: string;
  /** Its last segment, safe in any path (letters, digits, `.`, `_`, `-`; at most 128 bytes). */
  fileName: string;
  /** Its ETag (the version listed). */
  etag: string;
  /** A task id from the blob's name and ETag, as the Function app makes one: a changed blob is a new task. */
  taskId: string;
}

/** Where a listing came from, as the plan tells it. */
export interface BlobListingSource {
  /** `tasks.list[0].forEach.blobs` */
  path: string;
  /** The container URL without its query (no SAS). */
  container: string;
  prefix?: string;
  pattern?: string;
  limit?: number;
}

export class BlobListing {
  private readonly names: string[] = [];
  private readonly etags: string[] = [];
  /** The longest name, for the loader's size estimate of `{{ item }}`. */
  private longest = 0;

  constructor(
    readonly source: BlobListingSource,
    /** The container URL's query (its SAS, with the `?`), given to each blob's resource file; "" without one. */
    readonly query: string,
    /** The container's name, as a blob's task id takes it. */
    readonly containerName: string,
    /** False when the container was not listed (a plan without storage access): no tasks, and `note` says why. */
    readonly listed = true,
    readonly note?: string,
  ) {}

  add(name: string, etag: string): void {
    this.names.push(name);
    this.etags.push(etag.replace(/^W\//, "").replace(/^"|"$/g, ""));
    this.longest = Math.max(this.longest, name.length);
  }

  get length(): number {
    return this.names.length;
  }

  /** What one `{{ item }}` can add to a task, as JSON, at most. */
  get largestItemBytes(): number {
    return 3 * this.longest * 2 + this.source.container.length + 400;
  }

  item(k: number): BlobItem {
    const name = this.names[k]!;
    const etag = this.etags[k]!;
    const url = `${this.source.container}/${name.split("/").map(encodeURIComponent).join("/")}`;
    return { name, url, fileName: safeFileName(name.split("/").pop() ?? name), etag, taskId: blobTaskId({ url, container: this.containerName, name, etag }) };
  }
}

/** Listings by the parsed `forEach` object they belong to. */
const LISTINGS = new WeakMap<object, BlobListing>();

export function attachListing(forEach: object, listing: BlobListing): void {
  LISTINGS.set(forEach, listing);
}

export function listingOf(forEach: object): BlobListing | undefined {
  return LISTINGS.get(forEach);
}

/** What a listing is, in words: `https://acct.blob.core.windows.net/inputs (prefix "a/", pattern "*.csv", limit 10)`. */
export function describeSource(source: { container: string; prefix?: string; pattern?: string; limit?: number }): string {
  const parts = [
    source.prefix !== undefined ? `prefix "${source.prefix}"` : "",
    source.pattern !== undefined ? `pattern "${source.pattern}"` : "",
    source.limit !== undefined ? `limit ${source.limit}` : "",
  ].filter(Boolean);
  return `${source.container}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}
