/**
 * Unpacking an application package on a node: a zip archive (stored or deflated entries) into a
 * folder. An entry whose path leaves the folder (absolute, `..`, a drive) fails the install, as a
 * path outside a task's directory fails on Batch; Unix modes in the archive are kept (executables
 * stay executable).
 */
import { mkdir, writeFile, chmod } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import { inflateRawSync } from "node:zlib";

export class ZipError extends Error {}

/** The most an archive may unpack to here: more than a package should ever be. */
const MAX_UNPACKED_BYTES = 8 * 1024 ** 3;

function endOfDirectory(zip: Buffer): number {
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) if (zip.readUInt32LE(i) === 0x06054b50) return i;
  throw new ZipError("the package is not a zip archive (no end of central directory)");
}

export interface ZipEntry {
  name: string;
  directory: boolean;
  mode?: number;
  data: () => Buffer;
}

/** The archive's entries, each read when asked. */
export function zipEntries(zip: Buffer): ZipEntry[] {
  const end = endOfDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) throw new ZipError("the package's central directory is damaged");
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const external = zip.readUInt32LE(at + 38);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    const unixMode = madeBy === 3 ? external >>> 16 : 0;
    entries.push({
      name,
      directory: name.endsWith("/"),
      mode: unixMode ? unixMode & 0o777 : undefined,
      data: () => {
        if (zip.readUInt32LE(local) !== 0x04034b50) throw new ZipError(`the package's entry ${name} is damaged`);
        const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const raw = zip.subarray(start, start + compressed);
        if (method === 0) return raw;
        if (method !== 8)
          throw new ZipError(`the package's entry ${name} uses compression method ${method}; zip archives with stored or deflated entries are read`);
        return inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
      },
    });
  }
  return entries;
}

/** Unpacks the archive into `dir` (which must not exist yet, or be empty). */
export async function unzipInto(zip: Buffer, dir: string): Promise<void> {
  const root = resolve(dir);
  let total = 0;
  await mkdir(root, { recursive: true });
  for (const entry of zipEntries(zip)) {
    const name = entry.name.replace(/\\/g, "/");
    const target = resolve(root, name);
    if (name.startsWith("/") || /^[A-Za-z]:/.test(name) || (target !== root && !target.startsWith(root + sep)))
      throw new ZipError(`the package's entry ${entry.name} would be written outside the package's folder`);
    if (entry.directory) {
      await mkdir(target, { recursive: true });
      continue;
    }
    const data = entry.data();
    total += data.length;
    if (total > MAX_UNPACKED_BYTES) throw new ZipError("the package unpacks to more than 8 GiB");
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
    if (entry.mode) await chmod(target, entry.mode);
  }
}
