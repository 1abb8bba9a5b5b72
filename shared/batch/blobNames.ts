/**
 * Names derived from a blob, the same wherever a blob becomes a task (an event of the Function app,
 * an item of `forEach: { blobs }`): a file name safe in any path, and a task id from the blob's
 * name and version, so that the same blob version always makes the same task and a changed blob a
 * new one.
 */
import { createHash } from "node:crypto";

const hash = (text: string, length = 16) => createHash("sha256").update(text).digest("hex").slice(0, length);
const safe = (text: string, max: number) =>
  text
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, max);

/** Longest blob name Azure Storage takes. */
export const MAX_BLOB_NAME = 1024;
/** Bytes of a safe file name at most: a readable prefix and a hash keep it unique and usable in any path. */
export const MAX_FILE_NAME_BYTES = 128;

/**
 * A file name safe anywhere and bounded: the name's last segment with every character but
 * [A-Za-z0-9._-] as `_`, no leading dot; a longer one is cut to a prefix, a hash of the whole
 * name and its extension, at most `MAX_FILE_NAME_BYTES`.
 */
export function safeFileName(last: string): string {
  const name = last.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_") || "input";
  if (name.length <= MAX_FILE_NAME_BYTES) return name;
  const ext = /\.[A-Za-z0-9_-]{1,16}$/.exec(name)?.[0] ?? "";
  return `${name.slice(0, MAX_FILE_NAME_BYTES - ext.length - 17)}-${hash(last)}${ext}`;
}

/** What a task id is made of: the blob's URL (any SAS ignored), its container, its name, its ETag. */
export interface BlobVersion {
  url: string;
  container: string;
  name: string;
  etag?: string;
}

/** `<readable prefix of the name>-<hash of account, container, name, ETag>`: at most 57 characters of [A-Za-z0-9_-]. */
export function blobTaskId(blob: BlobVersion): string {
  const account = new URL(blob.url);
  const key = `${account.host}/${blob.url.slice(account.origin.length).split("/")[1]}/${blob.container}/${blob.name}\n${blob.etag ?? ""}`;
  const prefix = safe(blob.name.split("/").pop() ?? "", 40);
  return `${prefix || "blob"}-${hash(key)}`;
}
