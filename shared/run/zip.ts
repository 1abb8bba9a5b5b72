/**
 * A zip archive of a folder, as an application package: deflated entries in path order, with a
 * fixed timestamp and the files' Unix modes, so that the same folder always makes the same bytes
 * (a redeploy of unchanged content is recognised by its MD5). No zip64: at most 65,535 entries and
 * 4 GiB, well past Batch's package size limit.
 */
import { crc32, deflateRawSync } from "node:zlib";
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";

const MAX_ENTRIES = 0xffff;
const MAX_BYTES = 0xffffffff;
/** 1980-01-01 00:00, the earliest DOS date: every entry gets it, so that bytes depend on content only. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

interface Entry {
  name: string;
  mode: number;
  data: Buffer;
}

async function collect(root: string, dir = "", out: Entry[] = []): Promise<Entry[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    const path = join(root, rel);
    const info = await lstat(path);
    if (info.isSymbolicLink()) throw new UsageError(`${path} is a symbolic link; an application package holds files and folders only`);
    if (info.isDirectory()) {
      out.push({ name: `${rel}/`, mode: 0o40755, data: Buffer.alloc(0) });
      await collect(root, rel, out);
    } else if (info.isFile()) {
      out.push({ name: rel, mode: info.mode & 0o111 ? 0o100755 : 0o100644, data: await readFile(path) });
    }
    if (out.length > MAX_ENTRIES)
      throw new UsageError(`${root} holds more than ${MAX_ENTRIES} files and folders; zip the folder yourself (zip64) and deploy the zip`);
  }
  return out;
}

/** The folder as a zip archive (its contents at the archive's root). */
export async function zipFolder(root: string): Promise<Buffer> {
  const entries = await collect(root);
  if (entries.length === 0) throw new UsageError(`${root} is empty; an application package needs at least one file`);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const deflated = e.data.length ? deflateRawSync(e.data, { level: 9 }) : Buffer.alloc(0);
    const stored = deflated.length >= e.data.length;
    const body = stored ? e.data : deflated;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, 2.0: the external attributes hold the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(stored ? 0 : 8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.mode << 16) | (e.name.endsWith("/") ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
    if (offset > MAX_BYTES) throw new UsageError(`${root} zips to more than 4 GiB; Batch's packages are far smaller`);
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
