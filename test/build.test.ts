/** The committed bundles: `scripts/build.mjs --check` (run by CI) passes on a current dist/ and names what is stale. */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";

const run = promisify(execFile);
const ROOT = new URL("..", import.meta.url).pathname;
const copy = mkdtempSync(join(tmpdir(), "azbr-build-"));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

async function check(): Promise<{ code: number; stderr: string }> {
  try {
    const r = await run(process.execPath, ["scripts/build.mjs", "--check"], { cwd: copy });
    return { code: 0, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe("build --check", () => {
  test("passes on the current bundles, then names each stale or left-over file", async () => {
    for (const item of ["package.json", "scripts", "shared", "cli", "local-batch", "dist"]) cpSync(join(ROOT, item), join(copy, item), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));

    expect(await check()).toEqual({ code: 0, stderr: "build --check: dist/ is current\n" });

    // The bundles take only the version from package.json: other edits there leave them current.
    const pkgPath = join(copy, "package.json");
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
    writeFileSync(pkgPath, JSON.stringify({ ...pkg, scripts: { ...pkg.scripts, extra: "true" } }, null, 2));
    expect((await check()).code).toBe(0);

    const version = join(copy, "shared/version.ts");
    writeFileSync(version, readFileSync(version, "utf8").replace("= pkg.version;", "= `${pkg.version}-changed`;"));
    writeFileSync(join(copy, "dist/lib/left-over.js"), "");
    const stale = await check();
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("the committed bundles are stale; run `npm run build` and commit dist/");
    expect(stale.stderr).toContain("dist/lib/index.js\n");
    expect(stale.stderr).toContain("dist/lib/left-over.js (no longer built)");
    // The CLI bundle carries the core too.
    expect(stale.stderr).toMatch(/dist\/cli\/index\.js\n/);
  });
});
