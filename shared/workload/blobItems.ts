/**
 * The blobs of a `forEach: { blobs }` entry, once listed: their names and ETags packed as UTF-8
 * into one growing buffer with an offset each (a blob's item is made when its task is rendered),
 * so that 100,000 blobs cost what their names do — about 4 MB — and no page of the listing stays
 * alive behind a name taken from it.
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
  /** `name`, `etag` and task id, UTF-8, blob after blob; `ends[3k]` ends blob k's name, `ends[3k + 1]` its ETag, `ends[3k + 2]` its task id. */
  private bytes = Buffer.alloc(64 * 1024);
  private used = 0;
  private ends = new Uint32Array(1024);
  private count = 0;
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
    const tag = etag.replace(/^W\//, "").replace(/^"|"$/g, "");
    // Made once here: every walk of the tasks renders each blob's item again, and a hash each time is what would cost.
    const taskId = blobTaskId({ url: this.urlOf(name), container: this.containerName, name, etag: tag });
    const need = Buffer.byteLength(name) + Buffer.byteLength(tag) + taskId.length;
    if (this.used + need > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.used + need));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (3 * this.count + 3 > this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.used += this.bytes.write(name, this.used);
    this.ends[3 * this.count] = this.used;
    this.used += this.bytes.write(tag, this.used);
    this.ends[3 * this.count + 1] = this.used;
    this.used += this.bytes.write(taskId, this.used, "latin1");
    this.ends[3 * this.count + 2] = this.used;
    this.count++;
    this.longest = Math.max(this.longest, name.length);
  }

  get length(): number {
    return this.count;
  }

  /** What one `{{ item }}` can add to a task, as JSON, at most. */
  get largestItemBytes(): number {
    return 3 * this.longest * 2 + this.source.container.length + 400;
  }

  private urlOf(name: string): string {
    return `${this.source.container}/${name.split("/").map(encodeURIComponent).join("/")}`;
  }

  item(k: number): BlobItem {
    const start = k === 0 ? 0 : this.ends[3 * k - 1]!;
    const name = this.bytes.toString("utf8", start, this.ends[3 * k]);
    const etag = this.bytes.toString("utf8", this.ends[3 * k], this.ends[3 * k + 1]);
    const taskId = this.bytes.toString("latin1", this.ends[3 * k + 1], this.ends[3 * k + 2]);
    return { name, url: this.urlOf(name), fileName: safeFileName(name.slice(name.lastIndexOf("/") + 1) || name), etag, taskId };
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
