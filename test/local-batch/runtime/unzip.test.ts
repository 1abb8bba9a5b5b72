/**
 * Packages as zip archives: the core's `zipFolder` makes the same bytes from the same folder and an
 * archive Info-ZIP's `unzip` accepts; the local node unpacks it with modes kept, and refuses an
 * entry that would land outside the package's folder.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { zipFolder } from "../../../shared/run/zip.js";
import { unzipInto, ZipError } from "../../../local-batch/runtime/unzip.js";
import { requirement } from "../../helpers/requirements.js";

const work = mkdtempSync(join(tmpdir(), "azbr-zip-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const unzipMissing = requirement(
  "unzip (Debian package unzip)",
  ["/usr/bin/unzip", "/bin/unzip"].some((p) => existsSync(p)),
);

function folder(): string {
  const dir = mkdtempSync(join(work, "src-"));
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "run.sh"), "#!/bin/sh\necho run\n");
  chmodSync(join(dir, "bin", "run.sh"), 0o755);
  writeFileSync(join(dir, "data.txt"), "x".repeat(10_000));
  writeFileSync(join(dir, "empty"), "");
  return dir;
}

/** One stored entry with the given name: what a hostile archive holds. */
function zipWith(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + n.length, 12);
  end.writeUInt32LE(local.length + n.length + data.length, 16);
  return Buffer.concat([local, n, data, central, n, end]);
}

describe("package archives", () => {
  test("the same folder makes the same zip, whatever the files' times", async () => {
    const dir = folder();
    const a = await zipFolder(dir);
    utimesSync(join(dir, "data.txt"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect((await zipFolder(dir)).equals(a)).toBe(true);
    writeFileSync(join(dir, "data.txt"), "changed");
    expect((await zipFolder(dir)).equals(a)).toBe(false);
  });

  test.skipIf(unzipMissing)("Info-ZIP's unzip reads it, with the executable bit", async () => {
    const zip = join(work, "a.zip");
    writeFileSync(zip, await zipFolder(folder()));
    expect(execFileSync("unzip", ["-t", zip], { encoding: "utf8" })).toContain("No errors detected");
    const out = mkdtempSync(join(work, "unzip-"));
    execFileSync("unzip", ["-q", zip, "-d", out]);
    expect(statSync(join(out, "bin", "run.sh")).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(out, "data.txt"), "utf8")).toBe("x".repeat(10_000));
  });

  test("a node unpacks it with modes kept; an entry outside the folder, or something that is not a zip, fails the install", async () => {
    const out = join(work, "node-app");
    await unzipInto(await zipFolder(folder()), out);
    expect(statSync(join(out, "bin", "run.sh")).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(out, "data.txt"), "utf8")).toBe("x".repeat(10_000));
    expect(readFileSync(join(out, "empty"), "utf8")).toBe("");
    for (const name of ["../escape.txt", "/etc/escape.txt", "a/../../escape.txt"]) {
      await expect(unzipInto(zipWith(name, "boo"), join(work, "hostile"))).rejects.toThrow(
        `the package's entry ${name} would be written outside the package's folder`,
      );
    }
    expect(existsSync(join(work, "escape.txt"))).toBe(false);
    await expect(unzipInto(Buffer.from("not a zip at all, just text"), join(work, "text"))).rejects.toThrow(ZipError);
  });

  test("an empty folder, or a symbolic link in it, is refused", async () => {
    const empty = mkdtempSync(join(work, "empty-"));
    await expect(zipFolder(empty)).rejects.toThrow("is empty; an application package needs at least one file");
    const dir = folder();
    execFileSync("ln", ["-s", "/etc/passwd", join(dir, "link")]);
    await expect(zipFolder(dir)).rejects.toThrow("is a symbolic link; an application package holds files and folders only");
  });
});
